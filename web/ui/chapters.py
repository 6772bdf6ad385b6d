"""Chapter pages: the directory (/chapters, a tree), a chapter's page (the HTML of
/chapters/{slug}), creating chapters (/chapters/new) and their settings, coordinators and
appointed members (/chapters/{slug}/settings, …/coordinators, …/appoint)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.functions import Count

from actors.chapters import (
    JOIN_POLICIES,
    children_of,
    create_chapter,
    member_count_of,
    members_of,
    parent_of,
    set_coordinator,
    update_chapter,
)
from actors.errors import ValidationFailed
from actors.models import Account, Actor, Chapter, Follow, SubChapter
from actors.roles import can_coordinate, coordinated_groups, coordinators_of, is_admin
from actors.urls import LocalUrls, find_actor_by_uri
from content.errors import NotAllowed
from content.membership import appoint
from content.models import Post
from content.pins import featured_posts
from content.visibility import shown_on_pages
from core.messages import N_, message_of
from web.sessions import current_account
from web.templating import render
from web.ui.auth import read_form
from web.ui.finder import HANDLE_MAX, NotFollowable, find_actor
from web.ui.follows import follow_between_state, handle_of, profile_link

PAGE = 20
PAGE_MAX = 10_000
TEXT_MAX = 5_100
POLICY_TEXT = {
    "open": N_("Anyone may join"),
    "approval": N_("Coordinators approve each request"),
    "closed": N_("Members are appointed"),
}
POLICY_HELP = {
    "open": N_("Follow this chapter from this server or any fediverse account and you are in."),
    "approval": N_("Ask to join; a coordinator of the chapter answers your request."),
    "closed": N_("Nobody can ask to join: the coordinators appoint its members."),
}


def _text(form: FormData, name: str, limit: int = TEXT_MAX) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _page_number(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "1")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= PAGE_MAX else 1


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def _who(request: Request, actor: Actor) -> dict[str, Any]:
    """What a template shows of an actor: name, handle, link, and whether it is ours."""
    return {"actor": actor, "name": actor.display_name or actor.username,
            "handle": handle_of(request, actor), "link": profile_link(request, actor),
            "local": actor.is_local}


async def _forbidden(request: Request, message: str) -> Response:
    return await render(request, "error.html", {
        "title": N_("You cannot do this"), "status": 403, "message": message}, 403)


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": N_("Page not found"), "status": 404}, 404)


# --- the directory ---------------------------------------------------------------------------


async def directory(request: Request) -> Response:
    """GET /chapters: every chapter as a tree, international → national → local, with the
    sub-chapters and parents on other servers that we know of."""
    chapters = await Chapter.all().order_by("name").prefetch_related("actor")
    counts: dict[int, int] = dict(await Follow.filter(
        state="accepted", followed_id__in=[c.actor_id for c in chapters]  # type: ignore[attr-defined]
    ).group_by("followed_id").annotate(n=Count("id")).values_list("followed_id", "n"))
    remote_children: dict[int, list[Actor]] = {}
    for link in await SubChapter.all().prefetch_related("child"):
        remote_children.setdefault(link.parent_id, []).append(link.child)  # type: ignore[attr-defined]
    by_parent: dict[int | None, list[Chapter]] = {}
    for chapter in chapters:
        by_parent.setdefault(chapter.parent_id, []).append(chapter)  # type: ignore[attr-defined]
    seen: set[int] = set()

    async def node(chapter: Chapter) -> dict[str, Any]:
        seen.add(chapter.id)
        remote_parent = await parent_of(chapter) if chapter.parent_uri else None
        return {
            "chapter": chapter, "link": f"/chapters/{chapter.slug}",
            "handle": handle_of(request, chapter.actor),
            "members": int(counts.get(chapter.actor_id, 0)),  # type: ignore[attr-defined]
            "policy": POLICY_TEXT.get(chapter.join_policy, ""),
            "remote_parent": _who(request, remote_parent) if remote_parent else None,
            "remote_parent_uri": chapter.parent_uri if remote_parent is None else None,
            "children": [await node(c) for c in by_parent.get(chapter.id, [])
                         if c.id not in seen],
            "remote_children": [_who(request, a) for a in remote_children.get(chapter.id, [])],
        }

    tree = [await node(c) for c in by_parent.get(None, [])]
    account = await current_account(request)
    may_create = account is not None and await _may_create(account.actor)
    return await render(request, "chapters.html", {"tree": tree, "may_create": may_create})


# --- a chapter's page ------------------------------------------------------------------------


async def chapter_page(request: Request, actor: Actor, chapter: Chapter) -> Response:
    """The HTML of /chapters/{slug}: about, parent and sub-chapters, coordinators, members,
    the join or leave button with the policy explained, and the chapter's posts."""
    account = await current_account(request)
    viewer = account.actor if account else None
    coordinating = viewer is not None and await can_coordinate(viewer, actor)
    state = await follow_between_state(viewer, actor)
    members_visible = chapter.members_visible or coordinating
    member_page, post_page = _page_number(request, "members"), _page_number(request, "page")
    members = (await members_of(actor, (member_page - 1) * PAGE, PAGE + 1)
               if members_visible else [])
    posts = await shown_on_pages(Post.filter(chapter_id=actor.id, deleted_at__isnull=True),
                                 viewer)
    shown = await posts.order_by("-published").offset((post_page - 1) * PAGE).limit(
        PAGE + 1).prefetch_related("author")
    featured = await featured_posts(actor, limit=PAGE)
    if viewer is None:
        featured = [p for p in featured if p.author.is_local]
    parent = await parent_of(chapter)
    pending = (await Follow.filter(followed_id=actor.id, state="pending").count()
               if coordinating else 0)
    return await render(request, "chapter.html", {
        "actor": actor, "chapter": chapter,
        "handle": handle_of(request, actor),
        "policy": POLICY_TEXT.get(chapter.join_policy, ""),
        "policy_help": POLICY_HELP.get(chapter.join_policy, ""),
        "parent": _who(request, parent) if parent else None,
        "parent_uri": chapter.parent_uri if parent is None else None,
        "children": [_who(request, a) for a in await children_of(chapter)],
        "coordinators": [_who(request, a) for a in await coordinators_of(actor)],
        "member_count": await member_count_of(actor),
        "members_visible": members_visible,
        "members": [_who(request, a) for a in members[:PAGE]],
        "member_page": member_page, "more_members": len(members) > PAGE,
        "posts": shown[:PAGE], "post_page": post_page, "more_posts": len(shown) > PAGE,
        "featured": featured, "featured_ids": {p.id for p in featured},
        "follow_state": state, "coordinating": coordinating, "pending": pending,
    })


