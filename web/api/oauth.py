"""OAuth 2 for Mastodon apps: app registration, the authorize (log-in and consent) page, the
token endpoint with its four grants, revocation and the RFC 8414 metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from actors.accounts import authenticate
from actors.errors import LoginFailed
from core import clock
from web.api.auth import (
    DEFAULT_SCOPE,
    GRANTS,
    REDIRECT_URI_MAX,
    SCOPES,
    TOP_SCOPES,
    api_token,
    describe,
    digest,
    new_secret,
    parse_scopes,
    within,
)
from web.api.errors import NO_STORE, api_endpoint, read_params, text_param, unprocessable
from web.models import OAuthApp, OAuthCode
from web.security import rotate_csrf, set_csrf_cookie
from web.sessions import current_account, start_session
from web.templating import render
from web.ui.auth import read_form

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)
REDIRECT_URIS_MAX = 20
# Schemes that run code or read local data where a browser follows them.
_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "about"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256, unpadded


# --- app registration --------------------------------------------------------------------------


def check_redirect_uri(uri: str) -> str | None:
    """Why `uri` cannot be a redirect URI, or None: absolute, no fragment, not a scheme that
    runs code (custom app schemes and the out-of-band URN are fine)."""
    if uri == OOB:
        return None
    if len(uri) > REDIRECT_URI_MAX or any(c.isspace() or ord(c) < 32 for c in uri):
        return "is not a valid URI"
    scheme, _, rest = uri.partition(":")
    if not _SCHEME.match(scheme) or not rest:
        return "must be an absolute URI"
    if scheme.lower() in _FORBIDDEN_SCHEMES:
        return f"may not use the {scheme.lower()}: scheme"
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "may not contain a fragment"
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        return "must name a host"
    return None


def _redirect_uris(params: dict[str, Any]) -> list[str]:
    raw = params.get("redirect_uris")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    uris: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise unprocessable("redirect_uris must be strings")
        uris.extend(u.strip() for u in item.split() if u.strip())
    if not uris:
        raise unprocessable("Redirect URI can't be blank")
    if len(uris) > REDIRECT_URIS_MAX:
        raise unprocessable(f"at most {REDIRECT_URIS_MAX} redirect URIs")
    for uri in uris:
        problem = check_redirect_uri(uri)
        if problem:
            raise unprocessable(f"Redirect URI {problem}")
    return list(dict.fromkeys(uris))


def app_entity(app: OAuthApp) -> dict[str, Any]:
    uris = app.redirect_uris.split("\n")
    return {"id": str(app.id), "name": app.name, "website": app.website,
            "scopes": app.scopes.split(), "redirect_uri": "\n".join(uris),
            "redirect_uris": uris, "vapid_key": ""}


@api_endpoint
async def create_app(request: Request) -> Response:
    """POST /api/v1/apps (form or JSON)."""
    params = await read_params(request)
    name = text_param(params, "client_name", 200).strip()
    if not name:
        raise unprocessable("Name can't be blank")
    uris = _redirect_uris(params)
    scopes = parse_scopes(text_param(params, "scopes", 1000) or DEFAULT_SCOPE)
    if not scopes:
        raise unprocessable("Scopes are not valid")
    website = text_param(params, "website", 2048).strip() or None
    if website and urlsplit(website).scheme.lower() not in ("http", "https"):
        raise unprocessable("Website must be an http or https URL")
    secret = new_secret()
    app = await OAuthApp.create(client_id=new_secret(), secret_hash=digest(secret), name=name,
                                website=website, redirect_uris="\n".join(uris),
                                scopes=" ".join(scopes))
    body = {**app_entity(app), "client_id": app.client_id, "client_secret": secret,
            "client_secret_expires_at": 0}
    return JSONResponse(body, headers=NO_STORE)


@api_endpoint
async def verify_app(request: Request) -> Response:
    """GET /api/v1/apps/verify_credentials: the app of any valid token."""
    token = await api_token(request)
    entity = app_entity(token.app)
    return JSONResponse({k: entity[k] for k in ("id", "name", "website", "scopes",
                                                "redirect_uri", "redirect_uris", "vapid_key")})


# --- the authorize page -----------------------------------------------------------------------


@dataclass
class AuthRequest:
    """A checked authorization request; `error` set means answer the app with that error."""

    app: OAuthApp
    redirect_uri: str
    scopes: list[str]
    state: str
    code_challenge: str | None
    error: str | None = None
    error_description: str = ""

    def query(self) -> dict[str, str]:
        """The parameters that carry this request through the log-in and consent forms."""
        q = {"response_type": "code", "client_id": self.app.client_id,
             "redirect_uri": self.redirect_uri, "scope": " ".join(self.scopes)}
        if self.state:
            q["state"] = self.state
        if self.code_challenge:
            q["code_challenge"] = self.code_challenge
            q["code_challenge_method"] = "S256"
        return q


class BadClient(Exception):
    """Unknown client or redirect URI: we show an error and never redirect."""


def _one(params: Any, name: str, limit: int = 2048) -> str:
    value = params.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def check_auth_request(params: Any) -> AuthRequest:
    """Check an authorization request (query or form). Raises BadClient when the client or
    redirect URI is wrong, so the caller shows an error page instead of redirecting."""
    app = await OAuthApp.get_or_none(client_id=_one(params, "client_id", 64))
    if app is None:
        raise BadClient("This app is not registered here (unknown client_id).")
    registered = app.redirect_uris.split("\n")
    redirect_uri = _one(params, "redirect_uri", REDIRECT_URI_MAX + 1)
    if not redirect_uri and len(registered) == 1:
        redirect_uri = registered[0]
    if redirect_uri not in registered:
        raise BadClient("The redirect URI is not one this app registered.")
    state = _one(params, "state", 1000)
    challenge = _one(params, "code_challenge", 200) or None
    method = _one(params, "code_challenge_method", 20)
    scopes = parse_scopes(_one(params, "scope", 1000) or DEFAULT_SCOPE)
    request = AuthRequest(app, redirect_uri, scopes or [], state, challenge)
    if _one(params, "response_type", 20) != "code":
        request.error = "unsupported_response_type"
        request.error_description = "Only response_type=code is supported."
    elif not scopes or not within(scopes, app.scopes.split()):
        request.error = "invalid_scope"
        request.error_description = "The requested scope is invalid, unknown, or malformed."
    elif challenge and method != "S256":
        request.error = "invalid_request"
        request.error_description = "Only code_challenge_method=S256 is supported."
    elif method and not challenge:
        request.error = "invalid_request"
        request.error_description = "code_challenge is missing."
    elif challenge and not _CHALLENGE.match(challenge):
        request.error = "invalid_request"
        request.error_description = "code_challenge is not a base64url SHA-256."
    return request


def _with_query(uri: str, extra: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


async def _answer_app(request: Request, auth: AuthRequest, values: dict[str, str]) -> Response:
    """Send the app its code or error: a redirect to its registered URI, or the
    out-of-band page showing the code."""
    if auth.state:
        values = {**values, "state": auth.state}
    if auth.redirect_uri == OOB:
        status = 400 if "error" in values else 200
        return await render(request, "oauth_authorize.html",
                            {"step": "oob", "app": auth.app, "values": values}, status)
    response = RedirectResponse(_with_query(auth.redirect_uri, values), status_code=303)
    response.headers["cache-control"] = "no-store"
    return response


async def _page(request: Request, auth: AuthRequest, *, error: str | None = None,
                identifier: str = "", status: int = 200) -> Response:
    viewer = await current_account(request)
    return await render(request, "oauth_authorize.html", {
        "step": "consent" if viewer else "login", "app": auth.app, "params": auth.query(),
        "scopes": list(zip(auth.scopes, describe(auth.scopes), strict=True)),
        "error": error, "identifier": identifier,
        "shown_uri": "" if auth.redirect_uri == OOB else urlsplit(auth.redirect_uri).netloc
                     or auth.redirect_uri.partition(":")[0]}, status)


async def _bad_client(request: Request, exc: BadClient) -> Response:
    return await render(request, "oauth_authorize.html",
                        {"step": "bad_client", "message": str(exc)}, 400)


async def authorize_page(request: Request) -> Response:
    """GET /oauth/authorize[/]: log in if needed, then ask the member to consent."""
    try:
        auth = await check_auth_request(request.query_params)
    except BadClient as exc:
        return await _bad_client(request, exc)
    if auth.error:
        return await _answer_app(request, auth, {"error": auth.error,
                                                 "error_description": auth.error_description})
    return await _page(request, auth)


async def authorize_submit(request: Request) -> Response:
    """POST /oauth/authorize[/]: the log-in form, or the member's Authorize / Deny."""
    form = await read_form(request)
    try:
        auth = await check_auth_request(form)
    except BadClient as exc:
        return await _bad_client(request, exc)
    if auth.error:
        return await _answer_app(request, auth, {"error": auth.error,
                                                 "error_description": auth.error_description})
    back = "/oauth/authorize?" + urlencode(auth.query())  # our own path: no open redirect
    if form.get("decision") is None:
        identifier = _one(form, "identifier", 254)
        try:
            account = await authenticate(identifier, _one(form, "password", 2048))
        except LoginFailed as exc:
            return await _page(request, auth, error=str(exc), identifier=identifier, status=401)
        response = RedirectResponse(back, status_code=303)
        rotate_csrf(request)
        await start_session(request, response, account)
        set_csrf_cookie(request, response)
        return response
    viewer = await current_account(request)
    if viewer is None:
        return RedirectResponse(back, status_code=303)
    if form.get("decision") != "authorize":
        return await _answer_app(request, auth, {
            "error": "access_denied",
            "error_description": "The member refused to give this app access."})
    code = new_secret()
    await OAuthCode.create(id=digest(code), app=auth.app, account=viewer,
                           redirect_uri=auth.redirect_uri, scopes=" ".join(auth.scopes),
                           code_challenge=auth.code_challenge,
                           expires_at=clock.now() + CODE_LIFETIME)
    return await _answer_app(request, auth, {"code": code})


async def metadata(request: Request) -> Response:
    """GET /.well-known/oauth-authorization-server (RFC 8414), as Mastodon 4.3 serves it."""
    base = request.app.state.settings.server.base_url.rstrip("/")
    doc = {
        "issuer": f"{base}/",
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "app_registration_endpoint": f"{base}/api/v1/apps",
        "scopes_supported": list(TOP_SCOPES) + sorted(SCOPES - set(TOP_SCOPES)),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANTS),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }
    return JSONResponse(doc, headers={"access-control-allow-origin": "*"})

