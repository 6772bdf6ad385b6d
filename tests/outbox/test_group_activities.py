"""What our chapters publish about themselves (FEP-1b12 and Chapterhouse's extension): Add /
Remove of moderators, featured posts and sub-chapters, Update of the chapter, and the
collections and actor document those activities point at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from actors.chapters import create_chapter, set_coordinator, update_chapter
from actors.models import Actor, Chapter, SubChapter
from actors.urls import LocalUrls
from chapterhouse.wiring import _LazyClient
from content.pins import feature_post, unfeature_post
from content.posts import create_post
from core.settings import Settings
from federation import load_public_key_pem, parse_signature, verify
from outbox.publish import publish
from tests.inbox.content_support import send
from tests.inbox.fediverse import FakeActor, FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
AP = {"accept": "application/activity+json"}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _join(client: httpx.AsyncClient, settings: Settings, who: FakeActor, slug: str,
                drain_jobs: Drain) -> Actor:
    follow = {"id": f"{who.uri}#join/{slug}", "type": "Follow", "actor": who.uri,
              "object": f"{settings.server.base_url}/chapters/{slug}"}
    assert await send(client, settings, follow, who) == 202
    await drain_jobs()
    return await Actor.get(uri=who.uri)


def _verified(fediverse: FakeFediverse, group: Actor, inbox: str) -> list[dict[str, Any]]:
    """The activities POSTed to `inbox`, each checked to be signed by the chapter's key."""
    key = load_public_key_pem(group.public_key_pem or "")
    for request in fediverse.requests:
        if request.method == "POST" and str(request.url) == inbox:
            sig = parse_signature(request.headers.multi_items())
            verify(sig, key, "POST", str(request.url), request.headers.multi_items(),
                   request.content)
    return fediverse.posts(inbox)


