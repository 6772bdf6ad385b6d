"""Chapter pages through the real app: the directory tree, a chapter's page (parent,
sub-chapters, coordinators, members local and remote, join/leave by policy, posts), creating
chapters, settings, coordinators, appointments and the coordinators' queue — with the 403s
and the CSRF check of every form."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx

from actors.chapters import create_chapter, set_coordinator
from actors.follows import receive_follow
from actors.models import Chapter, Follow, SubChapter
from actors.roles import is_coordinator
from content.models import Notification, Post
from core.settings import Settings
from tests.actors.test_chapters import group, published, remote
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, registry
from tests.support.forms import post_form
from tests.support.members import log_in

__all__ = ["fed_client", "fediverse", "registry"]  # fixtures of the fake fediverse

PASSWORD = "a long enough password"
AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]
HOST = "127.0.0.1:8765"  # the test instance's domain



def text_of(html: str) -> str:
    """The page's text with tags and runs of spaces collapsed, for phrases across tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_directory_is_a_tree_with_counts_policies_and_remote_links(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    far_parent = await remote("greens_world", "world.test", kind="Group")
    intl = await create_chapter("International", "intl", parent=far_parent)
    france = await create_chapter("France", "france", parent=await group(intl),
                                  join_policy="approval")
    await create_chapter("Lyon", "lyon", parent=await group(france), join_policy="closed")
    far_child = await remote("marseille", "marseille.test", kind="Group")
    await SubChapter.create(parent=france, child=far_child)
    await receive_follow(await remote("bob"), await group(intl), "https://mastodon.test/f/1")

    page = await client.get("/chapters")
    assert page.status_code == 200
    html = page.text
    # nested lists: Lyon and the remote Marseille inside France, inside International
    intl_at, france_at, lyon_at = (html.index(f'href="/chapters/{s}"')
                                   for s in ("intl", "france", "lyon"))
    assert intl_at < france_at < lyon_at < html.index("https://marseille.test/c/marseille")
    assert html.count("<ul") >= 3
    words = text_of(html)
    assert f"@intl@{HOST} · 1 member · Anyone may join" in words
    assert "0 members · Coordinators approve each request" in words
    assert "Members are appointed" in words
    assert "@marseille@marseille.test · on another server" in words
    assert f'href="{far_parent.uri}"' in html and "(@greens_world@world.test)" in words
    assert "New chapter" not in html

    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    assert 'href="/chapters/new"' in (await admin.get("/chapters")).text


