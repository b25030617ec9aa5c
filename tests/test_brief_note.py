"""The briefing note as a document (issue 13): front matter, at a glance, tables that fit the
page, figures, citations and counts that agree — on the small fixture database."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree
from sqlmodel import col, select

from review.outputs.brief.docx_note import to_docx
from review.outputs.brief.front import front_matter
from review.outputs.brief.render import to_html, to_markdown, write
from review.outputs.brief.tables import build
from review.store import models as m
from review.store.db import session_scope
from tests.test_brief_fixture import T0
from tests.test_brief_fixture import build as build_fixture

pytestmark = pytest.mark.backends("sqlite", "postgres")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture
def brief_ws(ws):
    with session_scope(ws.engine) as s:
        ws.ids = build_fixture(s)
    return ws


def _note(ws, **kw):
    with session_scope(ws.engine) as s:
        return build(s, **kw)


def table(note, tid):
    return next(t for t in note.tables if t.id == tid)


# --- front matter -----------------------------------------------------------------------------


def test_front_matter_from_review_toml_and_options(brief_ws, cli, tmp_path):
    (brief_ws.root / "review.toml").write_text(
        'title = "Co-production in Eastbridge"\nquestion = "What helps?"\n'
        'authors = ["A. Analyst", "B. Reviewer"]\norganisation = "Policy Unit"\n'
        'date = "March 2024"\nversion = "draft 1"\npaper = "letter"\n',
        "utf-8",
    )
    front = front_matter(brief_ws.root)
    assert (front.title, front.paper) == ("Co-production in Eastbridge", "Letter")
    # a name, the date and the version keep together (no-break spaces: "March / 2024" broke
    # across the lines of a printed byline); the organisation may break
    nb = "\u00a0"
    assert front.byline() == (
        f"A.{nb}Analyst and B.{nb}Reviewer · Policy Unit · March{nb}2024 · draft{nb}1"
    )
    out = tmp_path / "o"
    r = cli("-w", brief_ws.root, "brief", "-o", out, "-f", "md,html", "--title", "Override")
    assert r.code == 0, r.err
    md = (out / "brief.md").read_text("utf-8")
    assert md.startswith("# Override\n\n*Review question: What helps?*\n\nA.\u00a0Analyst and B.")
    assert "@page{size:Letter landscape" in (out / "brief.html").read_text("utf-8")


def test_bad_review_toml_is_a_one_line_usage_error(brief_ws, cli, tmp_path):
    (brief_ws.root / "review.toml").write_text('titel = "x"\n', "utf-8")
    r = cli("-w", brief_ws.root, "brief", "-o", tmp_path / "o", "-f", "md")
    assert r.code == 2 and "unknown field 'titel'" in r.err and "Traceback" not in r.err
    (brief_ws.root / "review.toml").write_text('title = "unclosed\n', "utf-8")
    r = cli("-w", brief_ws.root, "brief", "-o", tmp_path / "o", "-f", "md")
    assert r.code == 2 and "review.toml" in r.err


def test_a_review_toml_field_of_the_wrong_type_is_a_usage_error(brief_ws, cli, tmp_path):
    """`[title]` (a table) printed "# {'x': 1}" as the note's title; a number or a TOML date
    still reads as written."""
    for text, err in (("[title]\nx = 1\n", "title must be text, not a table"),
                      ("version = true\n", "version must be text, not bool"),
                      ('question = ["a", "b"]\n', "question must be text, not list")):  # fmt: skip
        (brief_ws.root / "review.toml").write_text(text, "utf-8")
        r = cli("-w", brief_ws.root, "brief", "-o", tmp_path / "o", "-f", "md")
        assert r.code == 2 and err in r.err and "Traceback" not in r.err, r.err
    (brief_ws.root / "review.toml").write_text("version = 3\ndate = 2024-03-01\n", "utf-8")
    assert front_matter(brief_ws.root).byline() == "2024-03-01 · 3"


def test_control_characters_in_the_front_matter_are_left_out(brief_ws, cli, tmp_path):
    """`--title` with a BEL, an escape sequence and a NUL-like control: the DOCX failed with
    an internal error ('All strings must be XML compatible') and the Markdown held them."""
    out = tmp_path / "o"
    title = "Bad\x07 title\x1b[31m red\x01\ttab\nline"
    r = cli("-w", brief_ws.root, "brief", "-o", out, "-f", "md,docx", "--title", title,
            "--author", "A.\x0bAnalyst")  # fmt: skip
    assert r.code == 0, r.err
    md = (out / "brief.md").read_text("utf-8")
    assert md.startswith("# Bad title red tab line\n") and "A.\u00a0Analyst" in md
    xml = zipfile.ZipFile(out / "brief.docx").read("word/document.xml").decode()
    assert "Bad title red tab line" in xml


def test_init_writes_a_commented_project_file_that_reads_back(cli, tmp_path):
    r = cli("init", tmp_path / "new")
    assert r.code == 0, r.err
    text = (tmp_path / "new" / "review.toml").read_text("utf-8")
    assert text.startswith("# review.toml") and "# question =" in text and "# authors =" in text
    assert front_matter(tmp_path / "new").paper == "A4"
    (tmp_path / "new" / "review.toml").write_text('title = "Mine"\n', "utf-8")
    cli("init", tmp_path / "new")  # never overwrites
    assert (tmp_path / "new" / "review.toml").read_text("utf-8") == 'title = "Mine"\n'


def test_at_a_glance_is_written_from_the_data(brief_ws):
    note = _note(brief_ws)
    assert note.glance == (
        "We identified 4 literature records from 2 databases and removed 1 duplicate. "
        "2 studies were included after full-text assessment. "
        "Beside the literature are 1 transcript with 2 participants (moderators not counted). "
        "8 coded excerpts (4 from the literature, 4 from transcripts and documents) were coded "
        "by 1 coder (alice). "
        "3 survey indicators are in the review, 2 of them linked to coded evidence."
    )


# --- counts that agree ----------------------------------------------------------------------


def _second_coder_same_span(ws):
    with session_scope(ws.engine) as s:
        bob = m.Coder(name="bob")
        s.add(bob)
        s.flush()
        c = s.get(m.Coding, ws.ids["c_litter"])
        s.add(m.Coding(source_id=c.source_id, code_id=c.code_id, start=c.start, end=c.end,
                       quote=c.quote, coder_id=bob.id, created=T0))  # fmt: skip


def test_two_coders_on_one_span_are_one_excerpt(brief_ws):
    before = _note(brief_ws)
    _second_coder_same_span(brief_ws)
    after = _note(brief_ws)
    for tid in ("evidence-matrix", "codes-by-area"):
        assert table(after, tid).rows == table(before, tid).rows, tid
    chars_before = {r[0]: r for r in table(before, "source-characteristics").rows}
    chars_after = {r[0]: r for r in table(after, "source-characteristics").rows}
    fg = chars_after["Focus group East"]
    assert fg[:6] == chars_before["Focus group East"][:6]  # same excerpt counts
    assert (chars_before["Focus group East"][6], fg[6]) == ("alice", "alice, bob")  # Coders
    assert table(after, "joint-display").rows[1][8] == 4  # linked excerpts unchanged
    assert "coded by 2 coders (alice and bob)" in after.glance
    assert "8 coded excerpts" in after.glance


def test_two_coders_codings_of_one_span_linked_are_one_excerpt_quoted_once(brief_ws):
    """Linking tester's and bob's codings of one span to an indicator links one excerpt:
    Table 2 counts and quotes it once, as when only one of them is linked."""
    from review.evidence.links import link

    _second_coder_same_span(brief_ws)
    with session_scope(brief_ws.engine) as s:
        first = s.get(m.Coding, brief_ws.ids["c_litter"])
        both = s.exec(
            select(m.Coding).where(
                m.Coding.source_id == first.source_id, m.Coding.code_id == first.code_id,
                m.Coding.start == first.start, m.Coding.end == first.end,
            )
        ).all()  # fmt: skip
        assert len(both) == 2
        ind = s.exec(select(m.Indicator).order_by(col(m.Indicator.id))).first()
        link(s, ind.id, coding_id=both[0].id)
        at = (ind.name, ind.sector or "", ind.area or "")
    one = {r[0:3]: r for r in map(tuple, table(_note(brief_ws), "joint-display").rows)}
    with session_scope(brief_ws.engine) as s:
        link(s, ind.id, coding_id=both[1].id)
    two = {r[0:3]: r for r in map(tuple, table(_note(brief_ws), "joint-display").rows)}
    assert two == one
    row = two[at]
    assert row[9].count(first.quote[:30]) == 1, row[9]


def test_a_group_attribute_counts_under_the_transcripts_group(brief_ws):
    """Anna also spoke in another group: her excerpts here count under this transcript's."""
    with session_scope(brief_ws.engine) as s:
        anna = s.exec(m.Participant.__table__.select().where(m.Participant.name == "Anna"))
        pid = anna.first()[0]
        s.add(m.ParticipantAttribute(participant_id=pid, name="group", value="Focus group West"))
    t = table(_note(brief_ws, attributes=["group"]), "codes-by-group")  # one value: named
    assert t.columns == ["Code", "Focus group East", "Total"]
    assert t.notes == ["Each excerpt counts under the group of the transcript it comes from."]
    assert t.rows[0] == ["Four Cs/Co-delivery", 1, 1]


