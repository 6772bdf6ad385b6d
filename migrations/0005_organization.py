# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out. The organization: chapter
# roles, remote sub-chapters, invitations, applications, the campaign and its daily tally,
# pins, notifications, outgoing mail.
from tortoise import migrations
from tortoise.migrations import operations as ops
from core.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_blocks_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('label', fields.CharField(max_length=100)),
                ('goal', fields.IntField()),
                ('starts_on', fields.DateField(null=True)),
                ('ends_on', fields.DateField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The membership campaign of the organization, as the admins set it on the web.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChapterRole',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('models.Actor', source_field='group_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='group_roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='coordinator', max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chapter_role', 'app': 'models', 'unique_together': (('group', 'actor'),), 'indexes': [Index(fields=['actor_id'])], 'pk_attr': 'id', 'table_description': 'A role an actor holds in a group: `coordinator` (admits members, moderates).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DailyTally',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('scope', fields.BigIntField(default=0)),
                ('members', fields.IntField(default=0)),
                ('new_members', fields.IntField(default=0)),
                ('active_members', fields.IntField(default=0)),
                ('recorded_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'daily_tally', 'app': 'models', 'unique_together': (('scope', 'day'),), 'pk_attr': 'id', 'table_description': 'The membership counts of one UTC day, for the organization (`scope` 0) or one of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('inviter', fields.ForeignKeyField('models.Actor', source_field='inviter_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('chapter', fields.ForeignKeyField('models.Actor', source_field='chapter_id', null=True, db_constraint=True, to_field='id', related_name='chapter_invitations', on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(default='', max_length=200)),
                ('max_uses', fields.IntField(null=True)),
                ('uses', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitation', 'app': 'models', 'indexes': [Index(fields=['inviter_id'])], 'pk_attr': 'id', 'table_description': 'An invitation link a member made: `code` is the secret part of the link.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailMessage',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('to_address', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'mail_message', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An email the server sends (confirmation, application answer …), kept for the admins.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('models.Actor', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=30)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='notifications_caused', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(default='', max_length=500)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['recipient_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Something a local member should know: `kind` (follow, follow_request, join_accepted,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pin',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='pins', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='pins', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pin', 'app': 'models', 'unique_together': (('actor', 'post'),), 'pk_attr': 'id', 'table_description': "A post an actor features: a member's pinned post, or a chapter's featured post"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubChapter',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('parent', fields.ForeignKeyField('models.Chapter', source_field='parent_id', db_constraint=True, to_field='id', related_name='remote_children', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('models.Actor', source_field='child_id', db_constraint=True, to_field='id', related_name='parent_links', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sub_chapter', 'app': 'models', 'unique_together': (('parent', 'child'),), 'pk_attr': 'id', 'table_description': 'A chapter on another server that names one of ours as its parent (it told us with an'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='invitation',
            field=fields.ForeignKeyField('models.Invitation', source_field='invitation_id', null=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Account',
            name='invited_by',
            field=fields.ForeignKeyField('models.Actor', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='recruits', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Account',
            name='rejected_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Account',
            name='review_note',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Account',
            name='reviewed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Account',
            name='reviewed_by',
            field=fields.ForeignKeyField('models.Actor', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Account',
            index=Index(fields=['invited_by_id']),
        ),
        ops.AddIndex(
            model_name='Account',
            index=Index(fields=['approved', 'rejected_at']),
        ),
        ops.AddField(
            model_name='Chapter',
            name='campaign_goal',
            field=fields.IntField(null=True),
        ),
    ]
