"""Writing a blog in the web UI: preview, draft, publish, edit (federated Update), cover
images served safely, blog indexes of members and chapters, category pages."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from PIL import Image

from actors.follows import receive_follow
from actors.models import Actor
from actors.urls import LocalUrls
from content.models import Media, Post
from content.posts import create_post
from core.settings import Settings
from federation import FederationClient
from inbox.remote import resolve_actor
from tests.inbox.fediverse import FakeFediverse, fed_client, fediverse, make_locals, registry
from tests.support.forms import csrf_from
from tests.support.members import log_in

__all__ = ["fed_client", "fediverse", "registry"]
Drain = Callable[[], Awaitable[int]]
INBOX = "https://mastodon.test/inbox"


def _jpeg() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (40, 30), (10, 10, 200)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def _submit(client: httpx.AsyncClient, path: str, data: dict[str, str],
                  files: dict[str, Any] | None = None) -> httpx.Response:
    token = await csrf_from(client, path)
    return await client.post(path, data={"csrf_token": token, **data}, files=files or {})


async def _with_follower(settings: Settings, fediverse: FakeFediverse, member: Actor) -> None:
    fake = fediverse.person("mastodon.test", "bob")
    async with FederationClient(transport=fediverse.transport) as client:
        bob = await resolve_actor(LocalUrls(settings.server.base_url), client, fake.uri)
    await receive_follow(bob, member, f"{bob.uri}#follow")


def _id_from(location: str) -> int:
    found = re.search(r"/posts/(\d+)", location)
    assert found, location
    return int(found.group(1))


async def test_preview_then_draft_then_publish_then_edit(
        fed_client: httpx.AsyncClient, settings: Settings, fediverse: FakeFediverse,
        drain_jobs: Drain) -> None:
    member = await log_in(fed_client, settings, "writer")
    await _with_follower(settings, fediverse, member)
    await drain_jobs()
    fediverse.requests.clear()
    fields = {"title": "Rent <strike>", "summary": "", "categories": "Housing, #RentStrike",
              "body": "We **organize**.\n\n<script>alert(1)</script>", "visibility": "public",
              "cover_alt": "Banner at the march"}

    preview = await _submit(fed_client, "/write", {**fields, "action": "preview"},
                            files={"cover": ("x.html", _jpeg(), "text/html")})
    assert preview.status_code == 200
    assert "<strong>organize</strong>" in preview.text and "<script>alert" not in preview.text
    assert "We organize." in preview.text  # the derived summary, shown as such
    assert await Post.all().count() == 0  # a preview writes no post
    cover_id = re.search(r'name="cover_id" value="(\d+)"', preview.text)
    assert cover_id, "the uploaded cover is kept across the preview"

    draft = await _submit(fed_client, "/write", {**fields, "action": "draft",
                                                 "cover_id": cover_id.group(1)})
    assert draft.status_code == 303
    post_id = _id_from(draft.headers["location"])
    post = await Post.get(id=post_id)
    assert post.draft and post.kind == "article" and post.cover_id == int(cover_id.group(1))  # type: ignore[attr-defined]
    await drain_jobs()
    assert fediverse.posts(INBOX) == []  # a draft is sent nowhere
    drafts = await fed_client.get("/drafts")
    assert f"/posts/{post_id}/edit-article" in drafts.text
    anonymous = httpx.AsyncClient(transport=fed_client._transport, base_url=str(fed_client.base_url))
    assert (await anonymous.get(f"/posts/{post_id}")).status_code == 404
    assert "Rent" not in (await anonymous.get("/users/writer/blog")).text

    published = await _submit(fed_client, f"/posts/{post_id}/edit-article",
                              {**fields, "action": "publish", "cover_id": cover_id.group(1)})
    assert published.status_code == 303 and published.headers["location"] == f"/posts/{post_id}"
    await drain_jobs()
    [create] = fediverse.posts(INBOX)
    obj = create["object"]
    assert create["type"] == "Create" and obj["type"] == "Article" and obj["name"] == "Rent"
    assert "<strong>organize</strong>" in obj["content"]
    page = await anonymous.get(f"/posts/{post_id}")
    assert page.status_code == 200 and "<strong>organize</strong>" in page.text

    fediverse.requests.clear()
    edited = await _submit(fed_client, f"/posts/{post_id}/edit-article",
                           {**fields, "body": "We **won**.", "categories": "Housing",
                            "action": "publish", "cover_id": cover_id.group(1)})
    assert edited.status_code == 303
    await drain_jobs()
    [update] = fediverse.posts(INBOX)
    assert update["type"] == "Update" and update["object"]["updated"]
    assert "<strong>won</strong>" in update["object"]["content"]
    form = await fed_client.get(f"/posts/{post_id}/edit-article")
    assert 'value="Housing"' in form.text and "We **won**." in form.text
    await anonymous.aclose()


async def test_invalid_input_is_shown_back_without_saving(
        fed_client: httpx.AsyncClient, settings: Settings) -> None:
    await log_in(fed_client, settings, "writer")
    answer = await _submit(fed_client, "/write", {
        "title": "", "body": "Text", "categories": "ok, not-valid!", "action": "publish",
        "cover_alt": "alt"}, files={"cover": ("a.jpg", b"<html>not an image</html>", "image/jpeg")})
    assert answer.status_code == 422
    assert "cannot be a category" in answer.text and "Upload a JPEG" in answer.text
    assert await Post.all().count() == 0 and await Media.all().count() == 0
    no_alt = await _submit(fed_client, "/write", {"title": "T", "body": "x", "action": "draft",
                                                  "cover_alt": " "},
                           files={"cover": ("a.jpg", _jpeg(), "image/jpeg")})
    assert no_alt.status_code == 422 and "Describe the image" in no_alt.text


async def test_only_the_author_edits_an_article(
        fed_client: httpx.AsyncClient, settings: Settings) -> None:
    local = await make_locals(settings)
    post = await create_post(LocalUrls(settings.server.base_url), local.member, "Mine",
                             kind="article", title="Alice's")
    await log_in(fed_client, settings, "mallory")
    assert (await fed_client.get(f"/posts/{post.id}/edit-article")).status_code == 404
    token = await csrf_from(fed_client, "/write")
    answer = await fed_client.post(f"/posts/{post.id}/edit-article", data={
        "csrf_token": token, "title": "Hacked", "body": "x", "action": "publish"})
    assert answer.status_code == 404
    assert (await Post.get(id=post.id)).title == "Alice's"


async def test_the_cover_is_served_as_a_harmless_image(
        fed_client: httpx.AsyncClient, settings: Settings) -> None:
    await log_in(fed_client, settings, "writer")
    answer = await _submit(fed_client, "/write", {
        "title": "With cover", "body": "Body", "action": "publish", "cover_alt": "Blue"},
        files={"cover": ("evil.html", _jpeg(), "text/html")})
    assert answer.status_code == 303
    post = await Post.get(id=_id_from(answer.headers["location"]))
    media = await Media.get(id=post.cover_id)  # type: ignore[attr-defined]
    image = await fed_client.get(f"/media/{media.id}/{media.path}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["content-disposition"] == "inline"
    assert image.headers["content-security-policy"].startswith("default-src 'none'")
    assert "max-age" in image.headers["cache-control"] and b"SecretCam" not in image.content
    assert (await fed_client.get(f"/media/{media.id}/../../config.toml")).status_code == 404
    assert (await fed_client.get(f"/media/{media.id}/other.jpg")).status_code == 404
    assert (await fed_client.get("/media/123456")).status_code == 404
    page = await fed_client.get(f"/posts/{post.id}")
    assert f'src="/media/{media.id}/{media.path}"' in page.text and 'alt="Blue"' in page.text


async def test_blog_indexes_and_category_pages_list_what_the_viewer_may_see(
        client: httpx.AsyncClient, settings: Settings) -> None:
    local = await make_locals(settings)
    urls = LocalUrls(settings.server.base_url)
    for n in range(23):
        await create_post(urls, local.member, f"Text {n}", kind="article", title=f"Article {n}",
                          tags=["Housing"] if n % 2 else [])
    await create_post(urls, local.member, "Secret", kind="article", title="Followers only",
                      visibility="followers", tags=["Housing"])
    await create_post(urls, local.member, "Later", kind="article", title="Unfinished",
                      draft=True, tags=["Housing"])
    await create_post(urls, local.member, "A note about #housing", tags=["housing"])
    await create_post(urls, local.member, "In the chapter", kind="article",
                      title="Chapter news", chapter=local.chapter)

    first = await client.get("/users/alice/blog")
    assert first.status_code == 200
    assert "Chapter news" in first.text and "Article 22" in first.text
    assert "Followers only" not in first.text and "Unfinished" not in first.text
    assert "A note about" not in first.text  # a blog lists articles
    assert 'href="?page=2"' in first.text
    second = await client.get("/users/alice/blog?page=2")
    assert "Article 0" in second.text and "Article 22" not in second.text

    chapter = await client.get("/chapters/greens_lyon/blog")
    assert chapter.status_code == 200 and "Chapter news" in chapter.text
    assert "Article 1<" not in chapter.text

    tag = await client.get("/tags/HOUSING")
    assert tag.status_code == 200 and "Article 21" in tag.text
    assert "A note about" in tag.text  # notes carrying the tag are listed too
    assert "Article 20" not in tag.text
    assert "Followers only" not in tag.text and "Unfinished" not in tag.text
    assert (await client.get("/tags/nothing_here")).status_code == 200
    assert (await client.get("/tags/bad-name!")).status_code == 404
    assert (await client.get("/users/nobody/blog")).status_code == 404


async def test_an_articles_page_links_its_categories(
        client: httpx.AsyncClient, settings: Settings) -> None:
    local = await make_locals(settings)
    post = await create_post(LocalUrls(settings.server.base_url), local.member, "Body",
                             kind="article", title="Tagged", tags=["ClimateJustice"])
    page = await client.get(f"/posts/{post.id}")
    assert 'href="/tags/climatejustice"' in page.text and "#ClimateJustice" in page.text
