# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out.
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Actor',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('kind', fields.CharField(default='Person', max_length=20)),
                ('username', fields.CharField(max_length=100)),
                ('domain', fields.CharField(null=True, max_length=255)),
                ('acct_key', fields.CharField(unique=True, max_length=360)),
                ('display_name', fields.CharField(default='', max_length=200)),
                ('summary', fields.TextField(default='', unique=False)),
                ('uri', fields.CharField(null=True, unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'actor', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An ActivityPub actor: a member (Person), a chapter (Group) or the instance itself.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.OneToOneField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='account', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharField(default='member', max_length=20)),
                ('confirmed', fields.BooleanField(default=False)),
                ('approved', fields.BooleanField(default=True)),
                ('application_reason', fields.TextField(default='', unique=False)),
                ('commitments_version', fields.CharField(max_length=50)),
                ('commitments_accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locale', fields.CharField(default='', max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id', 'table_description': "A local member's login: email, Argon2id password hash, role, and how they joined."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Chapter',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.OneToOneField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='chapter', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=30)),
                ('description', fields.TextField(default='', unique=False)),
                ('parent', fields.ForeignKeyField('models.Chapter', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL)),
                ('parent_uri', fields.CharField(null=True, max_length=2048)),
                ('join_policy', fields.CharField(default='open', max_length=20)),
                ('members_visible', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chapter', 'app': 'models', 'pk_attr': 'id', 'table_description': "A chapter's organizational data, whose public face is a Group actor of the same name."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstanceSecret',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=50)),
                ('value', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instance_secret', 'app': 'models', 'pk_attr': 'name', 'table_description': 'A random secret made once per instance (e.g. the key that signs CSRF tokens).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('run_at', fields.BigIntField()),
                ('attempts', fields.IntField(default=0)),
                ('max_attempts', fields.IntField(null=True)),
                ('locked_by', fields.CharField(null=True, max_length=64)),
                ('locked_until', fields.BigIntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job', 'app': 'models', 'indexes': [Index(fields=['state', 'run_at'])], 'pk_attr': 'id', 'table_description': 'One unit of background work, stored in the same database as everything else.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=45)),
                ('user_agent', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'web_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A logged-in browser. The cookie holds a random token, and we keep only its SHA-256.'},
            bases=['Model'],
        ),
    ]
