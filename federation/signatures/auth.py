"""``HttpSignatureAuth``: an httpx.Auth that signs every outgoing request."""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime

import httpx

from federation.signatures.common import utcnow
from federation.signatures.http import Scheme, sign_request
from federation.signatures.keys import Signer

__all__ = ["HttpSignatureAuth"]


class HttpSignatureAuth(httpx.Auth):
    """Sign requests with ``signer`` using ``scheme`` ("cavage" or "rfc9421").

    The body is read before signing (``requires_request_body``) so that the
    digest covers exactly what is sent; each request, redirect hop or retry is
    signed afresh with the current time.
    """

    requires_request_body = True

    def __init__(self, signer: Signer, scheme: Scheme = "cavage", *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.signer = signer
        self.scheme: Scheme = scheme
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        added = sign_request(request.method, str(request.url), request.headers.multi_items(),
                             request.content, self.signer, scheme=self.scheme,
                             now=self._clock())
        for name, value in added.items():
            request.headers[name] = value
        yield request
