"""What a review team sees: citations without authors, reference punctuation, grouped headers,
DOCX page and column widths, CSV headers and encoding (fixes found by rendering the brief)."""

from __future__ import annotations

import csv
import io
import textwrap
import zipfile

import pytest

from review.ingest.citation import reference, short_title
from review.ingest.citation import source_author_year as author_year
from review.outputs.brief.docx_note import column_widths, to_docx
from review.outputs.brief.render import table_csv, to_html, write
from review.outputs.brief.tables import Brief, Table, build
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _src(**kw) -> m.Source:
    base = dict(key="k", kind="report", authors=[], record={}, meta={})
    return m.Source(**(base | kw))


def test_no_author_cites_a_short_title_cut_at_a_word():
    s = _src(title="Activating collective co-production of public services: influencing", year=2015)
    assert author_year(s) == "“Activating collective co-production of…” 2015"
    assert short_title("Short title") == "Short title"
    assert not short_title("x" * 60).startswith("x" * 41)


def test_bibtex_and_others_is_et_al():
    rec = {"type": "techreport", "fields": {"author": "{Loeffler and others}"}}
    s = _src(authors=["Loeffler"], year=2008, title="T", record=rec, record_format="bibtex")
    assert author_year(s) == "Loeffler et al. 2008"
    assert reference(s).startswith("Loeffler et al. (2008). T.")


def test_reference_without_author_and_with_question_mark():
    s = _src(title="Fad or fact, nuisance or necessity?", year=2008)
    assert reference(s) == "Fad or fact, nuisance or necessity? (2008)."
    s = _src(title="Why?", authors=["Doe, J"], year=2001, venue="Journal", kind="article")
    assert reference(s) == "Doe, J. (2001). Why? Journal."


def _matrix() -> Table:
    return Table(
        "evidence-matrix",
        "Evidence matrix",
        "Table 1. x",
        ["Code", "Health: literature", "Health: transcripts"],
        [["Four Cs/Co-design", "–", "1 / 2"]],
        groups=[("", 1), ("Health", 2)],
    )


def test_html_grouped_header_and_scroll_wrapper():
    page = to_html(Brief([_matrix()], []))
    assert '<th rowspan="2">Code</th>' in page
    assert '<th class="group" colspan="2">Health</th>' in page
    assert "<th>Literature</th><th>Transcripts</th>" in page.replace("\n", "")
    # (one row: kept whole in print)
    assert '<div class="scroll"><table class="keep" aria-labelledby=' in page


