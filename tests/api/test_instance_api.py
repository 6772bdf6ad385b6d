"""Instance v1 and v2 as Mastodon apps read them: version, api_versions, our real limits,
registrations, with and without the trailing slash Mastodon.py sends."""

from __future__ import annotations

import re

import httpx
import pytest

from content import media, polls
from content.posts import SOURCE_MAX
from core.settings import Settings


@pytest.mark.parametrize("path", ["/api/v2/instance", "/api/v2/instance/"])
async def test_instance_v2(client: httpx.AsyncClient, settings: Settings, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 200
    doc = answer.json()
    assert re.match(r"^4\.3\.0 \(compatible; Chapterhouse \S+\)$", doc["version"])
    assert doc["api_versions"] == {"mastodon": 2}
    assert doc["domain"] == settings.instance.domain and doc["title"] == settings.instance.name
    config = doc["configuration"]
    assert config["statuses"]["max_characters"] == SOURCE_MAX["note"]
    assert config["polls"] == {
        "max_options": polls.OPTIONS_MAX, "max_characters_per_option": polls.OPTION_MAX,
        "min_expiration": int(polls.DURATION_MIN.total_seconds()),
        "max_expiration": int(polls.DURATION_MAX.total_seconds())}
    assert config["media_attachments"]["image_size_limit"] == media.MAX_BYTES
    assert config["media_attachments"]["image_matrix_limit"] == media.MAX_PIXELS
    assert "image/png" in config["media_attachments"]["supported_mime_types"]
    assert doc["registrations"]["enabled"] is (settings.registration.mode != "invite")
    assert doc["usage"]["users"]["active_month"] == 0 and doc["rules"] == []
    assert (await client.get(doc["thumbnail"]["url"])).status_code == 200


async def test_registrations_follow_the_mode(app_for: object, make_settings: object) -> None:
    settings = make_settings(mode="approval")  # type: ignore[operator]
    client = await app_for(settings)  # type: ignore[operator]
    doc = (await client.get("/api/v2/instance")).json()
    assert doc["registrations"]["approval_required"] is True
    v1 = (await client.get("/api/v1/instance")).json()
    assert v1["approval_required"] is True


@pytest.mark.parametrize("path", ["/api/v1/instance", "/api/v1/instance/"])
async def test_instance_v1(client: httpx.AsyncClient, settings: Settings, path: str) -> None:
    doc = (await client.get(path)).json()
    assert doc["uri"] == settings.instance.domain  # toot reads `uri`
    assert doc["version"].startswith("4.3.0 (compatible; Chapterhouse")
    assert doc["configuration"]["statuses"]["max_characters"] == SOURCE_MAX["note"]
    assert doc["stats"]["user_count"] == 0 and doc["contact_account"] is None
