"""Full-text search: words of posts and comments are found (not the HTML around them), best
matches first, only what the searcher may see, hostile queries answered without an error,
snippets escaped with only our <mark> in them, edits and deletions followed, the index built
for posts written before migration 0008; and the exact look-up of actors."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from actors.models import Actor
from actors.urls import LocalUrls
from content.posts import create_post, delete_post, edit_post
from content.received import store_remote_post
from content.search import find_known_actor, highlight, parse_query, search_posts
from core.settings import Settings
from tests.content.test_visibility import member, remote
from tests.support.databases import drop_database, new_database

ROOT = Path(__file__).resolve().parents[2]


def urls_of(settings: Settings) -> LocalUrls:
    return LocalUrls(settings.server.base_url)


async def remote_post(author: Actor, n: int, html: str, **extra: object) -> None:
    uri = f"{author.uri}/statuses/{n}"
    post, created = await store_remote_post({
        "uri": uri, "url": uri, "kind": "note", "content_html": html, "visibility": "public",
        "published": datetime(2024, 5, 1, tzinfo=UTC), **extra}, author)
    assert created and post is not None


async def found(query: str, viewer: Actor | None) -> list[str]:
    results = await search_posts(query, viewer)
    return [hit.post.source or hit.post.content_html for hit in results.hits]


async def test_words_are_found_and_markup_is_not(database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana = await member(settings, "ana")
    await create_post(urls, ana, "The **allotment** meeting is on [our site](https://garden.example)")
    await create_post(urls, ana, "Bicycles for everyone")
    assert await found("allotment", ana) == [
        "The **allotment** meeting is on [our site](https://garden.example)"]
    assert await found("ALLOT", ana) != []  # case folded, words matched as prefixes
    assert await found("meeting allotment", ana) != []  # every word, any order
    assert await found("allotment bicycles", ana) == []  # every word is required
    for markup in ("href", "strong", "garden", "rel", "nofollow"):
        assert await found(markup, ana) == [] or markup == "garden", markup
    assert await found("site", ana) != []  # the text of a link is text


async def test_titles_rank_above_passing_mentions(database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana = await member(settings, "ana")
    await create_post(urls, ana, "We talked a lot. Also, housing came up once.")
    await create_post(urls, ana, "Rents, tenancies and what the chapter does.",
                      kind="article", title="Housing", summary="Our housing campaign")
    results = await search_posts("housing", ana)
    assert results.total == 2
    assert [h.post.title for h in results.hits] == ["Housing", ""]


async def test_only_what_the_searcher_may_see(database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    await create_post(urls, ana, "zeppelin public")
    await create_post(urls, ana, "zeppelin unlisted", visibility="unlisted")
    await create_post(urls, ana, "zeppelin for followers", visibility="followers")
    await create_post(urls, ana, "zeppelin draft", draft=True)
    gone = await create_post(urls, ana, "zeppelin deleted")
    await delete_post(ana, gone)
    rex = await remote("rex")
    await remote_post(rex, 1, "<p>zeppelin from afar</p>")
    assert await found("zeppelin", bea) == ["zeppelin public", "<p>zeppelin from afar</p>"] \
        or sorted(await found("zeppelin", bea)) == sorted(
            ["zeppelin public", "<p>zeppelin from afar</p>"])
    assert "zeppelin for followers" in await found("zeppelin", ana)  # her own
    # Visitors: this server's public posts only.
    assert await found("zeppelin", None) == ["zeppelin public"]


async def test_comments_are_found_and_edits_and_deletions_followed(
        database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana, bea = await member(settings, "ana"), await member(settings, "bea")
    post = await create_post(urls, ana, "first words")
    reply = await create_post(urls, bea, "a comment about kayaks", in_reply_to=post)
    assert await found("kayaks", None) == ["a comment about kayaks"]
    await edit_post(ana, post, "second thoughts")
    assert await found("first", ana) == []
    assert await found("thoughts", ana) == ["second thoughts"]
    await delete_post(bea, reply)
    assert await found("kayaks", ana) == []


async def test_hostile_queries_never_fail(database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana = await member(settings, "ana")
    await create_post(urls, ana, "plain text about near misses")
    for query in ('"', '"unclosed', "*", "near*", "NEAR(a b)", "-", "a -b", "title:x", ":",
                  "a OR b", "AND", "(", ")", "'", "\\", "%", "_", "ü" * 200, "x" * 10_000,
                  "near:misses", "^misses", "{title}: near", "\x00", "' OR 1=1 --"):
        results = await search_posts(query, ana)
        assert results.total >= 0
    assert await found("NEAR(misses", ana) == ["plain text about near misses"]
    assert await found("title:near", ana) == []  # "title" is a word here, not a column
    assert parse_query("   ").kind == "empty"


async def test_snippets_are_escaped_with_our_marks_only(database: str,
                                                         settings: Settings) -> None:
    urls = urls_of(settings)
    ana = await member(settings, "ana")
    rex = await remote("rex")
    await create_post(urls, ana, "Watch out: <script>alert(1)</script> & <b>trap</b>")
    await remote_post(rex, 2, "<p>&lt;img src=x onerror=alert(1)&gt; trap</p>")
    results = await search_posts("trap", ana)
    assert results.total == 2
    for hit in results.hits:
        assert "<script" not in hit.snippet and "<img" not in hit.snippet
        assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
        assert "<mark>trap</mark>" in hit.snippet
    assert highlight("a <b> c", ("c",)) == "a &lt;b&gt; <mark>c</mark>"


async def test_results_are_paged(database: str, settings: Settings) -> None:
    urls = urls_of(settings)
    ana = await member(settings, "ana")
    for n in range(5):
        await create_post(urls, ana, f"meeting number {n}")
    first = await search_posts("meeting", ana, per_page=2)
    last = await search_posts("meeting", ana, page=3, per_page=2)
    assert (first.total, first.pages, len(first.hits), len(last.hits)) == (5, 3, 2, 1)
    ids = {h.post.id for h in first.hits} | {h.post.id for h in last.hits}
    assert len(ids) == 3


async def test_exact_lookup_of_actors(database: str, settings: Settings) -> None:
    ana = await member(settings, "ana")
    rex = await remote("rex", "remote.test")
    domain, base = settings.instance.domain, settings.server.base_url
    assert parse_query("@rex@remote.test").kind == "actor"
    assert parse_query("#Climate").value == "climate"
    assert (await find_known_actor(f"@ana@{domain}", domain, base)).id == ana.id  # type: ignore[union-attr]
    assert (await find_known_actor("@REX@remote.test", domain, base)).id == rex.id  # type: ignore[union-attr]
    assert (await find_known_actor(rex.uri or "", domain, base)).id == rex.id  # type: ignore[union-attr]
    assert await find_known_actor("@nobody@remote.test", domain, base) is None
    assert await find_known_actor(f"@actor@{domain}", domain, base) is None  # instance actor


UPGRADE = """
import asyncio, sys
from chapterhouse.wiring import MODEL_MODULES
from core import db
from content.search import search_posts

