"""The one HTML policy: every incoming content/summary/name is sanitized here, and local
Markdown is rendered to HTML and sanitized the same way."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

#: Mastodon's allow-list (app/lib/sanitize_config.rb, "relaxed" for statuses): text
#: formatting, lists, quotes, code and links; headings are shown as bold paragraphs.
_TAGS = {"p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong",
         "u", "i", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
#: "*" empties ammonia's generic attributes (`title`, `lang` on every tag), which are not on
#: Mastodon's list: without it they pass on every allowed element.
_ATTRIBUTES = {"a": {"href"}, "ol": {"start", "reversed"},
               "li": {"value"}, "*": set()}
#: Only the microformat classes Mastodon itself keeps (mentions, hashtags, link ellipsis);
#: `class` must not also be listed in _ATTRIBUTES (ammonia asserts on that).
_CLASSES = {"a": {"h-card", "u-url", "mention", "hashtag", "status-link", "unhandled-link"},
            "span": {"h-card", "invisible", "ellipsis"}}
_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h[1-6]>")
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})
_MAX_INPUT = 200_000


def _heading(match: re.Match[str]) -> str:
    return "</strong></p>" if match.group(1) else "<p><strong>"


def sanitize_html(value: str | None) -> str:
    """HTML safe to show: allowed tags only, links forced to open in a new tab without
    referrer or ranking credit, only http/https/mailto links, no script/style content."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value[:_MAX_INPUT],
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=_SCHEMES,
        # Mastodon keeps absolute links only: a relative href from another server would
        # point into ours, and a scheme hidden by an entity (`jav&#x09;ascript:`, which
        # Markdown turns into `jav%09ascript:`) parses as relative.
        url_relative="deny",
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    # The cleaner leaves headings without attributes, so this exact form is the only one.
    return _HEADING.sub(_heading, cleaned)


def sanitize_text(value: str | None, cap: int) -> str:
    """A plain-text field (a title, a content warning) from HTML: tags removed, entities
    decoded, whitespace tidied, capped. Escape it when rendering."""
    if not value:
        return ""
    stripped = nh3.clean(value[:_MAX_INPUT], tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(stripped).split())[:cap]


def markdown_to_html(source: str) -> str:
    """A local author's Markdown as sanitized HTML (raw HTML in the source is escaped)."""
    return sanitize_html(_MARKDOWN.render(source))


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs, escaped; blank lines separate paragraphs."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
