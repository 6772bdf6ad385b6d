"""Blogs in the web UI: writing and editing Articles (/write, /posts/{id}/edit-article, with a
server-rendered Markdown preview, drafts, categories and a cover image), the member's drafts,
blog indexes of members and chapters, and category (hashtag) pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.models import Account, Actor, Follow
from actors.urls import LocalUrls
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.html import markdown_to_html
from content.media import MAX_BYTES, media_src, set_description, store_image
from content.models import Media, Post
from content.posts import SOURCE_MAX, create_post, edit_post, publish_draft
from content.tags import normalize_tag, tag_named, tags_of
from content.visibility import listed_to, shown_on_pages
from core.ids import parse_id
from core.messages import N_
from outbox.render import derive_summary
from web.security import CSRF_FIELD, check_csrf
from web.sessions import current_account
from web.templating import render
from web.ui import feeds

PAGE_SIZE = 20
WRITABLE_VISIBILITIES = ("public", "followers")
ACTIONS = ("preview", "draft", "publish")
_FIELD_MAX = 5_000


@dataclass
class ArticleForm:
    """What the article form holds, typed or stored."""

    title: str = ""
    summary: str = ""
    categories: str = ""
    body: str = ""
    chapter: int | None = None
    visibility: str = "public"
    cover: Media | None = None
    cover_alt: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _urls(request: Request) -> LocalUrls:
    return LocalUrls(request.app.state.settings.server.base_url)


def _text(form: FormData, name: str, limit: int = _FIELD_MAX) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


async def _not_found(request: Request) -> Response:
    return await render(request, "error.html", {"title": N_("Page not found"), "status": 404}, 404)


def _login() -> Response:
    return RedirectResponse("/login", status_code=303)


async def _member_chapters(actor: Actor) -> list[Actor]:
    """The chapters `actor` is an accepted member of, by name (a blog post may go there)."""
    rows = await Follow.filter(follower_id=actor.id, state="accepted",
                               followed__kind="Group").prefetch_related("followed")
    return sorted((r.followed for r in rows), key=lambda g: (g.display_name or g.username).lower())


async def _read_multipart(request: Request) -> FormData:
    """The posted article form (one file at most) after the CSRF and Origin checks."""
    form = await request.form(max_files=1, max_fields=30,
                              max_part_size=SOURCE_MAX["article"] * 4 + 1024)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


async def _upload(form: FormData) -> bytes | None:
    """The bytes of the chosen cover file (None when none was chosen); b"" past the cap."""
    item = form.get("cover")
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    data = await item.read(MAX_BYTES + 1)
    return data if data else None


async def _fill(request: Request, form: FormData, actor: Actor,
                current: Media | None) -> ArticleForm:
    """The typed values; a newly chosen cover is stored now (so a preview keeps it)."""
    values = ArticleForm(
        title=_text(form, "title", 400), summary=_text(form, "summary", 4_000),
        categories=_text(form, "categories", 2_000),
        body=_text(form, "body", SOURCE_MAX["article"] + 100),
        visibility=_text(form, "visibility", 20) or "public",
        cover_alt=_text(form, "cover_alt", 2_000).strip())
    raw_chapter = _text(form, "chapter", 30)
    values.chapter = parse_id(raw_chapter) if raw_chapter else None
    if values.visibility not in WRITABLE_VISIBILITIES:
        values.errors["visibility"] = N_("Choose who can see it: everyone or your followers.")
    bad = [c.strip() for c in values.categories.split(",")
           if c.strip() and normalize_tag(c) is None]
    if bad:
        values.errors["categories"] = (f"“{bad[0]}” cannot be a category: use letters, digits "
                                       "and underscores.")
    kept = parse_id(_text(form, "cover_id", 30))
    values.cover = current
    if kept is not None and (current is None or kept != current.id):
        values.cover = await Media.get_or_none(id=kept, owner_id=actor.id)
    if _text(form, "remove_cover", 5):
        values.cover = None
    data = await _upload(form)
    if data is not None:
        try:
            values.cover = await store_image(request.app.state.settings.data_dir, actor, data,
                                             values.cover_alt)
        except ValidationFailed as exc:
            values.errors["cover"] = next(iter(exc.errors.values()))
    elif values.cover is not None and values.cover_alt != values.cover.description:
        if values.cover_alt:
            values.cover = await set_description(actor, values.cover, values.cover_alt)
        else:
            values.errors["cover"] = N_("Describe the image for people who cannot see it.")
    return values


def _categories(values: ArticleForm) -> list[str]:
    return [c for c in values.categories.split(",") if c.strip()]


async def _form_page(request: Request, account: Account, values: ArticleForm, *,
                     post: Post | None = None, preview: bool = False,
                     status: int = 200) -> Response:
    preview_html = markdown_to_html(values.body) if preview else ""
    derived = ""
    if preview and not values.summary.strip():
        derived = derive_summary(Post(summary="", content_html=preview_html))
    return await render(request, "article_form.html", {
        "values": values, "post": post, "errors": values.errors,
        "chapters": await _member_chapters(account.actor),
        "cover_src": media_src(values.cover) if values.cover else "",
        "preview": preview, "preview_html": preview_html, "derived_summary": derived,
        "saved": request.query_params.get("saved") == "1",
    }, status)


async def write_page(request: Request) -> Response:
    """GET /write: the empty article form."""
    account = await current_account(request)
    if account is None:
        return _login()
    return await _form_page(request, account, ArticleForm(
        chapter=parse_id(request.query_params.get("chapter", ""))))


async def write_submit(request: Request) -> Response:
    """POST /write: preview, save as a draft, or publish a new Article."""
    form = await _read_multipart(request)
    account = await current_account(request)
    if account is None:
        return _login()
    actor = account.actor
    values = await _fill(request, form, actor, None)
    action = _text(form, "action", 20)
    chapter = None
    if values.chapter is not None:
        chapter = next((g for g in await _member_chapters(actor) if g.id == values.chapter),
                       None)
        if chapter is None:
            values.errors["chapter"] = N_("Choose one of your chapters.")
    if action not in ("draft", "publish") or values.errors:
        return await _form_page(request, account, values, preview=True,
                                status=200 if action == "preview" and not values.errors
                                else 422)
    try:
        post = await create_post(
            _urls(request), actor, values.body, kind="article", title=values.title,
            summary=values.summary.strip(), visibility=values.visibility, chapter=chapter,
            tags=_categories(values), draft=action == "draft", cover=values.cover)
    except ValidationFailed as exc:
        values.errors.update(exc.errors)
        return await _form_page(request, account, values, preview=True, status=422)
    except NotAllowed:
        values.errors["chapter"] = N_("Only members of this chapter may post in it.")
        return await _form_page(request, account, values, preview=True, status=403)
    if post.draft:
        return RedirectResponse(f"/posts/{post.id}/edit-article?saved=1", status_code=303)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


async def _own_article(request: Request) -> tuple[Account, Post] | Response:
    account = await current_account(request)
    if account is None:
        return _login()
    ident = parse_id(str(request.path_params["post_id"]))
    post = await Post.get_or_none(id=ident, deleted_at__isnull=True) if ident else None
    if (post is None or post.kind != "article"
            or post.author_id != account.actor_id):  # type: ignore[attr-defined]
        return await _not_found(request)
    return account, post


async def _stored_values(post: Post) -> ArticleForm:
    cover = await Media.get_or_none(id=post.cover_id) if post.cover_id else None  # type: ignore[attr-defined]
    return ArticleForm(
        title=post.title, summary=post.summary, body=post.source,
        categories=", ".join(t.display for t in await tags_of(post)),
        chapter=post.chapter_id, visibility=post.visibility,  # type: ignore[attr-defined]
        cover=cover, cover_alt=cover.description if cover else "")


async def edit_page(request: Request) -> Response:
    """GET /posts/{id}/edit-article: the author's form, filled with the stored article."""
    found = await _own_article(request)
    if isinstance(found, Response):
        return found
    account, post = found
    return await _form_page(request, account, await _stored_values(post), post=post)


