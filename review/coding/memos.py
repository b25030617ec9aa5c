"""Memos as text: list every memo with what it is about, edit one, delete one.

Listing lives here, in one function with one label format (`memos`, `label_memos`: the CLI's
`review memo list` and the TUI's Memos view); adding lives with the coding services
(`review.coding.codings.add_memo`), which labels what it adds here too. A project, source or
code memo is a `Memo` row (many per target); a coding's memo is `Coding.memo` (one per coding),
so editing it replaces that text and deleting it clears it. Memo text keeps its line breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlmodel import Session, col

from review.coding.codebook import code_paths
from review.errors import NotFound, UsageError
from review.store import models as m
from review.store import versions
from review.store.db import in_chunks
from review.store.models import utcnow


@dataclass
class MemoView:
    """One memo, as `review memo list` prints it and the Memos view lists it. `id` is the memo
    row's id (None for a coding's memo, which lives on the coding: `target_id`); `ref` is the
    id `edit_memo` and `delete_memo` take either way."""

    id: int | None
    target: str  # project, source, code, coding
    target_id: int | None
    coder: str | None
    text: str
    created: datetime | None
    version: int | None = None  # a memo row's edit version (None for a coding's memo)
    about: str | None = None  # what it is on, as a person reads it (`label_memos`)
    updated: datetime | None = None  # last edit of a memo row; a coding memo: the coding's time
    quote: str | None = None  # a coding memo: the coded text, on one line, at most 60 characters

    @property
    def ref(self) -> int | None:
        return self.target_id if self.target == "coding" else self.id


def label_memos(session: Session, views: list[MemoView]) -> None:
    """Fill each memo's `about` (the one label format): "project", the source's key, the code's
    path, or a coding as "coding ID: KEY [start:end] CODE PATH"; a coding's `quote` too."""
    paths = code_paths(session) if any(v.target in ("code", "coding") for v in views) else {}
    # (a source's or a coding's memo always has its target's id)
    source_ids = {cast(int, v.target_id) for v in views if v.target == "source"}
    coding_ids = {cast(int, v.target_id) for v in views if v.target == "coding"}
    codings = {}
    for chunk in in_chunks(sorted(coding_ids)):
        for row in session.execute(
            select(
                col(m.Coding.id),
                col(m.Coding.source_id),
                col(m.Coding.code_id),
                col(m.Coding.start),
                col(m.Coding.end),
                col(m.Coding.quote),
            ).where(col(m.Coding.id).in_(chunk))
        ).all():
            codings[row.id] = row
            source_ids.add(row.source_id)
    keys: dict[int, str] = {}
    for chunk in in_chunks(sorted(source_ids)):
        keys.update(
            session.execute(
                select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(chunk))
            ).all()
        )
    for v in views:
        if v.target == "project":
            v.about = "project"
        elif v.target == "source":
            v.about = keys.get(cast(int, v.target_id), f"source {v.target_id}")
        elif v.target == "code":
            v.about = paths.get(cast(int, v.target_id), f"code {v.target_id}")
        elif v.target == "coding" and v.target_id in codings:
            c = codings[v.target_id]
            v.about = (
                f"coding {c.id}: {keys.get(c.source_id, c.source_id)} [{c.start}:{c.end}] "
                f"{paths.get(c.code_id, c.code_id)}"
            )
            quote = " ".join((c.quote or "").split())
            v.quote = quote if len(quote) <= 60 else quote[:59] + "…"


