"""Live events inside a process and between processes: a hub that fans small events out to
the local subscribers of this process, and PostgreSQL LISTEN/NOTIFY to carry them between
processes on one database.

An event is small — a kind and ids (`Event`), never content: whoever receives it reads the
rows again, after the writing transaction has committed, and decides what to show to whom.

- SQLite (one process runs web and workers): `publish` hands the event to this process's
  hub at once. A subscriber reads the rows through tortoise's single SQLite connection,
  which waits until the writing transaction has ended: it sees committed rows only.
- PostgreSQL (any number of processes): `publish` only sends `pg_notify` — on the
  connection of the current transaction when there is one, so the notification is sent at
  commit and dropped on rollback. Every process listening (`PostgresListener`, one asyncpg
  connection each) hands what it hears to its hub. An event published here comes back
  through the same channel: it is delivered once, by that path only.

Each subscriber has a bounded queue: a subscriber too slow to keep up is dropped (its
stream ends and the app reconnects) rather than let memory grow.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient

from core import db

log = logging.getLogger(__name__)

CHANNEL = "chapterhouse_events"
QUEUE_MAX = 256
RECONNECT_WAIT = (0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Event:
    """`kind` (e.g. "post.new") and the ids it is about: `id` and optional `refs`."""

    kind: str
    id: int
    refs: dict[str, int] = field(default_factory=dict)

    def encode(self) -> str:
        return json.dumps({"k": self.kind, "id": self.id, **self.refs}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> Event | None:
        try:
            data = json.loads(text)
            kind, ident = str(data.pop("k")), int(data.pop("id"))
            refs = {str(k): int(v) for k, v in data.items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return cls(kind, ident, refs)


class Subscription:
    """One subscriber's queue of events. `dropped` once it fell too far behind."""

    def __init__(self, hub: Hub, size: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(size)
        self.dropped = False

    def offer(self, event: Event | None) -> None:
        if self.dropped:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True
            self._hub.unsubscribe(self)

    def wake(self) -> None:
        """Make a waiting `next` return None at once (the subscriber is leaving)."""
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            pass  # a full queue wakes the waiter anyway

    async def next(self, wait: float) -> Event | None:
        """The next event, or None after `wait` seconds (or when woken)."""
        if self.dropped:
            return None
        try:
            return await asyncio.wait_for(self._queue.get(), wait)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._hub.unsubscribe(self)


class Hub:
    """The subscribers of one process and the fan-out to them."""

    def __init__(self, queue_size: int = QUEUE_MAX) -> None:
        self.queue_size = queue_size
        self._subscribers: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        sub = Subscription(self, self.queue_size)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def deliver(self, event: Event) -> None:
        for sub in list(self._subscribers):
            sub.offer(event)

    def drop_all(self) -> None:
        """End every subscription (events may have been missed: apps reconnect)."""
        for sub in list(self._subscribers):
            sub.dropped = True
            self.unsubscribe(sub)
            sub.wake()


#: This process's hub.
HUB = Hub()


def _is_postgres(conn: BaseDBAsyncClient) -> bool:
    return "asyncpg" in type(conn).__module__


async def publish(event: Event, using_db: BaseDBAsyncClient | None = None) -> None:
    """Publish `event` after the current transaction commits (see the module's text).
    `using_db` is the connection of the write (a transaction's, if in one)."""
    conn = using_db if using_db is not None else db.connection()
    if _is_postgres(conn):
        await conn.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, event.encode()])
    else:
        HUB.deliver(event)


def _dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


class PostgresListener:
    """LISTEN on the events channel with one asyncpg connection, handing every event to
    `hub`; reconnects when the connection is lost (and drops the hub's subscribers, which
    may have missed events)."""

    def __init__(self, url: str, hub: Hub = HUB) -> None:
        self.url = url
        self.hub = hub
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.listening = asyncio.Event()

    def _heard(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        event = Event.decode(payload)
        if event is None:
            log.warning("ignored a malformed event on %s: %.100s", channel, payload)
            return
        self.hub.deliver(event)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(_dsn(self.url))
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(CHANNEL, self._heard)
            self.listening.set()
            stop = asyncio.create_task(self._stop.wait())
            gone = asyncio.create_task(lost.wait())
            await asyncio.wait({stop, gone}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            gone.cancel()
        finally:
            self.listening.clear()
            if not conn.is_closed():
                await conn.close(timeout=5)

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                await self._listen_once()
                failures = 0
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("event listener: %s", exc)
                failures += 1
            if self._stop.is_set():
                break
            self.hub.drop_all()
            wait = RECONNECT_WAIT[min(failures, len(RECONNECT_WAIT) - 1)]
            try:
                await asyncio.wait_for(self._stop.wait(), wait)
            except TimeoutError:
                pass

    async def start(self, wait: float = 10.0) -> None:
        """Start listening; returns once the LISTEN is in place (or after `wait` s)."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="events-listener")
        try:
            await asyncio.wait_for(self.listening.wait(), wait)
        except TimeoutError:
            log.warning("event listener not listening after %ss; retrying in background",
                        wait)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.hub.drop_all()


class _Listening:
    """Reference count of the process's listener: several apps in one process (tests)
    share one LISTEN connection, so each event reaches the hub once."""

    def __init__(self) -> None:
        self.listener: PostgresListener | None = None
        self.users = 0


_LISTENING = _Listening()


async def start_events(url: str) -> None:
    """Called when an app starts: on PostgreSQL, listen (once per process)."""
    if db.engine_of(url) != "postgres":
        return
    _LISTENING.users += 1
    if _LISTENING.listener is None:
        _LISTENING.listener = PostgresListener(url)
        await _LISTENING.listener.start()


async def stop_events(url: str) -> None:
    """Called when an app stops: the last one stops the listener."""
    if db.engine_of(url) != "postgres":
        HUB.drop_all()
        return
    _LISTENING.users = max(0, _LISTENING.users - 1)
    if _LISTENING.users == 0 and _LISTENING.listener is not None:
        listener, _LISTENING.listener = _LISTENING.listener, None
        await listener.stop()
