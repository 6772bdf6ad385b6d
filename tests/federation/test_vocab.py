"""Tolerant readers, caps, refused JSON-LD constructs, and to_ap/from_ap round trips."""

from __future__ import annotations

from typing import Any

import pytest

from federation import (
    PUBLIC,
    Activity,
    Actor,
    APObject,
    Collection,
    ParseError,
    Tombstone,
    UnsupportedType,
    as_list,
    id_of,
    is_public,
    parse_document,
)
from federation.vocab.base import (
    MAX_ATTACHMENTS,
    MAX_CONTENT_LENGTH,
    MAX_NAME_LENGTH,
    MAX_POLL_OPTIONS,
    MAX_TAGS,
)
from federation.vocab.context import is_as_media_type

NOTE: dict[str, Any] = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://remote.test/notes/1",
    "type": "Note",
    "attributedTo": "https://remote.test/users/alice",
    "to": ["as:Public"],
    "content": "<p>hello</p>",
}


def test_as_list_and_id_of() -> None:
    assert as_list(None) == []
    assert as_list("a") == ["a"]
    assert as_list(["a", "b"]) == ["a", "b"]
    assert id_of("https://a.test/x") == "https://a.test/x"
    assert id_of({"id": "https://a.test/x", "type": "Note"}) == "https://a.test/x"
    assert id_of({"type": "Link", "href": "https://a.test/l"}) == "https://a.test/l"
    assert id_of([{"type": "Mention"}, "https://a.test/y"]) == "https://a.test/y"
    assert id_of({"type": "Note"}) is None
    assert id_of(42) is None


@pytest.mark.parametrize("spelling", [PUBLIC, "as:Public", "Public"])
def test_public_in_every_spelling(spelling: str) -> None:
    assert is_public([spelling])
    note = APObject.from_ap({**NOTE, "to": spelling})
    assert note.to == (PUBLIC,)


def test_not_public() -> None:
    assert not is_public(["https://remote.test/users/alice/followers"])
    assert not is_public(None)
    assert not is_public("https://www.w3.org/ns/activitystreams#Publicity")


@pytest.mark.parametrize("keyword", ["@graph", "@included", "@reverse"])
def test_jsonld_constructs_are_refused(keyword: str) -> None:
    with pytest.raises(ParseError, match=keyword):
        parse_document({**NOTE, keyword: [{"id": "https://victim.test/x"}]})


@pytest.mark.parametrize("context", [
    "https://www.w3.org/ns/activitystreams",
    ["https://www.w3.org/ns/activitystreams", {"toot": "http://joinmastodon.org/ns#"}],
    {"@vocab": "https://www.w3.org/ns/activitystreams"},
])
def test_context_variants_do_not_matter(context: Any) -> None:
    assert APObject.from_ap({**NOTE, "@context": context}).content == "<p>hello</p>"


def test_embedded_author_object_and_list() -> None:
    note = APObject.from_ap({**NOTE, "attributedTo": [
        {"type": "Person", "id": "https://remote.test/users/bob"},
        "https://remote.test/users/carol"]})
    assert note.author == "https://remote.test/users/bob"
    assert note.attributed_to[1] == "https://remote.test/users/carol"


def test_language_maps_fill_missing_plain_values() -> None:
    note = APObject.from_ap({**NOTE, "content": None,
                             "contentMap": {"fr": "<p>bonjour</p>", "en": "<p>hi</p>"},
                             "nameMap": {"de": "Titel"}})
    assert note.content == "<p>bonjour</p>"
    assert note.content_map == {"fr": "<p>bonjour</p>", "en": "<p>hi</p>"}
    assert note.name == "Titel"


def test_text_caps_truncate() -> None:
    note = APObject.from_ap({**NOTE, "content": "x" * (MAX_CONTENT_LENGTH + 50),
                             "name": "n" * 100_000})
    assert note.content is not None and len(note.content) == MAX_CONTENT_LENGTH
    assert note.name is not None and len(note.name) == MAX_NAME_LENGTH


def test_list_caps_truncate() -> None:
    tags = [{"type": "Hashtag", "name": f"#t{i}", "href": f"https://remote.test/tags/t{i}"}
            for i in range(10_000)]
    atts = [{"type": "Image", "url": f"https://remote.test/{i}.png"} for i in range(1000)]
    note = APObject.from_ap({**NOTE, "tag": tags, "attachment": atts})
    assert len(note.tags) == MAX_TAGS
    assert len(note.attachments) == MAX_ATTACHMENTS


def test_poll_with_too_many_options_is_refused() -> None:
    options = [{"type": "Note", "name": str(i)} for i in range(MAX_POLL_OPTIONS + 1)]
    with pytest.raises(ParseError, match="options"):
        APObject.from_ap({**NOTE, "type": "Question", "anyOf": options})


def test_overlong_identifiers_are_refused() -> None:
    with pytest.raises(ParseError):
        APObject.from_ap({**NOTE, "id": "https://remote.test/" + "a" * 5000})
    with pytest.raises(ParseError):
        Actor.from_ap({"id": "https://remote.test/u", "type": "Person",
                       "inbox": "https://remote.test/inbox", "preferredUsername": "u" * 300})


