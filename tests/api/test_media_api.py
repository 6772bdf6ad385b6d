"""Media through the Mastodon API: uploading an image (v2 and v1, re-encoded, capped),
describing it, attaching up to four to a status in order — shown in the Status and sent in
the Note as Documents — and replacing them on edit."""

from __future__ import annotations

from io import BytesIO

import httpx
from PIL import Image

from content.media import MAX_BYTES
from content.models import Media
from core.settings import Settings
from tests.api.test_api_auth import token_for
from tests.api.test_entity_schemas import assert_matches

S = "/api/v1/statuses"
AP = {"accept": "application/activity+json"}


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def png(width: int = 40, height: int = 30) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


async def upload(client: httpx.AsyncClient, token: str, description: str = "a green square",
                 path: str = "/api/v2/media") -> dict[str, object]:
    answer = await client.post(path, headers=auth(token), files={"file": ("a.png", png())},
                               data={"description": description, "focus": "0.0,0.0"})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_upload_read_and_describe(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    made = await upload(client, alice)
    assert made["type"] == "image" and made["description"] == "a green square"
    assert made["meta"]["original"]["width"] == 40  # type: ignore[index]
    assert_matches("media_attachment", [made])
    image = await client.get(str(made["url"]))
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    v1 = await upload(client, alice, "old path", "/api/v1/media/")
    assert v1["id"] != made["id"]
    shown = await client.get(f"/api/v1/media/{made['id']}", headers=auth(alice))
    assert shown.status_code == 200 and shown.json()["id"] == made["id"]
    changed = await client.put(f"/api/v1/media/{made['id']}", headers=auth(alice),
                               json={"description": "a small green square", "focus": "0,0"})
    assert changed.status_code == 200
    assert changed.json()["description"] == "a small green square"


async def test_media_refusals(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    reader = await token_for(client, settings, "read")
    bob = await token_for(client, settings, "read write", "bob")
    made = await upload(client, alice)
    files = {"file": ("a.png", png())}
    assert (await client.post("/api/v2/media", files=files)).status_code == 401
    assert (await client.post("/api/v2/media", files=files,
                              headers=auth(reader))).status_code == 403
    for target in (made["id"], "99999", "x"):  # another's upload is as missing as none
        assert (await client.get(f"/api/v1/media/{target}",
                                 headers=auth(bob))).status_code == 404
        assert (await client.put(f"/api/v1/media/{target}", json={"description": "mine"},
                                 headers=auth(bob))).status_code == 404
    assert (await Media.get(id=int(str(made["id"])))).description == "a green square"
    not_image = await client.post("/api/v2/media", headers=auth(alice),
                                  files={"file": ("a.png", b"<svg>not an image</svg>")})
    assert not_image.status_code == 422 and "JPEG" in not_image.json()["error"]
    too_big = await client.post("/api/v2/media", headers=auth(alice),
                                files={"file": ("big.png", b"\0" * (MAX_BYTES + 1))})
    assert too_big.status_code == 422 and "MB" in too_big.json()["error"]
    missing = await client.post("/api/v2/media", headers=auth(alice), data={"x": "1"},
                                files={"other": ("a.png", png())})
    assert missing.status_code == 422 and "file" in missing.json()["error"]
    assert (await client.post("/api/v2/media", headers=auth(alice),
                              json={"file": "x"})).status_code == 422
    long = await client.put(f"/api/v1/media/{made['id']}", headers=auth(alice),
                            json={"description": "d" * 2000})
    assert long.status_code == 422


async def test_a_status_with_images(client: httpx.AsyncClient, settings: Settings) -> None:
    alice = await token_for(client, settings, "read write")
    bob = await token_for(client, settings, "read write", "bob")
    first = await upload(client, alice, "first")
    second = await upload(client, alice, "second")
    answer = await client.post(S, headers=auth(alice), data={
        "status": "", "media_ids[]": [str(second["id"]), str(first["id"])]})
    assert answer.status_code == 200, answer.text
    status = answer.json()
    assert [m["id"] for m in status["media_attachments"]] == [second["id"], first["id"]]
    assert [m["description"] for m in status["media_attachments"]] == ["second", "first"]
    assert_matches("status", [status])
    # attached: no longer an upload to read, change or attach again
    assert (await client.get(f"/api/v1/media/{first['id']}",
                             headers=auth(alice))).status_code == 404
    again = await client.post(S, headers=auth(alice),
                              json={"status": "again", "media_ids": [first["id"]]})
    assert again.status_code == 422
    # the Note other servers receive carries them as Documents named by their description
    note = (await client.get(status["uri"], headers=AP)).json()
    documents = note["attachment"]
    assert [d["name"] for d in documents] == ["second", "first"]
    assert all(d["type"] == "Document" and d["mediaType"] == "image/jpeg" for d in documents)
    assert documents[0]["url"] == status["media_attachments"][0]["url"]
    # an edit replaces them; the one left out is free again
    third = await upload(client, alice, "third")
    edited = await client.put(f"{S}/{status['id']}", headers=auth(alice), json={
        "status": "now with three", "media_ids": [first["id"], third["id"]]})
    assert edited.status_code == 200, edited.text
    assert [m["id"] for m in edited.json()["media_attachments"]] == [first["id"], third["id"]]
    assert (await client.get(f"/api/v1/media/{second['id']}",
                             headers=auth(alice))).status_code == 200
    # another member's upload, an unknown id, too many, malformed, or with a poll: 422
    bobs = await upload(client, bob)
    for body in ({"status": "x", "media_ids": [bobs["id"]]},
                 {"status": "x", "media_ids": ["12345"]},
                 {"status": "x", "media_ids": ["1", "2", "3", "4", "5"]},
                 {"status": "x", "media_ids": [{"id": 1}]},
                 {"status": "x", "media_ids": [second["id"]],
                  "poll": {"options": ["a", "b"], "expires_in": 60}}):
        refused = await client.post(S, headers=auth(alice), json=body)
        assert refused.status_code == 422 and refused.json()["error"], body
    assert await Media.filter(post_id__isnull=False).count() == 2
