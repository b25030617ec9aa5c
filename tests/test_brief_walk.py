"""What a walk through the briefing note with real files (../shared/testdata, the vendored
copies in tests/data/vendor) tripped on: each test fails without its fix."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from review.outputs.brief.docx_note import MARGIN_CM, PAPER_CM, to_docx
from review.outputs.brief.plots import render
from review.outputs.brief.tables import build
from review.store.db import session_scope
from tests.test_brief_fixture import build as build_fixture

EMU_PER_CM = 360_000
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def _fixture(ws):
    with session_scope(ws.engine) as s:
        build_fixture(s)
    return ws


def _note(ws, **kw):
    with session_scope(ws.engine) as s:
        return build(s, **kw)


def _extents(docx: bytes) -> list[tuple[int, int]]:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return [(int(e.get("cx")), int(e.get("cy"))) for e in root.iter(f"{WP}extent")]


def test_a_540_value_survey_table_gives_an_indicator_figure_that_fits_a_page(ws, cli, testdata):
    """The UK civil-service survey (108 questions × 5 years) made Figure 3 a picture 6 m tall:
    a 17 MB PNG in a 17 MB DOCX, cut off (LibreOffice drew nothing) and a 1,600-line text
    chart on the Brief screen. Now the figure draws the indicators linked to evidence and its
    caption says what it left out. Table 2 listed every value beside empty cells (60 pages
    of the DOCX): now it lists those with evidence and says how many it left out, and
    `--all-rows` (`a` on the Brief screen) lists them all."""
    from review.outputs.brief import hints as hint

    _fixture(ws)
    csv = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    assert cli("-w", ws.root, "indicators", "import", csv).code == 0
    note = _note(ws)
    joint = next(t for t in note.tables if t.id == "joint-display")
    # the fixture links two of its three 2008 indicators (a code and an excerpt)
    assert [r[0] for r in joint.rows] == ["Citizen co-production index"] * 2
    assert "541 of the 543 indicators have no evidence linked: not listed." in joint.notes
    assert joint.hints == [hint.ALL_INDICATORS]
    fig = next(f for f in note.figures if f.kind == "indicators")
    assert len(fig.data["labels"]) == 2
    assert all(lab.startswith("Citizen co-production index") for lab in fig.data["labels"])
    assert fig.data["excerpts"] == [4, 1]
    assert len(render(fig, "png")) < 500_000
    everything = _note(ws, all_rows=True)
    joint = next(t for t in everything.tables if t.id == "joint-display")
    assert len(joint.rows) == 3 + 540 and not joint.hints
    assert not any("not listed" in n for n in joint.notes)
    fig = next(f for f in everything.figures if f.kind == "indicators")
    assert fig.data["excerpts"] == [4, 1]
    assert "Only the indicators linked to evidence are shown: 2 of the 543 in Table 2." in (
        fig.caption
    )


def test_no_indicator_linked_the_figure_shows_the_first_rows_and_says_so(ws, cli, testdata):
    """With none of 540 indicators linked, Table 2 says so rather than list 540 empty rows,
    and draws no indicator figure; with `--all-rows` it lists them and the figure shows the
    first 16, saying so."""
    csv = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    assert cli("-w", ws.root, "indicators", "import", csv).code == 0
    note = _note(ws)
    joint = next(t for t in note.tables if t.id == "joint-display")
    assert joint.rows == [] and joint.empty == (
        "None of the 540 survey indicators has evidence linked yet."
    )
    assert not any(f.kind == "indicators" for f in note.figures)
    fig = next(f for f in _note(ws, all_rows=True).figures if f.kind == "indicators")
    assert len(fig.data["labels"]) == 16
    assert fig.data["labels"][0].startswith("B01. I am interested in my work")
    assert "Only the first 16 of the 540 indicators in Table 2 are shown; none is linked" in (
        fig.caption
    )


def test_a_docx_figure_is_never_taller_than_its_page(ws):
    """Any figure (a long codebook's bars, say) is placed narrower rather than taller than
    the page's text height: Word and LibreOffice cut a taller picture off at the foot."""
    _fixture(ws)
    note = _note(ws)
    fig = next(f for f in note.figures if f.kind == "bars")
    n = 60
    fig.data = {
        "labels": [f"Group/Code number {k}" for k in range(n)],
        "series": ["Literature", "Transcripts"],
        "values": [[k % 3, k % 5] for k in range(n)],
    }
    pngs = {f.id: render(f, "png") for f in note.figures}
    room = (PAPER_CM["A4"][1] - 2 * MARGIN_CM) * EMU_PER_CM
    extents = _extents(to_docx(note, pngs))
    assert len(extents) == len(note.figures)
    assert all(cy <= room for _, cy in extents), extents
    # the tall one keeps its proportions, only smaller; the others keep their width
    widths = sorted(cx for cx, _ in extents)
    assert widths[0] < 10 * EMU_PER_CM and widths[-1] == int(16.5 * EMU_PER_CM)


def test_references_name_the_publisher_of_a_ris_book_chapter_or_report(ws, cli, shared):
    """A Zotero RIS export (QualCoder's example) gave 'Vogel, D. (1988). Fluctuating
    Fortunes: …' with no publisher: only BibTeX records had theirs added. RIS keeps it in
    `PB`; APA 7 names it for books, chapters and reports, not for journal articles (the
    BibTeX path added a journal article's publisher too)."""
    ris = shared / "ris" / "qualcoder_bibliography_zotero.ris"
    assert cli("-w", ws.root, "import", ris).code == 0
    refs = _note(ws).references
    book = next(r for r in refs if r.startswith("Vogel, D. (1988)."))
    assert book.endswith("Fluctuating Fortunes: The Political Power of Business in America. "
                         "Basic Books.")  # fmt: skip
    # APA 7's forms: a book's title in italics; a chapter "In" its editors' book, with pages
    assert ("Fluctuating Fortunes: The Political Power of Business in America.", "i") in (book.runs)
    chapter = next(r for r in refs if r.startswith("Bronfenbrenner, K. (2003)."))
    assert "(pp. 32–50). Continuum. http://socserv2" in chapter
    assert chapter.startswith(
        "Bronfenbrenner, K. (2003). The American labour movement and the resurgence in union "
        "organizing. In P. Fairbrother & C. Yates (Eds.), Trade Union Renewal and Organizing: "
        "A Comparative Study of Trade Union Movements in Five Countries (pp. 32–50). Continuum."
    )
    assert ("Trade Union Renewal and Organizing: A Comparative Study of Trade Union Movements "
            "in Five Countries", "i") in chapter.runs  # fmt: skip
    article = next(r for r in refs if r.startswith("Western, B., & Rosenfeld, J. (2011)."))
    assert article.endswith("76(4), 513–537. https://doi.org/10.1177/0003122411414817")


def test_a_journal_articles_publisher_is_not_in_its_reference(ws, cli, testdata):
    """APA 7 gives a journal article's journal, not its publisher: the BibTeX path wrote
    'Paleontological Journal, 43(9), 1097–1100. SP MAIK Nauka/Interperiodica.'"""
    bib = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    ris = testdata / "ris" / "rispy_example_full.ris"  # both articles carry PB Fun Factory
    assert cli("-w", ws.root, "import", bib, ris).code == 0
    refs = _note(ws).references
    assert len(refs) == 9
    articles = [r for r in refs if "Paleontological Journal" in r or "Lorem" in r]
    assert len(articles) == 4
    assert not any("Interperiodica" in r or "Fun Factory" in r for r in articles)
    assert any(r.endswith("In Экология водных беспозвоночных (pp. 210–211). Принтхаус.")
               for r in refs)  # fmt: skip


def test_works_cited_alike_get_year_letters_everywhere_the_note_cites_them(ws, cli, testdata):
    """Two 2012 conference papers by Назаренко (a real ORCID export) were both 'Назаренко
    2012' in Table 3 and in the reference list: a reader could not tell which was which.
    APA 7 adds a, b to the year, in the reference list's order (by title), and the
    citations in the tables use the same letters."""
    from sqlmodel import select

    from review.store import models as m

    bib = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    assert cli("-w", ws.root, "import", bib).code == 0
    with session_scope(ws.engine) as s:
        src = s.exec(
            select(m.Source).where(m.Source.key == "назаренко2012долгоносикообразные")
        ).one()
        s.add(m.Indicator(name="Species recorded", year=2012, value=218, source_id=src.id))
    note = _note(ws)
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    cited = {r[-1]: r[0] for r in t3.rows}
    assert cited["назаренко2012долгоносикообразные2"] == "Назаренко 2012a"  # "ОСТРОВА ДИКОГО"
    assert cited["назаренко2012долгоносикообразные"] == "Назаренко 2012b"  # "ПРИБРЕЖНЫХ …"
    assert cited["назаренко2010водные"] == "Назаренко 2010"  # no other 2010 work: no letter
    joint = next(t for t in note.tables if t.id == "joint-display")
    assert joint.rows[0][joint.columns.index("Source")] == "Назаренко 2012b"
    refs = [r for r in note.references if r.startswith("Назаренко, В. Ю. (2012")]
    assert [r[:25] for r in refs] == ["Назаренко, В. Ю. (2012a).", "Назаренко, В. Ю. (2012b)."]
    assert "ОСТРОВА ДИКОГО" in refs[0] and "ПРИБРЕЖНЫХ" in refs[1]


def test_year_letters_for_undated_works_and_past_z():
    from review.ingest.citation import author_year, dated, year_suffixes
    from review.store import models as m

    assert dated(None, "a") == "n.d.-a" and dated(2012, "") == "2012" and dated(None) == "n.d."
    assert author_year(["Cassia, F"], None, suffix="b") == "Cassia n.d.-b"
    works = [m.Source(id=k, key=f"k{k}", kind="article", title=f"T{k:02}", authors=["Doe, J"],
                      year=2020) for k in range(1, 29)]  # fmt: skip
    letters = year_suffixes(works)
    assert [letters[k] for k in (1, 26, 27, 28)] == ["a", "z", "aa", "ab"]


def test_at_a_glance_of_a_workspace_with_only_transcripts(ws, cli, testdata):
    """Transcripts and no literature read "No literature has been imported yet. Beside the
    literature are 2 transcripts …", and one excerpt "were coded"."""
    tr = testdata / "transcripts"
    assert cli("-w", ws.root, "import", tr / "webvttpy_teams_timeframe.vtt",
               tr / "vttjs_spec-example.vtt").code == 0  # fmt: skip
    r = cli("-w", ws.root, "--coder", "ann", "code", "apply", "webvttpy_teams_timeframe",
            "Drivers/Trust", "--span", "68:90")  # fmt: skip
    assert r.code == 0, r.err
    glance = _note(ws).glance
    assert "Beside the literature" not in glance
    assert glance.startswith("No literature has been imported yet. The review holds 2 "
                             "transcripts with ")  # fmt: skip
    assert (
        "1 coded excerpt (0 from the literature, 1 from transcripts and documents) was "
        "coded by 1 coder (ann)." in glance
    )


def test_long_survey_questions_are_cut_in_the_middle_in_the_indicator_figure(ws, cli, testdata):
    """The CSPS question E02 is 260 characters: wrapped whole, seven lines at 7 pt, each
    label ran over its neighbours' in Figure 3. Its name is cut in the middle (the questions
    differ at the end: "…: Age", "…: Disability") to two lines of the label."""
    from sqlmodel import col, select

    from review.store import models as m

    _fixture(ws)
    csv = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    assert cli("-w", ws.root, "indicators", "import", csv).code == 0
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.name == "Co-design")).one()
        e02 = s.exec(
            select(m.Indicator)
            .where(col(m.Indicator.name).startswith("E02."), m.Indicator.year == 2013)
            .order_by(col(m.Indicator.id))
        ).all()[:3]
        assert len(e02) == 3 and all(len(i.name) > 200 for i in e02)
        ends = sorted(i.name.rsplit(" ", 1)[-1] + " · 2013" for i in e02)  # "Age", …
        for ind in e02:
            s.add(m.EvidenceLink(indicator_id=ind.id, code_id=code.id, relation="supports"))
    fig = next(f for f in _note(ws).figures if f.kind == "indicators")
    long = [lab for lab in fig.data["labels"] if lab.startswith("E02.")]
    assert len(long) == 3 and len(set(long)) == 3  # still told apart
    assert all(len(lab) <= 72 + len(" · 2013") for lab in long), long
    assert sorted(lab.rsplit(" ", 3)[-3:][0] + " · 2013" for lab in long) == ends
    assert any(lab.endswith("100%): Age · 2013") for lab in long)
    assert all(lab.startswith("E02. On which of the following grounds have") for lab in long)


