"""Full-text search on PostgreSQL: `passage_fts` as a table with a generated `tsvector`.

SQLite keeps its FTS5 table (m0002). On PostgreSQL the same name holds the same two columns —
`rowid` (the passage id) and `text` — so the code that fills the index is one statement on
both, plus a stored `tsv` column (`simple` configuration: no stemming, as FTS5's unicode61)
computed from the accent-folded text, under a GIN index. Accents are folded by the `unaccent`
extension when the server has it and we may create it; otherwise by `lower()` alone (the
search then matches accents exactly, and says nothing wrong). `review_fold(text)` is the one
folding function, used by the column and by every query, so both sides always agree.
The foreign key removes a passage's index row with the passage.
"""

from sqlalchemy import text

from review.store.db import is_sqlite

FOLD_UNACCENT = (
    "CREATE OR REPLACE FUNCTION review_fold(t text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
    "$$ SELECT lower(unaccent('unaccent'::regdictionary, t)) $$"
)
FOLD_PLAIN = (
    "CREATE OR REPLACE FUNCTION review_fold(t text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT lower(t) $$"
)
TABLE = (
    "CREATE TABLE IF NOT EXISTS passage_fts ("
    " rowid integer PRIMARY KEY REFERENCES passage(id) ON DELETE CASCADE,"
    " text text NOT NULL,"
    " tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, review_fold(text)))"
    " STORED)"
)
INDEX = "CREATE INDEX IF NOT EXISTS ix_passage_fts_tsv ON passage_fts USING gin (tsv)"


def _create(conn) -> None:
    has_unaccent = False
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        has_unaccent = True
    except Exception:  # not installed on the server, or not ours to create: fold case only
        has_unaccent = False
    conn.execute(text(FOLD_UNACCENT if has_unaccent else FOLD_PLAIN))
    conn.execute(text(TABLE))
    conn.execute(text(INDEX))


def create_fresh(conn) -> None:
    if not is_sqlite(conn.engine):
        _create(conn)


def upgrade(op, conn) -> None:
    if is_sqlite(conn.engine):
        return
    _create(conn)
    conn.execute(
        text(
            "INSERT INTO passage_fts(rowid, text) "
            "SELECT p.id, substr(s.text, p.start + 1, p.end - p.start) "
            "FROM passage p JOIN source s ON s.id = p.source_id WHERE s.text IS NOT NULL "
            "ON CONFLICT (rowid) DO NOTHING"
        )
    )
