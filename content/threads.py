"""Comment threads: the tree of replies under a post (any depth, narrowed by the visibility
policy, capped for display and paged), and removing a comment from a thread — by its author,
the thread's owner, the chapter's coordinators or an admin — here or as told by another
server."""

from __future__ import annotations

from dataclasses import dataclass, field

from actors.models import Actor
from actors.roles import can_coordinate, is_admin
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound
from content.models import Post
from content.posts import delete_post, erase
from content.publishing import publish
from content.visibility import shown_on_pages
from core.db import in_transaction
from core.messages import N_

#: Nesting shown on pages; deeper replies are listed flat under the last shown level.
DISPLAY_DEPTH = 6
#: Replies read for one thread (the newest beyond it are not shown).
THREAD_MAX = 3_000
#: Top-level comments per page of a thread.
TOP_PER_PAGE = 50


@dataclass
class Node:
    """One comment in a tree. `post` is None for a removed or deleted comment kept as a
    placeholder because replies to it are shown; `removed` says a moderator took it out
    (not its author). `answers` is the author answered, for replies shown flattened."""

    post: Post | None
    depth: int
    removed: bool = False
    answers: Actor | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Thread:
    """The comments under a post: `nodes` (this page's top-level comments with their
    subtrees), `count` (all visible comments under the post), paging."""

    nodes: list[Node]
    count: int
    page: int
    pages: int


def root_of(post: Post) -> int:
    """The id of the first post of `post`'s thread (itself when it starts one)."""
    return post.root_id or post.id  # type: ignore[attr-defined,no-any-return]