def test_the_text_chart_wraps_indicator_names_to_the_terminal():
    """At 80x24 the Brief screen's Figure 3 cut five 'E02. On which … · 2009 … 2013' names at
    the pane's edge, so they read alike; the screen passes its width and the names wrap."""
    from review.outputs.brief.figures import Figure, text_chart

    name = "E02. On which of the following grounds have you… to more than 100%): Age"
    fig = Figure("i", "I", "", "indicators", {
        "labels": [f"{name} · {y}" for y in (2009, 2010)], "values": [15.0, 12.0],
        "value_text": ["15%", "12%"], "excerpts": [1, 1]})  # fmt: skip
    chart = text_chart(fig, 20, across=40).splitlines()
    assert all(len(line) <= 40 for line in chart), chart
    assert sum("Age · 2009" in line for line in chart) == 1
    assert sum("Age · 2010" in line for line in chart) == 1
    assert text_chart(fig, 20).splitlines()[0] == f"{name} · 2009"  # unwrapped without it


def test_a_bibtex_publisher_is_not_repeated_after_its_venue_nor_left_in_tex(ws, cli, testdata):
    """A real BibTeX library (Better BibTeX, 988 entries): 'Building Problem Solvers. MIT
    Press. MIT\\~Press.' and a report's institution twice, the second with the file's line
    break as a run of spaces. A book's or report's venue is its publisher or institution
    already; TeX's tie is a space."""
    bib = testdata / "bibtex" / "bbt_873_quietly_discarded.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)  # (a few records are reported)
    refs = _note(ws).references
    forbus = next(r for r in refs if r.startswith("Forbus, K. D., & deKleer, J. (1993)."))
    assert forbus.endswith("Building Problem Solvers. MIT Press.")
    ocl = next(r for r in refs if r.startswith("McCluskey, T. L., Jarvis, P., & Kitchin"))
    assert ocl.count("Huddersfield") == 1 and "  " not in ocl
    assert not [r for r in refs if "~" in r.split(" http")[0]]  # (a URL's ~ is its own)


