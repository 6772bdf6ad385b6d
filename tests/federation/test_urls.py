"""Strict URL parsing, origins and same-origin checks (security catalogue item 17)."""

from __future__ import annotations

import pytest

from federation import ParseError, origin_of, parse_url, same_origin


@pytest.mark.parametrize(("url", "origin"), [
    ("https://Mastodon.Social/users/alice", "https://mastodon.social"),
    ("https://mastodon.social:443/x", "https://mastodon.social"),
    ("http://example.test:80/x", "http://example.test"),
    ("https://example.test:8443/x", "https://example.test:8443"),
    ("https://bücher.example/x", "https://xn--bcher-kva.example"),
    ("https://[2001:4860::1]/x", "https://[2001:4860::1]"),
    ("https://2130706433/", "https://127.0.0.1"),
    ("https://0177.0.0.1/", "https://127.0.0.1"),
    ("https://0x7f.1/", "https://127.0.0.1"),
])
def test_origin_is_normalised(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", [
    "https://victim.example@evil.example/",    # userinfo
    "https://evil.example\\@victim.example/",  # backslash
    "https://victim.example./users/a",         # trailing dot
    "https://victim..example/",                # empty label
    "https://vic%74im.example/",               # percent-encoded host
    "ftp://example.test/",
    "javascript:alert(1)",
    "https:///nohost",
    "https://example.test:0/",
    "https://example.test:99999/",
    "https://exa mple.test/",
    "https://example.test/" + "a" * 3000,
    "https://256.256.256.256/",
])
def test_tricky_urls_are_refused(url: str) -> None:
    with pytest.raises(ParseError):
        parse_url(url)


def test_path_confusion_does_not_change_the_host() -> None:
    # CVE-2023-42451: "mastodon.so/cial" must never compare equal to "mastodon.social".
    assert not same_origin("https://mastodon.so/cial/users/a", "https://mastodon.social/users/a")
    assert same_origin("https://MASTODON.social/a", "https://mastodon.social:443/b")
    assert not same_origin("https://a.example/", "http://a.example/")
    assert not same_origin("https://a.example/", "https://a.example:8443/")
    assert not same_origin("https://a.example./", "https://a.example/")


def test_parsed_url_parts() -> None:
    parsed = parse_url("https://Example.test:8443/p/a?x=1&y=2#frag")
    assert parsed.authority == "example.test:8443"
    assert parsed.path_and_query == "/p/a?x=1&y=2"
    assert parse_url("https://example.test").path_and_query == "/"
