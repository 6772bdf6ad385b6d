"""Drafts stay with their author until published; replies join their thread (root, last
activity) whether written here or received, in order or not; the people a post answers or
mentions are notified once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from actors.urls import LocalUrls
from content.errors import NotAllowed, ValidationFailed
from content.models import Notification, Post
from content.posts import create_post, delete_post, edit_post, publish_draft
from content.received import store_remote_post
from content.visibility import can_see, visible_to
from core.models import Job
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from tests.inbox.fediverse import FakeFediverse, Local
from tests.support.members import new_member

Drain = Callable[[], Awaitable[int]]




async def _publish_jobs() -> int:
    return await Job.filter(name="outbox.publish").count()


async def test_a_draft_is_seen_by_its_author_only_and_sent_when_published(
    fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await new_member(settings, "bob")
    draft = await create_post(urls, local.member, "Notes for the assembly", kind="article",
                              title="Assembly", draft=True, tags=["Assembly"])
    assert await _publish_jobs() == 0
    assert await can_see(draft, local.member)
    assert not await can_see(draft, bob) and not await can_see(draft, None)
    assert not await (await visible_to(Post.filter(id=draft.id), bob)).exists()
    assert not await (await visible_to(Post.filter(id=draft.id), None)).exists()
    # Editing a draft saves it without an Update going out.
    await edit_post(local.member, draft, "Notes for the assembly, revised")
    assert await _publish_jobs() == 0 and draft.updated is None
    published = await publish_draft(urls, local.member, draft)
    assert not published.draft and await _publish_jobs() == 1
    assert await can_see(published, bob) and await can_see(published, None)
    assert published.last_activity_at == published.published


async def test_a_draft_cannot_be_published_by_someone_else_nor_be_a_reply(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await new_member(settings, "bob")
    draft = await create_post(urls, local.member, "secret plan", draft=True)
    with pytest.raises(NotAllowed):
        await publish_draft(urls, bob, draft)
    await draft.refresh_from_db()
    assert draft.draft and await _publish_jobs() == 0
    post = await create_post(urls, local.member, "a post")
    with pytest.raises(ValidationFailed) as raised:
        await create_post(urls, bob, "a reply", in_reply_to=post, draft=True)
    assert "draft" in raised.value.errors


async def test_deleting_a_draft_sends_nothing(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    draft = await create_post(urls, local.member, "never mind", draft=True)
    await delete_post(local.member, draft)
    assert await _publish_jobs() == 0


async def test_replies_at_any_depth_share_the_root_and_move_its_last_activity(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await new_member(settings, "bob")
    thread = await create_post(urls, local.member, "Which day for the march?", kind="page",
                               title="The march", chapter=None)
    assert thread.root_id is None and thread.last_activity_at == thread.published  # type: ignore[attr-defined]
    parent = thread
    for depth in range(6):
        author = bob if depth % 2 == 0 else local.member
        parent = await create_post(urls, author, f"reply {depth}", in_reply_to=parent)
        assert parent.root_id == thread.id  # type: ignore[attr-defined]
        assert parent.last_activity_at is None
    await thread.refresh_from_db()
    assert thread.last_activity_at == parent.published
    assert await Post.filter(root_id=thread.id).count() == 6


async def test_a_page_needs_a_title(local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    with pytest.raises(ValidationFailed) as raised:
        await create_post(urls, local.member, "body", kind="page")
    assert "title" in raised.value.errors


async def _remote_reply_fields(uri: str, parent_uri: str, when: str) -> dict[str, object]:
    return {"uri": uri, "kind": "note", "content_html": "<p>re</p>",
            "in_reply_to_uri": parent_uri, "visibility": "public",
            "published": datetime.fromisoformat(when).replace(tzinfo=UTC)}


async def test_remote_replies_arriving_before_their_parents_join_the_thread_later(
    fediverse: FakeFediverse, local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    fake = fediverse.person("mastodon.test", "bob")
    async with FederationClient(transport=fediverse.transport) as client:
        bob = await resolve_actor(urls, client, fake.uri)
    root = await create_post(urls, local.member, "Start of the thread")
    a, b, c = (f"{fake.uri}/statuses/{n}" for n in (1, 2, 3))
    # c answers b, b answers a, a answers our post; they arrive c, b, then a.
    stored_c, _ = await store_remote_post(
        await _remote_reply_fields(c, b, "2026-11-25T10:03:00"), bob)
    stored_b, _ = await store_remote_post(
        await _remote_reply_fields(b, a, "2026-11-25T10:02:00"), bob)
    assert stored_c and stored_b
    stored_a, _ = await store_remote_post(
        await _remote_reply_fields(a, root.uri, "2026-11-25T10:01:00"), bob)
    assert stored_a is not None and stored_a.root_id == root.id  # type: ignore[attr-defined]
    for post in (stored_b, stored_c):
        await post.refresh_from_db()
        assert post.root_id == root.id  # type: ignore[attr-defined]
        assert post.in_reply_to_id is not None  # type: ignore[attr-defined]
    # Alice is told about the reply to her post, once.
    kinds = await Notification.filter(recipient_id=local.member.id).values_list(
        "kind", flat=True)
    assert list(kinds) == ["reply"]


async def test_replies_and_mentions_notify_once_and_never_oneself(
    local: Local, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob = await new_member(settings, "bob")
    post = await create_post(urls, local.member, "Who comes on Saturday?")
    # Bob answers and mentions Alice too: one notification (the reply), not two.
    await create_post(urls, bob, "@alice me", in_reply_to=post, mentions=[local.member])
    # Alice answers herself and mentions Bob: Bob is told of the mention only.
    await create_post(urls, local.member, "@bob thanks", in_reply_to=post, mentions=[bob])
    alice_kinds = await Notification.filter(recipient_id=local.member.id).values_list(
        "kind", flat=True)
    bob_kinds = await Notification.filter(recipient_id=bob.id).values_list("kind", flat=True)
    assert list(alice_kinds) == ["reply"]
    assert list(bob_kinds) == ["mention"]
    # A draft tells no one until it is published.
    draft = await create_post(urls, bob, "@alice later", mentions=[local.member], draft=True)
    assert await Notification.filter(recipient_id=local.member.id).count() == 1
    await publish_draft(urls, bob, draft)
    assert await Notification.filter(recipient_id=local.member.id, kind="mention").count() == 1
