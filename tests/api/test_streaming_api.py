"""The streaming API against a real uvicorn server in the test process (on the suite's
database): server-sent events read with httpx, the WebSocket with the `websockets` client,
and the PostgreSQL NOTIFY path between two hubs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from actors.follows import accept_follow, follow_actor
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from chapterhouse.wiring import build_app
from content.models import MemberList
from content.polls import create_poll_post
from content.posts import create_post
from core import clock, db
from core.events import HUB, Event, Hub, PostgresListener, publish
from core.settings import Settings
from tests.api.test_entity_schemas import assert_matches
from tests.support.databases import engine
from tests.support.members import PASSWORD, new_member
from tests.support.servers import free_port

WAIT = 10.0
STREAM = "/api/v1/streaming"


@dataclass
class Live:
    base: str
    settings: Settings
    client: httpx.AsyncClient  # the same app through ASGI, for set-up calls


@pytest.fixture
async def live(database: str, settings: Settings) -> AsyncIterator[Live]:
    """The real app served by uvicorn on a free port (heartbeat every 0.3 s)."""
    app = build_app(settings, workers=0, manage_database=False)
    app.state.stream_heartbeat = 0.3
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on",
                                           log_level="warning", ws="websockets-sansio"))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(WAIT):
        while not server.started:
            await asyncio.sleep(0.02)  # uvicorn exposes no start event
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as client:
        yield Live(base, settings, client)
    server.should_exit = True
    await asyncio.wait_for(task, 20)


async def app_token(live: Live, username: str, scope: str = "read write"
                    ) -> tuple[str, dict[str, str]]:
    """A token of `username` (made a member if new) and the app that holds it."""
    app = (await live.client.post("/api/v1/apps", json={
        "client_name": "stream test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write follow"})).json()
    if await Actor.get_or_none(username=username, domain=None) is None:
        await new_member(live.settings, username)
    answer = await live.client.post("/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": username, "password": PASSWORD,
        "scope": scope})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"], app


async def token(live: Live, username: str, scope: str = "read write") -> str:
    return (await app_token(live, username, scope))[0]


async def tagged(live: Live, username: str, text: str, tag: str) -> None:
    """A post carrying `tag` (the API does not read hashtags from the text yet)."""
    author = await Actor.get(username=username, domain=None)
    await create_post(LocalUrls(live.settings.server.base_url), author, text, tags=[tag])


def auth(raw: str) -> dict[str, str]:
    return {"authorization": f"Bearer {raw}"}


async def follows(follower: str, followed: str, settings: Settings) -> None:
    a = await Actor.get(username=follower, domain=None)
    b = await Actor.get(username=followed, domain=None)
    follow = await follow_actor(LocalUrls(settings.server.base_url), a, b)
    if follow.state != "accepted":
        await accept_follow(follow)
    assert await Follow.exists(follower_id=a.id, followed_id=b.id, state="accepted")


async def post(live: Live, raw: str, text: str, visibility: str = "public") -> dict[str, Any]:
    answer = await live.client.post("/api/v1/statuses", headers=auth(raw),
                                    data={"status": text, "visibility": visibility})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


class Events:
    """The frames of an open SSE response: (event, data), comments as ("", text)."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.seen: list[tuple[str, str]] = []

    async def _frame(self) -> tuple[str, str]:
        event, data = "", []
        while True:
            line = await anext(self.lines)
            if line == "":
                if event or data:
                    return event, "\n".join(data)
                continue
            if line.startswith(":"):
                return "", line[1:]
            name, _, value = line.partition(": ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)

    async def until(self, wanted: Callable[[str, str], bool]) -> tuple[str, str]:
        async with asyncio.timeout(WAIT):
            while True:
                frame = await self._frame()
                self.seen.append(frame)
                if wanted(*frame):
                    return frame

    async def opened(self) -> None:
        await self.until(lambda event, data: event == "" and data == ")")


def has_text(text: str) -> Callable[[str, str], bool]:
    return lambda event, data: event == "update" and text in data


async def open_sse(http: httpx.AsyncClient, path: str, **kwargs: Any
                   ) -> tuple[httpx.Response, Events]:
    response = await http.send(http.build_request("GET", path, **kwargs), stream=True)
    assert response.status_code == 200, (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "no-store" in response.headers["cache-control"]
    events = Events(response)
    await events.opened()
    return response, events


async def test_health_answers_ok(live: Live) -> None:
    answer = await live.client.get(f"{STREAM}/health")
    assert answer.status_code == 200 and answer.text == "OK"


async def test_user_stream_gets_follows_notifications_and_deletes(live: Live) -> None:
    alice = await token(live, "alice")
    bob = await token(live, "bob")
    await follows("alice", "bob", live.settings)
    response, events = await open_sse(live.client, f"{STREAM}/user", headers=auth(alice))
    try:
        await post(live, bob, "Bob says hello to his followers")
        _, data = await events.until(has_text("Bob says hello"))
        status = json.loads(data)
        assert_matches("Status", [status])
        assert status["account"]["acct"] == "bob"

        mine = await post(live, alice, "Alice's own words")
        await events.until(has_text("Alice's own words"))
        liked = await live.client.post(f"/api/v1/statuses/{mine['id']}/favourite",
                                       headers=auth(bob))
        assert liked.status_code == 200, liked.text
        _, data = await events.until(lambda event, data: event == "notification")
        note = json.loads(data)
        assert_matches("Notification", [note])
        assert note["type"] == "favourite" and note["account"]["acct"] == "bob"
        assert note["status"]["id"] == mine["id"]

        gone = await live.client.delete(f"/api/v1/statuses/{mine['id']}", headers=auth(alice))
        assert gone.status_code == 200, gone.text
        await events.until(lambda event, data: event == "delete" and data == mine["id"])
        # Heartbeats keep the idle stream open.
        await events.until(lambda event, data: event == "" and data == "thump")
    finally:
        await response.aclose()


async def test_a_private_post_reaches_followers_only(live: Live) -> None:
    bob = await token(live, "bob")
    carol = await token(live, "carol")  # follows nobody
    dave = await token(live, "dave")
    await follows("dave", "bob", live.settings)
    streams = [await open_sse(live.client, f"{STREAM}/public", headers=auth(carol)),
               await open_sse(live.client, f"{STREAM}/user", headers=auth(carol)),
               await open_sse(live.client, f"{STREAM}/user", headers=auth(dave))]
    try:
        await post(live, bob, "For my followers only", visibility="private")
        await post(live, bob, "Everyone may read this")
        public, stranger, follower = (events for _, events in streams)
        await public.until(has_text("Everyone may read this"))
        await follower.until(has_text("Everyone may read this"))
        assert not any("followers only" in data for _, data in public.seen)
        assert any("followers only" in data for _, data in follower.seen)
        # The stranger's user stream has neither (bob is not followed); their next own post
        # shows nothing arrived before it.
        await post(live, carol, "Carol's marker")
        await stranger.until(has_text("Carol's marker"))
        assert not any("followers only" in data or "Everyone may" in data
                       for _, data in stranger.seen)
    finally:
        for response, _ in streams:
            await response.aclose()


async def test_hashtag_stream_gets_only_its_tag(live: Live) -> None:
    bob = await token(live, "bob")
    response, events = await open_sse(live.client, f"{STREAM}/hashtag?tag=Climate",
                                      headers=auth(bob))
    try:
        await tagged(live, "bob", "About gardens", "gardens")
        await tagged(live, "bob", "About the climate", "Climate")
        _, data = await events.until(lambda event, data: event == "update")
        assert "About the" in data
        assert not any("gardens" in d for _, d in events.seen)
    finally:
        await response.aclose()


async def test_token_in_the_query_and_a_revoked_token_ends_the_stream(live: Live) -> None:
    raw, app = await app_token(live, "alice", "read")
    response, events = await open_sse(live.client, f"{STREAM}/public/local?access_token={raw}")
    try:
        revoked = await live.client.post("/oauth/revoke", data={
            "client_id": app["client_id"], "client_secret": app["client_secret"],
            "token": raw})
        assert revoked.status_code == 200
        with pytest.raises(StopAsyncIteration):
            await events.until(lambda event, data: False)
    finally:
        await response.aclose()
    refused = await live.client.get(f"{STREAM}/public/local?access_token={raw}")
    assert refused.status_code == 401


@pytest.mark.parametrize(("path", "scope", "status"), [
    ("/user", None, 401), ("/public", None, 401), ("/user", "write", 403),
    ("/user/notification", "read:statuses", 403), ("/hashtag", "read", 422),
    ("/hashtag/local?tag=%23%23", "read", 422), ("/list?list=abc", "read", 422),
    ("/list?list=12345", "read", 404), ("/nothing", "read", 404)])
async def test_refusals(live: Live, path: str, scope: str | None, status: int) -> None:
    headers = auth(await token(live, "alice", scope)) if scope else {}
    answer = await live.client.get(STREAM + path, headers=headers)
    assert answer.status_code == status, answer.text
    assert isinstance(answer.json()["error"], str)


async def test_another_members_list_is_not_found(live: Live) -> None:
    bob_actor = await new_member(live.settings, "bob")
    bobs = await MemberList.create(owner=bob_actor, title="Bob's friends")
    alice = await token(live, "alice")
    answer = await live.client.get(f"{STREAM}/list?list={bobs.id}", headers=auth(alice))
    assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    bob = await token(live, "bob")
    response, _events = await open_sse(live.client, f"{STREAM}/list?list={bobs.id}",
                                       headers=auth(bob))
    await response.aclose()


async def test_websocket_subscribes_and_a_revoked_token_closes_it(live: Live) -> None:
    raw, app = await app_token(live, "alice")
    url = live.base.replace("http", "ws") + STREAM
    async with websockets.connect(url, subprotocols=[raw]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == raw
        await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "news"}))
        await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag"}))
        error = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert error["status"] == 422 and error["error"]
        await post(live, raw, "Nothing to see")
        await tagged(live, "alice", "Fresh news today", "news")
        message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert message["stream"] == ["hashtag", "news"] and message["event"] == "update"
        assert "Fresh" in json.loads(message["payload"])["content"]
        await live.client.post("/oauth/revoke", data={
            "client_id": app["client_id"], "client_secret": app["client_secret"],
            "token": raw})
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(f"{url}?stream=user&access_token={raw}")
    assert refused.value.response.status_code == 401


