"""Uploaded images: only real images, capped, bombs refused, metadata gone, stored where
nobody can steer the path; remote images remembered by address only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from content.errors import NotAllowed, NotFound, ValidationFailed
from content.media import (
    MAX_BYTES,
    MAX_SIDE,
    media_file,
    remember_remote_image,
    set_description,
    store_image,
)
from content.models import Media
from tests.inbox.fediverse import Local


def _image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB",
           **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 100)).save(
        out, format=fmt, **save)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"  # Make
    exif[0x0131] = "tracking-software-1.0"  # Software
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS IFD: latitude
    return _image("JPEG", exif=exif.tobytes(), comment=b"private comment")


async def test_a_jpeg_is_stored_re_encoded_without_its_metadata(
        local: Local, tmp_path: Path) -> None:
    data = _jpeg_with_exif()
    assert b"SecretCam" in data and b"private comment" in data
    media = await store_image(tmp_path, local.member, data, "A red square")
    stored = media_file(tmp_path, media).read_bytes()
    assert media.content_type == "image/jpeg" and (media.width, media.height) == (64, 48)
    assert media.size_bytes == len(stored) and media.description == "A red square"
    assert b"SecretCam" not in stored and b"tracking-software" not in stored
    assert b"private comment" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert again.format == "JPEG" and not again.getexif()
    assert (await Media.get(id=media.id)).owner_id == local.member.id  # type: ignore[attr-defined]


async def test_the_file_name_is_random_and_never_from_the_upload(
        local: Local, tmp_path: Path) -> None:
    first = await store_image(tmp_path, local.member, _image("PNG"), "one")
    second = await store_image(tmp_path, local.member, _image("PNG"), "two")
    assert first.path != second.path and "/" not in (first.path or "")
    assert media_file(tmp_path, first).parent == (tmp_path / "media").resolve()


async def test_transparency_is_kept_as_png_and_webp_and_gif_are_re_encoded(
        local: Local, tmp_path: Path) -> None:
    alpha = await store_image(tmp_path, local.member, _image("PNG", mode="RGBA"), "glass")
    assert alpha.content_type == "image/png"
    webp = await store_image(tmp_path, local.member, _image("WEBP"), "a webp photo")
    assert webp.content_type == "image/jpeg"
    frames = [Image.new("RGB", (20, 10), c) for c in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    gif = await store_image(tmp_path, local.member, out.getvalue(), "first frame red")
    with Image.open(media_file(tmp_path, gif)) as img:
        assert getattr(img, "n_frames", 1) == 1
        red, _green, blue = img.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert red > 200 and blue < 50


async def test_large_images_are_scaled_down(local: Local, tmp_path: Path) -> None:
    media = await store_image(tmp_path, local.member, _image("PNG", (4000, 1000)), "wide")
    assert (media.width, media.height) == (MAX_SIDE, 640)


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"%PDF-1.4 not an image",
    b"",
    _image("BMP"),  # a real image, but not one of the accepted formats
    _image("PNG")[:40],  # truncated
])
async def test_what_is_not_an_accepted_image_is_refused(
        local: Local, tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await store_image(tmp_path, local.member, data, "something")
    assert "image" in caught.value.errors
    assert await Media.all().count() == 0
    assert not list((tmp_path / "media").glob("*")) if (tmp_path / "media").exists() else True


async def test_a_polyglot_keeps_only_its_pixels(local: Local, tmp_path: Path) -> None:
    """A GIF that is also a script (trailing HTML) is stored as a clean re-encoded image."""
    data = _image("GIF") + b"<script>alert(document.cookie)</script>"
    media = await store_image(tmp_path, local.member, data, "a gif with a payload")
    assert b"<script>" not in media_file(tmp_path, media).read_bytes()


async def test_a_decompression_bomb_is_refused_before_decoding(
        local: Local, tmp_path: Path) -> None:
    # 7000 x 7000 pixels of one colour: a few kB of PNG, 49 megapixels once decoded.
    out = io.BytesIO()
    Image.new("1", (7_000, 7_000)).save(out, format="PNG")
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(ValidationFailed) as caught:
        await store_image(tmp_path, local.member, bomb, "bomb")
    assert "megapixels" in caught.value.errors["image"]


async def test_too_many_bytes_are_refused(local: Local, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await store_image(tmp_path, local.member, b"\xff\xd8" + b"0" * MAX_BYTES, "big")
    assert "MB" in caught.value.errors["image"]


async def test_a_description_is_required_unless_waived(local: Local, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await store_image(tmp_path, local.member, _image("PNG"), "   ")
    assert "description" in caught.value.errors
    media = await store_image(tmp_path, local.member, _image("PNG"), "",
                              require_description=False)
    assert media.description == ""


async def test_a_stored_path_cannot_leave_the_media_directory(
        local: Local, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("database password")
    media = await store_image(tmp_path, local.member, _image("PNG"), "fine")
    for evil in ("../secret.txt", "/etc/passwd", "..", "", "sub/../../secret.txt"):
        media.path = evil
        with pytest.raises(NotFound):
            media_file(tmp_path, media)
    remote = await remember_remote_image(local.member, "https://ghost.test/a.jpg",
                                         "image/jpeg", "remote")
    assert remote is not None
    with pytest.raises(NotFound):
        media_file(tmp_path, remote)


async def test_only_the_uploader_describes_an_image(local: Local, tmp_path: Path) -> None:
    media = await store_image(tmp_path, local.member, _image("PNG"), "old words")
    await set_description(local.member, media, "  new <b>words</b> ")
    assert (await Media.get(id=media.id)).description == "new words"
    with pytest.raises(NotAllowed):
        await set_description(local.chapter, media, "hijacked")


async def test_remote_images_need_a_web_address_and_an_image_type(local: Local) -> None:
    assert await remember_remote_image(local.member, "javascript:alert(1)", "image/png",
                                       "x") is None
    assert await remember_remote_image(local.member, "https://a.test/x.html", "text/html",
                                       "x") is None
    kept = await remember_remote_image(local.member, "https://a.test/x.png", None, "alt")
    assert kept is not None and kept.remote_url == "https://a.test/x.png" and not kept.path
