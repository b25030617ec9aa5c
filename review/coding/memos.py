"""Memos as text: list every memo with what it is about, edit one, delete one.

Adding lives with the coding services (`review.coding.codings.add_memo`, which the CLI's
`review memo add` calls too); this module adds what a memo view needs. A project, source or
code memo is a `Memo` row (many per target); a coding's memo is `Coding.memo` (one per coding),
so editing it replaces that text and deleting it clears it. Memo text keeps its line breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from review.coding.codebook import code_paths
from review.errors import NotFound, UsageError
from review.store import models as m
from review.store import versions
from review.store.models import utcnow


@dataclass
class MemoRow:
    """One memo as the Memos view lists it; `id` is the memo's id, or the coding's for a
    coding memo (`kind` says which)."""

    kind: str  # project, source, code, coding
    id: int
    target_id: int | None
    about: str  # the source key, the code path, or "code path: quote" of a coding
    coder: str | None
    text: str
    when: datetime | None


def memo_rows(session: Session, limit: int = 2000) -> list[MemoRow]:
    """Every memo, newest first: notes on the project, sources and codes, then coding memos."""
    paths = code_paths(session)
    keys = dict(session.execute(select(col(m.Source.id), col(m.Source.key))).all())
    out: list[MemoRow] = []
    q = (
        select(m.Memo, col(m.Coder.name))
        .join(m.Coder, col(m.Coder.id) == col(m.Memo.coder_id), isouter=True)
        .order_by(col(m.Memo.id).desc())
        .limit(limit)
    )
    for memo, coder in session.execute(q).all():
        if memo.source_id is not None:
            kind, tid, about = "source", memo.source_id, keys.get(memo.source_id, "?")
        elif memo.code_id is not None:
            kind, tid, about = "code", memo.code_id, paths.get(memo.code_id, "?")
        else:
            kind, tid, about = "project", None, "the project"
        out.append(MemoRow(kind, memo.id, tid, about, coder, memo.text, memo.updated))
    cq = (
        select(m.Coding, col(m.Coder.name))
        .join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id), isouter=True)
        .where(col(m.Coding.memo).is_not(None))
        .order_by(col(m.Coding.id).desc())
        .limit(limit)
    )
    for c, coder in session.execute(cq).all():
        quote = " ".join((c.quote or "").split())
        quote = quote if len(quote) <= 60 else quote[:57] + "…"
        about = f"{keys.get(c.source_id, '?')} · {paths.get(c.code_id, '?')}: “{quote}”"
        out.append(MemoRow("coding", c.id, c.id, about, coder, c.memo or "", c.created))
    return out


def edit_memo(
    session: Session, kind: str, memo_id: int, text: str, *, expected_version: int | None = None
) -> None:
    """Replace a memo's text (a coding memo: the coding's). Empty text is refused: delete.
    `expected_version` is the version of the memo row the writer opened; if someone changed
    it since, the edit is refused as a conflict (review.store.versions), not overwritten."""
    text = (text or "").strip()
    if not text:
        raise UsageError("a memo needs some text (delete it instead)")
    if kind == "coding":
        coding = session.get(m.Coding, memo_id)
        if coding is None:
            raise NotFound(f"no coding {memo_id}")
        coding.memo = text
    else:
        memo = session.get(m.Memo, memo_id)
        if memo is None:
            raise NotFound(f"no memo {memo_id}")
        versions.check(memo, expected_version, f"memo {memo_id}")
        memo.text, memo.updated = text, utcnow()
    session.flush()


def delete_memo(session: Session, kind: str, memo_id: int) -> str:
    """Delete a memo (a coding memo: clear it); returns the text deleted."""
    if kind == "coding":
        coding = session.get(m.Coding, memo_id)
        if coding is None or not coding.memo:
            raise NotFound(f"no memo on coding {memo_id}")
        text, coding.memo = coding.memo, None
    else:
        memo = session.get(m.Memo, memo_id)
        if memo is None:
            raise NotFound(f"no memo {memo_id}")
        text = memo.text
        session.delete(memo)
    session.flush()
    return text