def test_the_transcript_attribute_counts_under_the_transcripts_citation_label(brief_ws):
    """Found by a new user: "Code frequencies by transcript" had the file keys as columns
    (fg1_community_safety) where every citation in the note names the group and date."""
    from review.ingest.citation import transcript_label

    with session_scope(brief_ws.engine) as s:
        anna = s.exec(m.Participant.__table__.select().where(m.Participant.name == "Anna"))
        pid = anna.first()[0]
        tr = s.exec(select(m.Source).where(m.Source.kind == "transcript")).first()
        s.add(m.ParticipantAttribute(participant_id=pid, name="transcript", value=tr.key))
        want = transcript_label(tr)
    t = table(_note(brief_ws, attributes=["transcript"]), "codes-by-transcript")
    assert t.columns == ["Code", want, "Total"] and want != tr.key
    assert t.notes == ["Each excerpt counts under the transcript it comes from."]
    assert t.caption.endswith("of each code by transcript.")


def test_title_abstract_only_says_so(ws):
    with session_scope(ws.engine) as s:
        coder = m.Coder(name="ann")
        s.add(coder)
        s.flush()
        for key, decision in (("a1", "include"), ("a2", "exclude")):
            src = m.Source(key=key, kind="article", title=key, database="Scopus")
            s.add(src)
            s.flush()
            s.add(m.ScreeningDecision(source_id=src.id, coder_id=coder.id, final=True,
                                      stage="title-abstract", decision=decision))  # fmt: skip
    note = _note(ws)
    rows = {r[1]: r[2] for r in table(note, "prisma").rows}
    assert rows["Studies included in review"] == "not yet assessed"
    assert any("Only title/abstract screening is done" in n for n in table(note, "prisma").notes)
    assert "Only title/abstract screening is done: 1 record passed it" in note.glance
    assert "0 studies" not in to_markdown(note, figures=False)
    assert [r[-1] for r in table(note, "source-characteristics").rows] == ["a1"]  # a2 is out