async def edit_submit(request: Request) -> Response:
    """POST /posts/{id}/edit-article: preview; save (a draft stays a draft, a published
    article sends an Update); publish a draft."""
    form = await _read_multipart(request)
    found = await _own_article(request)
    if isinstance(found, Response):
        return found
    account, post = found
    actor = account.actor
    stored = await _stored_values(post)
    values = await _fill(request, form, actor, stored.cover)
    values.chapter, values.visibility = stored.chapter, stored.visibility  # fixed once written
    values.errors.pop("visibility", None)
    action = _text(form, "action", 20)
    if action not in ("draft", "publish") or values.errors:
        return await _form_page(request, account, values, post=post, preview=True,
                                status=200 if action == "preview" and not values.errors
                                else 422)
    urls = _urls(request)
    try:
        await edit_post(actor, post, values.body, title=values.title,
                        summary=values.summary.strip(), tags=_categories(values),
                        cover=values.cover)
        if post.draft and action == "publish":
            await publish_draft(urls, actor, post)
    except ValidationFailed as exc:
        values.errors.update(exc.errors)
        return await _form_page(request, account, values, post=post, preview=True,
                                status=422)
    except (NotAllowed, NotFound):
        return await _not_found(request)
    if post.draft:
        return RedirectResponse(f"/posts/{post.id}/edit-article?saved=1", status_code=303)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


