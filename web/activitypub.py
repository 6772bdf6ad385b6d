"""ActivityPub endpoints: actors (JSON or HTML by Accept), their collections, the inboxes,
and who signs a GET (authorized fetch) for the visibility policy."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actors.blocks import is_domain_blocked
from actors.directory import chapter_of, find_public_actor
from actors.follows import count_followers, count_following, list_followers, list_following
from actors.models import Actor
from actors.remote import find_by_key_id, note_key_refetch
from actors.subchapters import child_uris, count_children
from actors.urls import LocalUrls
from content.pins import count_featured, featured_posts
from core import clock
from core.settings import Settings
from federation import (
    FederationClient,
    ParseError,
    SignatureError,
    load_public_key_pem,
    parse_signature,
    parse_url,
    verify,
)
from federation.signatures import ParsedSignature
from inbox.errors import ActorUnavailable, Rejected
from inbox.receive import receive
from inbox.remote import fetch_signer, may_refetch_key
from outbox.groups import moderators_of, render_actor_document
from outbox.posts import render_outbox_page, render_post_document
from outbox.render import (
    PAGE_SIZE,
    to_ap_collection,
    to_ap_collection_page,
)
from web.ui.profiles import profile_page

log = logging.getLogger(__name__)

ACTIVITY_JSON = "application/activity+json"
COLLECTIONS = ("followers", "following", "outbox", "featured")
#: Collections of chapters only (FEP-1b12 moderators, Chapterhouse's sub-chapters).
GROUP_COLLECTIONS = ("moderators", "subchapters")
#: Small collections whose first items are also given inline (`orderedItems`): Lemmy reads
#: a community's moderators and featured posts only from there.
INLINE = ("moderators", "featured", "subchapters")
MAX_PAGE = 10_000


def make_federation_client(settings: Settings,
                           transport: httpx.AsyncBaseTransport | None = None) -> FederationClient:
    """The safe client of this server, with the development switches of its configuration."""
    return FederationClient(
        user_agent=f"Chapterhouse (+{settings.server.base_url})",
        allow_http=settings.federation.allow_http,
        allow_private_addresses=settings.federation.allow_private_addresses,
        transport=transport,
    )


def local_urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def wants_activity_json(request: Request) -> bool:
    """True for `application/activity+json` or `application/ld+json` (any profile) in Accept."""
    accept = request.headers.get("accept", "").lower()
    return "application/activity+json" in accept or "application/ld+json" in accept


def ap_response(doc: dict[str, Any], status: int = 200) -> Response:
    response = JSONResponse(doc, status_code=status, media_type=ACTIVITY_JSON)
    response.headers["vary"] = "Accept"
    response.headers["cache-control"] = "max-age=60, public"
    return response


def private_ap_response(doc: dict[str, Any]) -> Response:
    """An answer meant for the one signer of the request (a followers-only post): no shared
    cache may keep it or hand it to someone else."""
    response = JSONResponse(doc, media_type=ACTIVITY_JSON)
    response.headers["vary"] = "Accept, Signature, Signature-Input, Authorization"
    response.headers["cache-control"] = "private, no-store"
    return response


def _signature_verifies(actor: Actor, sig: ParsedSignature, url: str,
                        headers: list[tuple[str, str]]) -> bool:
    try:
        key = load_public_key_pem(actor.public_key_pem or "")
        verify(sig, key, "GET", url, headers, b"", now=clock.now())
    except (ParseError, SignatureError):
        return False
    return True


async def signed_viewer(request: Request) -> Actor | None:
    """The remote actor whose HTTP signature on this GET verifies (an authorized fetch, as
    Mastodon makes one when its member opens a followers-only post), else None: unsigned,
    unverifiable, from a blocked domain or claiming to be ours — all read as anonymous, so a
    post that is not public answers 404 and its existence is not revealed.

    The signer is the key's owner, found as the inbox finds it (inbox.remote: cached, else
    fetched signed by our instance actor; fetched once more when a cached key fails, at
    most once per window) and verified by the same federation.signatures code, with the
    GET rules (target, host and date signed; no body)."""
    headers = list(request.headers.items())
    try:
        sig = parse_signature(headers)
        key_host = parse_url(sig.key_id).host
    except (SignatureError, ParseError):
        return None
    urls = local_urls(request)
    if urls.is_ours(sig.key_id) or await is_domain_blocked(key_host):
        return None
    url = urls.base.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    client = request.app.state.federation_client
    actor = await find_by_key_id(sig.key_id)
    fresh = actor is None
    try:
        if actor is None:
            actor = await fetch_signer(urls, client, sig.key_id)
        if _signature_verifies(actor, sig, url, headers):
            return actor
        if fresh or not may_refetch_key(actor):  # key rotation: one more look, rarely
            return None
        await note_key_refetch(actor)
        actor = await fetch_signer(urls, client, sig.key_id)
    except ActorUnavailable as exc:
        log.info("signed GET of %s: no usable key %s: %s", request.url.path, sig.key_id,
                 exc.reason)
        return None
    return actor if _signature_verifies(actor, sig, url, headers) else None


def _not_found(as_json: bool) -> Response:
    if as_json:
        response = JSONResponse({"error": "not found"}, status_code=404)
        response.headers["vary"] = "Accept"
        return response
    return Response("Not found", status_code=404, headers={"vary": "Accept"})


def _target(request: Request) -> tuple[str, str]:
    """(kind, username) of the actor the path names."""
    path = request.url.path
    if path == "/actor" or path.startswith("/actor/"):
        return "Application", "actor"
    if path.startswith("/chapters/"):
        return "Group", request.path_params["slug"]
    return "Person", request.path_params["username"]


async def actor_document(request: Request) -> Response:
    """GET an actor: ActivityPub JSON to AP clients, the profile page to browsers."""
    kind, username = _target(request)
    as_json = wants_activity_json(request)
    actor = await find_public_actor(kind, username)
    if actor is None:
        return _not_found(as_json)
    if not as_json:
        response = await profile_page(request, actor)
        response.headers["vary"] = "Accept"
        return response
    return ap_response(await render_actor_document(local_urls(request), actor))


async def _collection_items(actor: Actor, name: str, offset: int, urls: LocalUrls,
                            viewer: Actor | None = None,
                            ) -> tuple[int, list[str | dict[str, Any]]]:
    if name == "moderators":
        moderators = await moderators_of(actor)
        return len(moderators), [urls.actor(a) for a in moderators[offset:offset + PAGE_SIZE + 1]]
    if name == "subchapters":
        chapter = await chapter_of(actor)
        if chapter is None:
            return 0, []
        return await count_children(chapter), list(
            await child_uris(urls, chapter, offset, PAGE_SIZE + 1))
    if name == "featured":
        # Embedded, as Mastodon and Lemmy serve their featured collections.
        posts = await featured_posts(actor, offset, PAGE_SIZE + 1)
        page: list[str | dict[str, Any]] = []
        for post in posts:
            local = post.author.domain is None  # type: ignore[attr-defined]
            page.append(await render_post_document(urls, post) if local else post.uri)
        return await count_featured(actor), page
    if name == "followers":
        total = await count_followers(actor)
        items = await list_followers(actor, offset, PAGE_SIZE + 1)
    elif name == "following":
        total = await count_following(actor)
        items = await list_following(actor, offset, PAGE_SIZE + 1)
    elif name == "outbox":
        total, activities = await render_outbox_page(urls, actor, offset, PAGE_SIZE + 1,
                                                     viewer=viewer)
        return total, list(activities)
    else:
        return 0, []
    return total, [urls.actor(a) for a in items]


async def collection(request: Request) -> Response:
    """GET followers/following/outbox/featured: an OrderedCollection, or `?page=N` of it."""
    kind, username = _target(request)
    name = request.path_params["collection"]
    actor = await find_public_actor(kind, username)
    known = name in COLLECTIONS or (name in GROUP_COLLECTIONS and kind == "Group")
    if actor is None or not known:
        return _not_found(True)
    urls = local_urls(request)
    collection_id = urls.collection(actor, name)
    # The outbox goes through the visibility policy: a signer blocking (or blocked by) the
    # author is shown nothing.
    viewer = await signed_viewer(request) if name == "outbox" else None
    raw_page = request.query_params.get("page")
    chapter = await chapter_of(actor)
    hidden = chapter is not None and not chapter.members_visible and name == "followers"
    if raw_page is None or hidden:
        total, first = await _collection_items(actor, name, 0, urls, viewer)
        doc = to_ap_collection(collection_id, total, paged=not hidden)
        if name in INLINE and not hidden:
            doc["orderedItems"] = first[:PAGE_SIZE]
        return ap_response(doc)
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        return JSONResponse({"error": "page must be a number from 1"}, status_code=400)
    page = int(raw_page)
    total, items = await _collection_items(actor, name, (page - 1) * PAGE_SIZE, urls, viewer)
    return ap_response(to_ap_collection_page(collection_id, page, items[:PAGE_SIZE],
                                             total=total, has_next=len(items) > PAGE_SIZE))


async def inbox(request: Request) -> Response:
    """POST an activity (shared inbox or an actor's): 202 once stored, else the refusal."""
    settings = request.app.state.settings
    if request.url.path != "/inbox":
        kind, username = _target(request)
        if await find_public_actor(kind, username) is None:
            return JSONResponse({"error": "no such actor"}, status_code=404)
    url = settings.server.base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        result = await receive(local_urls(request), request.app.state.federation_client,
                               request.method, url, request.headers.items(), request.stream())
    except Rejected as exc:
        log.info("inbox refused %s from %s: %s", exc.status, request.client, exc.reason)
        return JSONResponse({"error": exc.reason}, status_code=exc.status)
    return JSONResponse({"status": result.outcome}, status_code=result.status)


def routes() -> list[Route]:
    return [
        Route("/inbox", inbox, methods=["POST"], name="shared_inbox"),
        Route("/actor", actor_document, methods=["GET"], name="instance_actor"),
        Route("/actor/inbox", inbox, methods=["POST"]),
        Route("/actor/{collection}", collection, methods=["GET"]),
        Route("/users/{username}", actor_document, methods=["GET"], name="member"),
        Route("/users/{username}/inbox", inbox, methods=["POST"]),
        Route("/users/{username}/{collection}", collection, methods=["GET"]),
        Route("/chapters/{slug}", actor_document, methods=["GET"], name="chapter"),
        Route("/chapters/{slug}/inbox", inbox, methods=["POST"]),
        Route("/chapters/{slug}/{collection}", collection, methods=["GET"]),
    ]
