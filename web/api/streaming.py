"""Mastodon's streaming API: server-sent events (`GET /api/v1/streaming/user`, `/public`, …)
and one WebSocket (`/api/v1/streaming`) multiplexing streams a client subscribes to.

Events come from this process's hub (core.events; fed by PostgreSQL NOTIFY when there are
several processes); content.streams decides, per member and per stream, what an event means
for them, through the one visibility policy; here they are only rendered as Mastodon's
entities and framed. The token comes in the Authorization header, the `access_token`
parameter or (WebSocket) the Sec-WebSocket-Protocol header; it is checked again on every
event and every few seconds, so a revoked token ends the stream promptly. A comment
(`:thump`) keeps an idle SSE stream open; the WebSocket server pings by itself.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from actors.models import Actor
from content.streams import Delivery, Stream, StreamError, delivery, open_stream
from core import clock
from core.events import HUB, Subscription
from web.api.auth import api_account, covers
from web.api.entities_notifications import notification_entity
from web.api.entities_status import status_entities
from web.api.errors import ApiError, api_endpoint, outside_scopes
from web.api.routing import both
from web.models import OAuthToken

#: Seconds between `:thump` comments on an idle SSE stream (app.state.stream_heartbeat).
HEARTBEAT = 30.0
#: Seconds between checks that the token is still live (app.state.stream_token_check).
TOKEN_CHECK = 5.0
#: How many delivered events a connection remembers, not to send one twice.
REMEMBERED = 500
MESSAGE_MAX = 4096
SSE_HEADERS = {"cache-control": "private, no-store", "x-accel-buffering": "no"}
SSE_PATHS = {"user": "user", "user/notification": "user:notification", "public": "public",
             "public/local": "public:local", "public/remote": "public:remote",
             "hashtag": "hashtag", "hashtag/local": "hashtag:local", "list": "list"}


def _scope_for(stream: str) -> tuple[str, ...]:
    """Mastodon's scopes for a stream: notifications need read:notifications."""
    return ("read:notifications",) if stream == "user:notification" else ("read:statuses",)


def _with_token(conn: HTTPConnection, raw: str | None) -> Request:
    """An HTTP request view of `conn` carrying `raw` as its bearer token when the header
    has none, so web.api.auth checks it like any API token."""
    headers = [(k, v) for k, v in conn.scope["headers"] if k != b"authorization"]
    given = conn.headers.get("authorization")
    if given:
        headers.append((b"authorization", given.encode("latin-1")))
    elif raw:
        headers.append((b"authorization", f"Bearer {raw}".encode("latin-1", "replace")))
    return Request({**conn.scope, "type": "http", "headers": headers})


async def _still_live(token_id: int) -> bool:
    token = await OAuthToken.get_or_none(id=token_id, revoked_at__isnull=True
                                         ).prefetch_related("account")
    if token is None or token.account is None:
        return False
    if token.expires_at is not None and token.expires_at <= clock.now():
        return False
    return bool(token.account.approved) and token.account.rejected_at is None


class Session:
    """One open connection: its member, streams and subscription to the hub; `events()`
    yields what to send — (stream names, event, payload), or None for a heartbeat."""

    def __init__(self, conn: HTTPConnection, token: OAuthToken, viewer: Actor) -> None:
        state = conn.app.state
        self.base = state.settings.server.base_url
        self.heartbeat = float(getattr(state, "stream_heartbeat", HEARTBEAT))
        self.token_check = min(float(getattr(state, "stream_token_check", TOKEN_CHECK)),
                               self.heartbeat)
        self.token = token
        self.viewer = viewer
        self.streams: list[Stream] = []
        self.closed = False
        self.ended_by = ""
        self._sent: deque[tuple[Any, ...]] = deque(maxlen=REMEMBERED)
        self.sub: Subscription = HUB.subscribe()  # now: nothing published from here is lost

    def close(self) -> None:
        self.closed = True
        self.sub.close()
        self.sub.wake()

    async def _render(self, found: Delivery, stream: Stream) -> tuple[str, str] | None:
        key: tuple[Any, ...] = (tuple(stream.names), found.event, getattr(
            found.item, "id", found.item))
        if found.event == "status.update":
            key += (str(getattr(found.item, "updated", "")),)
        if key in self._sent:
            return None
        if isinstance(found.item, int):
            payload = str(found.item)
        elif found.event == "notification":
            entity = await notification_entity(found.item, base_url=self.base,  # type: ignore[arg-type]
                                               viewer=self.viewer)
            if entity is None:
                return None
            payload = json.dumps(entity)
        else:
            [entity] = await status_entities([found.item], base_url=self.base,  # type: ignore[list-item]
                                             viewer=self.viewer)
            payload = json.dumps(entity)
        self._sent.append(key)
        return found.event, payload

    async def events(self) -> AsyncIterator[tuple[list[str], str, str] | None]:
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + self.heartbeat
        next_check = loop.time() + self.token_check
        try:
            while not self.closed:
                event = await self.sub.next(max(0.0, min(next_beat, next_check) - loop.time()))
                if self.closed:
                    return
                if self.sub.dropped:
                    self.ended_by = "too slow"
                    return
                now = loop.time()
                if event is not None or now >= next_check:
                    if not await _still_live(self.token.id):
                        self.ended_by = "token"
                        return
                    next_check = now + self.token_check
                if event is None:
                    if now >= next_beat:
                        next_beat = now + self.heartbeat
                        yield None
                    continue
                for stream in list(self.streams):
                    found = await delivery(event, stream, self.viewer)
                    rendered = await self._render(found, stream) if found else None
                    if rendered is not None:
                        yield stream.names, *rendered
        finally:
            self.close()