def test_docx_landscape_with_content_sized_columns():
    from docx import Document
    from docx.oxml.ns import qn

    quotes = Table(
        "joint-display",
        "Joint display",
        "Table 2. x",
        ["Indicator", "Year", "Representative quotes"],
        [["Index", 2008, "“" + "a long quote about co-production " * 8 + "” (Group, Ann)"]],
    )
    doc = Document(io.BytesIO(to_docx(Brief([_matrix(), quotes], []))))
    sec = doc.sections[0]
    assert sec.page_width < sec.page_height  # narrow tables: portrait
    grid = [int(g.get(qn("w:w"))) for g in doc.tables[1]._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert grid[2] > 3 * grid[1]  # the quotes column is the wide one
    assert grid[1] >= 4 * 110  # 'Year' fits on one line
    header = doc.tables[0].rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    body_cell = doc.tables[1].rows[1]._tr.find(qn("w:tc"))
    assert body_cell.tcPr.find(qn("w:tcW")).get(qn("w:w")) == str(grid[0])


def test_column_widths_sum_to_the_page_and_shrink_when_crowded():
    t = _matrix()
    assert sum(column_widths(t, 15000)) <= 15000
    many = Table("x", "x", "x", [f"Column{i}" for i in range(40)], [["word"] * 40])
    widths = column_widths(many, 15000)
    assert 14900 <= sum(widths) <= 15000 and min(widths) > 0


def test_a_crowded_cross_tab_turns_its_headers_instead_of_breaking_words():
    """Twelve areas of ordinary names: in landscape their headers broke mid-word ("Castle" /
    "field"); now each count column's header reads upwards, broken at spaces only, the row
    tall enough for the longest line, and the grid still fits the page."""
    from docx import Document
    from docx.oxml.ns import qn

    from review.outputs.brief.docx_note import CHAR_TWIPS, PAD_TWIPS, WRAP_CHARS

    areas = ["Canalside", "Castlefield", "Hilltop", "Meadowbank", "Northfield (Hollins estate)",
             "Riverside", "Stationgate", "Towncentre", "Westbourne", "Eastbrook", "Southmoor",
             "Oldharbour"]  # fmt: skip
    codes = ["Community ties", "Professional resistance", "Trust"]
    rows = [[code, *[(i * 7 + k) % 13 for k in range(12)], 66] for i, code in enumerate(codes)]
    t = Table("codes-by-area", "By area", "Table 4.1. x", ["Code", *areas, "Total"], rows)
    doc = Document(io.BytesIO(to_docx(Brief([t], []))))
    sec = doc.sections[1]  # the table's own section: landscape
    assert sec.page_width > sec.page_height
    usable = sec.page_width - sec.left_margin - sec.right_margin  # EMU
    tbl = doc.tables[0]._tbl
    grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert sum(grid) * 635 <= usable  # twips -> EMU
    header = doc.tables[0].rows[0]
    turned = []
    for j, (cell, head) in enumerate(zip(header.cells, t.columns, strict=True)):
        direction = cell._tc.tcPr.find(qn("w:textDirection"))
        longest = max(len(w) for w in head.split())
        if direction is None:  # upright: its longest word fits on a line
            assert grid[j] >= longest * CHAR_TWIPS + PAD_TWIPS, head
        else:
            assert direction.get(qn("w:val")) == "btLr"
            turned.append(head)
            # its lines (broken at spaces) side by side fit the column's width
            lines = len(textwrap.wrap(head, max(WRAP_CHARS, longest), break_long_words=False))
            assert grid[j] >= lines * 200 + PAD_TWIPS, head
    assert turned == [*areas, "Total"]  # the row labels stay upright
    height = header._tr.trPr.find(qn("w:trHeight"))
    assert height.get(qn("w:hRule")) == "atLeast"
    assert int(height.get(qn("w:val"))) >= len("Castlefield") * CHAR_TWIPS
    # a table that fits turns nothing
    narrow = Table("codes-by-area", "By area", "x", ["Code", "North", "South", "Total"],
                   [["Trust", 1, 2, 3]])  # fmt: skip
    doc = Document(io.BytesIO(to_docx(Brief([narrow], []))))
    assert not doc.tables[0]._tbl.xpath(".//w:textDirection")


def test_csv_header_cells_are_neutralised_and_files_carry_a_bom(tmp_path):
    t = Table("codes-by-area", "x", "x", ["Code", "=HYPERLINK(1)", "-2", "Total"], [["a", 1, 2, 3]])
    rows = list(csv.reader(io.StringIO(table_csv(t))))
    assert rows[0] == ["Code", "'=HYPERLINK(1)", "'-2", "Total"]
    (path,) = write(Brief([t], []), tmp_path, ["csv"])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8 (curly quotes, dashes)
    assert data == write(Brief([t], []), tmp_path, ["csv"])[0].read_bytes()


def test_html_long_cells_get_room():
    t = Table("q", "Q", "Table 2. x", ["Area", "Quotes"], [["Denmark", "“" + "word " * 60 + "”"]])
    page = to_html(Brief([t], []))
    assert "<td>Denmark</td>" in page and '<td class="long">“word' in page


def test_uncovered_excerpt_takes_its_sources_main_sector(ws):
    """A stray sector code no longer spreads every uncovered excerpt across sectors."""
    from review.outputs.brief.scan import _main_sectors
    from review.outputs.brief.tables import build
    from review.store.db import session_scope
    from tests.test_brief_fixture import build as build_fixture

    assert _main_sectors([(0, 1, "A"), (2, 3, "A"), (4, 5, "B")]) == ["A"]
    assert _main_sectors([(0, 1, "B"), (2, 3, "A")]) == ["A", "B"]  # tied on both
    # coded equally often: the sector with more coded text is the source's topic
    assert _main_sectors([(0, 90, "Local environment"), (100, 140, "Education"),
                          (150, 210, "Public health")]) == ["Local environment"]  # fmt: skip
    assert _main_sectors([(0, 10, "A"), (20, 30, "A"), (40, 200, "B")]) == ["A"]  # count first
    assert _main_sectors([]) == ["Unassigned"]
    with session_scope(ws.engine) as s:
        ids = build_fixture(s)
        lit1 = s.get(m.Source, s.get(m.Coding, ids["c_lit_deliver"]).source_id)
        a = lit1.text.index("Citizens co-deliver")
        s.add(m.Coding(source_id=lit1.id, code_id=ids["Sector/Local environment"], start=a,
                       end=a + 8, quote=lit1.text[a : a + 8]))  # fmt: skip
    with session_scope(ws.engine) as s:
        t = next(t for t in build(s).tables if t.id == "evidence-matrix")
    row = next(r for r in t.rows if r[0] == "Four Cs/Co-design")
    design = dict(zip(t.columns, row, strict=True))
    # the formula excerpt overlaps no sector: it goes to loeffler's main sector (Local
    # environment, coded twice) only; before, it counted in Public health too ("1 / 2")
    assert design["Local environment: literature"] == "1 / 1"
    assert design["Public health: literature"] == "1 / 1"


def test_count_columns_are_right_aligned_in_markdown_and_html():
    from review.outputs.brief.render import to_markdown

    t = Table("codes-by-area", "By area", "Table 4.1. x", ["Code", "North", "Total"],
              [["Four Cs/Co-design", 2, 3], ["Mode/Collective", 0, 1]])  # fmt: skip
    md = to_markdown(Brief([t], []))
    assert "|---|---:|---:|" in md
    assert '<td class="num">2</td>' in to_html(Brief([t], []))


def test_reference_names_report_type_and_publisher_from_bibtex():
    rec = {"type": "incollection", "fields": {"publisher": "{Palgrave Macmillan}",
                                              "type": "{\\\\emph{x}}", "note": "{n}"}}  # fmt: skip
    s = _src(title="User and community co-production", year=2014, venue="Public Administration",
             record=rec, record_format="bibtex")  # fmt: skip
    assert reference(s) == (  # a report's series, then its publisher (APA 7, no author)
        "User and community co-production (Public Administration). (2014). Palgrave Macmillan."
    )
    s.record_format = "ris"
    assert "Palgrave" not in reference(s)


def test_references_take_apa_7s_forms_for_books_and_chapters():
    """A chapter read 'Title. Book, 3-9. Publisher.' as if its book were a journal, and a
    book's title was plain: APA 7 has 'Title. In E. Editor (Ed.), *Book* (pp. 3–9).
    Publisher.' and '*Title*. Publisher.'"""
    rec = {"type": "incollection",
           "fields": {"editor": "{Osborne, Stephen P. and Brandsen, Taco and Pestoff, Victor}",
                      "publisher": "{Routledge}"}}  # fmt: skip
    chapter = _src(kind="chapter", title="Co-production and the third sector", year=2012,
                   authors=["Pestoff, Victor"], venue="New Public Governance", pages="3-9",
                   record=rec, record_format="bibtex")  # fmt: skip
    assert reference(chapter) == (
        "Pestoff, V. (2012). Co-production and the third sector. In S. P. Osborne, T. Brandsen, "
        "& V. Pestoff (Eds.), New Public Governance (pp. 3–9). Routledge."
    )
    assert ("New Public Governance", "i") in reference(chapter).runs
    one = _src(kind="chapter", title="T", year=2000, authors=["A, B"], venue="Book",
               record={"A2": ["Loeffler, Elke"]}, record_format="ris")  # fmt: skip
    assert reference(one) == "A, B. (2000). T. In E. Loeffler (Ed.), Book."
    book = _src(kind="book", title="Governing the commons", year=1990, authors=["Ostrom, Elinor"],
                venue="Political Economy of Institutions and Decisions",
                record={"PB": ["Cambridge University Press"]}, record_format="ris")  # fmt: skip
    assert reference(book) == (
        "Ostrom, E. (1990). Governing the commons. Cambridge University Press."
    )
    assert ("Governing the commons.", "i") in reference(book).runs
    book.record = {}  # no publisher recorded: the venue stands in its place
    assert reference(book).endswith("Governing the commons. Political Economy of Institutions "
                                    "and Decisions.")  # fmt: skip


def test_markdown_cells_make_html_inert():
    """An indicator or quote with markup must not become live HTML in a Markdown viewer."""
    from review.outputs.brief.render import _md_cell

    cell = _md_cell('<script>alert("x")</script> & a|b\nnext &copy; &#38;')
    assert "<script>" not in cell
    # a lone & reads as itself in the file ("Cassia, F., & Magno, F."): only an & that would
    # start a character reference is escaped
    assert cell == '&lt;script>alert("x")&lt;/script> & a\\|b<br>next &amp;copy; &amp;#38;'


def test_heat_map_labels_leave_the_cells_room():
    """Looked at in print: one long code name squeezed the heat map's cells, and the wrapped
    column labels of six sectors ran into each other."""
    from review.outputs.brief import plots

    long = "Barriers/Professional resistance/Clinicians doubting lay expertise in redesign"
    for path in (long, "Four Cs/Co-design", "Four Cs", "A/" + "x" * 80, "x" * 80 + "/B"):
        label = plots._row_label(path)
        assert len(label) <= plots.ROW_LABEL, label
    assert plots._row_label("Four Cs/Co-design") == "Co-design (Four Cs)"
    assert plots._row_label(long).startswith("Clinicians doubting lay")
    col = plots._column_label("Local environment: transcripts")
    assert col == "Local environment (transcripts)" and "\n" not in col
    fig = plots.Figure(
        "evidence-heatmap", "Evidence matrix heat map", "", "heatmap",
        {"values": [[1, 2], [3, 0]], "rows": [long, "Four Cs/Co-design"],
         "columns": ["Community safety: transcripts", "Local environment: transcripts"]},
    )  # fmt: skip
    mfig = plots._heatmap(fig)
    ticks = mfig.axes[0].get_xticklabels()
    assert [t.get_text() for t in ticks] == [
        "Community safety (transcripts)",
        "Local environment (transcripts)",
    ]
    assert all(t.get_rotation() == 40 for t in ticks)  # slanted, never side by side


@pytest.fixture
def brief_ws(ws):
    from tests.test_brief_fixture import build as build_fixture

    with session_scope(ws.engine) as s:
        build_fixture(s)
    return ws


def _drawn(fig):
    """The matplotlib figure of one of our figures, drawn at print resolution, and its
    renderer (what the PNG is made from)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from review.outputs.brief import plots

    with matplotlib.rc_context(plots.RC):
        mfig = plots.DRAW[fig.kind](fig)
        mfig.set_dpi(plots.DPI)
        canvas = FigureCanvasAgg(mfig)
        canvas.draw()
        return mfig, canvas.get_renderer()


def _texts(mfig):
    """Every text drawn: tick labels only of shown axes' ticks inside the axis's limits
    (matplotlib keeps labels for ticks it does not draw)."""
    from matplotlib.text import Text

    skip = set()
    for ax in mfig.axes:
        for labels, lims, k in ((ax.get_xticklabels(), ax.get_xlim(), 0),
                                (ax.get_yticklabels(), ax.get_ylim(), 1)):  # fmt: skip
            lo, hi = sorted(lims)
            skip |= {
                id(t)
                for t in labels
                if not ax.axison or not lo - 1e-9 <= t.get_position()[k] <= hi + 1e-9
            }
    return [t for t in mfig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in skip]  # fmt: skip


def _long_label_figures():
    from review.outputs.brief import plots

    long = "Barriers/Professional resistance/Clinicians doubting lay expertise in redesign"
    rows = [long, "Four Cs/Co-design", "Mode/Collective co-production"]
    cols = [f"{s}: {k}" for s in ("Community safety", "Local environment", "Public health and "
            "wellbeing services") for k in ("literature", "transcripts")]  # fmt: skip
    heat = plots.Figure("h", "Heat", "", "heatmap", {
        "rows": rows, "columns": cols, "values": [[9, 0, 3, 1200, 5, 77]] * 3})  # fmt: skip
    bars = plots.Figure("b", "Bars", "", "bars", {
        "labels": rows, "series": ["Literature", "Transcripts"],
        "values": [[47822, 15017], [3, 0], [0, 12]]})  # fmt: skip
    ind = plots.Figure("i", "Ind", "", "indicators", {
        "labels": ["Citizen co-production index · Public health and wellbeing · 2008", "x"],
        "values": [61.0, None], "value_text": ["61 %", None], "excerpts": [62879, 0]})  # fmt: skip
    return [heat, bars, ind]


def test_every_label_of_every_figure_lies_inside_it(brief_ws):
    """The margins are worked out from the labels' font metrics, not by a layout engine
    that measures by drawing: every text of every figure, drawn at print resolution, must
    lie wholly inside the picture — on the fixture's note and on long labels."""
    with session_scope(brief_ws.engine) as s:
        figures = build(s).figures
    assert len(figures) == 4
    for fig in [*figures, *_long_label_figures()]:
        mfig, renderer = _drawn(fig)
        width, height = mfig.canvas.get_width_height()
        texts = _texts(mfig)
        assert texts, fig.id
        for t in texts:
            box = t.get_window_extent(renderer)
            assert box.x0 >= 0 and box.y0 >= 0, (fig.id, t.get_text(), box)
            assert box.x1 <= width and box.y1 <= height, (fig.id, t.get_text(), box)


def test_bar_chart_legend_sits_above_the_bars():
    """Looked at in print: the legend, drawn inside the axes, covered the last bar's value."""
    mfig, renderer = _drawn(_long_label_figures()[1])
    ax = mfig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1


def test_svg_text_is_text_that_can_be_selected_and_searched(brief_ws):
    from review.outputs.brief.plots import render

    with session_scope(brief_ws.engine) as s:
        heat = next(f for f in build(s).figures if f.kind == "heatmap")
    svg = render(heat, "svg").decode("utf-8")
    assert "<text" in svg and "Co-delivery (Four Cs)" in svg
    assert "font-family: 'DejaVu Sans'" in svg and "sans-serif" in svg  # a fallback


def test_docx_cells_keep_markup_line_breaks_and_drop_what_xml_cannot_hold():
    """The rows are written as XML text and parsed once: markup in a cell is text, a line
    break a `w:br`, characters XML 1.0 cannot hold are dropped rather than breaking Word."""
    from lxml import etree

    t = Table("x", "X", "Table 1. x", ["A", "B"],
              [["<b>bold</b> & \x0bco", "first\nsecond"], ["", 3]])  # fmt: skip
    xml = zipfile.ZipFile(io.BytesIO(to_docx(Brief([t], [])))).read("word/document.xml")
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    rows = etree.fromstring(xml).findall(".//w:tbl/w:tr", ns)
    cells = [["".join(tc.itertext()) for tc in r.findall("w:tc", ns)] for r in rows]
    assert cells[1:] == [["<b>bold</b> & co", "firstsecond"], ["", "3"]]
    second = rows[1].findall("w:tc", ns)[1]
    assert len(second.findall(".//w:br", ns)) == 1 and len(second.findall(".//w:t", ns)) == 2
    assert rows[2].find("w:tc[2]/w:p/w:pPr/w:jc", ns).get(f"{{{ns['w']}}}val") == "right"


def test_importing_review_keeps_openblas_to_one_thread_unless_the_user_chose(tmp_path):
    """numpy's OpenBLAS thread pool spun 0.1 s of CPU per brief; review never does linear
    algebra with numpy. A user's own OPENBLAS_NUM_THREADS stays as it is."""
    import os
    import subprocess
    import sys

    code = "import review, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = [sys.executable, "-c", code]
    assert subprocess.run(run, env=env, capture_output=True, text=True).stdout.strip() == "1"
    env["OPENBLAS_NUM_THREADS"] = "3"
    assert subprocess.run(run, env=env, capture_output=True, text=True).stdout.strip() == "3"


def test_bar_value_labels_stay_inside_their_own_panel(brief_ws):
    """Looked at in print: the indicator chart's "61 index score" ran into the next panel.
    Every value label drawn beside a bar must end inside that bar's axes."""
    from review.outputs.brief import plots

    with session_scope(brief_ws.engine) as s:
        figures = [f for f in build(s).figures if f.kind in ("bars", "indicators")]
    wordy = plots.Figure("w", "W", "", "indicators", {
        "labels": ["A · 2008", "B · 2008"], "values": [61.0, 9.0],
        "value_text": ["61 index score (0–100, higher is more)", "9 index score"],
        "excerpts": [1234567, 3]})  # fmt: skip
    figures += [wordy, *_long_label_figures()[1:]]
    for fig in figures:
        mfig, renderer = _drawn(fig)
        for ax in mfig.axes:
            edge = ax.get_window_extent(renderer).x1
            for t in ax.texts:
                assert t.get_window_extent(renderer).x1 <= edge + 1, (fig.id, t.get_text())


def test_excerpt_axes_tick_whole_numbers(brief_ws):
    with session_scope(brief_ws.engine) as s:
        figures = [f for f in build(s).figures if f.kind in ("bars", "indicators")]
    for fig in figures:
        mfig, _ = _drawn(fig)
        ax = mfig.axes[-1]  # the excerpts axis (the indicators' right panel)
        lo, hi = ax.get_xlim()
        ticks = [x for x in ax.get_xticks() if lo <= x <= hi]
        assert ticks and all(float(x).is_integer() for x in ticks), (fig.id, ticks)


def test_a_series_with_nothing_coded_keeps_its_key_but_not_a_slot():
    """Looked at in print: with no literature coded, every transcript bar sat half a row off
    its label, beside an empty slot."""
    from review.outputs.brief import plots

    fig = plots.Figure("b", "B", "", "bars", {
        "labels": ["A/x", "A/y"], "series": ["Literature", "Transcripts"],
        "values": [[0, 5], [0, 3]]})  # fmt: skip
    mfig, _ = _drawn(fig)
    ax = mfig.axes[0]
    centres = sorted(p.get_y() + p.get_height() / 2 for p in ax.patches if p.get_width())
    assert centres == [0, 1]  # level with the tick labels
    keys = [t.get_text() for t in ax.get_legend().get_texts()]
    assert keys == ["Literature (none)", "Transcripts"]


def test_no_figure_text_leans_on_spaces(brief_ws):
    """Looked at in a browser: SVG text collapses leading spaces, so the PRISMA boxes' sub-items
    lost their indent and the bars' value labels touched the bars. Gaps and indents are
    offsets; no drawn text starts or ends with a space."""
    with session_scope(brief_ws.engine) as s:
        figures = build(s).figures
    for fig in [*figures, *_long_label_figures()]:
        mfig, _ = _drawn(fig)
        for t in _texts(mfig):
            assert t.get_text() == t.get_text().strip(), (fig.id, repr(t.get_text()))
    prisma = next(f for f in figures if f.kind == "prisma")
    mfig, _ = _drawn(prisma)
    x = {t.get_text(): t.get_position()[0] for t in _texts(mfig)}
    head = x["Records identified from:"]
    sub = next(v for k, v in x.items() if k.startswith("Scopus") or k.startswith("other"))
    assert sub > head  # the sub-item is indented


def test_text_bar_chart_leaves_out_a_series_with_nothing_coded():
    """As the drawn chart: on the Brief screen a sample workspace with no literature coded
    showed an 'L … 0' row under every code."""
    from review.outputs.brief.figures import Figure, text_chart

    fig = Figure("b", "B", "", "bars", {"labels": ["A/x", "A/y"],
                 "series": ["Literature", "Transcripts"], "values": [[0, 5], [0, 3]]})  # fmt: skip
    chart = text_chart(fig, 20).splitlines()
    assert [ln.split()[:2] for ln in chart[:2]] == [["x", "T"], ["y", "T"]]
    assert chart[-1] == "L literature (none) · T transcripts and documents"
    fig.data["values"] = [[2, 5], [0, 3]]
    chart = text_chart(fig, 20).splitlines()
    assert len(chart) == 5 and chart[2].split() == ["y", "L", "0"]


def test_docx_tables_carry_their_own_cell_padding():
    """Looked at through LibreOffice: cells printed with the text against the rules (the
    padding Word's 'Table Grid' inherits is not read there)."""
    from lxml import etree

    data = to_docx(Brief([_matrix()], []))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    pr = etree.fromstring(xml).find(f".//{w}tbl/{w}tblPr")
    names = [c.tag.removeprefix(w) for c in pr]
    assert names.index("tblCellMar") == names.index("tblLook") - 1  # the schema's order
    mar = pr.find(f"{w}tblCellMar")
    assert {c.tag.removeprefix(w): int(c.get(f"{w}w")) for c in mar} == {
        "top": 28, "left": 85, "bottom": 28, "right": 85}  # fmt: skip


def test_shaded_cells_keep_their_digits_readable():
    """Found by a new user: white digits on mid-blue cells were hard to read (and worse
    printed in grey). The text colour is the one with more contrast: at least 4.5:1 (WCAG AA)
    on every shade."""
    from review.outputs.brief.render import luminance, shade

    def contrast(a: float, b: float) -> float:
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)

    seen = set()
    for top in (1, 2, 3, 7, 40, 1000):
        for count in range(1, top + 1):
            fill, white = shade(count, top)
            bg = luminance([int(fill[i : i + 2], 16) for i in (0, 2, 4)])
            assert contrast(bg, 1.0 if white else 0.0) >= 4.5, (count, top, fill, white)
            seen.add(white)
    assert seen == {True, False}  # both are used
    assert shade(1, 2)[1] is False  # the case the user met: black on mid blue


