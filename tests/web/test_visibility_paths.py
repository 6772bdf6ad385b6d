"""The visibility policy through the real HTTP paths: the post page for signed-in members and
anonymous visitors (200 or 404), the post's JSON at its id unsigned and with signed GETs by
the fake fediverse's actors (authorized fetch), and the outbox."""

from __future__ import annotations

import httpx
import pytest

from actors.blocks import receive_block
from actors.follows import accept_follow, receive_follow
from actors.models import Actor
from content.models import Post
from content.received import store_remote_post
from core import clock
from core.settings import Settings
from federation import Signer, sign_request
from tests.content.test_visibility import KINDS, PASSWORD, World, build_world, member, remote
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.support.forms import post_form

__all__ = ["fed_client", "fediverse", "registry"]  # fixtures of the fake fediverse

AS_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def path_of(settings: Settings, post: Post) -> str:
    """Where this server answers for the post (a remote post has our page too)."""
    path = f"/posts/{post.id}"
    assert not post.author.is_local or post.uri == settings.server.base_url + path  # type: ignore[attr-defined]
    return path


async def get_json(client: httpx.AsyncClient, settings: Settings, path: str,
                   signer: Signer | None = None) -> httpx.Response:
    """GET as another server does: unsigned, or signed (draft-cavage, as Mastodon signs)."""
    headers = {"Accept": AS_JSON}
    if signer is not None:
        headers.update(sign_request("GET", settings.server.base_url + path, headers, b"",
                                    signer))
    return await client.get(path, headers=headers)


async def log_in_as(client: httpx.AsyncClient, name: str | None) -> None:
    client.cookies.clear()
    if name is not None:
        answer = await post_form(client, "/login", {"identifier": name, "password": PASSWORD})
        assert answer.status_code == 303, answer.text


# --- the HTML page of a post ---------------------------------------------------------------

#: member signed in (None: anonymous) → page status for (public, unlisted, followers,
#: direct, members-only chapter post)
PAGES: dict[str | None, tuple[int, ...]] = {
    "alice": (200, 200, 200, 200, 200),  # the author
    "bob": (200, 200, 200, 404, 200),  # a follower
    "carol": (200, 200, 404, 404, 404),  # a pending follower
    "dave": (200, 200, 200, 200, 404),  # mentioned
    "erin": (200, 200, 404, 404, 200),  # a member of the chapter
    "frank": (200, 200, 404, 404, 404),  # a stranger
    "root": (200, 200, 404, 404, 404),  # an admin: no moderation on the public page
    None: (200, 200, 404, 404, 404),
}


async def test_the_post_page_follows_the_policy(
    fed_client: httpx.AsyncClient, settings: Settings,
) -> None:
    world = await build_world(settings)
    wrong = []
    for name, statuses in PAGES.items():
        await log_in_as(fed_client, name)
        for kind, status in zip(KINDS, statuses, strict=True):
            post = world.posts[kind]
            page = await fed_client.get(path_of(settings, post))
            shown = post.content_html in page.text
            if page.status_code != status or shown != (status == 200):
                wrong.append(f"{name} / {kind}: {page.status_code}, expected {status}")
    assert not wrong, "\n".join(wrong)


async def test_a_member_blocked_by_a_remote_author_does_not_see_their_posts(
    fed_client: httpx.AsyncClient, settings: Settings,
) -> None:
    await member(settings, "bob")
    await member(settings, "frank")
    rex = await remote("rex")
    post, _ = await store_remote_post({
        "uri": f"{rex.uri}/statuses/1", "content_html": "<p>hello from rex</p>",
        "visibility": "public", "published": clock.now()}, rex)
    assert post is not None
    await receive_block(rex, await Actor.get(username="bob"), f"{rex.uri}#blocks/1")
    path = path_of(settings, post)
    await log_in_as(fed_client, None)
    assert (await fed_client.get(path)).status_code == 404  # others' posts: members only
    await log_in_as(fed_client, "frank")
    page = await fed_client.get(path)
    assert page.status_code == 200 and "hello from rex" in page.text
    await log_in_as(fed_client, "bob")
    page = await fed_client.get(path)
    assert page.status_code == 404 and "hello from rex" not in page.text
    answer = await post_form(fed_client, f"{path}/like", {}, page="/compose")
    assert answer.status_code == 404  # nor act on them


# --- the JSON at a post's id: authorized fetch ---------------------------------------------

#: signer → JSON status for (public, unlisted, followers, direct, members-only chapter post)
FETCHES: dict[str, tuple[int, ...]] = {
    "unsigned": (200, 200, 404, 404, 404),
    "follower": (200, 200, 200, 404, 200),
    "mentioned": (200, 200, 200, 200, 404),
    "chapter member": (200, 200, 404, 404, 200),
    "same server as a follower": (200, 200, 404, 404, 404),  # strict: the signer itself
    "forged as the follower": (200, 200, 404, 404, 404),  # a key that is not theirs
    "blocked": (404, 404, 404, 404, 404),
}


