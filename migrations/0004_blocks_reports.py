# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out. Actor blocks and reports (Flag).
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_content')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Block',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('blocker', fields.ForeignKeyField('models.Actor', source_field='blocker_id', db_constraint=True, to_field='id', related_name='blocks_out', on_delete=OnDelete.CASCADE)),
                ('blocked', fields.ForeignKeyField('models.Actor', source_field='blocked_id', db_constraint=True, to_field='id', related_name='blocks_in', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'actor_block', 'app': 'models', 'unique_together': (('blocker', 'blocked'),), 'indexes': [Index(fields=['blocked_id'])], 'pk_attr': 'id', 'table_description': "A remote actor blocking one of ours (`uri`: the Block activity's id)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('reporter', fields.ForeignKeyField('models.Actor', source_field='reporter_id', db_constraint=True, to_field='id', related_name='reports_made', on_delete=OnDelete.CASCADE)),
                ('target', fields.ForeignKeyField('models.Actor', source_field='target_id', null=True, db_constraint=True, to_field='id', related_name='reports_received', on_delete=OnDelete.SET_NULL)),
                ('comment', fields.TextField(default='', unique=False)),
                ('post_uris', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report', 'app': 'models', 'indexes': [Index(fields=['target_id']), Index(fields=['resolved_at'])], 'pk_attr': 'id', 'table_description': 'A report (Flag) from another server about one of our actors or posts, for the admins.'},
            bases=['Model'],
        ),
    ]
