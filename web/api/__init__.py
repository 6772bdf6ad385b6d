"""The Mastodon client API and its OAuth 2 server: the routes of this package."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.api import (
    accounts,
    accounts_me,
    instance,
    lists,
    media,
    misc,
    notifications,
    oauth,
    polls,
    relationships,
    search,
    statuses,
    statuses_more,
    streaming,
    timelines,
)
from web.api.auth import revoke, token
from web.api.routing import both


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/apps", oauth.create_app, ["POST"], "api_apps"),
        *both("/api/v1/apps/verify_credentials", oauth.verify_app, ["GET"]),
        *both("/oauth/authorize", oauth.authorize_page, ["GET"], "oauth_authorize"),
        *both("/oauth/authorize", oauth.authorize_submit, ["POST"]),
        *both("/oauth/token", token, ["POST"], "oauth_token"),
        *both("/oauth/revoke", revoke, ["POST"]),
        Route("/.well-known/oauth-authorization-server", oauth.metadata, methods=["GET"]),
        *both("/api/v1/instance", instance.instance_v1, ["GET"]),
        *both("/api/v2/instance", instance.instance_v2, ["GET"]),
        *both("/api/v1/accounts/verify_credentials", accounts_me.verify_credentials, ["GET"]),
        *search.routes(),
        *lists.routes(),
        *both("/api/v1/statuses", statuses.create_status, ["POST"]),
        *both("/api/v1/statuses/{id}", statuses.show_status, ["GET"]),
        *both("/api/v1/statuses/{id}", statuses.delete_status, ["DELETE"]),
        *both("/api/v1/statuses/{id}/context", statuses.status_context, ["GET"]),
        *both("/api/v1/statuses/{id}/source", statuses.status_source, ["GET"]),
        *both("/api/v1/statuses/{id}/favourite", statuses.favourite, ["POST"]),
        *both("/api/v1/statuses/{id}/unfavourite", statuses.unfavourite, ["POST"]),
        *both("/api/v1/statuses/{id}/reblog", statuses.reblog, ["POST"]),
        *both("/api/v1/statuses/{id}/unreblog", statuses.unreblog, ["POST"]),
        *statuses_more.routes(),
        *media.routes(),
        *both("/api/v1/timelines/home", timelines.home, ["GET"]),
        *both("/api/v1/timelines/public", timelines.public, ["GET"]),
        *both("/api/v1/timelines/tag/{hashtag}", timelines.hashtag, ["GET"]),
        *accounts.routes(),
        *relationships.routes(),
        *notifications.routes(),
        *polls.routes(),
        *misc.routes(),
        *streaming.routes(),
    ]
