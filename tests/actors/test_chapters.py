"""Chapter services: the tree (local and remote parents, no cycles), settings and the
activities they enqueue, coordinators (members or admins only), members local and remote,
and closed chapters that take members only by appointment."""

from __future__ import annotations

from typing import Any

import pytest

from actors.accounts import Registration, register_member
from actors.chapters import (
    appoint_member,
    children_of,
    create_chapter,
    leave_chapter,
    member_count_of,
    members_of,
    parent_of,
    set_coordinator,
    update_chapter,
)
from actors.errors import ValidationFailed
from actors.follows import follow_actor, receive_follow
from actors.models import Actor, Chapter, Follow, SubChapter
from actors.roles import coordinators_of, is_coordinator
from actors.urls import LocalUrls
from core.models import Job
from core.settings import Settings

PASSWORD = "a long enough password"


async def member(settings: Settings, username: str, role: str = "member") -> Actor:
    account = await register_member(
        Registration(username, f"{username}@example.org", PASSWORD, True),
        settings.registration, role=role)
    return await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]


async def remote(username: str, host: str = "mastodon.test", kind: str = "Person") -> Actor:
    uri = f"https://{host}/{'c' if kind == 'Group' else 'users'}/{username}"
    return await Actor.create(kind=kind, username=username, domain=host,
                              acct_key=Actor.key_for(username, host), uri=uri,
                              inbox=f"{uri}/inbox", shared_inbox=f"https://{host}/inbox",
                              display_name=username.title())


async def group(chapter: Chapter) -> Actor:
    return await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]


async def published(kind: str | None = None) -> list[dict[str, Any]]:
    """Payloads of the outbox.publish jobs enqueued so far (of one kind), oldest first."""
    jobs = await Job.filter(name="outbox.publish").order_by("id")
    return [dict(j.payload) for j in jobs if kind is None or j.payload["kind"] == kind]


async def test_a_tree_of_local_chapters_with_a_remote_child(database: str) -> None:
    intl = await create_chapter("International", "intl")
    france = await create_chapter("France", "france", parent=await group(intl))
    await create_chapter("Lyon", "lyon", parent_slug="france")
    far = await remote("marseille", "marseille.test", kind="Group")
    await SubChapter.create(parent=france, child=far)

    assert [a.username for a in await children_of(intl)] == ["france"]
    assert [a.username for a in await children_of(france)] == ["lyon", "marseille"]
    assert (await parent_of(france)).id == intl.actor_id  # type: ignore[union-attr,attr-defined]
    assert await parent_of(intl) is None


async def test_a_remote_parent_is_named_by_uri_and_told_with_add(database: str) -> None:
    national = await remote("greens_fr", "national.test", kind="Group")
    local = await create_chapter("Lyon", "lyon", parent=national)
    assert local.parent_id is None and local.parent_uri == national.uri  # type: ignore[attr-defined]
    assert (await parent_of(local)).id == national.id  # type: ignore[union-attr]
    [add] = await published("add_subchapter")
    assert add["chapter_id"] == local.actor_id and add["parent_id"] == national.id  # type: ignore[attr-defined]
    assert isinstance(add["ident"], int)

    other = await remote("greens_de", "national.test", kind="Group")
    await update_chapter(local, name="Lyon", description="", join_policy="open",
                         members_visible=True, parent=other)
    [remove] = await published("remove_subchapter")
    assert remove["parent_id"] == national.id
    assert [p["parent_id"] for p in await published("add_subchapter")] == [national.id, other.id]
    await update_chapter(local, name="Lyon", description="", join_policy="open",
                         members_visible=True, parent=None)
    assert [p["parent_id"] for p in await published("remove_subchapter")] == [national.id,
                                                                            other.id]
    assert (await Chapter.get(id=local.id)).parent_uri is None


async def test_a_chapter_cannot_be_its_own_ancestor(database: str) -> None:
    intl = await create_chapter("International", "intl")
    france = await create_chapter("France", "france", parent=await group(intl))
    lyon = await create_chapter("Lyon", "lyon", parent=await group(france))
    far = await remote("quartier", "quartier.test", kind="Group")
    await SubChapter.create(parent=lyon, child=far)
    for parent in (intl, france, lyon):
        with pytest.raises(ValidationFailed) as caught:
            await update_chapter(intl, name="International", description="",
                                 join_policy="open", members_visible=True,
                                 parent=await group(parent))
        assert "parent" in caught.value.errors
    with pytest.raises(ValidationFailed):  # a remote grandchild cannot become the parent
        await update_chapter(intl, name="International", description="", join_policy="open",
                             members_visible=True, parent=far)
    assert (await Chapter.get(id=intl.id)).parent_id is None  # type: ignore[attr-defined]
    assert await published("update_actor") == []


