"""The undoable steps' record: every change a coder can undo (a coding applied, removed,
accepted or rejected; a screening decision) adds one `Action` row here, whichever stage made
it. Undo and redo read them back in `review.coding.history`.

A code merged into another or deleted leaves a `code-gone` action (`codes_gone`): not a step
anyone undoes, but what history needs to know of the steps that name that code — a coding
restored by undo or redo goes to the code it was merged into, and a step whose code was
deleted is refused, naming the code, instead of putting back a row that points at nothing.
Code ids are never reused (AUTOINCREMENT), so what it says of an id stays true."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from review.store import models as m
from review.store.coders import coder_id

CODE_GONE = "code-gone"


def record_action(session: Session, coder: m.Coder, kind: str, payload: dict) -> None:
    """One undoable step by `coder`; `payload` holds what undo needs (and `source_ids`, the
    sources it touched, so deleting a source retires it)."""
    session.add(m.Action(coder_id=coder.id, kind=kind, payload=payload))


def codes_gone(
    session: Session,
    gone: dict[int, int | None],
    paths: dict[int, str],
    folded: dict[int, int] | None = None,
) -> None:
    """Record that the codes `gone` (id -> the id of the code it was merged into, or None:
    deleted) are no more; `paths` names every code involved (as it was), `folded` the codings
    a merge folded into another (id -> the id of the coding kept). Whoever the session's
    interface names (`session.info["coder"]`) did it."""
    who = session.info.get("coder")
    session.add(
        m.Action(
            coder_id=coder_id(session, who) if who else None,
            kind=CODE_GONE,
            payload={
                "codes": {str(k): v for k, v in gone.items()},
                "paths": {str(k): v for k, v in paths.items()},
                "folded": {str(k): v for k, v in (folded or {}).items()},
            },
        )
    )


def gone_codes(session: Session) -> tuple[dict[int, int | None], dict[int, str], dict[int, int]]:
    """Everything `codes_gone` recorded: (code id -> merged into / None, code id -> its path
    then, coding id -> the coding it was folded into)."""
    into: dict[int, int | None] = {}
    paths: dict[int, str] = {}
    folded: dict[int, int] = {}
    for payload in session.scalars(
        select(col(m.Action.payload))
        .where(col(m.Action.kind) == CODE_GONE)
        .order_by(col(m.Action.id))
    ):
        payload = payload or {}
        into.update({int(k): v for k, v in payload.get("codes", {}).items()})
        paths.update({int(k): v for k, v in payload.get("paths", {}).items()})
        folded.update({int(k): int(v) for k, v in payload.get("folded", {}).items()})
    return into, paths, folded
