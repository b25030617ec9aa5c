"""Has anyone written to the database since I last looked? (the workbench polls this so its
status line and lists follow a CLI or a colleague writing at the same time).

SQLite: `PRAGMA data_version` on one connection kept open for the purpose changes whenever
another connection commits a change (any process, or this one's pool). PostgreSQL: the upper
bound of a fresh snapshot (`pg_snapshot_xmax(pg_current_snapshot())`), which moves the moment
any transaction that wrote finishes. It counts the whole server's writers (another database's
too: a refresh for nothing, never a missed one). The table statistics we read before lagged
by up to ten seconds while the writer's connection stayed open (PostgreSQL flushes an idle
backend's counters on a 10 s timer).
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import text
from sqlalchemy.engine import Engine

from review.store.db import is_sqlite

PG_WRITES = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text"


class ChangeWatcher:
    """`changed()` is True when the database was written since the previous call (the first
    call only takes the baseline and answers False). Safe to call from a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._last: object = None
        self._conn: sqlite3.Connection | None = None
        self.sqlite = is_sqlite(engine)

    def _version(self) -> object:
        if self.sqlite:
            if self._conn is None:
                path = self.engine.url.database
                if not path or path == ":memory:":
                    return None  # an in-memory database has no other writers
                self._conn = sqlite3.connect(path, check_same_thread=False, timeout=1)
            return self._conn.execute("PRAGMA data_version").fetchone()[0]
        with self.engine.connect() as conn:
            return conn.execute(text(PG_WRITES)).scalar()

    def changed(self) -> bool:
        with self._lock:
            try:
                now = self._version()
            except Exception:  # noqa: BLE001 - a busy or vanished database: look again later
                return False
            before, self._last = self._last, now
            return before is not None and now is not None and now != before

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
