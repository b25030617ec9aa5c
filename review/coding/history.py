"""Undo and redo: the one history of undoable steps — a coding applied, removed, accepted or
rejected, and a screening decision recorded or changed.

Every such change records an `Action` (`review.store.actions.record_action`). `undo`
reverses this coder's most recent step of the given kinds (`CODING` unless told: the Reader
and `review code undo`; `SCREENING` for the Screening screen and `review screen undo|redo`,
through `screen_step`) that is not undone yet; with
`source_id` only a step in that source (the Reader undoes what it shows, never a step made
elsewhere), with `stage` only a screening step at that stage. So the Reader's undo never
takes back a screening decision on the record it shows, nor the Screening screen's a coding.
Undoing an applied or accepted coding keeps a snapshot of it — quote, memo, evidence links —
in the action, so `redo` puts it back exactly, with the same id; a screening step keeps the
decision before and after it, and both put the record's stored status right
(`review.screening.decisions.put_decision`). `redo` re-does the most recently undone step,
unless this coder has made a new step (there) since that undo: as in an editor, a new change
ends the redo chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from review.coding.codebook import code_paths
from review.coding.codings import (
    coding_snapshot,
    delete_codings,
    get_codings,
    link_snapshots,
    parse_time,
)
from review.screening.decisions import (
    SCREEN_STEP,
    UNSCREENED,
    outcomes,
    put_decision,
    said,
)
from review.store import models as m
from review.store.coders import coder_id
from review.store.models import utcnow

CODING = ("apply", "remove", "accept", "reject")
SCREENING = (SCREEN_STEP,)
SCAN = 500  # recent actions looked through for one in scope


def undo(
    session: Session,
    coder: str,
    source_id: int | None = None,
    *,
    kinds: tuple[str, ...] = CODING,
    stage: str | None = None,
) -> str | None:
    """Undo this coder's latest step of `kinds` (in `source_id`, at `stage`); a sentence
    saying what, or None."""
    action = next_step(session, coder, undone=False, source_id=source_id, kinds=kinds, stage=stage)
    if action is None:
        return None
    payload = dict(action.payload or {})
    kind = action.kind
    if kind == SCREEN_STEP:
        what = _screen_step(session, payload, undoing=True)
    elif kind in ("apply", "accept"):
        ids = payload.get("coding_ids", [])
        codings = get_codings(session, ids[: SCAN * 10])
        links = [ln for c in codings for ln in link_snapshots(session, cast(int, c.id))]
        payload["redo"] = {"codings": [coding_snapshot(c) for c in codings], "links": links}
        delete_codings(session, ids)
        what = (
            _describe(session, "removed", codings, links, ids)
            if kind == "apply"
            else (
                f"un-accepted {len(payload.get('suggestion_ids', []))} suggestion(s)"
                + _extras(codings, links)
            )
        )
    elif kind == "remove":
        snaps = payload.get("codings", [])
        _restore(session, snaps, payload.get("links", []))
        what = f"restored {_what(session, snaps)}" + _extras_snaps(snaps, payload.get("links", []))
    elif kind == "reject":
        ids = payload.get("suggestion_ids", [])
        _set_status(session, ids, "rejected", "pending")
        what = f"un-rejected {len(ids)} suggestion(s)"
    else:
        what = f"nothing to undo for {kind!r}"
    payload["undone_at"] = utcnow().isoformat()
    action.payload = payload  # a new dict: the JSON column sees the change
    action.undone = True
    session.flush()
    return what


def redo(
    session: Session,
    coder: str,
    source_id: int | None = None,
    *,
    kinds: tuple[str, ...] = CODING,
    stage: str | None = None,
) -> str | None:
    """Re-do the step of `kinds` undone last (in `source_id`, at `stage`); a sentence saying
    what, or None."""
    action = next_step(session, coder, undone=True, source_id=source_id, kinds=kinds, stage=stage)
    if action is None:
        return None
    payload = dict(action.payload or {})
    since = parse_time(payload.get("undone_at"))
    newer = [
        a
        for a in _recent(session, coder, undone=False, kinds=kinds)
        if a.created and a.created > since and _in_scope(session, a, source_id, stage)
    ]
    if newer:
        return None  # a new step since the undo ends the redo chain
    kind = action.kind
    if kind == SCREEN_STEP:
        what = _screen_step(session, payload, undoing=False)
    elif kind in ("apply", "accept"):
        saved = payload.pop("redo", {"codings": [], "links": []})
        _restore(session, saved["codings"], saved["links"])
        if kind == "accept":
            sug_ids = payload.get("suggestion_ids", [])
            pairs = zip(sug_ids, payload.get("coding_ids", []), strict=False)
            for sug_id, cid in pairs:
                session.execute(
                    update(m.Suggestion)
                    .where(col(m.Suggestion.id) == sug_id)
                    .values(status="accepted", coding_id=cid)
                )
            what = f"re-accepted {len(payload.get('suggestion_ids', []))} suggestion(s)"
        else:
            what = f"re-applied {_what(session, saved['codings'])}"
        what += _extras_snaps(saved["codings"], saved["links"])
    elif kind == "remove":
        ids = [snap["id"] for snap in payload.get("codings", [])]
        codings = get_codings(session, ids)
        payload["codings"] = [coding_snapshot(c) for c in codings]  # as they are now
        payload["links"] = [ln for c in codings for ln in link_snapshots(session, cast(int, c.id))]
        delete_codings(session, ids)
        what = f"removed {_what(session, [coding_snapshot(c) for c in codings])} again"
    elif kind == "reject":
        ids = payload.get("suggestion_ids", [])
        _set_status(session, ids, "pending", "rejected")
        what = f"re-rejected {len(ids)} suggestion(s)"
    else:
        return None
    payload.pop("undone_at", None)
    action.payload = payload
    action.undone = False
    session.flush()
    return what


@dataclass
class ScreenStep:
    """What `screen_step` did: the record and stage of the step it found (None: there was
    none), and the sentence saying what changed (None: nothing changed — no step, or for a
    redo, a decision made since the undo ended the redo chain)."""

    key: str | None
    stage: str | None
    what: str | None


def screen_step(
    session: Session, coder: str, which: str = "undo", stage: str | None = None
) -> ScreenStep:
    """`which` "undo" or "redo" this coder's last screening decision (at `stage`, else at
    either): the Screening screen's ctrl+z / ctrl+y and `review screen undo|redo`."""
    if which not in ("undo", "redo"):
        raise ValueError(f"which must be undo or redo, not {which!r}")
    nxt = next_step(session, coder, undone=which == "redo", kinds=SCREENING, stage=stage)
    payload = (nxt.payload or {}) if nxt is not None else {}
    step = redo if which == "redo" else undo
    what = step(session, coder, kinds=SCREENING, stage=stage)
    return ScreenStep(payload.get("key"), payload.get("stage"), what)


