"""Exports: BibTeX/RIS round trips on the shared files, excerpts in every format, formula
injection, cite keys, included-only selection."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from review.outputs.bibliography import to_bibtex, unique_keys
from review.outputs.excerpts import excerpt_rows, neutralise, to_csv, to_docx, to_xlsx
from review.store import models as m
from review.store.db import session_scope
from review.store.workspace import init
from tests.conftest import data_file
from tests.test_brief_fixture import build as build_fixture

pytestmark = pytest.mark.backends("sqlite", "postgres")

BIB_FILES = [
    "bbt_873_quietly_discarded.bib",
    "biber_crossrefs.bib",
    "pybtex_xampl.bib",
    "bibtexparser_traps.bib",
    "bibtexparser_crossref_entries.bib",
    "bibtexparser_article_with_strings.bib",
    "bibtexparser_comments_spaces_and_declarations.bib",
    "tidy_orcid-russian-citations.bib",
    "tidy_php_string-var-with-special-char.bib",
]


def _records(engine) -> dict[str, tuple]:
    """The live records (`export --all` writes those: bbt's `Clowes:1971` repeats `Clowes:71`
    word for word, so the import marks it as its duplicate)."""
    with session_scope(engine) as s:
        rows = s.exec(select(m.Source).where(m.Source.merged_into_id.is_(None))).all()
    return {r.key: (r.record.get("type"), r.record.get("fields"), r.title, r.year) for r in rows}


@pytest.mark.parametrize("name", BIB_FILES)
def test_bibtex_round_trip_keeps_every_field(name, ws, cli, tmp_path):
    r = cli("-w", ws.root, "import", data_file(f"bibtex/{name}"))
    assert r.code in (0, 1)
    before = _records(ws.engine)
    assert before, f"nothing imported from {name}"
    out = tmp_path / "out.bib"
    r = cli("-w", ws.root, "export", "bibtex", "--all", "-o", out, "--json")
    assert r.code == 0, r.err
    assert r.json()["sources"] == len(before)
    other, _ = init(tmp_path / "other")
    r = cli("-w", other.root, "import", out, "--json")
    assert r.code == 0, r.out
    after = _records(other.engine)
    other.close()
    assert after == before  # same keys, entry types, raw fields, and evaluated title/year


def test_cite_keys_are_safe_and_unique():
    a = m.Source(id=1, key="Smith 2020, x")
    b = m.Source(id=2, key="smith_2020_x")
    c = m.Source(id=3, key="{}")
    keys = unique_keys([a, b, c])
    assert keys[1] == "Smith_2020_x" and keys[2] == "smith_2020_xa" and keys[3] == "ref"
    assert len({k.lower() for k in keys.values()}) == 3


def test_bibtex_from_columns_for_non_bibtex_sources(session):
    s = m.Source(key="bovaird2007", kind="article", title="Beyond {engagement}",
                 authors=["Bovaird, Tony"], year=2007, venue="PAR", volume="67",
                 pages="846--860", doi="10.1/x")  # fmt: skip
    session.add(s)
    session.flush()
    text = to_bibtex([s])
    assert text.startswith("@article{bovaird2007,")
    assert "author = {Bovaird, Tony}" in text and "journal = {PAR}" in text
    assert "title = {Beyond {engagement}}" in text and "doi = {10.1/x}" in text


def test_bibtex_export_defaults_to_included_sources(ws, cli, tmp_path):
    with session_scope(ws.engine) as s:
        build_fixture(s)
    out = tmp_path / "inc.bib"
    r = cli("-w", ws.root, "export", "bibtex", "-o", out, "--json")
    assert r.code == 0 and r.json()["sources"] == 2
    text = out.read_text("utf-8")
    assert "@techreport{loeffler2008fast," in text and "@article{bovaird2007beyond," in text
    assert "excluded2010" not in text and "fg-east" not in text
    r = cli("-w", ws.root, "export", "bibtex", "--key", "nope", "-o", out)
    assert r.code == 1 and "nope" in r.err


def test_ris_round_trip_keeps_tags(ws, cli, testdata, tmp_path):
    src = testdata / "ris" / "jabref_RisImporterTestScopus.ris"
    assert cli("-w", ws.root, "import", src).code == 0
    out = tmp_path / "out.ris"
    assert cli("-w", ws.root, "export", "ris", "--all", "-o", out).code == 0
    other, _ = init(tmp_path / "other")
    assert cli("-w", other.root, "import", out).code == 0

    def tags(engine):
        with session_scope(engine) as s:
            return [(r.title, r.doi, r.record) for r in s.exec(select(m.Source)).all()]

    a, b = tags(ws.engine), tags(other.engine)
    other.close()
    assert len(a) == len(b) == 1
    assert a[0][:2] == b[0][:2]
    assert {k: v for k, v in b[0][2].items() if k != "ID"} == {
        k: v for k, v in a[0][2].items() if k != "ID"
    }


def test_ris_from_columns(ws, cli, tmp_path):
    with session_scope(ws.engine) as s:
        build_fixture(s)
    out = tmp_path / "x.ris"
    assert cli("-w", ws.root, "export", "ris", "-o", out).code == 0
    text = out.read_text("utf-8")
    assert text.count("TY  - ") == 2 and "TY  - RPRT" in text and "SP  - 846" in text
    # no rispy '1.' counter lines: every record starts with TY
    assert text.startswith("TY  - ") and not any(
        ln.rstrip(".").isdigit() for ln in text.split("\n") if ln
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        (5, 5),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_excerpt_rows_and_formats(ws, cli, tmp_path):
    with session_scope(ws.engine) as s:
        build_fixture(s)
        rows = excerpt_rows(s)
        only = excerpt_rows(s, code="Four Cs", source_key="fg-east")
    assert len(rows) == 14
    litter = next(r for r in rows if r["quote"].startswith("We all do a litter"))
    assert (litter["citation"], litter["speaker"], litter["coder"]) == (
        "Focus group East, Anna", "Anna", "alice")  # fmt: skip
    assert sorted({r["code"] for r in only}) == ["Four Cs/Co-delivery", "Four Cs/Co-design"]
    plan = next(r for r in rows if r["memo"])
    assert plan["memo"] == "+ a memo"
    # CSV neutralises formulas in quotes and memos
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    evil = next(r for r in parsed if "HYPERLINK" in r["quote"])
    assert evil["quote"].startswith("'=HYPERLINK")
    assert next(r for r in parsed if r["memo"])["memo"] == "'+ a memo"
    # XLSX too: the cell holds text, not a formula
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(rows)))
    cells = [c.value for row in wb.active.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil") is a formula.' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    # every format through the CLI
    for fmt in ("csv", "json", "md", "docx", "xlsx"):
        out = tmp_path / f"ex.{fmt}"
        r = cli("-w", ws.root, "export", "excerpts", "-o", out, "--json")
        assert r.code == 0, r.err
        assert r.json()["excerpts"] == 14 and out.stat().st_size > 0
    doc = json.loads((tmp_path / "ex.json").read_text("utf-8"))
    assert doc["excerpts"][0]["code"] == "Four Cs/Co-delivery"
    md = (tmp_path / "ex.md").read_text("utf-8")
    assert "## Four Cs/Co-design" in md and "> — Focus group East, Anna" in md
    from docx import Document

    d = Document(str(tmp_path / "ex.docx"))
    assert any(p.text == "We all do a litter pick together every month." for p in d.paragraphs)


def test_export_usage_errors(ws, cli):
    r = cli("-w", ws.root, "export", "pdf")
    assert r.code == 2 and "bibtex, ris, excerpts or qdpx" not in r.out
    r = cli("-w", ws.root, "export", "excerpts", "--format", "odt")
    assert r.code == 2 and "--format" in r.err


def test_export_into_a_folder_or_an_unwritable_place(ws, cli, tmp_path):
    """QA: `-o FOLDER` was an internal IsADirectoryError; now the usual name in that folder."""
    with session_scope(ws.engine) as s:
        build_fixture(s)
    for what, name in (("bibtex", "included.bib"), ("excerpts", "excerpts.csv")):
        r = cli("-w", ws.root, "export", what, "-o", tmp_path, "--json")
        assert r.code == 0, r.err
        assert r.json()["output"] == str(tmp_path / name) and (tmp_path / name).stat().st_size
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    r = cli("-w", ws.root, "export", "ris", "-o", blocker / "x.ris")
    assert r.code == 1 and "cannot write" in r.err and "internal error" not in r.err


def test_excerpt_docx_keeps_quote_with_citation_and_xlsx_is_readable(ws, cli, tmp_path):
    """Rendering showed citations floating between quotes and a 13-wide quote column."""
    from docx import Document
    from openpyxl import load_workbook

    with session_scope(ws.engine) as s:
        build_fixture(s)
        rows = excerpt_rows(s)
    d = Document(io.BytesIO(to_docx(rows)))
    paras = d.paragraphs
    i = next(
        k for k, p in enumerate(paras) if p.text == "We all do a litter pick together every month."
    )
    assert paras[i].paragraph_format.keep_with_next is True
    assert paras[i].paragraph_format.space_after == 0
    assert paras[i + 1].text.startswith("— Focus group East, Anna")
    memo = next(k for k, p in enumerate(paras) if p.text.startswith("Memo ("))
    assert paras[memo - 1].paragraph_format.keep_with_next is True  # citation stays with memo
    ws_ = load_workbook(io.BytesIO(to_xlsx(rows))).active
    assert ws_.freeze_panes == "A2"
    assert ws_.column_dimensions["E"].width >= 60  # the quote column
    out = tmp_path / "ex.csv"
    assert cli("-w", ws.root, "export", "excerpts", "-o", out).code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcode,source,")  # BOM for Excel


def test_qdpx_of_a_new_workspace_carries_its_codebook(ws, cli, tmp_path, sample_codes):
    """QA: exported before any coding command had loaded codebook/*.toml, the project had
    no codes at all."""
    out = tmp_path / "new.qdpx"
    r = cli("-w", ws.root, "export", "qdpx", "-o", out, "--json")
    assert r.code == 0, r.err
    assert r.json()["codes"] == sample_codes > 0
