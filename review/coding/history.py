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
(`review.screening.decisions.put_decision`).

A step may name a code merged or deleted since (the Codebook's `g` and `delete`, `review
codebook merge|delete`, which record it: `review.store.actions.codes_gone`). A coding put back
(undoing a removal, redoing an apply) goes to the code its code was merged into, and the
sentence says so; a step that cannot be undone whole — its code deleted, its coding folded into
another by a merge, or gone — is refused with a `Refused` sentence naming the code or coding,
changes nothing, and is dropped from the history, so the next undo takes the step before it
(never a coding put back pointing at a code that is no more).

`redo` re-does the most recently undone step, unless this coder has made a new step (there)
since that undo: as in an editor, a new change ends the redo chain.
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
from review.store.actions import gone_codes
from review.store.coders import coder_id
from review.store.models import utcnow

CODING = ("apply", "remove", "accept", "reject")
SCREENING = (SCREEN_STEP,)
SCAN = 500  # recent actions looked through for one in scope


class Refused(str):
    """What `undo` or `redo` says of a step it could not take (its code deleted since, its
    coding folded into another or gone): nothing changed, and the step left the history. An
    interface shows it as a refusal ("nothing undone: …"), not as a step done."""


@dataclass
class Gone:
    """The codes merged or deleted so far (`review.store.actions.gone_codes`)."""

    into: dict[int, int | None]
    paths: dict[int, str]
    folded: dict[int, int]

    @classmethod
    def read(cls, session: Session) -> Gone:
        return cls(*gone_codes(session))

    def follow(self, code_id: int) -> tuple[int | None, list[int]]:
        """The code a coding of `code_id` belongs to now (None: deleted), and the codes it
        went through on the way (merged away, `code_id` first; empty: still there)."""
        chain: list[int] = []
        now: int | None = code_id
        while now is not None and now in self.into and now not in chain:
            chain.append(now)
            now = self.into[now]
        return now, chain

    def path(self, session: Session, code_id: int) -> str:
        """A code's path now, else as it was when it went."""
        return code_paths(session).get(code_id) or self.paths.get(code_id, f"code {code_id}")


def _refuse(session: Session, action: m.Action, why: str) -> Refused:
    """Drop a step that cannot be taken from the history and say why."""
    undoing = not action.undone
    session.delete(action)
    session.flush()
    more = " (undo again for the one before)" if undoing else ""
    return Refused(f"{why}; the step is dropped from your history{more}")


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
    gone = Gone.read(session) if kind in CODING else Gone({}, {}, {})
    if kind == SCREEN_STEP:
        what = _screen_step(session, payload, undoing=True)
    elif kind in ("apply", "accept"):
        ids = payload.get("coding_ids", [])
        codings = get_codings(session, ids[: SCAN * 10])
        found = {c.id for c in codings}
        missing = [i for i in ids[: SCAN * 10] if i not in found]
        if ids and not codings:
            why = _why_gone(session, gone, missing, payload.get("code_ids", []), "you applied it")
            return _refuse(session, action, f"nothing undone: {why}")
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
        what += _merged_note(session, gone, payload.get("code_ids", []))
        if missing:
            why = _why_gone(session, gone, missing, payload.get("code_ids", []), "you applied it")
            what += f" ({_count(len(missing), 'coding')} of the step not: {why})"
    elif kind == "remove":
        snaps, refusal = _moved_on(session, gone, payload.get("codings", []), "removed")
        if refusal is not None:
            return _refuse(session, action, f"nothing restored: {refusal}")
        left = _restore(session, snaps, payload.get("links", []))
        back = [ln for ln in payload.get("links", []) if ln not in left]
        what = f"restored {_what(session, snaps)}" + _extras_snaps(snaps, back) + _links_left(left)
        what += _merged_note(session, gone, [c["code_id"] for c in payload.get("codings", [])])
    elif kind == "reject":
        what = _rejection(session, action, gone, ("rejected", "pending"), "you rejected them")
        if isinstance(what, Refused):
            return what
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
    gone = Gone.read(session) if kind in CODING else Gone({}, {}, {})
    if kind == SCREEN_STEP:
        what = _screen_step(session, payload, undoing=False)
    elif kind in ("apply", "accept"):
        saved = payload.pop("redo", {"codings": [], "links": []})
        was = [c["code_id"] for c in saved["codings"]]
        snaps, refusal = _moved_on(session, gone, saved["codings"], "undone")
        if refusal is not None:
            return _refuse(session, action, f"nothing redone: {refusal}")
        saved = dict(saved, codings=snaps)
        left = _restore(session, saved["codings"], saved["links"])
        saved["links"] = [ln for ln in saved["links"] if ln not in left]
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
        what += _extras_snaps(saved["codings"], saved["links"]) + _links_left(left)
        what += _merged_note(session, gone, was)
    elif kind == "remove":
        ids = [snap["id"] for snap in payload.get("codings", [])]
        codings = get_codings(session, ids)
        if ids and not codings:
            codes = [snap["code_id"] for snap in payload.get("codings", [])]
            why = _why_gone(session, gone, ids, codes, "your undo restored it")
            return _refuse(session, action, f"nothing redone: {why}")
        payload["codings"] = [coding_snapshot(c) for c in codings]  # as they are now
        payload["links"] = [ln for c in codings for ln in link_snapshots(session, cast(int, c.id))]
        delete_codings(session, ids)
        what = f"removed {_what(session, [coding_snapshot(c) for c in codings])} again"
    elif kind == "reject":
        what = _rejection(session, action, gone, ("pending", "rejected"), "your undo put them back")
        if isinstance(what, Refused):
            return what
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


def _restore(session: Session, codings: list[dict], links: list[dict]) -> list[dict]:
    """Put the codings and their evidence links back; return the links that are not,
    because their indicator has gone since (`review import --undo` of its batch): a link to
    nothing is no evidence, and the codings still come back."""
    for snap in codings:
        row = dict(snap, created=parse_time(snap.get("created")))
        if session.get(m.Coding, row["id"]) is None:
            session.execute(insert(m.Coding).values(**row))
    back: list[dict] = []
    left: list[dict] = []
    for link in links:
        (back if session.get(m.Indicator, link["indicator_id"]) else left).append(link)
    for link in back:
        row = dict(link, created=parse_time(link.get("created")))
        if session.get(m.EvidenceLink, row["id"]) is None:
            session.execute(insert(m.EvidenceLink).values(**row))
    return left


def _links_left(left: list[dict]) -> str:
    """What an undo or redo says of the evidence links `_restore` could not put back."""
    if not left:
        return ""
    its = "its indicator was" if len(left) == 1 else "their indicators were"
    return f" ({_count(len(left), 'evidence link')} not restored: {its} removed since)"


def _rejection(
    session: Session, action: m.Action, gone: Gone, change: tuple[str, str], since: str
) -> str:
    """Undo (rejected -> pending) or redo (pending -> rejected) a step's rejected suggestions;
    refused, naming the code, when none is left (their code was deleted `since`)."""
    ids = (action.payload or {}).get("suggestion_ids", [])
    n = _set_status(session, ids, *change)
    undoing = change[1] == "pending"
    if ids and not n:
        codes = (action.payload or {}).get("code_ids", [])
        why = _why_gone(session, gone, [], codes, since, "suggestion")
        return _refuse(session, action, f"nothing {'undone' if undoing else 'redone'}: {why}")
    return f"{'un' if undoing else 're'}-rejected {n} suggestion(s)"


def _set_status(session: Session, ids: list[int], was: str, now: str) -> int:
    """Suggestions `was` -> `now`; how many there were to change."""
    n = 0
    for i in range(0, len(ids), 5000):
        result = session.execute(
            update(m.Suggestion)
            .where(col(m.Suggestion.id).in_(ids[i : i + 5000]), col(m.Suggestion.status) == was)
            .values(status=now)
        )
        n += cast(int, getattr(result, "rowcount", 0) or 0)
    return n


# --- codes merged or deleted since the step ---------------------------------------------------


def _moved_on(
    session: Session, gone: Gone, snaps: list[dict], since: str
) -> tuple[list[dict], str | None]:
    """Codings to put back, each on the code its code was merged into since (if it was), or
    why they cannot be put back (None: they can): a code deleted since, or a coding that
    would repeat one already there (a merge made them the same)."""
    out = []
    for snap in snaps:
        now, chain = gone.follow(snap["code_id"])
        old = gone.path(session, snap["code_id"])
        at = f"coding {snap['id']} ({old} at {snap['start']}–{snap['end']})"
        if now is None or session.get(m.Code, now) is None:
            end = f"code {gone.path(session, chain[-1] if chain else snap['code_id'])}"
            return [], f"{end} was deleted from the codebook since {at} was {since}"
        row = dict(snap, code_id=now)
        same = session.scalar(
            select(col(m.Coding.id)).where(
                col(m.Coding.source_id) == row["source_id"],
                col(m.Coding.code_id) == now,
                col(m.Coding.start) == row["start"],
                col(m.Coding.end) == row["end"],
                col(m.Coding.coder_id) == row["coder_id"]
                if row["coder_id"] is not None
                else col(m.Coding.coder_id).is_(None),
                col(m.Coding.id) != row["id"],
            )
        )
        if same is not None:
            into = gone.path(session, now)
            return [], f"{at} would repeat coding {same}, now that {old} is merged into {into}"
        out.append(row)
    return out, None


def _why_gone(
    session: Session,
    gone: Gone,
    coding_ids: list[int],
    code_ids: list[int],
    since: str,
    what: str = "coding",
) -> str:
    """Why a step's codings (suggestions) are not there any more, naming the code; `since`:
    "you applied it"."""
    for cid in coding_ids:
        kept = gone.folded.get(cid)
        if kept is not None:
            row = session.get(m.Coding, kept)
            on = f" ({gone.path(session, row.code_id)})" if row is not None else ""
            return (
                f"coding {cid} was folded into coding {kept}{on} when its code was merged "
                f"(remove coding {kept} to take it out)"
            )
    for code in code_ids:
        now, chain = gone.follow(code)
        if now is None:
            name = gone.path(session, chain[-1] if chain else code)
            return f"code {name} was deleted from the codebook since {since}"
    ids = ", ".join(str(i) for i in coding_ids[:5])
    return f"{what} {ids} is gone already" if ids else f"the {what}s are gone already"


def _merged_note(session: Session, gone: Gone, code_ids: list[int]) -> str:
    """ "; coded Tmp A then, merged into Four Cs/Co-delivery since" for a step whose code was
    merged away (empty: none was)."""
    notes = []
    for code in dict.fromkeys(code_ids):
        now, chain = gone.follow(code)
        if chain and now is not None:
            was = gone.path(session, code)
            notes.append(f"{was} then, merged into {gone.path(session, now)} since")
    return f"; coded {', '.join(notes)}" if notes else ""


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
