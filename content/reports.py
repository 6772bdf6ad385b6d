"""Reports (Flags) received from other servers about our actors and posts, for the admins."""

from __future__ import annotations

from actors.models import Actor
from content.models import REPORT_COMMENT_MAX, REPORT_POSTS_MAX, Post, Report


async def local_posts_named(uris: list[str]) -> list[Post]:
    """Our own posts among `uris` (at most REPORT_POSTS_MAX), in the order given."""
    wanted = list(dict.fromkeys(uris))[:REPORT_POSTS_MAX]
    if not wanted:
        return []
    rows = await Post.filter(uri__in=wanted, author__domain__isnull=True)
    by_uri = {row.uri: row for row in rows}
    return [by_uri[uri] for uri in wanted if uri in by_uri]


async def receive_report(reporter: Actor, uri: str, target: Actor | None, posts: list[Post],
                         comment: str) -> Report | None:
    """Store a report once per activity id; None when it names nothing (no actor, no post)
    or was stored already."""
    if target is None and not posts:
        return None
    if await Report.filter(uri=uri).exists():
        return None
    return await Report.create(
        reporter=reporter, target=target, uri=uri,
        comment=comment[:REPORT_COMMENT_MAX],
        post_uris=[post.uri for post in posts][:REPORT_POSTS_MAX],
    )
