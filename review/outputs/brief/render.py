"""Render the briefing note: Markdown and CSV (deterministic), HTML (one self-contained page
with the figures inline as SVG and a print stylesheet); the DOCX is `docx_note`.

Every document opens with the title block and the "at a glance" paragraph, shows each
figure after the table it draws, code names as leaf names under their parent's group row,
count cells shaded by weight, and ends with the reference list (DOIs and URLs as links).
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from review import collector, safetext
from review.outputs.brief.figures import Figure, excerpts_of
from review.outputs.brief.tables import Brief, Table
from review.outputs.excerpts import neutralise

FORMATS = ("md", "csv", "html", "docx")
# the table each figure follows
FIGURE_AFTER = {
    "prisma-flow": "prisma",
    "evidence-heatmap": "evidence-matrix",
    "excerpts-per-code": "evidence-matrix",
    "indicator-evidence": "joint-display",
}
LONG_CELL = 150  # characters: a cell this long is prose (quotes), not a label
KEEP_ROWS = 25  # body rows (group rows aside) a printed table keeps on one page when it can


def _text(v: object) -> str:
    """A cell's plain text, as CSV keeps it (digits a spreadsheet reads as numbers)."""
    return "" if v is None else str(v)


_PAIR = re.compile(r"(\d+) / (\d+)")


def cell_text(v: object) -> str:
    """A cell as a reader sees it in Markdown, HTML, DOCX and the Brief screen: counts of
    1,000 and more with thousands separators, as APA sets numbers ("4,951"; the evidence
    matrix's "4,126 / 16,002"); nothing as "". Text is left as it is: a title's or a
    quote's digits are not counts."""
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    text = _text(v)
    if " / " in text and len(text) > 8:  # "999 / 999" and shorter need no separator
        pair = _PAIR.fullmatch(text)
        if pair:
            return f"{int(pair[1]):,} / {int(pair[2]):,}"
    return text


_MD_CELL_SPECIAL = re.compile(r"[&<|\n]")


def _md_cell(v: object) -> str:
    """A table cell: pipes escaped, HTML inert (Markdown viewers pass raw HTML through, and
    cells hold quotes and names from outside), line breaks as <br>. (Most cells hold none of
    these: one search, no copies.)"""
    text = cell_text(v)
    if _MD_CELL_SPECIAL.search(text) is None:
        return text
    return safetext.html_inert(text).replace("|", "\\|").replace("\n", "<br>")


def numeric(t: Table) -> list[bool]:
    """Columns holding only numbers (counts): right-aligned so digits line up."""
    return [
        bool(t.rows) and all(isinstance(r[j], int | float) and not isinstance(r[j], bool)
                             for r in t.rows)
        for j in range(len(t.columns))
    ]  # fmt: skip


def display_rows(t: Table) -> list[tuple[str, list[object]]]:
    """("group", [parent]), ("leaf", row) and ("row", row) items: in a tree table a
    parent's group row comes before its codes, each shown by its leaf name.

    Once a table has groups, a top-level code's row is set under a group row of its own,
    named as it is (its own excerpts, before its sub-codes' when it has any): a bare row
    after a group's codes read as one of them ("Course workload" under "Citizen-input
    quality", in Markdown, HTML and DOCX alike). A table of top-level codes only keeps
    plain rows: with no group, nothing reads as under one."""
    if not t.tree:
        return [("row", r) for r in t.rows]
    out: list[tuple[str, list[object]]] = []
    grouped = any("/" in str(r[0]) for r in t.rows)
    parent = None
    for r in t.rows:
        path = str(r[0])
        here, _, name = path.rpartition("/")
        if grouped and not here:
            here = name = path
        if here and here != parent:
            out.append(("group", [here]))
        parent = here
        out.append(("leaf" if here else "row", [name if here else path, *r[1:]]))
    return out