# --- finding the step -----------------------------------------------------------------------


def _recent(
    session: Session, coder: str, undone: bool, kinds: tuple[str, ...] = CODING
) -> list[m.Action]:
    cid = coder_id(session, coder)
    if cid is None:
        return []
    return list(
        session.scalars(
            select(m.Action)
            .where(col(m.Action.coder_id) == cid, col(m.Action.undone).is_(undone))
            .where(col(m.Action.kind).in_(kinds))
            .order_by(col(m.Action.id).desc())
            .limit(SCAN)
        )
    )


def next_step(
    session: Session,
    coder: str,
    *,
    undone: bool,
    source_id: int | None = None,
    kinds: tuple[str, ...] = CODING,
    stage: str | None = None,
) -> m.Action | None:
    """The step `undo` (undone=False) or `redo` (undone=True) would take, or None; a screening
    step's payload names its record (`key`), which the Screening screen shows after undoing."""
    actions = _recent(session, coder, undone, kinds)
    if undone:  # the one undone last, not the newest action
        actions.sort(key=lambda a: (a.payload or {}).get("undone_at", ""), reverse=True)
    return next((a for a in actions if _in_scope(session, a, source_id, stage)), None)


def _in_scope(
    session: Session, action: m.Action, source_id: int | None, stage: str | None = None
) -> bool:
    if stage is not None and (action.payload or {}).get("stage") != stage:
        return False
    return source_id is None or source_id in action_sources(session, action)


