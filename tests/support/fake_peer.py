"""A fake Mastodon server on 127.0.0.1 for multi-server tests: a real HTTP server (in a
thread of the test process) serving one Person re-hosted from a real Mastodon payload with a
key we hold, its WebFinger answer and any document the test adds, recording what is posted
to its inboxes; and signed POSTs (draft-cavage, as Mastodon signs) from that actor."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from federation import Signer, generate_rsa_key, origin_of, public_key_to_pem, sign_request
from federation.signatures.keys import PrivateKey
from tests.inbox.fediverse import load_interop

AP_TYPE = "application/activity+json"
JRD_TYPE = "application/jrd+json"
PERSON_FIXTURE = "mastodon/person.json"


@dataclass
class FakePeer:
    """One fake server at `origin` with one actor (Mastodon's Person shape)."""

    origin: str
    key: PrivateKey
    actor: dict[str, Any]
    documents: dict[str, tuple[str, Any]] = field(default_factory=dict)  # path → (type, body)
    received: list[dict[str, Any]] = field(default_factory=list)  # bodies posted to inboxes
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def actor_uri(self) -> str:
        return str(self.actor["id"])

    @property
    def username(self) -> str:
        return str(self.actor["preferredUsername"])

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[1]

    @property
    def signer(self) -> Signer:
        return Signer(str(self.actor["publicKey"]["id"]), self.key)

    def serve(self, uri: str, body: Any, content_type: str = AP_TYPE) -> None:
        """Answer GET `uri` (on this origin) with `body`."""
        with self.lock:
            self.documents[urlsplit(uri).path] = (content_type, body)

    def inbox_posts(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received)

    async def post(self, inbox_url: str, activity: dict[str, Any]) -> httpx.Response:
        """POST `activity` to another server's inbox, signed by this actor with a Digest,
        as Mastodon delivers."""
        body = json.dumps(activity).encode()
        headers = {"Content-Type": AP_TYPE}
        headers.update(sign_request("POST", inbox_url, headers, body, self.signer,
                                    scheme="cavage"))
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(inbox_url, content=body, headers=headers)


def _webfinger(peer: FakePeer, resource: str) -> dict[str, Any] | None:
    if resource not in (f"acct:{peer.username}@{peer.host}", peer.actor_uri):
        return None
    return {"subject": f"acct:{peer.username}@{peer.host}", "aliases": [peer.actor_uri],
            "links": [{"rel": "self", "type": AP_TYPE, "href": peer.actor_uri}]}


def _handler(peer: FakePeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any = None, content_type: str = AP_TYPE) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/webfinger":
                resource = parse_qs(parts.query).get("resource", [""])[0]
                found = _webfinger(peer, resource)
                self._answer(200 if found else 404, found or {"error": "not found"},
                             JRD_TYPE)
                return
            with peer.lock:
                document = peer.documents.get(parts.path)
            if document is None:
                self._answer(404, {"error": "Record not found"})
                return
            self._answer(200, document[1], document[0])

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 1_000_000))
            try:
                body = json.loads(raw)
            except ValueError:
                self._answer(400, {"error": "not JSON"})
                return
            with peer.lock:
                peer.received.append(body)
            self._answer(202)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the test output is for assertions

    return Handler


@contextmanager
def fake_mastodon() -> Iterator[FakePeer]:
    """A running fake Mastodon server on 127.0.0.1 with mastodon/person.json re-hosted on
    it (every original URL moved to its origin, the key replaced by one we hold)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    original = load_interop(PERSON_FIXTURE)
    actor = json.loads(json.dumps(original).replace(origin_of(original["id"]), origin))
    key = generate_rsa_key()
    actor["publicKey"]["publicKeyPem"] = public_key_to_pem(key)
    peer = FakePeer(origin, key, actor)
    peer.serve(peer.actor_uri, actor)
    server.RequestHandlerClass = _handler(peer)
    thread = threading.Thread(target=server.serve_forever, name="fake-mastodon", daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
