"""Links in a local post's HTML, as the fediverse writes them: `#tag` becomes a link to the
tag's page (and a hashtag of the post), `@name` / `@name@host` of a mentioned actor a link to
that actor's profile — in Mastodon's microformat markup, so apps show them as it does.

Only text is rewritten: nothing inside a link, code or preformatted block, nor inside a
tag's attributes. The result is sanitized again by the caller's rules (content.html)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from actors.models import Actor
from content.tags import clean_tags, normalize_tag

#: `#word` not glued to a word, a URL fragment or an HTML entity (`&#39;`).
_HASHTAG = re.compile(r"(?<![\w/&#;])#(\w{1,100})")
_MENTION = re.compile(r"(?<![\w/@])@([A-Za-z0-9_][A-Za-z0-9_.-]*?)"
                      r"(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?|[0-9.]+(?::\d+)?))?(?![\w@])")
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>")
#: Elements whose text is left as it is.
_VERBATIM = {"a", "code", "pre"}


@dataclass(frozen=True)
class Target:
    """A mentioned actor as a link: its profile address and its user name."""

    url: str
    username: str


def mention_targets(mentions: Sequence[Actor], own_domain: str, profile: Callable[[Actor], str],
                    ) -> dict[str, Target]:
    """Handles a text may use for each mentioned actor (lower case): `name@host` always, and
    `name` alone for our own members and for a remote name no other mention shares."""
    found: dict[str, Target] = {}
    bare: dict[str, list[Actor]] = {}
    for actor in mentions:
        host = (actor.domain or own_domain).lower()
        target = Target(profile(actor), actor.username)
        found[f"{actor.username.lower()}@{host}"] = target
        bare.setdefault(actor.username.lower(), []).append(actor)
    for name, actors in bare.items():
        local = [a for a in actors if a.domain is None]
        chosen = local[0] if local else (actors[0] if len(actors) == 1 else None)
        if chosen is not None:
            found[name] = Target(profile(chosen), chosen.username)
    return found


@dataclass(frozen=True)
class Linked:
    """Linked markup, and the hashtags it links (as written, distinct, in order)."""

    html: str
    tags: list[str]


def _tag_link(tag_url: Callable[[str], str], found: list[str],
              ) -> Callable[[re.Match[str]], str]:
    def link(match: re.Match[str]) -> str:
        name = normalize_tag(match.group(1))
        if name is None:
            return match.group(0)
        found.append(match.group(1))
        return (f'<a href="{html.escape(tag_url(name))}" class="mention hashtag" rel="tag">'
                f"#<span>{match.group(1)}</span></a>")
    return link


def _mention_link(targets: dict[str, Target]) -> Callable[[re.Match[str]], str]:
    def link(match: re.Match[str]) -> str:
        name, host = match.group(1), match.group(2)
        key = f"{name}@{host}".lower() if host else name.lower()
        target = targets.get(key)
        if target is None:
            return match.group(0)
        return (f'<span class="h-card"><a href="{html.escape(target.url)}" '
                f'class="u-url mention">@<span>{html.escape(target.username)}</span></a></span>')
    return link


def linkify(markup: str, *, tag_url: Callable[[str], str],
            mentions: dict[str, Target]) -> Linked:
    """`markup` with hashtags and the mentioned actors' handles made links (text only), and
    the hashtags so linked — those in code or links are neither linked nor counted."""
    found: list[str] = []
    tags, people = _tag_link(tag_url, found), _mention_link(mentions)
    out: list[str] = []
    depth = 0  # how many verbatim elements are open here
    position = 0
    for element in _TAG.finditer(markup):
        text = markup[position:element.start()]
        if text and depth == 0:
            text = _MENTION.sub(people, _HASHTAG.sub(tags, text))
        out.append(text)
        out.append(element.group(0))
        name = element.group(2).lower()
        if name in _VERBATIM and not element.group(0).endswith("/>"):
            depth = max(0, depth - 1) if element.group(1) else depth + 1
        position = element.end()
    rest = markup[position:]
    if rest and depth == 0:
        rest = _MENTION.sub(people, _HASHTAG.sub(tags, rest))
    out.append(rest)
    return Linked("".join(out), clean_tags(found))
