"""Briefing tables, cell by cell, on the small fixture database; renderers; the CLI."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from review.outputs.brief.docx_note import to_docx
from review.outputs.brief.render import table_csv, to_html, to_markdown
from review.outputs.brief.tables import build
from review.store.db import session_scope
from tests.test_brief_fixture import build as build_fixture

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def brief_ws(ws):
    with session_scope(ws.engine) as s:
        ids = build_fixture(s)
    ws.ids = ids
    return ws


@pytest.fixture
def note(brief_ws):
    with session_scope(brief_ws.engine) as s:
        return build(s)


def table(note, tid):
    return next(t for t in note.tables if t.id == tid)


def as_dict(t):
    return {r[0]: dict(zip(t.columns, r, strict=True)) for r in t.rows}


def test_evidence_matrix_cells(note):
    t = table(note, "evidence-matrix")
    assert t.columns[:3] == [
        "Code",
        "Local environment: literature",
        "Local environment: transcripts",
    ]
    rows = as_dict(t)
    assert list(rows) == [
        "Four Cs/Co-delivery",
        "Four Cs/Co-design",
        "Mode/Collective co-production",
    ]
    d = rows["Four Cs/Co-delivery"]
    # literature: loeffler (overlapping LE code); transcript: two excerpts in one group
    assert d["Local environment: literature"] == "1 / 1"
    assert d["Local environment: transcripts"] == "1 / 2"
    assert d["Public health: literature"] == "–"
    # bovaird has no sector code at all; the excluded article is not counted
    assert d["Unassigned: literature"] == "1 / 1"
    c = rows["Four Cs/Co-design"]
    # the formula excerpt overlaps no sector: it takes its source's main sector — LE and PH
    # are coded once each there, and PH's span is the longer (48 characters against 47)
    assert c["Public health: literature"] == "1 / 2"
    assert c["Local environment: literature"] == "–"
    assert c["Public health: transcripts"] == "1 / 1"
    assert rows["Mode/Collective co-production"]["Local environment: transcripts"] == "1 / 1"


def test_joint_display_values_links_and_quotes(note):
    t = table(note, "joint-display")
    by_sector = {r[1]: dict(zip(t.columns, r, strict=True)) for r in t.rows}
    assert [r[1] for r in t.rows] == ["Community safety", "Local environment", "Public health"]
    le = by_sector["Local environment"]
    assert (le["Value"], le["n"], le["Year"]) == ("61", 4951, "2008")  # a year is a label
    assert le["Source"] == "Loeffler et al. 2008"
    assert le["Linked codes"] == "Four Cs/Co-delivery (supports)"
    assert le["Excerpts"] == 4  # 2 transcript + loeffler + bovaird; excluded article not counted
    quotes = le["Representative quotes"].split("\n")
    assert len(quotes) == 3
    assert quotes[0] == "“We all do a litter pick together every month.” (Focus group East, Anna)"
    assert quotes[1].endswith("(Loeffler et al. 2008)")  # same-sector sources come first
    assert quotes[2] == "“Co-production is a partnership.” (Bovaird 2007)"
    ph = by_sector["Public health"]
    assert ph["Linked codes"] == "Four Cs/Co-design (explains; 1 excerpt)"
    assert ph["Excerpts"] == 1
    assert ph["Representative quotes"] == "“help plan the clinic hours” (Focus group East, Anna)"
    cs = by_sector["Community safety"]
    assert (cs["Value"], cs["Excerpts"], cs["Linked codes"]) == ("45", 0, "")


def test_source_characteristics(note):
    rows = as_dict(table(note, "source-characteristics"))
    # literature first, then transcripts
    assert list(rows) == ["Bovaird 2007", "Loeffler et al. 2008", "Focus group East"]
    lo = rows["Loeffler et al. 2008"]
    assert (lo["Type"], lo["Country"], lo["Method"]) == ("Report", "Europe", "survey")
    assert lo["Sectors"] == "Local environment; Public health"
    assert lo["Codes applied (excerpts)"] == "Co-delivery (1); Co-design (2)"
    assert rows["Focus group East"]["Codes applied (excerpts)"] == (
        "Co-delivery (2); Co-design (1); Collective co-production (1)"
    )


def test_codes_by_attribute(note):
    t = table(note, "codes-by-area")
    assert t.columns == ["Code", "East", "West", "Total"]
    rows = as_dict(t)
    assert rows["Four Cs/Co-delivery"] == {
        "Code": "Four Cs/Co-delivery",
        "East": 1,
        "West": 1,
        "Total": 2,
    }
    assert rows["Four Cs/Co-design"]["East"] == 1 and rows["Four Cs/Co-design"]["West"] == 0


def test_prisma_counts(note):
    rows = {r[1]: r[2] for r in table(note, "prisma").rows}
    assert rows["Records identified: Scopus"] == 2
    assert rows["Records identified: Web of Science"] == 2
    assert rows["Duplicate records removed"] == 1
    assert rows["Records screened"] == 3
    assert rows["Reports excluded: wrong population"] == 1
    # the template's box, as in the figure, before its reasons (it was missing)
    assert rows["Reports excluded"] == 1
    boxes = [r[1] for r in table(note, "prisma").rows]
    assert boxes.index("Reports excluded") + 1 == boxes.index("Reports excluded: wrong population")
    assert rows["Studies included in review"] == 2


def test_references_only_included_literature(note):
    assert len(note.references) == 2
    # APA 7: initials, '&' before the last author, venue and volume italic, DOI as a link
    assert note.references[0] == (
        "Bovaird, T. (2007). Beyond engagement. Public Administration Review, 67(5), "
        "846–860. https://doi.org/10.1111/j.1540-6210.2007.00773.x"
    )
    assert ("Public Administration Review", "i") in note.references[0].runs
    assert ("https://doi.org/10.1111/j.1540-6210.2007.00773.x", "link") in note.references[0].runs
    assert note.references[1] == (
        "Loeffler, E., Parrado, S., & Bovaird, T. (2008). If you want to go fast."
    )


def test_markdown_and_csv_are_deterministic_and_neutralised(brief_ws, note):
    with session_scope(brief_ws.engine) as s:
        again = build(s)
    assert to_markdown(note) == to_markdown(again)
    for a, b in zip(note.tables, again.tables, strict=True):
        assert table_csv(a) == table_csv(b)
    md = to_markdown(note)
    assert "| Citizen co-production index | Local environment |" in md
    assert "<br>" in md  # quotes on separate lines inside one cell
    rows = list(csv.reader(io.StringIO(table_csv(table(note, "joint-display")))))
    assert rows[0][0] == "Indicator" and len(rows) == 4


def test_html_is_one_self_contained_page(note):
    page = to_html(note)
    assert page.startswith("<!DOCTYPE html>") and page.count("<table") == len(note.tables)
    assert "<script" not in page and "http://" not in page.split("</style>")[0]
    # each table labelled by its caption, a paragraph spanning the text's width (a <caption>
    # is as wide as its table: Table 1's wrapped in a narrow column)
    cap = re.search(r'<p class="caption" id="([\w-]+)">Table 1\.', page)
    assert cap and re.search(f'<table[^>]* aria-labelledby="{cap[1]}">', page)
    assert page.count('<p class="caption"') == len(note.tables)
    assert "<caption" not in page


def test_docx_has_real_tables_captions_and_references(note):
    from docx import Document

    data = to_docx(note)
    doc = Document(io.BytesIO(data))
    assert len(doc.tables) == len(note.tables)
    first = doc.tables[0]
    assert first.cell(0, 0).text == "Code"
    # two header rows: the sector spans its literature and transcripts columns
    assert first.cell(0, 1).text == "Local environment" == first.cell(0, 2).text
    assert (first.cell(1, 1).text, first.cell(1, 2).text) == ("Literature", "Transcripts")
    # leaf names under their parent's group row
    assert first.cell(2, 0).text == "Four Cs"
    assert first.cell(3, 0).text == "Co-delivery"
    assert first.cell(3, 1).text == "1 / 1"
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("Table 1.")
    assert any(c.startswith("Figure 1.") for c in captions)
    refs = [p.text for p in doc.paragraphs if p.style.name == "Reference"]
    assert len(refs) == 2
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_cli_brief_writes_every_format_byte_identically(brief_ws, cli, tmp_path):
    out = tmp_path / "out"
    r = cli("-w", brief_ws.root, "brief", "-o", out, "--json")
    assert r.code == 0, r.err
    doc = r.json()
    names = sorted(p.rsplit("/", 1)[-1] for p in doc["files"])
    assert "brief.md" in names and "brief.html" in names and "brief.docx" in names
    assert "brief-evidence-matrix.csv" in names and "brief-prisma.csv" in names
    first = {n: (out / n).read_bytes() for n in names if n.endswith((".md", ".csv"))}
    r2 = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md,csv")
    assert r2.code == 0
    assert {n: (out / n).read_bytes() for n in first} == first


def test_cli_brief_rejects_unknown_format(brief_ws, cli):
    r = cli("-w", brief_ws.root, "brief", "--format", "pdf")
    assert r.code == 2 and "pdf" in r.err and "Traceback" not in r.err


def test_cli_brief_output_that_is_a_file_or_unknown_attribute_is_a_usage_error(
    brief_ws, cli, tmp_path
):
    """QA: `-o FILE` was an internal FileExistsError; `-a typo` silently wrote an empty table 4."""
    afile = tmp_path / "taken.md"
    afile.write_text("x", "utf-8")
    r = cli("-w", brief_ws.root, "brief", "-o", afile, "--format", "md")
    assert r.code == 2 and "is a file" in r.err and "internal error" not in r.err
    out = tmp_path / "b"
    r = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md", "-a", "areaa")
    assert r.code == 2 and "'areaa'" in r.err and "area" in r.err
    assert not out.exists()
    r = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md", "-a", "area")
    assert r.code == 0, r.err


def test_cli_brief_with_exports(brief_ws, cli, tmp_path):
    out = tmp_path / "pack"
    r = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md", "--exports", "--json")
    assert r.code == 0, r.err
    names = sorted(p.rsplit("/", 1)[-1] for p in r.json()["files"])
    names = [n for n in names if not n.startswith("brief-figure-")]
    assert names == ["brief.md", "excerpts.csv", "included.bib", "included.ris", "review.qdpx"]
    assert "@techreport{loeffler2008fast," in (out / "included.bib").read_text("utf-8")


def test_quotes_beside_a_sector_figure_come_from_that_sector(ws):
    """A community-safety figure is not illustrated with a local-environment group's words."""
    from review.store import models as m

    with session_scope(ws.engine) as s:
        sector = m.Code(name="Sector", codable=False)
        cs_root = m.Code(name="Four Cs", codable=False)
        s.add_all([sector, cs_root])
        s.flush()
        safety = m.Code(name="Community safety", parent_id=sector.id)
        env = m.Code(name="Local environment", parent_id=sector.id)
        deliver = m.Code(name="Co-delivery", parent_id=cs_root.id)
        s.add_all([safety, env, deliver])
        s.flush()
        texts = {
            "fg_safety": "We patrol the streets at night. We run the watch rota.",
            "fg_env": "We pick litter in the park every month together.",
        }
        for key, text in texts.items():
            src = m.Source(key=key, kind="transcript", title=key, text=text)
            s.add(src)
            s.flush()
            where = safety if key == "fg_safety" else env
            s.add(m.Coding(source_id=src.id, code_id=where.id, start=0, end=len(text), quote=text))
            s.add(m.Coding(source_id=src.id, code_id=deliver.id, start=0, end=31, quote=text[:31]))
        ind = m.Indicator(name="Co-production index", sector="Community safety", value=45)
        s.add(ind)
        s.flush()
        s.add(m.EvidenceLink(indicator_id=ind.id, code_id=deliver.id, relation="supports"))
    with session_scope(ws.engine) as s:
        t = table(build(s), "joint-display")
    row = dict(zip(t.columns, t.rows[0], strict=True))
    quotes = row["Representative quotes"].split("\n")
    assert quotes == ["“We patrol the streets at night.” (fg_safety)"]
