"""Issue 15, items 6 and 7: backup (while another connection writes), restore (refuses
without --force, keeps the replaced file), doctor on a damaged copy (and --fix), automatic
backups before an upgrade and `dedupe --apply`, and the databases that must be refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from review.store import backup as bk
from review.store.doctor import diagnose

REPO = Path(__file__).resolve().parent.parent
BIB = REPO / "corpus" / "literature" / "co-production.bib"
TXT = REPO / "corpus" / "transcripts" / "fg1_community_safety.txt"

pytestmark = pytest.mark.backends("sqlite")


def _rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type='table' and name not like 'passage_fts%'"
                " and name not like 'sqlite_%'"
            )
        ]
        return {n: sorted(map(repr, conn.execute(f'select * from "{n}"'))) for n in names}
    finally:
        conn.close()


def test_backup_while_writing_then_restore_row_for_row(cli, ws, tmp_path):
    assert cli("-w", ws.root, "import", BIB, TXT).code == 0
    db = ws.root / "review.db"
    stop = threading.Event()
    written: list[int] = []

    def writer():  # another process's transactions, committed while the backup runs
        conn = sqlite3.connect(db, timeout=30)
        try:
            for n in range(200):
                if stop.is_set():
                    break
                conn.execute(
                    "insert into memo (text, created, updated) "
                    "values (?, datetime('now'), datetime('now'))",
                    (f"m{n}",),
                )
                conn.commit()
                written.append(n)
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    out = tmp_path / "b.db"
    r = cli("-w", ws.root, "backup", "-o", out)
    stop.set()
    thread.join()
    assert r.code == 0 and "backed up to" in r.out, r.err
    assert written  # the writer did write meanwhile
    snapshot = _rows(out)
    assert snapshot["source"] and snapshot["passage"]
    memos = len(snapshot["memo"])
    # more writes after the backup, then restore: exactly the backup's rows come back
    assert cli("-w", ws.root, "memo", "add", "project", "-", "after the backup").code == 0
    latest = _rows(db)
    assert len(latest["memo"]) > memos
    r = cli("-w", ws.root, "restore", out)
    assert r.code == 2 and "--force" in r.err  # never replaced without --force
    r = cli("-w", ws.root, "restore", "--force", out)
    assert r.code == 0 and "kept as" in r.out, r.err
    ws.close()
    assert _rows(db) == snapshot and len(_rows(db)["memo"]) == memos
    (kept,) = ws.root.glob("review.db.replaced-*")
    assert _rows(kept) == latest  # the replaced database, row for row
    assert cli("-w", ws.root, "doctor").code == 0


def test_restore_refuses_what_is_not_an_intact_review_database(cli, ws, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all")
    r = cli("-w", ws.root, "restore", "--force", bad)
    assert r.code == 1 and "not a review database" in r.err
    assert (ws.root / "review.db").stat().st_size > 0


def test_doctor_finds_and_fixes_a_damaged_copy(cli, ws, tmp_path):
    from review.coding.codebook import ensure_codebook
    from review.store.db import session_scope

    assert cli("-w", ws.root, "import", TXT).code == 0
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
    ws.close()
    db = ws.root / "review.db"
    conn = sqlite3.connect(db)
    source_id, text = conn.execute("select id, text from source").fetchone()
    pid = conn.execute("select max(id) from passage").fetchone()[0]
    word = "litter" if "litter" in text else text.split()[5]
    at = text.index(word)
    code_id = conn.execute("select min(id) from code").fetchone()
    conn.execute(
        "insert into coding (source_id, code_id, start, end, quote, origin, created) "
        "values (?, ?, ?, ?, ?, 'manual', datetime('now'))",
        (source_id, code_id[0], at + 3, at + 3 + len(word), word),
    )
    conn.execute("delete from passage_fts where rowid = ?", (pid,))  # search misses one
    # and one indexed under another text (stale)
    conn.execute("update passage_fts set text = 'something else' where rowid = ?", (pid - 1,))
    conn.commit()
    conn.close()
    r = cli("-w", ws.root, "doctor")
    assert r.code == 1
    assert "fts: 2 problem(s)" in r.out and "quotes: 1 problem(s)" in r.out
    assert "1 passage(s) stale" in r.out and "1 passage(s) not indexed" in r.out
    r = cli("-w", ws.root, "doctor", "--fix", "--json")
    assert r.code == 0, r.out
    checks = {c["check"]: c for c in r.json()["checks"]}
    assert checks["fts"]["fixed"] == 2 and checks["quotes"]["fixed"] == 1
    assert cli("-w", ws.root, "doctor").code == 0
    conn = sqlite3.connect(db)  # the rebuilt index holds each passage's own text
    rows = conn.execute(
        "select p.start, p.end, f.text from passage p join passage_fts f on f.rowid = p.id"
    ).fetchall()
    conn.close()
    assert len(rows) > 3 and all(t == text[a:z] for a, z, t in rows)


def test_doctor_reports_integrity_and_foreign_key_damage(ws):
    ws.close()
    db = ws.root / "review.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(
        "insert into passage (source_id, start, end, kind) values (999999, 0, 1, 'sentence')"
    )
    conn.commit()
    conn.close()
    findings = {f.check: f for f in diagnose(ws.engine)}
    assert findings["foreign-keys"].problems == 1 and not findings["foreign-keys"].ok
    assert findings["integrity"].ok


def test_an_upgrade_and_dedupe_apply_back_up_first(cli, ws, tmp_path):
    import shutil

    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(REPO / "tests" / "data" / "schema_v1.db", old / "review.db")
    (old / "corpus").mkdir()
    assert cli("-w", old, "status").code == 0
    (auto,) = (old / ".review" / "backups").glob("auto-upgrade-*.db")
    conn = sqlite3.connect(auto)
    assert conn.execute("select count(*) from review_migrations").fetchone()[0] == 1
    conn.close()
    assert cli("-w", ws.root, "import", BIB).code == 0
    dup = tmp_path / "dup.bib"
    dup.write_text(BIB.read_text("utf-8").replace("@", "@", 1), "utf-8")
    r = cli("-w", ws.root, "dedupe", "--apply", "--json")
    assert r.code in (0, 1)
    r = cli("-w", ws.root, "import", "--batches", "--json")
    assert r.code == 0
    r = cli("-w", ws.root, "import", "--undo", "1", "--force")
    assert r.code == 0, r.err
    assert list((ws.root / ".review" / "backups").glob("auto-undo-*.db"))
    for _ in range(bk.KEEP + 2):  # only the last KEEP automatic backups are kept
        bk.auto_backup(ws.engine, "dedupe")
    assert len(list((ws.root / ".review" / "backups").glob("auto-dedupe-*.db"))) == bk.KEEP


def test_zero_length_foreign_and_newer_databases_are_refused_never_overwritten(cli, tmp_path):
    for name, make in (
        ("zero", lambda p: p.write_bytes(b"")),
        ("text", lambda p: p.write_text("hello")),
        ("foreign", lambda p: sqlite3.connect(p).execute("create table t(x)").connection.commit()),
    ):
        folder = tmp_path / name
        (folder / "corpus").mkdir(parents=True)
        db = folder / "review.db"
        make(db)
        before = db.read_bytes()
        r = cli("-w", folder, "status")
        assert r.code == 1 and r.err.count("\n") == 1 and "nothing was changed" in r.err, r.err
        assert db.read_bytes() == before


def test_a_database_from_a_newer_version_is_refused_with_the_versions(cli, ws):
    ws.close()
    conn = sqlite3.connect(ws.root / "review.db")
    conn.execute("insert into review_migrations (id, applied) values ('9999_future', '2030-01-01')")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    from review.store.migrate import available

    r = cli("-w", ws.root, "status")
    assert r.code == 1
    last = available()[-1][0]
    assert f"newer version of review (schema 9999_future; this version knows up to {last}" in r.err
