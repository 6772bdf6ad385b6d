"""Members acting on posts from the web UI: writing, replying, liking, boosting, editing and
deleting through forms, with CSRF, errors in one sentence and the right status codes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from actors.models import Actor
from content.models import Boost, Like, Post
from core import clock
from core.settings import Settings
from tests.support.forms import post_form
from tests.support.members import log_in

PASSWORD = "a long enough password"
AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]



async def write(client: httpx.AsyncClient, text: str, visibility: str = "public") -> Post:
    answer = await post_form(client, "/posts", {"text": text, "visibility": visibility},
                             page="/compose")
    assert answer.status_code == 303, answer.text
    ident = int(answer.headers["location"].removeprefix("/posts/"))
    return await Post.get(id=ident)


async def test_writing_a_post_and_its_errors(client: httpx.AsyncClient,
                                             settings: Settings) -> None:
    assert (await client.get("/compose")).headers["location"] == "/login"
    alice = await log_in(client, settings, "alice")
    page = await client.get("/compose")
    assert page.status_code == 200 and '<label for="f-text">Your post</label>' in page.text

    post = await write(client, "Meeting on *Thursday*")
    assert post.author_id == alice.id and post.visibility == "public"  # type: ignore[attr-defined]
    shown = await client.get(f"/posts/{post.id}")
    assert shown.status_code == 200 and "<em>Thursday</em>" in shown.text
    assert f'action="/posts/{post.id}/edit"' in shown.text
    assert f'action="/posts/{post.id}/delete"' in shown.text

    empty = await post_form(client, "/posts", {"text": "  ", "visibility": "public"},
                            page="/compose")
    assert empty.status_code == 422 and "Write something." in empty.text
    odd = await post_form(client, "/posts", {"text": "hi", "visibility": "direct"},
                          page="/compose")
    assert odd.status_code == 422 and "Choose who can see the post" in odd.text
    assert "Traceback" not in empty.text + odd.text
    assert await Post.all().count() == 1

    forged = await client.post("/posts", data={"text": "no token", "visibility": "public"})
    assert forged.status_code == 403 and await Post.all().count() == 1


async def test_followers_only_posts_are_shown_to_their_author_only(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings
) -> None:
    await log_in(client, settings, "alice")
    post = await write(client, "for my followers", visibility="followers")
    assert post.visibility == "followers"
    page = await client.get(f"/posts/{post.id}")
    assert page.status_code == 200 and "followers only" in page.text

    other = await app_for(settings)
    assert (await other.get(f"/posts/{post.id}")).status_code == 404
    await log_in(other, settings, "bob")
    assert (await other.get(f"/posts/{post.id}")).status_code == 404
    liked = await post_form(other, f"/posts/{post.id}/like", {}, page="/compose")
    assert liked.status_code == 404 and await Like.all().count() == 0


async def test_another_member_replies_likes_and_boosts(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings
) -> None:
    await log_in(client, settings, "alice")
    post = await write(client, "Hello")
    path = f"/posts/{post.id}"
    bob_client = await app_for(settings)
    bob = await log_in(bob_client, settings, "bob")

    page = (await bob_client.get(path)).text
    assert "Like</button>" in page and "Boost</button>" in page
    assert f'action="{path}/edit"' not in page and f'action="{path}/delete"' not in page

    assert (await post_form(bob_client, f"{path}/like", {}, page=path)).status_code == 303
    assert (await post_form(bob_client, f"{path}/boost", {}, page=path)).status_code == 303
    page = (await bob_client.get(path)).text
    assert "Unlike</button>" in page and "Unboost</button>" in page
    assert "1 like · 1 boost" in page
    assert await Like.filter(actor_id=bob.id, post_id=post.id).exists()
    assert await Boost.filter(actor_id=bob.id, post_id=post.id).exists()

    assert (await post_form(bob_client, f"{path}/unlike", {}, page=path)).status_code == 303
    assert (await post_form(bob_client, f"{path}/unboost", {}, page=path)).status_code == 303
    assert "0 likes · 0 boosts" in (await bob_client.get(path)).text

    replied = await post_form(bob_client, f"{path}/reply", {"text": "Count me in"}, page=path)
    assert replied.status_code == 303 and replied.headers["location"] == path
    reply = await Post.get(in_reply_to_id=post.id)
    assert reply.author_id == bob.id and reply.in_reply_to_uri == post.uri  # type: ignore[attr-defined]
    assert "Count me in" in (await client.get(path)).text  # listed under the post

    empty = await post_form(bob_client, f"{path}/reply", {"text": ""}, page=path)
    assert empty.status_code == 422 and "Write something." in empty.text

    # Not the author: no edit, no delete.
    edit = await post_form(bob_client, f"{path}/edit", {"text": "mine now"}, page=path)
    assert edit.status_code == 403 and "Only the author" in edit.text
    gone = await post_form(bob_client, f"{path}/delete", {}, page=path)
    assert gone.status_code == 403
    await post.refresh_from_db()
    assert post.source == "Hello" and not post.is_deleted

    for bad in (f"{path}/shout", "/posts/123/like", "/posts/abc/like"):
        assert (await post_form(bob_client, bad, {}, page=path)).status_code == 404


async def test_the_author_edits_and_deletes(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    await log_in(client, settings, "alice")
    post = await write(client, "First words")
    path = f"/posts/{post.id}"
    assert ">First words</textarea>" in (await client.get(path)).text

    empty = await post_form(client, f"{path}/edit", {"text": ""}, page=path)
    assert empty.status_code == 422 and "Write something." in empty.text
    edited = await post_form(client, f"{path}/edit", {"text": "Better words"}, page=path)
    assert edited.status_code == 303
    page = (await client.get(path)).text
    assert "<p>Better words</p>" in page and "edited" in page

    deleted = await post_form(client, f"{path}/delete", {}, page=path)
    assert deleted.status_code == 303
    assert "The post was deleted." in (await client.get(deleted.headers["location"])).text
    assert (await client.get(path)).status_code == 410
    again = await post_form(client, f"{path}/edit", {"text": "back"}, page="/compose")
    assert again.status_code == 404


async def test_remote_posts_are_shown_to_members_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    remote = await Actor.create(kind="Person", username="rita", domain="remote.test",
                                acct_key="rita@remote.test", uri="https://remote.test/users/rita")
    post = await Post.create(uri="https://remote.test/notes/1", author=remote,
                             content_html="<p>From afar</p>", visibility="public",
                             published=clock.now())
    assert (await client.get(f"/posts/{post.id}")).status_code == 404
    await log_in(client, settings, "alice")
    page = await client.get(f"/posts/{post.id}")
    assert page.status_code == 200 and "From afar" in page.text
    assert 'href="https://remote.test/notes/1"' in page.text
    liked = await post_form(client, f"/posts/{post.id}/like", {}, page=f"/posts/{post.id}")
    assert liked.status_code == 303 and await Like.filter(post_id=post.id).count() == 1