async def comment_tree(post: Post, viewer: Actor | None, *, page: int = 1,
                       per_page: int = TOP_PER_PAGE,
                       display_depth: int = DISPLAY_DEPTH) -> Thread:
    """The replies under `post` as `viewer` may see them on our pages, oldest first at each
    level. One query reads the visible replies of the whole thread (another the removed
    ones, whose replies stay under a placeholder); a reply under a comment the viewer may
    not see is not shown either."""
    root_id = root_of(post)
    visible = await shown_on_pages(Post.filter(root_id=root_id), viewer)
    rows = await visible.order_by("published", "id").limit(THREAD_MAX).prefetch_related(
        "author")
    gone = await Post.filter(root_id=root_id, deleted_at__isnull=False).values(
        "id", "in_reply_to_id", "removed_by_id", "published")
    by_parent: dict[int, list[Post | dict[str, object]]] = {}
    for row in rows:
        by_parent.setdefault(row.in_reply_to_id, []).append(row)  # type: ignore[attr-defined]
    for item in gone:
        by_parent.setdefault(int(item["in_reply_to_id"] or 0), []).append(item)
    for items in by_parent.values():
        items.sort(key=_when)

    def build(parent_id: int, depth: int) -> list[Node]:
        nodes = []
        for item in by_parent.get(parent_id, []):
            if isinstance(item, Post):
                node = Node(item, depth, children=build(item.id, depth + 1))
            else:
                kids = build(int(str(item["id"])), depth + 1)
                if not kids:
                    continue  # a removed comment nobody answered is not shown at all
                node = Node(None, depth, removed=item["removed_by_id"] is not None,
                            children=kids)
            nodes.append(node)
        return nodes

    top = build(post.id, 1)
    count = sum(_count(node) for node in top)
    pages = max(1, -(-len(top) // per_page))
    page = min(max(page, 1), pages)
    shown = top[(page - 1) * per_page: page * per_page]
    for node in shown:
        _flatten(node, display_depth)
    return Thread(shown, count, page, pages)


def _when(item: Post | dict[str, object]) -> tuple[object, int]:
    if isinstance(item, Post):
        return item.published, item.id
    return item["published"], int(str(item["id"]))


def _count(node: Node) -> int:
    return (node.post is not None) + sum(_count(child) for child in node.children)


def _flatten(node: Node, cap: int) -> None:
    """Nodes at depth `cap` get all their descendants as one list in time order, each
    saying whom it answers."""
    if node.depth < cap:
        for child in node.children:
            _flatten(child, cap)
        return
    flat: list[Node] = []

    def walk(parent: Node) -> None:
        for child in parent.children:
            answered: Actor | None = parent.post.author if parent.post is not None else None  # type: ignore[assignment]
            flat.append(Node(child.post, cap + 1, child.removed, answered))
            walk(child)

    walk(node)
    flat.sort(key=lambda n: (n.post.published, n.post.id) if n.post else (_LAST, 0))
    node.children = flat


class _Last:
    """Sorts after every datetime (placeholders go last in a flattened list)."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True


_LAST = _Last()


# --- removal ---------------------------------------------------------------------------

async def thread_start(comment: Post) -> Post | None:
    """The first post of the thread `comment` answers (None for a post that answers
    nothing, or whose thread start is not known here)."""
    root_id = comment.root_id  # type: ignore[attr-defined]
    if root_id is None:
        return None
    return await Post.get_or_none(id=root_id).prefetch_related("author", "chapter")


async def may_remove(actor: Actor, comment: Post, root: Post | None) -> bool:
    """May `actor` take `comment` out of its thread? Its author, and whoever
    moderates_thread the thread it is in."""
    if comment.author_id == actor.id:  # type: ignore[attr-defined]
        return True
    return root is not None and await moderates_thread(actor, root)


async def moderates_thread(actor: Actor, root: Post) -> bool:
    """May `actor` remove anyone's comments in the thread `root` starts? The author of the
    thread's first post; the chapter the thread is in and whoever may coordinate it
    (coordinators, local or remote, and for our chapters our admins); our admins."""
    if root.author_id == actor.id:  # type: ignore[attr-defined]
        return True
    chapter_id = root.chapter_id  # type: ignore[attr-defined]
    if chapter_id is not None:
        if chapter_id == actor.id:
            return True
        chapter = await Actor.get_or_none(id=chapter_id)
        if chapter is not None and await can_coordinate(actor, chapter):
            return True
    return await is_admin(actor)


async def remove_comment(urls: LocalUrls, remover: Actor, comment: Post) -> Post:
    """`remover` (a member here) takes `comment` out of its thread. Its author deletes it
    (Delete); anyone else allowed (may_remove) erases it with `removed_by` set, and a
    Remove is published (kind `remove_comment`): by the chapter when a coordinator of the
    thread's chapter removes it, else by the remover. Replies to it stay in the thread."""
    if comment.is_deleted or comment.draft:
        raise NotFound(comment.uri)
    if comment.author_id == remover.id:  # type: ignore[attr-defined]
        await delete_post(remover, comment)
        return comment
    root = await thread_start(comment)
    if root is None or not await may_remove(remover, comment, root):
        raise NotAllowed(N_("only the thread's owner or the chapter's coordinators may "
                            "remove this comment"))
    chapter_id = root.chapter_id  # type: ignore[attr-defined]
    by_chapter = chapter_id is not None and root.author_id != remover.id  # type: ignore[attr-defined]
    sender_id = chapter_id if by_chapter else remover.id
    async with in_transaction():
        comment.removed_by = remover
        await erase(comment)
        await publish("remove_comment", post_id=comment.id, actor_id=sender_id,
                      root_id=root.id)
    return comment


async def apply_remote_removal(actor: Actor, comment: Post) -> bool:
    """Another server's actor removes `comment` from a thread: our copy is erased when the
    actor may (may_remove, as far as we know its roles); False when refused or gone."""
    if comment.is_deleted:
        return False
    root = await thread_start(comment)
    if not await may_remove(actor, comment, root):
        return False
    async with in_transaction():
        if comment.author_id != actor.id:  # type: ignore[attr-defined]
            comment.removed_by = actor
        await erase(comment)
    return True
