"""Issue 15, item 7: a full disk and a read-only database are one line each, after the
transaction rolled back. The full disk is SQLite's own (`PRAGMA max_page_count` caps the
file a few pages above its size), so the real SQLITE_FULL path is taken."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from review.importers import import_file
from review.store import faults

REPO = Path(__file__).resolve().parent.parent
BIB = REPO / "corpus" / "literature" / "co-production.bib"
TXT = REPO / "corpus" / "transcripts" / "fg1_community_safety.txt"

pytestmark = pytest.mark.backends("sqlite")


def _cap(engine, extra_pages: int = 2) -> None:
    """Every new connection of `engine` may grow the file by `extra_pages` pages at most."""
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _full(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def _counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0]
                     for t in ("source", "passage"))  # fmt: skip
    finally:
        conn.close()


def test_an_import_on_a_full_disk_rolls_back_and_says_so(ws, tmp_path):
    before = _counts(ws.root / "review.db")
    _cap(ws.engine)
    report = import_file(ws.engine, TXT)
    assert report.status == "failed"
    (problem,) = report.problems
    assert problem.message == (
        "the disk is full: the change was rolled back and nothing was written"
    )
    assert _counts(ws.root / "review.db") == before
    ws.engine.dispose()
    conn = sqlite3.connect(ws.root / "review.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_command_on_a_full_disk_is_one_line(cli, ws, monkeypatch):
    import review.store.db as db

    real = db.make_engine

    def capped(url, **kw):
        engine = real(url, **kw)
        _cap(engine, 0)
        return engine

    monkeypatch.setattr(db, "make_engine", capped)
    r = cli("-w", ws.root, "memo", "add", "project", "-", "x" * 200_000)
    assert r.code == 1 and r.err.count("\n") == 1, r.err
    assert (
        r.err
        == "review: error: the disk is full: the change was rolled back and nothing was written\n"
    )


def test_read_only_and_cannot_open_are_recognised():
    ro = sqlite3.OperationalError("attempt to write a readonly database")
    assert "read-only" in faults.describe(ro)
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = sqlite3.OperationalError("database or disk is full")
    assert "disk is full" in faults.describe(wrapped)
    assert faults.describe(ValueError("something else")) is None


def _workbench_notice(root) -> str:
    import asyncio

    from review.store.workspace import Workspace
    from review.tui.app import ReviewApp
    from tests.tui_helpers import settle

    async def run() -> str:
        ws = Workspace.open(root)
        app = ReviewApp(ws, sample_import=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            return " ".join(n.message for n in app._notifications)

    return asyncio.run(run())


def test_a_read_only_workspace_reads_and_refuses_writes_in_one_line(cli, ws, tmp_path):
    import os
    import subprocess

    assert cli("-w", ws.root, "import", BIB).code == 0
    ws.close()
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs a read-only bind mount (root)")
    if subprocess.run(["mount", "--bind", str(ws.root), str(ro)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        done = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(ro)], capture_output=True
        ).returncode
        if done:
            pytest.skip("cannot remount read-only here")
        r = cli("-w", ro, "screen", "list")
        assert r.code == 0 and r.out.strip(), r.err  # reading works
        r = cli("-w", ro, "status")
        assert "notice     the database is read-only" in r.out, r.out
        r = cli("-w", ro, "memo", "add", "project", "-", "x")
        assert r.code == 1 and r.err.count("\n") == 1 and "read-only" in r.err, r.err
        r = cli("-w", ro, "backup", "-o", tmp_path / "b.db")
        assert r.code == 0, r.err
        assert "read-only" in _workbench_notice(ro)  # the workbench says so as it opens
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)
