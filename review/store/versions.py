"""Edit versions: a stale edit of a code, memo or indicator is a conflict, never an overwrite.

Every flush that changes one of these rows bumps its `version` and records who (the session's
`info["coder"]`, set by the interfaces' sessions) and when — in one place, an ORM event, so
every edit path (the Codebook screen, `review codebook edit`, a merge) counts. An edit made
from what someone saw earlier (the form the workbench opened a minute ago) passes the version
it saw to `check`; if the row has moved on since, the edit is refused with who changed it and
when, so the person reloads instead of undoing their colleague's change unseen.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlmodel import Session

from review.errors import ConflictError
from review.store import models as m

VERSIONED = (m.Code, m.Memo, m.Indicator)
BOOKKEEPING = {"version", "updated", "updated_by"}


def check(row: m.Code | m.Memo | m.Indicator, expected: int | None, what: str) -> None:
    """Refuse an edit made from version `expected` when the row is at a later one (None:
    the caller read the row in this same transaction, so there is nothing to compare)."""
    if expected is None or row.version == expected:
        return
    who = row.updated_by or "someone"
    when = f" at {row.updated:%H:%M}" if row.updated is not None else ""
    raise ConflictError(
        f"{what} was changed by {who}{when} (version {row.version}, you edited version "
        f"{expected}); reload it and edit again"
    )


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in BOOKKEEPING)


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context, _instances) -> None:
    coder = session.info.get("coder")
    for obj in session.dirty:
        if isinstance(obj, VERSIONED) and _changed(obj):
            obj.version = (obj.version or 1) + 1
            obj.updated = m.utcnow()
            obj.updated_by = coder
    for obj in session.new:
        if isinstance(obj, VERSIONED) and coder and obj.updated_by is None:
            obj.updated_by = coder
