# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out.
from tortoise import migrations
from tortoise.migrations import operations as ops
from core.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_federation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('author', fields.ForeignKeyField('models.Actor', source_field='author_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(default='note', max_length=20)),
                ('title', fields.CharField(default='', max_length=1000)),
                ('summary', fields.TextField(default='', unique=False)),
                ('content_html', fields.TextField(default='', unique=False)),
                ('source', fields.TextField(default='', unique=False)),
                ('source_type', fields.CharField(default='', max_length=64)),
                ('in_reply_to_uri', fields.CharField(null=True, max_length=2048)),
                ('in_reply_to', fields.ForeignKeyField('models.Post', source_field='in_reply_to_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.SET_NULL)),
                ('context_uri', fields.CharField(null=True, max_length=2048)),
                ('chapter', fields.ForeignKeyField('models.Actor', source_field='chapter_id', null=True, db_constraint=True, to_field='id', related_name='chapter_posts', on_delete=OnDelete.SET_NULL)),
                ('visibility', fields.CharField(default='public', max_length=10)),
                ('sensitive', fields.BooleanField(default=False)),
                ('url', fields.CharField(null=True, max_length=2048)),
                ('published', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post', 'app': 'models', 'indexes': [Index(fields=['author_id', 'published']), Index(fields=['in_reply_to_id']), Index(fields=['chapter_id', 'published'])], 'pk_attr': 'id', 'table_description': 'A post: a Note, Article, Page or Question, written here or received from elsewhere.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Boost',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='boosts', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='boosts', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'boost', 'app': 'models', 'unique_together': (('actor', 'post'),), 'pk_attr': 'id', 'table_description': "An actor shares (Announces) a post (`uri`: the Announce activity's id)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Like',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post_like', 'app': 'models', 'unique_together': (('actor', 'post'),), 'pk_attr': 'id', 'table_description': "An actor likes a post (`uri`: the Like activity's id, ours or theirs)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mention',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='mentions', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='mentioned_in', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'mention', 'app': 'models', 'unique_together': (('post', 'actor'),), 'pk_attr': 'id', 'table_description': 'An actor a post mentions or addresses directly: it is delivered to them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tombstone',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('deleted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tombstone', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The uri of a deleted object: a Create arriving after its Delete (or re-delivered'},
            bases=['Model'],
        ),
    ]
