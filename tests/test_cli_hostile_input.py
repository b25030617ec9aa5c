"""Hostile input through the real CLI: gaps found by QA against issues 2-4, one test each.

Each of these failed before its fix: a truncated BibTeX entry reported with an empty reason
and library log lines on stderr, a stray NUL byte turning a RIS file into "UTF-16", one
cp1252 byte turning every accent of a UTF-8 file into mojibake, a paragraph over spaCy's
1,000,000-character limit failing the whole file, bad `--db` URLs as "internal error"s, usage
errors over three lines, `--format` typos unnoticed when no file is found, a password shown
by `status --json`, and a renamed PDF imported without a word.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from review.importers import import_file
from review.ingest.pipeline import Format
from review.ingest.textio import decode, looks_binary
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")

BIB = """@article{good1,
  author = {M{\\"u}ller, Hans and Smith, John},
  title = {Co-production in practice},
  year = {2001},
}

@techreport{cut,
  author = {Loeffler, Elke},
  title = {If you want to go fast
"""


def _sources(ws) -> list[m.Source]:
    with session_scope(ws.engine) as s:
        return list(s.exec(select(m.Source).order_by(m.Source.id)).all())


def test_truncated_bibtex_says_why(cli, ws, tmp_path):
    path = tmp_path / "cut.bib"
    path.write_text(BIB)
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 1
    (report,) = res.json()["files"]
    (error,) = [p for p in report["problems"] if p["severity"] == "error"]
    assert error["line"] == 7
    assert "not closed before the end of the file" in error["message"], error
    assert [s.key for s in _sources(ws)] == ["good1"]


def test_library_log_lines_stay_off_stderr(ws, tmp_path):
    """bibtexparser and pypdf log warnings; without a handler Python printed them on stderr."""
    (tmp_path / "cut.bib").write_text(BIB)
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_")}
    run = subprocess.run(
        [sys.executable, "-m", "review", "-w", str(ws.root), "import", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines, run.stderr
    # every stderr line is one of our problem lines (file, line, severity, why)
    assert all(line.startswith(f"  {tmp_path}") for line in lines), run.stderr
    assert "Parsing of" not in run.stderr and "EOF marker" not in run.stderr


def test_a_stray_nul_does_not_make_a_file_utf16(cli, ws, tmp_path):
    ris = (
        b"TY  - JOUR\nTI  - First title\nAU  - Smith, J\nER  - \n"
        b"\x00\x01 junk between records\n"
        b"TY  - JOUR\nTI  - Second title\nAU  - Doe, J\nER  - \n"
    )
    assert decode(ris).encoding == "utf-8"
    assert looks_binary(b"plain text\x00 with one NUL" * 3)
    path = tmp_path / "junk.ris"
    path.write_bytes(ris)
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert report["format"] == "ris" and report["imported"] == 2, report
    assert [s.title for s in _sources(ws)] == ["First title", "Second title"]


def test_utf16_without_bom_is_still_recognised():
    ascii_text = "TY  - JOUR\nTI  - A title\nER  - \n"
    assert decode(ascii_text.encode("utf-16-le")).text == ascii_text
    cyrillic = "Совместное производство услуг и граждане в городе. " * 4
    assert decode(cyrillic.encode("utf-16-be")).text == cyrillic


def test_one_cp1252_byte_does_not_garble_a_utf8_file(cli, ws, tmp_path):
    data = "@article{mix, author={Müller, Hans}, title={Café – co-production}, year={2001}}\n"
    raw = data.encode("utf-8").replace("–".encode(), "–".encode("cp1252"))
    assert decode(raw).text == data
    assert decode("Café “quoted” — text".encode("cp1252")).text == "Café “quoted” — text"
    path = tmp_path / "mixed.bib"
    path.write_bytes(raw)
    assert cli("-w", ws.root, "import", path).code == 0
    (src,) = _sources(ws)
    assert src.title == "Café – co-production" and src.authors == ["Müller, Hans"]


def test_a_paragraph_longer_than_spacys_limit_is_segmented(cli, ws, tmp_path):
    path = tmp_path / "longline.txt"
    body = "Citizens clean the park together. " * 32_000  # 1,088,000 characters, one line
    path.write_text("Moderator: " + body + "\n")
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert res.code == 0 and report["status"] == "imported", report["problems"]
    (src,) = _sources(ws)
    with session_scope(ws.engine) as s:
        passages = s.exec(select(m.Passage).where(m.Passage.source_id == src.id)).all()
    sentences = [p for p in passages if p.kind == "sentence"]
    assert len(sentences) >= 32_000
    assert all(src.text[p.start : p.end].strip() == src.text[p.start : p.end] for p in passages)
    assert src.text[sentences[-1].start : sentences[-1].end] == "Citizens clean the park together."


def test_an_unexpected_error_is_reported_on_one_line(ws, tmp_path):
    path = tmp_path / "x.dat"
    path.write_text("anything")

    def load(ctx):
        raise ValueError("first line\nsecond line\n\n  third")

    report = import_file(ws.engine, path, fmt=Format("boom", lambda p, d: 100, load))
    (problem,) = report.problems
    assert report.status == "failed"
    assert problem.message == (
        "internal error: ValueError: first line second line third"
        " (no log written; run with --debug for details)"
    )


def test_bad_database_urls_are_one_line_errors(cli, tmp_path):
    w = tmp_path / "w"
    assert cli("init", w).code == 0
    cases = [
        ("foo://bar", 2, "unknown database kind"),
        ("not a url", 2, "is not an SQLAlchemy URL"),
        ("mysql+pymysql://u:secret@localhost:1/x", 2, "driver 'pymysql' is not installed"),
        ("sqlite://u:secret@//tmp/x.db", 2, "Invalid SQLite URL"),
        (f"sqlite:///{tmp_path}/no/such/folder/x.db", 1, "cannot open the database"),
    ]
    if importlib.util.find_spec("psycopg") is not None:  # a server that is not there
        cases.append(("postgresql+psycopg://u:secret@127.0.0.1:1/x", 1, "cannot open the database"))
    else:
        cases.append(("postgresql+psycopg://u:secret@localhost:1/x", 2, "driver 'psycopg' is not"))
    for url, code, message in cases:
        res = cli("-w", w, "--db", url, "status")
        assert res.code == code, (url, res.err)
        assert res.err.count("\n") == 1 and message in res.err, (url, res.err)
        assert "internal error" not in res.err and "secret" not in res.err


def test_status_json_hides_the_database_password(cli, tmp_path, monkeypatch):
    import review.store.workspace as workspace_module

    w = tmp_path / "w"
    cli("init", w)
    real = workspace_module.open_engine
    monkeypatch.setattr(
        workspace_module, "open_engine", lambda url: real(f"sqlite:///{w / 'review.db'}")
    )
    res = cli(
        "-w", w, "--db", "postgresql+psycopg://me:secret@db.example/review", "status", "--json"
    )
    assert res.code == 0, res.err
    assert res.json()["database"] == "postgresql+psycopg://me:***@db.example/review"
    assert "secret" not in res.out


def test_usage_errors_are_one_line(cli, ws, tmp_path):
    for args, words in [
        (["status", "--bogus"], "No such option: --bogus"),
        (["no-such-command"], "No such command"),
        (["import"], "Missing argument"),
        (["import", "--format", "nope", tmp_path / "missing.bib"], "unknown format 'nope'"),
    ]:
        res = cli("-w", ws.root, *args)
        assert res.code == 2, (args, res.err)
        assert res.err.startswith("review: error: ") and res.err.count("\n") == 1, res.err
        assert words in res.err and "--help" in res.err


def test_a_renamed_pdf_is_read_as_pdf_and_says_so(cli, ws, tmp_path):
    from tests.transcripts_helpers import make_pdf

    path = tmp_path / "minutes.docx"
    path.write_bytes(make_pdf(["Minutes of the residents' meeting", "Bins and litter."]))
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert report["format"] == "pdf" and report["imported"] == 1
    messages = [p["message"] for p in report["problems"]]
    assert messages == ["named .docx, but it is a PDF: imported as a PDF"]


def test_json_output_is_one_document_for_a_folder_of_bad_files(cli, ws, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.bib").write_bytes(b"")
    (folder / "noise.bin").write_bytes(bytes(range(256)) * 20)
    (folder / "cut.bib").write_text(BIB)
    (folder / "fake.docx").write_bytes(b"%PDF-1.4\n")
    res = cli("-w", ws.root, "import", "--json", folder)
    assert res.code == 1
    doc = res.json()  # the whole of stdout is one JSON document
    assert doc["ok"] is False and len(doc["files"]) == 4
    for report in doc["files"]:
        for problem in report["problems"]:
            assert "\n" not in problem["message"] and problem["message"].strip()
    assert Path(doc["files"][0]["file"]).parent == folder


def test_a_wide_indicator_table_counts_indicators_on_both_sides(cli, ws, testdata):
    """It said "540 of 108 records imported": rows on one side, indicator values on the other."""
    path = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert (report["records"], report["imported"], report["skipped"]) == (540, 540, 0)
    assert report["message"] == "108 table rows, 540 indicator values"


def test_ctrl_c_says_interrupted_and_keeps_the_database_as_before(cli, ws, tmp_path, monkeypatch):
    """Typer turns KeyboardInterrupt into a silent Exit(130): the user saw nothing."""
    import review.ingest.formats.bibtex as bibtex

    def interrupted(ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr(bibtex, "store_records", lambda ctx, *a, **k: interrupted(ctx))
    path = tmp_path / "a.bib"
    path.write_text(BIB)
    res = cli("-w", ws.root, "import", path)
    assert res.code == 130 and res.err == "review: interrupted\n"
    assert _sources(ws) == []


def test_a_header_only_csv_says_it_has_no_records(cli, ws, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Title,Authors,Year,DOI\n\n")
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert report["format"] == "csv-literature" and report["records"] == 0
    assert [p["message"] for p in report["problems"]] == [
        "no records: the file has a header but no rows"
    ]


def test_wos_and_pubmed_records_without_a_title_are_warned_about(cli, ws, tmp_path):
    """BibTeX and RIS said "no title"; Web of Science and PubMed imported such records silently."""
    wos = tmp_path / "savedrecs.txt"
    wos.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Nobody, X\nER\nEF\n")
    nbib = tmp_path / "pubmed.nbib"
    nbib.write_text("PMID- 1\nFAU - Other, One\nDP  - 2010\n")
    res = cli("-w", ws.root, "import", "--json", wos, nbib)
    reports = {Path(f["file"]).name: f for f in res.json()["files"]}
    assert reports["savedrecs.txt"]["format"] == "wos"
    assert reports["pubmed.nbib"]["format"] == "pubmed"
    for name, line in (("savedrecs.txt", 3), ("pubmed.nbib", 1)):
        report = reports[name]
        assert report["imported"] == 1
        assert [(p["line"], p["message"], p["severity"]) for p in report["problems"]] == [
            (line, "no title", "warning")
        ], name


def test_a_caption_block_without_timing_is_an_error_and_strict_rejects_the_file(cli, ws, tmp_path):
    """Its words are dropped, so (as the README says) exit 1; it was a warning and exit 0."""
    path = tmp_path / "meeting.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Hello there.\n\n"
        "no timing here\n<v Ben>These words are lost.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v Ben>Goodbye.\n"
    )
    strict = cli("-w", ws.root, "import", "--strict", "--json", path)
    assert strict.code == 1 and strict.json()["files"][0]["status"] == "rejected"
    assert _sources(ws) == []
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert res.code == 1 and report["status"] == "partial" and report["imported"] == 1
    ((line, message, severity),) = [
        (p["line"], p["message"], p["severity"]) for p in report["problems"]
    ]
    assert (line, severity) == (6, "error") and "not imported" in message
    (src,) = _sources(ws)
    assert "Goodbye." in src.text and "lost" not in src.text


def test_a_truncated_docx_is_called_truncated_not_not_a_zip(cli, ws, tmp_path):
    sample = (
        Path(__file__).resolve().parents[1] / "corpus" / "transcripts" / "fg3_public_health.docx"
    )
    path = tmp_path / "cut.docx"
    path.write_bytes(sample.read_bytes()[:3000])
    res = cli("-w", ws.root, "import", "--json", path)
    (report,) = res.json()["files"]
    assert res.code == 1 and report["status"] == "failed"
    assert [p["message"] for p in report["problems"]] == [
        "not a Word .docx file: the zip archive is truncated or damaged (copy the file again)"
    ]


def test_a_folder_that_is_not_a_workspace_is_refused_and_left_alone(cli, tmp_path, monkeypatch):
    """`review status` run in the wrong folder left a new review.db behind there."""
    stray = tmp_path / "downloads"
    stray.mkdir()
    (stray / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.chdir(stray)
    for args in (["status"], [], ["import", "paper.pdf"]):
        res = cli(*args)
        assert res.code == 2 and "is not a workspace" in res.err and "review init" in res.err
    assert sorted(p.name for p in stray.iterdir()) == ["paper.pdf"]
    other = tmp_path / "other.db"  # an explicit database needs no workspace files
    assert cli("--db", f"sqlite:///{other}", "status", "--json").code == 0 and other.exists()


@pytest.mark.backends("sqlite")  # the SQLite file itself
def test_a_damaged_database_file_is_a_one_line_error(cli, ws, monkeypatch):
    ws.close()
    (ws.root / "review.db").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    res = cli("-w", ws.root, "status")
    assert res.code == 1 and res.err.count("\n") == 1, res.err
    assert "cannot open the database" in res.err and "file is not a database" in res.err


def test_an_internal_error_is_one_line(cli, ws, monkeypatch):
    import review.store.status as service

    def broken(session):
        raise RuntimeError("first line\n(Background on this error at: https://example)")

    monkeypatch.setattr(service, "counts", broken)
    res = cli("-w", ws.root, "status", "--json")
    assert res.code == 1 and res.out == ""
    assert res.err == (
        "review: internal error: RuntimeError: first line (Background on this error at: "
        f"https://example) (details in {ws.root.resolve()}/.review/review.log)\n"
    )


def test_a_moderator_header_line_is_not_taken_for_the_title(cli, ws, tmp_path):
    """The title was "Moderator: Jane Roe": the first header line that looked like a turn."""
    path = tmp_path / "riverside.txt"
    path.write_text(
        "Focus group: Riverside residents\nDate: 12 March 2024\nModerator: Jane Roe\n\n"
        "Moderator: Welcome everyone.\nAlice: I clean the park.\nBob: I report potholes.\n"
    )
    assert cli("-w", ws.root, "import", path).code == 0
    (src,) = _sources(ws)
    assert src.title == "Riverside residents"
    meta = cli("-w", ws.root, "transcripts", "--json").json()["sources"][0]["meta"]
    assert (meta["group"], meta["moderator"]) == ("Riverside residents", "Jane Roe")


def test_csv_cells_longer_than_pythons_default_limit_are_read(cli, ws, tmp_path):
    """A Scopus References column (or a long abstract) over 131,072 characters: the row was
    "unreadable CSV row, not imported: field larger than field limit"."""
    import csv

    before = csv.field_size_limit(131072)  # the default, whatever ran before in this process
    try:
        path = tmp_path / "scopus.csv"
        refs = "; ".join(f"Author {i}, Title {i}, Journal (2001)" for i in range(6000))
        path.write_text(
            f'Title,Authors,Year,References\n"Long one","Smith, J",2010,"{refs}"\n'
            '"Next","Doe, J",2011,none\n'
        )
        res = cli("-w", ws.root, "import", "--json", path)
        (report,) = res.json()["files"]
        assert res.code == 0 and report["imported"] == 2, report["problems"]
        first = _sources(ws)[0]
        assert first.record["References"] == refs
    finally:
        csv.field_size_limit(max(before, csv.field_size_limit()))


def test_docx_bold_speaker_who_speaks_once_and_a_table_cell_ending_in_a_colon(cli, ws, tmp_path):
    """ "Ben" (bold, once) was glued into Ann's turn; a table row "Cat:" | "…" read "Cat:: …"."""
    import docx

    document = docx.Document()
    document.add_paragraph("Focus group: Park users")
    for name, words in [
        ("Moderator", "Welcome to the group."),
        ("Ann", "I pick litter every week."),
        ("Ben", "We planted trees."),
        ("Ann", "And we report fly-tipping."),
    ]:
        paragraph = document.add_paragraph()
        paragraph.add_run(name).bold = True
        paragraph.add_run(" " + words)
    heading = document.add_paragraph()
    heading.add_run("Closing remarks").bold = True  # a bold line with no words after it
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Cat:"
    table.cell(0, 1).text = "A table row turn."
    path = tmp_path / "park.docx"
    document.save(path)
    assert cli("-w", ws.root, "import", path).code == 0
    turns = cli("-w", ws.root, "passages", "park", "--kind", "turn", "--json").json()["passages"]
    assert [(t["speaker"], t["text"]) for t in turns] == [
        ("Moderator", "Welcome to the group."),
        ("Ann", "I pick litter every week."),
        ("Ben", "We planted trees."),
        ("Ann", "And we report fly-tipping.\n\nClosing remarks"),
        ("Cat", "A table row turn."),
    ]


@pytest.mark.backends("sqlite")
def test_a_latin1_terminal_gets_question_marks_not_an_internal_error(cli, ws, tmp_path):
    """A title in Chinese (or `dedupe --history`'s arrow) printed to a Latin-1 terminal was
    "internal error: UnicodeEncodeError"; the characters it lacks now print as "?"."""
    (tmp_path / "a.bib").write_text(
        "@article{wang2019, title = {王 co-production of services}, author = {Wang, Li},"
        " year = {2019}, journal = {Public Administration}}\n",
        encoding="utf-8",
    )
    assert cli("-w", ws.root, "import", tmp_path / "a.bib").code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_")}
    env["PYTHONIOENCODING"] = "latin-1"
    run = subprocess.run(
        [sys.executable, "-m", "review", "-w", str(ws.root), "screen", "list"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert b"? co-production of services" in run.stdout
    assert b"internal error" not in run.stderr
