"""Horizontal bar charts drawn on the server as SVG (results of ballots and polls): readable
without JavaScript, allowed by our Content-Security-Policy (presentation attributes only), each
bar labelled in text, and the same figures as a table for screen readers and copying."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH = 640
ROW = 46  # each bar takes a label line and the bar itself
TOP, BOTTOM = 8, 8
BAR_HEIGHT = 18
COUNT_SPACE = 96  # room right of the longest bar for "1,234 (100 %)"
LABEL_MAX = 70  # characters of a label drawn in the chart; the full text is in its <title>


@dataclass(frozen=True)
class Bar:
    """One bar: what it counts (`label`), the number, and an optional word shown after the
    figure ("winner", "blocked") that the table shows too."""

    label: str
    count: int
    note: str = ""


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def share(count: int, total: int) -> str:
    """`count` of `total` as a whole percentage ("33 %"), "-" when there is no total."""
    if total <= 0:
        return "-"
    return f"{round(100 * count / total)} %"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def _figure_text(bar: Bar, total: int | None) -> str:
    text = f"{bar.count:,}"
    if total:
        text += f" ({share(bar.count, total)})"
    return text + (f" {bar.note}" if bar.note else "")


def summary(bars: Sequence[Bar], unit: str, total: int | None = None) -> str:
    """One sentence listing every bar: "Lyon: 3 votes, Marseille: 1 vote"."""
    if not bars:
        return f"No {unit} counted"

    def one(bar: Bar) -> str:
        word = unit if bar.count != 1 else unit.removesuffix("s")
        note = f", {bar.note}" if bar.note else ""
        return f"{bar.label}: {bar.count:,} {word}{note}"

    text = "; ".join(one(b) for b in bars)
    return text + (f" (of {total:,})" if total else "")


def bar_chart(bars: Sequence[Bar], *, title: str, ident: str, unit: str = "votes",
              total: int | None = None) -> str:
    """The SVG of `bars`, in the given order, scaled to the largest count (or `total`).

    `ident` prefixes the ids of the title and description, so several charts may share a
    page; `total` (ballots cast) adds the share after each figure. Every text is escaped: the
    result may be put in a page as it is.
    """
    scale = max([b.count for b in bars] + [total or 0, 1])
    height = TOP + BOTTOM + ROW * max(len(bars), 1)
    plot = WIDTH - COUNT_SPACE
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" class="bars" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary(bars, unit, total))}.</desc>',
        '<g fill="currentColor" font-size="14" font-family="system-ui, sans-serif">',
    ]
    if not bars:
        out.append(f'<text x="0" y="{TOP + 20}">Nothing to show</text>')
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        length = plot * bar.count / scale
        tip = f"{bar.label}: {_figure_text(bar, total)}"
        out.append(f'<g class="bar" data-count="{bar.count}" data-label={quoteattr(bar.label)}>'
                   f'<title>{escape(tip)}</title>')
        out.append(f'<text x="0" y="{y + 14}">{escape(_short(bar.label))}</text>')
        # A hairline track shows the whole scale, so a bar of zero is still seen as a bar.
        out.append(f'<rect x="0" y="{y + 20}" width="{plot}" height="{BAR_HEIGHT}" '
                   f'fill="currentColor" fill-opacity="0.08"/>')
        if bar.count:
            out.append(f'<rect x="0" y="{y + 20}" width="{_fmt(max(length, 2))}" '
                       f'height="{BAR_HEIGHT}" fill="currentColor" fill-opacity="0.75"/>')
        out.append(f'<text x="{_fmt(plot + 8)}" y="{y + 34}">'
                   f'{escape(_figure_text(bar, total))}</text></g>')
    out.append("</g></svg>")
    return "".join(out)


def bar_table(bars: Sequence[Bar], *, caption: str, heading: str = "Proposal",
              unit: str = "Votes", total: int | None = None) -> str:
    """The figures of a bar chart as an HTML table (escaped; classes of style.css)."""
    head = (f'<th scope="col">{escape(heading)}</th><th scope="col" class="num">'
            f'{escape(unit)}</th>' + ('<th scope="col" class="num">Share</th>' if total else ""))
    rows = []
    for bar in bars:
        note = f' <span class="badge">{escape(bar.note)}</span>' if bar.note else ""
        cells = f'<td class="num">{bar.count:,}</td>'
        if total:
            cells += f'<td class="num">{share(bar.count, total)}</td>'
        rows.append(f'<tr><th scope="row">{escape(bar.label)}{note}</th>{cells}</tr>')
    return (f'<div class="table-scroll"><table class="data"><caption>{escape(caption)}'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f'</table></div>')
