"""Render the briefing tables: Markdown and CSV (deterministic), HTML (one self-contained
page), DOCX (real Word tables with captions, and a reference list).
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from review import safetext
from review.outputs.brief.tables import Brief, Table
from review.outputs.excerpts import neutralise

FORMATS = ("md", "csv", "html", "docx")
TITLE = "Briefing note: evidence tables"
LONG_CELL = 150  # characters: a cell this long is prose (quotes), not a label


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _md_cell(v: object) -> str:
    """A table cell: pipes escaped, HTML inert (Markdown viewers pass raw HTML through, and
    cells hold quotes and names from outside), line breaks as <br>."""
    text = _text(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", "<br>")


def numeric(t: Table) -> list[bool]:
    """Columns holding only numbers (counts): right-aligned so digits line up."""
    return [
        bool(t.rows) and all(isinstance(r[j], int | float) and not isinstance(r[j], bool)
                             for r in t.rows)
        for j in range(len(t.columns))
    ]  # fmt: skip


def to_markdown(brief: Brief) -> str:
    out = [f"# {TITLE}", ""]
    for t in brief.tables:
        out += [f"## {t.title}", "", f"*{t.caption}*", ""]
        if t.rows:
            out.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
            out.append("|" + "|".join("---:" if n else "---" for n in numeric(t)) + "|")
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in t.rows]
        else:
            out.append("(no rows)")
        out.append("")
        out += [f"Note: {n}" for n in t.notes]
        if t.notes:
            out.append("")
    out += ["## References", ""]
    out += [f"- {safetext.markdown(r)}" for r in brief.references] or ["(none)"]
    return "\n".join(out).rstrip("\n") + "\n"


def table_csv(t: Table) -> str:
    """One table as CSV; header cells are neutralised too (attribute values become columns)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise(_text(c)) for c in t.columns])
    for r in t.rows:
        w.writerow([neutralise(_text(c)) for c in r])
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,sans-serif;max-width:75rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.4}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.9rem}
caption{caption-side:top;text-align:left;font-style:italic;padding:.3rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#eef2f6} tr:nth-child(even) td{background:#fafafa}
.note{color:#555;font-size:.85rem}
.scroll{overflow-x:auto}
th.group{text-align:center} td.long{min-width:22rem} td.num{text-align:right}
@media print{body{max-width:none;margin:0}.scroll{overflow:visible}table{font-size:.75rem}}
"""


def sub_columns(t: Table) -> list[tuple[str, int, list[str]]]:
    """The two-level header of a grouped table: (group label, span, sub-labels)."""
    out, i = [], 0
    for label, span in t.groups:
        cols = t.columns[i : i + span]
        subs = [c[len(label) + 2 :] if label and c.startswith(label + ": ") else c for c in cols]
        out.append((label, span, [x[:1].upper() + x[1:] for x in subs]))
        i += span
    return out


def _html_head(t: Table) -> list[str]:
    e = html.escape
    if not t.groups:
        return ["<tr>", *(f"<th>{e(c)}</th>" for c in t.columns), "</tr>"]
    top, below = ["<tr>"], ["<tr>"]
    for label, span, subs in sub_columns(t):
        if not label and span == 1:
            top.append(f'<th rowspan="2">{e(subs[0])}</th>')
            continue
        top.append(f'<th class="group" colspan="{span}">{e(label)}</th>')
        below += [f"<th>{e(x)}</th>" for x in subs]
    return [*top, "</tr>", *below, "</tr>"]


def _html_cell(text: str, number: bool = False) -> str:
    """A cell; long text (quotes, code lists) gets a minimum width so it is not squeezed."""
    cls = ' class="num"' if number else ' class="long"' if len(text) > LONG_CELL else ""
    return f"<td{cls}>{html.escape(text).replace(chr(10), '<br>')}</td>"


def to_html(brief: Brief) -> str:
    """One page, CSS inline, no scripts or external resources."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(TITLE)}</h1>",
    ]
    for t in brief.tables:
        out.append(f'<section id="{e(t.id)}"><h2>{e(t.title)}</h2>')
        out.append(f'<div class="scroll"><table><caption>{e(t.caption)}</caption><thead>')
        out += _html_head(t)
        out.append("</thead><tbody>")
        num = numeric(t)
        for r in t.rows:
            cells = "".join(_html_cell(_text(c), n) for c, n in zip(r, num, strict=True))
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table></div>")
        out += [f'<p class="note">{e(n)}</p>' for n in t.notes]
        out.append("</section>")
    out.append("<h2>References</h2><ol>")
    out += [f"<li>{e(r)}</li>" for r in brief.references]
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


CHAR_TWIPS = 110  # one character at 8 pt (bold headers are wider than body text), in twips
PAD_TWIPS = 240  # a cell's left + right padding and border


def column_widths(t: Table, total: int, sample: int = 2000) -> list[int]:
    """Column widths in twips (summing to `total`) in proportion to their content.

    Why: Word and LibreOffice give every column the same width by default, which squeezes a
    quotes column to a few letters a line. Each column first gets room for its longest word
    (header included, capped at 14 characters) so no word breaks mid-letter; the rest is
    shared by its mean text length to the power 0.75, so long-text columns get most.
    """
    rows = t.rows[:sample]
    heads = [s for _, _, subs in sub_columns(t) for s in subs] if t.groups else t.columns
    need, weight = [], []
    for j, head in enumerate(heads):
        texts = [_text(r[j]) for r in rows]
        words = [len(w) for x in [head, *texts] for w in x.split()] or [1]
        need.append(min(max(words), 14) * CHAR_TWIPS + PAD_TWIPS)
        mean = sum(len(x) for x in texts) / len(texts) if texts else len(head)
        weight.append(max(mean, 1) ** 0.75)
    if sum(need) > total:  # too many columns: shrink the minimums alike
        need = [n * total / sum(need) for n in need]
    rest = total - sum(need)
    return [int(n + rest * w / sum(weight)) for n, w in zip(need, weight, strict=True)]


def _docx_rows(table, rows: list[list[object]], widths: list[int]) -> None:
    """Append rows as raw WordprocessingML: python-docx's add_row/cell.text are O(n) per row
    (quadratic for a 10,000-row table); building <w:tr> elements directly is linear."""
    from docx.oxml.ns import qn
    from lxml import etree

    w_tr, w_tc, w_p, w_r, w_t, w_br = (qn(f"w:{n}") for n in ("tr", "tc", "p", "r", "t", "br"))
    w_tcpr, w_tcw, w_w, w_type = qn("w:tcPr"), qn("w:tcW"), qn("w:w"), qn("w:type")
    space = qn("xml:space")
    tbl = table._tbl
    for row in rows:
        tr = etree.SubElement(tbl, w_tr)
        for value, width in zip(row, widths, strict=True):
            tc = etree.SubElement(tr, w_tc)
            tcw = etree.SubElement(etree.SubElement(tc, w_tcpr), w_tcw)
            tcw.set(w_w, str(width))
            tcw.set(w_type, "dxa")
            r = etree.SubElement(etree.SubElement(tc, w_p), w_r)
            for i, line in enumerate(_XML_BAD.sub("", _text(value)).split("\n")):
                if i:
                    etree.SubElement(r, w_br)
                t = etree.SubElement(r, w_t)
                t.text = line
                t.set(space, "preserve")


def _docx_header(table, t: Table) -> None:
    """Bold header row(s), repeated on every page; grouped tables get two rows (a sector
    spanning its literature and transcripts columns)."""
    from docx.oxml import OxmlElement

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
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _docx_list(doc, items: list[str], style_id: str) -> None:
    """Numbered paragraphs as raw XML before the section properties (linear, like the rows)."""
    from docx.oxml.ns import qn
    from lxml import etree

    body = doc.element.body
    anchor = body.sectPr
    for item in items:
        p = etree.Element(qn("w:p"))
        etree.SubElement(etree.SubElement(p, qn("w:pPr")), qn("w:pStyle")).set(
            qn("w:val"), style_id
        )
        t = etree.SubElement(etree.SubElement(p, qn("w:r")), qn("w:t"))
        t.text = _XML_BAD.sub("", item)
        t.set(qn("xml:space"), "preserve")
        if anchor is not None:
            anchor.addprevious(p)
        else:
            body.append(p)


def to_docx(brief: Brief) -> bytes:
    """Word tables (style 'Table Grid', 8 pt) with a caption paragraph above each, then the
    reference list. Landscape A4 with narrow margins: the matrix and the joint display are
    wide; columns are sized to their content and header rows repeat on each page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.5))
    usable = Cm(29.7 - 3.0)  # page width less margins (python-docx gives an int here)
    doc.styles["Table Grid"].font.size = Pt(8)
    doc.add_heading(TITLE, level=0)
    for t in brief.tables:
        doc.add_heading(t.title, level=1)
        doc.add_paragraph(t.caption, style="Caption").paragraph_format.keep_with_next = True
        table = doc.add_table(rows=2 if t.groups else 1, cols=len(t.columns))
        table.style = "Table Grid"
        table.autofit = False
        widths = column_widths(t, usable.twips)  # dxa = twips
        for col, w in zip(table.columns, widths, strict=True):
            col.width = w * 635  # EMU per twip
            for cell in col.cells:
                cell.width = w * 635
        _docx_header(table, t)
        _docx_rows(table, t.rows, widths)
        for n in t.notes:
            doc.add_paragraph().add_run(n).italic = True
    doc.add_heading("References", level=1)
    _docx_list(doc, brief.references, doc.styles["List Number"].style_id)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write(brief: Brief, directory: Path, formats: list[str]) -> list[Path]:
    """Write the chosen formats into `directory`; return the files written (sorted). Each
    file is written by the one export writer (temporary file, then renamed into place)."""
    from review.outputs.writer import write_file

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    if "md" in formats:
        p = directory / "brief.md"
        write_file(p, to_markdown(brief).encode("utf-8"))
        written.append(p)
    if "csv" in formats:
        for t in brief.tables:
            p = directory / f"brief-{t.id}.csv"
            # BOM: Excel reads a UTF-8 CSV without one as cp1252 (“ ” – garbled)
            write_file(p, table_csv(t).encode("utf-8-sig"))
            written.append(p)
    if "html" in formats:
        p = directory / "brief.html"
        write_file(p, to_html(brief).encode("utf-8"))
        written.append(p)
    if "docx" in formats:
        p = directory / "brief.docx"
        write_file(p, to_docx(brief))
        written.append(p)
    return sorted(written)
