"""The .well-known documents: WebFinger, NodeInfo 2.0/2.1 and host-meta (XRD and JSON)."""

from __future__ import annotations

from importlib import metadata

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actors.accounts import member_count
from actors.campaign import current_campaign
from actors.directory import find_public_actor_by_username
from actors.urls import LocalUrls, find_local_actor
from content.tally import active_member_count, local_post_count
from federation import (
    Acct,
    ParseError,
    build_host_meta_json,
    build_host_meta_xml,
    build_jrd,
    build_nodeinfo,
    nodeinfo_links,
    parse_acct,
)
from federation.nodeinfo import NODEINFO_SCHEMAS

CORS = {"access-control-allow-origin": "*"}
MAX_RESOURCE = 2048


def _version() -> str:
    try:
        return metadata.version("chapterhouse")
    except metadata.PackageNotFoundError:
        return "0"


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=CORS)


async def webfinger(request: Request) -> Response:
    """`?resource=acct:user@domain` (with or without the port) or an actor URL → JRD."""
    settings = request.app.state.settings
    urls = LocalUrls(settings.server.base_url)
    resource = request.query_params.get("resource", "").strip()
    if not resource or len(resource) > MAX_RESOURCE:
        return _error(400, "resource is required")
    domain = settings.instance.domain.lower()
    if resource.lower().startswith(("http://", "https://")):
        local = await find_local_actor(urls, resource)
        actor = await find_public_actor_by_username(local.username) if local else None
    else:
        try:
            acct = parse_acct(resource)
        except ParseError:
            return _error(400, "resource is not an acct: URI or an actor URL")
        if acct.domain != domain and acct.domain != Acct("x", domain).host:
            return _error(404, "not a user of this server")
        actor = await find_public_actor_by_username(acct.user)
    if actor is None:
        return _error(404, "no such user")
    actor_url = urls.actor(actor)
    jrd = build_jrd(Acct(actor.username, domain), actor_url, profile_url=actor_url)
    return JSONResponse(jrd, media_type="application/jrd+json", headers=CORS)


async def nodeinfo_discovery(request: Request) -> Response:
    base = request.app.state.settings.server.base_url
    return JSONResponse(nodeinfo_links(base), headers=CORS)


async def nodeinfo(request: Request) -> Response:
    """NodeInfo 2.0 or 2.1: members (approved accounts), those active (logged in or posted)
    in the last month and half year, local posts not deleted, and the campaign."""
    version = request.path_params["version"]
    if version not in NODEINFO_SCHEMAS:
        return _error(404, "unknown NodeInfo version")
    settings = request.app.state.settings
    campaign = await current_campaign(settings)
    members = await member_count()
    doc = build_nodeinfo(
        version,
        software_name="chapterhouse",
        software_version=_version(),
        users_total=members,
        users_active_month=await active_member_count(30),
        users_active_halfyear=await active_member_count(180),
        local_posts=await local_post_count(),
        open_registrations=settings.registration.mode == "open",
        metadata={
            "nodeName": settings.instance.name,
            # Clients such as megalodon recognise a Mastodon-compatible API by this.
            "upstream": {"name": "mastodon", "version": "4.3.0"},
            "nodeDescription": settings.instance.description,
            # The membership campaign, so a federation of organizations can sum it; the
            # daily series is at `url`.
            "campaign": {
                "label": campaign.label,
                "goal": campaign.goal,
                "members": members,
                "startsOn": campaign.starts_on.isoformat() if campaign.starts_on else None,
                "endsOn": campaign.ends_on.isoformat() if campaign.ends_on else None,
                "url": f"{settings.server.base_url}/campaign.json",
            },
        },
    )
    profile = f'application/json; profile="{NODEINFO_SCHEMAS[version]}#"'
    return JSONResponse(doc, headers={**CORS, "content-type": profile})


async def host_meta(request: Request) -> Response:
    """XRD by default; JSON to `Accept: application/json` or at host-meta.json."""
    base = request.app.state.settings.server.base_url
    accept = request.headers.get("accept", "")
    if request.url.path.endswith(".json") or ("json" in accept and "xml" not in accept):
        return JSONResponse(build_host_meta_json(base), headers=CORS)
    return Response(build_host_meta_xml(base), media_type="application/xrd+xml", headers=CORS)


def routes() -> list[Route]:
    return [
        Route("/.well-known/webfinger", webfinger, methods=["GET"], name="webfinger"),
        Route("/.well-known/nodeinfo", nodeinfo_discovery, methods=["GET"]),
        Route("/nodeinfo/{version}", nodeinfo, methods=["GET"], name="nodeinfo"),
        Route("/.well-known/host-meta", host_meta, methods=["GET"]),
        Route("/.well-known/host-meta.json", host_meta, methods=["GET"]),
    ]