@pytest.fixture
async def remote_world(database: str, settings: Settings,
                       fediverse: FakeFediverse) -> tuple[World, dict[str, Signer | None]]:
    """build_world, and remote actors of the fake fediverse: a follower of alice, another
    account on the follower's server, a mentioned actor, a member of the chapter, and rex
    (who blocked alice); each signs with its own key."""
    fol = fediverse.person("mastodon.test", "fol")
    other = fediverse.person("mastodon.test", "other")
    men = fediverse.person("social.test", "men")
    mem = fediverse.person("groups.test", "mem")
    rex = fediverse.person("mastodon.test", "rex")
    rows: dict[str, Actor] = {}
    for actor in (fol, men, mem, rex):
        rows[actor.uri] = await remote(actor.uri.rsplit("/", 1)[1], actor.host)
    world = await build_world(settings, rex=rows[rex.uri], mentions=[rows[men.uri]])
    alice = world.viewers["author"]
    assert alice is not None
    follow = await receive_follow(rows[fol.uri], alice, f"{fol.uri}#follows/1")
    assert follow is not None
    await accept_follow(follow)
    joined = await receive_follow(rows[mem.uri], world.chapter, f"{mem.uri}#follows/1")
    assert joined is not None and joined.state == "accepted"
    forged = Signer(fol.key_id, other.key)
    signers: dict[str, Signer | None] = {
        "unsigned": None, "follower": fol.signer, "mentioned": men.signer,
        "chapter member": mem.signer, "same server as a follower": other.signer,
        "forged as the follower": forged, "blocked": rex.signer}
    return world, signers


async def test_the_json_at_a_posts_id_follows_the_policy_for_signed_gets(
    fed_client: httpx.AsyncClient, settings: Settings,
    remote_world: tuple[World, dict[str, Signer | None]],
) -> None:
    world, signers = remote_world
    wrong = []
    for who, statuses in FETCHES.items():
        for kind, status in zip(KINDS, statuses, strict=True):
            post = world.posts[kind]
            answer = await get_json(fed_client, settings, path_of(settings, post), signers[who])
            if answer.status_code != status:
                wrong.append(f"{who} / {kind}: {answer.status_code}, expected {status}")
            elif status == 200:
                doc = answer.json()
                assert doc["id"] == post.uri and post.content_html in doc["content"]
                private = answer.headers["cache-control"]
                assert ("private" in private) is (kind not in ("public", "unlisted")), private
            else:
                assert answer.json() == {"error": "not found"}  # the same as no post at all
    assert not wrong, "\n".join(wrong)


async def test_a_signed_get_with_a_stale_date_or_for_another_path_is_anonymous(
    fed_client: httpx.AsyncClient, settings: Settings,
    remote_world: tuple[World, dict[str, Signer | None]],
) -> None:
    world, signers = remote_world
    follower = signers["follower"]
    assert follower is not None
    path = path_of(settings, world.posts["followers"])
    stale = {"Accept": AS_JSON}
    stale.update(sign_request("GET", settings.server.base_url + path, stale, b"", follower,
                              now=clock.now().replace(year=2020)))
    assert (await fed_client.get(path, headers=stale)).status_code == 404
    elsewhere = {"Accept": AS_JSON}
    other_path = path_of(settings, world.posts["public"])
    elsewhere.update(sign_request("GET", settings.server.base_url + other_path, elsewhere,
                                  b"", follower))
    assert (await fed_client.get(path, headers=elsewhere)).status_code == 404
    assert (await get_json(fed_client, settings, path, follower)).status_code == 200


async def test_the_outbox_lists_public_and_unlisted_posts_and_nothing_to_a_blocker(
    fed_client: httpx.AsyncClient, settings: Settings,
    remote_world: tuple[World, dict[str, Signer | None]],
) -> None:
    world, signers = remote_world
    for who in ("unsigned", "follower"):
        page = (await get_json(fed_client, settings, "/users/alice/outbox?page=1",
                               signers[who])).json()
        ids = [item["object"]["id"] for item in page["orderedItems"]]
        assert ids == [world.posts["unlisted"].uri, world.posts["public"].uri], who
    blocked = await get_json(fed_client, settings, "/users/alice/outbox", signers["blocked"])
    assert blocked.json()["totalItems"] == 0
    page = (await get_json(fed_client, settings, "/users/alice/outbox?page=1",
                           signers["blocked"])).json()
    assert page["orderedItems"] == []
