"""Routes of the client API: each path answered with and without a trailing slash, as
Mastodon.py, toot and other apps send both."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route


def both(path: str, endpoint: object, methods: list[str], name: str | None = None,
         ) -> list[BaseRoute]:
    """`path` and `path/` for `endpoint` (only the first one named)."""
    return [Route(path, endpoint, methods=methods, name=name),  # type: ignore[arg-type]
            Route(f"{path}/", endpoint, methods=methods)]  # type: ignore[arg-type]
