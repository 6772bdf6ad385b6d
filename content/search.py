"""Full-text search over posts and comments (SQLite FTS5, PostgreSQL full-text search), ranked,
with safe highlighted snippets, and the exact look-up of an actor by handle or address.

The index is built by migrations/0008_search.py. On SQLite the triggers queue changed posts
and `refresh_index` writes them, as plain text, into the FTS5 table before each search; on
PostgreSQL a GIN expression index follows the rows by itself. Who may find what is
content.visibility's answer (listed_to: no unlisted posts, no drafts); visitors find this
server's public posts only, as our pages show other servers' posts to members only.

A query is never handed to the engine's query language as typed: it is cut into words
(letters and digits), and each word is quoted by us and matched as a prefix, all words
required. So `"`, `*`, `NEAR(`, `-`, `:` and the like are only separators.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from actors.directory import find_public_actor_by_username
from actors.models import Actor
from content.models import Post
from content.tags import normalize_tag
from content.visibility import listed_to
from core import db
from core.db import in_transaction
from federation import ParseError, parse_acct

QUERY_MAX = 500
TERMS_MAX = 8
TERM_MAX = 64
PAGE = 20
PAGES_MAX = 50
REFRESH_BATCH = 200
SNIPPET_BEFORE, SNIPPET_AFTER = 60, 180
#: The indexed document on PostgreSQL: exactly the expression of the index in 0008_search.
PG_DOCUMENT = ("to_tsvector('simple'::regconfig, coalesce(p.title, '') || ' ' || "
               "coalesce(p.summary, '') || ' ' || coalesce(p.content_html, ''))")
_WORD = re.compile(r"[^\W_]+")
_INLINE = {"a", "span", "strong", "em", "b", "i", "u", "code", "del", "s", "sub", "sup",
           "mark", "abbr", "small"}


class _TextOf(HTMLParser):
    """Collects the text of sanitized HTML; block elements and line breaks become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The text of a post's (sanitized) HTML, whitespace folded."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


