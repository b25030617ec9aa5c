"""Upgrading a first-version workspace (migration 0001 only) to today's schema, against its
peer: SQLite's own `VACUUM INTO`, which copies every table and index of the same file once.

The upgrade rebuilds every integer-keyed table (AUTOINCREMENT) and some twice (memos, links,
participants), back-fills the FTS index and checks every foreign key, so a ratio of a few
times the copy is expected; what matters is that it is set-based (no per-row work on the big
tables) and keeps every row.

    .venv/bin/python bench/schema_upgrade.py --passages 1000000 --codings 200000
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coding_common import peak_rss_mb  # noqa: E402

from review.store import migrate  # noqa: E402
from review.store.db import make_engine, sqlite_url  # noqa: E402
from review.store.migrate import applied_table, upgrade  # noqa: E402
from review.store.migrations import m0001_initial  # noqa: E402

NOW = "2026-11-29 10:00:00"
WORDS = "we volunteer at the park and report litter to the council every week".split()


def build(path: Path, n_sources: int, n_passages: int, n_codings: int, seed: int) -> None:
    """A v1 database: m0001's tables, filled with the bare driver in one transaction."""
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        m0001_initial.upgrade(Operations(MigrationContext.configure(conn)), conn)
        applied_table.create(conn)
        conn.execute(
            applied_table.insert().values(id="0001_initial", applied=datetime(2026, 11, 29))
        )
    engine.dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    per = max(1, n_passages // n_sources)
    length = per * 60
    con.execute("BEGIN")
    con.execute(f"INSERT INTO coder (name, created) VALUES ('ann', '{NOW}')")
    con.executemany(
        "INSERT INTO code (name, keywords, position, codable) VALUES (?, '[]', ?, 1)",
        [(f"Code {i}", i) for i in range(50)],
    )
    con.executemany(
        "INSERT INTO source (key, kind, title, authors, keywords, record, meta, text, created) "
        f"VALUES (?, 'transcript', ?, '[]', '[]', '{{}}', '{{}}', ?, '{NOW}')",
        (
            (f"doc{i}", f"Doc {i}", " ".join(rng.choice(WORDS) for _ in range(length // 5)))
            for i in range(n_sources)
        ),
    )
    con.executemany(
        "INSERT INTO passage (source_id, start, \"end\", kind) VALUES (?, ?, ?, 'sentence')",
        ((1 + i // per, (i % per) * 60, (i % per) * 60 + 50) for i in range(n_passages)),
    )
    con.executemany(
        'INSERT INTO coding (source_id, code_id, start, "end", quote, coder_id, origin, created) '
        f"VALUES (?, ?, 0, 10, 'quote text', 1, 'manual', '{NOW}')",
        ((1 + rng.randrange(n_sources), 1 + rng.randrange(50)) for _ in range(n_codings)),
    )
    con.executemany(
        "INSERT INTO memo (target, target_id, coder_id, text, created, updated) "
        f"VALUES ('code', ?, 1, 'a memo', '{NOW}', '{NOW}')",
        ((1 + i % 50,) for i in range(1000)),
    )
    con.commit()
    con.close()


def counts(path: Path) -> dict:
    con = sqlite3.connect(path)
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("source", "passage", "coding", "memo", "code")}  # fmt: skip
    con.close()
    return out


class _Timed:
    """A migration module whose upgrade records how long it took."""

    def __init__(self, mid, module, times: dict):
        self.mid, self.module, self.times = mid, module, times

    def upgrade(self, op, conn):
        t = time.perf_counter()
        try:
            return self.module.upgrade(op, conn)
        finally:
            self.times[self.mid] = round(time.perf_counter() - t, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description="schema upgrade of a v1 workspace")
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--codings", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "v1.db"
        build(db, args.sources, args.passages, args.codings, args.seed)
        before = counts(db)
        size_mb = db.stat().st_size / 2**20
        t = time.perf_counter()
        con = sqlite3.connect(db)
        con.execute(f"VACUUM INTO '{Path(tmp) / 'copy.db'}'")
        con.close()
        copy_s = time.perf_counter() - t
        engine = make_engine(sqlite_url(db))
        times: dict[str, float] = {}
        modules = migrate.available()
        migrate.available = lambda: [(mid, _Timed(mid, mod, times)) for mid, mod in modules]
        t = time.perf_counter()
        ran = upgrade(engine)
        upgrade_s = time.perf_counter() - t
        engine.dispose()
        after = counts(db)
    print(
        json.dumps(
            {
                "rows": before,
                "rows_kept": before == after,
                "database_mb": round(size_mb, 1),
                "migrations_s": {mid: times[mid] for mid in ran},
                "upgrade_s": round(upgrade_s, 2),
                "vacuum_into_s": round(copy_s, 2),
                "ratio": round(upgrade_s / copy_s, 2),
                "ratio_0003_rebuild": round(times["0003_autoincrement"] / copy_s, 2),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
