"""Actor URLs: ActivityPub JSON or the profile page by Accept, and paged collections."""

from __future__ import annotations

import httpx
import pytest

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.models import Actor, Follow
from core.settings import Settings
from federation import Actor as APActor
from federation import Collection, load_public_key_pem
from tests.support.members import new_member

AP = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'




@pytest.mark.parametrize("accept", [AP, LD, "application/ld+json", f"text/html;q=0.5, {AP}"])
async def test_a_member_is_a_person_to_activitypub_clients(
    accept: str, client: httpx.AsyncClient, settings: Settings,
) -> None:
    member = await new_member(settings, "alice")
    response = await client.get("/users/alice", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(AP)
    assert response.headers["vary"] == "Accept"
    base = settings.server.base_url
    doc = response.json()
    actor = APActor.from_ap(doc)
    assert (actor.id, actor.type, actor.preferred_username) == (f"{base}/users/alice", "Person",
                                                                "alice")
    assert actor.inbox == f"{base}/users/alice/inbox"
    assert actor.shared_inbox == f"{base}/inbox"
    assert (actor.outbox, actor.followers, actor.following, actor.featured) == tuple(
        f"{base}/users/alice/{c}" for c in ("outbox", "followers", "following", "featured"))
    assert actor.url == f"{base}/users/alice"
    assert actor.manually_approves_followers is False
    key = actor.public_key
    assert key is not None and key.id == f"{base}/users/alice#main-key" and key.owner == actor.id
    assert key.public_key_pem == member.public_key_pem
    load_public_key_pem(key.public_key_pem)
    assert "private" not in response.text.lower()


async def test_a_browser_gets_the_profile_page(client: httpx.AsyncClient,
                                               settings: Settings) -> None:
    await new_member(settings, "alice")
    response = await client.get("/users/alice", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    assert f"@alice@{settings.instance.domain}" in response.text


async def test_a_chapter_is_a_group_with_its_moderators(client: httpx.AsyncClient,
                                                        settings: Settings) -> None:
    admin = await new_member(settings, "root_admin", role="admin")
    await create_chapter("Greens Paris", "greens_paris", join_policy="approval",
                         description="Paris & around.\n\n<b>Welcome</b>")
    response = await client.get("/chapters/greens_paris", headers={"accept": AP})
    assert response.status_code == 200
    doc = response.json()
    actor = APActor.from_ap(doc)
    base = settings.server.base_url
    assert actor.type == "Group" and actor.id == f"{base}/chapters/greens_paris"
    assert actor.manually_approves_followers is True  # join policy "approval"
    # FEP-1b12 as Lemmy writes it: attributedTo names the moderators collection, which lists
    # the admins while the chapter has no coordinator of its own.
    moderators_url = f"{base}/chapters/greens_paris/moderators"
    assert doc["attributedTo"] == moderators_url
    moderators = (await client.get(moderators_url, headers={"accept": AP})).json()
    assert moderators["orderedItems"] == [f"{base}/users/{admin.username}"]
    assert doc["subChapters"] == f"{base}/chapters/greens_paris/subchapters"
    assert "parentChapter" not in doc
    assert actor.name == "Greens Paris"
    assert doc["summary"] == "<p>Paris &amp; around.</p><p>&lt;b&gt;Welcome&lt;/b&gt;</p>"
    html = await client.get("/chapters/greens_paris")
    assert html.status_code == 200 and "Greens Paris" in html.text
    assert "Coordinators approve" in html.text


async def test_the_instance_actor_is_an_application(client: httpx.AsyncClient,
                                                    settings: Settings) -> None:
    response = await client.get("/actor", headers={"accept": AP})
    assert response.status_code == 200
    actor = APActor.from_ap(response.json())
    assert actor.type == "Application" and actor.id == f"{settings.server.base_url}/actor"
    assert actor.inbox == f"{settings.server.base_url}/actor/inbox"
    assert actor.public_key is not None
    again = await client.get("/actor", headers={"accept": AP})
    assert again.json()["publicKey"] == response.json()["publicKey"]


@pytest.mark.parametrize("path", ["/users/nobody", "/chapters/nobody", "/users/greens",
                                  "/chapters/alice", "/users/nobody/followers"])
async def test_unknown_actors_are_404(path: str, client: httpx.AsyncClient,
                                      settings: Settings) -> None:
    await new_member(settings, "alice")
    await create_chapter("Greens", "greens")
    for accept in (AP, "text/html"):
        response = await client.get(path, headers={"accept": accept})
        assert response.status_code == 404


async def test_a_member_waiting_for_approval_is_not_an_actor_yet(
    client: httpx.AsyncClient, make_settings,
) -> None:
    approval = make_settings(mode="approval")
    await register_member(Registration("newbie", "n@example.org", "a long enough password", True,
                                       reason="I care"), approval.registration)
    response = await client.get("/users/newbie", headers={"accept": AP})
    assert response.status_code == 404
    assert (await client.get("/.well-known/webfinger",
                             params={"resource": "acct:newbie@127.0.0.1:8765"})).status_code == 404


async def test_followers_are_an_ordered_collection_with_pages(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    alice = await new_member(settings, "alice")
    for n in range(25):
        remote = await Actor.create(kind="Person", username=f"r{n}", domain="remote.test",
                                    acct_key=f"r{n}@remote.test",
                                    uri=f"https://remote.test/users/r{n}")
        await Follow.create(follower=remote, followed=alice, state="accepted",
                            uri=f"https://remote.test/follows/{n}")
    pending = await Actor.create(kind="Person", username="p", domain="remote.test",
                                 acct_key="p@remote.test", uri="https://remote.test/users/p")
    await Follow.create(follower=pending, followed=alice, state="pending")
    base = f"{settings.server.base_url}/users/alice/followers"
    top = Collection.from_ap((await client.get("/users/alice/followers")).json())
    assert (top.type, top.total_items, top.first) == ("OrderedCollection", 25, f"{base}?page=1")
    page1 = Collection.from_ap((await client.get("/users/alice/followers?page=1")).json())
    assert page1.type == "OrderedCollectionPage" and page1.part_of == base
    assert len(page1.items) == 20 and page1.next == f"{base}?page=2" and page1.prev is None
    assert page1.items[0] == "https://remote.test/users/r24"  # newest first
    page2 = Collection.from_ap((await client.get("/users/alice/followers?page=2")).json())
    assert len(page2.items) == 5 and page2.next is None and page2.prev == f"{base}?page=1"
    assert "https://remote.test/users/p" not in page1.items + page2.items
    assert (await client.get("/users/alice/followers?page=0")).status_code == 400
    assert (await client.get("/users/alice/followers?page=x")).status_code == 400


@pytest.mark.parametrize("name", ["following", "outbox", "featured", "subchapters"])  # none yet
async def test_other_collections_exist_and_start_empty(
    name: str, client: httpx.AsyncClient, settings: Settings,
) -> None:
    await create_chapter("Greens", "greens")
    doc = (await client.get(f"/chapters/greens/{name}")).json()
    assert doc["type"] == "OrderedCollection" and doc["totalItems"] == 0
    page = (await client.get(f"/chapters/greens/{name}?page=1")).json()
    assert page["type"] == "OrderedCollectionPage" and page["orderedItems"] == []


async def test_a_private_member_list_shows_only_its_count(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    chapter = await create_chapter("Quiet", "quiet")
    chapter.members_visible = False
    await chapter.save()
    doc = (await client.get("/chapters/quiet/followers?page=1")).json()
    assert doc["type"] == "OrderedCollection" and "first" not in doc and "orderedItems" not in doc
