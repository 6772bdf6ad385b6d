"""The visibility policy, table-driven: each visibility against each relation of the viewer to
the author (author, follower, pending follower, mentioned, chapter member, the chapter,
stranger, anonymous, a remote actor that blocked the author, an admin), for one post
(can_see) and for lists (visible_to, listed_to), which must always agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from tortoise.queryset import QuerySet

from actors.accounts import Registration, register_member
from actors.blocks import receive_block
from actors.chapters import create_chapter
from actors.follows import accept_follow, follow_actor, mark_follow_answered, receive_follow
from actors.models import Actor, Follow
from actors.remote import save_remote_actor
from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post, delete_post
from content.received import store_remote_post
from content.visibility import can_see, can_show_page, listed_to, shown_on_pages, visible_to
from core import clock
from core.settings import Settings

PASSWORD = "a long enough password"
KINDS = ("public", "unlisted", "followers", "direct", "members")


@dataclass
class World:
    """alice writes one post of each kind; everyone else stands in one relation to her."""

    viewers: dict[str, Actor | None]
    posts: dict[str, Post]
    chapter: Actor
    urls: LocalUrls


async def member(settings: Settings, name: str, role: str = "member") -> Actor:
    account = await register_member(
        Registration(name, f"{name}@example.org", PASSWORD, True), settings.registration,
        role=role)
    return await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]


async def remote(name: str, host: str = "remote.test") -> Actor:
    uri = f"https://{host}/users/{name}"
    return await save_remote_actor(uri, host, {
        "kind": "Person", "username": name, "inbox": f"{uri}/inbox",
        "followers": f"{uri}/followers"})


async def build_world(settings: Settings, *, rex: Actor | None = None,
                      mentions: Sequence[Actor] = ()) -> World:
    """The cast and alice's five posts. `rex` (a remote actor; made here when not given)
    followed alice and is mentioned in her direct post, then blocked her; `mentions` are
    mentioned in her followers-only and direct posts besides dave."""
    urls = LocalUrls(settings.server.base_url)
    alice = await member(settings, "alice")
    alice.manually_approves_followers = True
    await alice.save()
    bob, carol, dave, erin, frank = [await member(settings, n)
                                     for n in ("bob", "carol", "dave", "erin", "frank")]
    admin = await member(settings, "root", role="admin")
    chapter = await Actor.get(id=(await create_chapter("Lyon", "lyon")).actor_id)  # type: ignore[attr-defined]
    await accept_follow(await follow_actor(urls, bob, alice))
    assert (await follow_actor(urls, carol, alice)).state == "pending"
    for who in (alice, erin):
        assert (await follow_actor(urls, who, chapter)).state == "accepted"
    rex = rex or await remote("rex")
    follow = await receive_follow(rex, alice, f"{rex.uri}#follows/1")
    assert follow is not None
    await accept_follow(follow)
    posts = {
        "public": await create_post(urls, alice, "for everyone"),
        "unlisted": await create_post(urls, alice, "quietly public", visibility="unlisted"),
        "followers": await create_post(urls, alice, "for my followers, and dave",
                                       visibility="followers", mentions=[dave, *mentions]),
        "direct": await create_post(urls, alice, "to dave and rex", visibility="direct",
                                    mentions=[dave, rex, *mentions]),
        "members": await create_post(urls, alice, "for the members of Lyon",
                                     visibility="followers", chapter=chapter),
    }
    await receive_block(rex, alice, f"{rex.uri}#blocks/1")
    assert not await Follow.filter(follower_id=rex.id).exists()  # the block ended it
    viewers: dict[str, Actor | None] = {
        "author": alice, "follower": bob, "pending follower": carol, "mentioned": dave,
        "chapter member": erin, "the chapter": chapter, "stranger": frank,
        "anonymous": None, "blocked": rex, "admin": admin}
    return World(viewers, posts, chapter, urls)


T, F = True, False
#: relation → may see (public, unlisted, followers, direct, members-only chapter post)
EXPECTED: dict[str, tuple[bool, ...]] = {
    "author":           (T, T, T, T, T),
    "follower":         (T, T, T, F, T),  # bob follows alice: her chapter post too
    "pending follower": (T, T, F, F, F),
    "mentioned":        (T, T, T, T, F),
    "chapter member":   (T, T, F, F, T),
    "the chapter":      (T, T, F, F, T),
    "stranger":         (T, T, F, F, F),
    "anonymous":        (T, T, F, F, F),
    "blocked":          (F, F, F, F, F),  # rex was mentioned in the direct post, then blocked
    "admin":            (T, T, F, F, F),  # not asking for moderation: a member like others
}
CASES = [(relation, kind, EXPECTED[relation][i])
         for relation in EXPECTED for i, kind in enumerate(KINDS)]


@pytest.fixture
async def world(database: str, settings: Settings) -> World:
    return await build_world(settings)


async def test_who_sees_what(world: World) -> None:
    """Every cell of the table, for can_see and for visible_to over that one post (the
    world is built once: registering members hashes passwords, which is slow)."""
    wrong = []
    for relation, kind, expected in CASES:
        post, viewer = world.posts[kind], world.viewers[relation]
        one = await can_see(post, viewer)
        listed = await (await visible_to(Post.filter(id=post.id), viewer)).exists()
        if (one, listed) != (expected, expected):
            wrong.append(f"{relation} / {kind}: can_see {one}, visible_to {listed}, "
                         f"expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert len(CASES) == len(EXPECTED) * len(KINDS) == 50


async def test_lists_hold_exactly_what_each_viewer_may_see(world: World) -> None:
    for relation, row in EXPECTED.items():
        viewer = world.viewers[relation]
        wanted = {world.posts[k].id for k, ok in zip(KINDS, row, strict=True) if ok}
        query = Post.filter(author_id=world.viewers["author"].id)  # type: ignore[union-attr]
        seen = set(await (await visible_to(query, viewer)).values_list("id", flat=True))
        assert seen == wanted, relation
        listed = set(await (await listed_to(query, viewer)).values_list("id", flat=True))
        assert listed == wanted - {world.posts["unlisted"].id}, relation


async def test_admins_see_everything_only_for_moderation(world: World) -> None:
    admin = world.viewers["admin"]
    for post in world.posts.values():
        assert await can_see(post, admin, for_moderation=True)
    query = await visible_to(Post.all(), admin, for_moderation=True)
    assert await query.count() == len(world.posts)
    # The flag is no key for others: a plain member asking for moderation sees as before.
    frank = world.viewers["stranger"]
    assert not await can_see(world.posts["direct"], frank, for_moderation=True)
    assert await (await visible_to(Post.all(), frank, for_moderation=True)).count() == 2


async def test_a_deleted_post_is_seen_by_nobody(world: World) -> None:
    alice = world.viewers["author"]
    assert alice is not None
    post = world.posts["public"]
    await delete_post(alice, post)
    for viewer in world.viewers.values():
        assert not await can_see(post, viewer)
        assert not await can_see(post, viewer, for_moderation=True)
        assert not await (await visible_to(Post.filter(id=post.id), viewer,
                                           for_moderation=True)).exists()


async def test_a_remote_author_who_blocked_a_member_is_hidden_from_that_member_only(
    database: str, settings: Settings,
) -> None:
    bob, frank = await member(settings, "bob"), await member(settings, "frank")
    rex = await remote("rex")
    post, created = await store_remote_post({
        "uri": f"{rex.uri}/statuses/1", "content_html": "<p>hi</p>", "visibility": "public",
        "published": clock.now()}, rex)
    assert created and post is not None
    await receive_block(rex, bob, f"{rex.uri}#blocks/1")
    assert not await can_see(post, bob)
    assert await can_see(post, frank) and await can_see(post, None)
    everyone = Post.filter(author_id=rex.id)
    assert not await (await visible_to(everyone, bob)).exists()
    assert await (await visible_to(everyone, frank)).count() == 1


async def test_a_remote_authors_followers_only_post_is_seen_by_our_followers_of_them(
    database: str, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bob, frank = await member(settings, "bob"), await member(settings, "frank")
    rex = await remote("rex")
    await follow_actor(urls, bob, rex)
    assert await mark_follow_answered(bob, rex, accepted=True)  # rex's Accept arrived
    post, _ = await store_remote_post({
        "uri": f"{rex.uri}/statuses/2", "content_html": "<p>friends</p>",
        "visibility": "followers", "published": clock.now()}, rex)
    assert post is not None
    assert await can_see(post, bob)
    assert not await can_see(post, frank) and not await can_see(post, None)


async def test_page_lists_show_members_only_posts_to_members_and_others_posts_to_members(
    world: World,
) -> None:
    """shown_on_pages, for a chapter's page: its members-only post to its members; another
    server's post in the chapter to signed-in members only."""
    rex = await remote("rex2")
    theirs, _ = await store_remote_post({
        "uri": f"{rex.uri}/statuses/1", "content_html": "<p>from afar</p>",
        "visibility": "public", "published": clock.now()}, rex, chapter=world.chapter)
    assert theirs is not None
    in_chapter = Post.filter(chapter_id=world.chapter.id)
    members_only, erin = world.posts["members"], world.viewers["chapter member"]
    assert await shown_ids(in_chapter, erin) == {members_only.id, theirs.id}
    assert await shown_ids(in_chapter, world.viewers["stranger"]) == {theirs.id}
    assert await shown_ids(in_chapter, None) == set()
    assert await can_show_page(members_only, erin) and await can_show_page(theirs, erin)
    assert not await can_show_page(theirs, None) and await can_see(theirs, None)


async def shown_ids(query: QuerySet[Post], viewer: Actor | None) -> set[int]:
    return set(await (await shown_on_pages(query, viewer)).values_list("id", flat=True))