# --- what was asked -----------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """A search as understood: `kind` is "text" (words), "actor" (a handle or an address,
    in `value`), "tag" (a normalized tag name in `value`) or "empty"."""

    kind: str
    value: str = ""
    terms: tuple[str, ...] = ()


def parse_query(raw: str) -> Query:
    """What the search box asked for. Over-long input is cut, never refused."""
    text = raw.strip()[:QUERY_MAX]
    if not text:
        return Query("empty")
    if " " not in text:
        if text.startswith(("https://", "http://")):
            return Query("actor", text)
        if "@" in text.lstrip("@"):
            try:
                parse_acct(text)
            except ParseError:
                pass
            else:
                return Query("actor", text)
        if text.startswith("#"):
            name = normalize_tag(text)
            if name is not None:
                return Query("tag", name)
    terms = tuple(dict.fromkeys(t.casefold()[:TERM_MAX] for t in _WORD.findall(text)))
    if not terms:
        return Query("empty")
    return Query("text", text, terms[:TERMS_MAX])


def fts5_match(terms: tuple[str, ...]) -> str:
    """The FTS5 MATCH expression: each word a quoted prefix, all of them required."""
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def pg_tsquery(terms: tuple[str, ...]) -> str:
    """The to_tsquery text: each word a quoted prefix lexeme, all of them required."""
    return " & ".join("'" + t.replace("'", "''").replace("\\", "") + "':*" for t in terms)


# --- the index (SQLite) -------------------------------------------------------------------

def _is_postgres() -> bool:
    return "asyncpg" in type(db.connection()).__module__


async def refresh_index() -> int:
    """SQLite: write the posts the triggers queued into the FTS5 table as plain text (a
    deleted post leaves it). Returns how many were written; nothing to do on PostgreSQL."""
    if _is_postgres():
        return 0
    done = 0
    while True:
        async with in_transaction() as conn:
            rows = await conn.execute_query_dict(
                "SELECT post_id FROM post_fts_pending LIMIT ?", [REFRESH_BATCH])
            ids = [int(r["post_id"]) for r in rows]
            if not ids:
                return done
            for ident in ids:
                await conn.execute_query("DELETE FROM post_fts_pending WHERE post_id = ?",
                                         [ident])
                await conn.execute_query("DELETE FROM post_fts WHERE rowid = ?", [ident])
            for post in await Post.filter(id__in=ids, deleted_at__isnull=True):
                await conn.execute_query(
                    "INSERT INTO post_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                    [post.id, post.title, post.summary, plain_text(post.content_html)])
        done += len(ids)


# --- searching posts ----------------------------------------------------------------------

@dataclass
class Hit:
    post: Post
    snippet: str  # HTML: escaped text with <mark> around the matched words


@dataclass
class Results:
    total: int
    hits: list[Hit]
    page: int
    pages: int


async def _candidates(viewer: Actor | None) -> tuple[str, list[object]]:
    """The SQL and parameters of the ids `viewer` may find (content.visibility's query)."""
    query = await listed_to(Post.filter(draft=False), viewer)
    if viewer is None:
        query = query.filter(author__domain__isnull=True, visibility="public")
    ids = query.values_list("id", flat=True)
    ids._choose_db_if_not_chosen()
    ids._make_query()
    sql, params = ids.query.get_parameterized_sql()
    return sql, list(params)


async def _ranked_ids(terms: tuple[str, ...], allowed: tuple[str, list[object]], limit: int,
                      offset: int) -> tuple[int, list[int]]:
    conn = db.connection()
    sub, params = allowed
    if _is_postgres():
        # The subquery's placeholders are $1…$n; ours follow.
        n = len(params)
        base = (f"FROM post p, to_tsquery('simple', ${n + 1}) q WHERE {PG_DOCUMENT} @@ q"
                f" AND p.id IN ({sub})")
        args = [*params, pg_tsquery(terms)]
        count = await conn.execute_query_dict(f"SELECT count(*) AS n {base}", args)
        rows = await conn.execute_query_dict(
            f"SELECT p.id, ts_rank({PG_DOCUMENT}, q) AS score {base}"
            f" ORDER BY score DESC, p.id DESC LIMIT ${n + 2} OFFSET ${n + 3}",
            [*args, limit, offset])
    else:
        base = f"FROM post_fts WHERE post_fts MATCH ? AND post_fts.rowid IN ({sub})"
        args = [fts5_match(terms), *params]
        count = await conn.execute_query_dict(f"SELECT count(*) AS n {base}", args)
        rows = await conn.execute_query_dict(
            "SELECT post_fts.rowid AS id, bm25(post_fts, 5.0, 2.0, 1.0) AS score"
            f" {base} ORDER BY score, post_fts.rowid DESC LIMIT ? OFFSET ?",
            [*args, limit, offset])
    return int(count[0]["n"]), [int(r["id"]) for r in rows]


def highlight(text: str, terms: tuple[str, ...]) -> str:
    """A short passage of `text` around the first matched word, HTML-escaped, with every
    word starting with one of `terms` wrapped in <mark> (the only markup it contains)."""
    if not terms:
        return html.escape(text[:SNIPPET_BEFORE + SNIPPET_AFTER])
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*",
                         re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    end = min(len(text), start + SNIPPET_BEFORE + SNIPPET_AFTER)
    passage = text[start:end]
    out: list[str] = ["…" if start else ""]
    last = 0
    for match in pattern.finditer(passage):
        out.append(html.escape(passage[last:match.start()]))
        out.append("<mark>" + html.escape(match.group(0)) + "</mark>")
        last = match.end()
    out.append(html.escape(passage[last:]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


async def search_posts(raw: str | Query, viewer: Actor | None, *, page: int = 1,
                       per_page: int = PAGE) -> Results:
    """The posts `viewer` may find for a text query, best first, one page of them."""
    query = parse_query(raw) if isinstance(raw, str) else raw
    page = min(max(page, 1), PAGES_MAX)
    if query.kind != "text":
        return Results(0, [], page, 0)
    await refresh_index()
    allowed = await _candidates(viewer)
    total, ids = await _ranked_ids(query.terms, allowed, per_page, (page - 1) * per_page)
    found = {p.id: p for p in await Post.filter(id__in=ids).prefetch_related("author")}
    hits = []
    for ident in ids:
        post = found.get(ident)
        if post is None:
            continue
        text = plain_text(post.content_html)
        body = text if any(re.search(r"\b" + re.escape(t), text, re.IGNORECASE)
                           for t in query.terms) or not post.summary else post.summary
        hits.append(Hit(post, highlight(body, query.terms)))
    pages = min(PAGES_MAX, (total + per_page - 1) // per_page)
    return Results(total, hits, page, pages)


# --- exact look-up of an actor ------------------------------------------------------------

async def find_known_actor(text: str, domain: str, base_url: str) -> Actor | None:
    """The member, chapter or known remote actor a handle (`@name@host`) or an actor
    address names, from what is stored here (no network); None if unknown. `domain` and
    `base_url` are this server's."""
    value = text.strip()
    if value.startswith(("https://", "http://")):
        found = await Actor.filter(uri=value).first() or await Actor.filter(url=value).first()
        if found is not None and found.is_local:
            found = await find_public_actor_by_username(found.username)
        return found if found is not None and found.kind != "Application" else None
    try:
        acct = parse_acct(value)
    except ParseError:
        return None
    ours = domain.lower()
    if acct.domain in (ours, ours.split(":")[0]) or base_url.rstrip("/").endswith(
            "//" + acct.domain):
        local = await find_public_actor_by_username(acct.user)
        return local if local is not None and local.kind != "Application" else None
    remote = await Actor.get_or_none(acct_key=Actor.key_for(acct.user, acct.domain))
    return remote if remote is not None and remote.kind != "Application" else None
