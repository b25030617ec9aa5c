"""Issue 15: a kill at a random moment of an import leaves the database as before the file
(one transaction a file): integrity ok, no unfinished batch, no orphan, the search index in
step, and a re-run reaches exactly the reference counts. A few kills in the suite;
`REVIEW_KILL_RUNS=200` runs more (the README's Reliability section quotes such a run)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

RUNS = int(os.environ.get("REVIEW_KILL_RUNS", "2"))
N = 1500
pytestmark = pytest.mark.backends("sqlite")


def _bib(n: int) -> str:
    return "".join(
        f"@article{{k{i},\n  title = {{Co-production study number {i} of {n}}},\n"
        f"  author = {{Author{i}, A. and Other, B.}},\n  year = {{{2000 + i % 20}}},\n"
        f"  journal = {{Journal {i % 7}}},\n  abstract = {{{'Citizens co-produce. ' * 20}}}\n}}\n\n"
        for i in range(n)
    )


def _state(db) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "fk": conn.execute("PRAGMA foreign_key_check").fetchall(),
            "sources": conn.execute("select count(*) from source").fetchone()[0],
            "unfinished": conn.execute(
                "select count(*) from importbatch where finished is null"
            ).fetchone()[0],
            "fts": conn.execute(
                "select (select count(*) from passage) - (select count(*) from passage_fts)"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def test_kill_during_import_leaves_nothing_half_done(ws, tmp_path):
    path = tmp_path / "big.bib"
    path.write_text(_bib(N), "utf-8")
    db = ws.root / "review.db"
    ws.close()
    rng = random.Random(15)
    command = [sys.executable, "-m", "review", "-w", str(ws.root), "import", str(path)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    pristine = db.read_bytes()  # (after an import that finished, start again from empty)
    hits = 0
    for _ in range(RUNS):
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            hits += 1
        proc.wait()
        state = _state(db)
        assert state["integrity"] == "ok" and state["fk"] == [] and state["fts"] == 0, state
        assert state["unfinished"] == 0
        assert state["sources"] in (0, N), state  # all of the file or none of it
        if state["sources"]:
            for extra in ("-wal", "-shm"):
                db.with_name(db.name + extra).unlink(missing_ok=True)
            db.write_bytes(pristine)
    print(f"{RUNS} runs, {hits} killed while running, 0 inconsistent")
    done = subprocess.run(command, capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _state(db)["sources"] == N
