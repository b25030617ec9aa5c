"""A coding file (`"format": "review-coding"`, JSON): codings, memos and evidence links of a
project, each coding anchored by its quote rather than by offsets.

This is how the sample workspace ships coded (`corpus/coding/sample-coding.json`): the first
import of `corpus/` loads the transcripts, then the participants and indicators, then this file
(its `order` puts it last). A coding names its source (key), code (path), coder and `quote`;
the quote is found in the source's text ignoring differences in whitespace (a VTT turn wraps
over lines) and must occur once (or give `occurrence`, 1-based). A memo is on the project, a
source (key) or a code (path); a link ties a code, or one coder's coding found by its source,
code, coder and part of its quote (`excerpt`), to an indicator ("name @ sector").

Each row that cannot be used is reported with its number and why; the others still load. A
coding already there (same source, code, span and coder) is not doubled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import add_memo, bulk_apply, find_source
from review.errors import ReviewError
from review.evidence.links import link
from review.ingest.pipeline import Format, ImportContext, ImportFailed
from review.store import models as m

FORMAT_NAME = "review-coding"


def detect(path: Path, data: bytes) -> int:
    if not path.name.lower().endswith(".json"):
        return 0
    head = data[:2000].decode("utf-8", "replace")
    return 100 if re.search(r'"format"\s*:\s*"review-coding"', head) else 0


def anchor(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """The span of the `occurrence`-th match of `quote` in `text` (whitespace-insensitive);
    without `occurrence` the quote must occur exactly once."""
    words = quote.split()
    if not words:
        raise ReviewError("empty quote")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    hits = [mt.span() for mt in pattern.finditer(text)]
    if not hits:
        raise ReviewError(f"quote not found in the text: {quote[:60]!r}")
    if occurrence is None:
        if len(hits) > 1:
            raise ReviewError(
                f"quote found {len(hits)} times: give 'occurrence' (1-{len(hits)}): {quote[:60]!r}"
            )
        occurrence = 1
    if not 1 <= occurrence <= len(hits):
        raise ReviewError(f"occurrence {occurrence} of {len(hits)}: {quote[:60]!r}")
    return hits[occurrence - 1]


def load(ctx: ImportContext) -> None:
    try:
        doc = json.loads(ctx.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(f"not valid JSON: {exc}") from exc
    if doc.get("format") != FORMAT_NAME or doc.get("version") != 1:
        raise ImportFailed("not a review-coding file of version 1")
    session = ctx.session
    if doc.get("codebook"):
        ensure_codebook(session, (ctx.path.parent / doc["codebook"]).resolve())
    texts: dict[int, str] = {}
    done = 0
    rows = doc.get("codings", [])
    by_coder: dict[str, list[dict]] = {}
    for i, row in enumerate(rows, start=1):
        ctx.report.records += 1
        try:
            source = find_source(session, row["source"])
            code = find_code(session, row["code"])
            assert source.id is not None  # a stored row's primary key
            if source.id not in texts:
                texts[source.id] = source.text or ""
            nth = int(row["occurrence"]) if "occurrence" in row else None
            start, end = anchor(texts[source.id], row["quote"], nth)
        except (ReviewError, KeyError, ValueError) as exc:
            ctx.problem(i, f"coding {i}: {_why(exc)}", record=str(row.get("quote", ""))[:60])
            ctx.report.skipped += 1
            continue
        coder = str(row.get("coder") or ctx.options.get("coder") or "import")
        by_coder.setdefault(coder, []).append(
            dict(source_id=source.id, code_id=code.id, start=start, end=end, memo=row.get("memo"))
        )
    for coder, wanted in by_coder.items():
        fresh = [r for r in wanted if not _exists(session, r, coder)]
        if fresh:
            bulk_apply(session, fresh, coder=coder)
        done += len(fresh)
    ctx.report.imported = done
    memos = links = 0
    for i, memo in enumerate(doc.get("memos", []), start=1):
        try:
            target = memo.get("target", "project")
            ref = memo.get("ref")
            target_id = None
            if target == "source":
                target_id = find_source(session, ref).id
            elif target == "code":
                target_id = find_code(session, ref).id
            add_memo(
                session,
                target=target,
                target_id=target_id,
                text=memo["text"],
                coder=memo.get("coder") or "import",
            )
            memos += 1
        except (ReviewError, KeyError) as exc:
            ctx.problem(None, f"memo {i}: {_why(exc)}")
    for i, ln in enumerate(doc.get("links", []), start=1):
        try:
            what: dict = {}
            if "excerpt" in ln:
                what["coding_id"] = _excerpt(session, ln["excerpt"])
            else:
                what["code"] = ln["code"]
            link(
                session,
                ln["indicator"],
                relation=ln.get("relation", "supports"),
                note=ln.get("note"),
                coder=ln.get("coder"),
                **what,
            )
            links += 1
        except (ReviewError, KeyError) as exc:
            ctx.problem(None, f"link {i}: {_why(exc)}")
    ctx.report.message = f"{done} codings, {memos} memos, {links} evidence links"
    ctx.progress(done, done)


def _why(exc: Exception) -> str:
    return f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)


def _exists(session, row: dict, coder: str) -> bool:
    return (
        session.scalar(
            select(col(m.Coding.id))
            .join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id))
            .where(
                col(m.Coding.source_id) == row["source_id"],
                col(m.Coding.code_id) == row["code_id"],
                col(m.Coding.start) == row["start"],
                col(m.Coding.end) == row["end"],
                col(m.Coder.name) == coder,
            )
            .limit(1)
        )
        is not None
    )


def _excerpt(session, ref: dict) -> int:
    """The coding of `ref["coder"]` with that source and code whose quote contains
    `ref["quote"]` (whitespace-insensitive)."""
    source = find_source(session, ref["source"])
    code = find_code(session, ref["code"])
    want = " ".join(ref["quote"].split())
    q = (
        select(col(m.Coding.id), col(m.Coding.quote))
        .join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id), isouter=True)
        .where(col(m.Coding.source_id) == source.id, col(m.Coding.code_id) == code.id)
    )
    if ref.get("coder"):
        q = q.where(col(m.Coder.name) == ref["coder"])
    for cid, quote in session.execute(q.order_by(col(m.Coding.id))):
        if want in " ".join((quote or "").split()):
            return cid
    raise ReviewError(f"no coding of {ref['code']!r} in {ref['source']!r} quoting {want[:50]!r}")


FORMAT = Format(
    FORMAT_NAME,
    detect,
    load,
    order=90,  # after transcripts, participants and indicators: it points at all of them
    description="coding file (JSON): codings anchored by quote, memos, evidence links",
)
