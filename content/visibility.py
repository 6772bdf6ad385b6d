"""The one visibility policy: who may see a post, for one post and for lists of posts.

Every read path asks here: the post page and its JSON at its id (web.posts), outboxes
(outbox.posts), chapter pages and, later, timelines and the Mastodon API. `viewer` is the
actor looking — a signed-in member's actor, the signer of an authorized fetch (a signed GET
from another server), or None for anonymous. The rules (docs/ARCHITECTURE.md, Visibility):

- a deleted post: nobody (its tombstone is answered by the route, not here);
- a draft: its author only (even for moderation: it is not published);
- public and unlisted: everyone (unlisted is only left out of public listings: listed_to);
- followers: the author, the author's accepted followers, the actors it mentions or
  addresses, and — for a post in a chapter, which is then addressed to the chapter — the
  chapter and its accepted members (members-only chapter posts);
- direct: the author and the actors it mentions or addresses;
- a post by an actor who blocks the viewer, or whom the viewer blocks: hidden;
- organization admins see every live post, but only when asked `for_moderation=True`.

`can_see` and `visible_to` are two spellings of the same rules (one for a post in hand, one
for a query) and tests hold them equal; a new rule (member-side blocks, mutes) is added to
both, in `_hidden_authors`/`_is_hidden_author` for rules about the author.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from actors.models import Actor, Block, Follow
from actors.roles import is_admin
from content.models import Mention, Post

#: Visible to everyone.
OPEN = ("public", "unlisted")
#: Visible to the author's followers (and to a chapter's members for a chapter post).
FOLLOWERS = "followers"
#: Visibilities whose readers include the actors a post mentions or addresses.
ADDRESSED = ("followers", "direct")
ACCEPTED = "accepted"


async def _is_hidden_author(viewer: Actor, author_id: int) -> bool:
    """Whether posts by `author_id` are hidden from `viewer`: a block either way."""
    return await Block.filter(
        Q(blocker_id=author_id, blocked_id=viewer.id)
        | Q(blocker_id=viewer.id, blocked_id=author_id)).exists()


def _hidden_authors(query: QuerySet[Post], viewer: Actor) -> QuerySet[Post]:
    """`query` without posts whose author `_is_hidden_author` for `viewer`."""
    # The viewer's own posts are never hidden from them, whatever a block row says.
    blocking_viewer = Subquery(Block.filter(blocked_id=viewer.id).exclude(
        blocker_id=viewer.id).values("blocker_id"))
    blocked_by_viewer = Subquery(Block.filter(blocker_id=viewer.id).exclude(
        blocked_id=viewer.id).values("blocked_id"))
    return query.exclude(author_id__in=blocking_viewer).exclude(author_id__in=blocked_by_viewer)


async def _follows(viewer: Actor, followed_id: int) -> bool:
    return await Follow.filter(follower_id=viewer.id, followed_id=followed_id,
                               state=ACCEPTED).exists()


async def can_see(post: Post, viewer: Actor | None, *, for_moderation: bool = False) -> bool:
    """Whether `viewer` (None: anonymous) may see `post`. See the module's rules."""
    if post.is_deleted:
        return False
    author_id: int = post.author_id  # type: ignore[attr-defined]
    if viewer is not None and viewer.id == author_id:
        return True
    if post.draft:
        return False
    if viewer is not None and for_moderation and await is_admin(viewer):
        return True
    if viewer is not None and await _is_hidden_author(viewer, author_id):
        return False
    if post.visibility in OPEN:
        return True
    if viewer is None or post.visibility not in ADDRESSED:
        return False  # anonymous, or a visibility we do not know: closed
    if await Mention.filter(post_id=post.id, actor_id=viewer.id).exists():
        return True
    if post.visibility != FOLLOWERS:
        return False
    if await _follows(viewer, author_id):
        return True
    chapter_id: int | None = post.chapter_id  # type: ignore[attr-defined]
    return chapter_id is not None and (viewer.id == chapter_id
                                       or await _follows(viewer, chapter_id))


async def visible_to(query: QuerySet[Post], viewer: Actor | None, *,
                     for_moderation: bool = False) -> QuerySet[Post]:
    """`query` narrowed to the posts `viewer` may see (the rules of can_see, in SQL).

    Awaiting it gives the narrowed query, still to be ordered, paged and awaited:
    `posts = await (await visible_to(Post.filter(...), viewer)).order_by(...).limit(20)`.
    """
    query = query.filter(deleted_at__isnull=True)
    if viewer is None:
        return query.filter(visibility__in=OPEN, draft=False)
    query = query.filter(Q(draft=False) | Q(author_id=viewer.id))
    if for_moderation and await is_admin(viewer):
        return query

    def followed() -> Subquery:
        return Subquery(Follow.filter(follower_id=viewer.id, state=ACCEPTED)
                        .values("followed_id"))

    mentioned = Subquery(Mention.filter(actor_id=viewer.id).values("post_id"))
    allowed = (Q(author_id=viewer.id)
               | Q(visibility__in=OPEN)
               | Q(visibility__in=ADDRESSED, id__in=mentioned)
               | Q(visibility=FOLLOWERS, author_id__in=followed())
               | Q(visibility=FOLLOWERS, chapter_id=viewer.id)
               | Q(visibility=FOLLOWERS, chapter_id__in=followed()))
    return _hidden_authors(query.filter(allowed), viewer)


async def listed_to(query: QuerySet[Post], viewer: Actor | None, *,
                    for_moderation: bool = False) -> QuerySet[Post]:
    """visible_to without unlisted posts: for listings unlisted posts stay out of (local and
    federated timelines, category and hashtag pages), as Mastodon keeps them out. A listing
    of public posts only adds `visibility="public"` itself."""
    narrowed = await visible_to(query, viewer, for_moderation=for_moderation)
    return narrowed.exclude(visibility="unlisted")


# --- this server's own web pages ---------------------------------------------------------

async def can_show_page(post: Post, viewer: Actor | None) -> bool:
    """can_see, for this server's HTML pages: besides, another server's post stored here is
    shown to signed-in members only — we do not mirror other servers' posts to the world.
    `post.author` must be fetched."""
    if viewer is None and not post.author.is_local:  # type: ignore[attr-defined]
        return False
    return await can_see(post, viewer)


async def shown_on_pages(query: QuerySet[Post], viewer: Actor | None) -> QuerySet[Post]:
    """visible_to with the rule of can_show_page, for lists on this server's HTML pages
    (a chapter's posts, replies under a post)."""
    narrowed = await visible_to(query, viewer)
    return narrowed if viewer is not None else narrowed.filter(author__domain__isnull=True)
