# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out. Straw polls: Poll, PollOption,
# PollVote.
from tortoise import migrations
from tortoise.migrations import operations as ops
from core.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_organization')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Poll',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('post', fields.OneToOneField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='poll', on_delete=OnDelete.CASCADE)),
                ('multiple', fields.BooleanField(default=False)),
                ('hide_totals', fields.BooleanField(default=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voters_count', fields.IntField(default=0)),
                ('update_pending', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'poll', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A straw poll (an ActivityStreams Question) attached to a post, ours or remote.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollOption',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('models.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('votes_count', fields.IntField(default=0)),
            ],
            options={'table': 'poll_option', 'app': 'models', 'unique_together': (('poll', 'position'),), 'pk_attr': 'id', 'table_description': 'One answer of a poll, in its position, with its current tally (votes_count).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollVote',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('models.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('option', fields.ForeignKeyField('models.PollOption', source_field='option_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('voter', fields.ForeignKeyField('models.Actor', source_field='voter_id', db_constraint=True, to_field='id', related_name='poll_votes', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'poll_vote', 'app': 'models', 'unique_together': (('option', 'voter'),), 'indexes': [Index(fields=['poll_id', 'voter_id'])], 'pk_attr': 'id', 'table_description': 'A vote of one actor for one option (several rows for a multiple-choice poll).'},
            bases=['Model'],
        ),
    ]