def _screen_step(session: Session, payload: dict, undoing: bool) -> str:
    """Put a screening decision back as it was before (undo) or after (redo) the step: "cr1:
    include taken back at title-abstract (status unscreened)", "cr1: exclude (wrong outcome)
    again at title-abstract (status conflict)"."""
    before, after = payload.get("before"), payload["after"]
    sid = put_decision(session, payload["decision_id"], before if undoing else after)
    if sid is None:
        return f"{payload.get('key')}: nothing to change (the decision is gone)"
    what = "resolution " if payload.get("final") else ""
    if undoing:
        back = f", {said(before['decision'], before['reason'])} again" if before else ""
        change = f"{what}{said(after['decision'], after['reason'])} taken back{back}"
    else:
        change = f"{what}{said(after['decision'], after['reason'])} again"
    stage = payload.get("stage", "title-abstract")
    o = outcomes(session, stage, [sid]).get(sid)
    return f"{payload.get('key')}: {change} at {stage} (status {o.status if o else UNSCREENED})"


def action_sources(session: Session, action: m.Action) -> set[int]:
    """The sources an action touched (recorded since this version; worked out for older
    actions from their codings and suggestions)."""
    payload = action.payload or {}
    if "source_ids" in payload:
        return set(payload["source_ids"])
    found = {snap["source_id"] for snap in payload.get("codings", [])}
    found |= {snap["source_id"] for snap in (payload.get("redo") or {}).get("codings", [])}
    ids = payload.get("coding_ids", [])[:SCAN]
    if ids:
        found |= set(
            session.scalars(select(col(m.Coding.source_id)).where(col(m.Coding.id).in_(ids)))
        )
    sids = payload.get("suggestion_ids", [])[:SCAN]
    if sids:
        found |= set(
            session.scalars(
                select(col(m.Suggestion.source_id)).where(col(m.Suggestion.id).in_(sids))
            )
        )
    return found


# --- putting rows back ----------------------------------------------------------------------


def _restore(session: Session, codings: list[dict], links: list[dict]) -> None:
    for snap in codings:
        row = dict(snap, created=parse_time(snap.get("created")))
        if session.get(m.Coding, row["id"]) is None:
            session.execute(insert(m.Coding).values(**row))
    for link in links:
        row = dict(link, created=parse_time(link.get("created")))
        if session.get(m.EvidenceLink, row["id"]) is None:
            session.execute(insert(m.EvidenceLink).values(**row))


def _set_status(session: Session, ids: list[int], was: str, now: str) -> None:
    for i in range(0, len(ids), 5000):
        session.execute(
            update(m.Suggestion)
            .where(col(m.Suggestion.id).in_(ids[i : i + 5000]), col(m.Suggestion.status) == was)
            .values(status=now)
        )


# --- saying what was done -------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _what(session: Session, codings: list[dict]) -> str:
    """One coding by its code and span, "Drivers/Trust at 22–67 (coding 148)": "Undo: removed
    coding 148" told a coder nothing of what had gone. Several: how many."""
    if len(codings) != 1:
        return _count(len(codings), "coding")
    c = codings[0]
    path = code_paths(session).get(c["code_id"], f"code {c['code_id']}")
    return f"{path} at {c['start']}–{c['end']} (coding {c['id']})"


def _describe(
    session: Session, verb: str, codings: list[m.Coding], links: list[dict], ids: list[int]
) -> str:
    if not codings:
        return "nothing (coding already gone)"
    head = (
        _what(session, [coding_snapshot(codings[0])])
        if len(ids) == 1
        else _count(len(ids), "coding")
    )
    return f"{verb} {head}" + _extras(codings, links)


def _extras(codings: list[m.Coding], links: list[dict]) -> str:
    return _extras_snaps([{"memo": c.memo} for c in codings], links)


def _extras_snaps(codings: list[dict], links: list[dict]) -> str:
    memos = sum(1 for c in codings if c.get("memo"))
    parts = ([_count(memos, "memo")] if memos else []) + (
        [_count(len(links), "evidence link")] if links else []
    )
    return f" with its {' and '.join(parts)}" if parts else ""
