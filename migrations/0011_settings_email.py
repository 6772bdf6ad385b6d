# Written by `make migrations` (tortoise makemigrations), reviewed by hand. Settings and email
# flows: single-use email links (address confirmation, password reset, address change, kept as
# SHA-256 hashes) and the profile's avatar, header and fields on the actor.
import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0010_api_lists_bookmarks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EmailToken',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='email_tokens', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(max_length=10)),
                ('email', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'email_token', 'app': 'models', 'indexes': [Index(fields=['account_id', 'purpose']), Index(fields=['email', 'purpose', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A single-use link sent by email: confirm an address, reset a password, move to a new one.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Actor',
            name='avatar_description',
            field=fields.CharField(null=True, max_length=1500),
        ),
        ops.AddField(
            model_name='Actor',
            name='avatar_url',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='header_url',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='profile_fields',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
