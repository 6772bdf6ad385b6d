"""Polls in the Mastodon client API: read one and vote — straw polls through content.polls,
formal ballots through content.ballots.

A ballot shows as a Poll whose id is the ballot's id (entities_status.ballot_poll_entity).
Single-choice and approval ballots are voted here through content.ballots.cast_vote, with its
eligibility and phase checks (the chosen indexes are the open proposals, by position); ranked
and consent ballots cannot be expressed as poll choices: voting on them answers 422 naming
the ballot's page. A poll on a post the member may not see is 404, like a missing one."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from actors.models import Actor
from content.ballot_models import Ballot
from content.ballots import BallotError, cast_vote, proposals_of
from content.errors import NotAllowed, ValidationFailed
from content.models import Poll, Post
from content.polls import options_of, vote
from content.visibility import can_see
from web.api.auth import api_account
from web.api.entities_status import ballot_url, status_entity
from web.api.errors import ApiError, api_endpoint, read_params, unprocessable
from web.api.routing import both
from web.api.statuses import PRIVATE, not_found, optional_viewer, urls_of

#: Ballot methods whose paper is a list of chosen proposals, as a Mastodon poll's choices.
SIMPLE_METHODS = ("single", "approval")
CHOICES_MAX = 50


def _base(request: Request) -> str:
    return request.app.state.settings.server.base_url  # type: ignore[no-any-return]


async def _find(request: Request, viewer: Actor | None) -> tuple[Post, Poll | None, Ballot | None]:
    """The live post behind the path's poll id (a straw poll's or a ballot's) if `viewer`
    may see it; else 404."""
    raw = str(request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise not_found()
    ident = int(raw)
    poll = await Poll.get_or_none(id=ident)
    ballot = None if poll is not None else await Ballot.get_or_none(id=ident)
    post_id = poll.post_id if poll else ballot.post_id if ballot else None  # type: ignore[attr-defined]
    post = await Post.get_or_none(id=post_id, deleted_at__isnull=True) if post_id else None
    if post is None or not await can_see(post, viewer):
        raise not_found()
    return post, poll, ballot


async def _poll_entity(request: Request, post: Post, viewer: Actor | None) -> Any:
    entity = await status_entity(post, base_url=_base(request), viewer=viewer)
    if entity["poll"] is None:
        raise not_found()
    return entity["poll"]


@api_endpoint
async def show_poll(request: Request) -> Response:
    """GET /api/v1/polls/:id: anyone for a poll on a public post; a token given must hold
    read:statuses."""
    viewer = await optional_viewer(request)
    post, _, _ = await _find(request, viewer)
    entity = await _poll_entity(request, post, viewer)
    return JSONResponse(entity, headers=PRIVATE if viewer else {})


def _indexes(params: dict[str, Any]) -> list[int]:
    """`choices[]` (form) or `choices` (JSON): option indexes, as numbers or digit strings."""
    raw = params.get("choices")
    if raw is None:
        raw = params.get("choices[]")
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise unprocessable("choices must be a list of option indexes")
    if len(raw) > CHOICES_MAX:
        raise unprocessable("too many choices")
    out: list[int] = []
    for item in raw:
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        if not isinstance(text, str) or not text.isdigit() or len(text) > 4:
            raise unprocessable("choices must be a list of option indexes")
        out.append(int(text))
    return out


def _chosen(indexes: list[int], ids: list[int]) -> list[int]:
    for index in indexes:
        if index >= len(ids):
            raise unprocessable(f"choice {index} is not an option of this poll")
    return [ids[i] for i in indexes]


def _refused(exc: Exception) -> ApiError:
    if isinstance(exc, ValidationFailed):
        return unprocessable("; ".join(exc.errors.values()))
    return unprocessable(str(exc))


@api_endpoint
async def vote_in_poll(request: Request) -> Response:
    """POST /api/v1/polls/:id/votes (write:statuses): `choices[]`, JSON or form."""
    account = await api_account(request, "write:statuses")
    me: Actor = account.actor
    post, poll, ballot = await _find(request, me)
    indexes = _indexes(await read_params(request))
    urls = urls_of(request)
    try:
        if poll is not None:
            ids = [o.id for o in await options_of(poll)]
            await vote(urls, me, post, _chosen(indexes, ids))
        else:
            assert ballot is not None
            if ballot.method not in SIMPLE_METHODS:
                raise unprocessable(f"this is a {ballot.method} ballot: vote on its page, "
                                    f"{ballot_url(_base(request), ballot.id)}")
            ids = [p.id for p in await proposals_of(ballot)]
            await cast_vote(urls, ballot, me, _chosen(indexes, ids))
    except (NotAllowed, ValidationFailed, BallotError) as exc:
        raise _refused(exc) from None
    entity = await _poll_entity(request, post, me)
    return JSONResponse(entity, headers=PRIVATE)


def routes() -> list[BaseRoute]:
    return [
        *both("/api/v1/polls/{id}", show_poll, ["GET"]),
        *both("/api/v1/polls/{id}/votes", vote_in_poll, ["POST"]),
    ]
