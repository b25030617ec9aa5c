"""Render the briefing tables: Markdown and CSV (deterministic), HTML (one self-contained
page), DOCX (real Word tables with captions, and a reference list).
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from review.briefing.tables import Brief, Table
from review.export.excerpts import neutralise

FORMATS = ("md", "csv", "html", "docx")
TITLE = "Briefing note: evidence tables"


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _md_cell(v: object) -> str:
    return _text(v).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(brief: Brief) -> str:
    out = [f"# {TITLE}", ""]
    for t in brief.tables:
        out += [f"## {t.title}", "", f"*{t.caption}*", ""]
        if t.rows:
            out.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
            out.append("|" + "|".join("---" for _ in t.columns) + "|")
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in t.rows]
        else:
            out.append("(no rows)")
        out.append("")
        out += [f"Note: {n}" for n in t.notes]
        if t.notes:
            out.append("")
    out += ["## References", ""]
    out += [f"- {r}" for r in brief.references] or ["(none)"]
    return "\n".join(out).rstrip("\n") + "\n"


def table_csv(t: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.columns)
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
"""


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
        out.append(f"<table><caption>{e(t.caption)}</caption><thead><tr>")
        out += [f"<th>{e(c)}</th>" for c in t.columns]
        out.append("</tr></thead><tbody>")
        for r in t.rows:
            cells = "".join(f"<td>{e(_text(c)).replace(chr(10), '<br>')}</td>" for c in r)
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
        out += [f'<p class="note">{e(n)}</p>' for n in t.notes]
        out.append("</section>")
    out.append("<h2>References</h2><ol>")
    out += [f"<li>{e(r)}</li>" for r in brief.references]
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _docx_rows(table, rows: list[list[object]]) -> None:
    """Append rows as raw WordprocessingML: python-docx's add_row/cell.text are O(n) per row
    (quadratic for a 10,000-row table); building <w:tr> elements directly is linear."""
    from docx.oxml.ns import qn
    from lxml import etree

    w_tr, w_tc, w_p, w_r, w_t, w_br = (qn(f"w:{n}") for n in ("tr", "tc", "p", "r", "t", "br"))
    space = qn("xml:space")
    tbl = table._tbl
    for row in rows:
        tr = etree.SubElement(tbl, w_tr)
        for value in row:
            r = etree.SubElement(etree.SubElement(etree.SubElement(tr, w_tc), w_p), w_r)
            for i, line in enumerate(_XML_BAD.sub("", _text(value)).split("\n")):
                if i:
                    etree.SubElement(r, w_br)
                t = etree.SubElement(r, w_t)
                t.text = line
                t.set(space, "preserve")


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
    reference list."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Table Grid"].font.size = Pt(8)
    doc.add_heading(TITLE, level=0)
    for t in brief.tables:
        doc.add_heading(t.title, level=1)
        doc.add_paragraph(t.caption, style="Caption")
        table = doc.add_table(rows=1, cols=len(t.columns))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, t.columns, strict=True):
            cell.paragraphs[0].add_run(name).bold = True
        _docx_rows(table, t.rows)
        for n in t.notes:
            doc.add_paragraph().add_run(n).italic = True
    doc.add_heading("References", level=1)
    _docx_list(doc, brief.references, doc.styles["List Number"].style_id)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write(brief: Brief, directory: Path, formats: list[str]) -> list[Path]:
    """Write the chosen formats into `directory`; return the files written (sorted)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    if "md" in formats:
        p = directory / "brief.md"
        p.write_text(to_markdown(brief), "utf-8")
        written.append(p)
    if "csv" in formats:
        for t in brief.tables:
            p = directory / f"brief-{t.id}.csv"
            p.write_text(table_csv(t), "utf-8", newline="")
            written.append(p)
    if "html" in formats:
        p = directory / "brief.html"
        p.write_text(to_html(brief), "utf-8")
        written.append(p)
    if "docx" in formats:
        p = directory / "brief.docx"
        p.write_bytes(to_docx(brief))
        written.append(p)
    return sorted(written)
