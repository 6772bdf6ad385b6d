"""Comment threads: the tree under a post at any depth with local and remote replies, what
each viewer sees of it and its count, display caps and paging, and who may remove a comment
— with the Remove other servers receive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from actors.chapters import set_coordinator
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.errors import NotAllowed
from content.models import Post, Tombstone
from content.posts import create_post
from content.received import store_remote_post
from content.threads import Node, comment_tree, remove_comment
from core import clock
from core.jobs import Job
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from tests.inbox.fediverse import FakeFediverse, Local
from tests.support.members import new_member

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"




async def remote(settings: Settings, fediverse: FakeFediverse, name: str) -> Actor:
    fake = fediverse.person("mastodon.test", name)
    async with FederationClient(transport=fediverse.transport) as client:
        return await resolve_actor(LocalUrls(settings.server.base_url), client, fake.uri)


async def remote_reply(author: Actor, parent: Post, n: int, text: str,
                       visibility: str = "public") -> Post:
    """A reply from another server, as the inbox stores it."""
    fields: dict[str, Any] = {
        "uri": f"{author.uri}/statuses/{n}", "kind": "note", "content_html": f"<p>{text}</p>",
        "in_reply_to_uri": parent.uri, "visibility": visibility, "published": clock.now()}
    post, created = await store_remote_post(fields, author)
    assert created and post is not None
    return post


def texts(nodes: list[Node]) -> list[Any]:
    """The tree as nested [text, [children]] (None for a placeholder)."""
    return [[n.post.source or n.post.content_html if n.post else None, texts(n.children)]
            for n in nodes]


async def publishes(kind: str) -> list[dict[str, Any]]:
    return [j.payload for j in await Job.filter(name="outbox.publish")
            if j.payload.get("kind") == kind]


async def test_a_deep_tree_of_local_and_remote_replies_is_nested_counted_and_paged(
    local: Local, settings: Settings, fediverse: FakeFediverse,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice, bea = local.member, await new_member(settings, "bea")
    felix = await remote(settings, fediverse, "felix")
    post = await create_post(urls, alice, "Our plan for the spring campaign")
    r1 = await create_post(urls, bea, "one", in_reply_to=post)
    r2 = await remote_reply(felix, r1, 2, "two")
    r3 = await create_post(urls, bea, "three", in_reply_to=r2)
    r4 = await remote_reply(felix, r3, 4, "four")
    r5 = await create_post(urls, alice, "five", in_reply_to=r4)
    await create_post(urls, bea, "six", in_reply_to=r5)
    await remote_reply(felix, post, 7, "seven")
    assert r5.root_id == post.id  # type: ignore[attr-defined]

    thread = await comment_tree(post, bea)
    assert thread.count == 7
    assert texts(thread.nodes) == [
        ["one", [["<p>two</p>", [["three", [["<p>four</p>", [["five", [["six", []]]]]]]]]]]],
        ["<p>seven</p>", []]]
    # Deeper than the display cap: listed flat under the last level, saying whom they answer.
    capped = await comment_tree(post, bea, display_depth=3)
    three = capped.nodes[0].children[0].children[0]
    assert [(n.post.source or n.post.content_html, n.answers.username)  # type: ignore[union-attr]
            for n in three.children] == [("<p>four</p>", "bea"), ("five", "felix"),
                                         ("six", "alice")]
    # A reply's page shows its own subtree.
    sub = await comment_tree(r3, bea)
    assert sub.count == 3 and texts(sub.nodes)[0][0] == "<p>four</p>"
    # Paged by top-level comments; the count is the whole thread's.
    second = await comment_tree(post, bea, page=2, per_page=1)
    assert (second.page, second.pages, second.count) == (2, 2, 7)
    assert texts(second.nodes) == [["<p>seven</p>", []]]
    # Anonymous visitors are not shown other servers' posts, nor what answers them.
    anonymous = await comment_tree(post, None)
    assert anonymous.count == 1 and texts(anonymous.nodes) == [["one", []]]


async def test_followers_only_and_removed_comments(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice, bea, carl = local.member, await new_member(settings, "bea"), await new_member(
        settings, "carl")
    await follow_actor(urls, alice, bea)  # alice follows bea; carl does not
    post = await create_post(urls, alice, "Agenda for Thursday")
    private = await create_post(urls, bea, "only for my followers", in_reply_to=post,
                                visibility="followers")
    first = await create_post(urls, bea, "first", in_reply_to=post)
    await create_post(urls, carl, "answer", in_reply_to=first)
    lonely = await create_post(urls, carl, "lonely", in_reply_to=post)

    assert (await comment_tree(post, alice)).count == 4
    assert "only for my followers" not in str(texts((await comment_tree(post, carl)).nodes))
    assert (await comment_tree(post, carl)).count == 3

    # The owner removes bea's comment: the reply to it stays, under a placeholder.
    await remove_comment(urls, alice, first)
    first = await Post.get(id=first.id)
    assert first.is_deleted and first.removed_by_id == alice.id  # type: ignore[attr-defined]
    assert await Tombstone.filter(uri=first.uri).exists()
    thread = await comment_tree(post, carl)
    assert thread.count == 2
    placeholder = thread.nodes[0]
    assert placeholder.post is None and placeholder.removed
    assert texts(placeholder.children) == [["answer", []]]
    # Its author deleting a comment nobody answered: it is simply gone.
    await remove_comment(urls, carl, lonely)
    assert texts((await comment_tree(post, carl)).nodes) == [[None, [["answer", []]]]]
    assert [p["post_id"] for p in await publishes("delete")] == [lonely.id]
    assert private.id in [n.post.id for n in (await comment_tree(post, alice)).nodes if n.post]


async def test_who_may_remove_a_comment(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice, bea, carl = local.member, await new_member(settings, "bea"), await new_member(
        settings, "carl")
    coord = await new_member(settings, "coord")
    admin = await new_member(settings, "root", "admin")
    chapter = local.chapter
    for who in (alice, bea, carl, coord):
        await follow_actor(urls, who, chapter)
    await set_coordinator(chapter, coord, True)
    thread = await create_post(urls, alice, "Where do we meet?", kind="page",
                               title="Meeting place", chapter=chapter)
    comments = [await create_post(urls, bea, f"comment {i}", in_reply_to=thread)
                for i in range(3)]
    before = await Job.filter(name="outbox.publish").count()

    # A member who is neither author, owner nor coordinator: refused, nothing changes.
    with pytest.raises(NotAllowed):
        await remove_comment(urls, carl, comments[0])
    assert not (await Post.get(id=comments[0].id)).is_deleted
    assert await Job.filter(name="outbox.publish").count() == before

    await remove_comment(urls, alice, comments[0])  # the thread's owner
    await remove_comment(urls, coord, comments[1])  # the chapter's coordinator
    await remove_comment(urls, admin, comments[2])  # an admin
    removed = await Post.filter(id__in=[c.id for c in comments]).order_by("published")
    assert [p.removed_by_id for p in removed] == [alice.id, coord.id, admin.id]  # type: ignore[attr-defined]
    senders = [p["actor_id"] for p in await publishes("remove_comment")]
    # The owner removes as herself; a coordinator or admin as the chapter.
    assert senders == [alice.id, chapter.id, chapter.id]


async def test_the_remove_other_servers_receive(
    local: Local, settings: Settings, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice = local.member
    felix = await remote(settings, fediverse, "felix")
    post = await create_post(urls, alice, "Thoughts on the budget")
    comment = await remote_reply(felix, post, 9, "spam spam")
    await drain_jobs()
    fediverse.requests.clear()
    await remove_comment(urls, alice, comment)
    await drain_jobs()
    [remove] = fediverse.posts("https://mastodon.test/inbox")
    base = settings.server.base_url
    assert remove["type"] == "Remove" and remove["actor"] == f"{base}/users/alice"
    assert remove["object"] == comment.uri and remove["target"] == f"{post.uri}/replies"
    assert remove["to"] == [PUBLIC] and felix.uri in remove["cc"]
    assert remove["id"].startswith(f"{base}/activities/remove/")


async def test_a_coordinators_removal_is_sent_by_the_chapter(
    local: Local, settings: Settings, fediverse: FakeFediverse, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    alice, coord = local.member, await new_member(settings, "coord")
    felix = await remote(settings, fediverse, "felix")
    for who in (alice, coord):
        await follow_actor(urls, who, local.chapter)
    await set_coordinator(local.chapter, coord, True)
    thread = await create_post(urls, alice, "Bike ride on Sunday", kind="page",
                               title="Bike ride", chapter=local.chapter)
    comment = await remote_reply(felix, thread, 3, "buy cheap watches")
    await drain_jobs()
    fediverse.requests.clear()
    await remove_comment(urls, coord, comment)
    await drain_jobs()
    [remove] = fediverse.posts("https://mastodon.test/inbox")
    chapter_uri = f"{settings.server.base_url}/chapters/greens_lyon"
    assert remove["actor"] == chapter_uri and remove["audience"] == chapter_uri
    assert remove["object"] == comment.uri and remove["target"] == f"{thread.uri}/replies"
    assert chapter_uri in remove["cc"] and f"{chapter_uri}/followers" in remove["cc"]