def test_screening_in_progress_keeps_the_records_awaiting_a_decision(ws):
    """Found by a new user: one reviewer's first two decisions (of two needed) emptied the
    note's literature, reference list and Table 3 and said "0 records passed". A record
    leaves the note only when screening takes it out; until then it stays, and the note says
    screening is in progress."""
    from review.screening.decisions import included_source_ids

    with session_scope(ws.engine) as s:
        ann, bob = m.Coder(name="ann"), m.Coder(name="bob")
        s.add_all([ann, bob])
        src = {}
        for key in ("a1", "a2", "a3"):
            src[key] = m.Source(key=key, kind="article", title=f"Title {key}", year=2020,
                                authors=[f"Author, {key.upper()}"], database="Scopus")  # fmt: skip
            s.add(src[key])
        s.flush()
        ids = {k: v.id for k, v in src.items()}

        def decide(who, key, decision):
            s.add(m.ScreeningDecision(source_id=ids[key], coder_id=who.id,
                                      stage="title-abstract", decision=decision))  # fmt: skip

        decide(ann, "a1", "include")
        decide(ann, "a2", "exclude")
    note = _note(ws)
    assert [r[-1] for r in table(note, "source-characteristics").rows] == ["a1", "a2", "a3"]
    assert len(note.references) == 3
    assert "Title/abstract screening is in progress: 3 records awaiting a decision" in note.glance
    assert "passed" not in note.glance
    assert any("Screening is in progress" in n for n in table(note, "prisma").notes)
    with session_scope(ws.engine) as s:
        decide(bob, "a2", "exclude")  # agreed: a2 is out; a1 still waits for bob
    note = _note(ws)
    assert [r[-1] for r in table(note, "source-characteristics").rows] == ["a1", "a3"]
    assert "1 record decided, 2 records awaiting a decision" in note.glance
    with session_scope(ws.engine) as s:
        decide(bob, "a1", "maybe")  # include + maybe: a conflict, still in
        decide(ann, "a3", "maybe")
        decide(bob, "a3", "maybe")  # an agreed maybe goes on to full text: it passed
        assert included_source_ids(s) == [ids["a1"], ids["a3"]]
        s.add(m.ScreeningDecision(source_id=ids["a1"], coder_id=ann.id, final=True,
                                  stage="title-abstract", decision="include"))  # fmt: skip
    note = _note(ws)
    assert "Only title/abstract screening is done: 2 records passed it" in note.glance
    with session_scope(ws.engine) as s:
        for who in (ann, bob):  # full text: a1 not retrieved, a3 awaits bob
            s.add(m.ScreeningDecision(source_id=ids["a1"], coder_id=who.id, stage="full-text",
                                      decision="not-retrieved"))  # fmt: skip
        decide_ft = m.ScreeningDecision(source_id=ids["a3"], coder_id=ann.id,
                                        stage="full-text", decision="include")  # fmt: skip
        s.add(decide_ft)
        assert included_source_ids(s) == [ids["a3"]]
    note = _note(ws)
    assert ("Screening is in progress: 0 studies included after full-text assessment so far, "
            "1 report at full text awaiting a decision") in note.glance  # fmt: skip


def test_every_cited_work_is_in_the_reference_list(brief_ws):
    """Table 2 cites each indicator's source; screening it out of the literature must not
    leave a citation without its reference."""
    from review.ingest.citation import reference

    with session_scope(brief_ws.engine) as s:
        lit1 = s.get(m.Source, s.get(m.Coding, brief_ws.ids["c_formula"]).source_id)
        coder = s.exec(select(m.Coder)).first()
        s.add(m.ScreeningDecision(source_id=lit1.id, coder_id=coder.id, final=True,
                                  stage="title-abstract", decision="exclude"))  # fmt: skip
        s.flush()
        ref = str(reference(lit1))
        key = lit1.key
    note = _note(brief_ws)
    assert key not in [r[-1] for r in table(note, "source-characteristics").rows]
    assert ref in [str(r) for r in note.references]
    assert len({str(r) for r in note.references}) == len(note.references)  # once