# --- creating and configuring ---------------------------------------------------------------


async def _parent_choices(actor: Actor, admin: bool) -> list[Actor]:
    """Chapters of ours a viewer may put a chapter under: any (admins), else the ones they
    coordinate."""
    if admin:
        return await Actor.filter(kind="Group", domain__isnull=True).order_by("display_name")
    return [g for g in await coordinated_groups(actor) if g.is_local]


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        "name": _text(form, "name", 300), "slug": _text(form, "slug", 100),
        "description": _text(form, "description"),
        "parent": _text(form, "parent", 100), "parent_remote": _text(form, "parent_remote",
                                                                    HANDLE_MAX),
        "join_policy": _text(form, "join_policy", 20),
        "members_visible": form.get("members_visible") == "on",
        "coordinate": form.get("coordinate") == "on",
    }


async def _chosen_parent(request: Request, values: dict[str, Any], choices: list[Actor],
                         admin: bool, errors: dict[str, str]) -> Actor | None:
    """The parent the form names: one of `choices` by slug, or (admins) a chapter on any
    server by handle or URL."""
    if values["parent"] and values["parent_remote"]:
        errors["parent"] = N_("Choose a chapter of ours or name one elsewhere, not both.")
        return None
    if values["parent"]:
        found = next((g for g in choices if g.username == values["parent"]), None)
        if found is None:
            errors["parent"] = N_("Choose one of the chapters listed.")
        return found
    if not values["parent_remote"]:
        return None
    if not admin:
        errors["parent"] = N_("Only administrators can name a parent on another server.")
        return None
    settings = request.app.state.settings
    try:
        found = await find_actor(_urls(request), request.app.state.federation_client,
                                 settings.instance.domain, values["parent_remote"])
    except NotFollowable as exc:
        errors["parent"] = message_of(exc)
        return None
    if found.kind != "Group":
        errors["parent"] = N_("That is not a chapter (a group).")
        return None
    return found


