"""The undoable steps' record: every change a coder can undo (a coding applied, removed,
accepted or rejected; a screening decision) adds one `Action` row here, whichever stage made
it. Undo and redo read them back in `review.coding.history`."""

from __future__ import annotations

from sqlmodel import Session

from review.store import models as m


def record_action(session: Session, coder: m.Coder, kind: str, payload: dict) -> None:
    """One undoable step by `coder`; `payload` holds what undo needs (and `source_ids`, the
    sources it touched, so deleting a source retires it)."""
    session.add(m.Action(coder_id=coder.id, kind=kind, payload=payload))
