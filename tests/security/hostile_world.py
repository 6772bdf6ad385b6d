"""The hostile world of the page tests: a hostile value in every field a member, an admin or
another server controls, each stored through the path its author really uses (web forms, the
signed inbox of tests/inbox/fediverse.py). A new field is one line in FIELDS."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from PIL import Image

from actors.models import Actor
from content.models import Post
from core.settings import Settings
from tests.inbox.content_support import create_of, note, send
from tests.inbox.fediverse import FakeFediverse
from tests.security.xss_corpus import CORPUS, MARKER
from tests.support.forms import csrf_from, post_form
from tests.support.members import PASSWORD, log_in

AppFor = Callable[[Settings], Awaitable[httpx.AsyncClient]]
Drain = Callable[[], Awaitable[int]]

#: Short vectors first, so that fields with small caps still get the essential ones.
_BY_LENGTH = sorted(CORPUS, key=lambda v: len(v.payload))


def hostile(witness: str, cap: int) -> str:
    """A value for a field of at most `cap` characters: a witness word (to prove the field is
    shown) followed by as many corpus vectors as fit, the shortest first."""
    value = witness
    for vector in _BY_LENGTH:
        if len(value) + 1 + len(vector.payload) <= cap:
            value += " " + vector.payload
    assert MARKER in value, f"{witness}: cap {cap} too small for any vector"
    return value


#: Every hostile field: its witness word and its value (capped as its form or service caps).
FIELDS = {
    "display name (join form)": hostile("zqdisplay", 100),
    "application reason (join form)": hostile("zqreason", 2000),
    "applicant display name": hostile("zqapplicant", 100),
    "chapter name": hostile("zqchapter", 200),
    "chapter description": hostile("zqdesc", 5000),
    "post text (Markdown)": hostile("zqpost", 5000),
    "reply text (Markdown)": hostile("zqreply", 5000),
    "chapter post text": hostile("zqchpost", 5000),
    "poll text": hostile("zqpolltext", 5000),
    "campaign label": hostile("zqlabel", 100),
    "invitation note": hostile("zqinvite", 200),
    "remote actor name": hostile("zqremname", 200),
    "remote actor summary": hostile("zqremsum", 5000),
    "remote reply content": hostile("zqremnote", 20000),
    "remote reply summary (CW)": hostile("zqremcw", 2000),
    "remote article name": hostile("zqarttitle", 1000),
    "remote article summary": hostile("zqartsum", 2000),
    "remote article content": hostile("zqartbody", 20000),
    "remote question content": hostile("zqqtext", 5000),
    "blog title": hostile("zqblogtitle", 200),
    "blog summary": hostile("zqblogsum", 2000),
    "blog text (Markdown)": hostile("zqblogbody", 5000),
    "cover alt text": hostile("zqcoveralt", 1500),
    "forum thread title": hostile("zqforumtitle", 200),
    "forum thread text (Markdown)": hostile("zqforumtext", 5000),
    "ballot title": hostile("zqballot", 200),
    "ballot description": hostile("zqballotdesc", 5000),
    "proposal title": hostile("zqproptitle", 200),
    "proposal text": hostile("zqproptext", 5000),
}
#: Poll options, one vector each (options are capped at 100 characters).
POLL_OPTIONS = [f"zqopt{i} {v.payload}" for i, v in enumerate(
    v for v in _BY_LENGTH if len(v.payload) <= 90)][:20]
REMOTE_OPTIONS = [f"zqqopt{i} {v.payload}" for i, v in enumerate(
    v for v in _BY_LENGTH if len(v.payload) <= 90)][:20]


def witness(field: str) -> str:
    return FIELDS[field].split(" ", 1)[0]


@dataclass
class World:
    clients: dict[str, httpx.AsyncClient]
    ids: dict[str, str]


async def _join(app_for: AppFor, settings: Settings, username: str, display: str,
                reason: str = "") -> httpx.AsyncClient:
    browser = await app_for(settings)
    answer = await post_form(browser, "/join", {
        "username": username, "display_name": display, "email": f"{username}@example.org",
        "password": PASSWORD, "commitments": "accept", "reason": reason})
    assert answer.status_code in (201, 303), answer.text
    return browser


async def _posted(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].removeprefix("/posts/")


async def build_world(app_for: AppFor, make_settings: Callable[..., Settings],
                      settings: Settings, fed_client: httpx.AsyncClient,
                      fediverse: FakeFediverse, drain_jobs: Drain) -> World:
    """Every hostile value, each stored through the path its author really uses."""
    mallory = await _join(app_for, settings, "mallory", FIELDS["display name (join form)"])
    await _join(app_for, make_settings(mode="approval"), "applicant",
                FIELDS["applicant display name"], FIELDS["application reason (join form)"])
    admin = await app_for(settings)
    await log_in(admin, settings, "root", role="admin")
    created = await post_form(admin, "/chapters/new", {
        "name": FIELDS["chapter name"], "slug": "hostile",
        "description": FIELDS["chapter description"], "parent": "", "parent_remote": "",
        "join_policy": "approval", "coordinate": "on", "members_visible": "on"})
    assert created.status_code == 303, created.text
    chapter = await Actor.get(username="hostile", domain=None)
    chapter_post = await _posted(await post_form(admin, "/posts", {
        "text": FIELDS["chapter post text"], "visibility": "public",
        "chapter": str(chapter.id)}, page="/compose"))
    post = await _posted(await post_form(mallory, "/posts", {
        "text": FIELDS["post text (Markdown)"], "visibility": "public"}, page="/compose"))
    replied = await post_form(admin, f"/posts/{post}/reply",
                              {"text": FIELDS["reply text (Markdown)"]}, page=f"/posts/{post}")
    assert replied.status_code == 303, replied.text
    token = await csrf_from(mallory, "/compose")
    poll = await _posted(await mallory.post("/polls", data={
        "csrf_token": token, "text": FIELDS["poll text"], "visibility": "public",
        "poll_option": POLL_OPTIONS, "poll_duration": "86400"}))
    saved = await post_form(admin, "/admin/campaign", {
        "label": FIELDS["campaign label"], "goal": "100", "starts_on": "", "ends_on": ""})
    assert saved.status_code == 303, saved.text
    invited = await post_form(mallory, "/invitations", {
        "note": FIELDS["invitation note"], "expires": "7", "max_uses": "", "chapter": ""})
    assert invited.status_code == 303, invited.text

    remote = await _remote(settings, fed_client, fediverse, drain_jobs, post)
    return World({"anonymous": await app_for(settings), "mallory": mallory, "admin": admin},
                 {"slug": "hostile", "post": post, "poll": poll, "chapter_post": chapter_post,
                  **remote})


async def _remote(settings: Settings, fed_client: httpx.AsyncClient, fediverse: FakeFediverse,
                  drain_jobs: Drain, post: str) -> dict[str, str]:
    """Another server's actor, reply, article, question and join request, through the inbox."""
    eve = fediverse.person("evil.test", "eve")
    eve.doc.update(name=FIELDS["remote actor name"], summary=FIELDS["remote actor summary"])
    fediverse.publish(eve)
    base = settings.server.base_url
    ours = await Post.get(id=int(post))
    reply = note(eve, 1, FIELDS["remote reply content"], summary=FIELDS[
        "remote reply summary (CW)"], inReplyTo=ours.uri, tag=[
        {"type": "Mention", "href": f"{base}/users/mallory", "name": "@mallory"}])
    article = note(eve, 2, FIELDS["remote article content"], type="Article",
                   name=FIELDS["remote article name"], summary=FIELDS["remote article summary"])
    question = note(eve, 3, FIELDS["remote question content"], type="Question",
                    endTime="2099-01-01T00:00:00Z", oneOf=[
                        {"type": "Note", "name": name,
                         "replies": {"type": "Collection", "totalItems": 0}}
                        for name in REMOTE_OPTIONS])
    for obj in (reply, article, question):
        assert await send(fed_client, settings, create_of(obj, eve.uri), eve) == 202
    # A post's `url` is rendered as a link ("on its own server"): a javascript: one must be
    # refused or kept off the page (checked on /posts/{sneaky}). An actor whose own `url` is
    # javascript: fails to parse, so its key is never trusted (401): nothing to render.
    trudy = fediverse.person("evil.test", "trudy")
    sneaky = note(trudy, 4, "<p>zqsneaky</p>", inReplyTo=ours.uri,
                  url="jav&#x09;ascript:alert(1337)")
    assert await send(fed_client, settings, create_of(sneaky, trudy.uri), trudy) == 202
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
              "id": f"{eve.uri}/follows/1", "actor": eve.uri, "object": f"{base}/chapters/hostile"}
    assert await send(fed_client, settings, follow, eve) == 202
    await drain_jobs()
    return {name: str((await Post.get(uri=obj["id"])).id)
            for name, obj in (("remote_reply", reply), ("article", article),
                              ("question", question), ("sneaky", sneaky))}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def write_articles_threads_ballots(world: World) -> None:
    """A blog post, a forum thread and a ballot with proposals, through their forms."""
    mallory, admin = world.clients["mallory"], world.clients["admin"]
    world.ids["article"] = await _posted(await post_form(mallory, "/write", {
        "title": FIELDS["blog title"], "summary": FIELDS["blog summary"],
        "categories": "zqcategory", "body": FIELDS["blog text (Markdown)"],
        "visibility": "public", "action": "publish", "cover_alt": FIELDS["cover alt text"]},
        files={"cover": ("cover.png", _png(), "image/png")}))
    world.ids["thread"] = await _posted(await post_form(
        admin, "/chapters/hostile/forum", {"title": FIELDS["forum thread title"],
                                           "text": FIELDS["forum thread text (Markdown)"]},
        page="/chapters/hostile/forum/new"))
    now = datetime.now(UTC)
    day = "%Y-%m-%dT%H:%M"
    opened = await post_form(admin, "/chapters/hostile/ballots/new", {
        "title": FIELDS["ballot title"], "description": FIELDS["ballot description"],
        "method": "approval", "quorum": "", "threshold": "", "seats": "1",
        "proposals_at": (now - timedelta(minutes=1)).strftime(day), "amendments_at": "",
        "voting_at": (now + timedelta(days=7)).strftime(day),
        "ends_at": (now + timedelta(days=14)).strftime(day),
        "proposal_title": FIELDS["proposal title"], "proposal_text": FIELDS["proposal text"]})
    assert opened.status_code == 303, opened.text
    world.ids["ballot"] = opened.headers["location"].removeprefix("/ballots/")