def test_table_5_has_every_box_of_the_flow_diagram(ws):
    """Figure 4 showed "Reports of included studies (n = 2)", Table 5 had no such row: a
    reader checking the table against the figure found a box missing."""
    from review.outputs.brief.figures import prisma_boxes

    _fixture(ws)
    note = _note(ws)
    rows = {r[1]: r[2] for r in next(t for t in note.tables if t.id == "prisma").rows}
    flow = next(f for f in note.figures if f.id == "prisma-flow").data["flow"]
    boxes = prisma_boxes(flow)["included"]
    assert boxes == ["Studies included in review (n = 2)", "Reports of included studies (n = 2)"]
    assert rows["Studies included in review"] == 2 and rows["Reports of included studies"] == 2


def test_table_5_lists_the_databases_in_the_flow_diagrams_order(ws, cli, testdata, shared):
    """Figure 4 (and `review prisma`) listed "other / not recorded (n = 12)" first, by count;
    Table 5 sorted the names, putting it last after "Google Scholar" and "Scopus"."""
    from review.outputs.brief.figures import prisma_boxes

    assert cli("-w", ws.root, "import", testdata / "ris" / "jabref_RisImporterTestScopus.ris",
               shared / "ris" / "qualcoder_bibliography_zotero.ris").code == 0  # fmt: skip
    note = _note(ws)
    table_order = [r[1].removeprefix("Records identified: ")
                   for r in next(t for t in note.tables if t.id == "prisma").rows
                   if r[1].startswith("Records identified: ")]  # fmt: skip
    flow = next(f for f in note.figures if f.id == "prisma-flow").data["flow"]
    figure_order = [x.strip().rsplit(" (n = ", 1)[0] for x in prisma_boxes(flow)["identified"][1:]]
    assert table_order == figure_order
    assert table_order[0] == "other / not recorded"  # 2 of the 4 records


def test_run_together_initials_of_web_of_science_and_scholar_exports(ws, cli, testdata):
    """The ORCID/Scholar BibTeX writes 'Legalov, AA', 'Назаренко, ВЮ' and Web of Science
    'Parkes-Loach, PS': the reference list read 'Legalov, A.', 'Назаренко, В. (2007)' beside
    'Назаренко, В. Ю. (2010)' for the same man — one initial where there are two."""
    from review.ingest.citation import apa_author

    bib = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    assert cli("-w", ws.root, "import", bib).code == 0
    refs = _note(ws).references
    assert any(r.startswith("Nazarenko, V. Y., Legalov, A. A., & Perkovsky, E. E. (2011).")
               for r in refs)  # fmt: skip
    assert any(r.startswith("Назаренко, В. Ю. (2007).") for r in refs)
    assert any(r.startswith("Пучков, А. В., Маркина, Т. Ю., Назаренко, В. Ю.,") for r in refs)
    assert apa_author("Parkes-Loach, PS") == "Parkes-Loach, P. S."
    # a given name stays one initial; an all-capitals record may spell a name in capitals
    assert apa_author("Lee, Al") == "Lee, A." and apa_author("SMITH, ANN") == "SMITH, A."


def test_the_reference_list_and_table_3_sort_accented_names_among_their_letters(ws, cli, testdata):
    """pybtex's xampl.bib: 'Térrific, T.' came after 'The Programming of Computer Art.' and
    'Ünderwood, U.' after 'whole-journal.' (after every ASCII name), by code point; a reader
    looks for them under T and U. Cyrillic names still follow the Latin ones."""
    bib = testdata / "bibtex" / "pybtex_xampl.bib"
    ru = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    assert cli("-w", ws.root, "import", bib, ru).code in (0, 1)
    note = _note(ws)
    refs = [str(r) for r in note.references]

    def at(prefix: str) -> int:
        return next(k for k, r in enumerate(refs) if r.startswith(prefix))

    assert at("Terrific, T.") < at("Térrific, T.") < at("The Definitive Computer Manual.")
    # the whole journal issue (no title, no author: "whole-journal." its cite key before) is
    # APA's bracketed description, sorted by it
    assert at("The Programming of Computer Art.") < at("Ünderwood, U.") < at("[Untitled article]")
    assert at("[Untitled article]") < at("Назаренко")
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    cited = [str(r[0]) for r in t3.rows]
    assert cited.index("Térrific 1988") == cited.index("Terrific 1988") + 1
    assert cited.index("Ünderwood et al. 1988") < cited.index("[Untitled article] 1986")


def test_a_venue_ending_in_a_full_stop_takes_no_second_one(ws, cli, shared):
    """biber's crossrefs.bib: a chapter in 'Misc etc.' read 'In Misc etc..' (its editor,
    in a capitalised `EDITOR` field, is named since 2026-12-03)."""
    bib = shared / "bibtex" / "biber_crossrefs.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    refs = [str(r) for r in _note(ws).references]
    various = next(r for r in refs if r.startswith("Various, V. (1911)."))
    assert various.endswith("In E. Editor (Ed.), Misc etc.")
    assert not [r for r in refs if ".." in r.replace("…", "")]


