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
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DomainBlock',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('domain', fields.CharField(unique=True, max_length=255)),
                ('severity', fields.CharField(default='reject', max_length=20)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'domain_block', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A server the organization refuses to federate with (severity reject).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('follower', fields.ForeignKeyField('models.Actor', source_field='follower_id', db_constraint=True, to_field='id', related_name='follows_out', on_delete=OnDelete.CASCADE)),
                ('followed', fields.ForeignKeyField('models.Actor', source_field='followed_id', db_constraint=True, to_field='id', related_name='follows_in', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('uri', fields.CharField(null=True, unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'follow', 'app': 'models', 'unique_together': (('follower', 'followed'),), 'indexes': [Index(fields=['followed_id', 'state'])], 'pk_attr': 'id', 'table_description': 'One actor following another, local or remote: pending until accepted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HostHealth',
            fields=[
                ('host', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('failure_days', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('unavailable_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signature_scheme', fields.CharField(default='cavage', max_length=10)),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_failure_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'host_health', 'app': 'models', 'pk_attr': 'host', 'table_description': 'How deliveries to one remote host fare, and which signature scheme it accepts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundActivity',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('activity_id', fields.CharField(unique=True, max_length=2048)),
                ('activity_type', fields.CharField(max_length=64)),
                ('actor_uri', fields.CharField(max_length=2048)),
                ('signer_key_id', fields.CharField(max_length=2048)),
                ('document', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='received', max_length=10)),
                ('error', fields.TextField(null=True, unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbound_activity', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An activity that passed the signature and origin checks, kept as received.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboundActivity',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('activity_type', fields.CharField(max_length=64)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='outbound_activities', on_delete=OnDelete.CASCADE)),
                ('body', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outbound_activity', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An activity rendered once by outbox.publish, then delivered inbox by inbox.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Actor',
            name='featured',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='fetched_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='followers',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='following',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='inbox',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='key_refetched_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='manually_approves_followers',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='outbox',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='private_key_pem',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='public_key_id',
            field=fields.CharField(null=True, unique=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='public_key_pem',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='shared_inbox',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='Actor',
            name='url',
            field=fields.CharField(null=True, max_length=2048),
        ),
    ]