async def test_websocket_user_stream_from_the_query(live: Live) -> None:
    alice = await token(live, "alice")
    url = live.base.replace("http", "ws") + f"{STREAM}?stream=user&access_token={alice}"
    async with websockets.connect(url) as ws:
        await post(live, alice, "Straight to my stream")
        message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert message["stream"] == ["user"] and message["event"] == "update"
        assert_matches("Status", [json.loads(message["payload"])])


@pytest.mark.skipif(engine() != "postgres", reason="LISTEN/NOTIFY is PostgreSQL's")
async def test_notify_reaches_every_hub_once_after_commit(database: str) -> None:
    hubs = [Hub(), Hub()]
    listeners = [PostgresListener(database, hub) for hub in hubs]
    for listener in listeners:
        await listener.start()
    subs = [hub.subscribe() for hub in hubs]
    try:
        with pytest.raises(RuntimeError):
            async with db.in_transaction():
                await publish(Event("post.new", 1))
                raise RuntimeError("rolled back")
        async with db.in_transaction() as conn:
            await publish(Event("post.new", 2), conn)
            assert all([await sub.next(0.2) is None for sub in subs])  # not before commit
        for sub in subs:
            assert await sub.next(WAIT) == Event("post.new", 2)
        await publish(Event("boost.gone", 3, {"post": 4, "actor": 5}))
        for sub in subs:
            assert await sub.next(WAIT) == Event("boost.gone", 3, {"post": 4, "actor": 5})
            assert await sub.next(0.3) is None  # exactly once
    finally:
        for listener in listeners:
            await listener.stop()


async def test_a_new_poll_post_is_one_event(database: str, settings: Settings) -> None:
    """Setting the kind of a post just made (a poll) is no second event: a stream would
    show the poll twice."""
    hub = Hub() if engine() == "postgres" else HUB
    listener = PostgresListener(database, hub) if engine() == "postgres" else None
    if listener is not None:
        await listener.start()
    sub = hub.subscribe()
    try:
        alice = await new_member(settings, "alice")
        made = await create_poll_post(LocalUrls(settings.server.base_url), alice, "Which day?",
                                      ["Monday", "Friday"], multiple=False,
                                      ends_at=clock.now() + timedelta(days=1),
                                      hide_totals=False, visibility="public")
        seen = []
        while (event := await sub.next(0.5)) is not None:
            seen.append(event)
        assert [e for e in seen if e.id == made.id] == [Event("post.new", made.id)]
    finally:
        sub.close()
        if listener is not None:
            await listener.stop()