async def test_validation_names_each_field(database: str, settings: Settings) -> None:
    ana = await member(settings, "ana")
    await create_chapter("Lyon", "lyon")
    with pytest.raises(ValidationFailed) as caught:
        await create_chapter(" ", "Bad Slug!", join_policy="maybe", parent=ana)
    assert set(caught.value.errors) == {"name", "slug", "join_policy", "parent"}
    for slug in ("lyon", "ana", "new"):
        with pytest.raises(ValidationFailed) as caught:
            await create_chapter("Again", slug)
        assert set(caught.value.errors) == {"slug"}
    assert await Chapter.all().count() == 1


async def test_settings_change_the_actor_and_send_an_update(database: str) -> None:
    chapter = await create_chapter("Lyon", "lyon")
    await update_chapter(chapter, name="Greens Lyon", description="The city.",
                         join_policy="approval", members_visible=False, parent=None)
    actor = await group(chapter)
    row = await Chapter.get(id=chapter.id)
    assert (actor.display_name, actor.summary) == ("Greens Lyon", "The city.")
    assert actor.manually_approves_followers is True
    assert row.join_policy == "approval" and row.members_visible is False
    [update] = await published("update_actor")
    assert update["actor_id"] == actor.id


async def test_coordinators_must_be_members_or_admins(database: str, settings: Settings) -> None:
    chapter = await group(await create_chapter("Lyon", "lyon"))
    ana, root = await member(settings, "ana"), await member(settings, "root", role="admin")
    bob = await remote("bob")
    with pytest.raises(ValidationFailed):
        await set_coordinator(chapter, ana, True)
    assert await set_coordinator(chapter, root, True) is True  # admins need not join
    await receive_follow(bob, chapter, "https://mastodon.test/follows/1")  # open: accepted
    assert await set_coordinator(chapter, bob, True) is True  # a remote member may coordinate
    assert await set_coordinator(chapter, bob, True) is False  # already
    assert [a.id for a in await coordinators_of(chapter)] == [root.id, bob.id]
    adds = await published("add_moderator")
    assert [(p["group_id"], p["actor_id"]) for p in adds] == [(chapter.id, root.id),
                                                              (chapter.id, bob.id)]
    assert await set_coordinator(chapter, bob, False) is True
    [removed] = await published("remove_moderator")
    assert removed["actor_id"] == bob.id and not await is_coordinator(bob, chapter)


async def test_the_creator_joins_and_coordinates(database: str, settings: Settings) -> None:
    ana = await member(settings, "ana")
    urls = LocalUrls(settings.server.base_url)
    chapter = await group(await create_chapter("Lyon", "lyon", join_policy="closed",
                                               creator=ana, urls=urls))
    follow = await Follow.get(follower_id=ana.id, followed_id=chapter.id)
    assert follow.state == "accepted" and follow.uri and follow.uri.startswith(urls.base)
    assert await is_coordinator(ana, chapter)


async def test_local_and_remote_members_are_listed_and_counted(
    database: str, settings: Settings,
) -> None:
    chapter = await group(await create_chapter("Lyon", "lyon"))
    ana, bob = await member(settings, "ana"), await remote("bob")
    carl = await remote("carl", "other.test")
    urls = LocalUrls(settings.server.base_url)
    await follow_actor(urls, ana, chapter)
    await receive_follow(bob, chapter, "https://mastodon.test/follows/1")
    approval = await group(await create_chapter("Paris", "paris", join_policy="approval"))
    await receive_follow(carl, approval, "https://other.test/follows/1")  # pending: no member
    assert await member_count_of(chapter) == 2 and await member_count_of(approval) == 0
    assert [a.username for a in await members_of(chapter, 0, 10)] == ["bob", "ana"]
    assert [a.username for a in await members_of(chapter, 1, 10)] == ["ana"]


async def test_a_closed_chapter_refuses_follows_and_takes_appointed_members(
    database: str, settings: Settings,
) -> None:
    committee = await group(await create_chapter("Board", "board", join_policy="closed"))
    ana, bob = await member(settings, "ana"), await remote("bob")
    urls = LocalUrls(settings.server.base_url)
    with pytest.raises(ValidationFailed):
        await follow_actor(urls, ana, committee)
    assert await receive_follow(bob, committee, "https://mastodon.test/follows/9") is None
    assert [p["kind"] for p in await published()] == ["reject_follow"]
    assert await member_count_of(committee) == 0

    follow = await appoint_member(committee, ana, urls=urls)
    assert follow.state == "accepted" and await member_count_of(committee) == 1
    again = await appoint_member(committee, ana, urls=urls)
    assert again.id == follow.id
    with pytest.raises(ValidationFailed):  # a remote actor cannot be made to follow
        await appoint_member(committee, bob, urls=urls)


async def test_leaving_ends_membership_and_the_coordinator_role(
    database: str, settings: Settings,
) -> None:
    chapter = await group(await create_chapter("Lyon", "lyon"))
    ana = await member(settings, "ana")
    await follow_actor(LocalUrls(settings.server.base_url), ana, chapter)
    await set_coordinator(chapter, ana, True)
    assert await leave_chapter(chapter, ana) is True
    assert await member_count_of(chapter) == 0 and not await is_coordinator(ana, chapter)
    assert [p["actor_id"] for p in await published("remove_moderator")] == [ana.id]
