"""The briefing note as a Word document: a title block and "at a glance" paragraph, real Word
tables (style 'Table Grid', 8 pt) with captions, the figures as PNG at print resolution, and
an APA reference list with linked DOIs.

Tables that fit the page: a portrait page (A4 or Letter, from `review.toml`) unless a table
is too wide for it, which then gets a landscape section of its own; columns sized to their
content so no header word breaks (a crowded cross-tab's headers read upwards, as printed
cross-tabs do); header rows repeat on each page (`w:tblHeader`) and no row
splits across a page (`w:cantSplit`); count cells shaded by weight (`w:shd`). Rows are built
as raw WordprocessingML: python-docx's add_row/cell.text are O(n) per row.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from review.outputs.brief.figures import excerpts_of
from review.outputs.brief.render import (
    cell_text,
    display_rows,
    figures_after,
    front_lines,
    shade,
    shades,
    sub_columns,
)
from review.outputs.brief.tables import Brief, Table

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CHAR_TWIPS = 110  # one character at 8 pt (bold headers are wider than body text), in twips
PAD_TWIPS = 240  # a cell's left + right padding and border
MARGIN_CM = 1.8
PAPER_CM = {"A4": (21.0, 29.7), "Letter": (21.59, 27.94)}  # portrait width, height
TWIPS_PER_CM = 567
FIGURE_CM = 16.5  # a figure's widest
CAPTION_CM = 2.5  # kept free under a figure for its caption (two lines) and the gap above


def _heads(t: Table) -> list[str]:
    return [s for _, _, subs in sub_columns(t) for s in subs] if t.groups else list(t.columns)


def _shown(t: Table, sample: int) -> list[list[object]]:
    return [r for kind, r in display_rows(Table(**{**t.__dict__, "rows": t.rows[:sample]}))
            if kind != "group"]  # fmt: skip


def natural_width(t: Table, sample: int = 2000) -> int:
    """Twips the table wants: each column its longest word, long text at 40 characters."""
    rows = _shown(t, sample)
    total = 0
    for j, head in enumerate(_heads(t)):
        texts = [cell_text(r[j]) for r in rows]
        word = max((len(w) for x in [head, *texts] for w in x.split()), default=1)
        longest = max((len(x) for x in texts), default=0)
        total += max(min(word, 14), min(longest, 40)) * CHAR_TWIPS + PAD_TWIPS
    return total


LINE_TWIPS = 200  # one line of 8-pt text, line spacing included
SHORT_WORD = 6  # a column whose body words are at most this long holds counts or codes
WRAP_CHARS = 14  # a line of a header turned on its side
WHOLE_SHARE = 3  # a column of one-word cells takes at most 1/3 of the table for its longest


@dataclass
class Layout:
    """A DOCX table's columns: their widths in twips, the header cells turned on their side
    (`upright`: column indexes), and the least height of the header row in twips (0: as
    tall as its text)."""

    widths: list[int]
    upright: set[int]
    header_height: int = 0


def _side_lines(head: str) -> list[str]:
    """A turned header's lines: broken at spaces only, each at most `WRAP_CHARS` characters
    or one word."""
    return textwrap.wrap(head, max(WRAP_CHARS, *(len(w) for w in head.split() or [""])),
                         break_long_words=False, break_on_hyphens=False) or [""]  # fmt: skip


def column_widths(t: Table, total: int, sample: int = 2000) -> list[int]:
    """Column widths in twips (summing to `total`) in proportion to their content (see
    `layout`)."""
    return layout(t, total, sample).widths


def layout(t: Table, total: int, sample: int = 2000) -> Layout:
    """Column widths in twips (summing to `total`) in proportion to their content, and the
    headers turned on their side when the columns would not fit otherwise.

    Why: Word and LibreOffice give every column the same width by default, which squeezes a
    quotes column to a few letters a line. Each column first gets room for its longest word
    (header included, capped at 14 characters; a header word, and the word of a column of
    one word a cell — cite keys —, uncapped) so no word breaks mid-letter; the rest is
    shared by its mean text length (the geometric mean of the mean over all rows and over
    the cells with text) to the power 0.75, so long-text columns get most.

    When those minimums do not fit the page (a cross-tab of twelve areas: "Castlefield",
    "Meadowbank", ... each broke mid-word even in landscape), the header of each column of
    short values (counts) is turned to read upwards, as printed cross-tabs do: the column
    then needs only its values' width and its header's lines, and the header row grows to
    the longest line. Only if even that does not fit are the minimums shrunk alike.
    """
    rows = _shown(t, sample)
    heads = _heads(t)
    need: list[float] = []
    body_need: list[float] = []
    weight: list[float] = []
    for j, head in enumerate(heads):
        texts = [cell_text(r[j]) for r in rows]
        body = max((len(w) for x in texts for w in x.split()), default=1)
        words = max(body, *(len(w) for w in head.split() or [""]))
        head_word = max((len(w) for w in head.split()), default=1)
        need.append(max(min(words, 14), head_word) * CHAR_TWIPS + PAD_TWIPS)
        whole = body > 14 and all(len(x.split()) <= 1 for x in texts)
        if whole:
            # a column of one word a cell (Table 3's cite keys) is as wide as its longest,
            # as a header word is: "bronfenbrenner2003americ/an" and the ORCID export's
            # Cyrillic keys broke mid-word (up to a third of the table, for a freak key)
            need[-1] = max(need[-1], min(body * CHAR_TWIPS + PAD_TWIPS, total / WHOLE_SHARE))
        body_need.append(body * CHAR_TWIPS + PAD_TWIPS if body <= SHORT_WORD else 0)
        # the mean over every row beside the mean of the cells with text: by the first
        # alone, Table 2 of a 540-value survey with three quoted indicators gave its quotes
        # column a 540th of their length and each quoted row grew a page tall; by the
        # second alone, the 540 indicator names wrapped onto a quarter more pages
        filled = [len(x) for x in texts if x]
        mean = sum(filled) / len(texts) if filled else len(head)
        full = sum(filled) / len(filled) if filled else len(head)
        # (a column of whole words has room for its longest, or its third: the rest goes
        # to the columns whose text wraps)
        weight.append(0.0 if whole else max((mean * full) ** 0.5, 1) ** 0.75)
    upright: set[int] = set()
    height = 0
    if sum(need) > total:  # (a grouped table turns its second header row's cells)
        for j, head in enumerate(heads):
            if j == 0 or not body_need[j]:
                continue  # the row labels, and columns of text, stay as they are
            lines = _side_lines(head)
            side = max(body_need[j], len(lines) * LINE_TWIPS + PAD_TWIPS)
            if side < need[j]:
                need[j] = side
                upright.add(j)
                height = max(height, max(len(x) for x in lines) * CHAR_TWIPS + PAD_TWIPS)
    if upright and t.groups:  # a sector spanning turned columns: room for its longest word
        j = 0
        for label, span, _subs in sub_columns(t):
            word = max((len(w) for w in label.split()), default=0) * CHAR_TWIPS + PAD_TWIPS
            short = word - sum(need[j : j + span])
            for k in range(j, j + span):
                need[k] += max(short, 0) / span
            j += span
    if sum(need) > total:  # too many columns even so: shrink the minimums alike
        need = [n * total / sum(need) for n in need]
    rest = total - sum(need)
    if not any(weight):  # (every column one of whole words: share the rest alike)
        weight = [1.0] * len(need)
    return Layout([int(n + rest * w / sum(weight)) for n, w in zip(need, weight, strict=True)],
                  upright, height)  # fmt: skip


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ALIGN = {"leaf": '<w:pPr><w:ind w:left="200"/></w:pPr>',
          "right": '<w:pPr><w:jc w:val="right"/></w:pPr>',
          "center": '<w:pPr><w:jc w:val="center"/></w:pPr>', "": ""}  # fmt: skip
_WHITE = '<w:rPr><w:color w:val="FFFFFF"/></w:rPr>'
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_PLAIN = {k: f'</w:tcPr><w:p>{v}<w:r><w:t xml:space="preserve">' for k, v in _ALIGN.items()}
_CELL_END = "</w:t></w:r></w:p></w:tc>"
_UNKEPT = re.compile("<w:p><w:pPr>(?!<w:keepNext/>)")
KEEP_LINES = 40  # lines of 8-pt rows: well within a page (about 55 fit a landscape page)


def _lines(rows: list[tuple[str, list[object]]], widths: list[int]) -> int:
    """About how many lines these rows take: each row its fullest cell's, the cell's text
    at CHAR_TWIPS a character wrapped in its column's width."""
    total = 0
    for kind, row in rows:
        if kind == "group":
            total += 1
            continue
        total += max(1, *(-(-len(cell_text(v)) * CHAR_TWIPS // max(w - PAD_TWIPS, CHAR_TWIPS))
                          for v, w in zip(row, widths, strict=True)))  # fmt: skip
    return total


_XML_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>\n]")