async def drafts_page(request: Request) -> Response:
    """GET /drafts: the member's unpublished posts, latest first."""
    account = await current_account(request)
    if account is None:
        return _login()
    drafts = await Post.filter(author_id=account.actor_id, draft=True,  # type: ignore[attr-defined]
                               deleted_at__isnull=True).order_by("-created_at").limit(200)
    return await render(request, "blog_drafts.html", {"drafts": drafts})


# --- listings --------------------------------------------------------------------------

async def listed_on_pages(query: Any, viewer: Actor | None) -> Any:
    """The visibility policy for a listing on our pages: what `viewer` may see, without
    unlisted posts, and another server's posts for signed-in members only."""
    return await listed_to(await shown_on_pages(query, viewer), viewer)


async def _page_of(request: Request, query: Any) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of posts (newest first) as what a listing shows; (items, page, has_next)."""
    page = _page_number(request)
    rows = await query.order_by("-published", "-id").offset((page - 1) * PAGE_SIZE).limit(
        PAGE_SIZE + 1).prefetch_related("author")
    items = [{"post": p, "summary": derive_summary(p) if p.kind == "article" else "",
              "categories": await tags_of(p)} for p in rows[:PAGE_SIZE]]
    return items, page, len(rows) > PAGE_SIZE


async def _viewer(request: Request) -> Actor | None:
    account = await current_account(request)
    return account.actor if account is not None else None


async def local_actor(username: str, kind: str) -> Actor | None:
    """One of our members (Person) or chapters (Group) by its username."""
    return await Actor.get_or_none(acct_key=Actor.key_for(username, None), kind=kind)


async def _blog(request: Request, owner: Actor, query: Any, feed_base: str) -> Response:
    viewer = await _viewer(request)
    items, page, has_next = await _page_of(request, await listed_on_pages(query, viewer))
    return await render(request, "blog.html", {
        "owner": owner, "owner_name": owner.display_name or owner.username, "items": items, "page": page, "has_next": has_next,
        "feed_base": feed_base, "chapter_blog": owner.kind == "Group"})


async def member_blog(request: Request) -> Response:
    """GET /users/{username}/blog: a member's Articles, newest first."""
    owner = await local_actor(request.path_params["username"], "Person")
    if owner is None:
        return await _not_found(request)
    return await _blog(request, owner, Post.filter(author_id=owner.id, kind="article"),
                       f"/users/{owner.username}/blog")


async def chapter_blog(request: Request) -> Response:
    """GET /chapters/{slug}/blog: the Articles posted in a chapter, newest first."""
    owner = await local_actor(request.path_params["slug"], "Group")
    if owner is None:
        return await _not_found(request)
    return await _blog(request, owner, Post.filter(chapter_id=owner.id, kind="article"),
                       f"/chapters/{owner.username}/blog")


async def tag_page(request: Request) -> Response:
    """GET /tags/{name}: the posts (articles and notes) carrying a category."""
    name = request.path_params["name"]
    key = normalize_tag(name)
    if key is None:
        return await _not_found(request)
    tag = await tag_named(key)
    items: list[dict[str, Any]] = []
    page, has_next = 1, False
    if tag is not None:
        query = await listed_on_pages(Post.filter(post_tags__tag_id=tag.id), await _viewer(request))
        items, page, has_next = await _page_of(request, query)
    return await render(request, "tag.html", {
        "name": key, "display": tag.display if tag else name.lstrip("#"), "items": items,
        "page": page, "has_next": has_next})


def routes() -> list[Route]:
    return [
        *feeds.routes(),  # before /tags/{name}, which would take "name.atom" too
        Route("/write", write_page, methods=["GET"], name="write"),
        Route("/write", write_submit, methods=["POST"]),
        Route("/drafts", drafts_page, methods=["GET"], name="drafts"),
        Route("/posts/{post_id}/edit-article", edit_page, methods=["GET"], name="edit_article"),
        Route("/posts/{post_id}/edit-article", edit_submit, methods=["POST"]),
        Route("/users/{username}/blog", member_blog, methods=["GET"], name="member_blog"),
        Route("/chapters/{slug}/blog", chapter_blog, methods=["GET"], name="chapter_blog"),
        Route("/tags/{name}", tag_page, methods=["GET"], name="tag"),
    ]

