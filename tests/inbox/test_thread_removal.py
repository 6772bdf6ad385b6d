"""Comments removed from threads by other servers: the thread's owner, the group holding the
thread (itself or relaying its moderator) or a known moderator erase our copy; anyone else
is refused and nothing changes. And a Mastodon reply lands in our thread."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.roles import add_coordinator
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post
from content.threads import comment_tree
from core.settings import Settings
from tests.inbox.content_support import create_of, moved, note, send
from tests.inbox.fediverse import FakeFediverse, Local
from tests.inbox.group_support import PUBLIC, change, known, outcome, remote_group

Drain = Callable[[], Awaitable[int]]


async def test_the_threads_owner_removes_a_comment_and_a_stranger_cannot(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    owner = fediverse.person("mastodon.test", "owner")
    gil = fediverse.person("gotosocial.test", "gil")
    sam = fediverse.person("mastodon.test", "sam")
    root = note(owner, 1, "<p>What should we read next?</p>")
    assert await send(fed_client, settings, create_of(root, owner.uri), owner) == 202
    await drain_jobs()  # the thread start first: a reply stored at the same moment may miss it
    replies = [note(gil, n, f"<p>reply {n}</p>", inReplyTo=root["id"]) for n in (1, 2)]
    for reply in replies:
        assert await send(fed_client, settings, create_of(reply, gil.uri), gil) == 202
    await drain_jobs()
    comment = await Post.get(uri=replies[0]["id"])

    stranger = change("Remove", sam, comment.uri, f"{root['id']}/replies")
    assert await send(fed_client, settings, stranger, sam) == 202
    await drain_jobs()
    assert not (await Post.get(id=comment.id)).is_deleted
    assert (await outcome(stranger["id"]))[0] == "ignored"

    removal = change("Remove", owner, comment.uri, f"{root['id']}/replies", n=2)
    assert await send(fed_client, settings, removal, owner) == 202
    await drain_jobs()
    comment = await Post.get(id=comment.id)
    assert comment.is_deleted, await outcome(removal["id"])
    assert comment.content_html == ""
    assert comment.removed_by_id == (await known(settings, fediverse, owner.uri)).id  # type: ignore[attr-defined]
    kept = await Post.get(uri=replies[1]["id"])
    assert not kept.is_deleted


async def test_the_group_holding_a_thread_and_its_moderators_remove_comments(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "books")
    mod_ = fediverse.person("lemmy.test", "mod", uri="https://lemmy.test/u/mod")
    author_ = fediverse.person("lemmy.test", "ann", uri="https://lemmy.test/u/ann")
    gil = fediverse.person("gotosocial.test", "gil")
    group = await known(settings, fediverse, group_.uri)
    await add_coordinator(group, await known(settings, fediverse, mod_.uri))
    page = {**note(author_, 1, "<p>Reading list</p>"), "type": "Page", "name": "Reading list",
            "to": [PUBLIC, group_.uri], "audience": group_.uri}
    fediverse.serve(page["id"], page)  # relayed by the group, as Lemmy does: read at its id
    announce = {"id": f"{group_.uri}/activities/announce/1", "type": "Announce",
                "actor": group_.uri, "object": create_of(page, author_.uri), "to": [PUBLIC],
                "cc": [f"{group_.uri}/followers"]}
    assert await send(fed_client, settings, announce, group_) == 202
    await drain_jobs()
    replies = [note(gil, n, f"<p>comment {n}</p>", inReplyTo=page["id"], audience=group_.uri)
               for n in (1, 2, 3)]
    for reply in replies:
        assert await send(fed_client, settings, create_of(reply, gil.uri), gil) == 202
    await drain_jobs()
    root = await Post.get(uri=page["id"])
    assert root.chapter_id == group.id  # type: ignore[attr-defined]

    # The group itself; one of its moderators; the group relaying someone's Remove.
    by_group = change("Remove", group_, replies[0]["id"], page["id"])
    by_mod = change("Remove", mod_, replies[1]["id"], f"{page['id']}/replies",
                    audience=group_.uri)
    inner = change("Remove", author_, replies[2]["id"], page["id"], n=3)
    relayed = {"id": f"{group_.uri}/activities/announce/9", "type": "Announce",
               "actor": group_.uri, "object": inner, "to": [PUBLIC]}
    for activity, sender in ((by_group, group_), (by_mod, mod_), (relayed, group_)):
        assert await send(fed_client, settings, activity, sender) == 202
    await drain_jobs()
    gone = await Post.filter(uri__in=[r["id"] for r in replies], deleted_at__isnull=False)
    assert len(gone) == 3
    assert (await outcome(by_mod["id"]))[0] == "processed"


async def test_a_mastodon_reply_lands_in_our_thread_and_only_its_owner_may_remove_it(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "Our statement on the rail strike")
    reply = moved("mastodon/note.json", {"https://mastodon.madrid": "https://mastodon.test"})
    reply["inReplyTo"] = post.uri
    felix = fediverse.person("mastodon.test", "felix")
    assert await send(fed_client, settings, create_of(reply, felix.uri), felix) == 202
    await drain_jobs()
    thread = await comment_tree(post, local.member)
    assert thread.count == 1 and thread.nodes[0].post is not None
    assert "thinkpad" in thread.nodes[0].post.content_html

    # felix may not take our member's post out of anything.
    mine = await create_post(urls, local.member, "and a follow-up", in_reply_to=post)
    refused = change("Remove", felix, mine.uri, f"{post.uri}/replies")
    assert await send(fed_client, settings, refused, felix) == 202
    await drain_jobs()
    assert not (await Post.get(id=mine.id)).is_deleted
    assert (await outcome(refused["id"]))[0] == "ignored"
