"""Chapters: creating them under a parent (international → national → local) and listing them."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from actors.errors import NotFound, ValidationFailed
from actors.keys import new_key_pair
from actors.models import USERNAME_MAX, Actor, Chapter
from core.db import in_transaction

SLUG_RE = re.compile(rf"^[a-z0-9_]{{1,{USERNAME_MAX}}}$")
JOIN_POLICIES = ("open", "approval", "closed")
NAME_MAX = 200


async def create_chapter(
    name: str,
    slug: str,
    *,
    parent_slug: str | None = None,
    description: str = "",
    join_policy: str = "open",
) -> Chapter:
    """A new chapter and its Group actor; its slug is the actor's username, so it may not
    collide with a member's name either."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "Give the chapter a name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters."
    if not SLUG_RE.match(slug):
        errors["slug"] = f"Use 1 to {USERNAME_MAX} lower-case letters, digits or underscores."
    if join_policy not in JOIN_POLICIES:
        errors["join_policy"] = f"Choose one of {', '.join(JOIN_POLICIES)}."
    parent = None
    if parent_slug:
        parent = await Chapter.get_or_none(slug=parent_slug)
        if parent is None:
            errors["parent"] = f"There is no chapter {parent_slug!r}."
    if not errors and await Actor.filter(acct_key=Actor.key_for(slug, None)).exists():
        errors["slug"] = "This name is taken by a member or another chapter."
    if errors:
        raise ValidationFailed(errors)
    private_pem, public_pem = await new_key_pair()
    try:
        async with in_transaction():
            actor = await Actor.create(
                kind="Group",
                username=slug,
                domain=None,
                acct_key=Actor.key_for(slug, None),
                display_name=name,
                summary=description,
                private_key_pem=private_pem,
                public_key_pem=public_pem,
            )
            return await Chapter.create(
                actor=actor,
                name=name,
                slug=slug,
                description=description,
                parent=parent,
                join_policy=join_policy,
            )
    except IntegrityError:
        raise ValidationFailed(
            {"slug": "This name is taken by a member or another chapter."}
        ) from None


async def get_chapter(slug: str) -> Chapter:
    chapter = await Chapter.get_or_none(slug=slug).prefetch_related("parent")
    if chapter is None:
        raise NotFound(slug)
    return chapter


async def list_chapters() -> list[Chapter]:
    return await Chapter.all().order_by("name").prefetch_related("parent")
