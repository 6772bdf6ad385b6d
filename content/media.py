"""Images: uploads checked by their bytes, re-encoded without metadata and stored under the
media directory with a random name; remote images only remembered by their address."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from actors.models import Actor
from content.errors import NotAllowed, NotFound, ValidationFailed
from content.html import sanitize_text
from content.models import Media
from core.messages import N_

#: Upload caps: bytes of the file, pixels of the decoded image (a decompression bomb is a
#: small file that decodes to a huge image — refused before it is decoded).
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Stored images are scaled down to this many pixels on their long side.
MAX_SIDE = 2560
DESCRIPTION_MAX = 1500
#: The decoders tried: the format is sniffed from the bytes among these, never taken from a
#: file name or a declared type.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
JPEG_QUALITY = 85
MEDIA_DIR = "media"
REMOTE_TYPE_MAX = 100
URL_MAX = 2048

_BAD_IMAGE = N_("Upload a JPEG, PNG, GIF or WebP image.")


@dataclass(frozen=True)
class Encoded:
    """An image re-encoded for storage."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"image": message})


def _open(data: bytes) -> Image.Image:
    """The first frame of the image in `data`, decoded, or ValidationFailed."""
    if not data:
        raise _refuse(N_("Choose an image file."))
    if len(data) > MAX_BYTES:
        raise _refuse(N_("Use an image of at most %(max)s MB.", max=MAX_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own bomb limits; here a warning is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:  # the header is read, not the pixels
                raise _refuse(N_("Use an image of at most %(max)s megapixels.",
                                  max=MAX_PIXELS // 1_000_000))
            image.seek(0)  # an animated GIF or WebP: its first frame
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise _refuse(_BAD_IMAGE) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt
        raise _refuse(_BAD_IMAGE) from exc
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)


def encode_image(data: bytes) -> Encoded:
    """Check and re-encode an uploaded image: orientation applied, first frame only,
    scaled to MAX_SIDE, every metadata block (EXIF, GPS, ICC, comments, trailing bytes)
    dropped — only pixels are copied. PNG when it has transparency, else JPEG."""
    image = _open(data)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as exc:
        raise _refuse(_BAD_IMAGE) from exc
    alpha = _has_alpha(image)
    mode = "RGBA" if alpha else "RGB"
    image = image.convert(mode)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.frombytes(mode, image.size, image.tobytes())  # pixels only, no info
    out = io.BytesIO()
    if alpha:
        clean.save(out, format="PNG", optimize=True)
        kind, ext = "image/png", "png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        kind, ext = "image/jpeg", "jpg"
    return Encoded(out.getvalue(), kind, ext, clean.width, clean.height)


def media_root(data_dir: Path) -> Path:
    return (Path(data_dir) / MEDIA_DIR).resolve()


def _write(root: Path, name: str, data: bytes) -> None:
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, root / name)


def _clean_description(description: str) -> str:
    return sanitize_text(description, DESCRIPTION_MAX)


async def store_image(data_dir: Path, owner: Actor, data: bytes, description: str, *,
                      require_description: bool = True) -> Media:
    """Store an image `owner` uploaded: checked, re-encoded (encode_image), written under
    `data_dir`/media with a random name, recorded as a Media row. `description` is its alt
    text, required unless `require_description` is False (ValidationFailed)."""
    text = _clean_description(description)
    if require_description and not text:
        raise ValidationFailed({"description": N_("Describe the image for people who cannot "
                                                  "see it.")})
    encoded = await asyncio.to_thread(encode_image, data)
    name = f"{secrets.token_urlsafe(18)}.{encoded.extension}"
    root = media_root(data_dir)
    await asyncio.to_thread(_write, root, name, encoded.data)
    try:
        return await Media.create(owner=owner, content_type=encoded.content_type, path=name,
                                  width=encoded.width, height=encoded.height,
                                  size_bytes=len(encoded.data), description=text)
    except BaseException:
        (root / name).unlink(missing_ok=True)
        raise


def media_file(data_dir: Path, media: Media) -> Path:
    """The file of a local image; NotFound for a remote one, a missing file, or a stored
    path that would lead out of the media directory."""
    if not media.path:
        raise NotFound(f"media {media.id}")
    root = media_root(data_dir)
    path = (root / media.path).resolve()
    if path.parent != root or not path.is_file():
        raise NotFound(f"media {media.id}")
    return path


def media_src(media: Media, base: str = "") -> str:
    """Where an image is seen: ours at `{base}/media/{id}/{file}`, a remote one at its own
    address."""
    if media.path:
        return f"{base}/media/{media.id}/{media.path}"
    return media.remote_url or ""


async def set_description(owner: Actor, media: Media, description: str) -> Media:
    """The uploader changes an image's alt text."""
    if media.owner_id != owner.id:  # type: ignore[attr-defined]
        raise NotAllowed(N_("only the uploader may describe this image"))
    media.description = _clean_description(description)
    await media.save()
    return media


async def remember_remote_image(owner: Actor, url: str, content_type: str | None,
                                description: str | None) -> Media | None:
    """A remote post's image, by its http(s) address (never fetched to be served as ours);
    None for an address we would not show."""
    if not url.startswith(("https://", "http://")) or len(url) > URL_MAX:
        return None
    kind = (content_type or "image/*")[:REMOTE_TYPE_MAX]
    if not kind.startswith("image/"):
        return None
    description = _clean_description(description or "")
    known = await Media.filter(owner_id=owner.id, remote_url=url).first()
    if known is not None:  # the same picture again (an edit of the post): one row
        if known.description != description or known.content_type != kind:
            known.description, known.content_type = description, kind
            await known.save(update_fields=["description", "content_type"])
        return known
    return await Media.create(owner=owner, content_type=kind, remote_url=url,
                              description=description)
