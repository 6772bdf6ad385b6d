"""Records of what is said: posts (local and remote), tombstones, mentions, likes, boosts,
categories (hashtags), media files, pinned (featured) posts, notifications, and reports
(Flags) about actors and posts. Polls are here; formal ballots are in content.ballot_models."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.ids import new_id

KINDS = ("note", "article", "page", "question")
VISIBILITIES = ("public", "unlisted", "followers", "direct")
REPORT_COMMENT_MAX = 5000
REPORT_POSTS_MAX = 100


class Post(Model):
    """A post: a Note, Article, Page or Question, written here or received from elsewhere.

    `content_html` is always sanitized (content.html); `source` is what a local author typed
    (Markdown). A deleted post keeps its row with `deleted_at` set and its text emptied, so
    likes, boosts and replies naming it stay consistent; a Tombstone row remembers its uri.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    uri = fields.CharField(max_length=2048, unique=True)
    author: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="posts", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=20, default="note")
    title = fields.CharField(max_length=1000, default="")
    summary = fields.TextField(default="")
    content_html = fields.TextField(default="")
    source = fields.TextField(default="")
    source_type = fields.CharField(max_length=64, default="")
    in_reply_to_uri = fields.CharField(max_length=2048, null=True)
    in_reply_to: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    context_uri = fields.CharField(max_length=2048, null=True)
    chapter: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="chapter_posts", null=True, on_delete=fields.SET_NULL
    )
    visibility = fields.CharField(max_length=10, default="public")
    sensitive = fields.BooleanField(default=False)
    url = fields.CharField(max_length=2048, null=True)
    published = fields.DatetimeField()
    updated = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A draft is seen by its author only and sent nowhere until it is published.
    draft = fields.BooleanField(default=False, db_default=False)
    # The first post of the thread this one answers (NULL for a thread's first post, and for
    # a reply whose thread start is not known here), so a whole tree is one query.
    root: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="thread", null=True, on_delete=fields.SET_NULL
    )
    # For a thread's first post: when it or any reply in it was last written (forums sort by
    # it); NULL for replies.
    last_activity_at = fields.DatetimeField(null=True)
    # A blog post's cover image.
    cover: fields.ForeignKeyNullableRelation[Media] = fields.ForeignKeyField(
        "models.Media", related_name="covers", null=True, on_delete=fields.SET_NULL
    )
    # Who took a comment out of a thread (the post's owner or a chapter moderator), when it
    # was not its author deleting it: the row is erased like a deleted post.
    removed_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="removed_posts", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "post"
        indexes = (("author_id", "published"), ("in_reply_to_id",), ("chapter_id", "published"),
                   ("root_id", "published"), ("chapter_id", "last_activity_at"),
                   ("kind", "published"))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Tag(Model):
    """A hashtag, which is also a blog category.

    `name` is its lower-case key (no `#`), `display` how it was first written."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    name = fields.CharField(max_length=100, unique=True)
    display = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tag"


class PostTag(Model):
    """A post carries a hashtag (a blog post: its categories)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="post_tags", on_delete=fields.CASCADE
    )
    tag: fields.ForeignKeyRelation[Tag] = fields.ForeignKeyField(
        "models.Tag", related_name="post_tags", on_delete=fields.CASCADE
    )

    class Meta:
        table = "post_tag"
        unique_together = (("post", "tag"),)
        indexes = (("tag_id", "post_id"),)


class Media(Model):
    """An image uploaded here or attached to a remote post.

    Uploaded: re-encoded and stored under the media directory at `path`. Remote: its
    `remote_url`, never fetched to be served as ours.
    `owner` uploaded it; `post` is the post it is attached to (NULL until then, or for a
    cover, which the post names in `cover`); `description` is its alt text.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    owner: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="media", null=True, on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    position = fields.IntField(default=0)
    content_type = fields.CharField(max_length=100)
    path = fields.CharField(max_length=500, null=True)
    remote_url = fields.CharField(max_length=2048, null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    size_bytes = fields.IntField(default=0)
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media"
        indexes = (("post_id", "position"), ("owner_id", "created_at"))


class Tombstone(Model):
    """The uri of a deleted object: a Create arriving after its Delete (or re-delivered
    after it) never brings the object back."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    uri = fields.CharField(max_length=2048, unique=True)
    deleted_at = fields.DatetimeField()

    class Meta:
        table = "tombstone"


