"""Who may see a post: its visibility from ActivityStreams addressing, and the one rule on
changing it."""

from __future__ import annotations

from collections.abc import Iterable

from federation import PUBLIC

#: Narrowest last: an edit may move a post right along this list, never left.
ORDER = ("public", "unlisted", "followers", "direct")


def visibility_of(to: Iterable[str], cc: Iterable[str], followers: str | None) -> str:
    """Mastodon's reading of addressing: Public in `to` → public, Public in `cc` →
    unlisted, the author's followers collection addressed → followers, else direct.

    Public is expected normalised to its full URI (the vocabulary readers do that)."""
    to, cc = list(to), list(cc)
    if PUBLIC in to:
        return "public"
    if PUBLIC in cc:
        return "unlisted"
    if followers and (followers in to or followers in cc):
        return "followers"
    return "direct"


def no_wider(old: str, new: str) -> str:
    """The visibility an edit may give a post: `new` when it is as narrow as `old` or
    narrower, else `old` — an Update never shows a post to more people than its Create
    did (Mastodon does not let an edit change visibility at all)."""
    if old not in ORDER or new not in ORDER:
        return old
    return new if ORDER.index(new) >= ORDER.index(old) else old
