"""Editing statuses through the Mastodon API: PUT with the edit history apps show, the
Idempotency-Key that keeps a retried post from posting twice, and a reblog opened by its id."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from content.models import Post
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches

S = "/api/v1/statuses"


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def post(client: httpx.AsyncClient, token: str, **body: object) -> dict[str, object]:
    answer = await client.post(S, json=body, headers=auth(token))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_edit_then_read_the_history(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    made = await post(client, alice, status="Meeting at 6", spoiler_text="local")
    assert made["edited_at"] is None
    edited = await client.put(f"{S}/{made['id']}/", headers=auth(alice),
                              json={"status": "Meeting at *7*", "spoiler_text": "local news"})
    assert edited.status_code == 200, edited.text
    status = edited.json()
    assert "<em>7</em>" in status["content"] and status["spoiler_text"] == "local news"
    assert status["edited_at"] is not None and status["id"] == made["id"]
    assert_matches("status", [status])
    # A form edit without a content warning removes it (Mastodon replaces every field).
    again = await client.put(f"{S}/{made['id']}", headers=auth(alice),
                             data={"status": "Meeting at 8"})
    assert again.status_code == 200 and again.json()["spoiler_text"] == ""
    history = await client.get(f"{S}/{made['id']}/history")
    assert history.status_code == 200
    edits = history.json()
    assert [e["spoiler_text"] for e in edits] == ["local", "local news", ""]
    assert ["6" in edits[0]["content"], "<em>7</em>" in edits[1]["content"],
            "8" in edits[2]["content"]] == [True, True, True]
    assert edits[0]["created_at"] == made["created_at"]
    assert edits[-1]["created_at"] == again.json()["edited_at"]
    for edit in edits:
        assert edit["account"]["id"] == made["account"]["id"]  # type: ignore[index]
        assert isinstance(edit["media_attachments"], list) and edit["sensitive"] is True
    source = (await client.get(f"{S}/{made['id']}/source", headers=auth(alice))).json()
    assert source["text"] == "Meeting at 8"


async def test_a_status_never_edited_has_its_one_version(client: httpx.AsyncClient,
                                                        settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    made = await post(client, alice, status="Once")
    edits = (await client.get(f"{S}/{made['id']}/history", headers=auth(alice))).json()
    assert len(edits) == 1 and "Once" in edits[0]["content"]


async def test_edit_refusals(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    reader = await token_for(client, settings, "read")
    bob = await token_for(client, settings, "read write", "bob")
    made = await post(client, alice, status="mine")
    secret = await post(client, alice, status="only mentioned", visibility="direct")
    url = f"{S}/{made['id']}"
    assert (await client.put(url, json={"status": "x"})).status_code == 401
    assert (await client.put(url, json={"status": "x"}, headers=auth(reader))).status_code == 403
    # another member's status, visible or not, and a missing id: all "Record not found"
    for target in (made["id"], secret["id"], "123456789", "abc"):
        answer = await client.put(f"{S}/{target}", json={"status": "x"}, headers=auth(bob))
        assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    history = await client.get(f"{S}/{secret['id']}/history", headers=auth(bob))
    assert history.status_code == 404
    for body in ({"status": ""}, {"status": ["x"]},
                 {"status": "x", "media_ids": "nope"}, {"status": "x", "sensitive": "maybe"}):
        answer = await client.put(url, json=body, headers=auth(alice))
        assert answer.status_code == 422 and answer.json()["error"], body
    assert (await Post.get(id=int(str(made["id"])))).source == "mine"


async def test_a_poll_may_be_sent_back_unchanged_but_not_changed(
        client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    made = await post(client, alice, status="Day?", poll={"options": ["Mon", "Fri"],
                                                          "expires_in": 3600})
    url = f"{S}/{made['id']}"
    same = await client.put(url, headers=auth(alice), json={
        "status": "Which day?", "poll": {"options": ["Mon", "Fri"], "expires_in": 3600}})
    assert same.status_code == 200, same.text
    assert [o["title"] for o in same.json()["poll"]["options"]] == ["Mon", "Fri"]
    changed = await client.put(url, headers=auth(alice), json={
        "status": "Which day?", "poll": {"options": ["Mon", "Sat"], "expires_in": 3600}})
    assert changed.status_code == 422 and "poll" in changed.json()["error"]
    plain = await post(client, alice, status="no poll")
    added = await client.put(f"{S}/{plain['id']}", headers=auth(alice), json={
        "status": "now a poll", "poll": {"options": ["a", "b"], "expires_in": 60}})
    assert added.status_code == 422


async def test_the_same_idempotency_key_posts_once(client: httpx.AsyncClient,
                                                  settings: Settings) -> None:
    alice = await token_for(client, settings, "write:statuses")
    headers = {**auth(alice), "idempotency-key": "retry-1"}
    first, second = await asyncio.gather(
        client.post(S, json={"status": "only once"}, headers=headers),
        client.post(S, json={"status": "only once"}, headers=headers))
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    third = await client.post(S, json={"status": "only once"}, headers=headers)
    assert third.json()["id"] == first.json()["id"]
    assert await Post.filter(source="only once").count() == 1
    other = await client.post(S, json={"status": "only once"},
                              headers={**auth(alice), "idempotency-key": "retry-2"})
    assert other.json()["id"] != first.json()["id"]
    # the same key from another member is theirs
    bob = await token_for(client, settings, "write:statuses", "bob")
    bobs = await client.post(S, json={"status": "only once"},
                             headers={**auth(bob), "idempotency-key": "retry-1"})
    assert bobs.json()["account"]["username"] == "bob"
    too_long = await client.post(S, json={"status": "x"},
                                 headers={**auth(alice), "idempotency-key": "k" * 300})
    assert too_long.status_code == 422


@pytest.mark.parametrize("visibility", ["public", "private"])
async def test_a_reblog_is_served_by_its_id(client: httpx.AsyncClient, settings: Settings,
                                            visibility: str) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    made = await post(client, alice, status="share me")
    reblog = await client.post(f"{S}/{made['id']}/reblog", headers=auth(bob))
    wrapper = reblog.json()
    assert wrapper["id"] != made["id"]
    shown = await client.get(f"{S}/{wrapper['id']}", headers=auth(bob))
    assert shown.status_code == 200
    assert shown.json()["reblog"]["id"] == made["id"]
    assert shown.json()["account"]["username"] == "bob"
    assert_matches("status", [shown.json()])
    if visibility == "private":  # the boosted post deleted: its reblog is gone with it
        await client.delete(f"{S}/{made['id']}", headers=auth(alice))
        assert (await client.get(f"{S}/{wrapper['id']}")).status_code == 404
