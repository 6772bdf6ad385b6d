"""The growth chart as a reader (and a screen reader) gets it: well-formed SVG with one point
per recorded day, a summary, the goal line, escaped text and nothing the CSP would block."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from web.ui.chart import LEFT, RIGHT, WIDTH, growth_chart, nice_ceiling, summary

SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 10, 27)


@dataclass
class Row:
    day: date
    members: int


def month(skip: tuple[int, ...] = ()) -> list[Row]:
    """30 days from 272 to 312 members, without the `skip`ped days."""
    counts = [272 + round(40 * i / 29) for i in range(30)]
    return [Row(START + timedelta(days=i), counts[i]) for i in range(30) if i not in skip]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on malformed XML
    assert root.tag == f"{SVG}svg"
    return root


def points(root: ET.Element) -> list[tuple[str, str, float, float]]:
    out = []
    for circle in root.iter(f"{SVG}circle"):
        title = circle.find(f"{SVG}title")
        assert title is not None and title.text
        out.append((circle.get("data-day", ""), title.text,
                    float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))))
    return out


def test_one_point_per_recorded_day_with_its_date_and_count() -> None:
    series = month(skip=(14, 15))  # the server was down two days
    root = parse(growth_chart(series, 1000))
    found = points(root)
    assert len(found) == 28
    for row, (day, title, _, _) in zip(series, found, strict=True):
        assert day == row.day.isoformat()
        assert title == f"{row.day.isoformat()}: {row.members:,} members"
    xs = [x for _, _, x, _ in found]
    assert xs == sorted(xs)
    # placed by date: the gap is three days wide, the other steps one
    steps = [b - a for a, b in pairwise(xs)]
    day_width = (WIDTH - LEFT - RIGHT) / 29
    assert [round(s / day_width) for s in steps] == [1] * 13 + [3] + [1] * 13
    # more members is higher up
    assert found[-1][3] < found[0][3]
    polyline = root.find(f"{SVG}polyline")
    assert polyline is not None and len(polyline.get("points", "").split()) == 28


def test_the_chart_says_what_it_shows() -> None:
    root = parse(growth_chart(month(), 1000))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text == "312 members on 2026-11-25, goal 1000, up 40 since 2026-10-27."
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"0", "1,000", "2026-10-27", "2026-11-25", "goal 1,000"} <= labels


def test_the_goal_line_is_drawn_when_it_fits_the_scale() -> None:
    fits = parse(growth_chart(month(), 1000))
    dashed = [el for el in fits.iter(f"{SVG}line") if el.get("stroke-dasharray")]
    assert len(dashed) == 1
    # the goal is the top of the scale here; the latest count is about a third of the way
    assert float(dashed[0].get("y1", "0")) < points(fits)[-1][3]

    too_far = growth_chart(month(), 100_000)
    root = parse(too_far)
    assert not [el for el in root.iter(f"{SVG}line") if el.get("stroke-dasharray")]
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text and "goal 100000" in desc.text
    assert "above the scale" in desc.text
    assert {t.text for t in root.iter(f"{SVG}text")} >= {"0", "500"}


def test_text_is_escaped_and_nothing_needs_inline_style_or_script() -> None:
    svg = growth_chart(month()[:3], 10, label='<script>alert("x")</script> & co',
                       title="Members & friends <b>")
    root = parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Members & friends <b>"
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))


def test_one_day_and_no_day_still_make_a_chart() -> None:
    one = parse(growth_chart([Row(START, 5)], 10))
    assert len(points(one)) == 1
    desc = one.find(f"{SVG}desc")
    assert desc is not None and desc.text == "5 members on 2026-10-27, goal 10."
    empty = parse(growth_chart([], 10))
    assert points(empty) == []
    assert "No figures recorded yet" in {t.text for t in empty.iter(f"{SVG}text")}


def test_summary_and_scale() -> None:
    series = [Row(START, 50), Row(START + timedelta(days=1), 45)]
    assert summary(series, None) == "45 members on 2026-10-28, down 5 since 2026-10-27"
    assert [nice_ceiling(v) for v in (0, 1, 7, 10, 11, 312, 1000, 1001)] == [
        1, 1, 10, 10, 20, 500, 1000, 2000]
