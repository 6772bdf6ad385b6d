# Written by hand: full-text search over posts, and indexes for the timelines (content.search,
# content.timelines). Nothing here changes a model, so the autodetector sees no difference.
#
# SQLite: an FTS5 table `post_fts` (rowid = post id; title, summary and the post's text as
# plain text). SQLite cannot take HTML apart inside a trigger, so the triggers on `post` only
# queue the post's id in `post_fts_pending` (and forget a deleted row at once);
# content.search.refresh_index() strips the HTML in Python and writes the queued posts into
# `post_fts` before every search. Posts written before this migration are queued here.
# PostgreSQL: a GIN index over the tsvector of title, summary and HTML (the text-search parser
# reads tags as tokens of their own, which no configuration indexes); existing posts are
# indexed when the index is built.
from tortoise import migrations
from tortoise.migrations import operations as ops

TIMELINE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS post_author_id_id ON post (author_id, id)",
    "CREATE INDEX IF NOT EXISTS post_chapter_id_id ON post (chapter_id, id)",
    "CREATE INDEX IF NOT EXISTS boost_actor_id_id ON boost (actor_id, id)",
]
DROP_TIMELINE_INDEXES = [
    "DROP INDEX IF EXISTS post_author_id_id",
    "DROP INDEX IF EXISTS post_chapter_id_id",
    "DROP INDEX IF EXISTS boost_actor_id_id",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE post_fts USING fts5(title, summary, body,"
    " tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE post_fts_pending (post_id INTEGER PRIMARY KEY)",
    "CREATE TRIGGER post_fts_queue_insert AFTER INSERT ON post BEGIN"
    " INSERT OR IGNORE INTO post_fts_pending (post_id) VALUES (new.id); END",
    "CREATE TRIGGER post_fts_queue_update AFTER UPDATE OF title, summary, content_html,"
    " deleted_at ON post BEGIN"
    " INSERT OR IGNORE INTO post_fts_pending (post_id) VALUES (new.id); END",
    "CREATE TRIGGER post_fts_forget AFTER DELETE ON post BEGIN"
    " DELETE FROM post_fts WHERE rowid = old.id;"
    " DELETE FROM post_fts_pending WHERE post_id = old.id; END",
    "INSERT OR IGNORE INTO post_fts_pending (post_id) SELECT id FROM post",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS post_fts_forget",
    "DROP TRIGGER IF EXISTS post_fts_queue_update",
    "DROP TRIGGER IF EXISTS post_fts_queue_insert",
    "DROP TABLE IF EXISTS post_fts_pending",
    "DROP TABLE IF EXISTS post_fts",
]

# Keep in step with content.search.PG_DOCUMENT: the planner uses the index only for the
# very same expression.
PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS post_search ON post USING GIN (to_tsvector('simple'::regconfig,"
    " coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(content_html, '')))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS post_search"]


def _is_postgres(schema_editor: object) -> bool:
    client = schema_editor.client  # type: ignore[attr-defined]
    return client.capabilities.dialect == "postgres"  # type: ignore[no-any-return]


async def _run(schema_editor: object, statements: list[str]) -> None:
    client = schema_editor.client  # type: ignore[attr-defined]
    for sql in statements:
        await client.execute_script(sql)


async def forward(apps: object, schema_editor: object) -> None:
    engine = PG_FORWARD if _is_postgres(schema_editor) else SQLITE_FORWARD
    await _run(schema_editor, [*engine, *TIMELINE_INDEXES])


async def backward(apps: object, schema_editor: object) -> None:
    engine = PG_BACKWARD if _is_postgres(schema_editor) else SQLITE_BACKWARD
    await _run(schema_editor, [*DROP_TIMELINE_INDEXES, *engine])


class Migration(migrations.Migration):
    dependencies = [('models', '0007_writing_and_ballots')]

    initial = False

    operations = [
        ops.RunPython(forward, reverse_code=backward),
    ]