class Mention(Model):
    """An actor a post mentions or addresses directly: it is delivered to them."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="mentions", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="mentioned_in", on_delete=fields.CASCADE
    )

    class Meta:
        table = "mention"
        unique_together = (("post", "actor"),)


class Like(Model):
    """An actor likes a post (`uri`: the Like activity's id, ours or theirs)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="likes", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="likes", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post_like"
        unique_together = (("actor", "post"),)


class Boost(Model):
    """An actor shares (Announces) a post (`uri`: the Announce activity's id)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="boosts", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="boosts", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "boost"
        unique_together = (("actor", "post"),)


class Report(Model):
    """A report (Flag) from another server about one of our actors or posts, for the admins.

    `target` is the reported actor of ours (NULL when it is gone); `post_uris` the reported
    posts of ours (at most REPORT_POSTS_MAX); `comment` is plain text, capped.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    reporter: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="reports_made", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="reports_received", null=True, on_delete=fields.SET_NULL
    )
    comment = fields.TextField(default="")
    post_uris: list[str] = fields.JSONField(default=list)
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "report"
        indexes = (("target_id",), ("resolved_at",))


class Pin(Model):
    """A post an actor features: a member's pinned post, or a chapter's featured post
    (its `featured` collection; Add/Remove with that collection as target change it)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="pins", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="pins", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pin"
        unique_together = (("actor", "post"),)


class Bookmark(Model):
    """A post a member saved for later. Private: nothing is sent."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="bookmarks", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="bookmarks", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bookmark"
        unique_together = (("actor", "post"),)


class PostVersion(Model):
    """An earlier version of an edited post, kept for its edit history.

    Saved just before an edit (ours or a received Update) replaces the text.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="versions", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=1000, default="")
    summary = fields.TextField(default="")
    content_html = fields.TextField(default="")
    sensitive = fields.BooleanField(default=False)
    written_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post_version"
        indexes = (("post_id", "id"),)


class MemberList(Model):
    """A list a member keeps of accounts they follow, read as its own timeline.

    `replies_policy` is followed, list or none (as the Mastodon API names them);
    `exclusive` keeps the list members' posts out of the home timeline.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="lists", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    replies_policy = fields.CharField(max_length=10, default="list")
    exclusive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member_list"
        indexes = (("owner_id",),)


class MemberListEntry(Model):
    """An account on a member's list."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    list: fields.ForeignKeyRelation[MemberList] = fields.ForeignKeyField(
        "models.MemberList", related_name="entries", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="listed_in", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member_list_entry"
        unique_together = (("list", "actor"),)
        indexes = (("actor_id",),)


class Notification(Model):
    """Something a local member should know: `kind` (follow, follow_request, join_accepted,
    join_rejected, application_accepted, mention, favourite, reblog …), who caused it
    (`actor`, e.g. the chapter that accepted) and the post it is about, if any."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    recipient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=30)
    actor: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="notifications_caused", null=True,
        on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    text = fields.CharField(max_length=500, default="")
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification"
        indexes = (("recipient_id", "id"),)


class Poll(Model):
    """A straw poll (an ActivityStreams Question) attached to a post, ours or remote.

    `ends_at` is when voting stops; `closed_at` when the close was recorded (the close job
    for ours, `closed` of the author's Question for a remote one). For a remote poll
    `voters_count` and the options' `votes_count` are what its author last told us; for ours
    they are recounted from PollVote rows. `update_pending`: an Update(Question) with fresh
    counts is already scheduled (results are sent batched).
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "models.Post", related_name="poll", on_delete=fields.CASCADE
    )
    multiple = fields.BooleanField(default=False)
    hide_totals = fields.BooleanField(default=False)
    ends_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    voters_count = fields.IntField(default=0)
    update_pending = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll"


class PollOption(Model):
    """One answer of a poll, in its position, with its current tally (votes_count)."""

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    title = fields.CharField(max_length=200)
    votes_count = fields.IntField(default=0)

    class Meta:
        table = "poll_option"
        unique_together = (("poll", "position"),)


class PollVote(Model):
    """A vote of one actor for one option (several rows for a multiple-choice poll).

    `uri` is the vote Note's id (Mastodon sends one Note per chosen option), ours or theirs.
    """

    id = fields.BigIntField(primary_key=True, default=new_id, generated=False)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="votes", on_delete=fields.CASCADE
    )
    option: fields.ForeignKeyRelation[PollOption] = fields.ForeignKeyField(
        "models.PollOption", related_name="votes", on_delete=fields.CASCADE
    )
    voter: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Actor", related_name="poll_votes", on_delete=fields.CASCADE
    )
    uri = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll_vote"
        unique_together = (("option", "voter"),)
        indexes = (("poll_id", "voter_id"),)