async def test_creating_chapters_needs_an_admin_or_a_coordinator_and_csrf(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    assert (await client.get("/chapters/new")).headers["location"] == "/login"
    ana = await log_in(client, settings, "ana")
    assert (await client.get("/chapters/new")).status_code == 403

    admin = await app_for(settings)
    root = await log_in(admin, settings, "root", role="admin")
    form = await admin.get("/chapters/new")
    assert form.status_code == 200 and '<label for="f-name">Name</label>' in form.text
    forged = await admin.post("/chapters/new", data={"name": "X", "slug": "x"})
    assert forged.status_code == 403 and await Chapter.all().count() == 0

    bad = await post_form(admin, "/chapters/new", {"name": "", "slug": "Not ok",
                                                   "join_policy": "open"}, page="/chapters/new")
    assert bad.status_code == 422
    assert '<p class="error" id="e-name" role="alert">Give the chapter a name.' in bad.text
    assert 'id="e-slug"' in bad.text and await Chapter.all().count() == 0

    made = await post_form(admin, "/chapters/new", {
        "name": "France", "slug": "france", "description": "National branch",
        "join_policy": "approval", "members_visible": "on"}, page="/chapters/new")
    assert made.status_code == 303 and made.headers["location"] == "/chapters/france"
    france = await Chapter.get(slug="france")
    assert france.join_policy == "approval" and france.members_visible
    assert not await is_coordinator(root, await group(france))  # box left unticked

    # a coordinator of France may create chapters under it, and only there
    await set_coordinator(await group(france), root, True)
    await Follow.create(follower=ana, followed=await group(france), state="accepted")
    await set_coordinator(await group(france), ana, True)
    assert (await client.get("/chapters/new")).status_code == 200
    top = await post_form(client, "/chapters/new", {"name": "Mine", "slug": "mine",
                                                    "join_policy": "open"},
                          page="/chapters/new")
    assert top.status_code == 422 and "Choose the chapter the new one belongs to." in top.text
    lyon = await post_form(client, "/chapters/new", {
        "name": "Lyon", "slug": "lyon", "parent": "france", "join_policy": "open"},
        page="/chapters/new?parent=france")
    assert lyon.status_code == 303
    created = await Chapter.get(slug="lyon")
    assert created.parent_id == france.id and created.members_visible is False  # type: ignore[attr-defined]
    assert await is_coordinator(ana, await group(created))  # the creator coordinates it
    assert "Lyon" in (await client.get("/chapters/france")).text  # listed as a sub-chapter


async def test_an_admin_names_a_parent_on_another_server(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, settings: Settings,
) -> None:
    await log_in(fed_client, settings, "root", role="admin")
    national = fediverse.person("national.test", "greens_fr",
                                uri="https://national.test/c/greens_fr")
    national.doc["type"] = "Group"
    national.doc["name"] = "Greens France"
    fediverse.publish(national)
    person = fediverse.person("national.test", "someone")
    wrong = await post_form(fed_client, "/chapters/new", {
        "name": "Lyon", "slug": "lyon", "parent_remote": person.uri, "join_policy": "open"},
        page="/chapters/new")
    assert wrong.status_code == 422 and "That is not a chapter (a group)." in wrong.text
    made = await post_form(fed_client, "/chapters/new", {
        "name": "Lyon", "slug": "lyon", "parent_remote": national.uri, "join_policy": "open"},
        page="/chapters/new")
    assert made.status_code == 303
    lyon = await Chapter.get(slug="lyon")
    assert lyon.parent_uri == national.uri and lyon.parent_id is None  # type: ignore[attr-defined]
    [add] = await published("add_subchapter")
    assert add["chapter_id"] == lyon.actor_id  # type: ignore[attr-defined]
    page = (await fed_client.get("/chapters/lyon")).text
    assert f'Part of <a href="{national.uri}">Greens France</a>' in page
    assert "@greens_fr@national.test, on another server" in page


async def test_the_chapter_page_shows_the_tree_coordinators_and_members(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    intl = await create_chapter("International", "intl")
    france = await create_chapter("France", "france", parent=await group(intl),
                                  description="The <national> branch")
    await create_chapter("Lyon", "lyon", parent=await group(france))
    chapter = await group(france)
    coord = await log_in(client, settings, "coord")
    await Follow.create(follower=coord, followed=chapter, state="accepted")
    await set_coordinator(chapter, coord, True)
    bob = await remote("bob")
    await receive_follow(bob, chapter, "https://mastodon.test/f/1")

    page = await client.get("/chapters/france", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["vary"] == "Accept"
    html, words = page.text, text_of(page.text)
    assert "The &lt;national&gt; branch" in html
    assert 'Part of <a href="http://127.0.0.1:8765/chapters/intl">International</a>' in html
    assert 'href="http://127.0.0.1:8765/chapters/lyon">Lyon</a>' in html
    coordinators = html[html.index('id="coord-h"'):html.index('id="members-h"')]
    assert f"@coord@{HOST}" in coordinators and "bob" not in coordinators
    members = html[html.index('id="members-h"'):html.index('id="posts-h"')]
    assert "@bob@mastodon.test" in members and f"@coord@{HOST}" in members  # remote: first-class
    assert 'href="https://mastodon.test/users/bob"' in members
    assert "2 members" in words and "Anyone may join" in words
    assert "You are a member" in words and ">Leave</button>" in html
    assert 'href="/chapters/france/settings"' in html


async def test_member_lists_are_paged_and_private_lists_only_for_coordinators(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    france = await create_chapter("France", "france")
    chapter = await group(france)
    for n in range(21):
        await receive_follow(await remote(f"m{n:02d}"), chapter, f"https://mastodon.test/f/{n}")
    first = (await client.get("/chapters/france")).text
    assert "@m20@mastodon.test" in first and "@m00@mastodon.test" not in first
    assert 'href="?members=2"' in first
    second = (await client.get("/chapters/france?members=2")).text
    assert "@m00@mastodon.test" in second and "@m20@mastodon.test" not in second

    france.members_visible = False
    await france.save()
    hidden = (await client.get("/chapters/france")).text
    assert "keeps its member list private" in hidden and "@m20@mastodon.test" not in hidden
    assert "21 members" in text_of(hidden)
    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    shown = (await admin.get("/chapters/france")).text
    assert "Only coordinators see this list." in shown and "@m20@mastodon.test" in shown


async def test_joining_by_policy_from_the_chapter_page(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    await create_chapter("Lyon", "lyon")
    paris = await create_chapter("Paris", "paris", join_policy="approval")
    await create_chapter("Board", "board", join_policy="closed")
    root_client = await app_for(settings)
    root = await log_in(root_client, settings, "root", role="admin")
    anonymous = (await (await app_for(settings)).get("/chapters/lyon")).text
    assert 'href="/login">Log in</a> to join' in anonymous
    ana = await log_in(client, settings, "ana")

    lyon = (await client.get("/chapters/lyon")).text
    assert ">Join</button>" in lyon and f'value="@lyon@{HOST}"' in lyon
    joined = await post_form(client, "/follow", {"handle": f"@lyon@{HOST}",
                                                 "next": "/chapters/lyon"}, page="/chapters/lyon")
    assert joined.status_code == 303 and joined.headers["location"] == "/chapters/lyon"
    assert "You are a member" in (await client.get("/chapters/lyon")).text
    left = await post_form(client, "/unfollow", {"actor": str((await Chapter.get(
        slug="lyon")).actor_id), "next": "/chapters/lyon"}, page="/chapters/lyon")  # type: ignore[attr-defined]
    assert left.status_code == 303 and await Follow.all().count() == 0

    page = (await client.get("/chapters/paris")).text
    assert "Coordinators approve each request" in page and ">Ask to join</button>" in page
    await post_form(client, "/follow", {"handle": f"@paris@{HOST}", "next": "/chapters/paris"},
                    page="/chapters/paris")
    assert "Request pending" in (await client.get("/chapters/paris")).text
    # nobody coordinates Paris yet: the admins hear of the request
    [note] = await Notification.filter(recipient_id=root.id)
    assert note.kind == "join_request" and note.actor_id == ana.id  # type: ignore[attr-defined]
    assert "1 request to join" in (await root_client.get("/chapters/paris")).text
    assert paris.join_policy == "approval"

    board = (await client.get("/chapters/board")).text
    assert "Members are appointed" in board and "Join</button>" not in board


async def test_members_post_in_the_chapter_and_posts_are_listed(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    lyon = await group(await create_chapter("Lyon", "lyon"))
    outsider = await app_for(settings)
    await log_in(outsider, settings, "eve")
    assert 'name="chapter"' not in (await outsider.get("/chapters/lyon")).text
    ana = await log_in(client, settings, "ana")
    await Follow.create(follower=ana, followed=lyon, state="accepted")
    page = (await client.get("/chapters/lyon")).text
    assert f'name="chapter" value="{lyon.id}"' in page
    answer = await post_form(client, "/posts", {"text": "Meeting *tonight*",
                                                "visibility": "public", "chapter": str(lyon.id)},
                             page="/chapters/lyon")
    assert answer.status_code == 303, answer.text
    post = await Post.get()
    assert post.chapter_id == lyon.id  # type: ignore[attr-defined]
    shown = (await outsider.get("/chapters/lyon")).text
    assert "<em>tonight</em>" in shown and f'href="/posts/{post.id}"' in shown
    assert "Nothing posted in this chapter yet." in (await client.get("/chapters/lyon?page=2")).text


async def test_settings_are_for_coordinators_and_admins(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    intl = await create_chapter("International", "intl")
    await create_chapter("Lyon", "lyon", parent=await group(intl))
    assert (await client.get("/chapters/lyon/settings")).headers["location"] == "/login"
    ana = await log_in(client, settings, "ana")
    assert (await client.get("/chapters/lyon/settings")).status_code == 403
    assert (await client.get("/chapters/nowhere/settings")).status_code == 404
    token_page = "/chapters"
    refused = await post_form(client, "/chapters/lyon/settings", {"name": "Mine"},
                              page=token_page)
    assert refused.status_code == 403 and (await Chapter.get(slug="lyon")).name == "Lyon"

    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    form = await admin.get("/chapters/lyon/settings")
    assert form.status_code == 200 and 'value="Lyon"' in form.text
    assert '<option value="intl" selected>' in form.text
    forged = await admin.post("/chapters/lyon/settings", data={"name": "Forged"})
    assert forged.status_code == 403
    loop = await post_form(admin, "/chapters/intl/settings", {
        "name": "International", "parent": "lyon", "join_policy": "open"},
        page="/chapters/intl/settings")
    assert loop.status_code == 422 and "that would be a loop" in loop.text
    saved = await post_form(admin, "/chapters/lyon/settings", {
        "name": "Greens Lyon", "description": "City", "parent": "intl",
        "join_policy": "closed"}, page="/chapters/lyon/settings")
    assert saved.status_code == 303
    lyon = await Chapter.get(slug="lyon")
    assert (lyon.name, lyon.join_policy, lyon.members_visible) == ("Greens Lyon", "closed",
                                                                   False)
    assert [p["actor_id"] for p in await published("update_actor")] == [lyon.actor_id]  # type: ignore[attr-defined]
    assert ana is not None


async def test_coordinators_are_added_by_handle_among_members_and_removed(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    lyon = await group(await create_chapter("Lyon", "lyon"))
    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    ana = await log_in(client, settings, "ana")
    bob = await remote("bob")
    await receive_follow(bob, lyon, "https://mastodon.test/f/1")
    page = "/chapters/lyon/settings"

    outsider = await post_form(admin, "/chapters/lyon/coordinators",
                               {"action": "add", "handle": f"@ana@{HOST}"}, page=page)
    assert outsider.status_code == 422
    assert "Only members of the chapter can coordinate it." in outsider.text
    unknown = await post_form(admin, "/chapters/lyon/coordinators",
                              {"action": "add", "handle": "@nobody@nowhere.test"}, page=page)
    assert unknown.status_code == 422 and 'id="e-coordinator"' in unknown.text
    added = await post_form(admin, "/chapters/lyon/coordinators",
                            {"action": "add", "handle": "@bob@mastodon.test"}, page=page)
    assert added.status_code == 303 and await is_coordinator(bob, lyon)
    [add] = await published("add_moderator")
    assert (add["group_id"], add["actor_id"]) == (lyon.id, bob.id)
    assert "@bob@mastodon.test" in (await admin.get(page)).text
    assert (await client.post("/chapters/lyon/coordinators",
                              data={"action": "remove", "actor": str(bob.id)})).status_code == 403
    removed = await post_form(admin, "/chapters/lyon/coordinators",
                              {"action": "remove", "actor": str(bob.id)}, page=page)
    assert removed.status_code == 303 and not await is_coordinator(bob, lyon)
    assert [p["actor_id"] for p in await published("remove_moderator")] == [bob.id]
    # a member who is not a coordinator cannot change coordinators
    await Follow.create(follower=ana, followed=lyon, state="accepted")
    sneaky = await post_form(client, "/chapters/lyon/coordinators",
                             {"action": "add", "handle": f"@ana@{HOST}"}, page="/chapters")
    assert sneaky.status_code == 403 and not await is_coordinator(ana, lyon)


async def test_members_are_appointed_to_a_closed_chapter(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    board = await group(await create_chapter("Board", "board", join_policy="closed"))
    coord_client = await app_for(settings)
    coord = await log_in(coord_client, settings, "coord")
    await Follow.create(follower=coord, followed=board, state="accepted")
    await set_coordinator(board, coord, True)
    ana = await log_in(client, settings, "ana")
    page = "/chapters/board/settings"
    assert "Members of this chapter are appointed" in (await coord_client.get(page)).text
    refused = await post_form(client, "/chapters/board/appoint", {"handle": "@ana"},
                              page="/chapters")
    assert refused.status_code == 403
    far = await post_form(coord_client, "/chapters/board/appoint",
                          {"handle": "@bob@mastodon.test"}, page=page)
    assert far.status_code == 422 and 'id="e-appoint"' in far.text
    done = await post_form(coord_client, "/chapters/board/appoint", {"handle": "@ana"},
                           page=page)
    assert done.status_code == 303 and done.headers["location"] == f"{page}?appointed=1"
    assert (await Follow.get(follower_id=ana.id, followed_id=board.id)).state == "accepted"
    assert await Notification.filter(recipient_id=ana.id, kind="join_accepted").count() == 1
    assert "You are a member" in (await client.get("/chapters/board")).text


async def test_the_queue_shows_the_chapters_a_coordinator_coordinates(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    paris = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    nice = await group(await create_chapter("Nice", "nice", join_policy="approval"))
    coord = await log_in(client, settings, "coord")
    await Follow.create(follower=coord, followed=paris, state="accepted")
    await set_coordinator(paris, coord, True)
    bob, carl = await remote("bob"), await remote("carl")
    to_paris = await receive_follow(bob, paris, "https://mastodon.test/f/1")
    to_nice = await receive_follow(carl, nice, "https://mastodon.test/f/2")
    assert to_paris is not None and to_nice is not None
    queue = (await client.get("/follow-requests")).text
    assert "@bob@mastodon.test" in queue and "@carl@mastodon.test" not in queue

    refused = await post_form(client, f"/follow-requests/{to_nice.id}", {"decision": "accept"},
                              page="/follow-requests")
    assert refused.status_code == 403
    assert (await Follow.get(id=to_nice.id)).state == "pending"
    forged = await client.post(f"/follow-requests/{to_paris.id}", data={"decision": "accept"})
    assert forged.status_code == 403
    accepted = await post_form(client, f"/follow-requests/{to_paris.id}",
                               {"decision": "accept"}, page="/follow-requests")
    assert accepted.status_code == 303
    assert (await Follow.get(id=to_paris.id)).state == "accepted"
    assert [p["follower_id"] for p in await published("accept_follow")] == [bob.id]

    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    assert "@carl@mastodon.test" in (await admin.get("/follow-requests")).text
    rejected = await post_form(admin, f"/follow-requests/{to_nice.id}", {"decision": "reject"},
                               page="/follow-requests")
    assert rejected.status_code == 303 and not await Follow.filter(id=to_nice.id).exists()
    assert [p["follower_id"] for p in await published("reject_follow")] == [carl.id]