async def test_a_new_coordinator_is_announced_with_add_to_the_moderators_collection(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    chapter_uri, moderators = f"{base}/chapters/greens_lyon", f"{base}/chapters/greens_lyon/moderators"
    bob = await _join(fed_client, settings, fediverse.person("mastodon.test", "bob"),
                      "greens_lyon", drain_jobs)
    dave = fediverse.person("gotosocial.test", "dave")
    await _join(fed_client, settings, dave, "greens_lyon", drain_jobs)
    fediverse.requests.clear()

    assert await set_coordinator(local.chapter, bob, True)
    await drain_jobs()
    for inbox in ("https://mastodon.test/inbox", "https://gotosocial.test/inbox"):
        [add] = _verified(fediverse, local.chapter, inbox)
        assert add["type"] == "Add" and add["actor"] == chapter_uri
        assert add["object"] == bob.uri and add["target"] == moderators
        assert add["to"] == [PUBLIC] and add["cc"] == [f"{chapter_uri}/followers"]
    doc = (await fed_client.get(moderators, headers=AP)).json()
    assert doc["type"] == "OrderedCollection" and doc["orderedItems"] == [bob.uri]
    page = (await fed_client.get(f"{moderators}?page=1", headers=AP)).json()
    assert page["orderedItems"] == [bob.uri] and page["totalItems"] == 1

    fediverse.requests.clear()
    assert await set_coordinator(local.chapter, bob, False)
    await drain_jobs()
    [remove] = _verified(fediverse, local.chapter, "https://mastodon.test/inbox")
    assert remove["type"] == "Remove" and remove["object"] == bob.uri
    assert remove["target"] == moderators
    assert bob.uri not in (await fed_client.get(moderators, headers=AP)).json()["orderedItems"]


async def test_a_featured_post_is_added_embedded_in_the_collection_and_removed(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    featured = f"{base}/chapters/greens_lyon/featured"
    await _join(fed_client, settings, fediverse.person("mastodon.test", "bob"),
                "greens_lyon", drain_jobs)
    post = await create_post(LocalUrls(base), local.member, "Meeting on Friday")
    await drain_jobs()
    fediverse.requests.clear()

    assert await feature_post(local.chapter, post)
    assert not await feature_post(local.chapter, post)  # once
    await drain_jobs()
    [add] = _verified(fediverse, local.chapter, "https://mastodon.test/inbox")
    assert (add["type"], add["object"], add["target"]) == ("Add", post.uri, featured)
    doc = (await fed_client.get(featured, headers=AP)).json()
    assert doc["totalItems"] == 1
    [item] = doc["orderedItems"]
    assert item["id"] == post.uri and item["type"] == "Note"
    assert "Meeting on Friday" in item["content"]

    fediverse.requests.clear()
    assert await unfeature_post(local.chapter, post)
    await drain_jobs()
    [remove] = fediverse.posts("https://mastodon.test/inbox")
    assert (remove["type"], remove["object"], remove["target"]) == ("Remove", post.uri,
                                                                    featured)
    assert (await fed_client.get(featured, headers=AP)).json()["totalItems"] == 0


async def test_a_chapter_under_a_remote_parent_tells_the_parent(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    national = fediverse.person("national.test", "greens", uri="https://national.test/chapters/greens")
    national.doc["type"] = "Group"
    fediverse.publish(national)
    # Known here as a remote group (it followed nothing: resolve it through a Follow of ours).
    parent = await _join(fed_client, settings, national, "greens_lyon", drain_jobs)
    fediverse.requests.clear()

    child = await create_chapter("Greens Villeurbanne", "greens_villeurbanne", parent=parent)
    await drain_jobs()
    child_uri = f"{base}/chapters/greens_villeurbanne"
    [add] = fediverse.posts("https://national.test/inbox")
    assert add["type"] == "Add" and add["actor"] == child_uri and add["object"] == child_uri
    # Without a client the parent's layout is assumed to be ours.
    assert add["target"] == "https://national.test/chapters/greens/subchapters"
    doc = (await fed_client.get(child_uri, headers=AP)).json()
    assert doc["parentChapter"] == national.uri

    # With the signed-fetch client, the parent's own document names the collection.
    national.doc["subChapters"] = "https://national.test/groups/greens/children"
    fediverse.publish(national)
    client = _LazyClient(settings, fediverse.transport)
    fediverse.requests.clear()
    payload = {"kind": "remove_subchapter", "ident": 4242,
               "chapter_id": child.actor_id, "parent_id": parent.id}  # type: ignore[attr-defined]
    assert await publish(LocalUrls(base), payload, client=client.get) == 1
    await drain_jobs()
    [remove] = fediverse.posts("https://national.test/inbox")
    assert remove["type"] == "Remove"
    assert remove["target"] == "https://national.test/groups/greens/children"


async def test_an_updated_chapter_sends_its_whole_document(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    await _join(fed_client, settings, fediverse.person("mastodon.test", "bob"),
                "greens_lyon", drain_jobs)
    row = await Chapter.get(actor_id=local.chapter.id)
    parent = await Actor.get(id=local.approval_chapter.id)
    fediverse.requests.clear()
    await update_chapter(row, name="Greens of Lyon", description="Rhône", join_policy="approval",
                         members_visible=True, parent=parent)
    await drain_jobs()
    [update] = _verified(fediverse, local.chapter, "https://mastodon.test/inbox")
    chapter_uri = f"{base}/chapters/greens_lyon"
    assert update["type"] == "Update" and update["actor"] == chapter_uri
    group = update["object"]
    assert group["id"] == chapter_uri and group["type"] == "Group"
    assert group["name"] == "Greens of Lyon" and group["manuallyApprovesFollowers"] is True
    assert group["parentChapter"] == f"{base}/chapters/greens_paris"
    assert group["attributedTo"] == f"{chapter_uri}/moderators"
    assert update["cc"] == [f"{chapter_uri}/followers"]
    ctx = update["@context"][-1]
    assert ctx["chapterhouse"] == "https://chapterhouse.social/ns#"
    assert ctx["parentChapter"]["@id"] == "chapterhouse:parentChapter"


async def test_the_subchapters_collection_lists_local_and_remote_children(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    await create_chapter("Greens Paris 11", "greens_paris_11", parent=local.approval_chapter)
    remote = fediverse.person("lyon.test", "paris_sud", uri="https://lyon.test/chapters/paris_sud")
    remote.doc["type"] = "Group"
    fediverse.publish(remote)
    remote_row = await _join(fed_client, settings, remote, "greens_lyon", drain_jobs)
    await SubChapter.create(parent=await Chapter.get(actor_id=local.approval_chapter.id),
                            child=remote_row)
    url = f"{base}/chapters/greens_paris/subchapters"
    doc = (await fed_client.get(url, headers=AP)).json()
    assert doc["totalItems"] == 2
    assert doc["orderedItems"] == [f"{base}/chapters/greens_paris_11", remote.uri]
    child = (await fed_client.get(f"{base}/chapters/greens_paris_11", headers=AP)).json()
    assert child["parentChapter"] == f"{base}/chapters/greens_paris"
    assert (await fed_client.get("/users/alice/moderators", headers=AP)).status_code == 404
