"""Coders: the people who screen, code, write memos and link evidence.

One home for finding a coder by name. Looking a coder up never creates one; creating the row
is the explicit `ensure_coder`, called only where a person's work is about to be recorded
(a coding, a decision, a memo, a link), so a read-only command never adds coders.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from review.errors import UsageError
from review.store import models as m


def _clean(name: str | None) -> str:
    return (name or "").strip()


def find_coder(session: Session, name: str | None) -> m.Coder | None:
    """The coder called `name`, or None."""
    name = _clean(name)
    if not name:
        return None
    return session.exec(select(m.Coder).where(m.Coder.name == name)).first()


def coder_id(session: Session, name: str | None) -> int | None:
    """The id of the coder called `name`, or None (never creates one)."""
    coder = find_coder(session, name)
    return coder.id if coder is not None else None


def ensure_coder(session: Session, name: str | None) -> m.Coder:
    """The coder called `name`, created if this is their first recorded work."""
    clean = _clean(name)
    if not clean:
        raise UsageError("a coder name is needed (--coder NAME or REVIEW_CODER)")
    coder = find_coder(session, clean)
    if coder is not None:
        return coder
    # Insert-or-get: another process may add the same person between our look and our insert
    # (two coders' first commands at once on a server); the unique name then refuses ours, and
    # theirs is the row. The savepoint keeps the caller's transaction usable either way.
    try:
        with session.begin_nested():
            coder = m.Coder(name=clean)
            session.add(coder)
    except IntegrityError:
        coder = find_coder(session, clean)
        if coder is None:
            raise
    return coder


def coder_names(session: Session) -> dict[int, str]:
    """Coder id -> name, for labelling many rows at once."""
    rows = session.exec(select(m.Coder.id, m.Coder.name)).all()
    return {cid: name for cid, name in rows if cid is not None}
