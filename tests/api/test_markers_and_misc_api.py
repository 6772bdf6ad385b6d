"""The endpoints apps call as they start: markers (saved from JSON and forms, versions that
grow, one member's markers not another's), preferences, custom emojis, filters (listed
empty, creating refused), announcements, trends and followed tags; tokens and scopes."""

from __future__ import annotations

import httpx

from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import check

M = "/api/v1/markers"
MARKER = {"last_read_id": "1", "version": 1, "updated_at": "2024-01-01T00:00:00.000Z"}


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def assert_shape(ours: object, reference: object) -> None:
    problems: list[str] = []
    check(ours, reference, None, "entity", problems)
    assert not problems, problems


async def test_markers_saved_and_read(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await token_for(client, settings, "read write")
    both = {"timeline[]": ["home", "notifications"]}
    assert (await client.get(M, params=both, headers=auth(token))).json() == {}
    saved = await client.post(M, json={"home": {"last_read_id": "103"},
                                       "notifications": {"last_read_id": 7}},
                              headers=auth(token))
    assert saved.status_code == 200, saved.text
    assert set(saved.json()) == {"home", "notifications"}
    assert saved.json()["home"]["last_read_id"] == "103"
    assert saved.json()["home"]["version"] == 1
    assert_shape(saved.json()["home"], MARKER)
    form = await client.post(f"{M}/", data={"home[last_read_id]": "110"}, headers=auth(token))
    assert form.status_code == 200 and set(form.json()) == {"home"}
    assert form.json()["home"]["version"] == 2
    read = await client.get(M, params=both, headers=auth(token))
    assert "private" in read.headers["cache-control"]
    assert read.json()["home"]["last_read_id"] == "110"
    assert read.json()["notifications"]["last_read_id"] == "7"
    only_home = await client.get(M, params={"timeline[]": ["home", "bogus"]},
                                 headers=auth(token))
    assert set(only_home.json()) == {"home"}
    bob = await token_for(client, settings, "read write", "bob")
    assert (await client.get(M, params=both, headers=auth(bob))).json() == {}


async def test_markers_refusals(client: httpx.AsyncClient, settings: Settings) -> None:
    reader = await token_for(client, settings, "read")
    assert (await client.get(M)).status_code == 401
    assert (await client.post(M, json={"home": {"last_read_id": "1"}})).status_code == 401
    refused = await client.post(M, json={"home": {"last_read_id": "1"}}, headers=auth(reader))
    assert refused.status_code == 403
    writer = await token_for(client, settings, "write:statuses read:accounts", "bob")
    assert (await client.get(M, headers=auth(writer))).status_code == 403
    for body in ({}, {"home": {"last_read_id": "abc"}}, {"home": "5"},
                 {"notifications": {"last_read_id": None}, "home": []}):
        answer = await client.post(M, json=body, headers=auth(writer))
        assert answer.status_code == 422, body
        assert answer.json()["error"].startswith("Validation failed")


async def test_preferences(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await token_for(client, settings, "read:accounts")
    answer = await client.get("/api/v1/preferences", headers=auth(token))
    assert answer.status_code == 200
    assert answer.json() == {"posting:default:visibility": "public",
                             "posting:default:sensitive": False,
                             "posting:default:language": None,
                             "reading:expand:media": "default",
                             "reading:expand:spoilers": False}
    assert (await client.get("/api/v1/preferences")).status_code == 401
    other = await token_for(client, settings, "read:statuses", "bob")
    assert (await client.get("/api/v1/preferences/", headers=auth(other))).status_code == 403


async def test_empty_lists_apps_ask_for(client: httpx.AsyncClient, settings: Settings) -> None:
    for path in ("/api/v1/custom_emojis", "/api/v1/trends/tags", "/api/v1/trends/statuses",
                 "/api/v1/trends/links", "/api/v1/trends/"):
        answer = await client.get(path)
        assert answer.status_code == 200 and answer.json() == [], path
    token = await token_for(client, settings, "read")
    for path in ("/api/v1/announcements", "/api/v1/followed_tags", "/api/v2/filters",
                 "/api/v1/filters/"):
        assert (await client.get(path)).status_code == 401, path
        answer = await client.get(path, headers=auth(token))
        assert answer.status_code == 200 and answer.json() == [], path
        assert "link" not in answer.headers
    profile = await token_for(client, settings, "profile", "bob")
    for path in ("/api/v1/announcements", "/api/v1/followed_tags", "/api/v2/filters"):
        assert (await client.get(path, headers=auth(profile))).status_code == 403, path


async def test_filters_cannot_be_made_yet(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await token_for(client, settings, "read write")
    for path in ("/api/v2/filters", "/api/v1/filters"):
        made = await client.post(path, json={"title": "x", "context": ["home"]},
                                 headers=auth(token))
        assert made.status_code == 422
        assert made.json() == {"error": "Filters are not supported yet"}
    missing = await client.get("/api/v2/filters/12", headers=auth(token))
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    reader = await token_for(client, settings, "read", "bob")
    assert (await client.post("/api/v2/filters", json={"title": "x"},
                              headers=auth(reader))).status_code == 403