def test_a_column_filled_in_a_few_rows_still_gets_room_for_them(ws, cli, testdata):
    """The sample review beside the 540-value civil-service survey: Table 2's quotes column
    was sized by its mean over every row, empty ones included, so the three quoted rows got
    16 letters a line and grew most of a landscape page tall each (a row that cannot split:
    a page each). Its weight is now the geometric mean of its mean over every row and over
    the cells with text: the 540 names keep the room that keeps the table short."""
    from pathlib import Path

    from review.outputs.brief.docx_note import CHAR_TWIPS, PAD_TWIPS, layout

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    csv = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    assert cli("-w", ws.root, "import", corpus, csv).code == 0
    # (every indicator listed, `--all-rows`: by default Table 2 lists the three with evidence)
    joint = next(t for t in _note(ws, all_rows=True).tables if t.id == "joint-display")
    quotes = joint.columns.index("Representative quotes")
    usable = int((PAPER_CM["A4"][1] - 2 * MARGIN_CM) * 567)  # landscape, in twips
    widths = layout(joint, usable).widths

    def lines(row: list[object], j: int) -> int:
        per_line = (widths[j] - PAD_TWIPS) // CHAR_TWIPS
        return sum(-(-len(part) // per_line) for part in str(row[j]).split("\n"))

    quoted = [r for r in joint.rows if r[quotes]]
    assert len(quoted) == 3 and len(joint.rows) == 543
    # the tallest quoted row: 34 lines of a landscape page's 45 or so before, 27 now
    assert max(lines(r, quotes) for r in quoted) <= 30, widths
    # and the indicator names of the 540 rows still get the widest share but one
    assert sorted(widths)[-2] <= widths[0]


def test_table_2_says_its_excerpts_are_counted_by_link_not_by_sector(ws, cli):
    """The sample review: the community-safety index stood beside '11' excerpts while Table 1
    showed 3 + 2 of its linked codes under community safety — Table 2 counts each linked
    code's excerpts of every sector, and nothing said so."""
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert cli("-w", ws.root, "import", corpus).code == 0
    note = _note(ws)
    joint = next(t for t in note.tables if t.id == "joint-display")
    safety = next(r for r in joint.rows if r[1] == "Community safety")
    matrix = next(t for t in note.tables if t.id == "evidence-matrix")
    col = matrix.columns.index("Community safety: transcripts")
    linked = ("Barriers/Distrust", "Barriers/Professional resistance")
    in_sector = sum(int(str(r[col]).split(" / ")[1]) for r in matrix.rows if r[0] in linked)
    assert (safety[8], in_sector) == (11, 5)
    assert len(joint.notes) == 1 and "whatever its sector" in joint.notes[0]
    # a table of indicators with no sector (or no code linked) needs no such note
    assert cli("-w", ws.root, "indicators", "unlink", "1").code == 0
    for link in range(2, 10):
        cli("-w", ws.root, "indicators", "unlink", str(link))
    assert next(t for t in _note(ws).tables if t.id == "joint-display").notes == []


def test_a_tables_notes_stay_together_in_the_docx(ws, cli):
    """The sample's Table 4.6 ended a page with its first note; the second ('Not tabulated
    …') began the next page, apart from the table it is about."""
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert cli("-w", ws.root, "import", corpus).code == 0
    note = _note(ws)
    two = [t for t in note.tables if len(t.notes) >= 2]
    assert two
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(to_docx(note))).read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paras = {"".join(p.itertext()): p for p in root.iter(f"{w}p")}
    for t in two:
        *first, last = t.notes
        assert all(paras[n].find(f"{w}pPr/{w}keepNext") is not None for n in first), t.id
        assert paras[last].find(f"{w}pPr/{w}keepNext") is None  # (the last goes with the text)


def test_table_5_of_an_empty_workspace_starts_with_the_records_identified(ws):
    """Before any literature Table 5 began at 'Duplicate records removed': the diagram's
    first box, 'Records identified (n = 0)', had no row."""
    from review.outputs.brief.figures import prisma_boxes

    note = _note(ws)
    rows = next(t for t in note.tables if t.id == "prisma").rows
    assert rows[0] == ["Identification", "Records identified", 0]
    assert rows[1][1] == "Duplicate records removed"
    flow = next(f for f in note.figures if f.id == "prisma-flow").data["flow"]
    assert prisma_boxes(flow)["identified"][-1].endswith("(n = 0)")  # the figure says 0 too


CORPORATE_BIB = r"""
@techreport{oecd2011,
  author = {{Organisation for Economic Co-operation and Development}},
  title = {Together for Better Public Services},
  institution = {OECD Publishing}, year = {2011}, doi = {10.1787/9789264118843-en}
}
@misc{nesta,
  author = {{Nesta} and {Local Government Association}},
  title = {People Powered Health: Co-production Catalogue}
}
@article{wang2020,
  author = {王, 小明 and 李, 华},
  title = {公民参与公共服务共同生产的实证研究}, journal = {公共管理学报}, year = {2020}
}
"""


def test_corporate_and_east_asian_authors_are_cited_as_written(ws, cli, tmp_path):
    """A walk with awkward literature: BibTeX's braced `{Local Government Association}` and
    `{Organisation for Economic Co-operation and Development}` were cited 'Nesta &
    Association' and 'Development 2011' (Table 3 sorted them under A and D), listed as
    'Association, L. G.' and 'Organisation … Development (2011).' without the author
    element's full stop; Chinese names were listed '王, 小., & 李, 华.' — initials of
    Han characters."""
    bib = tmp_path / "awkward.bib"
    bib.write_text(CORPORATE_BIB, "utf-8")
    assert cli("-w", ws.root, "import", bib).code == 0
    note = _note(ws)
    refs = [str(r) for r in note.references]
    assert "Nesta, & Local Government Association. (n.d.). People Powered Health" in refs[0]
    assert refs[1].startswith("Organisation for Economic Co-operation and Development. (2011).")
    assert refs[2].startswith("王小明, & 李华. (2020).")
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    assert [r[0] for r in t3.rows] == [
        "Nesta & Local Government Association n.d.",
        "Organisation for Economic Co-operation and Development 2011",
        "王 & 李 2020",
    ]


def test_a_chapter_without_a_book_title_is_not_in_its_publisher(ws, cli, testdata):
    """pybtex's xampl.bib: an @inbook with no book title read 'Fundamental Algorithms. In
    Addison-Wesley.', and a chapter's `type` (the unit its `chapter` number counts:
    'Section', 'Part') was listed as if it were a publisher: '(pp. 10–119). Section,
    Addison-Wesley.'"""
    bib = testdata / "bibtex" / "pybtex_xampl.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    refs = [str(r) for r in _note(ws).references]
    assert "Knuth, D. E. (1973c). Fundamental Algorithms. Addison-Wesley." in refs
    assert not [r for r in refs if "In Addison-Wesley" in r]
    assert not [r for r in refs if "Section" in r or "Part," in r]


def test_table_2_leaves_out_the_columns_no_indicator_fills(ws, cli, testdata):
    """The UK civil-service survey has no sector, area, n or source: Table 2 showed four
    empty columns, which pushed the quotes out of view in a 1,200-pixel browser window (a
    scroll box) and narrowed them in print. Left out with a note, as Table 3 does; the
    indicator figure still draws the values and years."""
    csv = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    assert cli("-w", ws.root, "indicators", "import", csv).code == 0
    note = _note(ws, all_rows=True)
    joint = next(t for t in note.tables if t.id == "joint-display")
    assert joint.columns == ["Indicator", "Year", "Value", "Linked codes", "Excerpts",
                             "Representative quotes"]  # fmt: skip
    assert all(len(r) == len(joint.columns) for r in joint.rows)
    assert joint.notes[-1] == (
        "No indicator listed records its sector, area, n and source: those columns are left out."
    )
    fig = next(f for f in note.figures if f.kind == "indicators")
    assert fig.data["labels"][0].endswith(" · 2009") and fig.data["value_text"][0]


def test_table_3_lists_the_literature_in_the_reference_lists_order(ws, cli, testdata):
    """Table 3 sorted by the citation's text, the reference list by APA's order: 'Ünderwood
    et al. 1988' came before 'n.d.' in Table 3 and after it in the references, 'Nazarenko &
    Perkovsky 2009' before 'Nazarenko et al. 2011' (whose second author, Legalov, puts it
    first in the references)."""
    bib = testdata / "bibtex" / "pybtex_xampl.bib"
    ru = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    assert cli("-w", ws.root, "import", bib, ru).code in (0, 1)
    note = _note(ws)
    refs = [str(r) for r in note.references]
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    cited = [str(r[0]) for r in t3.rows]

    def ref(prefix: str) -> int:
        return next(k for k, r in enumerate(refs) if r.startswith(prefix))

    assert ref("Ünderwood, U., Ñet, N., & P̄ot, P. (n.d.)") < ref(
        "Ünderwood, U., Ñet, N., & P̄ot, P. (1988)"
    )
    assert cited.index("Ünderwood et al. n.d.") < cited.index("Ünderwood et al. 1988")
    assert ref("Nazarenko, V. Y., Legalov") < ref("Nazarenko, V. Y., & Perkovsky")
    assert cited.index("Nazarenko et al. 2011") < cited.index("Nazarenko & Perkovsky 2009")


def test_a_group_named_by_its_number_is_cited_as_a_group():
    """`Focus group: 7, participatory budgeting` cited its quotes "(7, participatory
    budgeting, 12 Mar 2024, Aisling)": a bare number where the reader expects 'Group 7'. A
    title's own number ('Focus group 2') still leads, and a year is no group number."""
    from review.ingest.citation import transcript_label_of

    meta = {"group": "7, participatory budgeting", "date": "2024-03-12"}
    assert transcript_label_of("fg7", None, meta) == "Group 7, participatory budgeting, 12 Mar 2024"
    assert transcript_label_of("fg2", "Focus group 2", {"group": "2"}) == "Focus group 2"
    assert transcript_label_of("s", None, {"group": "2024 follow-up"}) == "2024 follow-up"


def test_a_work_with_no_title_is_named_by_apas_bracketed_description(ws, cli, shared):
    """biber's crossref test file has books with neither title nor authors (`al1`: a date
    and a crossref to an alias): the reference list read "al1. (1911)." and Table 3 "al1
    1911", the cite key where APA 7 puts a description of the work in square brackets,
    "[Untitled book]. (1911).", cited "[Untitled book] 1911"; an author's untitled
    misc "Crust, X. (n.d.). xc1." is "Crust, X. (n.d.). [Untitled work]."."""
    bib = shared / "bibtex" / "biber_crossrefs.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    note = _note(ws)
    refs = [str(r) for r in note.references]
    assert "Crust, X. (n.d.-a). [Untitled work]." in refs  # (xc2 is n.d.-b)
    untitled = [r for r in refs if r.startswith("[Untitled book]. (")]
    # al1, al2, circ1-3 (1911: letters in the reference list's order) and b2 (2004)
    assert untitled[:2] == ["[Untitled book]. (1911a).", "[Untitled book]. (1911b)."]
    assert "[Untitled book]. (2004)." in untitled
    assert not [r for r in refs if r.startswith(("al1", "b2", "circ", "sup"))]
    # the description is no title: not italic, as a book's title is
    b2 = next(r for r in note.references if str(r) == "[Untitled book]. (2004).")
    assert ("[Untitled book].", "") in b2.runs
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    cited = {r[-1]: r[0] for r in t3.rows}
    assert cited["b2"] == "[Untitled book] 2004" and cited["xc1"] == "Crust n.d.-a"
    assert cited["al1"].startswith("[Untitled book] 1911")


def test_a_chapters_book_lends_it_editors_and_publisher_through_crossref(ws, cli, shared, tmp_path):
    """biber's crossref file writes its fields in capitals (`EDITOR`, `PUBLISHER`) and gives
    a chapter its book by `CROSSREF`: the reference read "Gullam, G. (1974). Great and Good
    Graphs. In Graphs of the Continent." — the editors and publisher were looked up by
    lower-case name in the chapter's own fields only. BibTeX names are case-insensitive and a
    crossref child inherits what it lacks: "In E. Erbriss (Ed.), Graphs of the Continent.
    Grimble." The export still writes the entry as the file had it."""
    bib = shared / "bibtex" / "biber_crossrefs.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    refs = [str(r) for r in _note(ws).references]
    assert ("Gullam, G. (1974). Great and Good Graphs. In E. Erbriss (Ed.), Graphs of the "
            "Continent. Grimble.") in refs  # fmt: skip
    assert ("Author, F. (2010). Title of Book bit. In Book Title (pp. 123–126). Publisher of "
            "proceeding.") in refs  # fmt: skip
    # a book's own capitalised PUBLISHER (no crossref); its editor is marked so
    assert "Prendergast, P. (Ed.). (1970). Calligraphy, Calisthenics, Culture. Mainstream." in refs
    out = tmp_path / "all.bib"
    assert cli("-w", ws.root, "export", "bibtex", "--all", "-o", out).code == 0
    entry = out.read_text(encoding="utf-8").split("{cr1,", 1)[1].split("\n}", 1)[0]
    assert "Grimble" not in entry and "inherited" not in entry and "crossref" in entry.lower()


def test_transcripts_without_groups_get_one_table_4_not_two_alike(ws, cli, testdata, shared):
    """QualCoder's transcript and the WebVTT spec example have no `Focus group:` header:
    each is its own group, and Tables 4.1 (by group) and 4.2 (by transcript) were the same
    table twice. The table by transcript stays, saying why there is none by group; named
    with `--attribute group`, the group table is written."""
    tr = shared / "transcripts" / "qualcoder_transcript.txt"
    vtt = testdata / "transcripts" / "vttjs_spec-example.vtt"
    assert cli("-w", ws.root, "import", tr, vtt).code == 0
    for src, code, span in (("qualcoder_transcript", "Barriers/Lack of time", "352:410"),
                            ("qualcoder_transcript", "Drivers/Trust", "741:799"),
                            ("vttjs_spec-example", "Drivers/Trust", "250:344")):  # fmt: skip
        assert cli("-w", ws.root, "code", "apply", src, code, "--span", span).code == 0
    note = _note(ws)
    t4 = [t for t in note.tables if t.id.startswith("codes-by-")]
    assert [t.id for t in t4] == ["codes-by-transcript"]
    assert t4[0].caption.startswith("Table 4.1. ")
    assert t4[0].columns == ["Code", "qualcoder_transcript", "vttjs_spec-example", "Total"]
    assert ("Each transcript is a group of its own: a table by group would repeat this one."
            in t4[0].notes)  # fmt: skip
    named = _note(ws, attributes=["group"])
    assert [t.id for t in named.tables if t.id.startswith("codes-by-")] == ["codes-by-group"]


def test_a_paper_in_proceedings_is_cited_in_its_book(ws, cli, testdata, shared):
    """APA 7 cites a paper in proceedings published as a book like a chapter: the ORCID
    export's @inproceedings read "… г. Киева. Экология водных беспозвоночных, 210–211.
    Принтхаус." (the book title in a journal's place, the pages after a comma); now "In
    Экология водных беспозвоночных (pp. 210–211). Принтхаус.", with the editors of the
    proceedings it crossrefs when it has any; the proceedings volume itself is a book."""
    ru = testdata / "bibtex" / "tidy_orcid-russian-citations.bib"
    bib = shared / "bibtex" / "biber_crossrefs.bib"
    assert cli("-w", ws.root, "import", ru, bib).code in (0, 1)
    note = _note(ws)
    refs = [str(r) for r in note.references]
    paper = next(r for r in note.references if r.startswith("Назаренко, В. Ю. (2010)."))
    assert str(paper).endswith("г. Киева. In Экология водных беспозвоночных (pp. 210–211). "
                               "Принтхаус.")  # fmt: skip
    assert ("Экология водных беспозвоночных", "i") in paper.runs
    # its pages are an open range, "123--": APA's one page, not "(pp. 123–)"
    assert ("Author, F. (2009a). Title of inproceeding. In Editor (Ed.), Manual booktitle "
            "(p. 123). Publisher of proceeding.") in refs  # fmt: skip
    assert "Author, S. (2009b). Title of proceeding. Publisher of proceeding." in refs


def test_an_edited_book_lists_its_editors_as_editors(ws, cli, shared):
    """A BibTeX book with editors and no author (biber's `cr_m`: `EDITOR = {Edgar Erbriss}`)
    takes its editors as authors, and the reference read "Erbriss, E. (1974). Graphs of the
    Continent. Grimble." as if he had written it; APA 7 marks them "(Ed.)"/"(Eds.)". A
    book with an author and an editor (cr6i) is listed under its author, unmarked."""
    bib = shared / "bibtex" / "biber_crossrefs.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    note = _note(ws)
    refs = [str(r) for r in note.references]
    assert "Erbriss, E. (Ed.). (1974). Graphs of the Continent. Grimble." in refs
    assert "Author, S. (2009b). Title of proceeding. Publisher of proceeding." in refs
    assert not [r for r in refs if r.startswith("Gullam") and "(Ed.). (" in r]
    t3 = next(t for t in note.tables if t.id == "source-characteristics")
    assert "Erbriss 1974" in [r[0] for r in t3.rows]  # cited by name, as APA does


def test_a_whole_proceedings_volume_is_listed_as_a_book(ws, cli, testdata):
    """pybtex's xampl.bib `whole-proceedings`: the volume its papers are "In" — listed as
    a book by its editors, its title in italics, not "In" its series."""
    bib = testdata / "bibtex" / "pybtex_xampl.bib"
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    refs = _note(ws).references
    whole = next(r for r in refs if r.startswith("Oz, W. V., & Yannakakis, M. (Eds.). (1983)."))
    assert str(whole).endswith("Proc. Fifteenth Annual Symposium on the Theory of Computing. "
                               "ACM, Academic Press.")  # fmt: skip
    assert ("Proc. Fifteenth Annual Symposium on the Theory of Computing.", "i") in whole.runs
    papers = [str(r) for r in refs if r.startswith("Oaho, A. V.")]
    paper = ("In W. V. Oz & M. Yannakakis (Eds.), Proc. Fifteenth Annual ACM Symposium on the "
             "Theory of Computing (pp. 133–139). ACM, Academic Press.")  # fmt: skip
    assert any(paper in r for r in papers)


def test_a_short_table_is_printed_whole_from_the_html(ws):
    """Printed from the browser, the 9-row Table 4 of a walk with two real transcripts left
    its last group and two rows alone at the top of the next page. A short table of short
    rows now moves to the next page whole (`break-inside: avoid`, as the DOCX keeps one of
    about 40 lines); a long one, or one of long quotes, still breaks between rows."""
    from review.outputs.brief.render import KEEP_ROWS, to_html
    from review.outputs.brief.tables import Brief, Table

    short = Table("t", "T", "Table 1. Short.", ["Code", "N"], [["a", 1]] * KEEP_ROWS)
    long = Table("u", "U", "Table 2. Long.", ["Code", "N"], [["a", 1]] * (KEEP_ROWS + 1))
    quotes = Table("v", "V", "Table 3. Quotes.", ["Code", "Quote"], [["a", "word " * 40]])
    page = to_html(Brief([short, long, quotes], []))
    assert page.count('<table class="keep" ') == 1
    assert page.count("<table aria-") == 1 and '<table class="wide" ' in page
    # the caption stays with its table on the printed page
    assert "p.caption{break-after:avoid" in page.split("@media print", 1)[1].replace("h1,h2,", "")
    assert "table.keep{break-inside:avoid" in page.split("@media print", 1)[1]


def _walk_files(ws, cli, testdata, shared, tmp_path, coded: tuple[str, ...] = ()):
    """The walk's four files (the ORCID export's Cyrillic keys, biber's crossrefs, Zotero's
    RIS, QualCoder's transcript); `coded`: cite keys given a PDF's full text and coded with
    four codes, as a reviewer who read them would."""
    from tests.transcripts_helpers import make_pdf

    files = [testdata / "bibtex" / "tidy_orcid-russian-citations.bib",
             shared / "bibtex" / "biber_crossrefs.bib",
             shared / "ris" / "qualcoder_bibliography_zotero.ris",
             shared / "transcripts" / "qualcoder_transcript.txt"]  # fmt: skip
    assert cli("-w", ws.root, "import", *files).code in (0, 1)
    for key in coded:
        pdf = tmp_path / f"{key}.pdf"
        pdf.write_bytes(make_pdf([f"Residents helped design the clinic hours ({len(key)})."]))
        assert cli("-w", ws.root, "import", pdf).code == 0
        for code in ("Co-design", "Public health", "Social care", "Trust"):
            assert cli("-w", ws.root, "code", "apply", key, code, "--span", "0:20").code == 0


def test_table_3_names_each_type_in_words(ws, cli, testdata, shared, tmp_path):
    """Table 3's Type column showed the stored kinds ("conference", "misc", "chapter"); a
    policy analyst reads "Conference paper", "Other", "Book chapter" — in Markdown, HTML,
    DOCX, the CSV and the Brief screen alike, since they all show the table's rows."""
    from review.ingest.literature.kinds import KIND_NAMES, PROCEEDINGS_NAME

    _walk_files(ws, cli, testdata, shared, tmp_path)
    t3 = next(t for t in _note(ws).tables if t.id == "source-characteristics")
    kind = t3.columns.index("Type")
    types = {str(r[-1]): str(r[kind]) for r in t3.rows}
    assert types["cr3"] == "Book chapter"  # @INBOOK
    assert types["cr6"] == "Conference paper"  # @INPROCEEDINGS
    assert types["cr6i"] == "Conference proceedings"  # @PROCEEDINGS: the whole volume
    assert types["xc1"] == "Other"  # @MISC
    assert types["cr_m"] == "Book"
    assert types["назаренко2010водные"] == "Conference paper"
    assert types["пучков2013предварительный"] == "Journal article"
    assert types["qualcoder_transcript"] == "Transcript"
    assert set(types.values()) <= {*KIND_NAMES.values(), PROCEEDINGS_NAME}


def test_kind_names_for_kinds_set_by_hand():
    """A kind typed into `review sources mend --set kind=...` or carried by a REFI-QDA project
    is named as the importer would have stored it when it is a BibTeX or RIS type, else
    shown as written."""
    from review.ingest.literature.kinds import kind_name

    assert kind_name("techreport") == "Report" and kind_name("THES") == "Thesis"
    assert kind_name("Conference") == "Conference paper" and kind_name("misc") == "Other"
    assert kind_name("conference", volume=True) == "Conference proceedings"
    assert kind_name("chapter", volume=True) == "Book chapter"
    assert kind_name("policy brief") == "Policy brief"
    assert kind_name(None) == "Other" and kind_name("  ") == "Other"


def test_docx_key_column_holds_each_cite_key_on_one_line(ws, cli, testdata, shared, tmp_path):
    """With a few sources coded, Table 3's other columns took the room and the Key column
    broke "bronfenbrenner2003americ/an" and the ORCID export's Cyrillic keys
    ("назаренко2012долгоносикообраз/ные2") mid-word. A column of one word a cell is now as
    wide as its longest word, as a header word is, and gives the rest to the columns that
    wrap."""
    from docx import Document
    from docx.oxml.ns import qn

    from review.outputs.brief.docx_note import CHAR_TWIPS, PAD_TWIPS
    from review.outputs.brief.tables import Brief

    coded = ("назаренко2012долгоносикообразные2", "пучков2013предварительный",
             "bronfenbrenner2003american")  # fmt: skip
    _walk_files(ws, cli, testdata, shared, tmp_path, coded)
    t3 = next(t for t in _note(ws).tables if t.id == "source-characteristics")
    assert t3.columns[-1] == "Key"
    codes = t3.columns.index("Codes applied (excerpts)")
    assert sum(bool(r[codes]) for r in t3.rows) == 3
    doc = Document(io.BytesIO(to_docx(Brief([t3], []))))
    tbl = doc.tables[0]._tbl
    grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    longest = max(len(str(r[-1])) for r in t3.rows)
    assert longest == len("назаренко2012долгоносикообразные2")
    assert grid[-1] >= longest * CHAR_TWIPS + PAD_TWIPS
    # and no wider: the columns that wrap take the rest
    assert grid[-1] < (longest + 2) * CHAR_TWIPS + PAD_TWIPS


def test_a_freak_one_word_column_takes_at_most_a_third_of_the_table():
    from review.outputs.brief.docx_note import column_widths
    from review.outputs.brief.tables import Table

    t = Table("t", "T", "Table 3. x", ["Source", "Key"],
              [["Doe 2020", "k" * 300], ["Roe 2021", "short"]])  # fmt: skip
    widths = column_widths(t, 9000)
    assert sum(widths) <= 9000 and widths[1] <= 3000 + 1
    # every column of whole words: the rest is shared alike
    both = Table("t", "T", "x", ["A", "B"], [["a" * 20, "b" * 20]])
    assert abs(column_widths(both, 9000)[0] - column_widths(both, 9000)[1]) <= 1


def _apply(cli, ws, key: str, code: str, words: str) -> int:
    """Code the first occurrence of `words` in source `key`; the coding's id."""
    from sqlmodel import select

    from review.store import models as m

    with session_scope(ws.engine) as s:
        text = s.exec(select(m.Source.text).where(m.Source.key == key)).one() or ""
    start = text.index(words)
    r = cli("-w", ws.root, "code", "apply", key, code, "--span", f"{start}:{start + len(words)}",
            "--json")  # fmt: skip
    assert r.code == 0, r.err
    return r.json()["codings"][0]["id"]


def test_a_quote_linked_to_one_indicator_is_not_quoted_beside_another(ws, cli, shared):
    """The sample review with QualCoder's transcript (no sector) coded Four Cs/Co-delivery and
    that excerpt linked to the local-environment index: Table 2 quoted it beside the
    public-health index too, which links Co-delivery as a whole — a quote linked to one
    figure read as evidence picked for another. It is quoted beside its own indicator only
    (the same words under another code too), and still counted in the other's excerpts."""
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert cli("-w", ws.root, "import", corpus).code == 0
    tr = shared / "transcripts" / "qualcoder_transcript.txt"
    assert cli("-w", ws.root, "import", tr).code == 0
    words = "I think the slides are OK but I don't like all the assignments."

    def rows():
        joint = next(t for t in _note(ws).tables if t.id == "joint-display")
        return {r[1]: dict(zip(joint.columns, r, strict=True)) for r in joint.rows}

    before = rows()["Public health"]
    coding = _apply(cli, ws, "qualcoder_transcript", "Four Cs/Co-delivery", words)
    # the same words under a code linked whole to public health are the same quote
    _apply(cli, ws, "qualcoder_transcript", "Mode/Individual co-production", words)
    link = ("-w", ws.root, "indicators", "link", "Citizen co-production index @ Local environment")
    r = cli(*link, "--coding", coding, "--json")
    assert r.code == 0, r.err
    after = rows()
    quoted = f"“{words}” (qualcoder_transcript, id3)"
    assert quoted in after["Local environment"]["Representative quotes"].split("\n")
    health = after["Public health"]
    assert "the slides" not in health["Representative quotes"]
    assert "Four Cs/Co-delivery (explains, supports)" in health["Linked codes"]
    # Excerpts counts every excerpt of a linked code: both new ones are Public health's too
    assert health["Excerpts"] == before["Excerpts"] + 2
    # not linked on its own to any indicator, an excerpt of a linked code may be quoted
    assert cli("-w", ws.root, "indicators", "unlink", r.json()["id"]).code == 0
    assert "the slides" in rows()["Public health"]["Representative quotes"]


def _tree_rows_in_each_format(t) -> dict[str, list[tuple[str, str]]]:
    """(kind, first cell) of a tree table's body rows as Markdown, HTML and DOCX show them:
    "group" for a group row, "leaf" for a code set under one (indented), "row" otherwise."""
    import re

    from review.outputs.brief.render import to_html, to_markdown
    from review.outputs.brief.tables import Brief

    note = Brief([t], [])
    lines = to_markdown(note).splitlines()
    body = lines[next(i for i, x in enumerate(lines) if x.startswith("|---")) + 1 :]
    md = []  # Markdown has no indent: a code row reads as under the group row above it
    for line in body[: next((i for i, x in enumerate(body) if not x.startswith("| ")), None)]:
        first = line.split(" | ")[0][2:]
        md.append(("group", first.strip("*")) if first.startswith("**") else ("leaf", first))
    html = re.findall(r'<tr class="group"><td colspan="\d+">([^<]*)</td>|'
                      r'<tr><td( class="leaf")?[^>]*>([^<]*)</td>', to_html(note, {}))  # fmt: skip
    page = [("group", g) if g else ("leaf" if leaf else "row", x) for g, leaf, x in html]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(to_docx(note))).read("word/document.xml"))
    docx = []
    for tr in list(root.iter(f"{w}tbl"))[0].iter(f"{w}tr"):
        first = next(tr.iter(f"{w}tc"))
        text = "".join(first.itertext())
        if first.find(f"{w}tcPr/{w}gridSpan") is not None:
            docx.append(("group", text))
        elif tr.find(f"{w}trPr/{w}tblHeader") is None:
            docx.append(("leaf" if first.find(f"{w}p/{w}pPr/{w}ind") is not None else "row", text))
    return {"md": md, "html": page, "docx": docx}


