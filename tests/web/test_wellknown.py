"""WebFinger, NodeInfo and host-meta as other servers read them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.campaign import save_campaign
from actors.chapters import create_chapter
from actors.models import Account, Actor
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post, delete_post
from core import clock
from core.ids import new_id
from core.settings import Settings
from federation import parse_host_meta_xml, parse_nodeinfo


async def _setup(settings: Settings) -> None:
    await register_member(Registration("alice", "alice@example.org", "a long enough password",
                                       True), settings.registration)
    await create_chapter("Greens", "greens")


@pytest.mark.parametrize(("resource", "path"), [
    ("acct:alice@127.0.0.1:8765", "/users/alice"),
    ("acct:alice@127.0.0.1", "/users/alice"),
    ("alice@127.0.0.1:8765", "/users/alice"),
    ("acct:ALICE@127.0.0.1:8765", "/users/alice"),
    ("acct:greens@127.0.0.1:8765", "/chapters/greens"),
    ("acct:actor@127.0.0.1:8765", "/actor"),
    ("http://127.0.0.1:8765/users/alice", "/users/alice"),
    ("http://127.0.0.1:8765/chapters/greens", "/chapters/greens"),
])
async def test_webfinger_finds_members_chapters_and_the_instance_actor(
    resource: str, path: str, client: httpx.AsyncClient, settings: Settings,
) -> None:
    await _setup(settings)
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jrd+json")
    assert response.headers["access-control-allow-origin"] == "*"
    jrd = response.json()
    username = path.rsplit("/", 1)[-1]
    assert jrd["subject"] == f"acct:{username}@{settings.instance.domain}"
    [self_link] = [link for link in jrd["links"] if link["rel"] == "self"]
    assert self_link == {"rel": "self", "type": "application/activity+json",
                         "href": settings.server.base_url + path}


@pytest.mark.parametrize(("resource", "status"), [
    ("acct:nobody@127.0.0.1:8765", 404),
    ("acct:alice@elsewhere.example", 404),
    ("acct:alice@127.0.0.1:9999", 404),
    ("https://elsewhere.example/users/alice", 404),
    ("http://127.0.0.1:8765/users/nobody", 404),
    ("", 400),
    ("acct:", 400),
    ("acct:alice", 400),
    ("acct:al ice@127.0.0.1:8765", 400),
    ("mailto:alice@127.0.0.1", 400),
])
async def test_webfinger_refuses_what_it_cannot_answer(
    resource: str, status: int, client: httpx.AsyncClient, settings: Settings,
) -> None:
    await _setup(settings)
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"


async def test_nodeinfo_is_discoverable_and_counts_members(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    await _setup(settings)
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    hrefs = {link["rel"].rsplit("/", 1)[-1]: link["href"] for link in links}
    base = settings.server.base_url
    assert hrefs == {"2.0": f"{base}/nodeinfo/2.0", "2.1": f"{base}/nodeinfo/2.1"}
    for version in ("2.0", "2.1"):
        response = await client.get(f"/nodeinfo/{version}")
        assert response.status_code == 200
        assert f"schema/{version}#" in response.headers["content-type"]
        info = parse_nodeinfo(response.json())
        assert info.version == version
        assert info.software_name == "chapterhouse"
        assert info.protocols == ("activitypub",)
        assert info.users_total == 1
        assert info.open_registrations is True
        assert info.metadata["nodeName"] == settings.instance.name
    assert (await client.get("/nodeinfo/1.0")).status_code == 404


async def test_nodeinfo_says_when_registrations_are_not_open(make_settings, app_for) -> None:
    client = await app_for(make_settings(mode="invite"))
    info = parse_nodeinfo((await client.get("/nodeinfo/2.1")).json())
    assert info.open_registrations is False


async def test_host_meta_points_to_webfinger_in_xml_and_json(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    template = f"{settings.server.base_url}/.well-known/webfinger?resource={{uri}}"
    xrd = await client.get("/.well-known/host-meta")
    assert xrd.headers["content-type"].startswith("application/xrd+xml")
    assert parse_host_meta_xml(xrd.content) == template
    for response in (await client.get("/.well-known/host-meta.json"),
                     await client.get("/.well-known/host-meta",
                                      headers={"accept": "application/json"})):
        assert response.json()["links"][0]["template"] == template


async def test_nodeinfo_usage_counts_members_active_ones_and_local_posts(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    now = clock.now()
    names = ("month", "halfyear", "gone", "poster", "waiting")
    for name in names:
        await register_member(Registration(name, f"{name}@example.org",
                                           "a long enough password", True),
                              settings.registration)
    logins = {"month": 29, "halfyear": 150, "gone": 200, "poster": 365, "waiting": 1}
    for name, days in logins.items():
        await Account.filter(actor__username=name).update(
            last_login_at=now - timedelta(days=days), approved=name != "waiting")
    urls = LocalUrls(settings.server.base_url)
    poster = await Actor.get(username="poster")
    await create_post(urls, poster, "Hello")
    await delete_post(poster, await create_post(urls, poster, "Oops"))
    remote = await Actor.create(kind="Person", username="zoe", domain="remote.test",
                                acct_key=Actor.key_for("zoe", "remote.test"),
                                uri="https://remote.test/users/zoe")
    ident = new_id()
    await Post.create(id=ident, uri=f"https://remote.test/notes/{ident}", author=remote,
                      published=now)
    await save_campaign("members", 500, None, None)

    for version in ("2.0", "2.1"):
        doc = (await client.get(f"/nodeinfo/{version}")).json()
        info = parse_nodeinfo(doc)
        assert (info.users_total, info.users_active_month, info.users_active_halfyear,
                info.local_posts) == (4, 2, 3, 1)
        assert doc["metadata"]["campaign"] == {
            "label": "members", "goal": 500, "members": 4, "startsOn": None, "endsOn": None,
            "url": f"{settings.server.base_url}/campaign.json"}
