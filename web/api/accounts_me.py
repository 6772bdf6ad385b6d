"""GET /api/v1/accounts/verify_credentials: the member behind a token, as Mastodon's
CredentialAccount (serialized by web.api.entities)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from web.api.auth import api_account
from web.api.entities import credential_account_entity
from web.api.errors import api_endpoint


@api_endpoint
async def verify_credentials(request: Request) -> Response:
    """GET /api/v1/accounts/verify_credentials (scope read:accounts or profile)."""
    account = await api_account(request, "read:accounts", "profile")
    base = request.app.state.settings.server.base_url
    entity = await credential_account_entity(account.actor, base_url=base, account=account)
    return JSONResponse(entity, headers={"cache-control": "private, no-store"})
