"""Web security: CSRF tokens bound to a cookie, Origin checks, and response security headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "ch_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
]


class CsrfFailed(Exception):
    """A form post without a valid token, or from another site's page."""


def _sign(secret: bytes, value: str) -> str:
    mac = hmac.new(secret, b"csrf|" + value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token(request: Request) -> str:
    """The token to put in a form. Makes the browser's CSRF cookie when it has none yet
    (`set_csrf_cookie` then sends it with the response)."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf = value
    return _sign(request.app.state.secret_key, value)


def rotate_csrf(request: Request) -> None:
    """Issue a fresh CSRF cookie (at log-in and log-out)."""
    request.state.new_csrf = secrets.token_urlsafe(32)


def set_csrf_cookie(request: Request, response: Response) -> None:
    value = getattr(request.state, "new_csrf", None)
    if value:
        response.set_cookie(
            CSRF_COOKIE,
            value,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.app.state.settings.server.scheme == "https",
        )


def check_origin(request: Request) -> None:
    """Refuse a state-changing request whose Origin (or Referer) is another site."""
    base = request.app.state.settings.server.base_url
    expected = urlsplit(base)
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return
    if source == "null":
        raise CsrfFailed("opaque origin")
    got = urlsplit(source)
    if (got.scheme, got.netloc.lower()) != (expected.scheme, expected.netloc.lower()):
        raise CsrfFailed(f"foreign origin {got.scheme}://{got.netloc}")


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise CsrfFailed unless the form's token matches the browser's CSRF cookie."""
    check_origin(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        raise CsrfFailed("missing token")
    if not hmac.compare_digest(_sign(request.app.state.secret_key, cookie), submitted):
        raise CsrfFailed("token mismatch")


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