def test_a_code_linked_whole_and_by_an_excerpt_is_listed_once(brief_ws):
    """Found by a new user: "Barriers/Distrust (explains); …; Barriers/Distrust (explains;
    1 excerpt)". An excerpt linked under a code that is linked as a whole adds its relation
    to the code's entry; its count is in the code's already."""
    with session_scope(brief_ws.engine) as s:
        coder = s.exec(select(m.Coder)).first()
        s.add(m.EvidenceLink(indicator_id=brief_ws.ids["ind_Local environment"],
                             coding_id=brief_ws.ids["c_recycle"], relation="explains",
                             coder_id=coder.id))  # fmt: skip
    before = {r[1]: r for r in table(_note(brief_ws), "joint-display").rows}
    row = before["Local environment"]
    assert row[7] == "Four Cs/Co-delivery (explains, supports)"


# --- tables that fit --------------------------------------------------------------------------


def test_matrix_drops_empty_rows_and_columns_unless_all_rows(brief_ws):
    with session_scope(brief_ws.engine) as s:
        s.add(m.Code(name="Co-assessment", parent_id=brief_ws.ids["Four Cs"]))
    t = table(_note(brief_ws), "evidence-matrix")
    assert [r[0] for r in t.rows] == [
        "Four Cs/Co-delivery",
        "Four Cs/Co-design",
        "Mode/Collective co-production",
    ]
    # no transcript excerpt is Unassigned: that column goes, its literature column stays
    assert "Unassigned: transcripts" not in t.columns and "Unassigned: literature" in t.columns
    assert t.groups[-1] == ("Unassigned", 1)
    assert any("1 code with no excerpt is not shown" in n for n in t.notes)
    full = table(_note(brief_ws, all_rows=True), "evidence-matrix")
    assert "Four Cs/Co-assessment" in [r[0] for r in full.rows]
    assert "Unassigned: transcripts" in full.columns


def test_the_documents_hold_no_commands_and_the_cli_prints_them_as_hints(brief_ws, cli, tmp_path):
    """Looked at as a reader gets it: table notes and the summary told the reader to run
    `review brief --all-rows` or `review agreement`. A note to send has no commands in it;
    what an option would change is a hint for the team, printed by `review brief`."""
    with session_scope(brief_ws.engine) as s:
        s.add(m.Code(name="Co-assessment", parent_id=brief_ws.ids["Four Cs"]))
    out = tmp_path / "out"
    res = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md,html,docx")
    assert res.code == 0, res.err
    assert "hint: --all-rows shows the codes with no excerpt" in res.out
    docx = zipfile.ZipFile(out / "brief.docx").read("word/document.xml").decode("utf-8")
    for text in ((out / "brief.md").read_text("utf-8"), (out / "brief.html").read_text("utf-8"),
                 docx):  # fmt: skip
        assert "`review" not in text and "review brief" not in text and "--all-rows" not in text
        assert "1 code with no excerpt is not shown." in text
    doc = cli("-w", brief_ws.root, "brief", "-o", out, "--format", "md", "--json").json()
    matrix = next(t for t in doc["tables"] if t["id"] == "evidence-matrix")
    assert matrix["hints"] == ["--all-rows shows the codes with no excerpt"]


def test_quotes_are_trimmed_at_a_word_boundary(brief_ws):
    words = " ".join(f"word{i}" for i in range(80))
    with session_scope(brief_ws.engine) as s:
        lit2 = s.get(m.Source, brief_ws.ids["lit2"])
        lit2.text = words
        s.add(lit2)
        for c in s.exec(m.Coding.__table__.select().where(m.Coding.source_id == lit2.id)):
            row = s.get(m.Coding, c[0])
            row.start, row.end, row.quote = 0, len(words), words
            s.add(row)
    t = table(_note(brief_ws), "joint-display")
    quotes = t.rows[1][9].split("\n")
    long = next(q for q in quotes if "word0" in q)
    body = long[1 : long.index("…")]
    assert words.startswith(body) and words[len(body)] == " " and len(body) <= 240


def _sections(doc_xml: bytes):
    """(table grid widths, usable page width) of every table, from w:tblGrid and the page
    size and margins of the section the table is in."""
    root = etree.fromstring(doc_xml)
    body = root.find("w:body", NS)
    out, pending = [], []

    def usable(sect):
        pg, mar = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
        return (
            int(pg.get(f"{{{W}}}w")) - int(mar.get(f"{{{W}}}left")) - int(mar.get(f"{{{W}}}right"))
        )

    for child in body:
        if child.tag == f"{{{W}}}tbl":
            grid = [int(g.get(f"{{{W}}}w")) for g in child.find("w:tblGrid", NS)]
            pending.append((child, grid))
        sect = child.find("w:pPr/w:sectPr", NS) if child.tag == f"{{{W}}}p" else None
        if child.tag == f"{{{W}}}sectPr":
            sect = child
        if sect is not None:
            out += [(tbl, grid, usable(sect), sect) for tbl, grid in pending]
            pending = []
    return out


