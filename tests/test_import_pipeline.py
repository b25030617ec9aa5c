"""The import pipeline end to end: folders, detection from content, re-import, key clashes,
--strict, crash safety, encodings, and `insert_sources` used directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from review.importers import import_file, import_paths
from review.ingest.pipeline import Format
from review.ingest.sources import insert_sources
from review.store import models as m
from review.store.db import session_scope
from tests.import_helpers import sources_by_key

pytestmark = pytest.mark.backends("sqlite", "postgres")

BIB = """@article{bovaird2007beyond,
  author = {Bovaird, Tony},
  title = {Beyond engagement and participation: user and community coproduction of
           public services},
  journal = {Public Administration Review},
  year = {2007},
}
@book{broken, title = {unclosed
@article{loeffler2008fast, author = {Elke L{\\"o}ffler}, title = {Second}, year = 2008}
"""

RIS = "TY  - JOUR\nTI  - Co-production in RIS\nAU  - Parrado, Salvador\nPY  - 2013\nER  - \n"


def count(ws, model=m.Source) -> int:
    with session_scope(ws.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_folder_import_detects_formats_from_content(cli, ws, testdata, tmp_path):
    folder = tmp_path / "exports"
    (folder / "sub").mkdir(parents=True)
    (folder / "library.txt").write_text(BIB)  # BibTeX without a .bib extension
    (folder / "sub" / "scopus.dat").write_text(RIS)
    (folder / "sub" / "savedrecs.ris").write_bytes(
        (testdata / "ris" / "rispy_example_wos.ris").read_bytes()  # WoS saved as .ris
    )
    (folder / "README.md").write_text("not an export")
    (folder / ".hidden.bib").write_text(BIB)
    res = cli("-w", ws.root, "import", "--json", folder)
    files = {Path(f["file"]).name: f for f in res.json()["files"]}
    assert set(files) == {"library.txt", "scopus.dat", "savedrecs.ris"}
    assert [files[n]["format"] for n in ("library.txt", "scopus.dat", "savedrecs.ris")] == [
        "bibtex",
        "ris",
        "wos",
    ]
    assert res.code == 1  # the broken entry is an error
    err = [p for p in files["library.txt"]["problems"] if p["severity"] == "error"]
    assert err[0]["line"] == 8 and "is not closed" in err[0]["message"]
    assert count(ws) == 2 + 1 + 2
    assert sources_by_key(ws)["loeffler2008fast"].authors == ["Löffler, Elke"]
    with session_scope(ws.engine) as s:
        batches = s.exec(select(m.ImportBatch)).all()
    assert len(batches) == 3 and {b.status for b in batches} == {"imported", "partial"}


def test_reimport_adds_nothing_and_says_so(cli, ws, tmp_path):
    path = tmp_path / "a.ris"
    path.write_text(RIS)
    assert cli("-w", ws.root, "import", path).code == 0
    again = cli("-w", ws.root, "import", path)
    assert again.code == 0 and "already imported" in again.out and count(ws) == 1
    # the same records in a different file (e.g. exported again): skipped, and said so
    other = tmp_path / "b.ris"
    other.write_text("\n" + RIS.replace("\n", "\r\n"))
    res = cli("-w", ws.root, "import", "--json", other)
    (rep,) = res.json()["files"]
    assert rep["imported"] == 0 and rep["skipped"] == 1 and "nothing added" in rep["message"]
    assert count(ws) == 1


def test_different_record_with_clashing_key_gets_a_suffix(cli, ws, tmp_path):
    one = tmp_path / "one.bib"
    one.write_text("@article{smith2008, title={First paper}, author={Smith, A}}")
    two = tmp_path / "two.bib"
    two.write_text(
        "@article{smith2008, title={Other paper}, author={Smith, B}}\n"
        "@article{smith2008, title={Third paper}, author={Smith, C}}\n"
    )
    cli("-w", ws.root, "import", one)
    res = cli("-w", ws.root, "import", "--json", two)
    (rep,) = res.json()["files"]
    assert res.code == 0 and rep["imported"] == 2
    got = sources_by_key(ws)
    assert got["smith2008"].title == "First paper"
    assert got["smith2008a"].title == "Other paper" and got["smith2008b"].title == "Third paper"
    assert got["smith2008a"].record["key"] == "smith2008"  # the original key is kept
    warns = [p for p in rep["problems"] if "already used" in p["message"]]
    assert [w["line"] for w in warns] == [1, 2]


def test_strict_makes_a_file_all_or_nothing(cli, ws, tmp_path):
    path = tmp_path / "lib.bib"
    path.write_text(BIB)
    res = cli("-w", ws.root, "import", "--strict", "--json", path)
    (rep,) = res.json()["files"]
    assert res.code == 1 and rep["status"] == "rejected" and rep["imported"] == 0
    assert count(ws) == 0
    with session_scope(ws.engine) as s:
        (batch,) = s.exec(select(m.ImportBatch)).all()
    assert batch.status == "rejected" and batch.problems
    # without --strict the good records land (the rejected batch does not block it)
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.json()["files"][0]["imported"] == 2 and count(ws) == 2


def test_a_crash_mid_file_leaves_the_database_as_before(ws, tmp_path):
    def load(ctx):
        insert_sources(ctx, [{"title": "written before the crash", "authors": ["A, B"]}])
        assert count(ws) == 0  # not visible outside the file's transaction
        raise RuntimeError("disk on fire")

    path = tmp_path / "x.bib"
    path.write_text("@article{x, title={t}}")
    fmt = Format("crashy", lambda p, d: 100, load)
    report = import_file(ws.engine, path, fmt=fmt)
    assert report.status == "failed" and "disk on fire" in report.problems[0].message
    assert count(ws) == 0 and count(ws, m.ImportBatch) == 1


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-le", b""), ("cp1252", b"")],
)
def test_encodings(ws, tmp_path, encoding, bom):
    text = "@article{k, author={Løffler, Elke and Müller, Jürgen}, title={Café société},\r\n"
    text += " year={2008}}\r\n"
    path = tmp_path / "enc.bib"
    path.write_bytes(bom + text.encode(encoding))
    (report,) = import_paths(ws.engine, [path])
    assert report.format == "bibtex" and report.imported == 1, report
    src = sources_by_key(ws)["k"]
    assert src.authors == ["Løffler, Elke", "Müller, Jürgen"] and src.title == "Café société"


def test_progress_is_reported_for_large_files(ws, tmp_path):
    path = tmp_path / "big.ris"
    path.write_text(
        "".join(
            RIS.replace("2013", str(1900 + i % 100)).replace("in RIS", f"in RIS {i}")
            for i in range(4500)
        )
    )
    seen: list[tuple[int, int | None]] = []
    (report,) = import_paths(ws.engine, [path], progress=lambda d, t: seen.append((d, t)))
    assert report.imported == 4500
    assert seen[-1] == (4500, 4500) and len(seen) >= 3


def test_a_cancel_mid_file_rolls_that_file_back_and_starts_no_other(ws, tmp_path):
    """The workbench's cancel: asked at every progress report, so a large file stops while it
    loads (not only between files); nothing of it is stored, and the next file never starts."""
    big = tmp_path / "a_big.ris"
    big.write_text("".join(RIS.replace("in RIS", f"in RIS {i}") for i in range(4500)))
    small = tmp_path / "b_small.ris"
    small.write_text(RIS.replace("in RIS", "small"))
    ticks: list[int] = []
    reports = import_paths(
        ws.engine,
        [big, small],
        progress=lambda d, t: ticks.append(d),
        cancelled=lambda: len(ticks) >= 1,  # yes, once the first records have been parsed
    )
    assert [r.status for r in reports] == ["cancelled"]
    assert reports[0].imported == 0 and "nothing imported" in reports[0].message
    assert count(ws) == 0 and count(ws, m.ImportBatch) == 0
    (again,) = import_paths(ws.engine, [big])  # and the file imports in full afterwards
    assert again.status == "imported" and count(ws) == 4500


def test_human_output_names_file_and_line(cli, ws, tmp_path):
    path = tmp_path / "lib.bib"
    path.write_text(BIB)
    res = cli("-w", ws.root, "import", path)
    assert res.code == 1
    assert (
        f"{path}:8: error: entry @book{{broken (line 8) is not closed before the next entry "
        "begins on line 9; the { of `title = {unclosed` (line 8) is never closed" in res.err
    )
    assert "2 of 3 records imported" in res.out


def test_unreadable_and_unknown_files(cli, ws, tmp_path):
    empty = tmp_path / "empty.bib"
    empty.write_text("")
    res = cli("-w", ws.root, "import", "--json", empty, tmp_path / "missing.ris")
    docs = res.json()["files"]
    assert res.code == 1 and all(d["status"] == "failed" for d in docs)
    assert {d["problems"][0]["message"] for d in docs} >= {"no such file or folder"}


def test_insert_sources_with_a_plain_session(session):
    out = insert_sources(
        session,
        [
            {"title": "A report", "authors": ["Bovaird, Tony"], "year": 2008, "kind": "report"},
            {"key": "given", "title": "Given key"},
        ],
        origin_file="by-hand",
    )
    assert set(out.ids) == {"bovaird2008report", "given"} and out.inserted == 2
    again = insert_sources(session, [{"key": "given", "title": "Given key"}])
    assert again.inserted == 0 and again.present == ["given"]
    src = session.get(m.Source, out.ids["given"])
    assert src.origin_file == "by-hand" and src.authors == [] and src.record == {}
    with pytest.raises(ValueError, match="not Source columns: titel"):
        insert_sources(session, [{"titel": "typo"}])


def test_bulk_insert_stores_json_and_timestamps_as_the_orm_reads_them(session):
    record = {"TY": ["JOUR"], "AU": ["Løffler, Elke", "Müller, J"], "N1": ['a "quoted" \\ note']}
    out = insert_sources(
        session,
        [
            {"key": "a", "title": "Café", "authors": ["Løffler, Elke"], "keywords": ["ü"]}
            | {"record": record},
            {"key": "b", "title": "Second", "authors": None, "meta": {"group": "FG1"}},
        ],
    )
    session.expire_all()
    first, second = (session.get(m.Source, out.ids[k]) for k in ("a", "b"))
    assert first.record == record and first.authors == ["Løffler, Elke"]
    assert first.keywords == ["ü"] and first.meta == {}
    assert second.authors == [] and second.record == {} and second.meta == {"group": "FG1"}
    assert first.created.tzinfo is not None and first.created == second.created


def test_the_portable_insert_path_stores_the_same_rows(session, monkeypatch):
    """Other databases get SQLAlchemy's own insert(); forced here on SQLite to compare."""
    import review.ingest.sources as sources_mod

    rows = [
        {"key": "x", "title": "Café", "authors": ["Løffler, E"], "record": {"TY": ["JOUR"]}},
        {"key": "y", "title": "No lists"},
    ]

    def stored(keys):
        got = session.exec(select(m.Source).where(m.Source.key.in_(keys))).all()
        return sorted(
            (s.key, s.title, s.authors, s.keywords, s.record, s.meta, s.created is not None)
            for s in got
        )

    insert_sources(session, rows)
    monkeypatch.setattr(sources_mod, "_driver_tuples", lambda dialect: False)
    insert_sources(session, [dict(r, key=r["key"] + "2") for r in rows])
    session.expire_all()
    fast, portable = stored(["x", "y"]), stored(["x2", "y2"])
    assert [r[1:] for r in fast] == [r[1:] for r in portable]
    assert fast[0][2] == ["Løffler, E"] and fast[1][3] == [] and fast[1][4] == {}


@pytest.mark.parametrize("per", [200, 7, 1])
def test_multi_row_inserts_store_every_row_in_order_and_log_each_for_search(
    session, monkeypatch, per
):
    """SQLite stores rows in multi-row INSERT statements: full statements plus a shorter
    last one must keep every row, its values and the file's order (ids ascending), and the
    search log's trigger must still see each row once."""
    import review.ingest.sources as sources_mod
    from review.store.db import is_sqlite

    monkeypatch.setattr(sources_mod, "ROWS_PER_STATEMENT", per)
    rows = [
        {"key": f"k{i:04d}", "title": f"Title {i}", "authors": [f"Ló{i}, A"], "year": 1900 + i}
        | ({"record": {"TY": ["JOUR"], "N1": [f"note {i}"]}} if i % 3 else {"doi": f"10.1/{i}"})
        for i in range(2 * 200 + 37)
    ]
    out = insert_sources(session, rows)
    assert out.inserted == len(rows)
    got = session.exec(select(m.Source).order_by(m.Source.id)).all()
    assert [s.key for s in got] == [r["key"] for r in rows]
    assert [s.id for s in got] == sorted(out.ids.values())
    for src, row in zip(got, rows, strict=True):
        assert (src.title, src.authors, src.year) == (row["title"], row["authors"], row["year"])
        assert src.record == row.get("record", {}) and src.doi == row.get("doi")
    if is_sqlite(session.get_bind()):
        logged = session.connection().exec_driver_sql(
            "SELECT ref FROM passage_fts_log WHERE what = 's' AND op = '+' ORDER BY seq"
        )
        assert [r[0] for r in logged] == [s.id for s in got]


def test_the_multi_row_statement_is_what_sqlalchemy_compiles_for_that_many_rows():
    """The statement of n rows is built from SQLAlchemy's statements of one and two rows;
    it must be exactly what compiling `insert(Source).values(...)` of n rows gives."""
    from sqlalchemy.dialects import sqlite

    from review.ingest import sources as sources_mod

    dialect = sqlite.dialect()
    for n in (1, 2, 3, 7, 200):
        built = sources_mod._compiled_multi_insert(dialect, n)
        assert built == sources_mod._compiled_multi_insert_direct(dialect, n)


def test_the_garbage_collector_is_paused_during_a_load_and_restored(ws, tmp_path):
    import gc

    seen: list[bool] = []

    def load(ctx):
        seen.append(gc.isenabled())
        insert_sources(ctx, [{"title": f"t{len(seen)}", "authors": ["A, B"]}])

    def crash(ctx):
        seen.append(gc.isenabled())
        raise RuntimeError("boom")

    for i, fn in enumerate((load, crash)):
        path = tmp_path / f"{i}.bib"
        path.write_text(f"@article{{x{i}, title={{t}}}}")
        assert gc.isenabled()
        import_file(ws.engine, path, fmt=Format(f"probe{i}", lambda p, d: 100, fn))
        assert gc.isenabled()  # back on after a good load and after a crash
    assert seen == [False, False] and count(ws) == 1
    gc.disable()  # a caller that turned it off keeps it off
    try:
        path = tmp_path / "2.bib"
        path.write_text("@article{x2, title={t}}")
        import_file(ws.engine, path, fmt=Format("probe2", lambda p, d: 100, load))
        assert not gc.isenabled() and count(ws) == 2
    finally:
        gc.enable()


def test_forced_format_and_unknown_format(cli, ws, tmp_path):
    path = tmp_path / "refs.dat"
    path.write_text(RIS)
    res = cli("-w", ws.root, "import", "--format", "nope", path)
    assert res.code == 2 and "unknown format 'nope'" in res.err
    res = cli("-w", ws.root, "import", "--json", "--format", "ris", path)
    assert res.code == 0 and res.json()["files"][0]["format"] == "ris"


def test_terminal_output_is_capped_but_json_lists_every_problem(cli, ws, tmp_path):
    path = tmp_path / "many.bib"
    path.write_text("".join(f"@misc{{m{i}, note = {{no title}}}}\n" for i in range(30)))
    res = cli("-w", ws.root, "import", path)
    assert res.code == 0 and "and 10 more problem(s)" in res.err  # warnings: all 30 kept
    assert (res.out + res.err).count("imported so that nothing is lost") == 20
    again = tmp_path / "again.bib"  # the same bytes would be "already imported"
    again.write_text("% again\n" + path.read_text())
    res = cli("-w", ws.root, "import", "--json", again)
    assert len(res.json()["files"][0]["problems"]) == 30


KILLED_MID_FILE = """
import sys, time
from pathlib import Path
from review.importers import import_file
from review.ingest.pipeline import Format
from review.ingest.sources import insert_sources
from review.store.workspace import Workspace

def load(ctx):
    insert_sources(ctx, [{"title": f"t{i}", "authors": ["A, B"]} for i in range(2000)])
    ctx.session.flush()
    Path(sys.argv[3]).write_text("inserted")  # tell the test we are mid-file
    time.sleep(60)

ws = Workspace.open(sys.argv[1])
import_file(ws.engine, Path(sys.argv[2]), fmt=Format("slow", lambda p, d: 100, load))
"""


@pytest.mark.backends("sqlite")  # the SQLite file itself
def test_a_kill_mid_file_leaves_the_database_as_before(ws, tmp_path):
    import subprocess
    import sys
    import time

    path = tmp_path / "a.ris"
    path.write_text(RIS)
    (report,) = import_paths(ws.engine, [path])
    assert report.imported == 1
    ws.close()  # no connection of ours open while the child writes
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_FILE, str(ws.root), str(path), str(marker)]
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the child never reached the middle of its import"
    finally:
        child.kill()
        child.wait()
    assert count(ws) == 1  # only the earlier file's record; the half-written file is gone
    with session_scope(ws.engine) as s:
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        batches = s.exec(select(m.ImportBatch)).all()
    assert len(batches) == 1  # the killed file left no batch either


def _editorial_ris(db: str, issue: str, page: str) -> str:
    return (
        f"TY  - JOUR\nDB  - {db}\nTI  - Editorial\nAU  - Straub, Detmar W.\nPY  - 2010\n"
        f"T2  - MIS Quarterly\nVL  - 34\nIS  - {issue}\nSP  - {page}\nER  - \n"
    )


def test_the_same_record_from_another_database_is_kept_and_marked_a_duplicate(cli, ws, tmp_path):
    """Issue 14: a second database's copy is a record PRISMA counts, linked as a duplicate;
    an editorial with the same title, editor and year but another issue is not a copy."""
    scopus = tmp_path / "scopus.ris"
    scopus.write_text(
        _editorial_ris("Scopus", "1", "iii") + "\n" + _editorial_ris("Scopus", "2", "v")
    )
    wos = tmp_path / "embase.ris"
    wos.write_text(
        _editorial_ris("Embase", "1", "iii") + "\n" + _editorial_ris("Embase", "3", "vii")
    )
    assert cli("-w", ws.root, "import", scopus).code == 0
    res = cli("-w", ws.root, "import", "--json", wos)
    (rep,) = res.json()["files"]
    assert res.code == 0 and rep["imported"] == 2
    marked = [p for p in rep["problems"] if "marked as its duplicate" in p["message"]]
    assert len(marked) == 1 and "(from Scopus)" in marked[0]["message"]
    srcs = sources_by_key(ws)
    assert len(srcs) == 4
    copies = [s for s in srcs.values() if s.merged_into_id is not None]
    assert [(c.database, c.issue) for c in copies] == [("Embase", "1")]
    survivor = next(s for s in srcs.values() if s.id == copies[0].merged_into_id)
    assert (survivor.database, survivor.issue) == ("Scopus", "1")


THREE_BIB = """@article{k1, title = {Co-production of public services}, author = {Bovaird, Tony},
  year = 2007, journal = {Public Administration Review}}
@article{k2, title = {Co-production of public services}, author = {Bovaird, Tony},
  year = 2007, journal = {Public Administration Review}}
@article{k3, title = {Co-production of public services}, author = {Bovaird, Tony},
  year = 2007, journal = {Public Administration Review}}
@article{k4, title = {Co-production of public services}, author = {Bovaird, Tony},
  year = 2007, journal = {Public Administration Review}, note = {the preprint}}
"""


def test_identical_records_under_their_own_keys_are_marked_at_import(cli, ws, tmp_path):
    """Three entries identical apart from their cite keys: all stored, the second and third
    marked as duplicates of the first (PRISMA: duplicates removed); a fourth with one more
    field is another record, left to `review dedupe`."""
    path = tmp_path / "three.bib"
    path.write_text(THREE_BIB, "utf-8")
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 0, res.err
    (rep,) = res.json()["files"]
    assert rep["imported"] == 4
    marked = [p for p in rep["problems"] if "marked as its duplicate" in p["message"]]
    assert [(p["line"], p["record"]) for p in marked] == [(3, "k2"), (5, "k3")]
    assert "same record as line 1 ('k1')" in marked[0]["message"]
    srcs = sources_by_key(ws)
    assert {k: s.merged_into_id for k, s in srcs.items()} == {
        "k1": None, "k2": srcs["k1"].id, "k3": srcs["k1"].id, "k4": None,
    }  # fmt: skip
    status = cli("-w", ws.root, "status", "--json").json()["counts"]
    assert status["duplicate_links"] == 2
    doc = cli("-w", ws.root, "prisma", "--json").json()
    assert doc["identification"]["records_identified"] == 4
    assert doc["identification"]["duplicates_removed"] == 2
    # the history says the import made these links, and why (not "another database")
    history = cli("-w", ws.root, "dedupe", "--history", "--json").json()["history"]
    assert {h["merged"]: h["reasons"] for h in history} == {
        "k2": ["the same record as an earlier one of its file, apart from its own ID or key"],
        "k3": ["the same record as an earlier one of its file, apart from its own ID or key"],
    }
    lines = cli("-w", ws.root, "--coder", "ann", "dedupe", "--history").out.splitlines()
    assert sum(1 for ln in lines if "  import  " in ln and "merged" in ln) == 2


def test_identical_csv_rows_apart_from_their_id_are_marked_at_import(cli, ws, shared):
    """bib-dedupe's cytology search repeats 204 rows under new IDs (`id_0000002` is
    `id_0000001` again): every row is stored, 204 are marked as duplicates."""
    path = shared / "dedup" / "bibdedupe" / "cytology_screening" / "records_pre_merged.csv"
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 0, res.err
    (rep,) = res.json()["files"]
    assert rep["imported"] == rep["records"] == 1856
    srcs = sources_by_key(ws)
    assert srcs["id_0000002"].merged_into_id == srcs["id_0000001"].id
    assert sum(s.merged_into_id is not None for s in srcs.values()) == 204
    doc = cli("-w", ws.root, "prisma", "--json").json()
    assert doc["identification"]["duplicates_removed"] == 204


def test_an_unclosed_entry_fails_the_file_and_says_where(cli, ws, tmp_path):
    """The only entry never closed: the file failed (it said "partial, 0 of 1"), and the
    error names the entry's line and the brace left open."""
    path = tmp_path / "unclosed.bib"
    path.write_text("@article{x,\n title={Unclosed")
    res = cli("-w", ws.root, "import", path)
    assert res.code == 1
    assert f"{path}: bibtex: failed, 0 of 1 records imported" in res.out
    assert (
        f"{path}:1: error: entry @article{{x (line 1) is not closed before the end of the "
        "file; the { of `title={Unclosed` (line 2) is never closed; not imported"
    ) in res.err
    # nothing landed: the same file, mended, is read again
    assert cli("-w", ws.root, "import", "--json", path).json()["files"][0]["status"] == "failed"


def test_a_broken_brace_mid_file_names_the_entry_the_brace_and_the_next_entry(cli, ws, tmp_path):
    path = tmp_path / "midbroken.bib"
    path.write_text(
        "@article{a,\n title={First},\n year=2000\n}\n"
        "@article{b,\n title={Broken,\n year=2001\n}\n"
        "@article{c,\n title={Third},\n year=2002\n}\n"
    )
    res = cli("-w", ws.root, "import", path)
    assert res.code == 1 and "2 of 3 records imported" in res.out
    assert (
        f"{path}:5: error: entry @article{{b (line 5) is not closed before the next entry "
        "begins on line 9; the { of `title={Broken,` (line 6) is not closed before line 7 "
        "starts another field; not imported"
    ) in res.err
    assert "Was still looking for" not in res.err  # the parser library's own words
    assert sorted(sources_by_key(ws)) == ["a", "c"]


def test_an_archive_of_exports_says_to_unpack_it(cli, ws, testdata, tmp_path):
    """Found walking issue 14: a zip (or .gz) of RIS exports was 'looks like a binary file:
    not a bibliography, transcript or document', as if it held nothing of use."""
    import gzip
    import zipfile

    ris = testdata / "ris" / "rispy_example_full.ris"
    zipped = tmp_path / "exports.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(ris, ris.name)
    packed = tmp_path / "scopus.ris.gz"
    packed.write_bytes(gzip.compress(ris.read_bytes()))
    for path in (zipped, packed):
        res = cli("-w", ws.root, "import", path)
        assert res.code == 1
        assert f"{path}: error: a compressed archive (zip, gzip, 7z or rar): unpack it and " \
            "import its files" in res.err  # fmt: skip
    assert sources_by_key(ws) == {}


def test_a_folder_with_nothing_to_import_says_so(cli, ws, tmp_path):
    """Found walking issue 14: an empty (or mistyped-into) folder gave '0 file(s), 0 record(s)
    imported' and exit 0, so a script went on as if the search were loaded."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "README.md").write_text("Exports go here.\n")
    res = cli("-w", ws.root, "import", "--json", folder)
    assert res.code == 1
    (rep,) = res.json()["files"]
    assert rep["status"] == "failed" and rep["file"] == str(folder)
    assert rep["problems"][0]["message"].startswith("no files to import in this folder")
    (folder / "a.ris").write_bytes(b"TY  - JOUR\nTI  - A title\nER  - \n")
    assert cli("-w", ws.root, "import", folder).code == 0


def test_binary_bytes_are_called_a_binary_file(cli, ws, tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(600)))
    res = cli("-w", ws.root, "import", path)
    assert res.code == 1
    assert f"{path}: failed\n" in res.out  # no "?" for the format it has none of
    assert "looks like a binary file: not a bibliography" in res.err


@pytest.mark.parametrize(
    "name,text",
    [
        ("latin1.bib", "@article{l1,\n title={Café society},\n author={Müller, Jürgen},\n"
                       " year=2001\n}\n"),
        ("latin1.ris", "TY  - JOUR\nTI  - Café society\nAU  - Müller, Jürgen\nPY  - 2001\n"
                       "ER  - \n"),
    ],
)  # fmt: skip
def test_a_latin1_file_imports_with_a_note_on_its_encoding(cli, ws, tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 0, res.out
    (rep,) = res.json()["files"]
    notes = [(p["line"], p["message"]) for p in rep["problems"]
             if "Windows-1252 (Latin-1)" in p["message"]]  # fmt: skip
    assert notes == [(2,  # the line is the problem's, as file:line: warning: … shows it
        "not UTF-8 (first at byte "
        f"{text.encode('latin-1').index(b'Caf') + 3}): read as Windows-1252 (Latin-1); "
        "check its accented letters"
    )]  # fmt: skip
    (src,) = sources_by_key(ws).values()
    assert src.title == "Café society" and src.authors == ["Müller, Jürgen"]


def test_a_made_up_key_that_clashes_takes_its_suffix_without_a_warning(cli, ws, tmp_path):
    """Found walking issue 14: the respiratory search split into three databases' RIS exports
    (no ID tags) gave 355 warnings 'key 'zhou2002study' already used by a different record
    (from MEDLINE); stored as 'zhou2002studya'' for the second file — keys we had made up,
    mostly the same works written another way — and the terminal showed 20 of them and
    '… and 335 more' in place of anything the user could act on."""
    one, two = tmp_path / "medline.ris", tmp_path / "embase.ris"
    one.write_text("TY  - JOUR\nTI  - Rapid pleurodesis\nAU  - Zhou, W.\nPY  - 2002\nER  - \n")
    two.write_text("TY  - JOUR\nTI  - Rapid pleurodesis [Abstract]\nAU  - Zhou, Wei\nPY  - 2002\n"
                   "DB  - Embase\nER  - \n")  # fmt: skip
    cli("-w", ws.root, "import", one)
    res = cli("-w", ws.root, "import", "--json", two)
    (rep,) = res.json()["files"]
    assert res.code == 0 and rep["imported"] == 1 and rep["problems"] == []
    assert sorted(sources_by_key(ws)) == ["zhou2002rapid", "zhou2002rapida"]


@pytest.mark.parametrize(
    ("rel", "records"), [("ris/rispy_example_full.ris", 2), ("bibtex/pybtex_xampl.bib", 36)]
)
def test_old_mac_line_ends_are_read_like_any_others(cli, ws, tmp_path, rel, records):
    """Found walking issue 14: an export with carriage returns alone for line ends (EndNote
    and Excel's 'CSV (Macintosh)' still write them) was 'format not recognised', although
    reading the text already took a lone CR as a line end: only detection missed it."""
    from tests.conftest import data_file

    original = data_file(rel)
    path = tmp_path / original.name
    path.write_bytes(original.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 0, res.out
    (rep,) = res.json()["files"]
    assert (rep["imported"], rep["records"]) == (records, records)
    lines = [p["line"] for p in rep["problems"]]
    ws2 = tmp_path / "again"
    from review.store.workspace import init

    init(ws2)
    (orig,) = cli("-w", ws2, "import", "--json", original).json()["files"]
    assert lines == [p["line"] for p in orig["problems"]]  # the same lines named


# --- a file forced to a format it is not (`--format`) ------------------------------------------

NOTES = "Notes from the steering group.\nNothing bibliographic here, just a reminder.\n"
RIS_ONE = "TY  - JOUR\nTI  - Co-production of safety\nAU  - Bovaird, Tony\nPY  - 2007\nER  - \n"
BIB_ONE = "@article{bovaird2007, title = {Co-production of safety}, author = {Bovaird, Tony},\n" \
    "  year = {2007}}\n"  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "name", "body", "what", "looks"),
    [
        ("bibtex", "notes.txt", NOTES, "BibTeX entry", "transcript-text"),
        ("bibtex", "list.csv", "Title,Authors,Year\nCo-production,Bovaird,2007\n", "BibTeX entry",
         "csv-literature"),
        ("ris", "notes.txt", NOTES, "RIS record", "transcript-text"),
        ("ris", "search.bib", BIB_ONE, "RIS record", "bibtex"),
        ("csv-literature", "search.ris", RIS_ONE, "literature table", "ris"),
        ("csv-literature", "search.bib", BIB_ONE, "literature table", "bibtex"),
    ],
)  # fmt: skip
def test_a_file_forced_to_a_format_it_is_not_says_so_and_imports_nothing(
    cli, ws, tmp_path, fmt, name, body, what, looks
):
    """It was "imported, 0 records" with exit 0 (bibtex) or a bare "no RIS records": now one
    message for every format names the file and the format its content looks like."""
    from tests.import_helpers import run_import

    path = tmp_path / name
    path.write_text(body, "utf-8")
    res, rep = run_import(cli, ws, path, "--format", fmt)
    assert res.code == 1 and rep["status"] == "failed" and rep["imported"] == 0
    (problem,) = rep["problems"]
    assert problem["severity"] == "error"
    assert problem["message"].startswith(f"no {what} found in {name} (")
    assert problem["message"].endswith(f"({looks}): import it without --format")
    with session_scope(ws.engine) as s:
        assert s.exec(select(func.count()).select_from(m.Source)).one() == 0
    res = cli("-w", ws.root, "import", "--format", fmt, path)  # as a reviewer reads it
    assert res.code == 1 and f"error: no {what} found in {name}" in res.err + res.out


@pytest.mark.parametrize(
    "body",
    ["% Encoding: UTF-8\n", '@string{pmr = "Public Management Review"}\n',
     "@Comment{jabref-meta: databaseType:bibtex;}\n"],
)  # fmt: skip
def test_a_bib_file_without_entries_is_a_warning_not_an_error(cli, ws, tmp_path, body):
    from tests.import_helpers import run_import

    path = tmp_path / "empty.bib"
    path.write_text(body, "utf-8")
    res, rep = run_import(cli, ws, path, "--format", "bibtex")
    assert res.code == 0 and rep["status"] == "imported" and rep["records"] == 0
    assert [(p["severity"], p["message"]) for p in rep["problems"]] == [
        ("warning", "no BibTeX entries in this file (only comments or @string)")
    ]
