"""The one HTML policy: Mastodon's allow-list, forced link attributes, Markdown."""

from __future__ import annotations

import pytest

from content.html import markdown_to_html, sanitize_html, sanitize_text


def test_allowed_formatting_is_kept() -> None:
    html = "<p>a<br><strong>b</strong> <em>c</em> <code>d</code></p><ul><li>e</li></ul>"
    assert sanitize_html(html) == html


def test_links_are_forced_safe() -> None:
    out = sanitize_html('<a href="https://x.test/" rel="me" target="_self" class="mention x">m</a>')
    assert out == ('<a href="https://x.test/" class="mention" target="_blank" '
                   'rel="nofollow noopener noreferrer">m</a>')


@pytest.mark.parametrize("href", ["javascript:alert(1)", "data:text/html,x", "vbscript:x",
                                  "file:///etc/passwd"])
def test_only_web_and_mail_links(href: str) -> None:
    assert "href" not in sanitize_html(f'<a href="{href}">x</a>')
    assert "href" in sanitize_html('<a href="mailto:a@b.test">x</a>')


def test_headings_become_bold_paragraphs() -> None:
    assert sanitize_html('<h1 id="x">Title</h1>') == "<p><strong>Title</strong></p>"


def test_markdown_is_rendered_and_raw_html_escaped() -> None:
    out = markdown_to_html("# Hi\n\n*x* <script>a</script> [bad](javascript:x)")
    assert out.startswith("<p><strong>Hi</strong></p>")
    assert "<em>x</em>" in out and "<script" not in out and "&lt;script&gt;" in out
    assert "href" not in out  # the javascript: link stays text


def test_plain_text_fields_lose_their_tags() -> None:
    assert sanitize_text("<b>Tom &amp; Jerry</b><script>x</script>", 100) == "Tom & Jerry"
    assert sanitize_text("a" * 50, 10) == "a" * 10
