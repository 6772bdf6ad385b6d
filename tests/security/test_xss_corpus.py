"""The one HTML policy (content.html) against the XSS corpus: after sanitizing, parsed with
html.parser as a browser would see it, nothing but Mastodon's allow-list is left, every link
is http(s)/mailto with rel and target, and plain-text fields carry no markup at all."""

from __future__ import annotations

import html

import pytest

from content.html import markdown_to_html, sanitize_html, sanitize_text, text_to_html
from tests.security.xss_corpus import (
    ALL,
    CORPUS,
    MARKER,
    UNSAFE_SCHEMES,
    Vector,
    elements_of,
    fragment_problems,
    page_problems,
    url_scheme,
)

IDS = [v.name for v in CORPUS]


def test_the_checks_catch_what_they_are_for() -> None:
    # The structural checks must be able to fail, or every test below proves nothing.
    assert fragment_problems('<a href="https://ok.test/">x</a>')  # no rel/target
    assert fragment_problems('<a href="jav&#x09;ascript:alert(1)" rel="nofollow noopener '
                             'noreferrer" target="_blank">x</a>')
    assert fragment_problems("<p onclick=x>y</p>") and fragment_problems("<svg></svg>")
    assert page_problems("<p style='color:red'>x</p>")
    assert page_problems('<img src=x onerror="alert(1337)">')
    assert page_problems("<script>alert(1337)</script>")
    assert page_problems('<base href="https://1337.test/">')
    assert not page_problems("<script src=/static/app.js></script><p>&lt;script&gt;1337</p>")
    assert url_scheme(" \x0e JaVa\tScript:x") == "javascript:"
    assert url_scheme("/relative:path") == "" and url_scheme("https://a.test/") == "https:"


@pytest.mark.parametrize("vector", CORPUS, ids=IDS)
def test_sanitized_html_keeps_only_the_allow_list(vector: Vector) -> None:
    out = sanitize_html(vector.payload)
    assert fragment_problems(out) == [], (vector.source, out)
    assert page_problems(out) == [], (vector.source, out)


@pytest.mark.parametrize("vector", CORPUS, ids=IDS)
def test_markdown_of_a_local_author_keeps_only_the_allow_list(vector: Vector) -> None:
    out = markdown_to_html(vector.payload)
    assert fragment_problems(out) == [], (vector.source, out)
    assert page_problems(out) == [], (vector.source, out)


@pytest.mark.parametrize("vector", CORPUS, ids=IDS)
def test_plain_text_fields_are_text_once_escaped(vector: Vector) -> None:
    out = sanitize_text(vector.payload, 5000)
    assert "\n" not in out and "\t" not in out
    # Rendered as every template renders it (escaped): one text node, no element at all.
    rendered = elements_of(f"<p>{html.escape(out)}</p>")
    assert [(e.tag, e.attrs) for e in rendered] == [("p", ())]
    # Script and style bodies are dropped, not turned into visible text.
    if vector.payload.startswith(("<script>", "<ScRiPt>", "<style>")):
        assert MARKER not in out, out


@pytest.mark.parametrize("vector", CORPUS, ids=IDS)
def test_text_to_html_escapes_everything(vector: Vector) -> None:
    out = text_to_html(vector.payload)
    assert {e.tag for e in elements_of(out)} <= {"p", "br"}
    assert all(e.attrs == () for e in elements_of(out))


def test_the_whole_corpus_at_once_stays_inert() -> None:
    for out in (sanitize_html(ALL), markdown_to_html(ALL)):
        assert fragment_problems(out) == [] and page_problems(out) == []