async def _form_page(request: Request, account: Account, *, chapter: Chapter | None,
                     values: dict[str, Any], errors: dict[str, str], status: int = 200,
                     extra: dict[str, Any] | None = None) -> Response:
    admin = await is_admin(account.actor)
    choices = [g for g in await _parent_choices(account.actor, admin)
               if chapter is None or g.id != chapter.actor_id]  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "chapter": chapter, "values": values, "errors": errors, "admin": admin,
        "choices": choices, "policies": [(p, POLICY_TEXT[p]) for p in JOIN_POLICIES],
    }
    if chapter is not None:
        context["coordinators"] = [_who(request, a)
                                   for a in await coordinators_of(chapter.actor)]
    context.update(extra or {})
    return await render(request, "chapter_form.html", context, status)


async def _may_create(actor: Actor) -> bool:
    return await is_admin(actor) or bool(await coordinated_groups(actor))


async def _creator(request: Request) -> Account | Response:
    """The logged-in admin or coordinator who may create chapters, or the answer."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if not await _may_create(account.actor):
        return await _forbidden(request, N_("Chapters are created by the organization's "
                                         "administrators and, under their own chapters, by "
                                         "coordinators."))
    return account


async def new_form(request: Request) -> Response:
    """GET /chapters/new: the form (admins; coordinators, under a chapter they coordinate)."""
    account = await _creator(request)
    if isinstance(account, Response):
        return account
    parent = request.query_params.get("parent", "")[:100]
    return await _form_page(request, account, chapter=None, errors={}, values={
        "name": "", "slug": "", "description": "", "parent": parent, "parent_remote": "",
        "join_policy": "open", "members_visible": True, "coordinate": True})


async def new_submit(request: Request) -> Response:
    """POST /chapters/new: create the chapter and go to its page."""
    form = await read_form(request)
    account = await _creator(request)
    if isinstance(account, Response):
        return account
    values = _form_values(form)
    admin = await is_admin(account.actor)
    errors: dict[str, str] = {}
    parent = await _chosen_parent(request, values, await _parent_choices(account.actor, admin),
                                  admin, errors)
    if not admin and parent is None and "parent" not in errors:
        errors["parent"] = N_("Choose the chapter the new one belongs to.")
    if not errors:
        try:
            chapter = await create_chapter(
                values["name"], values["slug"], parent=parent,
                description=values["description"], join_policy=values["join_policy"],
                members_visible=values["members_visible"],
                creator=account.actor if values["coordinate"] or not admin else None,
                urls=_urls(request))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return RedirectResponse(f"/chapters/{chapter.slug}", status_code=303)
    return await _form_page(request, account, chapter=None, values=values, errors=errors,
                            status=422)


async def coordinated_chapter(request: Request) -> tuple[Account, Chapter] | Response:
    """The logged-in viewer and the chapter of the path, when they may configure it."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    chapter = await Chapter.get_or_none(slug=str(request.path_params["slug"])[:100]
                                        ).prefetch_related("actor")
    if chapter is None:
        return await _not_found(request)
    if not await can_coordinate(account.actor, chapter.actor):
        return await _forbidden(request, N_("Only the chapter's coordinators and the "
                                         "organization's administrators can change it."))
    return account, chapter


def _settings_values(chapter: Chapter, parent: Actor | None) -> dict[str, Any]:
    return {"name": chapter.name, "slug": chapter.slug, "description": chapter.description,
            "parent": parent.username if parent and parent.is_local else "",
            "parent_remote": ((parent.uri or "") if parent and not parent.is_local
                              else (chapter.parent_uri or "")),
            "join_policy": chapter.join_policy, "members_visible": chapter.members_visible}