def test_docx_tables_fit_their_page_repeat_headers_and_never_split_rows(brief_ws):
    note = _note(brief_ws)
    data = to_docx(note)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    tables = _sections(xml)
    assert len(tables) == len(note.tables)
    for tbl, grid, usable, _ in tables:
        assert sum(grid) <= usable
        rows = tbl.findall("w:tr", NS)
        assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
        heads = [r for r in rows if r.find("w:trPr/w:tblHeader", NS) is not None]
        assert heads == rows[: len(heads)] and heads
    matrix = tables[0][0]
    # group rows span the table; count cells are shaded
    group = matrix.findall("w:tr", NS)[2]
    assert group.find("w:tc/w:tcPr/w:gridSpan", NS).get(f"{{{W}}}val") == str(len(tables[0][1]))
    assert "".join(group.itertext()) == "Four Cs"
    assert matrix.findall(".//w:shd[@w:fill]", NS)
    # the DOI is a real hyperlink
    rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://doi.org/10.1111/j.1540-6210.2007.00773.x"' in rels
    assert b"<w:hyperlink" in xml
    # figures are in the document as PNG
    media = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media")]
    assert len(media) == len(note.figures) == 4
    # a table with notes keeps its last row with them (every paragraph of that row is
    # keepNext, its alignment kept); one short enough for a page keeps every row so (the
    # form LibreOffice honours too); header rows always; a table without notes is not held
    whole = last_only = 0
    for (tbl, *_), t in zip(tables, note.tables, strict=True):
        rows = tbl.findall("w:tr", NS)
        heads = [r for r in rows if r.find("w:trPr/w:tblHeader", NS) is not None]
        body = rows[len(heads) :]

        def held(r):
            return all(p.find("w:pPr/w:keepNext", NS) is not None for p in r.iter(f"{{{W}}}p"))

        assert all(held(r) for r in heads), t.id
        groups = [r.find("w:tc/w:tcPr/w:gridSpan", NS) is not None for r in body]
        kept = [held(r) for r, group in zip(body, groups, strict=True) if not group]
        assert kept[-1] == bool(t.notes), t.id
        if t.notes and all(kept):
            whole += 1
        elif t.notes:
            assert not any(kept[:-1]), t.id
            last_only += 1
        else:
            assert not any(kept), t.id
        for p in body[-1].iter(f"{{{W}}}p") if t.notes else ():
            # one pPr, keepNext first (the schema's order), the alignment after it
            (props,) = p.findall("w:pPr", NS)
            assert props[0].tag == f"{{{W}}}keepNext"
    assert whole >= 1


def test_a_wide_table_gets_a_landscape_section(brief_ws):
    from docx.enum.section import WD_ORIENT

    from review.outputs.brief.tables import Brief, Table

    cols = ["Code", *(f"Sector {i}: literature" for i in range(8))]
    wide = Table("w", "Wide", "Table 1. x", cols, [["Four Cs/Co-delivery", *["1 / 2"] * 8]],
                 groups=[("", 1), *((f"Sector {i}", 1) for i in range(8))])  # fmt: skip
    narrow = Table("n", "Narrow", "Table 2. x", ["A", "B"], [["a", "b"]])
    data = to_docx(Brief([narrow, wide, narrow], []))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    orient = [s.find("w:pgSz", NS).get(f"{{{W}}}orient") for _, _, _, s in _sections(xml)]
    assert orient[1] == "landscape" and orient[0] != "landscape" and orient[2] != "landscape"
    assert WD_ORIENT.LANDSCAPE  # the enum python-docx writes as orient="landscape"


def test_html_has_inline_svg_figures_print_css_and_links(brief_ws):
    page = to_html(_note(brief_ws))
    assert page.count("<svg") == 4 and "<?xml" not in page and "<script" not in page
    assert "@media print{" in page and "thead{display:table-header-group}" in page
    assert "tr{break-inside:avoid" in page and "@page{size:A4 landscape" in page
    # a group row stays with its first code: printed (Chromium, A4), a page ended on
    # "Barriers" and its codes began the next (found by the brief walk)
    assert "tr.group{break-after:avoid" in page.split("@media print{", 1)[1]
    assert '<a href="https://doi.org/10.1111/j.1540-6210.2007.00773.x">' in page
    assert "<em>Public Administration Review</em>" in page
    assert '<tr class="group"><td colspan=' in page and '<td class="leaf">Co-delivery</td>' in page
    assert re.search(r'<td class="c dark" style="background:#[0-9A-F]{6}">1 / 2</td>', page)


def test_svg_markdown_and_csv_are_byte_identical_over_two_runs(brief_ws, tmp_path):
    first = write(_note(brief_ws), tmp_path / "a", ["md", "csv", "html"])
    second = write(_note(brief_ws), tmp_path / "b", ["md", "csv", "html"])
    names = [p.name for p in first]
    assert names == [p.name for p in second]
    svgs = [n for n in names if n.endswith(".svg")]
    assert len(svgs) == 4
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    svg = (tmp_path / "a" / "brief-figure-prisma-flow.svg").read_bytes()
    assert b"<dc:date>" not in svg
    md = (tmp_path / "a" / "brief.md").read_text("utf-8")
    assert "![Figure 4. PRISMA 2020 flow diagram" in md and "(brief-figure-prisma-flow.svg)" in md
    # figures are numbered in the order the note shows them
    assert [ln[2:10] for ln in md.splitlines() if ln.startswith("![")] == [
        f"Figure {k}" for k in range(1, 5)
    ]