def test_heat_map_cells_are_vector_in_the_svg(ws):
    """The heat map's cells are drawn as shapes, not as an embedded raster (imshow wrote a
    300-dpi PNG into every SVG: blurry when zoomed, and half the figure's cost)."""
    from review.outputs.brief.plots import render
    from review.outputs.brief.tables import build
    from review.store.db import session_scope
    from tests.test_brief_fixture import build as build_fixture

    with session_scope(ws.engine) as s:
        build_fixture(s)
    with session_scope(ws.engine) as s:
        note = build(s)
    heat = next(f for f in note.figures if f.kind == "heatmap")
    svg = render(heat, "svg")
    assert b"<image" not in svg and b"data:image/png" not in svg
    cells = sum(len(r) for r in heat.data["values"])
    assert svg.count(b"<path") >= cells


def test_heat_map_labels_are_cut_at_words_and_keep_the_columns_kind():
    """A walk with a four-level codebook of long names and a long sector: the heat map read
    'Tokenistic consultation where the bu… (Profess…)' and both columns of 'Rural health and
    social care (including community hospitals…)' as 'Rural health and social care (in…':
    its literature and transcripts columns could not be told apart."""
    from review.outputs.brief import plots

    deep = (
        "Barriers/Institutional barriers/Professional resistance, risk aversion/"
        "Tokenistic consultation where the budget or decision has already been made"
    )
    assert plots._row_label(deep) == "Tokenistic consultation where the… (Profess…)"
    sector = "Rural health and social care (including community hospitals and domiciliary care)"
    lit, tr = (plots._column_label(f"{sector}: {k}") for k in ("literature", "transcripts"))
    assert lit == "Rural health and… (literature)" and tr == "Rural health and… (transcripts)"
    assert max(len(lit), len(tr)) <= plots.COLUMN_LABEL


