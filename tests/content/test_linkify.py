"""Hashtags and mentions written in a post become links, as Mastodon writes them (its
microformat markup, checked against a real Mastodon status), and hashtags become the post's
tags — found on the tag's timeline; code, links and HTML entities are left alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from actors.urls import LocalUrls
from content.linkify import Target, linkify
from content.models import Post
from content.posts import create_post, edit_post
from content.tags import tags_of
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_statuses_api import post
from tests.support.members import new_member

#: A status from Mastodon's API documentation (a hashtag) and a Note a Mastodon server sent
#: (a mention).
FIXTURES = (Path(__file__).parents[1] / "fixtures" / "mastodon_api" / "status.json",
            Path(__file__).parents[1] / "fixtures" / "interop" / "mastodon" / "note.json")


def _shape(markup: str) -> str:
    """The markup with addresses and names blanked and `rel`/`target` left out (our
    sanitizer sets those on every link), to compare structures."""
    markup = re.sub(r' (?:rel|target|href)="[^"]*"', "", markup)
    return re.sub(r"<span>[^<]*</span>", "<span></span>", markup)


def test_the_markup_is_mastodons() -> None:
    content = "".join(json.loads(path.read_text())["content"] for path in FIXTURES)
    theirs_mention = re.search(r'<span class="h-card"><a [^>]*>@<span>[^<]*</span></a></span>',
                               content)
    theirs_tag = re.search(r'<a [^>]*class="mention hashtag"[^>]*>#<span>[^<]*</span></a>',
                           content)
    assert theirs_mention and theirs_tag
    ours = linkify("<p>hi @bea and #Volunteers</p>", tag_url=lambda n: f"https://h/tags/{n}",
                   mentions={"bea": Target("https://h/users/bea", "bea")}).html
    assert _shape(theirs_mention.group(0)) in _shape(ours)
    assert _shape(theirs_tag.group(0)) in _shape(ours)


def test_what_is_not_a_hashtag() -> None:
    def tags(text: str) -> list[str]:
        return linkify(text, tag_url=lambda n: n, mentions={}).tags

    assert tags("<p>#One, #two and #One again; #123 #a_b</p>") == ["One", "two", "a_b"]
    assert tags("<p>https://x.example/page#section it&#39;s C#</p>") == []
    markup = ('<p>in <code>#code</code> and <a href="https://x/#frag">#link</a> '
              'but #real</p>')
    result = linkify(markup, tag_url=lambda n: f"/tags/{n}", mentions={})
    assert result.tags == ["real"]  # neither the code's nor the link's
    linked = result.html
    assert "<code>#code</code>" in linked and ">#link</a>" in linked
    assert linked.count('class="mention hashtag"') == 1 and "#<span>real</span>" in linked


async def test_a_status_with_a_hashtag_and_a_mention(client: httpx.AsyncClient,
                                                     settings: Settings) -> None:
    await new_member(settings, "bea")
    ana = await token_for(client, settings, "read write", "ana")
    made = await post(client, ana, status="Join the #ClimateMarch with @bea, not @nobody")
    base = settings.server.base_url
    shown = _shape(str(made["content"]))
    assert ('<a class="mention hashtag">#<span></span></a>') in shown
    assert '<span class="h-card"><a class="u-url mention">@<span></span></a></span>' in shown
    assert f'href="{base}/tags/climatemarch"' in str(made["content"])
    assert f'href="{base}/users/bea"' in str(made["content"])
    assert "#<span>ClimateMarch</span>" in str(made["content"])
    assert "@nobody" in str(made["content"])  # not a member here: left as text
    assert [t["name"] for t in made["tags"]] == ["ClimateMarch"]  # type: ignore[union-attr]
    tagged = await client.get("/api/v1/timelines/tag/climatemarch")
    assert [s["id"] for s in tagged.json()] == [made["id"]]


async def test_editing_keeps_the_written_hashtags_as_tags(settings: Settings) -> None:
    ana = await new_member(settings, "ana")
    urls = LocalUrls(settings.server.base_url)
    note = await create_post(urls, ana, "Out on the #streets\n\n```\n#include <stdio.h>\n```")
    assert [t.name for t in await tags_of(note)] == ["streets"]
    await edit_post(ana, note, "Now at the #townhall")
    again = await Post.get(id=note.id)
    assert [t.name for t in await tags_of(again)] == ["townhall"]
    assert f"{settings.server.base_url}/tags/townhall" in again.content_html
