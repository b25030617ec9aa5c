"""Ids are never reused: every table with an integer key gets SQLite's AUTOINCREMENT.

Without it SQLite hands the id of a deleted last row to the next row, so anything still naming
the old id (a memo, an undo record, a script's note) silently points at the new one. Each
table is rebuilt with every row and id kept; `sqlite_sequence` starts from the highest id.
PostgreSQL keys are SERIAL (a sequence that never goes back), so nothing changes there.
"""

from review.store.db import is_sqlite
from review.store.migrations.tools import has_sqlite_autoincrement, rebuild

# Frozen: the tables with an integer key at this version.
TABLES = (
    "coder", "importbatch", "participant", "code", "exclusionreason", "source",
    "participantalias", "participantattribute", "memo", "action", "passage", "coding",
    "indicator", "screeningdecision", "duplicatelink", "suggestion", "evidencelink",
)  # fmt: skip


def upgrade(op, conn) -> None:
    if not is_sqlite(conn.engine):
        return
    for table in TABLES:
        if not has_sqlite_autoincrement(conn, table):
            with rebuild(op, table):
                pass
