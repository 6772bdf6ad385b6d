"""Polls in the web UI: the "Add a poll" part of the compose form (more option fields without
JavaScript), publishing a poll, voting from the post's page, the results table."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx

from content.models import Poll, PollOption, PollVote, Post
from core.settings import Settings
from tests.support.forms import csrf_from
from tests.support.members import log_in

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]


async def _publish(client: httpx.AsyncClient, options: list[str], **extra: str,
                   ) -> httpx.Response:
    token = await csrf_from(client, "/compose")
    data: dict[str, str | list[str]] = {"csrf_token": token, "text": "Where do we meet?",
                                        "visibility": "public", "poll_option": options,
                                        "poll_duration": "86400", **extra}
    return await client.post("/polls", data=data)


async def test_the_compose_form_grows_more_option_fields_without_javascript(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    await log_in(client, settings, "alice")
    page = await client.get("/compose")
    assert "<legend>Add a poll</legend>" in page.text
    assert page.text.count('name="poll_option"') == 4
    assert '<label for="f-poll-4">Option 4</label>' in page.text
    more = await _publish(client, ["Berlin", "Lyon", "", ""], more="1")
    assert more.status_code == 200 and more.text.count('name="poll_option"') == 6
    assert 'value="Berlin"' in more.text and "Where do we meet?" in more.text
    assert await Post.all().count() == 0
    few = await _publish(client, ["Only one", "", "", ""])
    assert few.status_code == 422 and "Give at least 2 options." in few.text
    assert 'value="Only one"' in few.text and await Post.all().count() == 0
    full = await _publish(client, [f"o{i}" for i in range(20)], more="1")
    assert full.text.count('name="poll_option"') == 20 and 'name="more"' not in full.text


async def test_members_vote_from_the_post_page_and_see_the_results(
    client: httpx.AsyncClient, app_for: AppFor, settings: Settings,
) -> None:
    await log_in(client, settings, "alice")
    answer = await _publish(client, ["Berlin", "Lyon", "Online", ""])
    assert answer.status_code == 303
    post = await Post.get(id=int(answer.headers["location"].removeprefix("/posts/")))
    poll = await Poll.get(post_id=post.id)
    assert post.kind == "question" and not poll.multiple
    lyon = await PollOption.get(poll_id=poll.id, title="Lyon")

    other = await app_for(settings)
    await log_in(other, settings, "bea")
    page = await other.get(f"/posts/{post.id}")
    assert f'action="/posts/{post.id}/vote"' in page.text
    assert page.text.count('type="radio" name="choice"') == 3
    token = await csrf_from(other, f"/posts/{post.id}")
    voted = await other.post(f"/posts/{post.id}/vote",
                             data={"csrf_token": token, "choice": str(lyon.id)})
    assert voted.status_code == 303
    shown = await other.get(f"/posts/{post.id}")
    assert f'action="/posts/{post.id}/vote"' not in shown.text
    row = re.search(r'<tr class="mine">.*?</tr>', shown.text, re.S)
    assert row and "Lyon" in row.group(0) and "your vote" in row.group(0)
    assert 'value="100"' in row.group(0) and "1 voter ·" in shown.text
    assert "closes in 23 hours" in shown.text or "closes in 1 day" in shown.text
    again = await other.post(f"/posts/{post.id}/vote",
                             data={"csrf_token": token, "choice": str(lyon.id)})
    assert again.status_code == 403 and "voted in this poll already" in again.text
    assert await PollVote.all().count() == 1
    forged = await other.post(f"/posts/{post.id}/vote", data={"choice": str(lyon.id)})
    assert forged.status_code == 403 and await PollVote.all().count() == 1


async def test_a_multiple_choice_poll_with_hidden_totals(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    await log_in(client, settings, "alice")
    answer = await _publish(client, ["Mon", "Tue", "Wed", ""], poll_multiple="1",
                            poll_hide_totals="1")
    post = await Post.get(id=int(answer.headers["location"].removeprefix("/posts/")))
    page = await client.get(f"/posts/{post.id}")
    assert page.text.count('type="checkbox" name="choice"') == 3
    ids = [str(o.id) for o in await PollOption.filter(title__in=["Mon", "Wed"])]
    token = await csrf_from(client, f"/posts/{post.id}")
    voted = await client.post(f"/posts/{post.id}/vote",
                              data={"csrf_token": token, "choice": ids})
    assert voted.status_code == 303 and await PollVote.all().count() == 2
    shown = await client.get(f"/posts/{post.id}")
    assert "The results are hidden until the poll closes." in shown.text
    assert "<meter" not in shown.text and shown.text.count("your vote") == 2


async def test_the_main_publish_button_publishes_the_poll_and_its_author_may_edit_the_text(
    client: httpx.AsyncClient, settings: Settings,
) -> None:
    await log_in(client, settings, "alice")
    token = await csrf_from(client, "/compose")
    answer = await client.post("/posts", data={
        "csrf_token": token, "text": "Which day?", "visibility": "public",
        "poll_option": ["Friday", "Saturday", "", ""], "poll_duration": "86400"})
    assert answer.status_code == 303
    post = await Post.get(id=int(answer.headers["location"].removeprefix("/posts/")))
    assert post.kind == "question"
    assert [o.title for o in await PollOption.filter(poll__post_id=post.id).order_by(
        "position")] == ["Friday", "Saturday"]
    # The author corrects the question's text; the poll stays.
    token = await csrf_from(client, f"/posts/{post.id}")
    edited = await client.post(f"/posts/{post.id}/edit", data={
        "csrf_token": token, "text": "Which day suits you?"})
    assert edited.status_code == 303, edited.text
    assert "Which day suits you?" in (await Post.get(id=post.id)).content_html
    assert await PollOption.filter(poll__post_id=post.id).count() == 2