def _xml_text(v: object) -> str:
    """A cell's text for WordprocessingML: characters XML cannot hold dropped, markup
    escaped, each line break a `w:br`. (Most cells hold none of these: one search, no copy.)"""
    text = cell_text(v)
    if _XML_SPECIAL.search(text) is None:
        return text
    text = _XML_BAD.sub("", text).replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">", "&gt;").replace("\n", _BREAK)


def _docx_rows(table, t: Table, widths: list[int], spliced: list[str]) -> None:
    """The body rows as raw WordprocessingML (linear for a 10,000-row table): rows that
    cannot split, group rows spanning the table and kept with the next row, count cells
    shaded. A table with notes keeps its last row with them (a note alone at the top of the
    next page reads as belonging to nothing), and one short enough for a page (`KEEP_LINES`)
    keeps every row with the next, so it moves to the next page whole rather than split:
    Word keeps a paragraph in a cell with the next one; LibreOffice only a table whose every
    paragraph is kept with the next, so only that form keeps the notes there too.

    The rows are one XML text, appended to `spliced`; the table holds a marker comment that
    `_save` replaces with that text in the saved document. Building or copying half a
    million elements one by one from Python took ten times as long, and even parsing the
    text into the tree (and serialising it back out) was a third of the DOCX's own cost."""
    from lxml import etree

    shaded, top = shades(t)
    total = sum(widths)
    row_start = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    cell_open = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>' for w in widths]
    out: list[str] = []
    last = 0  # where the last row starts in `out`
    shown = display_rows(t)
    for kind, row in shown:
        last = len(out)
        out.append(row_start)
        if kind == "group":
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{total}" w:type="dxa"/>'
                f'<w:gridSpan w:val="{len(widths)}"/>'
                '<w:shd w:val="clear" w:color="auto" w:fill="E2E8F0"/></w:tcPr>'
                "<w:p><w:pPr><w:keepNext/></w:pPr><w:r><w:rPr><w:b/></w:rPr>"
                f"<w:t>{_xml_text(row[0]).replace(_BREAK, '')}</w:t></w:r></w:p></w:tc></w:tr>"
            )
            continue
        for j, value in enumerate(row):
            fill = shade(excerpts_of(value), top) if j in shaded else None
            if kind == "leaf" and j == 0:
                align = "leaf"
            elif isinstance(value, int | float) and not isinstance(value, bool):
                align = "right"  # digits line up
            elif j in shaded:
                align = "center"
            else:
                align = ""
            if fill:
                out.append(
                    f'{cell_open[j]}<w:shd w:val="clear" w:color="auto" w:fill="{fill[0]}"/>'
                    f"</w:tcPr><w:p>{_ALIGN[align]}<w:r>{_WHITE if fill[1] else ''}"
                    f'<w:t xml:space="preserve">{_xml_text(value)}{_CELL_END}'
                )
            else:
                out.append(f"{cell_open[j]}{_PLAIN[align]}{_xml_text(value)}{_CELL_END}")
        out.append("</w:tr>")
    if t.notes:  # keepNext is a paragraph's: every paragraph of the kept rows gets it
        short = len(shown) <= KEEP_LINES and _lines(shown, widths) <= KEEP_LINES
        start = 0 if short else last
        tail = _UNKEPT.sub("<w:p><w:pPr><w:keepNext/>", "".join(out[start:]))
        out[start:] = [tail.replace("<w:p><w:r>", "<w:p><w:pPr><w:keepNext/></w:pPr><w:r>")]
    table._tbl.append(etree.Comment(_marker(len(spliced))))
    spliced.append("".join(out))


