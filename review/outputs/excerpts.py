"""Coded excerpts as CSV, JSON, Markdown, DOCX and XLSX.

Each row: code path, source, citation, speaker, quote, memo, coder, offsets. Spreadsheet
cells that a spreadsheet would run as a formula are neutralised (OWASP's advice: prefix '),
because excerpts quote untrusted text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

from sqlmodel import Session, col, select

from review import safetext
from review.coding.codebook import code_paths, find_code
from review.coding.codings import blind_coder, coded_by
from review.errors import NotFound
from review.ingest.citation import citation
from review.ingest.passages import Speakers
from review.ingest.sources import source_by_key
from review.store import models as m

COLUMNS = ("code", "source", "citation", "speaker", "quote", "memo", "coder", "start", "end",
           "coding_id")  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML


def neutralise(value: object) -> object:
    """A string a spreadsheet would evaluate gets a leading apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def excerpt_rows(
    session: Session,
    code: str | None = None,
    source_key: str | None = None,
    *,
    viewer: str | None = None,
) -> list[dict]:
    """Excerpts sorted by code path, source key and offset (stable for byte-identical output).
    With blind coding on, only `viewer`'s (`blind_coder`); no viewer: every coder's."""
    paths = code_paths(session)
    q = select(m.Coding)
    mine = blind_coder(session, viewer)
    if mine is not None:
        q = q.where(coded_by(mine))
    if code is not None:
        code_id = find_code(session, code).id
        assert code_id is not None  # a stored row's primary key
        root = paths[code_id]
        wanted = [cid for cid, p in paths.items() if p == root or p.startswith(root + "/")]
        q = q.where(col(m.Coding.code_id).in_(wanted))
    if source_key is not None:
        src = source_by_key(session, source_key)
        if src is None:
            raise NotFound(f"no source with key {source_key!r}")
        q = q.where(col(m.Coding.source_id) == src.id)
    codings = session.exec(q).all()
    sources = {s.id: s for s in _sources(session, {c.source_id for c in codings})}
    coders = dict(session.exec(select(col(m.Coder.id), col(m.Coder.name))).all())
    speakers = Speakers(session, {c.source_id for c in codings})
    rows = []
    for c in codings:
        s = sources[c.source_id]
        who = speakers.at(c.source_id, c.start)
        rows.append(
            dict(code=paths.get(c.code_id, ""), source=s.key, citation=citation(s, who),
                 speaker=who or "", quote=c.quote, memo=c.memo or "",
                 coder=coders.get(c.coder_id, ""), start=c.start, end=c.end, coding_id=c.id)
        )  # fmt: skip
    rows.sort(key=lambda r: (r["code"], r["source"], r["start"], r["end"], r["coding_id"]))
    return rows


def _sources(session: Session, ids: set[int]) -> list[m.Source]:
    out: list[m.Source] = []
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        out += session.exec(
            select(m.Source).where(col(m.Source.id).in_(ordered[i : i + 500]))
        ).all()
    return out


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([neutralise(r[c]) for c in COLUMNS])
    return buf.getvalue()


def to_json(rows: list[dict]) -> str:
    return json.dumps({"excerpts": rows}, ensure_ascii=False, indent=2) + "\n"


def to_markdown(rows: list[dict]) -> str:
    """Grouped by code, each excerpt a block quote with its citation and memo; every value
    from outside escaped (`safetext.markdown`: no HTML, no links, no emphasis)."""
    md = safetext.markdown
    out = ["# Coded excerpts", ""]
    current = None
    for r in rows:
        if r["code"] != current:
            current = r["code"]
            out += [f"## {md(current)}", ""]
        quote = md(r["quote"], lines=True).replace("\n", "\n> ")
        where = f"\\[{md(r['source'])} {r['start']}–{r['end']}\\]"
        out += [f"> {quote}", ">", f"> — {md(r['citation'])} {where}"]
        if r["memo"]:
            out += ["", f"*Memo ({md(r['coder'] or 'unknown')}):* {md(r['memo'])}"]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


XLSX_WIDTHS = {"code": 28, "source": 22, "citation": 26, "speaker": 14, "quote": 80,
               "memo": 40, "coder": 10, "start": 8, "end": 8, "coding_id": 9}  # fmt: skip


def to_xlsx(rows: list[dict]) -> bytes:
    """One sheet; columns sized for reading (quote widest), header frozen and filterable."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("excerpts")
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = XLSX_WIDTHS.get(name, 12)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([neutralise(r[c]) for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_docx(rows: list[dict]) -> bytes:
    """A Word document: a heading per code, each excerpt a quote paragraph kept together with
    its citation (and memo), with space only after the pair, so a citation is never read as
    belonging to the next quote."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading("Coded excerpts", level=0)
    quote = doc.styles["Quote"].style_id  # by name, each lookup scans every style
    current = None
    for r in rows:
        if r["code"] != current:
            current = r["code"]
            doc.add_heading(current, level=1)
        p = doc.add_paragraph()
        p._p.style = quote
        p.add_run(_XML_BAD.sub("", r["quote"]))
        fmt = p.paragraph_format
        fmt.keep_with_next, fmt.space_after, fmt.left_indent = True, Pt(0), Pt(18)
        cite = doc.add_paragraph()
        run = cite.add_run(f"— {r['citation']} ({r['source']}, {r['start']}–{r['end']})")
        run.font.size = Pt(9)
        last = cite
        if r["memo"]:
            cite.paragraph_format.keep_with_next = True
            cite.paragraph_format.space_after = Pt(0)
            last = doc.add_paragraph()
            last.add_run(f"Memo ({r['coder'] or 'unknown'}): ").bold = True
            last.add_run(_XML_BAD.sub("", r["memo"]))
        for par in {id(cite): cite, id(last): last}.values():
            par.paragraph_format.left_indent = Pt(18)  # aligned with the quote
        last.paragraph_format.space_after = Pt(12)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


WRITERS: dict[str, Callable[[list[dict]], str | bytes]] = {
    "csv": to_csv,
    "json": to_json,
    "md": to_markdown,
    "docx": to_docx,
    "xlsx": to_xlsx,
}