def shades(t: Table) -> tuple[set[int], int]:
    """(the shaded columns, their largest count) of a shaded table: every count column but
    the first (labels) and a "Total"; (set(), 0) when not shaded."""
    if not t.shade:
        return set(), 0
    cols = {j for j, c in enumerate(t.columns) if j and c != "Total"}
    top = max((excerpts_of(r[j]) for r in t.rows for j in cols), default=0)
    return cols, top


def shade(count: int, top: int) -> tuple[str, bool] | None:
    """(fill colour, dark?) for a count: white to blue by the square root of its share."""
    if not count or not top:
        return None
    f = 0.12 + 0.88 * (count / top) ** 0.5
    low, high = (255, 255, 255), (43, 108, 176)
    rgb = [round(a + (b - a) * f) for a, b in zip(low, high, strict=True)]
    return "".join(f"{c:02X}" for c in rgb), white_text(rgb)


def white_text(rgb: list[int]) -> bool:
    """Whether white text reads better than dark on this fill: it contrasts more than black
    below a WCAG relative luminance of 0.179. (A threshold on the share of the largest count
    put white digits on mid blue, hard to read, worse printed in grey.)"""
    return luminance(rgb) < 0.179


def luminance(rgb: list[int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black … 1 white)."""
    lin = [c / 3294 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def figures_after(brief: Brief, table_id: str) -> list[Figure]:
    return [f for f in brief.figures if FIGURE_AFTER.get(f.id) == table_id]


def figure_file(fig: Figure, ext: str) -> str:
    return f"brief-figure-{fig.id}.{ext}"


def front_lines(brief: Brief) -> tuple[str, str, str]:
    """(title, question, byline) of the title block."""
    f = brief.front
    return f.title, f.question, f.byline()


def to_markdown(brief: Brief, figures: bool = True) -> str:
    """The note as Markdown; figures as images of the SVG files written beside it."""
    title, question, byline = front_lines(brief)
    out = [f"# {title}", ""]
    if question:
        out += [f"*Review question: {question}*", ""]
    if byline:
        out += [byline, ""]
    if brief.glance:
        out += ["## At a glance", "", brief.glance, ""]
    for t in brief.tables:
        out += [f"## {t.title}", "", f"*{t.caption}*", ""]
        if t.rows:
            out.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
            out.append("|" + "|".join("---:" if n else "---" for n in numeric(t)) + "|")
            for kind, r in display_rows(t):
                if kind == "group":
                    cells = [f"**{_md_cell(r[0])}**", *[""] * (len(t.columns) - 1)]
                    out.append("| " + " | ".join(cells) + " |")
                else:
                    out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
        else:
            out.append(f"*{_md_cell(t.empty)}*")
        out.append("")
        out += [f"Note: {n}" for n in t.notes]
        if t.notes:
            out.append("")
        if figures:
            for fig in figures_after(brief, t.id):
                out += [f"![{fig.caption}]({figure_file(fig, 'svg')})", ""]
    out += ["## References", ""]
    out += [f"- {safetext.markdown(str(r))}" for r in brief.references] or ["(none)"]
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
body{font-family:system-ui,"DejaVu Sans",sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.4}
header.front{border-bottom:2px solid #2b6cb0;margin-bottom:1.5rem;padding-bottom:.8rem}
header.front h1{margin:0 0 .4rem;font-size:1.8rem}
.question{font-style:italic;margin:.2rem 0}.byline{color:#555;margin:.2rem 0}
.glance{background:#f1f5f9;border-left:4px solid #2b6cb0;padding:.6rem 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}
table.wide{width:100%}
p.caption{text-align:left;font-style:italic;margin:.5rem 0 0;padding:.3rem 0}
th,td{border:1px solid #bbb;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#eef2f6;hyphens:none;overflow-wrap:normal;word-break:keep-all}
td{overflow-wrap:break-word}
tr.group td{background:#e2e8f0;font-weight:600}
td.leaf{padding-left:1.3rem}
.note{color:#555;font-size:.85rem}
.scroll{overflow-x:auto}
th.group{text-align:center} td.long{min-width:14rem} td.num{text-align:right}
td.c{text-align:center;white-space:nowrap} td.dark{color:#fff}
figure{margin:1rem 0 1.5rem}figure svg{width:100%;max-width:52rem;height:auto}
figcaption{font-style:italic;font-size:.9rem}
ol.refs{list-style:none;padding-left:2em}ol.refs li{text-indent:-2em;margin:.3rem 0}
@page{size:A4 landscape;margin:14mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9pt}
.scroll{overflow:visible}
table{font-size:7.5pt;width:100%;page-break-inside:auto}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
tr.group{break-after:avoid;page-break-after:avoid}
table.keep{break-inside:avoid;page-break-inside:avoid}
td.long{min-width:0}
h1,h2,p.caption{break-after:avoid;page-break-after:avoid}
figure,svg{break-inside:avoid;page-break-inside:avoid}
figure svg{width:auto;max-width:100%;max-height:170mm}
td,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit}
}
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


def _html_cell(text: str, number: bool = False, fill=None, cls: str = "") -> str:
    """A cell; long text (quotes, code lists) gets a minimum width so it is not squeezed;
    a count cell is shaded by its weight."""
    classes = [cls] if cls else []
    if number:
        classes.append("num")
    elif len(text) > LONG_CELL:
        classes.append("long")
    style = ""
    if fill is not None:
        style = f' style="background:#{fill[0]}"'
        if fill[1]:
            classes.append("dark")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}{style}>{html.escape(text).replace(chr(10), '<br>')}</td>"


def _html_runs(runs) -> str:
    out = []
    for text, style in runs:
        t = html.escape(text)
        if style == "i":
            out.append(f"<em>{t}</em>")
        elif style == "link":
            out.append(f'<a href="{html.escape(text, quote=True)}">{t}</a>')
        else:
            out.append(t)
    return "".join(out)


def inline_svg(data: bytes) -> str:
    """An SVG file's markup for inlining in HTML (no XML declaration or DOCTYPE)."""
    text = data.decode("utf-8")
    return text[text.index("<svg") :].strip()


def _html_table(t: Table) -> list[str]:
    """One table's markup: caption, header rows, body rows shaded by weight."""
    e = html.escape
    long = any(len(_text(c)) > LONG_CELL for r in t.rows[:50] for c in r)
    # a short table of short rows moves to the next printed page whole, as in the DOCX (a
    # 9-row Table 4 left its last group and two rows alone at the top of the next page)
    keep = not long and len(t.rows) <= KEEP_ROWS
    classes = " ".join(c for c, on in (("wide", long), ("keep", keep)) if on)
    attr = f' class="{classes}"' if classes else ""
    # the caption as a paragraph the table is labelled by, not a <caption>: a browser sets a
    # <caption> as wide as its table, so a narrow table's caption wrapped in a narrow column
    cap = f"{e(t.id)}-caption"
    out = [f'<p class="caption" id="{cap}">{e(t.caption)}</p>',
           f'<div class="scroll"><table{attr} aria-labelledby="{cap}"><thead>']  # fmt: skip
    out += _html_head(t)
    out.append("</thead><tbody>")
    num = numeric(t)
    shaded, top = shades(t)
    for kind, r in display_rows(t):
        if kind == "group":
            out.append(f'<tr class="group"><td colspan="{len(t.columns)}">{e(str(r[0]))}'
                       "</td></tr>")  # fmt: skip
            continue
        cells = []
        for j, (c, n) in enumerate(zip(r, num, strict=True)):
            fill = shade(excerpts_of(c), top) if j in shaded else None
            cls = "leaf" if kind == "leaf" and j == 0 else ""
            cls = cls or ("c" if j in shaded and not n else "")
            cells.append(_html_cell(cell_text(c), n, fill, cls))
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return out


def to_html(brief: Brief, svgs: dict[str, bytes] | None = None) -> str:
    """One page, CSS inline, figures inline as SVG, no scripts or external resources."""
    e = html.escape
    if svgs is None:
        from review.outputs.brief.plots import render

        svgs = {f.id: render(f, "svg") for f in brief.figures}
    title, question, byline = front_lines(brief)
    paper = brief.front.paper if brief.front.paper in ("A4", "Letter") else "A4"
    css = _CSS.replace("size:A4 landscape", f"size:{paper} landscape")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{css}</style></head><body>",
        f'<header class="front"><h1>{e(title)}</h1>',
    ]
    if question:
        out.append(f'<p class="question">Review question: {e(question)}</p>')
    if byline:
        out.append(f'<p class="byline">{e(byline)}</p>')
    out.append("</header>")
    if brief.glance:
        out.append(f'<section id="at-a-glance"><h2>At a glance</h2>'
                   f'<p class="glance">{e(brief.glance)}</p></section>')  # fmt: skip
    for t in brief.tables:
        out.append(f'<section id="{e(t.id)}"><h2>{e(t.title)}</h2>')
        if t.rows:
            out += _html_table(t)
        else:  # the caption and what is missing, not an empty grid
            out.append(f'<p class="caption">{e(t.caption)}</p><p class="note">{e(t.empty)}</p>')
        out += [f'<p class="note">{e(n)}</p>' for n in t.notes]
        for fig in figures_after(brief, t.id):
            out.append(f'<figure id="{e(fig.id)}">{inline_svg(svgs[fig.id])}'
                       f"<figcaption>{e(fig.caption)}</figcaption></figure>")  # fmt: skip
        out.append("</section>")
    out.append('<h2>References</h2><ol class="refs">')
    out += [f"<li>{_html_runs(getattr(r, 'runs', ((str(r), ''),)))}</li>"
            for r in brief.references]  # fmt: skip
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