@pytest.mark.parametrize("href", [
    "javascript:alert(1337)", "JAVASCRIPT:alert(1337)", " javascript:alert(1337)",
    "\x01javascript:alert(1337)", "jav\tascript:alert(1337)", "jav&#x09;ascript:alert(1337)",
    "jav&#x0A;ascript:alert(1337)", "&#106;avascript:alert(1337)",
    "&#x6A;avascript:alert(1337)", "javascript&colon;alert(1337)", "&#0000106avascript:x",
    "vbscript:msgbox(1337)", "data:text/html,<script>alert(1337)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=", "livescript:x", "file:///etc/passwd",
])
def test_every_obfuscation_of_an_unsafe_scheme_loses_its_link(href: str) -> None:
    for out in (sanitize_html(f'<a href="{href}">x</a>'), markdown_to_html(f"[x]({href})"),
                markdown_to_html(f"<{href}>")):
        links = [e for e in elements_of(out) if e.tag == "a"]
        assert all(url_scheme(dict(a.attrs).get("href", "")) not in UNSAFE_SCHEMES
                   for a in links), out
        assert all("href" not in dict(a.attrs) or dict(a.attrs)["href"].startswith(
            ("http://", "https://", "mailto:")) for a in links), out


def test_good_links_survive_with_rel_and_a_new_tab() -> None:
    for out in (sanitize_html('<p><a href="https://ok.test/a?b=1" class="mention" '
                              'target="_self" rel="opener">@a</a></p>'),
                markdown_to_html("[@a](https://ok.test/a?b=1)")):
        [link] = [e for e in elements_of(out) if e.tag == "a"]
        attrs = dict(link.attrs)
        assert attrs["href"] == "https://ok.test/a?b=1"
        assert attrs["rel"].split() == ["nofollow", "noopener", "noreferrer"]
        assert attrs["target"] == "_blank"
    mail = dict(elements_of(sanitize_html('<a href="mailto:a@ok.test">m</a>'))[0].attrs)
    assert mail["href"] == "mailto:a@ok.test"


def test_formatting_that_mastodon_allows_is_kept() -> None:
    out = sanitize_html("<p>a<br><strong>b</strong> <em>c</em> <code>d</code></p>"
                        '<blockquote><ol start="3"><li>e</li></ol></blockquote><h2>T</h2>'
                        '<span class="h-card"><a class="u-url mention" href="https://ok.test/'
                        '@x">@x</a></span>')
    tags = [e.tag for e in elements_of(out)]
    assert tags == ["p", "br", "strong", "em", "code", "blockquote", "ol", "li", "p",
                    "strong", "span", "a"]
    assert dict(elements_of(out)[6].attrs) == {"start": "3"}
    assert dict(elements_of(out)[10].attrs) == {"class": "h-card"}
    assert fragment_problems(out) == []


def test_escaped_markup_stays_text_and_is_not_decoded_into_tags() -> None:
    out = sanitize_html("&lt;script&gt;alert(1337)&lt;/script&gt; &amp;lt;b&amp;gt;")
    assert [e.tag for e in elements_of(out)] == []
    assert html.unescape(out) == "<script>alert(1337)</script> &lt;b&gt;"


@pytest.mark.parametrize("href", ["/admin/applications", "//1337.test/x", "#top",
                                  "jav%09ascript:alert(1337)", "?next=/logout"])
def test_relative_links_from_content_are_dropped_as_mastodon_drops_them(href: str) -> None:
    [link] = [e for e in elements_of(sanitize_html(f'<a href="{href}">x</a>')) if e.tag == "a"]
    assert "href" not in dict(link.attrs)


def test_generic_title_and_lang_attributes_are_not_kept() -> None:
    out = sanitize_html('<p title="Click to verify your account" lang="en">'
                        '<a href="https://ok.test/" title="x">y</a></p>')
    assert all(name not in ("title", "lang") for e in elements_of(out) for name, _ in e.attrs)


@pytest.mark.parametrize("vector", CORPUS, ids=IDS)
def test_search_snippets_mark_words_and_nothing_else(vector: Vector) -> None:
    # /search shows a snippet of the post's text as HTML: escaped text with <mark> only,
    # also when a searched word sits inside what was markup (entities decoded by plain_text).
    from content.search import highlight, plain_text

    for text in (plain_text(sanitize_html(vector.payload)), vector.payload):
        out = highlight(text, ("alert", "script", "img", "onerror"))
        assert {(e.tag, e.attrs) for e in elements_of(out)} <= {("mark", ())}, out
