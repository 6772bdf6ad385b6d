"""Edit history of posts: the version a post had before each edit (ours or a received
Update), kept as PostVersion rows so apps can show what changed."""

from __future__ import annotations

from collections.abc import Sequence

from content.models import Post, PostVersion

#: Versions kept per post: a remote author editing in a loop cannot grow the table forever.
VERSIONS_MAX = 100


def _differs(post: Post, title: str, summary: str, content_html: str, sensitive: bool) -> bool:
    return (post.title, post.summary, post.content_html, bool(post.sensitive)) != (
        title, summary, content_html, bool(sensitive))


def will_change(post: Post, fields: dict[str, object]) -> bool:
    """Whether applying `fields` (post column → new value) changes what readers see."""
    return _differs(post, str(fields.get("title", post.title) or ""),
                    str(fields.get("summary", post.summary) or ""),
                    str(fields.get("content_html", post.content_html) or ""),
                    bool(fields.get("sensitive", post.sensitive)))


async def remember_version(post: Post) -> PostVersion | None:
    """Save `post` as it reads now, just before an edit replaces it (inside the caller's
    transaction). Dated when that text was written: its last edit, else its publication.
    None once the post has VERSIONS_MAX versions (the oldest ones are kept)."""
    if await PostVersion.filter(post_id=post.id).count() >= VERSIONS_MAX:
        return None
    return await PostVersion.create(
        post=post, title=post.title, summary=post.summary, content_html=post.content_html,
        sensitive=bool(post.sensitive), written_at=post.updated or post.published)


async def versions_of(post: Post) -> list[PostVersion]:
    """The earlier versions of `post`, oldest first (the current text is the post itself)."""
    return list(await PostVersion.filter(post_id=post.id).order_by("id"))


async def edited_ids(post_ids: Sequence[int]) -> set[int]:
    """Which of `post_ids` have been edited (have an earlier version)."""
    if not post_ids:
        return set()
    return set(await PostVersion.filter(post_id__in=list(post_ids)).distinct().values_list(
        "post_id", flat=True))  # type: ignore[arg-type]
