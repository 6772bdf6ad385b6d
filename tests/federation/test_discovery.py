"""WebFinger (client and JRD builder), NodeInfo and host-meta."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from federation import (
    FederationClient,
    ParseError,
    WebFingerError,
    build_host_meta_json,
    build_host_meta_xml,
    build_jrd,
    build_nodeinfo,
    fetch_nodeinfo,
    nodeinfo_links,
    parse_acct,
    parse_host_meta_xml,
    parse_nodeinfo,
    resolve_acct,
)

MakeClient = Callable[..., FederationClient]


@pytest.mark.parametrize(("text", "user", "domain"), [
    ("alice@social.test", "alice", "social.test"),
    ("@alice@Social.Test", "alice", "social.test"),
    ("acct:alice@social.test", "alice", "social.test"),
    ("acct:alice@social.test:8443", "alice", "social.test:8443"),
    ("alice.b_c-d@bücher.example", "alice.b_c-d", "xn--bcher-kva.example"),
])
def test_parse_acct(text: str, user: str, domain: str) -> None:
    acct = parse_acct(text)
    assert (acct.user, acct.domain) == (user, domain)


@pytest.mark.parametrize("text", ["alice", "@alice", "alice@", "a/b@host.test",
                                  "alice@host.test:0", "alice@host.test.", "alice@bad host"])
def test_parse_acct_refuses(text: str) -> None:
    with pytest.raises(ParseError):
        parse_acct(text)


def _jrd(actor: str, subject: str = "acct:alice@social.test") -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "application/jrd+json"},
                          content=json.dumps({
                              "subject": subject,
                              "aliases": [actor],
                              "links": [
                                  {"rel": "http://webfinger.net/rel/profile-page",
                                   "type": "text/html", "href": "https://social.test/@alice"},
                                  {"rel": "self", "type": "application/activity+json",
                                   "href": actor},
                              ]}).encode())


async def test_resolve_acct(mock_client: MakeClient) -> None:
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return _jrd("https://social.test/users/alice")

    result = await resolve_acct(mock_client(handler), "@alice@social.test")
    assert result.actor_url == "https://social.test/users/alice"
    assert result.profile_page == "https://social.test/@alice"
    assert asked[0].url.path == "/.well-known/webfinger"
    assert parse_qs(asked[0].url.query.decode())["resource"] == ["acct:alice@social.test"]


async def test_resolve_acct_with_port(mock_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.port == 8443
        return _jrd("https://social.test:8443/users/alice")

    result = await resolve_acct(mock_client(handler), "alice@social.test:8443")
    assert result.actor_url == "https://social.test:8443/users/alice"


async def test_webfinger_pointing_to_another_host_is_refused(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: _jrd("https://attacker.test/users/alice"))
    with pytest.raises(WebFingerError, match=r"not on social\.test"):
        await resolve_acct(client, "alice@social.test")
    # A caller that will verify the backlink itself may opt in.
    result = await resolve_acct(client, "alice@social.test", allow_other_host=True)
    assert result.actor_url == "https://attacker.test/users/alice"


async def test_webfinger_without_activitypub_link(mock_client: MakeClient) -> None:
    client = mock_client(lambda r: httpx.Response(200, json={
        "subject": "acct:alice@social.test",
        "links": [{"rel": "self", "type": "text/html", "href": "https://social.test/"}]}))
    with pytest.raises(WebFingerError, match="no ActivityPub self link"):
        await resolve_acct(client, "alice@social.test")


def test_build_jrd() -> None:
    jrd = build_jrd(parse_acct("alice@our.test"), "https://our.test/users/alice",
                    profile_url="https://our.test/@alice",
                    subscribe_template="https://our.test/authorize_interaction?uri={uri}")
    assert jrd["subject"] == "acct:alice@our.test"
    assert jrd["aliases"] == ["https://our.test/users/alice", "https://our.test/@alice"]
    rels = {link["rel"]: link for link in jrd["links"]}
    assert rels["self"] == {"rel": "self", "type": "application/activity+json",
                            "href": "https://our.test/users/alice"}
    assert rels["http://ostatus.org/schema/1.0/subscribe"]["template"].endswith("{uri}")
    assert rels["http://webfinger.net/rel/profile-page"]["type"] == "text/html"


def test_nodeinfo_documents() -> None:
    links = nodeinfo_links("https://our.test/")
    assert [link["href"] for link in links["links"]] == [
        "https://our.test/nodeinfo/2.1", "https://our.test/nodeinfo/2.0"]
    doc = build_nodeinfo("2.1", software_name="chapterhouse", software_version="0.1.0",
                         users_total=10, users_active_month=4, users_active_halfyear=7,
                         local_posts=99, open_registrations=False,
                         repository="https://example.org/chapterhouse",
                         metadata={"nodeName": "Org"})
    assert doc["software"]["repository"] == "https://example.org/chapterhouse"
    read = parse_nodeinfo(doc)
    assert (read.software_name, read.users_total, read.users_active_month,
            read.users_active_halfyear, read.local_posts, read.open_registrations) == (
        "chapterhouse", 10, 4, 7, 99, False)
    assert read.metadata["nodeName"] == "Org"
    old = build_nodeinfo("2.0", software_name="chapterhouse", software_version="1",
                         users_total=1, users_active_month=1, users_active_halfyear=1,
                         local_posts=0, open_registrations=True, repository="https://x.test")
    assert "repository" not in old["software"] and old["version"] == "2.0"
    with pytest.raises(ValueError, match="software name"):
        build_nodeinfo("2.0", software_name="Chapter House", software_version="1",
                       users_total=0, users_active_month=0, users_active_halfyear=0,
                       local_posts=0, open_registrations=True)


def test_nodeinfo_reader_is_tolerant() -> None:
    read = parse_nodeinfo({"version": "2.0", "software": "weird",
                           "usage": {"users": {"total": "12", "activeMonth": -3}},
                           "protocols": {"inbound": ["activitypub"]}, "metadata": []})
    assert read.software_name is None
    assert read.users_total == 12 and read.users_active_month is None
    assert read.protocols == ("activitypub",)
    assert read.metadata == {}


async def test_fetch_nodeinfo_prefers_2_1(mock_client: MakeClient) -> None:
    docs: dict[str, Any] = {
        "/.well-known/nodeinfo": {"links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
             "href": "https://remote.test/nodeinfo/2.0"},
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
             "href": "https://remote.test/nodeinfo/2.1"}]},
        "/nodeinfo/2.1": {"version": "2.1", "software": {"name": "mastodon", "version": "4.3"},
                          "usage": {"users": {"total": 5}}, "openRegistrations": True},
    }
    client = mock_client(lambda r: httpx.Response(200, json=docs[r.url.path]))
    info = await fetch_nodeinfo(client, "remote.test")
    assert (info.software_name, info.version, info.users_total) == ("mastodon", "2.1", 5)


def test_host_meta() -> None:
    xml = build_host_meta_xml("https://our.test")
    assert parse_host_meta_xml(xml) == "https://our.test/.well-known/webfinger?resource={uri}"
    assert build_host_meta_json("https://our.test/")["links"][0]["template"] == (
        "https://our.test/.well-known/webfinger?resource={uri}")


@pytest.mark.parametrize("xml", [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="lrdd" '
    'template="&lol2;"/></XRD>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="lrdd" '
    'template="&xxe;"/></XRD>',
    "<XRD><unclosed>",
])
def test_host_meta_refuses_dtds_and_garbage(xml: str) -> None:
    with pytest.raises(ParseError):
        parse_host_meta_xml(xml)