def test_png_figures_are_print_resolution(brief_ws):
    from PIL import Image

    from review.outputs.brief.plots import render

    note = _note(brief_ws)
    png = render(note.figures[-1], "png")  # the PRISMA flow
    im = Image.open(io.BytesIO(png))
    assert im.info["dpi"][0] == pytest.approx(300, abs=1) and im.size[0] == 1950


def test_png_writer_gives_matplotlibs_pixels(brief_ws):
    """The hand-written PNG (unfiltered rows) decodes to exactly the picture matplotlib's own
    Pillow-encoded PNG holds, for every figure of the note; the same figure gives the same
    bytes twice."""
    import matplotlib
    import numpy as np
    from PIL import Image

    from review.outputs.brief import plots

    for fig in _note(brief_ws).figures:
        ours = plots.render(fig, "png")
        assert ours == plots.render(fig, "png")
        with matplotlib.rc_context(plots.RC):
            buf = io.BytesIO()
            plots.DRAW[fig.kind](fig).savefig(buf, format="png", dpi=plots.DPI)
        theirs = np.asarray(Image.open(buf).convert("RGB"))
        im = Image.open(io.BytesIO(ours))
        assert im.mode == "RGB"  # the figures are opaque: no alpha channel stored
        assert np.array_equal(np.asarray(im), theirs), fig.id


def test_png_writer_keeps_transparency_when_there_is_some():
    import numpy as np
    from PIL import Image

    from review.outputs.brief.plots import png_bytes

    rng = np.random.default_rng(7)
    px = rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8)
    im = Image.open(io.BytesIO(png_bytes(px, 150)))
    assert im.mode == "RGBA" and im.size == (7, 5) and np.array_equal(np.asarray(im), px)
    assert im.info["dpi"][0] == pytest.approx(150, abs=1)


# --- citations --------------------------------------------------------------------------------


def test_transcripts_are_cited_by_group_and_date_not_first_line():
    from review.ingest.citation import citation, short_date, transcript_label

    src = m.Source(key="fg1_community_safety", kind="transcript",
                   title="Focus group 1: Co-production in community safety",
                   meta={"group": "Community safety", "date": "14 March 2024"})  # fmt: skip
    assert transcript_label(src) == "Focus group 1, community safety, 14 Mar 2024"
    assert citation(src, "Gary") == "Focus group 1, community safety, 14 Mar 2024, Gary"
    plain = m.Source(key="fg", kind="transcript", title="Focus group East",
                     meta={"group": "Focus group East"})  # fmt: skip
    assert transcript_label(plain) == "Focus group East"
    assert short_date("2024-03-21") == "21 Mar 2024" == short_date("March 21, 2024")
    assert short_date("spring 2024") == "spring 2024"


def test_all_caps_venues_display_in_title_case_and_references_sort_apa():
    from review.ingest.citation import display_venue, references

    assert display_venue("PUBLIC MANAGEMENT REVIEW") == "Public Management Review"
    assert display_venue("JOURNAL OF PUBLIC ADMINISTRATION RESEARCH AND THEORY") == (
        "Journal of Public Administration Research and Theory"
    )
    assert display_venue("Policy & Politics") == "Policy & Politics"
    # Russian function words stay lower-case too
    assert display_venue("БИОРАЗНООБРАЗИЕ И УСТОЙЧИВОЕ РАЗВИТИЕ") == (
        "Биоразнообразие и Устойчивое Развитие"
    )
    assert display_venue("ВЕСТНИК ПО ЭКОЛОГИИ") == "Вестник по Экологии"
    a = m.Source(key="b", title="Zeta", authors=["Bovaird, Tony"], year=2012,
                 venue="PUBLIC MONEY & MANAGEMENT")  # fmt: skip
    b = m.Source(key="a", title="Alpha", authors=["Alford, John"], year=2014)
    c = m.Source(key="c", title="Activating co-production", year=2015)
    refs = references([a, b, c])
    assert [str(r)[:11] for r in refs] == ["Activating ", "Alford, J. ", "Bovaird, T."]
    assert "Public Money & Management." in refs[2] and a.venue == "PUBLIC MONEY & MANAGEMENT"


# --- PRISMA 2020 -----------------------------------------------------------------------------