async def _open(conn: HTTPConnection, token: OAuthToken, name: str,
                params: dict[str, str]) -> Stream:
    if not any(covers(frozenset(token.scopes.split()), s) for s in _scope_for(name)):
        raise outside_scopes()
    try:
        return await open_stream(token.account.actor, name, tag=params.get("tag"),
                                 list_id=params.get("list"))
    except StreamError as exc:
        raise ApiError(exc.status, exc.message) from None


# --- server-sent events ----------------------------------------------------------------------

async def health(request: Request) -> Response:
    """GET /api/v1/streaming/health."""
    return PlainTextResponse("OK", headers={"cache-control": "no-store"})


async def _sse(session: Session) -> AsyncIterator[str]:
    yield ":)\n\n"
    async for item in session.events():
        if item is None:
            yield ":thump\n\n"
        else:
            _names, event, payload = item
            yield f"event: {event}\ndata: {payload}\n\n"


@api_endpoint
async def sse(request: Request) -> Response:
    """GET /api/v1/streaming/{stream} (and /api/v1/streaming?stream=…) as text/event-stream."""
    path = request.path_params.get("path")
    name = SSE_PATHS.get(path.strip("/")) if path else request.query_params.get("stream")
    if name is None:
        raise ApiError(404, "Unknown stream type")
    authed = _with_token(request, request.query_params.get("access_token"))
    account = await api_account(authed, *_scope_for(name))
    token: OAuthToken = authed.state.oauth_token
    stream = await _open(request, token, name, dict(request.query_params))
    session = Session(request, token, account.actor)
    session.streams.append(stream)
    return StreamingResponse(_sse(session), media_type="text/event-stream",
                             headers=SSE_HEADERS)


# --- WebSocket -------------------------------------------------------------------------------

def _protocol_token(ws: WebSocket) -> str | None:
    value = ws.headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    return value or None


async def _refuse(ws: WebSocket, error: ApiError) -> None:
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(error.response())
    else:
        await ws.close(code=1008, reason=error.message)


def _message(raw: dict[str, Any]) -> dict[str, str] | None:
    text = raw.get("text")
    if not isinstance(text, str) or len(text) > MESSAGE_MAX:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int)}


async def _on_message(ws: WebSocket, session: Session, data: dict[str, str] | None) -> None:
    kind = data.get("type") if data else None
    if data is None or kind not in ("subscribe", "unsubscribe"):
        await ws.send_text(json.dumps({"error": "Unknown message", "status": 400}))
        return
    try:
        stream = await _open(ws, session.token, data.get("stream", ""), data)
    except ApiError as exc:
        await ws.send_text(json.dumps({"error": exc.message, "status": exc.status}))
        return
    if kind == "subscribe" and stream not in session.streams:
        session.streams.append(stream)
    elif kind == "unsubscribe" and stream in session.streams:
        session.streams.remove(stream)


async def _read(ws: WebSocket, session: Session) -> None:
    try:
        while not session.closed:
            raw = await ws.receive()
            if raw["type"] == "websocket.disconnect":
                break
            await _on_message(ws, session, _message(raw))
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away
    finally:
        session.close()


async def websocket(ws: WebSocket) -> None:
    """WS /api/v1/streaming?stream=…: Mastodon's multiplexed stream."""
    protocol = _protocol_token(ws)
    authed = _with_token(ws, ws.query_params.get("access_token") or protocol)
    name = ws.query_params.get("stream")
    try:
        account = await api_account(authed, *(_scope_for(name) if name else ()))
        token: OAuthToken = authed.state.oauth_token
        first = await _open(ws, token, name, dict(ws.query_params)) if name else None
    except ApiError as exc:
        await _refuse(ws, exc)
        return
    session = Session(ws, token, account.actor)
    if first is not None:
        session.streams.append(first)
    token_in_protocol = protocol is not None and not ws.query_params.get("access_token") \
        and not ws.headers.get("authorization")
    await ws.accept(subprotocol=protocol if token_in_protocol else None)
    reader = asyncio.create_task(_read(ws, session))
    try:
        async for item in session.events():
            if item is not None:
                names, event, payload = item
                await ws.send_text(json.dumps({"stream": names, "event": event,
                                               "payload": payload}))
        if session.ended_by:
            await ws.close(code=1008 if session.ended_by == "token" else 1013)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away while we wrote
    finally:
        session.close()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/streaming/health", health, ["GET", "HEAD"]),
        *both("/api/v1/streaming", sse, ["GET"]),
        Route("/api/v1/streaming/{path:path}", sse, methods=["GET"]),
        WebSocketRoute("/api/v1/streaming", websocket),
        WebSocketRoute("/api/v1/streaming/", websocket),
    ]
