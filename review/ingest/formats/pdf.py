"""PDF full text (pypdf): attached to the literature record it belongs to, else a document.

Runs after the literature formats (order 30) so that `review import corpus/` can match a PDF
to a record imported in the same run. A record is matched by, in turn: a DOI in the PDF's
first pages; a cite key in the file name (`bovaird2007.pdf`, `bovaird2007 - Beyond.pdf`); the
title, fuzzily (rapidfuzz), against the PDF's metadata title, its file name, or its first
page. A matched record gets the text (only if it has none) and passages.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session, col, func, select

from review.ingest.formats.qualitative import (
    content_hash,
    duplicate_message,
    same_content,
    same_text,
    store_parsed,
    text_hash,
)
from review.ingest.passages import segment_document, store_passages
from review.ingest.pipeline import Format, ImportContext, ImportFailed
from review.ingest.sources import key_is
from review.ingest.transcripts.model import Parsed
from review.ingest.transcripts.pdf_text import PdfError, find_doi, read_pdf
from review.store import models as m
from review.store.kinds import literature_clause

TITLE_CUTOFF = 90
MISNAMED = (".docx", ".doc", ".txt", ".md", ".rtf", ".odt")  # what a renamed PDF may claim to be


def detect(path: Path, data: bytes) -> int:
    if data.lstrip()[:5] == b"%PDF-":
        return 90
    return 50 if path.suffix.lower() == ".pdf" else 0


def _literature(session: Session):
    return select(m.Source).where(literature_clause(), col(m.Source.merged_into_id).is_(None))


def match_record(
    session: Session, path: Path, text: str, meta: dict
) -> tuple[m.Source | None, str | None]:
    """(record, how it was matched) for a PDF, or (None, None)."""
    doi = find_doi(text[:20000])
    if doi:
        hit = session.exec(_literature(session).where(func.lower(col(m.Source.doi)) == doi)).first()
        if hit is not None:
            return hit, f"DOI {doi}"
    tokens = [t for t in re.split(r"[\s_\-–—,.;()\[\]]+", path.stem) if t]
    for key in dict.fromkeys([path.stem, *tokens[:2]]):
        hit = session.exec(_literature(session).where(key_is(key))).first()
        if hit is not None:
            return hit, f"cite key {key}"
    return _by_title(session, path, text, meta)


def _by_title(
    session: Session, path: Path, text: str, meta: dict
) -> tuple[m.Source | None, str | None]:
    from rapidfuzz import fuzz, process

    rows = session.exec(
        select(col(m.Source.id), col(m.Source.title)).where(
            literature_clause(),
            col(m.Source.merged_into_id).is_(None),
            col(m.Source.title).is_not(None),
        )
    ).all()
    titles = {sid: _fold(title) for sid, title in rows if title and len(title) >= 15}
    if not titles:
        return None, None
    # (how, probe, scorer, shortest probe as a share of the title it may match)
    name_title = max(re.split(r"\s+[-–—]\s+|_-_", path.stem), key=len)
    probes = [
        ("PDF title", _fold(meta.get("title") or ""), fuzz.token_sort_ratio, 0.0),
        ("file name", _fold(path.stem), fuzz.token_sort_ratio, 0.0),
        ("file name", _fold(name_title), fuzz.token_sort_ratio, 0.0),
        # "Bovaird - 2007 - Beyond engagement and participation.pdf" (Zotero's style), but
        # not a stem so short that it fits inside many titles
        ("file name", _fold(name_title), fuzz.partial_ratio, 0.6),
        ("first page", _fold(text[:1500]), fuzz.partial_ratio, 1.0),
    ]
    for how, probe, scorer, share in probes:
        if len(probe) < 15:
            continue
        found = process.extract(probe, titles, scorer=scorer, score_cutoff=TITLE_CUTOFF, limit=5)
        for _, score, sid in found:
            if len(probe) >= share * len(titles[sid]):
                return session.get(m.Source, sid), f"title ({how}, {score:.0f}%)"
    return None, None


def _fold(value: str) -> str:
    return re.sub(r"\W+", " ", value.lower()).strip()


def load(ctx: ImportContext) -> None:
    suffix = ctx.path.suffix.lower()
    try:
        text, meta = read_pdf(ctx.data)
    except PdfError as exc:
        named = f" (named {suffix}, but it is a PDF)" if suffix in MISNAMED else ""
        raise ImportFailed(f"{exc}{named}") from None
    if suffix in MISNAMED:  # read from its content, but the user should know why
        ctx.warn(None, f"named {suffix}, but it is a PDF: imported as a PDF")
    session = ctx.session
    record, how = match_record(session, ctx.path, text, meta)
    if record is None:
        parsed = Parsed(text=text, meta=meta)
        store_parsed(ctx, parsed, kind="document")
        return
    ctx.report.records = 1
    if record.text:
        ctx.report.skipped = 1
        ctx.report.message = f"matched {record.key!r} by {how}; it already has text, kept as is"
        return
    digest = text_hash(text)
    earlier = same_text(session, digest) or same_content(session, text)
    if earlier is not None:
        ctx.report.skipped = 1
        ctx.report.message = duplicate_message(earlier)
        return
    record.text = text
    record.text_hash = digest
    record.content_hash = content_hash(text)
    record.meta = {
        **(record.meta or {}),
        "fulltext": {"file": str(ctx.path), "matched": how, "batch": ctx.batch.id},
    }
    session.add(record)
    session.flush()
    n = store_passages(session, record, segment_document(text))
    ctx.report.imported = 1
    ctx.report.message = f"full text of {record.key!r} (matched by {how}), {n} passages"
    ctx.progress(1, 1)


FORMAT = Format(
    name="pdf",
    detect=detect,
    load=load,
    order=30,
    description="PDF full text of a literature record, or a new document",
)
