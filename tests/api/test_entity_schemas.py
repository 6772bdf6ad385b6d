"""A schema check of every entity we render against Mastodon's documented fields: the
reference entities in tests/fixtures/mastodon_api (shaped as docs.joinmastodon.org gives
them) list the keys; every key not documented as optional must be in ours, with a compatible
JSON type (null only where Mastodon allows it), recursively through nested entities."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from actors.chapters import create_chapter
from actors.models import Actor, Follow
from actors.urls import LocalUrls
from content.ballots import open_ballot
from content.media import store_image
from content.models import Media, Notification, Post
from content.polls import create_poll_post
from content.posts import create_post
from content.reactions import boost_post, like_post
from core import clock
from core.settings import Settings
from tests.support.members import new_member
from web.api.entities import (
    account_entities,
    credential_account_entity,
    relationship_entities,
    tag_entity,
)
from web.api.entities_notifications import notification_entities
from web.api.entities_status import context_entity, media_entity, status_entities

REFERENCE = Path(__file__).parent.parent / "fixtures" / "mastodon_api"
RULES: dict[str, dict[str, Any]] = json.loads((REFERENCE / "rules.json").read_text())
H = timedelta(hours=1)


def reference(entity: str) -> Any:
    path = REFERENCE / f"{entity}.json"
    return json.loads(path.read_text()) if path.exists() else None


def nested_reference(parent: str, key: str, value: Any) -> tuple[str | None, Any]:
    """The entity a nested value is, and its reference (None for a plain hash or list)."""
    name = RULES[parent]["nested"].get(key)
    if name is None:
        return None, value
    ref = reference(name)
    if ref is None:  # an entity the reference shows only inside its parent (Status::Tag …)
        ref = value[0] if isinstance(value, list) and value else value
    return name, ref


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "str", list: "list", dict: "dict"}[type(value)]


def check(ours: Any, ref: Any, entity: str | None, path: str, problems: list[str]) -> None:
    """Compare one value of ours with the reference; `entity` names the rules in force."""
    if not isinstance(ref, dict) or not isinstance(ours, dict):
        return
    rules = RULES.get(entity or "", {"optional": [], "nullable": [], "nested": {}})
    for key, ref_value in ref.items():
        where = f"{path}.{key}"
        if key not in ours:
            if key not in rules["optional"]:
                problems.append(f"{where}: missing")
            continue
        value = ours[key]
        name, nested_ref = nested_reference(entity, key, ref_value) if entity in RULES else (
            None, ref_value)
        if value is None:
            if key not in rules["nullable"]:
                problems.append(f"{where}: null where Mastodon does not allow it")
            continue
        if ref_value is not None and json_type(value) != json_type(ref_value):
            problems.append(f"{where}: {json_type(value)}, documented {json_type(ref_value)}")
            continue
        if isinstance(value, dict):
            check(value, nested_ref, name, where, problems)
        elif isinstance(value, list):
            item_ref = nested_ref[0] if isinstance(nested_ref, list) and nested_ref else (
                nested_ref if isinstance(nested_ref, dict) else None)
            for i, item in enumerate(value):
                if item_ref is not None and json_type(item) != json_type(item_ref):
                    problems.append(f"{where}[{i}]: {json_type(item)}, documented "
                                    f"{json_type(item_ref)}")
                elif isinstance(item, dict):
                    check(item, item_ref, name, f"{where}[{i}]", problems)


def assert_matches(entity: str, values: list[Any]) -> None:
    problems: list[str] = []
    for i, value in enumerate(values):
        check(value, reference(entity), entity, f"{entity}[{i}]", problems)
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_missing_key_a_wrong_type_and_a_forbidden_null() -> None:
    bad = reference("status")
    del bad["account"]["acct"]
    bad["reblogs_count"] = "4"
    bad["media_attachments"][0]["url"] = None
    bad["poll"]["options"][0]["votes_count"] = None  # allowed: hidden until the close
    problems: list[str] = []
    check(bad, reference("status"), "status", "status", problems)
    assert sorted(problems) == sorted([
        "status.account.acct: missing",
        "status.reblogs_count: str, documented number",
        "status.media_attachments[0].url: null where Mastodon does not allow it",
    ])


async def test_every_entity_matches_the_documented_fields(database: str, settings: Settings,
                                                          tmp_path: Path) -> None:
    urls = LocalUrls(settings.server.base_url)
    base = settings.server.base_url
    alice = await new_member(settings, "alice")
    root = await new_member(settings, "root", role="admin")
    chapter = await Actor.get(id=(await create_chapter("Greens", "greens")).actor_id)  # type: ignore[attr-defined]
    bob = await Actor.create(username="bob", domain="remote.test",
                             acct_key=Actor.key_for("bob", "remote.test"),
                             uri="https://remote.test/users/bob", inbox="https://remote.test/i")
    await Follow.create(follower=bob, followed=alice, state="accepted", uri="https://x.test/1")
    note = await create_post(urls, alice, "Hello #Greens", tags=["Greens"], mentions=[bob],
                             summary="cw")
    reply = await create_post(urls, root, "Reply", in_reply_to=note, visibility="followers")
    image = _png()
    media = await store_image(settings.data_dir, alice, image, "A red square")
    await Media.filter(id=media.id).update(post_id=note.id)
    remote_media = await Media.create(content_type="image/jpeg", post=reply,
                                      remote_url="https://remote.test/m.jpg")
    article = await create_post(urls, alice, "Body", kind="article", title="T", summary="S")
    poll = await create_poll_post(urls, alice, "Q?", ["a", "b"], True, clock.now() + H, True,
                                  "public")
    now = clock.now()
    ballot = await open_ballot(urls, root, chapter=None, title="B", description="d",
                               method="single", proposals_at=now - H, amendments_at=None,
                               voting_at=now + H, ends_at=now + 2 * H,
                               proposals=[("P1", "x"), ("P2", "y")])
    ballot_post = await Post.get(id=ballot.post_id)  # type: ignore[attr-defined]
    await like_post(urls, root, note)
    boost = await boost_post(urls, root, note)
    assert remote_media.remote_url

    items: list[Any] = [note, reply, article, poll, ballot_post, boost]
    for viewer in (None, alice):
        assert_matches("status", await status_entities(items, base_url=base, viewer=viewer))
    assert_matches("account", await account_entities([alice, chapter, bob], base_url=base))
    assert_matches("credential_account", [await credential_account_entity(root, base_url=base)])
    assert_matches("relationship", await relationship_entities(alice, [bob, chapter, root]))
    assert_matches("media_attachment", [media_entity(m, base_url=base)
                                        for m in await Media.all()])
    tag = (await note.post_tags.all().prefetch_related("tag"))[0].tag
    assert_matches("tag", [tag_entity(tag, base_url=base, following=False)])
    assert_matches("context", [await context_entity(reply, base_url=base, viewer=alice)])
    rows = await Notification.all()
    entities = await notification_entities(rows, base_url=base, viewer=alice)
    assert {e["type"] for e in entities} >= {"favourite", "reblog", "mention"}
    assert_matches("notification", entities)
    assert_matches("poll", [s["poll"] for s in await status_entities(
        [poll, ballot_post], base_url=base, viewer=root)])


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()
