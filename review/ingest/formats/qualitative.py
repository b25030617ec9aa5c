"""Storing a parsed transcript or document: the Source, its participants and its passages.

Shared by the text, .docx, WebVTT, SRT and PDF formats (this module declares no FORMAT).
Everything happens in the import's one transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from sqlmodel import Session, col, select

from review.ingest.participants import resolve_speakers
from review.ingest.passages import segment, store_passages
from review.ingest.pipeline import ImportContext, ImportFailed
from review.ingest.sources import key_is, normal_key
from review.ingest.textio import looks_binary, normalise, read_text
from review.ingest.transcripts.model import Parsed
from review.store import models as m

_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    """The text as a reader compares it: SHA-256 after NFKC with every whitespace run removed,
    so one interview saved as .txt and as .docx (blank lines, spacing) hashes the same."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def refuse_binary(ctx: ImportContext, what: str) -> None:
    """A binary file named .txt/.vtt/.srt: one clear line, nothing imported.

    Besides textio's byte test, the decoded text is checked: binary that happens to pass as
    UTF-16 decodes to control characters and replacement marks, which real text lacks."""
    if looks_binary(ctx.data) or _garbled(read_text(ctx.data[:65536]).text):
        raise ImportFailed(f"binary file, not {what} (it contains control bytes / NULs)")


def _garbled(text: str) -> bool:
    if not text:
        return False
    bad = sum(
        1
        for c in text
        if (c < " " and c not in "\n\t")
        or c == "\ufffd"
        or "\ud800" <= c <= "\udfff"
        or "\x7f" <= c <= "\x9f"
    )
    return bad > max(2, len(text) * 0.02)


def unique_key(session: Session, stem: str) -> str:
    """The file stem, or `stem-2`, `stem-3`, ... if another source already has it."""
    key = normal_key(stem)[:280] or "untitled"
    n = 1
    candidate = key
    while session.exec(select(col(m.Source.id)).where(key_is(candidate))).first() is not None:
        n += 1
        candidate = f"{key}-{n}"
    return candidate


def same_text(session: Session, digest: str) -> m.Source | None:
    return session.exec(select(m.Source).where(col(m.Source.text_hash) == digest)).first()


def same_content(session: Session, text: str) -> m.Source | None:
    """A stored source whose text equals `text` ignoring whitespace and blank lines. Texts
    stored without a content hash (a REFI-QDA project's, a merged record's) get one here."""
    digest = content_hash(text)
    found = session.exec(select(m.Source).where(col(m.Source.content_hash) == digest)).first()
    if found is not None:
        return found
    unhashed = session.exec(
        select(col(m.Source.id), col(m.Source.text)).where(
            col(m.Source.text).is_not(None), col(m.Source.content_hash).is_(None)
        )
    ).all()
    hit = None
    for sid, body in unhashed:
        assert body is not None  # the query's filter
        value = content_hash(body)
        source = session.get(m.Source, sid)
        assert source is not None  # just read
        source.content_hash = value
        session.add(source)
        if value == digest and hit is None:
            hit = source
    return hit


def duplicate_message(earlier: m.Source) -> str:
    """The one line an import says for a text that is already there."""
    origin = f" from {Path(earlier.origin_file).name}" if earlier.origin_file else ""
    return (
        f"same text (ignoring blank lines and spacing) already imported as source "
        f"{earlier.key!r}{origin}; nothing added"
    )


def store_parsed(ctx: ImportContext, parsed: Parsed, *, kind: str | None = None) -> m.Source | None:
    """Store one transcript/document; raises ImportFailed if the parse found it unusable."""
    fatal = [p for p in parsed.problems if p.fatal]
    if fatal:
        raise ImportFailed(fatal[0].message, fatal[0].line)
    for p in parsed.problems:  # a caption block that is not a cue: its words are not imported
        ctx.problem(p.line, p.message)
    if not parsed.text.strip():
        raise ImportFailed("no text in the file: nothing to import")
    ctx.report.records = 1
    session = ctx.session
    digest = text_hash(parsed.text)
    earlier = same_text(session, digest) or same_content(session, parsed.text)
    if earlier is not None:
        ctx.report.skipped = 1
        ctx.report.message = duplicate_message(earlier)
        return None
    kind = kind or ("transcript" if parsed.turns else "document")
    meta = dict(parsed.meta)
    meta["speakers"] = parsed.speakers
    meta["turns"] = len(parsed.turns)
    meta["format"] = ctx.batch.format
    year = None
    if meta.get("date") and (y := _YEAR.search(str(meta["date"]))):
        year = int(y.group(0))
    source = m.Source(
        key=unique_key(session, ctx.path.stem),
        kind=kind,
        title=meta.get("title") or normalise(ctx.path.stem),
        year=year,
        text=parsed.text,
        text_hash=digest,
        content_hash=content_hash(parsed.text),
        meta=meta,
        batch_id=ctx.batch.id,
        origin_file=str(ctx.path),
        record_format=ctx.batch.format,
    )
    session.add(source)
    session.flush()
    ctx.progress(0, 1)  # (where a cancel is noticed: before and after the long segmenting)
    segments = segment(parsed)
    ctx.progress(0, 1)
    ids = {}
    if parsed.turns:
        ids = resolve_speakers(
            session, source, [(t.speaker, t.role) for t in parsed.turns if t.speaker]
        )
    n = store_passages(session, source, segments, ids)
    ctx.report.imported = 1
    ctx.report.message = (
        f"{kind} {source.key!r}: {len(parsed.turns)} turns, {len(parsed.speakers)} speakers, "
        f"{n} passages"
    )
    ctx.progress(1, 1)
    return source
