"""Time-sortable 64-bit ids, shown to clients as decimal strings (Mastodon's max_id/min_id)."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime

from core import clock

# id = milliseconds since the Unix epoch << 16 | a 16-bit counter. The counter starts at a
# random value in each process so two processes rarely collide; the database's primary key
# catches the rare collision. Sorting ids sorts by creation time, as Mastodon's do.
_SEQ_BITS = 16
_SEQ_MASK = (1 << _SEQ_BITS) - 1
_lock = threading.Lock()
_state = {"ms": 0, "seq": secrets.randbelow(1 << _SEQ_BITS)}


def new_id() -> int:
    """A fresh id, strictly greater than the previous one from this process."""
    ms = int(clock.now().timestamp() * 1000)
    with _lock:
        if ms <= _state["ms"]:
            ms = _state["ms"]
            _state["seq"] = (_state["seq"] + 1) & _SEQ_MASK
            if _state["seq"] == 0:  # 65,536 ids in one millisecond: borrow the next one
                ms += 1
        else:
            _state["seq"] = (_state["seq"] + 1) & _SEQ_MASK
        _state["ms"] = ms
        return (ms << _SEQ_BITS) | _state["seq"]


def id_at(moment: datetime) -> int:
    """The smallest id that could have been made at `moment` (for paging by time)."""
    return int(moment.timestamp() * 1000) << _SEQ_BITS


def time_of(ident: int) -> datetime:
    """When an id was made, to the millisecond."""
    from datetime import UTC

    return datetime.fromtimestamp((ident >> _SEQ_BITS) / 1000, UTC)


def parse_id(text: str) -> int | None:
    """A client-supplied id string as an int, or None when it is not one of ours."""
    if not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value < 1 << 63 else None
