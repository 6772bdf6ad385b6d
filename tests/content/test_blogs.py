"""Blog rules: a draft is its author's alone until published; categories are normalized
hashtags listed through the visibility policy; a summary is written or derived."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from actors.follows import receive_follow
from actors.urls import LocalUrls
from content.models import Post, Tag
from content.posts import create_post, edit_post, publish_draft
from content.tags import tags_of
from content.visibility import can_see, listed_to
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from outbox.render import derive_summary
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
INBOX = "https://mastodon.test/inbox"


async def test_a_draft_is_seen_by_its_author_only_and_sent_when_published(
        fediverse: FakeFediverse, local: Local, settings: Settings, drain_jobs: Drain) -> None:
    urls = LocalUrls(settings.server.base_url)
    fake = fediverse.person("mastodon.test", "bob")
    async with FederationClient(transport=fediverse.transport) as client:
        bob = await resolve_actor(urls, client, fake.uri)
    await receive_follow(bob, local.member, f"{bob.uri}#follow")
    await drain_jobs()
    fediverse.requests.clear()

    draft = await create_post(urls, local.member, "Not yet", kind="article", title="Soon",
                              draft=True, tags=["Plans"])
    await edit_post(local.member, draft, "Still not yet", title="Soon")
    await drain_jobs()
    assert fediverse.posts(INBOX) == []
    assert await can_see(draft, local.member)
    assert not await can_see(draft, bob) and not await can_see(draft, None)
    assert not await (await listed_to(Post.filter(id=draft.id), bob)).exists()

    await publish_draft(urls, local.member, draft)
    await drain_jobs()
    [create] = fediverse.posts(INBOX)
    assert create["type"] == "Create" and "Still not yet" in create["object"]["content"]
    assert await can_see(await Post.get(id=draft.id), None)


async def test_categories_are_normalized_and_replaced_on_edit(
        local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_post(urls, local.member, "Text", kind="article", title="T",
                             tags=["#Climate Justice", "CLIMATEJUSTICE", "Housing", "no-no"])
    assert [(t.name, t.display) for t in await tags_of(post)] == [
        ("climatejustice", "ClimateJustice"), ("housing", "Housing")]
    other = await create_post(urls, local.member, "More", kind="article", title="U",
                              tags=["climatejustice"])
    assert await Tag.all().count() == 2  # one tag, shared, kept as first written
    await edit_post(local.member, post, "Text", tags=["Housing", "Transport"])
    assert [t.name for t in await tags_of(post)] == ["housing", "transport"]
    tagged = await listed_to(Post.filter(post_tags__tag__name="climatejustice"), None)
    assert [p.id for p in await tagged] == [other.id]


async def test_a_summary_is_the_written_one_or_the_beginning_of_the_text(
        local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    written = await create_post(urls, local.member, "Body", kind="article", title="T",
                                summary="Mine")
    assert derive_summary(written) == "Mine"
    short = await create_post(urls, local.member, "A *short* text.", kind="article",
                              title="T")
    assert derive_summary(short) == "A short text."
    long = await create_post(urls, local.member, "word " * 400, kind="article", title="T")
    derived = derive_summary(long)
    assert derived.endswith("…") and len(derived) <= 301 and "word word" in derived
    assert long.summary == ""  # derived when shown or sent, never stored