async def settings_form(request: Request) -> Response:
    """GET /chapters/{slug}/settings (coordinators and admins)."""
    found = await coordinated_chapter(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    return await _form_page(request, account, chapter=chapter, errors={},
                            values=_settings_values(chapter, await parent_of(chapter)))


async def settings_submit(request: Request) -> Response:
    """POST /chapters/{slug}/settings: save; the chapter's followers get an Update."""
    form = await read_form(request)
    found = await coordinated_chapter(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    values = _form_values(form)
    values["slug"] = chapter.slug
    admin = await is_admin(account.actor)
    current = await parent_of(chapter)
    choices = await _parent_choices(account.actor, admin)
    if current is not None and current.is_local and current not in choices:
        choices.append(current)  # a coordinator may keep the parent an admin chose
    errors: dict[str, str] = {}
    if (not admin and current is not None and not current.is_local
            and values["parent_remote"] in (current.uri, chapter.parent_uri)):
        parent: Actor | None = current  # unchanged remote parent
    else:
        parent = await _chosen_parent(request, values, choices, admin, errors)
    if not errors:
        try:
            await update_chapter(chapter, name=values["name"],
                                 description=values["description"],
                                 join_policy=values["join_policy"],
                                 members_visible=values["members_visible"], parent=parent)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return RedirectResponse(f"/chapters/{chapter.slug}/settings?saved=1",
                                    status_code=303)
    return await _form_page(request, account, chapter=chapter, values=values, errors=errors,
                            status=422)


async def _known_actor(request: Request, text: str) -> Actor | None:
    """An actor this server knows, by handle (`@name`, `@name@host`) or actor URL; no
    look-up on other servers (coordinators and appointees are members, so known here)."""
    value = text.strip()
    if value.startswith(("https://", "http://")):
        return await find_actor_by_uri(_urls(request), value)
    user, _, domain = value.lstrip("@").partition("@")
    ours = request.app.state.settings.instance.domain.lower()
    if not domain or domain.lower() in (ours, ours.split(":")[0]):
        return await Actor.get_or_none(acct_key=Actor.key_for(user, None), kind="Person")
    return await Actor.get_or_none(acct_key=Actor.key_for(user, domain))


async def coordinators_submit(request: Request) -> Response:
    """POST /chapters/{slug}/coordinators: `action` add (a member by `handle`) or remove
    (`actor` id); the chapter announces it (Add/Remove on its moderators collection)."""
    form = await read_form(request)
    found = await coordinated_chapter(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    action = _text(form, "action", 10)
    handle = _text(form, "handle", HANDLE_MAX)
    error = None
    if action == "remove":
        raw = _text(form, "actor", 20)
        target = await Actor.get_or_none(id=int(raw)) if raw.isdigit() else None
        if target is not None:
            await set_coordinator(chapter.actor, target, False)
    elif action == "add":
        target = await _known_actor(request, handle) if handle else None
        if target is None:
            error = N_("Enter the handle of a member of this chapter, like @name@example.org.")
        else:
            try:
                await set_coordinator(chapter.actor, target, True)
            except ValidationFailed as exc:
                error = next(iter(exc.errors.values()))
    if error:
        return await _form_page(
            request, account, chapter=chapter, errors={"coordinator": error}, status=422,
            values=_settings_values(chapter, await parent_of(chapter)),
            extra={"coordinator_handle": handle})
    return RedirectResponse(f"/chapters/{chapter.slug}/settings", status_code=303)


async def appoint_submit(request: Request) -> Response:
    """POST /chapters/{slug}/appoint: add a member of this server by `handle` (how closed
    chapters get members); they are notified."""
    form = await read_form(request)
    found = await coordinated_chapter(request)
    if isinstance(found, Response):
        return found
    account, chapter = found
    handle = _text(form, "handle", HANDLE_MAX)
    target = await _known_actor(request, handle) if handle else None
    error = None
    if target is None:
        error = N_("Enter the handle of a member of this server, like @name.")
    else:
        try:
            await appoint(_urls(request), chapter.actor, target, account.actor)
        except (ValidationFailed, NotAllowed) as exc:
            error = (next(iter(exc.errors.values())) if isinstance(exc, ValidationFailed)
                     else N_("Only coordinators can appoint members."))
    if error:
        return await _form_page(
            request, account, chapter=chapter, errors={"appoint": error}, status=422,
            values=_settings_values(chapter, await parent_of(chapter)),
            extra={"appoint_handle": handle})
    return RedirectResponse(f"/chapters/{chapter.slug}/settings?appointed=1", status_code=303)


def routes() -> list[Route]:
    """Registered before the ActivityPub routes, whose /chapters/{slug}/{collection} would
    otherwise answer these paths."""
    return [
        Route("/chapters", directory, methods=["GET"], name="chapters"),
        Route("/chapters/new", new_form, methods=["GET"], name="new_chapter"),
        Route("/chapters/new", new_submit, methods=["POST"]),
        Route("/chapters/{slug}/settings", settings_form, methods=["GET"],
              name="chapter_settings"),
        Route("/chapters/{slug}/settings", settings_submit, methods=["POST"]),
        Route("/chapters/{slug}/coordinators", coordinators_submit, methods=["POST"]),
        Route("/chapters/{slug}/appoint", appoint_submit, methods=["POST"]),
    ]