def test_a_crowded_evidence_matrix_turns_its_literature_and_transcripts_headers():
    """`--all-rows` on Letter with seven sectors (fourteen count columns): the DOCX broke
    "Literat/ure" and "Transcri/pts" and the code names a few letters a line ("Tokenisti/c"),
    since only a table without a grouped header turned its headers. Now the second header
    row's cells read upwards, each sector still has room for its longest word, the code
    column keeps room for its words, and the grid fits the page."""
    from docx import Document
    from docx.oxml.ns import qn

    from review.outputs.brief.docx_note import CHAR_TWIPS, PAD_TWIPS

    sectors = ["Community safety", "Education", "Local environment", "Public health",
               "Rural health and social care (including community hospitals)", "Social care",
               "Unassigned"]  # fmt: skip
    cols = ["Code", *(f"{s}: {k}" for s in sectors for k in ("literature", "transcripts"))]
    codes = ["Four Cs/Co-delivery", "Barriers/Tokenistic consultation where the budget was set"]
    rows = [[c, *["1 / 2"] * 14] for c in codes]
    t = Table("evidence-matrix", "Evidence matrix", "Table 1. x", cols, rows,
              groups=[("", 1), *((s, 2) for s in sectors)], tree=True, shade=True)  # fmt: skip
    doc = Document(io.BytesIO(to_docx(Brief([t], []), {})))
    sec = doc.sections[1]  # the table's own section: landscape
    assert sec.page_width > sec.page_height
    usable = sec.page_width - sec.left_margin - sec.right_margin
    tbl = doc.tables[0]._tbl
    grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert sum(grid) * 635 <= usable
    subs = doc.tables[0].rows[1]._tr.findall(qn("w:tc"))
    turned = [tc for tc in subs if tc.tcPr.find(qn("w:textDirection")) is not None]
    assert len(turned) == 14
    assert doc.tables[0].rows[1]._tr.trPr.find(qn("w:trHeight")) is not None
    for k, s in enumerate(sectors):  # a sector's two columns hold its longest word
        word = max(len(w) for w in s.split())
        assert grid[1 + 2 * k] + grid[2 + 2 * k] >= word * CHAR_TWIPS + PAD_TWIPS, s
    assert grid[0] >= len("Tokenistic") * CHAR_TWIPS + PAD_TWIPS


