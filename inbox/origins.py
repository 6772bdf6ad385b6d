"""Origin rules for inbound activities: ids and embedded objects must belong to the actor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation import as_list, id_of, same_origin
from federation.vocab.actors import ACTOR_TYPES
from inbox.errors import Rejected

# Activities whose embedded object must be the actor's own (Mastodon's invalid_origin?).
_OWN_OBJECT = frozenset({"Create", "Update", "Delete", "Undo"})


def _ids(value: Any) -> list[str]:
    return [i for i in (id_of(v) for v in as_list(value)[:50]) if isinstance(i, str)]


def check_origins(doc: Mapping[str, Any], activity_id: str, kind: str, actor: str) -> None:
    """Raise Rejected(403) when the activity speaks for someone else.

    - its id shares the actor's origin (scheme, host, port);
    - a Create/Update/Delete/Undo carries only the actor's own objects: same origin, an
      embedded activity by the same actor, an `attributedTo` naming the actor, an Update
      of an actor only of itself;
    - an Accept/Reject of an embedded Follow comes from the actor that was followed.
    An Announce may embed others' objects: they are re-fetched from their origin when used.
    """
    if not same_origin(activity_id, actor):
        raise Rejected(403, "activity id on another origin than its actor")
    obj = doc.get("object")
    first = as_list(obj)[0] if as_list(obj) else None
    if kind in _OWN_OBJECT:
        for ref in as_list(obj)[:50]:
            ref_id = id_of(ref)
            if ref_id is not None and not same_origin(ref_id, actor):
                raise Rejected(403, f"{kind} of an object on another origin")
    if not isinstance(first, Mapping):
        return
    if kind in _OWN_OBJECT:
        inner_actor = first.get("actor")
        if inner_actor is not None and id_of(inner_actor) != actor:
            raise Rejected(403, f"{kind} of another actor's activity")
        # On a Group, attributedTo names its moderators (FEP-1b12), not an author: a group
        # updating its own document (Lemmy, Chapterhouse) is checked by id below instead.
        own_actor = first.get("type") in ACTOR_TYPES and id_of(first) == actor
        if ("attributedTo" in first and not own_actor
                and actor not in _ids(first.get("attributedTo"))):
            raise Rejected(403, f"{kind} of an object attributed to someone else")
        if kind == "Update" and first.get("type") in ACTOR_TYPES and id_of(first) != actor:
            raise Rejected(403, "Update of another actor")
    if kind in ("Accept", "Reject") and first.get("type") == "Follow":
        if id_of(first.get("object")) != actor:
            raise Rejected(403, f"{kind} of a follow of someone else")
