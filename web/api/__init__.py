"""The Mastodon client API and its OAuth 2 server: the routes of this package."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.api import accounts_me, instance, oauth, statuses, timelines
from web.api.auth import revoke, token


def _both(path: str, endpoint: object, methods: list[str], name: str | None = None,
          ) -> list[BaseRoute]:
    """A path with and without a trailing slash (Mastodon.py and toot send both)."""
    return [Route(path, endpoint, methods=methods, name=name),  # type: ignore[arg-type]
            Route(f"{path}/", endpoint, methods=methods)]  # type: ignore[arg-type]


def routes() -> list[BaseRoute]:
    return [
        *_both("/api/v1/apps", oauth.create_app, ["POST"], "api_apps"),
        *_both("/api/v1/apps/verify_credentials", oauth.verify_app, ["GET"]),
        *_both("/oauth/authorize", oauth.authorize_page, ["GET"], "oauth_authorize"),
        *_both("/oauth/authorize", oauth.authorize_submit, ["POST"]),
        *_both("/oauth/token", token, ["POST"], "oauth_token"),
        *_both("/oauth/revoke", revoke, ["POST"]),
        Route("/.well-known/oauth-authorization-server", oauth.metadata, methods=["GET"]),
        *_both("/api/v1/instance", instance.instance_v1, ["GET"]),
        *_both("/api/v2/instance", instance.instance_v2, ["GET"]),
        *_both("/api/v1/accounts/verify_credentials", accounts_me.verify_credentials, ["GET"]),
        *_both("/api/v1/statuses", statuses.create_status, ["POST"]),
        *_both("/api/v1/statuses/{id}", statuses.show_status, ["GET"]),
        *_both("/api/v1/statuses/{id}", statuses.delete_status, ["DELETE"]),
        *_both("/api/v1/statuses/{id}/context", statuses.status_context, ["GET"]),
        *_both("/api/v1/statuses/{id}/source", statuses.status_source, ["GET"]),
        *_both("/api/v1/statuses/{id}/favourite", statuses.favourite, ["POST"]),
        *_both("/api/v1/statuses/{id}/unfavourite", statuses.unfavourite, ["POST"]),
        *_both("/api/v1/statuses/{id}/reblog", statuses.reblog, ["POST"]),
        *_both("/api/v1/statuses/{id}/unreblog", statuses.unreblog, ["POST"]),
        *_both("/api/v1/timelines/home", timelines.home, ["GET"]),
        *_both("/api/v1/timelines/public", timelines.public, ["GET"]),
        *_both("/api/v1/timelines/tag/{hashtag}", timelines.hashtag, ["GET"]),
    ]
