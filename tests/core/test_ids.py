"""Ids sort by creation time and parse safely from client input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import clock
from core.ids import id_at, new_id, parse_id, time_of


def test_ids_are_unique_and_increasing_even_within_one_millisecond() -> None:
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    clock.set_clock(lambda: fixed)
    try:
        ids = [new_id() for _ in range(70_000)]  # more than the 16-bit counter holds
    finally:
        clock.set_clock(None)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_ids_carry_their_time_and_compare_as_strings_of_equal_length() -> None:
    # Ids never go back in one process, and other tests of the run move the clock days ahead
    # while making rows: read the time of an id made later than any of theirs.
    before = datetime.now(UTC) + timedelta(days=30)
    clock.set_clock(lambda: before)
    try:
        ident = new_id()
    finally:
        clock.set_clock(None)
    assert abs(time_of(ident) - before) < timedelta(seconds=2)
    assert id_at(before - timedelta(seconds=5)) < ident
    later = new_id()
    assert len(str(ident)) == len(str(later)) and str(ident) < str(later)


def test_parse_id_refuses_what_is_not_an_id() -> None:
    assert parse_id("123") == 123
    for bad in ("", "-1", "1e5", "abc", "9" * 25, str(1 << 63)):
        assert parse_id(bad) is None
