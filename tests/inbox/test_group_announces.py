"""What a remote group relays (Lemmy style Announce of an activity): never trusted as embedded —
posts come from their origin, deletions are confirmed there, a group speaks only for its own
collections."""

from __future__ import annotations

from typing import Any

import httpx

from actors.roles import is_coordinator
from content.models import Boost, Post
from core.settings import Settings
from tests.inbox.content_support import create_of, note, send
from tests.inbox.fediverse import FakeActor, FakeFediverse, Local
from tests.inbox.group_support import (
    PUBLIC,
    Drain,
    change,
    known,
    outcome,
    remote_group,
)


def announce(group: FakeActor, inner: dict[str, Any], n: int = 1) -> dict[str, Any]:
    """The group relaying `inner` as Lemmy does: to Public, cc its followers."""
    return {"id": f"{group.uri}/activities/announce/{n}", "type": "Announce",
            "actor": group.uri, "object": inner, "to": [PUBLIC],
            "cc": [f"{group.uri}/followers"]}


async def test_a_relayed_post_is_taken_from_its_origin_and_kept_in_the_group(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    author = fediverse.person("ds9.test", "alpha", uri="https://ds9.test/u/alpha")
    real = note(author, 1, "<p>the real text</p>", to=[PUBLIC, group_.uri], audience=group_.uri)
    real["type"] = "Page"
    real["name"] = "A title"
    fediverse.serve(real["id"], real)
    forged = dict(real, content="<p>what the relay claims</p>", name="Forged")
    relay = announce(group_, create_of(forged, author.uri))
    assert await send(fed_client, settings, relay, group_) == 202
    await drain_jobs()
    post = await Post.get(uri=real["id"])
    assert (post.content_html, post.title) == ("<p>the real text</p>", "A title")
    group = await known(settings, fediverse, group_.uri)
    assert post.chapter_id == group.id  # type: ignore[attr-defined]
    assert await Boost.filter(actor_id=group.id, post_id=post.id).exists()

    # Relayed again (another Announce id): nothing is fetched, only the boost is known.
    fediverse.requests.clear()
    again = announce(group_, create_of(forged, author.uri), n=2)
    assert await send(fed_client, settings, again, group_) == 202
    await drain_jobs()
    assert real["id"] not in fediverse.gets()
    assert await Post.filter(uri=real["id"]).count() == 1


async def test_a_relayed_post_of_another_group_is_not_put_in_this_one(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    author = fediverse.person("ds9.test", "alpha", uri="https://ds9.test/u/alpha")
    obj = note(author, 2, to=[PUBLIC, "https://lemmy.test/c/other"])
    fediverse.serve(obj["id"], obj)
    relay = announce(group_, create_of(obj, author.uri))
    assert await send(fed_client, settings, relay, group_) == 202
    await drain_jobs()
    assert (await Post.get(uri=obj["id"])).chapter_id is None  # type: ignore[attr-defined]


async def test_a_relayed_delete_is_applied_only_when_the_origin_confirms_it(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    author = fediverse.person("ds9.test", "alpha", uri="https://ds9.test/u/alpha")
    kept, gone = note(author, 1, "<p>kept</p>"), note(author, 2, "<p>gone</p>")
    for obj in (kept, gone):
        fediverse.serve(obj["id"], obj)
        assert await send(fed_client, settings, create_of(obj, author.uri), author) == 202
    await drain_jobs()
    fediverse.serve(gone["id"], {"error": "deleted"}, status=410)
    for n, obj in enumerate((kept, gone), start=1):
        delete = {"id": f"https://ds9.test/activities/delete/{n}", "type": "Delete",
                  "actor": author.uri, "object": obj["id"], "to": [PUBLIC]}
        assert await send(fed_client, settings, announce(group_, delete, n), group_) == 202
    await drain_jobs()
    assert (await Post.get(uri=kept["id"])).content_html == "<p>kept</p>"
    assert await outcome(f"{group_.uri}/activities/announce/1") == (
        "ignored", "the origin still serves the post")
    assert (await Post.get(uri=gone["id"])).is_deleted


async def test_a_relayed_update_brings_the_origins_version(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    author = fediverse.person("ds9.test", "alpha", uri="https://ds9.test/u/alpha")
    obj = note(author, 1, "<p>first</p>")
    assert await send(fed_client, settings, create_of(obj, author.uri), author) == 202
    await drain_jobs()
    fediverse.serve(obj["id"], dict(obj, content="<p>edited at the origin</p>",
                                    updated="2024-05-02T10:00:00Z"))
    update = {"id": "https://ds9.test/activities/update/1", "type": "Update",
              "actor": author.uri, "object": dict(obj, content="<p>relay's version</p>")}
    assert await send(fed_client, settings, announce(group_, update), group_) == 202
    await drain_jobs()
    assert (await Post.get(uri=obj["id"])).content_html == "<p>edited at the origin</p>"


async def test_a_group_relays_changes_of_its_own_collections_only(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    beta = fediverse.person("lemmy.test", "beta", uri="https://lemmy.test/u/beta")
    alpha = fediverse.person("ds9.test", "alpha", uri="https://ds9.test/u/alpha")
    # Lemmy: a moderator's Add, relayed by the community to its followers.
    add = change("Add", beta, alpha.uri, f"{group_.uri}/moderators", cc=[group_.uri])
    assert await send(fed_client, settings, announce(group_, add), group_) == 202
    ours = change("Add", beta, alpha.uri,
                  f"{settings.server.base_url}/chapters/greens_lyon/moderators", n=2)
    assert await send(fed_client, settings, announce(group_, ours, 2), group_) == 202
    await drain_jobs()
    group = await known(settings, fediverse, group_.uri)
    moderator = await known(settings, fediverse, alpha.uri)
    assert await is_coordinator(moderator, group)
    assert not await is_coordinator(moderator, local.chapter)
    assert await outcome(f"{group_.uri}/activities/announce/2") == (
        "ignored", "a relayed activity cannot change our collections")