def _marker(n: int) -> str:
    return f"review-rows-{n}"


def _save(doc, spliced: list[str]) -> bytes:
    """The document as DOCX bytes, written in one pass: python-docx's parts go straight into
    the zip, each table's marker in the body replaced by its rows (XML text already: every
    value went through `_xml_text`); the XML is deflated, the pictures stored (a PNG is
    compressed already).

    Why not `Document.save` and a rewrite after it: `save` deflates every part, pictures
    included, which the rewrite inflated to splice the rows and deflated again (a fifth of
    zlib's work in the bench note's DOCX). The parts are written in `Document.save`'s own
    steps and order (python-docx's `PackageWriter`), so the package is the same."""
    import zipfile

    from docx.opc.pkgwriter import PackageWriter

    buf = io.BytesIO()
    package = doc.part.package
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:

        class Writer:  # python-docx's physical package writer, as far as PackageWriter uses it
            def write(self, uri, blob: bytes) -> None:
                name = uri.membername
                if name == "word/document.xml":
                    parts = re.split(rb"<!--review-rows-(\d+)-->", blob)
                    for k in range(1, len(parts), 2):
                        parts[k] = spliced[int(parts[k])].encode("utf-8")
                    blob = b"".join(parts)
                stored = name.endswith(".png")
                out.writestr(name, blob, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)

        for part in package.parts:
            part.before_marshal()
        writer: Any = Writer()  # (PackageWriter's annotations name its own writer class)
        PackageWriter._write_content_types_stream(writer, package.parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, package.parts)
    return buf.getvalue()


