"""Hashtags, which are also blog categories: normalized names, attached to posts, and the
posts carrying one."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from content.models import Post, PostTag, Tag

TAG_MAX = 100
TAGS_PER_POST = 20
# Letters, digits and underscores (any script), as Mastodon's hashtags; at least one letter
# so "#1" is not a tag.
_VALID = re.compile(r"^(?=.*[^\W\d_])\w+$")


def normalize_tag(raw: str) -> str | None:
    """The key of a tag as typed ("#Climate Justice " → "climatejustice"), or None when
    nothing usable is left. Case and compatibility forms fold (NFKC, casefold); spaces
    and a leading `#` go."""
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("#")
    text = re.sub(r"\s+", "", text)
    if not text or len(text) > TAG_MAX or not _VALID.match(text):
        return None
    return text.casefold()


def display_tag(raw: str) -> str:
    """How a tag is shown: as written, without `#` and spaces (CamelCase survives)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw).strip().lstrip("#"))[:TAG_MAX]


def clean_tags(raw: Iterable[str]) -> list[str]:
    """Valid, distinct tags as written, in order, at most TAGS_PER_POST."""
    seen: dict[str, str] = {}
    for item in raw:
        key = normalize_tag(item)
        if key is not None and key not in seen:
            seen[key] = display_tag(item)
    return list(seen.values())[:TAGS_PER_POST]


async def tag_named(raw: str) -> Tag | None:
    """The stored tag for `raw` (any spelling), or None."""
    key = normalize_tag(raw)
    return await Tag.get_or_none(name=key) if key else None


async def _get_or_create(display: str) -> Tag:
    key = normalize_tag(display)
    assert key is not None  # clean_tags let only valid names through
    tag = await Tag.get_or_none(name=key)
    if tag is not None:
        return tag
    try:
        return await Tag.create(name=key, display=display)
    except IntegrityError:  # created meanwhile by another request
        return await Tag.get(name=key)


async def set_tags(post: Post, raw: Iterable[str]) -> list[Tag]:
    """Make `post` carry exactly these tags (invalid ones dropped); call in a transaction."""
    tags = [await _get_or_create(name) for name in clean_tags(raw)]
    await PostTag.filter(post_id=post.id).exclude(tag_id__in=[t.id for t in tags]).delete()
    have = set(await PostTag.filter(post_id=post.id).values_list("tag_id", flat=True))
    for tag in tags:
        if tag.id not in have:
            await PostTag.create(post=post, tag=tag)
    return tags


async def tags_of(post: Post) -> list[Tag]:
    """The tags of a post, by name."""
    return await Tag.filter(post_tags__post_id=post.id).order_by("name")


async def search_tags(text: str, limit: int = 20, offset: int = 0) -> list[Tag]:
    """Stored tags whose name starts with what was typed (`#Clim`, `clim`): the exact one
    first, then the others by name; [] when the text cannot be a tag."""
    key = normalize_tag(text)
    if key is None:
        return []
    limit = min(max(limit, 1), 40)
    exact = await Tag.get_or_none(name=key)
    found = [exact] if exact is not None and offset == 0 else []
    skip = max(offset - (1 if exact is not None else 0), 0)
    # names are folded to lower case, so a prefix match on them is exact
    rest = await (Tag.filter(name__startswith=key).exclude(name=key).order_by("name")
                  .offset(skip).limit(limit - len(found)))
    return found + list(rest)
