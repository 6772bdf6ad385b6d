# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out. OAuth 2 apps, codes and tokens
# of the Mastodon client API.
from tortoise import migrations
from tortoise.migrations import operations as ops
from core.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OAuthApp',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('client_id', fields.CharField(unique=True, max_length=64)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('website', fields.CharField(null=True, max_length=2048)),
                ('redirect_uris', fields.TextField(unique=False)),
                ('scopes', fields.CharField(default='read', max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oauth_app', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A client application registered through POST /api/v1/apps of the Mastodon API.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthCode',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('app', fields.ForeignKeyField('models.OAuthApp', source_field='app_id', db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='oauth_codes', on_delete=OnDelete.CASCADE)),
                ('redirect_uri', fields.CharField(max_length=2048)),
                ('scopes', fields.CharField(max_length=1000)),
                ('code_challenge', fields.CharField(null=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oauth_code', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An authorization code handed to an app after the member consented.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthToken',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('access_hash', fields.CharField(unique=True, max_length=64)),
                ('refresh_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('app', fields.ForeignKeyField('models.OAuthApp', source_field='app_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='oauth_tokens', on_delete=OnDelete.CASCADE)),
                ('scopes', fields.CharField(max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oauth_token', 'app': 'models', 'indexes': [Index(fields=['account_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'An access token of an app, for a member or for the app alone.'},
            bases=['Model'],
        ),
    ]
