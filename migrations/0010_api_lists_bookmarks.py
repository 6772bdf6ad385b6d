# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields. Client API records: bookmarks, edit history, lists, mutes, markers and
# idempotent posts.
from tortoise import migrations
from tortoise.migrations import operations as ops
from core.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_oauth')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Bookmark',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='bookmarks', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='bookmarks', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'bookmark', 'app': 'models', 'unique_together': (('actor', 'post'),), 'pk_attr': 'id', 'table_description': 'A post a member saved for later. Private: nothing is sent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotentPost',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='idempotent_posts', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('post_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'api_idempotent_post', 'app': 'models', 'unique_together': (('account', 'key'),), 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'A status created with an Idempotency-Key header: a retry with the same key by the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Marker',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='markers', on_delete=OnDelete.CASCADE)),
                ('timeline', fields.CharField(max_length=20)),
                ('last_read_id', fields.CharField(max_length=40)),
                ('version', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'api_marker', 'app': 'models', 'unique_together': (('account', 'timeline'),), 'pk_attr': 'id', 'table_description': 'Where a member stopped reading a timeline (home or notifications), kept for apps.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberList',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.Actor', source_field='owner_id', db_constraint=True, to_field='id', related_name='lists', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('replies_policy', fields.CharField(default='list', max_length=10)),
                ('exclusive', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'member_list', 'app': 'models', 'indexes': [Index(fields=['owner_id'])], 'pk_attr': 'id', 'table_description': 'A list a member keeps of accounts they follow, read as its own timeline.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberListEntry',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('list', fields.ForeignKeyField('models.MemberList', source_field='list_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='listed_in', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'member_list_entry', 'app': 'models', 'unique_together': (('list', 'actor'),), 'indexes': [Index(fields=['actor_id'])], 'pk_attr': 'id', 'table_description': "An account on a member's list."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mute',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.Actor', source_field='owner_id', db_constraint=True, to_field='id', related_name='mutes_out', on_delete=OnDelete.CASCADE)),
                ('target', fields.ForeignKeyField('models.Actor', source_field='target_id', db_constraint=True, to_field='id', related_name='mutes_in', on_delete=OnDelete.CASCADE)),
                ('notifications', fields.BooleanField(default=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'actor_mute', 'app': 'models', 'unique_together': (('owner', 'target'),), 'pk_attr': 'id', 'table_description': 'A member hiding an actor from their timelines (and notifications, if so chosen).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostVersion',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(default='', max_length=1000)),
                ('summary', fields.TextField(default='', unique=False)),
                ('content_html', fields.TextField(default='', unique=False)),
                ('sensitive', fields.BooleanField(default=False)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post_version', 'app': 'models', 'indexes': [Index(fields=['post_id', 'id'])], 'pk_attr': 'id', 'table_description': 'An earlier version of an edited post, kept for its edit history.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Block',
            options={'table': 'actor_block', 'app': 'models', 'unique_together': (('blocker', 'blocked'),), 'indexes': [Index(fields=['blocked_id'])], 'pk_attr': 'id', 'table_description': "One actor blocking another (`uri`: the Block activity's id)."},
        ),
    ]
