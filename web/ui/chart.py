"""The growth chart of the campaign: a series of daily counts → an SVG string, drawn on the
server, readable without JavaScript and allowed by our Content-Security-Policy (presentation
attributes only, no style attributes, no script)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36  # margins inside the view box, for the labels
# The scale reaches up to the goal (drawn as a dashed line) unless the goal is this many
# times the highest count: the growth would then be a flat line along the bottom.
GOAL_SCALE_LIMIT = 4


class DayCount(Protocol):
    """A recorded day: DailyTally rows fit, or anything with `day` and `members`."""

    day: date
    members: int


@dataclass(frozen=True)
class Point:
    day: date
    members: int
    x: float
    y: float


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def summary(series: Sequence[DayCount], goal: int | None, label: str = "members") -> str:
    """One sentence: "312 members on 2026-11-25, goal 1000, up 40 since 2026-10-26"."""
    if not series:
        text = f"No daily figures recorded yet for {label}"
        return text + (f", goal {goal}" if goal else "")
    first, last = series[0], series[-1]
    parts = [f"{last.members} {label} on {last.day.isoformat()}"]
    if goal:
        parts.append(f"goal {goal}")
    if len(series) > 1:
        change = last.members - first.members
        word = "up" if change > 0 else "down" if change < 0 else "unchanged"
        amount = f" {abs(change)}" if change else ""
        parts.append(f"{word}{amount} since {first.day.isoformat()}")
    return ", ".join(parts)


def _points(series: Sequence[DayCount], top: int) -> list[Point]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    first, last = series[0].day, series[-1].day
    span = (last - first).days
    points = []
    for row in series:
        # Placed by date, so a missing day (the server was down) leaves a gap that the line
        # joins straight across.
        x = LEFT + (plot_w * (row.day - first).days / span if span else plot_w / 2)
        y = TOP + plot_h * (1 - row.members / top)
        points.append(Point(row.day, row.members, x, y))
    return points


def growth_chart(
    series: Sequence[DayCount],
    goal: int | None = None,
    *,
    label: str = "members",
    title: str | None = None,
    ident: str = "growth",
) -> str:
    """The SVG of `series` (oldest first, at most one row per day) against `goal`.

    `ident` prefixes the ids of the title and description, so two charts may share a page.
    Every text is escaped; the result may be put in a page as it is.
    """
    rows = sorted(series, key=lambda r: r.day)
    highest = max((r.members for r in rows), default=0)
    goal_fits = bool(goal) and goal is not None and goal <= max(highest, 1) * GOAL_SCALE_LIMIT
    top = nice_ceiling(max(highest, goal if goal_fits and goal else 0, 1))
    plot_bottom = HEIGHT - BOTTOM
    heading = title or f"Growth of {label}"
    desc = summary(rows, goal, label)
    if goal and not goal_fits:
        desc += " (the goal is above the scale)"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(heading)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}.</desc>',
        # Axes and labels in the text colour of the page, light or dark.
        f'<g fill="none" stroke="currentColor" stroke-opacity="0.35" stroke-width="1">'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}"/>'
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{WIDTH - RIGHT}" y2="{plot_bottom}"/></g>',
        f'<g fill="currentColor" font-size="13" font-family="system-ui, sans-serif">'
        f'<text x="{LEFT - 6}" y="{plot_bottom}" text-anchor="end" '
        f'dominant-baseline="middle">0</text>'
        f'<text x="{LEFT - 6}" y="{TOP}" text-anchor="end" '
        f'dominant-baseline="middle">{top:,}</text>',
    ]
    if rows:
        out.append(f'<text x="{LEFT}" y="{HEIGHT - 10}" text-anchor="start">'
                   f'{rows[0].day.isoformat()}</text>')
        if len(rows) > 1:
            out.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end">'
                       f'{rows[-1].day.isoformat()}</text>')
    else:
        out.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle">'
                   'No figures recorded yet</text>')
    out.append("</g>")
    if goal and goal_fits:
        y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - goal / top)
        out.append(
            f'<g class="goal"><line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" '
            f'y2="{_fmt(y)}" stroke="currentColor" stroke-width="1.5" '
            f'stroke-dasharray="6 4" stroke-opacity="0.7"/>'
            f'<text x="{WIDTH - RIGHT}" y="{_fmt(y - 6)}" text-anchor="end" font-size="13" '
            f'fill="currentColor">{escape(f"goal {goal:,}")}</text></g>'
        )
    if rows:
        points = _points(rows, top)
        coords = " ".join(f"{_fmt(p.x)},{_fmt(p.y)}" for p in points)
        out.append(f'<polyline points="{coords}" fill="none" stroke="currentColor" '
                   f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>')
        out.append('<g class="points" fill="currentColor">')
        for p in points:
            tip = f"{p.day.isoformat()}: {p.members:,} {label}"
            out.append(f'<circle cx="{_fmt(p.x)}" cy="{_fmt(p.y)}" r="3.5" '
                       f'data-day={quoteattr(p.day.isoformat())} data-members="{p.members}">'
                       f'<title>{escape(tip)}</title></circle>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