def test_counts_of_a_thousand_and_more_carry_separators_except_in_csv():
    """APA sets numbers of 1,000 and more with commas; a 10,000-source note read '16002'.
    CSV keeps the digits (a spreadsheet reads them as numbers); years and titles are text."""
    from review.outputs.brief.render import cell_text, to_markdown

    t = Table("codes-by-area", "By area", "Table 4.1. x",
              ["Code", "Sources / excerpts", "n", "Year"],
              [["Four Cs/Co-design", "4126 / 16002", 4951, "2008"],
               ["Mode/Collective", "12 / 999", 7, "1999"]])  # fmt: skip
    md = to_markdown(Brief([t], []))
    assert "| 4,126 / 16,002 | 4,951 | 2008 |" in md
    assert "| 12 / 999 | 7 | 1999 |" in md
    page = to_html(Brief([t], []))
    assert '<td class="num">4,951</td>' in page and "4,126 / 16,002" in page
    doc = zipfile.ZipFile(io.BytesIO(to_docx(Brief([t], [])))).read("word/document.xml")
    assert b">4,951<" in doc and b">4,126 / 16,002<" in doc and b">2008<" in doc
    rows = list(csv.reader(io.StringIO(table_csv(t))))
    assert rows[1][1:] == ["4126 / 16002", "4951", "2008"]
    assert [cell_text(v) for v in (None, True, 1000, -12345, "Report 1234 / 5678 b")] == [
        "", "True", "1,000", "-12,345", "Report 1234 / 5678 b"]  # fmt: skip


