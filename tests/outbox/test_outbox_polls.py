"""What we send about polls: our Question in Mastodon's shape (checked against a real
Mastodon Question), served at its id too, and a member's votes in another server's poll."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from actors.follows import receive_follow
from actors.urls import LocalUrls
from content.models import Poll, Post
from content.polls import create_poll_post, options_of, vote
from core import clock
from core.settings import Settings
from federation import APObject, FederationClient
from inbox.remote import resolve_actor
from tests.inbox.content_support import create_of, moved, send
from tests.inbox.fediverse import FakeFediverse, Local, load_interop

Drain = Callable[[], Awaitable[int]]
AP = "application/activity+json"


def _shape(value: Any) -> Any:
    """The structure of a JSON value: keys and types, not the values."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


async def test_our_question_has_mastodons_shape(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    fake = fediverse.person("mastodon.test", "bob")
    async with FederationClient(transport=fediverse.transport) as client:
        bob = await resolve_actor(urls, client, fake.uri)
    await receive_follow(bob, local.member, f"{bob.uri}#follow")
    ends = clock.now() + timedelta(days=1)
    post = await create_poll_post(urls, local.member, "Where do we meet?",
                                  ["Berlin", "Lyon", "Online"], False, ends, False, "public")
    await drain_jobs()
    [create] = [b for b in fediverse.posts("https://mastodon.test/inbox")
                if b["type"] == "Create"]
    ours = create["object"]
    theirs = load_interop("mastodon/question.json")
    assert ours["type"] == theirs["type"] == "Question"
    for key in ("oneOf", "endTime", "votersCount"):
        assert _shape(ours[key]) == _shape(theirs[key]), key
    assert ours["endTime"].endswith("Z") and "anyOf" not in ours and "closed" not in ours
    assert [o["name"] for o in ours["oneOf"]] == ["Berlin", "Lyon", "Online"]
    # Our own reader (as any server's) reads it back as the same poll.
    parsed = APObject.from_ap(ours)
    assert [o.name for o in parsed.options] == ["Berlin", "Lyon", "Online"]
    assert not parsed.multiple_choice and parsed.end_time is not None
    # The post's id answers the same Question.
    doc = (await fed_client.get(f"/posts/{post.id}", headers={"Accept": AP})).json()
    assert doc["type"] == "Question" and _shape(doc["oneOf"]) == _shape(theirs["oneOf"])


async def test_a_multiple_choice_poll_is_any_of(
    local: Local, settings: Settings, fed_client: httpx.AsyncClient,
) -> None:
    urls = LocalUrls(settings.server.base_url)
    post = await create_poll_post(urls, local.member, "Which days?", ["Mon", "Tue"], True,
                                  clock.now() + timedelta(hours=1), True, "public")
    options = await options_of(await Poll.get(post_id=post.id))
    await vote(urls, local.member, post, [o.id for o in options])
    doc = (await fed_client.get(f"/posts/{post.id}", headers={"Accept": AP})).json()
    assert "oneOf" not in doc and [o["name"] for o in doc["anyOf"]] == ["Mon", "Tue"]
    # Totals hidden until the close: no counts, though the voter is counted.
    assert [o["replies"]["totalItems"] for o in doc["anyOf"]] == [0, 0]
    assert doc["votersCount"] == 1


async def test_votes_in_a_remote_poll_go_to_its_author_one_note_per_choice(
    fed_client: httpx.AsyncClient, fediverse: FakeFediverse, local: Local, settings: Settings,
    drain_jobs: Drain,
) -> None:
    question = moved("mastodon/question.json", {"https://mastodon.social":
                                                "https://mastodon.test"})
    question["anyOf"] = question.pop("oneOf")
    question["endTime"] = (clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gargron = fediverse.person("mastodon.test", "Gargron")
    assert await send(fed_client, settings, create_of(question, gargron.uri), gargron) == 202
    await drain_jobs()
    post = await Post.get(uri=question["id"])
    poll = await Poll.get(post_id=post.id)
    assert poll.multiple
    berlin, _, online = await options_of(poll)
    await vote(LocalUrls(settings.server.base_url), local.member, post, [berlin.id, online.id])
    await drain_jobs()
    sent = fediverse.posts("https://mastodon.test/inbox")
    assert sorted(s["object"]["name"] for s in sent) == ["Berlin", "Online"]
    for activity in sent:
        assert activity["type"] == "Create" and activity["to"] == [gargron.uri]
        assert activity["object"]["inReplyTo"] == question["id"]
        assert activity["object"]["to"] == [gargron.uri]
        assert activity["id"] == f"{activity['object']['id']}/activity"
    assert len({s["object"]["id"] for s in sent}) == 2
