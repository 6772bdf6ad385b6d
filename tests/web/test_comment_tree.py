"""The post page's comment tree as members and visitors see it (nested lists, counts, reply
links, Remove buttons for those allowed, 403 for others), and the `replies` collection other
servers read, with the post's `replies` and `context`."""

from __future__ import annotations

import httpx

from actors.urls import LocalUrls
from content.models import Post
from content.posts import create_post
from core.jobs import Job
from core.settings import Settings
from outbox.threads import REPLIES_PER_PAGE
from tests.support.forms import post_form
from tests.support.members import PASSWORD, log_in

AP = {"Accept": "application/activity+json"}


async def _publish_jobs() -> int:
    return await Job.filter(name="outbox.publish").count()


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    """Log `client` in as an existing member (after logging out whoever was)."""
    client.cookies.clear()
    answer = await post_form(client, "/login", {"identifier": username, "password": PASSWORD})
    assert answer.status_code == 303


def comments_section(page: str) -> str:
    return page.split('id="comments"', 1)[1].split("</section>", 1)[0]


async def test_the_tree_is_nested_counted_and_removable_by_the_owner_only(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bea = await log_in(client, settings, "bea")
    client.cookies.clear()
    dan = await log_in(client, settings, "dan")
    client.cookies.clear()
    post = await create_post(urls, bea, "Which day suits everyone?")
    levels = [post]
    for depth in range(1, 7):
        levels.append(await create_post(urls, dan, f"level {depth}", in_reply_to=levels[-1]))
    alice = await log_in(client, settings, "alice")
    page = await client.get(f"/posts/{post.id}")
    assert page.status_code == 200
    section = comments_section(page.text)
    assert ">6 comments</h2>" in section
    # Nested lists, one <article> per comment, the deepest flattened under the display cap.
    assert section.count("<article") == 6 and section.count('<ul class="comments">') >= 6
    assert section.index("level 1") < section.index("level 6")
    assert f'href="/posts/{levels[3].id}?reply=1#reply"' in section
    # alice is not the owner: no Remove button but on her own comment.
    assert 'action="/posts/' not in section.replace(f"/posts/{post.id}?", "")
    mine = await create_post(urls, alice, "I can do Tuesday", in_reply_to=levels[1])
    section = comments_section((await client.get(f"/posts/{post.id}")).text)
    assert section.count("/remove") == 1 and f'action="/posts/{mine.id}/remove"' in section

    # alice cannot remove bea's comment: 403, nothing changes, nothing is sent.
    before = await _publish_jobs()
    refused = await post_form(client, f"/posts/{levels[2].id}/remove", {},
                              page=f"/posts/{post.id}")
    assert refused.status_code == 403
    assert not (await Post.get(id=levels[2].id)).is_deleted
    assert await _publish_jobs() == before

    # The replying form is on the comment's own page.
    reply_page = (await client.get(f"/posts/{levels[3].id}?reply=1")).text
    assert 'id="reply"' in reply_page and "Your reply to dan" in reply_page

    # bea, the owner, removes level 2: its replies stay under a placeholder.
    await sign_in(client, "bea")
    section = comments_section((await client.get(f"/posts/{post.id}")).text)
    assert section.count("/remove") == 7  # everyone's, hers included
    answer = await post_form(client, f"/posts/{levels[2].id}/remove", {},
                             page=f"/posts/{post.id}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/posts/{post.id}#comments"
    section = comments_section((await client.get(f"/posts/{post.id}")).text)
    assert "This comment was removed by a moderator." in section
    assert "level 2" not in section and "level 3" in section
    assert ">6 comments</h2>" in section  # 7 - 1 removed
    assert any(j.payload.get("kind") == "remove_comment"
               for j in await Job.filter(name="outbox.publish"))


async def test_followers_only_replies_are_hidden_from_others(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bea = await log_in(client, settings, "bea")
    post = await create_post(urls, bea, "Open question")
    await create_post(urls, bea, "a word for my followers", in_reply_to=post,
                      visibility="followers")
    await create_post(urls, bea, "a word for everyone", in_reply_to=post)
    client.cookies.clear()
    await log_in(client, settings, "carl")
    section = comments_section((await client.get(f"/posts/{post.id}")).text)
    assert "a word for everyone" in section and "for my followers" not in section
    assert ">1 comment</h2>" in section
    client.cookies.clear()
    anonymous = comments_section((await client.get(f"/posts/{post.id}")).text)
    assert ">1 comment</h2>" in anonymous and "Log in" not in anonymous


async def test_the_replies_collection_and_the_posts_thread_fields(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    bea = await log_in(client, settings, "bea")
    post = await create_post(urls, bea, "Collecting ideas")
    replies = [await create_post(urls, bea, f"idea {n}", in_reply_to=post)
               for n in range(REPLIES_PER_PAGE + 2)]
    await create_post(urls, bea, "hidden", in_reply_to=post, visibility="followers")
    nested = await create_post(urls, bea, "deeper", in_reply_to=replies[0])

    doc = (await client.get(f"/posts/{post.id}", headers=AP)).json()
    assert doc["replies"] == f"{post.uri}/replies" and doc["context"] == post.uri
    child = (await client.get(f"/posts/{nested.id}", headers=AP)).json()
    assert child["context"] == post.uri and child["inReplyTo"] == replies[0].uri

    collection = await client.get(f"/posts/{post.id}/replies", headers=AP)
    assert collection.headers["content-type"].startswith("application/activity+json")
    body = collection.json()
    assert body["type"] == "OrderedCollection" and body["totalItems"] == REPLIES_PER_PAGE + 2
    first = (await client.get(body["first"].removeprefix(settings.server.base_url),
                              headers=AP)).json()
    assert first["orderedItems"] == [r.uri for r in replies[:REPLIES_PER_PAGE]]
    second = (await client.get(first["next"].removeprefix(settings.server.base_url),
                               headers=AP)).json()
    assert second["orderedItems"] == [r.uri for r in replies[REPLIES_PER_PAGE:]]
    assert "next" not in second and second["partOf"] == f"{post.uri}/replies"
    # Browsers are sent to the comments; nonsense pages and unknown posts are 404.
    html = await client.get(f"/posts/{post.id}/replies")
    assert html.status_code == 303 and html.headers["location"] == f"/posts/{post.id}#comments"
    assert (await client.get(f"/posts/{post.id}/replies?page=x", headers=AP)).status_code == 404
    assert (await client.get("/posts/12345/replies", headers=AP)).status_code == 404