def memos(
    session: Session,
    target: str | None = None,
    target_id: int | None = None,
    *,
    newest_first: bool = False,
    limit: int | None = None,
    viewer: str | None = None,
    search: str | None = None,
) -> list[MemoView]:
    """Every memo (on the project, sources, codes and, with `target` "coding" or None,
    codings) in one order: by when it was last written (`written`), oldest first
    (`newest_first`: newest first), at most `limit` in all; each labelled by `label_memos`.
    `review memo list` lists this oldest first, the Memos view newest first.

    One order, whatever a memo is on: this listed the memo rows first, then the coding memos,
    each part by id, so a coding memo written a minute ago sat below a day-old project memo
    on a screen that says "newest first".

    With blind coding on, the coding memos are only those on `viewer`'s own codings (a coding's
    memo is part of the coding, and tells its quote); memos on the project, a source or a code
    are notes, not codings, and stay everyone's. No viewer: every coder's.

    `search`: only the memos whose text, author, source key or code name holds it, in any
    case (in the database, so `limit` counts matches, not memos looked at)."""
    from review.coding.codings import blind_coder, coded_by  # (codings imports this module)

    order = (lambda c: c.desc()) if newest_first else (lambda c: c)
    q = select(m.Memo, col(m.Coder.name)).join(
        m.Coder, col(m.Coder.id) == col(m.Memo.coder_id), isouter=True
    )
    if target == "project":
        q = q.where(col(m.Memo.source_id).is_(None), col(m.Memo.code_id).is_(None))
    elif target in ("source", "code"):
        column = col(m.Memo.source_id) if target == "source" else col(m.Memo.code_id)
        q = q.where(column.is_not(None) if target_id is None else column == target_id)
    elif target == "coding":
        q = q.where(false())
    needle = (search or "").strip().lower()
    if needle:
        q = q.outerjoin(m.Source, col(m.Source.id) == col(m.Memo.source_id))
        q = q.outerjoin(m.Code, col(m.Code.id) == col(m.Memo.code_id))
        q = q.where(_holds(needle, m.Memo.text))
    q = q.order_by(order(col(m.Memo.updated)), order(col(m.Memo.id))).limit(limit)
    out = [
        MemoView(
            memo.id,
            memo.target,
            memo.target_id,
            name,
            memo.text,
            memo.created,
            memo.version,
            updated=memo.updated,
        )
        for memo, name in session.execute(q).all()
    ]
    if target in (None, "coding"):
        cq = (
            select(m.Coding, col(m.Coder.name))
            .join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id), isouter=True)
            .where(col(m.Coding.memo).is_not(None))
        )
        if target_id is not None:
            cq = cq.where(col(m.Coding.id) == target_id)
        mine = blind_coder(session, viewer)
        if mine is not None:
            cq = cq.where(coded_by(mine))
        if needle:
            cq = cq.join(m.Source, col(m.Source.id) == col(m.Coding.source_id))
            cq = cq.join(m.Code, col(m.Code.id) == col(m.Coding.code_id))
            cq = cq.where(_holds(needle, m.Coding.memo))
        cq = cq.order_by(order(col(m.Coding.created)), order(col(m.Coding.id))).limit(limit)
        out += [
            MemoView(None, "coding", c.id, name, c.memo, c.created, updated=c.created)
            for c, name in session.execute(cq).all()
        ]
    # each part is in order and holds its first `limit`, so the first `limit` of both merged
    # are among them
    out.sort(key=_written_order, reverse=newest_first)
    out = out[:limit] if limit is not None else out
    label_memos(session, out)
    return out


def written(memo: MemoView) -> datetime | None:
    """When a memo was last written, as far as the workspace knows: a memo row's last edit
    (its creation until edited); a coding's memo, its coding's time, as the coding keeps no
    time of its own for its memo (one written on an old coding sorts by that coding's age)."""
    return memo.updated or memo.created


def _written_order(memo: MemoView) -> tuple[datetime, int, int]:
    """The one memo order (`memos`): when written, then by kind and id, so memos written in
    the same instant (as an import or a merge writes them) keep one order from run to run."""
    return (written(memo) or datetime.min, memo.target != "coding", memo.ref or 0)


def _holds(needle: str, text) -> ColumnElement[bool]:
    """The memo's text, its author, its source's key or its code's name holds `needle`
    (lower case): what a person filtering memos looks for. LIKE's wildcards are taken as
    the characters typed."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    columns = (text, m.Coder.name, m.Source.key, m.Code.name)
    return or_(*(func.lower(col(c)).like(pattern, escape="\\") for c in columns))


def own_memo(session: Session, target: str, target_id: int, coder: str) -> MemoView | None:
    """`coder`'s own memo on a code or a source (the newest, if they wrote several), or None.
    The Codebook's `M` opens it to edit rather than add a second one beside it; the other
    coders' memos there are theirs and are left alone."""
    mine = [v for v in memos(session, target, target_id, newest_first=True) if v.coder == coder]
    return mine[0] if mine else None


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