def _docx_header(table, t: Table, plan: Layout | None = None) -> None:
    """Bold header row(s), repeated on every page and never split; grouped tables get two
    rows (a sector spanning its literature and transcripts columns); the cells `plan` turns
    read upwards (`w:textDirection` btLr), the row at least as tall as their longest line."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    heads = sub_columns(t) if t.groups else [("", 1, [c]) for c in t.columns]
    j = 0
    for label, span, subs in heads:
        if t.groups and label:
            top = table.cell(0, j).merge(table.cell(0, j + span - 1)) if span > 1 else None
            (top or table.cell(0, j)).paragraphs[0].add_run(label).bold = True
            for k, sub in enumerate(subs):
                table.cell(1, j + k).paragraphs[0].add_run(sub).bold = True
        elif t.groups:
            table.cell(0, j).merge(table.cell(1, j)).paragraphs[0].add_run(subs[0]).bold = True
        else:
            table.cell(0, j).paragraphs[0].add_run(subs[0]).bold = True
        j += span
    for row in table.rows:
        pr = row._tr.get_or_add_trPr()
        pr.append(OxmlElement("w:cantSplit"))
        pr.append(OxmlElement("w:tblHeader"))
        for par in row._tr.iter(qn("w:p")):  # never a header alone at a page's foot
            par.get_or_add_pPr().keepNext_val = True  # (in the schema's place)
    if plan is not None and plan.upright:
        at = 1 if t.groups else 0  # (a grouped table's turned cells: the second row)
        pr = table.rows[at]._tr.get_or_add_trPr()
        tall = OxmlElement("w:trHeight")
        tall.set(qn("w:val"), str(plan.header_height))
        tall.set(qn("w:hRule"), "atLeast")
        pr.append(tall)
        for j in sorted(plan.upright):
            cell = table.cell(at, j)
            turn = OxmlElement("w:textDirection")
            turn.set(qn("w:val"), "btLr")
            # (the schema's order: after the width, before vAlign)
            cell._tc.get_or_add_tcPr().append(turn)
            bottom = OxmlElement("w:vAlign")
            bottom.set(qn("w:val"), "bottom")  # the turned text starts at the cell's foot
            cell._tc.get_or_add_tcPr().append(bottom)


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _references(doc, refs) -> None:
    """APA entries with a hanging indent; venue italic, DOI linked. Written as one XML text,
    parsed once and inserted before the section properties (linear, like the rows)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.shared import Cm
    from lxml import etree

    style = doc.styles.add_style("Reference", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.paragraph_format.left_indent = Cm(1.27)
    style.paragraph_format.first_line_indent = Cm(-1.27)
    style.paragraph_format.space_after = Cm(0.15)
    part = doc.part
    start = f'<w:p><w:pPr><w:pStyle w:val="{style.style_id}"/></w:pPr>'
    out = [f'<w:body xmlns:w="{_W}" xmlns:r="{_R}">']
    for ref in refs:
        out.append(start)
        for text, kind in getattr(ref, "runs", ((str(ref), ""),)):
            text = _XML_BAD.sub("", text)
            body = _xml_text(text)
            if kind == "link":
                rid = part.relate_to(text, RT.HYPERLINK, is_external=True)
                out.append(f'<w:hyperlink r:id="{rid}"><w:r><w:rPr><w:color w:val="0563C1"/>'
                           f'<w:u w:val="single"/></w:rPr><w:t xml:space="preserve">{body}'
                           "</w:t></w:r></w:hyperlink>")  # fmt: skip
            else:
                italic = "<w:rPr><w:i/></w:rPr>" if kind == "i" else ""
                out.append(f'<w:r>{italic}<w:t xml:space="preserve">{body}</w:t></w:r>')
        out.append("</w:p>")
    out.append("</w:body>")
    paragraphs = list(etree.fromstring("".join(out).encode("utf-8")))
    body_el = doc.element.body
    anchor = body_el.sectPr
    if anchor is not None:
        for p in paragraphs:
            anchor.addprevious(p)
    else:
        body_el.extend(paragraphs)


def _set_page(sec, paper: str, landscape: bool) -> int:
    """Size the section; return its usable width in twips."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    w, h = PAPER_CM.get(paper, PAPER_CM["A4"])
    if landscape:
        w, h = h, w
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(w), Cm(h)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(MARGIN_CM))
    return int((w - 2 * MARGIN_CM) * TWIPS_PER_CM)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def picture_width_cm(png: bytes, width_cm: float, page_height_cm: float) -> float:
    """The width a figure is placed at: at most `width_cm` and 16.5 cm, and narrower when
    that would make it taller than the page's text height less room for its caption (a
    picture taller than the page is cut off at the page's foot, in Word and LibreOffice)."""
    w, h = png_size(png)
    room = max(page_height_cm - 2 * MARGIN_CM - CAPTION_CM, 1.0)
    width = min(width_cm, FIGURE_CM)
    return min(width, room * w / h) if h else width


def _docx_table(doc, t: Table, usable: int, spliced: list[str]) -> None:
    """One table: 'Table Grid', columns sized to their content within `usable` twips."""
    table = doc.add_table(rows=2 if t.groups else 1, cols=len(t.columns))
    table.style = "Table Grid"
    table.autofit = False
    plan = layout(t, usable)
    widths = plan.widths  # dxa = twips
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w * 635  # EMU per twip
        for cell in col.cells:
            cell.width = w * 635
    _docx_header(table, t, plan)
    _docx_rows(table, t, widths, spliced)
    _cell_margins(table)


def _cell_margins(table) -> None:
    """Cell padding on the table itself: LibreOffice ignores the margins Word's 'Table Grid'
    inherits from 'Normal Table', and its cells printed with text against the rules."""
    from lxml import etree

    pr = table._tbl.tblPr
    mar = etree.fromstring(
        f'<w:tblCellMar xmlns:w="{_W}"><w:top w:w="28" w:type="dxa"/>'
        '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>'
        '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
    )
    look = pr.find(f"{{{_W}}}tblLook")  # the schema's order: tblCellMar before tblLook
    if look is not None:
        look.addprevious(mar)
    else:
        pr.append(mar)


def to_docx(brief: Brief, pngs: dict[str, bytes] | None = None) -> bytes:
    """The note as DOCX bytes; `pngs` (figure id -> PNG) are drawn when not given."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm, Pt

    if pngs is None:
        from review.outputs.brief.plots import render

        pngs = {f.id: render(f, "png") for f in brief.figures}
    paper = brief.front.paper if brief.front.paper in PAPER_CM else "A4"
    doc = Document()
    spliced: list[str] = []  # each table's rows, as XML text (see _docx_rows)
    doc.core_properties.title = brief.front.title
    usable = _set_page(doc.sections[0], paper, landscape=False)
    portrait_usable = usable
    landscape = False
    doc.styles["Table Grid"].font.size = Pt(8)
    title, question, byline = front_lines(brief)
    doc.add_heading(title, level=0)
    if question:
        doc.add_paragraph().add_run(f"Review question: {question}").italic = True
    if byline:
        doc.add_paragraph(byline)
    if brief.glance:
        doc.add_heading("At a glance", level=1)
        doc.add_paragraph(brief.glance)
    for t in brief.tables:
        wide = natural_width(t) > portrait_usable * 1.1  # a little squeezing beats turning
        if wide != landscape:
            usable = _set_page(doc.add_section(WD_SECTION.NEW_PAGE), paper, landscape=wide)
            landscape = wide
        doc.add_heading(t.title, level=1).paragraph_format.keep_with_next = True
        doc.add_paragraph(t.caption, style="Caption").paragraph_format.keep_with_next = True
        if t.rows:
            _docx_table(doc, t, usable, spliced)
        else:  # what is missing, not an empty grid
            doc.add_paragraph().add_run(t.empty).italic = True
        for k, n in enumerate(t.notes):
            note = doc.add_paragraph()
            note.paragraph_format.space_before = Pt(4)  # clear of the table's bottom rule
            # a table's notes stay together (Table 4's second note began the next page)
            if k < len(t.notes) - 1:
                note.paragraph_format.keep_with_next = True
            note.add_run(n).italic = True
        for fig in figures_after(brief, t.id):
            pic = doc.add_paragraph()
            pic.paragraph_format.keep_with_next = True
            # room above the picture, single (not exact) line height: straight after a table,
            # LibreOffice drew the picture's white top over the table's bottom border
            pic.paragraph_format.space_before = Pt(8)
            pic.paragraph_format.line_spacing = 1.0
            width = min(usable, portrait_usable) / TWIPS_PER_CM
            tall = PAPER_CM[paper][0 if landscape else 1]  # this section's page height
            png = pngs[fig.id]
            pic.add_run().add_picture(io.BytesIO(png), width=Cm(picture_width_cm(png, width, tall)))
            doc.add_paragraph(fig.caption, style="Caption")
    if landscape:
        _set_page(doc.add_section(WD_SECTION.NEW_PAGE), paper, landscape=False)
    doc.add_heading("References", level=1)
    _references(doc, brief.references)
    return _save(doc, spliced)
