"""Reading forms out of our HTML pages, as a browser would, for tests without a browser."""

from __future__ import annotations

import re

import httpx

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_from(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    match = _TOKEN.search(page.text)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, str],
    page: str | None = None,
    **kwargs: object,
) -> httpx.Response:
    """Load the page holding the form (for its CSRF token), then post the form."""
    token = await csrf_from(client, page or path)
    return await client.post(path, data={"csrf_token": token, **data}, **kwargs)  # type: ignore[arg-type]