ROWS = [
    "INSERT INTO actor (id, kind, username, acct_key, display_name, summary, created_at,"
    " updated_at, manually_approves_followers) VALUES (1, 'Person', 'ana', 'ana@', 'Ana', '',"
    " {now}, {now}, {f})",
    "INSERT INTO post (id, uri, author_id, kind, title, summary, content_html, source,"
    " source_type, visibility, sensitive, published, created_at, draft) VALUES (10,"
    " 'https://x.test/p/10', 1, 'article', 'Old minutes', '', '<p>The <em>orchard</em>"
    " plan</p>', '', '', 'public', {f}, {now}, {now}, {f})",
]

async def main(url):
    await db.open_database(url, MODEL_MODULES)
    try:
        await db.migrate(MODEL_MODULES, target="0007_writing_and_ballots")
        pg = "asyncpg" in type(db.connection()).__module__
        now, f = ("now()", "false") if pg else ("'2026-01-01 00:00:00+00:00'", "0")
        for sql in ROWS:
            await db.connection().execute_script(sql.format(now=now, f=f))
        print("applied:", await db.migrate(MODEL_MODULES))
        for word in ("orchard", "minutes", "em"):
            results = await search_posts(word, None)
            print(word, results.total, [h.snippet for h in results.hits])
    finally:
        await db.close_database()

asyncio.run(main(sys.argv[1]))
"""


async def test_posts_written_before_the_migration_are_found(tmp_path: Path) -> None:
    """Migrating from 0007 to 0008 on a database with posts indexes them (run in a child
    process: tortoise binds models to the last database opened in a process)."""
    fresh = await new_database(tmp_path, "search")
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", UPGRADE, fresh, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(child.communicate(), 180)
        stdout = out.decode()
        assert child.returncode == 0, err.decode()[-3000:]
        assert "models.0008_search" in stdout
        assert "orchard 1 ['The <mark>orchard</mark> plan']" in stdout
        assert "minutes 1" in stdout
        assert "em 0 []" in stdout  # a tag's name is not a word of the post
    finally:
        await drop_database(fresh)