def test_prisma_not_retrieved_and_differing_reasons(ws, cli):
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        for n in range(5):
            s.add(m.Source(key=f"r{n}", title=f"Record {n}", database="Scopus"))
    a, b = ["--coder", "ann", "screen"], ["--coder", "bob", "screen"]
    for who in (a, b):
        assert cli(*w, *who, "decide", "include", "r0", "r1", "r2", "r3").code == 0
        assert cli(*w, *who, "decide", "exclude", "r4").code == 0
    for who in (a, b):
        assert cli(*w, *who, "decide", "include", "-s", "full-text", "r0").code == 0
        r = cli(*w, *who, "decide", "not-retrieved", "-s", "full-text", "r1")
        assert r.code == 0, r.err
    # two reviewers, two reasons: a conflict, not one reason picked
    cli(*w, *a, "decide", "exclude", "-s", "full-text", "r2", "-r", "wrong population")
    cli(*w, *b, "decide", "exclude", "-s", "full-text", "r2", "-r", "wrong outcome")
    cli(*w, *a, "decide", "exclude", "-s", "full-text", "r3", "-r", "wrong outcome")
    cli(*w, *b, "decide", "exclude", "-s", "full-text", "r3", "-r", "wrong outcome")
    r = cli(*w, *a, "decide", "not-retrieved", "r4")
    assert r.code == 2 and "full-text outcome" in r.err
    doc = cli(*w, "prisma", "--json").json()
    assert doc["eligibility"] == {
        "reports_sought": 4,
        "reports_not_retrieved": 1,
        "reports_assessed": 2,  # r0 included, r3 excluded; r2 is a conflict
        "reports_excluded": 1,
        "excluded_by_reason": {"wrong outcome": 1},
        "awaiting_assessment": 1,
        "conflicts": 1,
    }
    assert all(doc["checks"].values()), doc["checks"]
    assert cli(*w, "screen", "conflicts", "-s", "full-text", "--json").json()["conflicts"] == [
        {"key": "r2", "decisions": {"ann": "exclude", "bob": "exclude"},
         "reasons": {"ann": "wrong population", "bob": "wrong outcome"}}
    ]  # fmt: skip
    text = cli(*w, "prisma").out
    assert "Reports not retrieved: 1" in text and "(awaiting 1: 1 of them conflicts)" in text
    note = _note(ws)
    rows = {r[1]: r[2] for r in table(note, "prisma").rows}
    assert rows["Reports not retrieved"] == 1 and rows["Studies included in review"] == 1
    from review.outputs.brief.figures import prisma_boxes

    boxes = prisma_boxes(doc | {"stage_reached": "full-text"})
    assert boxes["not_retrieved"] == ["Reports not retrieved (n = 1)"]
    assert boxes["reasons"] == ["Reports excluded (n = 1)", "  wrong outcome (n = 1)"]
    assert boxes["identified"] == ["Records identified from:", "  Scopus (n = 5)"]


def test_prisma_studies_and_reports_each_report_one_study(brief_ws, cli):
    """PRISMA 2020 counts studies and reports apart. The workspace links no reports into one
    study (a merge removes a duplicate record of the same report), so each included report is
    one study: the flow says so, both boxes carry the same number, and Table 5 says why."""
    from review.outputs.brief.figures import prisma_boxes
    from review.screening.prisma import STUDIES_ARE_REPORTS

    doc = cli("-w", brief_ws.root, "prisma", "--json").json()
    assert doc["identification"]["duplicates_removed"] == 1  # a merged record is no report
    assert doc["included"] == {"studies": 2, "reports": 2}
    note = _note(brief_ws)
    assert STUDIES_ARE_REPORTS in table(note, "prisma").notes
    flow = next(f for f in note.figures if f.id == "prisma-flow").data["flow"]
    assert prisma_boxes(flow)["included"] == [
        "Studies included in review (n = 2)",
        "Reports of included studies (n = 2)",
    ]
    # a note before full-text assessment has no such line (nothing is included yet)
    with session_scope(brief_ws.engine) as s:
        from sqlmodel import delete

        s.exec(delete(m.ScreeningDecision).where(m.ScreeningDecision.stage == "full-text"))
    assert STUDIES_ARE_REPORTS not in table(_note(brief_ws), "prisma").notes


def test_status_sql_agrees_with_outcomes_on_reason_conflicts(ws, cli):
    from sqlmodel import select

    from review.screening.decisions import outcomes, status_sql

    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        for n in range(3):
            s.add(m.Source(key=f"q{n}", title=f"Q {n}", database="Scopus"))
    cli(*w, "--coder", "ann", "screen", "decide", "exclude", "q0", "-r", "wrong population")
    cli(*w, "--coder", "bob", "screen", "decide", "exclude", "q0", "-r", "wrong outcome")
    cli(*w, "--coder", "ann", "screen", "decide", "exclude", "q1", "-r", "wrong outcome")
    cli(*w, "--coder", "bob", "screen", "decide", "exclude", "q1", "-r", "wrong outcome")
    cli(*w, "--coder", "ann", "screen", "decide", "exclude", "q2")
    cli(*w, "--coder", "bob", "screen", "decide", "exclude", "q2", "-r", "wrong outcome")
    with session_scope(ws.engine) as s:
        sql = dict(s.exec(select(m.Source.key, status_sql(s))).all())
        outs = {k: outcomes(s, "title-abstract")[i].status for k, i in
                s.exec(select(m.Source.key, m.Source.id)).all()}  # fmt: skip
    assert sql == outs == {"q0": "conflict", "q1": "exclude", "q2": "exclude"}


def test_an_empty_workspace_gets_a_plain_summary(ws):
    assert _note(ws).glance == "No literature has been imported yet. Nothing has been coded yet."


