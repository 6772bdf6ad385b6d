"""Add / Remove on groups' collections: our chapters' moderators, featured posts and
sub-chapters (checked against our roles and the sub-chapter's own document), a remote group's
own collections, Update of a remote group, and answers to our members' requests to join."""

from __future__ import annotations

import httpx

from actors.chapters import set_coordinator
from actors.follows import follow_actor
from actors.models import Chapter, ChapterRole, Follow, SubChapter
from actors.roles import is_coordinator
from actors.urls import LocalUrls
from content.models import Notification, Pin, Post
from content.posts import create_post
from core.settings import Settings
from tests.inbox.content_support import create_of, note, send
from tests.inbox.fediverse import FakeFediverse, Local
from tests.inbox.group_support import Drain, change, join, known, outcome, remote_group


async def test_a_coordinator_elsewhere_adds_a_moderator_and_the_chapter_tells_its_members(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    moderators = f"{base}/chapters/greens_lyon/moderators"
    bob_ = fediverse.person("mastodon.test", "bob")
    carol_ = fediverse.person("pleroma.test", "carol")
    bob = await join(fed_client, settings, bob_, "greens_lyon", drain_jobs)
    carol = await join(fed_client, settings, carol_, "greens_lyon", drain_jobs)
    await set_coordinator(local.chapter, bob, True)
    await drain_jobs()
    fediverse.requests.clear()

    # carol, a member but no coordinator, tries to make herself one: nothing changes.
    forged = change("Add", carol_, carol_.uri, moderators, n=1)
    assert await send(fed_client, settings, forged, carol_) == 202
    await drain_jobs()
    assert not await is_coordinator(carol, local.chapter)
    assert await outcome(forged["id"]) == (
        "ignored", "only a coordinator of the chapter may change its moderators")
    assert fediverse.posts() == []

    add = change("Add", bob_, carol_.uri, moderators, n=2)
    assert await send(fed_client, settings, add, bob_) == 202
    await drain_jobs()
    assert await is_coordinator(carol, local.chapter)
    [announced] = fediverse.posts("https://pleroma.test/inbox")
    assert announced["type"] == "Add" and announced["object"] == carol_.uri
    assert announced["actor"] == f"{base}/chapters/greens_lyon"

    remove = change("Remove", carol_, bob_.uri, moderators, n=3)  # a coordinator now
    assert await send(fed_client, settings, remove, carol_) == 202
    await drain_jobs()
    assert not await is_coordinator(bob, local.chapter)


async def test_only_a_coordinator_features_a_post_in_our_chapter(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    featured = f"{base}/chapters/greens_lyon/featured"
    post = await create_post(LocalUrls(base), local.member, "Read this first")
    bob_, dave_ = fediverse.person("mastodon.test", "bob"), fediverse.person("misskey.test", "dave")
    bob = await join(fed_client, settings, bob_, "greens_lyon", drain_jobs)
    await join(fed_client, settings, dave_, "greens_lyon", drain_jobs)
    await set_coordinator(local.chapter, bob, True)
    await drain_jobs()

    hostile = change("Add", dave_, post.uri, featured, n=1)
    assert await send(fed_client, settings, hostile, dave_) == 202
    await drain_jobs()
    assert not await Pin.exists()
    fediverse.requests.clear()

    add = change("Add", bob_, post.uri, featured, n=2)
    assert await send(fed_client, settings, add, bob_) == 202
    await drain_jobs()
    assert await Pin.filter(actor_id=local.chapter.id, post_id=post.id).exists()
    [announced] = fediverse.posts("https://misskey.test/inbox")
    assert (announced["type"], announced["target"]) == ("Add", featured)
    doc = (await fed_client.get(featured, headers={"accept": "application/activity+json"})).json()
    assert [item["id"] for item in doc["orderedItems"]] == [post.uri]


async def test_a_group_elsewhere_becomes_a_sub_chapter_only_if_its_document_says_so(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    ours = f"{base}/chapters/greens_paris"
    target = f"{ours}/subchapters"
    liar = remote_group(fediverse, "liar.test", "paris_nord", path="chapters")
    honest = remote_group(fediverse, "honest.test", "paris_sud", path="chapters",
                          parentChapter=ours)
    parent = await Chapter.get(actor_id=local.approval_chapter.id)

    claim = change("Add", liar, liar.uri, target)
    assert await send(fed_client, settings, claim, liar) == 202
    await drain_jobs()
    assert await outcome(claim["id"]) == (
        "ignored", "the group's document does not name this chapter as parentChapter")
    # Adding someone else is refused outright.
    other = change("Add", liar, honest.uri, target, n=2)
    assert await send(fed_client, settings, other, liar) == 202
    await drain_jobs()
    assert not await SubChapter.exists()

    add = change("Add", honest, honest.uri, target)
    assert await send(fed_client, settings, add, honest) == 202
    await drain_jobs()
    [link] = await SubChapter.filter(parent_id=parent.id).prefetch_related("child")
    assert link.child.uri == honest.uri
    assert honest.uri in fediverse.gets()  # fetched afresh, not taken from the request
    doc = (await fed_client.get(target, headers={"accept": "application/activity+json"})).json()
    assert doc["orderedItems"] == [honest.uri]

    remove = change("Remove", honest, honest.uri, target, n=2)
    assert await send(fed_client, settings, remove, honest) == 202
    await drain_jobs()
    assert not await SubChapter.exists()


async def test_a_remote_group_records_its_own_moderators_and_featured_posts(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    mod_ = fediverse.person("lemmy.test", "alpha", uri="https://lemmy.test/u/alpha")
    mallory_ = fediverse.person("lemmy.test", "mallory", uri="https://lemmy.test/u/mallory")
    group = await known(settings, fediverse, group_.uri)
    mod = await known(settings, fediverse, mod_.uri)
    moderators = f"{group_.uri}/moderators"

    add = change("Add", group_, mod_.uri, moderators, cc=[group_.uri])
    assert await send(fed_client, settings, add, group_) == 202
    await drain_jobs()
    assert await is_coordinator(mod, group)

    # A moderator's own Add is believed; a stranger's is not.
    stranger = change("Add", mallory_, mallory_.uri, moderators, audience=group_.uri)
    assert await send(fed_client, settings, stranger, mallory_) == 202
    # A collection on another host is never the group's own.
    evil_ = fediverse.person("evil.test", "eve")
    elsewhere = change("Add", group_, evil_.uri, "https://evil.test/c/main/moderators", n=2)
    assert await send(fed_client, settings, elsewhere, group_) == 202
    # Nor another collection of the same host.
    sideways = change("Add", group_, mallory_.uri, "https://lemmy.test/c/other/moderators", n=3)
    assert await send(fed_client, settings, sideways, group_) == 202
    await drain_jobs()
    assert await ChapterRole.filter(group_id=group.id).count() == 1
    assert await outcome(elsewhere["id"]) == (
        "ignored", "the target collection is not on the group's own origin")
    assert (await outcome(stranger["id"]))[0] == "ignored"

    obj = note(mod_, 1, to=["https://www.w3.org/ns/activitystreams#Public", group_.uri])
    assert await send(fed_client, settings, create_of(obj, mod_.uri), mod_) == 202
    await drain_jobs()  # the post first: a featured post we do not have is not recorded
    pin = change("Add", mod_, obj["id"], f"{group_.uri}/featured", n=4, audience=group_.uri)
    assert await send(fed_client, settings, pin, mod_) == 202
    await drain_jobs()
    post = await Post.get(uri=obj["id"])
    assert await Pin.filter(actor_id=group.id, post_id=post.id).exists()
    fediverse.requests.clear()
    unpin = change("Remove", group_, obj["id"], f"{group_.uri}/featured", n=5)
    assert await send(fed_client, settings, unpin, group_) == 202
    await drain_jobs()
    assert not await Pin.exists()
    assert fediverse.posts() == []  # a remote group's pins are only recorded here


async def test_an_update_of_a_remote_group_refreshes_it_from_its_origin(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    group_ = remote_group(fediverse, "lemmy.test", "main")
    await known(settings, fediverse, group_.uri)
    group_.doc["name"] = "The Main Square"
    fediverse.publish(group_)
    forged = dict(group_.doc, name="Claimed in the Update only")
    update = {"id": f"{group_.uri}/activities/update/1", "type": "Update",
              "actor": group_.uri, "object": forged}
    assert await send(fed_client, settings, update, group_) == 202
    await drain_jobs()
    group = await known(settings, fediverse, group_.uri)
    assert group.display_name == "The Main Square"


async def test_our_member_is_told_when_a_remote_group_answers_the_request_to_join(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    accepting_ = remote_group(fediverse, "lemmy.test", "main")
    refusing_ = remote_group(fediverse, "closed.test", "board")
    accepting = await known(settings, fediverse, accepting_.uri)
    refusing = await known(settings, fediverse, refusing_.uri)
    joins = [await follow_actor(urls, local.member, g) for g in (accepting, refusing)]
    await drain_jobs()
    for n, (group_, follow, verb) in enumerate(
            [(accepting_, joins[0], "Accept"), (refusing_, joins[1], "Reject")]):
        answer = {"id": f"{group_.uri}/activities/{verb.lower()}/{n}", "type": verb,
                  "actor": group_.uri,
                  "object": {"id": follow.uri, "type": "Follow",
                             "actor": urls.actor(local.member), "object": group_.uri}}
        assert await send(fed_client, settings, answer, group_) == 202
    # The same Accept again (Lemmy retries) does not notify twice.
    again = {"id": f"{accepting_.uri}/activities/accept/9", "type": "Accept",
             "actor": accepting_.uri, "object": joins[0].uri}
    assert await send(fed_client, settings, again, accepting_) == 202
    await drain_jobs()
    kinds = {(n.kind, n.actor_id) for n in await Notification.filter(  # type: ignore[attr-defined]
        recipient_id=local.member.id)}
    assert kinds == {("join_accepted", accepting.id), ("join_rejected", refusing.id)}
    assert (await Follow.get(id=joins[0].id)).state == "accepted"
    assert not await Follow.filter(id=joins[1].id).exists()


async def test_a_request_from_elsewhere_to_join_an_approval_chapter_reaches_its_coordinator(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    base = settings.server.base_url
    await follow_actor(LocalUrls(base), local.member, local.approval_chapter)
    await Follow.filter(follower_id=local.member.id).update(state="accepted")
    await set_coordinator(local.approval_chapter, local.member, True)
    bob_ = fediverse.person("mastodon.test", "bob")
    await join(fed_client, settings, bob_, "greens_paris", drain_jobs)
    [told] = await Notification.filter(recipient_id=local.member.id, kind="join_request")
    assert told.actor_id == (await known(settings, fediverse, bob_.uri)).id  # type: ignore[attr-defined]
    # Mastodon sends the Follow again when it lost track: the coordinator is told once.
    again = {"id": f"{bob_.uri}#join-again", "type": "Follow", "actor": bob_.uri,
             "object": f"{base}/chapters/greens_paris"}
    assert await send(fed_client, settings, again, bob_) == 202
    await drain_jobs()
    assert await Notification.filter(recipient_id=local.member.id).count() == 1
    # Joining an open chapter needs no one's decision: nobody is disturbed.
    await follow_actor(LocalUrls(base), local.member, local.chapter)  # open: accepted
    await set_coordinator(local.chapter, local.member, True)
    await join(fed_client, settings, fediverse.person("mastodon.test", "cid"), "greens_lyon",
               drain_jobs)
    assert await Notification.filter(recipient_id=local.member.id).count() == 1


async def test_a_coordinator_elsewhere_who_leaves_the_chapter_is_coordinator_no_more(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    bob_ = fediverse.person("mastodon.test", "bob")
    bob = await join(fed_client, settings, bob_, "greens_lyon", drain_jobs)
    await set_coordinator(local.chapter, bob, True)
    await drain_jobs()
    fediverse.requests.clear()
    undo = {"id": f"{bob_.uri}#undo-join", "type": "Undo", "actor": bob_.uri,
            "object": {"id": f"{bob_.uri}#join/greens_lyon", "type": "Follow",
                       "actor": bob_.uri, "object": f"{settings.server.base_url}/chapters/greens_lyon"}}
    assert await send(fed_client, settings, undo, bob_) == 202
    await drain_jobs()
    assert not await is_coordinator(bob, local.chapter)
    assert not await ChapterRole.filter(actor_id=bob.id).exists()
    [removed] = fediverse.posts("https://mastodon.test/inbox")
    assert removed["type"] == "Remove" and removed["object"] == bob_.uri