@collector.paused()  # matplotlib's artists and the DOCX tree: review/collector.py
def write(
    brief: Brief, directory: Path, formats: list[str], on_step=None, cancelled=lambda: False
) -> list[Path]:
    """Write the chosen formats into `directory`, with the figures as files beside them
    (SVG with Markdown or HTML, PNG with DOCX); return the files written (sorted).
    `on_step(done, total, label)` reports progress; `cancelled()` true stops before the next
    step (each file is written whole or not at all: the others stay as they were)."""
    from review.files import write_file
    from review.outputs.brief.docx_note import to_docx
    from review.outputs.brief.plots import render_all

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    svg = bool({"md", "html"} & set(formats))
    png = "docx" in formats
    steps = [f for f in FORMATS if f in formats]
    total = len(steps) + (len(brief.figures) if svg or png else 0)
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if on_step:
            on_step(done, total, label)

    svgs: dict[str, bytes] = {}
    pngs: dict[str, bytes] = {}
    pictures = (("svg",) if svg else ()) + (("png",) if png else ())
    for fig in brief.figures if pictures else []:
        if cancelled():
            return sorted(written)
        drawn = render_all(fig, pictures)
        for fmt, store in (("svg", svgs), ("png", pngs)):
            if fmt in drawn:
                store[fig.id] = drawn[fmt]
                p = directory / figure_file(fig, fmt)
                write_file(p, drawn[fmt])
                written.append(p)
        step(f"figure {fig.id}")
    if cancelled():
        return sorted(written)
    if "md" in formats:
        p = directory / "brief.md"
        write_file(p, to_markdown(brief).encode("utf-8"))
        written.append(p)
        step("brief.md")
    if "csv" in formats and not cancelled():
        for t in brief.tables:
            p = directory / f"brief-{t.id}.csv"
            # BOM: Excel reads a UTF-8 CSV without one as cp1252 (“ ” – garbled)
            write_file(p, table_csv(t).encode("utf-8-sig"))
            written.append(p)
        step("CSV tables")
    if "html" in formats and not cancelled():
        p = directory / "brief.html"
        write_file(p, to_html(brief, svgs).encode("utf-8"))
        written.append(p)
        step("brief.html")
    if "docx" in formats and not cancelled():
        p = directory / "brief.docx"
        write_file(p, to_docx(brief, pngs))
        written.append(p)
        step("brief.docx")
    return sorted(written)
