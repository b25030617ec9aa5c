"""Team load: N coder processes applying codings and memos at once, against PostgreSQL and
against one SQLite file, for a fixed time; then an exact count.

Each worker is its own process with its own engine and its own coder name, and loops: apply a
coding (`review.coding.codings.apply_code`, one transaction), every fifth time also a memo
(`add_memo`), timing each transaction. A transaction that fails is counted by its error; the
storage layer's retries on busy/serialisation errors happen inside it. At the end the database
must hold exactly the rows the workers said they committed — no lost and no duplicated rows —
and no user may have seen "database is locked".

    .venv/bin/python bench/team_load.py --workers 8 --seconds 60 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

Prints, per database: commits/s, p50/p95/max latency, errors by kind, and the count check.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXT = " ".join(f"Sentence {i} about co-production of public services." for i in range(400))


def _prepare(url: str) -> int:
    """A workspace database with one source and the sample codebook; returns the source id."""
    from review.coding.codebook import ensure_codebook
    from review.store import models as m
    from review.store.db import open_engine, session_scope
    from review.store.workspace import default_codebook_text

    engine = open_engine(url)
    book = Path(tempfile.mkdtemp()) / "codebook.toml"
    book.write_text(default_codebook_text(), "utf-8")
    with session_scope(engine) as s:
        ensure_codebook(s, book)
        src = m.Source(key="load", kind="transcript", title="Load", text=TEXT)
        s.add(src)
        s.flush()
        sid = src.id
    engine.dispose()
    return sid


def _worker(url: str, source_id: int, name: str, seconds: float, out: mp.Queue) -> None:
    from review.coding.codebook import codable_ids
    from review.coding.codings import add_memo, apply_code
    from review.store.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as s:
        codes = sorted(codable_ids(s))
    done_codings = done_memos = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    locked = 0
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
        start = (i * 37) % (len(TEXT) - 60)
        t0 = time.perf_counter()
        try:
            with session_scope(engine, write=True) as s:  # as the CLI's and the TUI's
                apply_code(
                    s, source_id=source_id, code_id=codes[i % len(codes)], start=start,
                    end=start + 40, coder=name,
                )  # fmt: skip
                memo = i % 5 == 0
                if memo:
                    add_memo(s, target="source", target_id=source_id, text=f"{name} {i}",
                             coder=name)  # fmt: skip
            done_codings += 1
            done_memos += memo
        except Exception as exc:  # counted, not hidden: the report lists every kind
            text = str(exc)
            locked += "database is locked" in text
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        latencies.append(time.perf_counter() - t0)
    engine.dispose()
    out.put((done_codings, done_memos, latencies, errors, locked))


def run(url: str, workers: int, seconds: float) -> dict:
    from sqlalchemy import func, select

    from review.store import models as m
    from review.store.db import make_engine, session_scope

    source_id = _prepare(url)
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_worker, args=(url, source_id, f"coder{k}", seconds, queue))
        for k in range(workers)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    codings = sum(r[0] for r in results)
    memos = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[3].items():
            errors[k] = errors.get(k, 0) + v
    engine = make_engine(url)
    with session_scope(engine) as s:
        stored_codings = s.execute(select(func.count()).select_from(m.Coding)).scalar_one()
        stored_memos = s.execute(select(func.count()).select_from(m.Memo)).scalar_one()
    engine.dispose()
    return {
        "workers": workers,
        "seconds": round(wall, 1),
        "committed": codings,
        "per_second": round(codings / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1) if lat else None,
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "errors": errors,
        "locked_seen": sum(r[4] for r in results),
        "exact": stored_codings == codings and stored_memos == memos,
        "stored": (stored_codings, stored_memos),
        "expected": (codings, memos),
    }


def _postgres_db(admin_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"review_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--postgres", help="admin URL of a PostgreSQL server (a database is made)")
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()
    rows = []
    if not args.skip_sqlite:
        folder = Path(tempfile.mkdtemp())
        rows.append(("SQLite file", run(f"sqlite:///{folder / 'review.db'}", args.workers,
                                        args.seconds)))  # fmt: skip
    if args.postgres:
        name, url = _postgres_db(args.postgres)
        try:
            rows.append(("PostgreSQL", run(url, args.workers, args.seconds)))
        finally:
            _drop(args.postgres, name)
    print(f"{args.workers} coder processes, {args.seconds:.0f} s each")
    print("| database | codings committed | codings/s | p50 ms | p95 ms | max ms | errors | "
          "'locked' seen by a user | exact count |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in rows:
        errors = ", ".join(f"{k} {v}" for k, v in r["errors"].items()) or "none"
        exact = "yes" if r["exact"] else f"NO: {r['stored']} stored, {r['expected']} committed"
        print(f"| {label} | {r['committed']} | {r['per_second']} | {r['p50_ms']} | "
              f"{r['p95_ms']} | {r['max_ms']} | {errors} | {r['locked_seen']} | "
              f"{exact} |")  # fmt: skip


if __name__ == "__main__":
    main()
