"""Errors of the Mastodon client API and OAuth endpoints, as JSON, and reading their bodies
(form or JSON, as different clients send them)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.ratelimit import Decision, Limit, RateLimiter

log = logging.getLogger(__name__)

BODY_MAX = 64 * 1024  # an app registration or a token request is a few hundred bytes
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}

Endpoint = Callable[[Request], Awaitable[Response]]


class ApiError(Exception):
    """A refusal the client reads as Mastodon's `{"error": …}` with an HTTP status."""

    def __init__(self, status: int, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.description = description

    def response(self) -> Response:
        body: dict[str, Any] = {"error": self.message}
        if self.description:
            body["error_description"] = self.description
        return JSONResponse(body, status_code=self.status, headers=NO_STORE)


def invalid_token() -> ApiError:
    return ApiError(401, "The access token is invalid")


def outside_scopes() -> ApiError:
    return ApiError(403, "This action is outside the authorized scopes")


def unprocessable(message: str) -> ApiError:
    return ApiError(422, f"Validation failed: {message}")


class OAuthError(ApiError):
    """An RFC 6749 §5.2 error of the token endpoint: `error` is a code, not a sentence."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(status, code, description)
        self.code = code

    def response(self) -> Response:
        headers = dict(NO_STORE)
        if self.status == 401:
            headers["www-authenticate"] = 'Basic realm="oauth"'
        return JSONResponse({"error": self.code, "error_description": self.description},
                            status_code=self.status, headers=headers)


# --- rate limits --------------------------------------------------------------------------

def configured_limits(request: Request) -> tuple[Limit, Limit]:
    """The [api] limits of the configuration (Mastodon's defaults: 300 requests per 5
    minutes per token, or per IP without one, and 1500 per 5 minutes per IP)."""
    api = request.app.state.settings.api
    return (Limit(api.rate_limit_per_token, api.rate_limit_period),
            Limit(api.rate_limit_per_ip, api.rate_limit_period))


class ApiLimiter:
    """The rate limits of one app's client API (kept on `app.state.api_limiter`)."""

    def __init__(self, per_token: Limit, per_ip: Limit) -> None:
        self.per_token = RateLimiter(per_token)
        self.per_ip = RateLimiter(per_ip)

    def check(self, request: Request) -> Decision:
        """Count the request against its token (or its IP without one) and its IP: the
        decision closest to its limit, refused when either limit is passed."""
        ip = request.client.host if request.client else "unknown"
        kind, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if kind.lower() == "bearer" else ""
        key = ("token:" + hashlib.sha256(token.encode()).hexdigest() if token
               else "ip:" + ip)
        first, second = self.per_token.hit(key), self.per_ip.hit(ip)
        refused = [d for d in (first, second) if not d.allowed]
        if refused:
            return refused[0]
        return first if first.remaining <= second.remaining else second


def api_limiter(request: Request) -> ApiLimiter:
    limiter: ApiLimiter | None = getattr(request.app.state, "api_limiter", None)
    if limiter is None:
        limiter = ApiLimiter(*configured_limits(request))
        request.app.state.api_limiter = limiter
    return limiter


def rate_headers(decision: Decision) -> dict[str, str]:
    reset = decision.reset_at
    return {"x-ratelimit-limit": str(decision.limit),
            "x-ratelimit-remaining": str(decision.remaining),
            "x-ratelimit-reset": reset.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{reset.microsecond // 1000:03d}Z"}


def api_endpoint(handler: Endpoint) -> Endpoint:
    """Count the request against the rate limits (429 over them), then turn ApiError raised
    by `handler` into its JSON answer. Every answer carries the X-RateLimit-* headers."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        decision = api_limiter(request).check(request)
        headers = rate_headers(decision)
        if not decision.allowed:
            return JSONResponse({"error": "Too many requests"}, status_code=429,
                                headers={**headers, **NO_STORE,
                                         "retry-after": str(decision.retry_after)})
        try:
            response = await handler(request)
        except ApiError as exc:
            response = exc.response()
        response.headers.update(headers)
        return response

    return wrapped


async def read_params(request: Request) -> dict[str, Any]:
    """The request's parameters: a JSON object or a urlencoded/multipart form, merged over
    the query string (Mastodon accepts all of them). Lists stay lists (`redirect_uris[]`)."""
    params: dict[str, Any] = dict(request.query_params)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in ("GET", "HEAD"):
        return params
    if int(request.headers.get("content-length") or 0) > BODY_MAX:
        raise ApiError(413, "Request body too large")
    if ctype == "application/json":
        raw = await request.body()
        if len(raw) > BODY_MAX:
            raise ApiError(413, "Request body too large")
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise unprocessable("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise unprocessable("the body must be a JSON object")
        params.update(data)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=0, max_fields=100)
        for key in form:
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            if key.endswith("[]"):
                params[key[:-2]] = values
            elif values:
                params[key] = values[-1]
    return params


def text_param(params: dict[str, Any], name: str, limit: int = 2048) -> str:
    """A string parameter, or "" when absent; refused (422) when too long or not a string."""
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise unprocessable(f"{name} must be a string")
    if len(value) > limit:
        raise unprocessable(f"{name} is longer than {limit} characters")
    return value
