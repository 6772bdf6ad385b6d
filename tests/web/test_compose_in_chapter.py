"""Writing in a chapter from the compose form: members pick one of their chapters, the
chapter shares the post; a chapter one is not a member of cannot be chosen. And what shows
under a post: replies as the visibility policy allows the viewer."""

from __future__ import annotations

import httpx

from actors.accounts import Registration, register_member
from actors.chapters import create_chapter
from actors.follows import follow_actor
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Boost, Post
from content.posts import create_post
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in


async def test_a_member_posts_in_their_chapter_and_the_chapter_shares_it(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    chapter = await create_chapter("Lyon", "lyon", join_policy="open")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    ana = await log_in(client, settings, "ana")
    page = (await client.get("/compose")).text
    assert 'name="chapter"' not in page  # no chapter yet: no choice offered
    await follow_actor(LocalUrls(settings.server.base_url), ana, group)
    page = (await client.get(f"/compose?chapter={group.id}")).text
    assert f'<option value="{group.id}" selected>Lyon</option>' in page
    answer = await post_form(client, "/posts", {
        "text": "Meeting on Thursday", "visibility": "public", "chapter": str(group.id)},
        page="/compose")
    assert answer.status_code == 303
    post = await Post.get(author_id=ana.id)
    assert post.chapter_id == group.id  # type: ignore[attr-defined]
    assert await Boost.filter(actor_id=group.id, post_id=post.id).exists()


async def test_a_chapter_the_author_is_not_a_member_of_is_refused(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    chapter = await create_chapter("Lyon", "lyon", join_policy="approval")
    group = await Actor.get(id=chapter.actor_id)  # type: ignore[attr-defined]
    ana = await log_in(client, settings, "ana")
    await follow_actor(LocalUrls(settings.server.base_url), ana, group)  # pending only
    answer = await post_form(client, "/posts", {
        "text": "Let me in", "visibility": "public", "chapter": str(group.id)},
        page="/compose")
    assert answer.status_code == 422
    assert "Choose one of your chapters." in answer.text
    assert not await Post.filter(author_id=ana.id).exists()


async def test_a_followers_only_reply_shows_under_the_post_to_followers_of_its_author_only(
    client: httpx.AsyncClient, app_for: object, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    ana = await log_in(client, settings, "ana")
    post = await create_post(urls, ana, "Who comes on Saturday?")
    bob = await Actor.get(id=(await register_member(
        Registration("bob", "bob@example.org", "a long enough password", True),
        settings.registration)).actor_id)
    await create_post(urls, bob, "Me, but keep it among us", visibility="followers",
                      in_reply_to=post)
    # ana does not follow bob: his followers-only reply is not under her post for her.
    assert "keep it among us" not in (await client.get(f"/posts/{post.id}")).text
    await follow_actor(urls, ana, bob)  # bob takes followers without approval
    assert "keep it among us" in (await client.get(f"/posts/{post.id}")).text
    anonymous = await app_for(settings)  # type: ignore[operator]
    assert "keep it among us" not in (await anonymous.get(f"/posts/{post.id}")).text