def test_references_take_apa_7s_forms_for_theses_and_reports():
    """A thesis read "Smith, J. (2019). Title. University of Birmingham." with the university
    in italics, as if it were a journal, and so did a report's institution or series. APA 7:
    the title of a thesis or report is italic and followed by the degree and university in
    brackets, or the report's series and number in parentheses; the publisher is plain and
    left out where it is the author."""
    thesis = _src(
        kind="thesis",
        title="Citizen co-production in English local government",
        authors=["Smith, Jane"],
        year=2019,
        venue="University of Birmingham",
        record={"type": "phdthesis", "fields": {"school": "{University of Birmingham}"}},
        record_format="bibtex",
    )
    assert reference(thesis) == (
        "Smith, J. (2019). Citizen co-production in English local government "
        "[Doctoral dissertation, University of Birmingham]."
    )
    assert [r for r in reference(thesis).runs if r[1]] == [
        ("Citizen co-production in English local government", "i")
    ]
    masters = _src(
        kind="thesis",
        title="Volunteering",
        authors=["Lee, Min"],
        year=2020,
        record={"TY": ["THES"], "PB": ["University of Leeds"], "M3": ["MSc thesis"]},
        record_format="ris",
    )
    assert reference(masters) == (
        "Lee, M. (2020). Volunteering [Master's thesis, University of Leeds]."
    )
    masters.record = {"TY": ["THES"], "PB": ["University of Leeds"]}  # no degree recorded
    assert reference(masters) == "Lee, M. (2020). Volunteering [Thesis, University of Leeds]."
    report = _src(
        kind="report",
        title="Together for better public services",
        authors=["OECD"],
        year=2011,
        venue="OECD Publishing",
        issue="22",
        record_format="bibtex",
        record={"type": "techreport", "fields": {"institution": "{OECD Publishing}"}},
    )
    assert reference(report) == (
        "OECD. (2011). Together for better public services (Report No. 22). OECD Publishing."
    )
    assert ("OECD Publishing", "i") not in reference(report).runs
    paper = _src(
        kind="report",
        title="People powered health",
        authors=["Nesta"],
        year=2013,
        venue="Nesta working paper",
        record={"PB": ["Nesta"]},
        record_format="ris",
    )
    assert reference(paper) == "Nesta. (2013). People powered health (Nesta working paper)."
    typed = _src(
        kind="report",
        title="If you want to go far, walk together",
        year=2008,
        authors=["Loeffler"],
        record_format="bibtex",
        record={"type": "techreport", "fields": {"type": "{Report to the EU Presidency}"}},
    )
    assert reference(typed) == (
        "Loeffler. (2008). If you want to go far, walk together (Report to the EU Presidency)."
    )
