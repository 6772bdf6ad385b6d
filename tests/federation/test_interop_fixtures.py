"""Every real payload kept under tests/fixtures/interop parses, and deletions and reports read
as the software meant them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation import Activity, id_of, is_public, parse_document

INTEROP = Path(__file__).resolve().parents[1] / "fixtures" / "interop"
FILES = sorted(INTEROP.glob("*/*.json"))


def load(name: str) -> dict[str, object]:
    return json.loads((INTEROP / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_interop_payload_parses(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_document(doc)
    assert parsed.id == doc["id"]


def test_enough_software_is_represented() -> None:
    assert {p.parent.name for p in FILES} >= {"mastodon", "gotosocial", "lemmy", "misskey",
                                              "pleroma"}


def test_a_mastodon_delete_names_the_status_through_its_tombstone() -> None:
    delete = Activity.from_ap(load("mastodon/delete.json"))
    assert delete.type == "Delete"
    assert delete.actor == "https://mastodon.madrid/users/felix"
    assert delete.object_id == "https://mastodon.madrid/users/felix/statuses/107773559874184870"
    assert is_public(delete.to)


def test_a_lemmy_delete_names_the_post_by_id() -> None:
    delete = Activity.from_ap(load("lemmy/delete_page.json"))
    assert delete.object_id == "http://ds9.lemmy.ml/post/1"
    assert delete.actor == "http://ds9.lemmy.ml/u/lemmy_alpha"


def test_a_mastodon_report_names_an_account_and_its_posts() -> None:
    doc = load("mastodon/flag.json")
    flag = Activity.from_ap(doc)
    assert flag.type == "Flag" and flag.actor == "https://mastodon.example/actor"
    assert [id_of(o) for o in doc["object"]] == [  # type: ignore[attr-defined]
        "https://example.com/users/1",
        "https://example.com/posts/380590",
        "https://example.com/posts/380591",
    ]
