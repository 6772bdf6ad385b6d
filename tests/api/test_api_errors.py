"""Clients of the Mastodon API read errors as JSON, also for paths that do not exist; and
NodeInfo tells them the API is Mastodon-compatible."""

from __future__ import annotations

import httpx


async def test_an_unknown_api_path_answers_json_not_a_page(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/no_such_thing")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"error": "Record not found"}
    # Pages keep their HTML error.
    page = await client.get("/no_such_page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


async def test_nodeinfo_names_mastodon_as_the_upstream_api(client: httpx.AsyncClient) -> None:
    found = (await client.get("/.well-known/nodeinfo")).json()
    link = next(x["href"] for x in found["links"] if x["rel"].endswith("/2.1"))
    info = (await client.get("/" + link.split("/", 3)[3])).json()
    assert info["software"]["name"] == "chapterhouse"
    assert info["metadata"]["upstream"] == {"name": "mastodon", "version": "4.3.0"}