def test_a_top_level_code_after_a_group_is_not_shown_under_it(ws, cli, shared):
    """A new top-level code sorting after a group was a bare row after that group's codes:
    "Course workload | – | 1 / 1" read as a code of Citizen-input quality in Tables 1 and 4,
    in every format. A top-level code now has a group row of its own — with sub-codes, its
    own excerpts are a row named as it, before theirs — and a code's sub-codes follow it
    even when a sibling's name starts with its name ("Course workload 2")."""
    tr = shared / "transcripts" / "qualcoder_transcript.txt"
    assert cli("-w", ws.root, "import", tr).code == 0
    key = "qualcoder_transcript"
    _apply(cli, ws, key, "Citizen-input quality/Short-termism", "too many for the short")
    for path in ("Course workload", "Course workload 2", "Wellbeing"):
        assert cli("-w", ws.root, "codebook", "add", path).code == 0
    # coded before it had a sub-code, "Course workload" stays codable (a code and a group)
    _apply(cli, ws, key, "Course workload", "I don't like all the assignments")
    _apply(cli, ws, key, "Course workload 2", "they were too long")
    assert cli("-w", ws.root, "codebook", "add", "Course workload/Assignment load").code == 0
    _apply(cli, ws, key, "Course workload/Assignment load", "there were too many")
    _apply(cli, ws, key, "Wellbeing", "I switched off")
    # one transcript: its Table 4 is written when named
    note = _note(ws, attributes=["transcript"])
    expected = [
        ("group", "Citizen-input quality"), ("leaf", "Short-termism"),
        ("group", "Course workload"), ("leaf", "Course workload"), ("leaf", "Assignment load"),
        ("group", "Course workload 2"), ("leaf", "Course workload 2"),
        ("group", "Wellbeing"), ("leaf", "Wellbeing"),
    ]  # fmt: skip
    for tid in ("evidence-matrix", "codes-by-transcript"):
        t = next(t for t in note.tables if t.id == tid)
        # the rows (and the CSV) keep the paths, a code's sub-codes right after it
        assert [r[0] for r in t.rows] == [
            "Citizen-input quality/Short-termism",
            "Course workload",
            "Course workload/Assignment load",
            "Course workload 2",
            "Wellbeing",
        ]
        for fmt, shown in _tree_rows_in_each_format(t).items():
            assert shown == expected, (tid, fmt)


def test_a_table_of_top_level_codes_only_keeps_plain_rows():
    """With no group in the table nothing reads as under one: no group row per code."""
    from review.outputs.brief.render import display_rows
    from review.outputs.brief.tables import Table

    flat = Table("m", "M", "Table 1. x", ["Code", "n"], [["Cost", 1], ["Trust", 2]], tree=True)
    assert display_rows(flat) == [("row", ["Cost", 1]), ("row", ["Trust", 2])]
    assert {k for k, _ in _tree_rows_in_each_format(flat)["docx"]} == {"row"}