def test_at_a_glance_does_not_count_unrecorded_sources_as_a_database(ws):
    """Looked at as a reader: "from 5 databases", one of them "other / not recorded"."""
    from review.outputs.brief.front import at_a_glance
    from review.screening.prisma import UNKNOWN_DATABASE

    counts = {"literature": 0, "transcripts": 0, "documents": 0, "participants": 0,
              "excerpts": 0, "coders": {}}  # fmt: skip

    def glance(by_db: dict) -> str:
        ident = {"records_identified": sum(by_db.values()), "by_database": by_db,
                 "duplicates_removed": 0}  # fmt: skip
        with session_scope(ws.engine) as s:
            return at_a_glance(s, counts, {"identification": ident, "stage_reached": "none"})

    assert glance({"Scopus": 5, "PubMed": 3}).startswith(
        "We identified 8 literature records from 2 databases."
    )
    text = glance({"Scopus": 5, "PubMed": 3, UNKNOWN_DATABASE: 2})
    assert text.startswith(
        "We identified 10 literature records: 8 from 2 databases and 2 from other or "
        "unrecorded sources."
    )
    assert glance({UNKNOWN_DATABASE: 8}).startswith("We identified 8 literature records.")
    # one database beside records of no database: the parts still add up
    assert glance({"Scopus": 1, UNKNOWN_DATABASE: 4}).startswith(
        "We identified 5 literature records: 1 from 1 database and 4 from other or "
        "unrecorded sources."
    )


def test_a_table_with_no_rows_says_what_is_missing_instead_of_an_empty_grid(ws):
    """Looked at as a reader: a literature-only workspace's note printed Table 1 as a lone
    'Code' header (its caption squeezed into it, a word a line) and Table 2 as a header row
    with nothing under it."""
    from review.outputs.brief.tables import Table

    note = _note(ws)
    empty = {t.id: t for t in note.tables if not t.rows}
    assert {"evidence-matrix", "joint-display"} <= set(empty)
    md, page = to_markdown(note, figures=False), to_html(note)
    xml = zipfile.ZipFile(io.BytesIO(to_docx(note))).read("word/document.xml").decode()
    for t in empty.values():
        assert t.empty != Table("x", "x", "x", [], []).empty  # each says what is missing
        assert f"*{t.empty}*" in md and f'<p class="note">{t.empty}</p>' in page
        assert t.empty in xml
    # how the matrix's cells are counted is not said under no cells
    assert not [n for n in empty["evidence-matrix"].notes if "sector" in n]
    # only tables with rows are grids
    assert page.count("<table") == len(note.tables) - len(empty)
    assert xml.count("<w:tbl>") == len(note.tables) - len(empty)


def test_matrix_says_when_the_literature_columns_are_left_out(brief_ws):
    """The caption promises literature and transcript columns; with no literature coded the
    note says why there are none (found by a new user on the sample workspace)."""
    with session_scope(brief_ws.engine) as s:
        lit = [x.id for x in s.exec(select(m.Source).where(m.Source.kind != "transcript"))]
        for c in s.exec(select(m.Coding).where(col(m.Coding.source_id).in_(lit))).all():
            s.delete(c)
    t = table(_note(brief_ws), "evidence-matrix")
    assert t.rows and not any(c.endswith(": literature") for c in t.columns)
    assert "Nothing from the literature is coded yet: its columns are left out." in t.notes
    t = table(_note(brief_ws, all_rows=True), "evidence-matrix")
    assert not any("left out" in n for n in t.notes)


def test_table_3_leaves_out_what_no_source_records(ws):
    """Found by a new user: Country and Method were blank on every row of the sample's
    Table 3. A column no included source fills is left out, and a note says so."""
    with session_scope(ws.engine) as s:
        for key in ("a1", "a2"):
            method = "survey" if key == "a2" else None
            s.add(m.Source(key=key, kind="article", title=f"T {key}", year=2020,
                           authors=["Author, A."], method=method))  # fmt: skip
    t = table(_note(ws), "source-characteristics")
    assert "Country" not in t.columns and "Method" in t.columns
    assert t.notes == ["No included source records its country: that column is left out."]
    assert t.caption.startswith("Table 3. Included sources: citation, type, method, sectors")
    assert all(len(r) == len(t.columns) for r in t.rows)


def test_docx_pictures_keep_clear_of_the_table_above(brief_ws):
    """Found by a new user in LibreOffice: a figure straight after a table drew its white
    top over the table's bottom border. Each picture's paragraph has room above it and a
    single (not exact) line height, and the table before it keeps its borders."""
    from review.outputs.brief.plots import render

    note = _note(brief_ws)
    docx = to_docx(note, {f.id: render(f, "png") for f in note.figures})
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    pictures = [p for p in root.iter(f"{w}p") if p.find(f".//{w}drawing") is not None]
    assert len(pictures) == len(note.figures)
    for p in pictures:
        spacing = p.find(f"{w}pPr/{w}spacing")
        assert spacing is not None and int(spacing.get(f"{w}before")) >= 120
        assert spacing.get(f"{w}lineRule") in (None, "auto")