def test_missing_essentials_are_refused() -> None:
    with pytest.raises(ParseError):
        APObject.from_ap({k: v for k, v in NOTE.items() if k != "id"})
    with pytest.raises(ParseError):
        Actor.from_ap({"id": "https://remote.test/u", "type": "Person"})  # no inbox
    with pytest.raises(ParseError):
        Activity.from_ap({"id": "https://remote.test/a", "type": "Like",
                          "object": "https://remote.test/notes/1"})  # no actor
    with pytest.raises(ParseError):
        APObject.from_ap(["not", "an", "object"])
    with pytest.raises(UnsupportedType):
        parse_document({"id": "https://remote.test/x", "type": "ChessMove"})


def test_userinfo_ids_are_refused() -> None:
    with pytest.raises(ParseError):
        APObject.from_ap({**NOTE, "id": "https://remote.test@victim.test/notes/1"})


def test_question_any_of_with_closed_and_voters() -> None:
    poll = APObject.from_ap({**NOTE, "type": "Question", "closed": "2024-01-02T03:04:05Z",
                             "votersCount": 7, "endTime": "2024-01-02T03:04:05Z",
                             "anyOf": [{"type": "Note", "name": "a",
                                        "replies": {"type": "Collection", "totalItems": 5}},
                                       {"type": "Note", "name": "b"}]})
    assert poll.multiple_choice
    assert [(o.name, o.votes) for o in poll.options] == [("a", 5), ("b", None)]
    assert poll.voters_count == 7
    assert poll.closed is not None and poll.closed == poll.end_time


def test_article_with_fep_b2b8_preview() -> None:
    article = APObject.from_ap({**NOTE, "type": "Article", "name": "Title",
                                "summary": "Short", "url": "https://remote.test/blog/1",
                                "preview": {"type": "Note", "content": "<p>teaser</p>"}})
    assert article.preview is not None and article.preview.content == "<p>teaser</p>"
    assert article.to_ap()["preview"]["type"] == "Note"


def test_activity_types() -> None:
    move = Activity.from_ap({"id": "https://old.test/a/1", "type": "Move",
                             "actor": "https://old.test/users/a",
                             "object": "https://old.test/users/a",
                             "target": "https://new.test/users/a"})
    assert move.target == "https://new.test/users/a"
    flag = Activity.from_ap({"id": "https://mod.test/f/1", "type": "Flag",
                             "actor": "https://mod.test/actor", "content": "spam",
                             "object": ["https://remote.test/users/a",
                                        "https://remote.test/notes/1"]})
    assert flag.object_ids == ("https://remote.test/users/a", "https://remote.test/notes/1")
    delete = Activity.from_ap({"id": "https://remote.test/d/1", "type": "Delete",
                               "actor": "https://remote.test/users/a",
                               "object": {"id": "https://remote.test/notes/1",
                                          "type": "Tombstone"}})
    assert isinstance(delete.object, Tombstone)
    assert delete.object_id == "https://remote.test/notes/1"


def test_round_trips() -> None:
    note = APObject.from_ap({**NOTE, "cc": ["https://remote.test/users/alice/followers"],
                             "sensitive": True, "summary": "cw",
                             "published": "2024-05-06T07:08:09Z",
                             "source": {"content": "hello", "mediaType": "text/markdown"},
                             "tag": [{"type": "Hashtag", "name": "#x",
                                      "href": "https://remote.test/tags/x"}]})
    assert APObject.from_ap(note.to_ap()) == note
    actor = Actor.from_ap({"id": "https://remote.test/c/ch", "type": "Group",
                           "inbox": "https://remote.test/c/ch/inbox",
                           "endpoints": {"sharedInbox": "https://remote.test/inbox"},
                           "attributedTo": ["https://remote.test/users/mod"],
                           "publicKey": {"id": "https://remote.test/c/ch#main-key",
                                         "owner": "https://remote.test/c/ch",
                                         "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nx\n"}})
    assert Actor.from_ap(actor.to_ap()) == actor
    create = Activity.from_ap({"id": "https://remote.test/a/1", "type": "Create",
                               "actor": "https://remote.test/users/alice", "object": NOTE,
                               "to": [PUBLIC]})
    again = Activity.from_ap(create.to_ap())
    assert again.object == create.object and again.to == create.to


def test_collections() -> None:
    outbox = Collection.from_ap({
        "id": "https://remote.test/users/a/outbox", "type": "OrderedCollection",
        "totalItems": 3, "first": {"type": "OrderedCollectionPage",
                                   "id": "https://remote.test/users/a/outbox?page=1",
                                   "next": "https://remote.test/users/a/outbox?page=2",
                                   "orderedItems": ["https://remote.test/x",
                                                    {"id": "https://remote.test/y"}]}})
    assert outbox.ordered and outbox.total_items == 3
    assert outbox.first == "https://remote.test/users/a/outbox?page=1"
    assert outbox.first_page is not None
    assert outbox.first_page.item_ids == ("https://remote.test/x", "https://remote.test/y")
    assert outbox.first_page.next == "https://remote.test/users/a/outbox?page=2"
    page = Collection.from_ap({"type": "CollectionPage", "items": []})
    assert page.to_ap(with_context=False)["items"] == []


@pytest.mark.parametrize(("value", "ok"), [
    ("application/activity+json", True),
    ("application/activity+json; charset=utf-8", True),
    ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
    ("application/ld+json", False),
    ("application/json", False),
    ("text/html", False),
    ("image/png", False),
    (None, False),
])
def test_as_media_types(value: str | None, ok: bool) -> None:
    assert is_as_media_type(value) is ok
