"""Full-text search over passages (SQLite FTS5; other backends search with LIKE).

`passage_fts` holds each passage's text under the passage's id as rowid, tokenised with
`unicode61 remove_diacritics 2` so "Ménage" matches "menage". Existing passages are indexed
from their sources' text (SQLite's substr counts code points, as our offsets do).
"""

from sqlalchemy import text

from review.store.db import is_sqlite

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5("
    "text, tokenize = 'unicode61 remove_diacritics 2')"
)


def create_fresh(conn) -> None:
    if is_sqlite(conn.engine):
        conn.execute(text(CREATE))


def upgrade(op, conn) -> None:
    if not is_sqlite(conn.engine):
        return
    conn.execute(text(CREATE))
    conn.execute(
        text(
            "INSERT INTO passage_fts(rowid, text) "
            "SELECT p.id, substr(s.text, p.start + 1, p.end - p.start) "
            "FROM passage p JOIN source s ON s.id = p.source_id WHERE s.text IS NOT NULL"
        )
    )
