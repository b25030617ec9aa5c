"""The search index's change log (SQLite): what the tantivy index must catch up on.

On SQLite, search runs on a tantivy index beside the database (`review/store/search_index.py`).
The database stays the truth: triggers record, inside the very transaction that changes them,
every passage inserted, moved or deleted and every source whose searchable fields (title,
abstract, keywords, kind, merge state) change or that is deleted, in `passage_fts_log`. The
index remembers the last log entry it applied (sequence number and a random token, so a
rolled-back entry whose number was reused is noticed) and catches up from the log; if the log
and the index disagree it is rebuilt from the database. PostgreSQL searches its own tsvector
index (m0009) and needs no log.
"""

from sqlalchemy import text

from review.store.db import is_sqlite

TABLE = (
    "CREATE TABLE IF NOT EXISTS passage_fts_log ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " what TEXT NOT NULL,"  # 'p' passage, 's' source
    " ref INTEGER NOT NULL,"
    " op TEXT NOT NULL,"  # '+' inserted, '~' changed, '-' deleted
    " token BLOB NOT NULL DEFAULT (randomblob(8)))"
)
TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS passage_fts_log_pi AFTER INSERT ON passage BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('p', new.id, '+'); END",
    'CREATE TRIGGER IF NOT EXISTS passage_fts_log_pu AFTER UPDATE OF start, "end", kind, '
    "source_id ON passage BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('p', new.id, '~'); END",
    "CREATE TRIGGER IF NOT EXISTS passage_fts_log_pd AFTER DELETE ON passage BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('p', old.id, '-'); END",
    "CREATE TRIGGER IF NOT EXISTS passage_fts_log_si AFTER INSERT ON source BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('s', new.id, '+'); END",
    "CREATE TRIGGER IF NOT EXISTS passage_fts_log_su AFTER UPDATE OF title, abstract, keywords, "
    "kind, record_format, merged_into_id ON source BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('s', new.id, '~'); END",
    "CREATE TRIGGER IF NOT EXISTS passage_fts_log_sd AFTER DELETE ON source BEGIN "
    "INSERT INTO passage_fts_log(what, ref, op) VALUES ('s', old.id, '-'); END",
]


def create_fresh(conn) -> None:
    if is_sqlite(conn.engine):
        conn.execute(text(TABLE))
        for t in TRIGGERS:
            conn.execute(text(t))


def upgrade(op, conn) -> None:
    # Existing rows need no log entries: an index that does not exist yet is built from the
    # database on first use.
    create_fresh(conn)
