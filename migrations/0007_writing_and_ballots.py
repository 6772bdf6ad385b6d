# Written by `make migrations` (tortoise makemigrations); generated=False added by hand on the
# id fields, which the writer of tortoise-orm 1.1.9 leaves out, and the backfill at the end
# written by hand. Blogs (tags, media, drafts, covers), comment threads (root, removal),
# forums (last activity) and formal ballots.
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from content.ballot_models import random_id
from core.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Threads written before this migration: a first post's last activity is its own time, and a
# reply's root is found level by level (each pass settles replies whose parent is settled).
_ROOT_PASS = (
    "UPDATE post SET root_id = (SELECT COALESCE(p.root_id, p.id) FROM post p"
    " WHERE p.id = post.in_reply_to_id)"
    " WHERE root_id IS NULL AND in_reply_to_id IS NOT NULL AND EXISTS (SELECT 1 FROM post p"
    " WHERE p.id = post.in_reply_to_id AND (p.in_reply_to_id IS NULL OR p.root_id IS NOT NULL))"
)
_BACKFILL = [
    "UPDATE post SET last_activity_at = published WHERE in_reply_to_uri IS NULL",
    *([_ROOT_PASS] * 12),
]



class Migration(migrations.Migration):
    dependencies = [('models', '0006_polls')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('post', fields.OneToOneField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='ballot', on_delete=OnDelete.CASCADE)),
                ('chapter', fields.ForeignKeyField('models.Actor', source_field='chapter_id', null=True, db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('opened_by', fields.ForeignKeyField('models.Actor', source_field='opened_by_id', null=True, db_constraint=True, to_field='id', related_name='ballots_opened', on_delete=OnDelete.SET_NULL)),
                ('method', fields.CharField(max_length=20)),
                ('secret', fields.BooleanField(default=False)),
                ('quorum', fields.CharField(default='', max_length=20)),
                ('threshold', fields.CharField(default='', max_length=20)),
                ('seats', fields.IntField(default=1)),
                ('proposals_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('amendments_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voting_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('phase', fields.CharField(default='proposals', max_length=20)),
                ('eligible_count', fields.IntField(default=0)),
                ('voters_count', fields.IntField(default=0)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ballot', 'app': 'models', 'indexes': [Index(fields=['chapter_id', 'created_at']), Index(fields=['phase', 'ends_at'])], 'pk_attr': 'id', 'table_description': 'A formal ballot, opened by a chapter or by the whole organization.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotEligible',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('models.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='eligible', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='ballots_eligible', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'ballot_eligible', 'app': 'models', 'unique_together': (('ballot', 'actor'),), 'pk_attr': 'id', 'table_description': 'An actor who may vote in a ballot, from the snapshot taken when voting opened.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotProposal',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('models.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Actor', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='ballot_proposals', on_delete=OnDelete.SET_NULL)),
                ('position', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('text', fields.TextField(default='', unique=False)),
                ('text_html', fields.TextField(default='', unique=False)),
                ('original', fields.TextField(default='', unique=False)),
                ('state', fields.CharField(default='open', max_length=20)),
                ('uri', fields.CharField(null=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ballot_proposal', 'app': 'models', 'unique_together': (('ballot', 'position'),), 'pk_attr': 'id', 'table_description': 'One proposal (an option) of a ballot, in its position.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Amendment',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('proposal', fields.ForeignKeyField('models.BallotProposal', source_field='proposal_id', db_constraint=True, to_field='id', related_name='amendments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Actor', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='amendments', on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('text_html', fields.TextField(default='', unique=False)),
                ('reason', fields.TextField(default='', unique=False)),
                ('state', fields.CharField(default='pending', max_length=20)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'amendment', 'app': 'models', 'indexes': [Index(fields=['proposal_id', 'state'])], 'pk_attr': 'id', 'table_description': 'A proposed change to a proposal, by a member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotReceipt',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('models.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('voter', fields.ForeignKeyField('models.Actor', source_field='voter_id', db_constraint=True, to_field='id', related_name='ballot_receipts', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ballot_receipt', 'app': 'models', 'unique_together': (('ballot', 'voter'),), 'pk_attr': 'id', 'table_description': 'That a voter voted in a ballot, and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotVote',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=random_id, generated=False, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('models.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('voter', fields.ForeignKeyField('models.Actor', source_field='voter_id', null=True, db_constraint=True, to_field='id', related_name='ballot_votes', on_delete=OnDelete.SET_NULL)),
                ('choice', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ballot_vote', 'app': 'models', 'indexes': [Index(fields=['ballot_id'])], 'pk_attr': 'id', 'table_description': 'What one ballot paper says, apart from who cast it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Media',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.Actor', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='media', on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.SET_NULL)),
                ('position', fields.IntField(default=0)),
                ('content_type', fields.CharField(max_length=100)),
                ('path', fields.CharField(null=True, max_length=500)),
                ('remote_url', fields.CharField(null=True, max_length=2048)),
                ('width', fields.IntField(null=True)),
                ('height', fields.IntField(null=True)),
                ('size_bytes', fields.IntField(default=0)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'media', 'app': 'models', 'indexes': [Index(fields=['post_id', 'position']), Index(fields=['owner_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An image uploaded here or attached to a remote post.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tag',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('display', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tag', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A hashtag, which is also a blog category.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostTag',
            fields=[
                ('id', fields.BigIntField(primary_key=True, default=new_id, generated=False, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='post_tags', on_delete=OnDelete.CASCADE)),
                ('tag', fields.ForeignKeyField('models.Tag', source_field='tag_id', db_constraint=True, to_field='id', related_name='post_tags', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'post_tag', 'app': 'models', 'unique_together': (('post', 'tag'),), 'indexes': [Index(fields=['tag_id', 'post_id'])], 'pk_attr': 'id', 'table_description': 'A post carries a hashtag (a blog post: its categories).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Post',
            name='cover',
            field=fields.ForeignKeyField('models.Media', source_field='cover_id', null=True, db_constraint=True, to_field='id', related_name='covers', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Post',
            name='draft',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Post',
            name='last_activity_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Post',
            name='removed_by',
            field=fields.ForeignKeyField('models.Actor', source_field='removed_by_id', null=True, db_constraint=True, to_field='id', related_name='removed_posts', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Post',
            name='root',
            field=fields.ForeignKeyField('models.Post', source_field='root_id', null=True, db_constraint=True, to_field='id', related_name='thread', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['root_id', 'published']),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['chapter_id', 'last_activity_at']),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['kind', 'published']),
        ),
        ops.RunSQL(_BACKFILL, reverse_sql=[]),
    ]
