"""Our Articles as other servers read them: title, HTML summary (written or derived), link,
hashtags for the categories, the cover as `image` and attachment, and a FEP-b2b8 preview
from which a Mastodon-shaped reader gets title + summary + link."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from actors.urls import LocalUrls
from content.media import store_image
from content.posts import create_post
from core.settings import Settings
from federation import APObject
from outbox.render import Addressing, post_extras, to_ap_create, to_ap_note, to_ap_update
from tests.inbox.fediverse import Local


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


async def _addressing(urls: LocalUrls, local: Local, post: object) -> Addressing:
    return Addressing(followers=urls.collection(local.member, "followers"),
                      extras=await post_extras(urls, post))  # type: ignore[arg-type]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


async def test_an_article_carries_title_summary_link_tags_cover_and_preview(
        local: Local, settings: Settings, tmp_path: Path) -> None:
    urls = LocalUrls(settings.server.base_url)
    base = settings.server.base_url
    cover = await store_image(tmp_path, local.member, _png(), "Volunteers <planting> trees")
    post = await create_post(urls, local.member, "# Heading\n\nThe **whole** text.",
                             kind="article", title="Trees & us", summary="Why we plant.",
                             tags=["#ClimateJustice", "housing"], cover=cover)
    author = urls.actor(local.member)
    create = to_ap_create(post, author, await _addressing(urls, local, post))
    obj = create["object"]
    assert obj["type"] == "Article" and obj["name"] == "Trees & us"
    assert obj["summary"] == "<p>Why we plant.</p>" and obj["url"] == post.uri
    assert "<strong>whole</strong>" in obj["content"]
    assert {"type": "Hashtag", "href": f"{base}/tags/climatejustice",
            "name": "#ClimateJustice"} in obj["tag"]
    assert {"type": "Hashtag", "href": f"{base}/tags/housing", "name": "#housing"} in obj["tag"]
    image_url = f"{base}/media/{cover.id}/{cover.path}"
    assert obj["image"] == {"type": "Image", "url": image_url, "mediaType": "image/jpeg",
                            "name": "Volunteers trees"}
    assert obj["attachment"] == [{"type": "Document", "url": image_url,
                                  "mediaType": "image/jpeg", "name": "Volunteers trees"}]
    preview = obj["preview"]
    assert preview["type"] == "Note" and preview["attributedTo"] == author
    assert "Trees &amp; us" in preview["content"] and "Why we plant." in preview["content"]
    assert f'href="{post.uri}"' in preview["content"]

    # A Mastodon-shaped reader: Article → title, summary and link; or the preview's text.
    parsed = APObject.from_ap(obj, require_object_id=True)
    assert parsed.name == "Trees & us" and "Why we plant." in (parsed.summary or "")
    assert parsed.url == post.uri
    assert parsed.preview is not None and post.uri in (parsed.preview.content or "")
    assert {t.name for t in parsed.hashtags} == {"#ClimateJustice", "#housing"}
    assert "Hashtag" in str(create["@context"])


async def test_without_a_written_summary_the_beginning_of_the_text_is_sent(
        local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    words = " ".join(f"word{i}" for i in range(200))
    post = await create_post(urls, local.member, f"First *paragraph* {words}",
                             kind="article", title="Long")
    doc = to_ap_note(post, urls.actor(local.member), await _addressing(urls, local, post))
    summary = _text(doc["summary"])
    assert summary.strip().startswith("First paragraph word0")
    assert summary.strip().endswith("…") and len(summary) < 320
    assert "First paragraph" in _text(doc["preview"]["content"])
    assert "image" not in doc and "attachment" not in doc


async def test_an_update_carries_updated_and_notes_carry_hashtags_without_preview(
        local: Local, settings: Settings) -> None:
    urls = LocalUrls(settings.server.base_url)
    note = await create_post(urls, local.member, "Hello #there", tags=["Lyon"])
    doc = to_ap_note(note, urls.actor(local.member), await _addressing(urls, local, note))
    assert doc["type"] == "Note" and "preview" not in doc
    assert doc["tag"] == [  # the given category, then the hashtag written in the text
        {"type": "Hashtag", "href": f"{settings.server.base_url}/tags/lyon", "name": "#Lyon"},
        {"type": "Hashtag", "href": f"{settings.server.base_url}/tags/there", "name": "#there"}]
    article = await create_post(urls, local.member, "Text", kind="article", title="T")
    article.updated = article.published
    update = to_ap_update(urls.activity("Update", 1), article, urls.actor(local.member),
                          await _addressing(urls, local, article))
    assert update["object"]["updated"] and update["object"]["preview"]["type"] == "Note"
