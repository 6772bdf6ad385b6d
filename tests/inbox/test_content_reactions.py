"""Update, Like, Announce and their Undo; a chapter sharing its members' posts (FEP-1b12)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Boost, Like, Post
from content.posts import create_post
from core.settings import Settings
from federation import load_public_key_pem, parse_signature, verify
from tests.inbox.content_support import create_of, moved, note, send
from tests.inbox.fediverse import FakeFediverse, Local

Drain = Callable[[], Awaitable[int]]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def update_of(obj: dict[str, object], actor: str, n: int = 1) -> dict[str, object]:
    return {"id": f"{obj['id']}#updates/{n}", "type": "Update", "actor": actor, "object": obj}


async def test_an_update_by_the_author_is_applied_and_never_widens(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    obj = note(bob, 1, to=[f"{bob.uri}/followers"], cc=[])
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    edited = dict(obj, content="<p>edited<script>x</script></p>", to=[PUBLIC],
                  updated="2024-05-02T10:00:00Z")
    assert await send(fed_client, settings, update_of(edited, bob.uri), bob) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert post.content_html == "<p>edited</p>" and post.updated is not None
    assert post.visibility == "followers"


async def test_an_update_by_someone_else_is_refused(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob = fediverse.person("mastodon.test", "bob")
    mallory = fediverse.person("mastodon.test", "mallory")
    eve = fediverse.person("evil.test", "eve")
    obj = note(bob, 2)
    assert await send(fed_client, settings, create_of(obj, bob.uri), bob) == 202
    await drain_jobs()
    # Another server: refused at the door (origin rules).
    forged = dict(obj, content="<p>pwned</p>")
    assert await send(fed_client, settings, update_of(forged, eve.uri), eve) == 403
    # The same server, claiming authorship: refused by attributedTo at the door…
    assert await send(fed_client, settings, update_of(forged, mallory.uri), mallory) == 403
    # …and, claiming to be the author, ignored by the handler (not the post's author).
    lying = dict(forged, attributedTo=mallory.uri)
    assert await send(fed_client, settings, update_of(lying, mallory.uri, 2), mallory) == 202
    await drain_jobs()
    assert (await Post.get(uri=obj["id"])).content_html == "<p>hello</p>"


async def test_like_and_undo_of_our_post(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    ours = await create_post(LocalUrls(settings.server.base_url), local.member, "Like me")
    bob = fediverse.person("mastodon.test", "bob")
    like = {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": ours.uri}
    assert await send(fed_client, settings, like, bob) == 202
    assert await send(fed_client, settings, dict(like, id=f"{bob.uri}#likes/2"), bob) == 202
    await drain_jobs()
    assert await Like.filter(post_id=ours.id).count() == 1
    undo = {"id": f"{bob.uri}#likes/1/undo", "type": "Undo", "actor": bob.uri, "object": like}
    assert await send(fed_client, settings, undo, bob) == 202
    await drain_jobs()
    assert await Like.filter(post_id=ours.id).count() == 0


async def test_an_announce_fetches_the_post_from_its_origin(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    carol = fediverse.person("pleroma.test", "carol")
    original = note(carol, 5, "<p>the real text</p>")
    fediverse.serve(original["id"], original)
    admin = fediverse.person("mastodon.test", "admin")
    announce = moved("mastodon/announce.json",
                     {"http://mastodon.example.org": "https://mastodon.test"})
    announce.pop("signature")
    # Mastodon's boost by reference, here with a forged copy embedded by the booster.
    announce["object"] = dict(original, content="<p>forged by the booster</p>")
    assert await send(fed_client, settings, announce, admin) == 202
    await drain_jobs()
    post = await Post.get(uri=original["id"])
    assert post.content_html == "<p>the real text</p>"
    assert original["id"] in fediverse.gets()
    boost = await Boost.get(uri=announce["id"])
    assert boost.post_id == post.id  # type: ignore[attr-defined]
    undo = {"id": f"{admin.uri}#undo/1", "type": "Undo", "actor": admin.uri,
            "object": announce["id"]}
    assert await send(fed_client, settings, undo, admin) == 202
    await drain_jobs()
    assert not await Boost.filter(uri=announce["id"]).exists()


async def test_a_lemmy_community_relay_fetches_the_page(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    origins = {"http://enterprise.lemmy.ml": "https://lemmy.test"}
    community = fediverse.person("lemmy.test", "main", uri="https://lemmy.test/c/main")
    fediverse.person("lemmy.test", "lemmy_beta", uri="https://lemmy.test/u/lemmy_beta")
    announce = moved("lemmy/announce_create_page.json", origins)
    page = dict(announce["object"]["object"], content="<p>page body</p>")
    fediverse.serve(page["id"], page)
    assert await send(fed_client, settings, announce, community) == 202
    await drain_jobs()
    post = await Post.get(uri=page["id"])
    assert (post.kind, post.title) == ("page", "post 4")
    assert await Boost.filter(uri=announce["id"]).exists()


async def _follow(fed_client: httpx.AsyncClient, settings: Settings, actor, chapter: str,
                  drain_jobs: Drain) -> None:  # type: ignore[no-untyped-def]
    follow = {"id": f"{actor.uri}#follows/{chapter}", "type": "Follow", "actor": actor.uri,
              "object": f"{settings.server.base_url}/chapters/{chapter}"}
    assert await send(fed_client, settings, follow, actor) == 202
    await drain_jobs()


async def test_a_chapter_announces_a_members_post_to_its_followers(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    carol = fediverse.person("mastodon.test", "carol")
    dave = fediverse.person("gotosocial.test", "dave")
    chapter = f"{settings.server.base_url}/chapters/greens_lyon"
    await _follow(fed_client, settings, carol, "greens_lyon", drain_jobs)
    await _follow(fed_client, settings, dave, "greens_lyon", drain_jobs)
    fediverse.requests.clear()
    obj = note(carol, 1, to=[PUBLIC, chapter], cc=[f"{carol.uri}/followers"], audience=chapter)
    create = create_of(obj, carol.uri)
    assert await send(fed_client, settings, create, carol) == 202
    await drain_jobs()
    # Two Announces, as Lemmy sends them: of the post's id (Mastodon shows a boost), and of
    # the Create exactly as carol's server sent it (group-aware software); carol's own
    # server, which has the Create, is told of the boost only.
    [to_author] = fediverse.posts("https://mastodon.test/inbox")
    assert to_author["object"] == obj["id"]
    [by_id, relayed] = sorted(fediverse.posts("https://gotosocial.test/inbox"),
                              key=lambda a: isinstance(a["object"], dict))
    for announce in (by_id, relayed):
        assert announce["type"] == "Announce" and announce["actor"] == chapter
        assert PUBLIC in announce["to"]
    assert by_id["object"] == obj["id"]
    assert relayed["object"] == create and relayed["id"] != by_id["id"]
    group = await Actor.get(id=local.chapter.id)
    key = load_public_key_pem(group.public_key_pem or "")
    for request in fediverse.requests:
        sig = parse_signature(request.headers.multi_items())
        assert sig.key_id == f"{chapter}#main-key"
        verify(sig, key, "POST", str(request.url), request.headers.multi_items(),
               request.content)
    post = await Post.get(uri=obj["id"])
    assert post.chapter_id == local.chapter.id  # type: ignore[attr-defined]


async def test_a_non_members_post_to_a_members_only_chapter_is_rejected(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    erin = fediverse.person("mastodon.test", "erin")
    chapter = f"{settings.server.base_url}/chapters/greens_paris"
    obj = note(erin, 1, to=[PUBLIC, chapter])
    create = create_of(obj, erin.uri)
    assert await send(fed_client, settings, create, erin) == 202
    await drain_jobs()
    [reject] = fediverse.posts("https://mastodon.test/inbox")
    assert reject["type"] == "Reject" and reject["actor"] == chapter
    assert reject["object"]["id"] == create["id"] and reject["object"]["object"] == obj["id"]
    assert (await Post.get(uri=obj["id"])).chapter_id is None  # type: ignore[attr-defined]
    assert not await Boost.all().exists()
