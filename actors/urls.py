"""Where our own actors live: their ActivityPub URLs from the base URL, and back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from actors.models import Actor

INSTANCE_USERNAME = "actor"  # reserved for members and chapters (actors.accounts)
_LOCAL_PATH = re.compile(r"^/(users|chapters)/([A-Za-z0-9_]{1,100})$")


@dataclass(frozen=True)
class LocalUrls:
    """The URL layout of this server (see docs/FEDERATION.md):

    Person `/users/{username}`, Group `/chapters/{slug}`, instance actor `/actor`; each with
    `/inbox`, `/outbox`, `/followers`, `/following`, `/featured` below it; the shared inbox
    is `/inbox`; the key id is the actor URL with `#main-key`.
    """

    base_url: str

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    def actor(self, actor: Actor) -> str:
        """The id of any actor: ours computed from the layout, a remote one as stored."""
        if not actor.is_local:
            return actor.uri or ""
        return self.actor_for(actor.kind, actor.username)

    def actor_for(self, kind: str, username: str) -> str:
        if kind == "Application":
            return f"{self.base}/actor"
        if kind == "Group":
            return f"{self.base}/chapters/{username}"
        return f"{self.base}/users/{username}"

    def key_id(self, actor: Actor) -> str:
        return f"{self.actor(actor)}#main-key"

    def collection(self, actor: Actor, name: str) -> str:
        """inbox, outbox, followers, following or featured of a local actor."""
        return f"{self.actor(actor)}/{name}"

    def post(self, ident: int) -> str:
        """The id of a post written here (its HTML page is the same address)."""
        return f"{self.base}/posts/{ident}"

    def tag(self, name: str) -> str:
        """The page of a hashtag (a category) here, by its folded name."""
        return f"{self.base}/tags/{quote(name, safe='')}"

    def activity(self, kind: str, ident: int) -> str:
        """The id of an activity we publish (Accept, Follow, Undo …)."""
        return f"{self.base}/activities/{kind.lower()}/{ident}"

    def is_ours(self, url: str) -> bool:
        """True when `url` is on this server (same scheme and authority as the base URL)."""
        try:
            a, b = urlsplit(url), urlsplit(self.base)
        except ValueError:
            return False
        return (a.scheme.lower(), a.netloc.lower()) == (b.scheme.lower(), b.netloc.lower())

    def local_ref(self, url: str) -> tuple[str, str] | None:
        """(kind, username) when `url` names one of our actors, else None."""
        if not self.is_ours(url):
            return None
        path = urlsplit(url).path
        if path == "/actor" and not urlsplit(url).query:
            return ("Application", INSTANCE_USERNAME)
        m = _LOCAL_PATH.match(path)
        if m is None or urlsplit(url).query or urlsplit(url).fragment:
            return None
        return ("Group" if m.group(1) == "chapters" else "Person", m.group(2))


async def find_local_actor(urls: LocalUrls, url: str) -> Actor | None:
    """Our actor named by `url`, or None (a member URL never finds a chapter, nor back)."""
    ref = urls.local_ref(url)
    if ref is None:
        return None
    kind, username = ref
    return await Actor.get_or_none(acct_key=Actor.key_for(username, None), kind=kind)


async def find_actor_by_uri(urls: LocalUrls, uri: str) -> Actor | None:
    """Any actor, ours or a cached remote one, by its id."""
    if urls.is_ours(uri):
        return await find_local_actor(urls, uri)
    return await Actor.get_or_none(uri=uri)
