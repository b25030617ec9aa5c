"""Dual screening: two reviewers decide include / exclude / maybe per source and stage.

Each reviewer's decision is its own `ScreeningDecision` row (re-deciding updates that row), so
agreement can be measured. A source's outcome at a stage is the final (resolving) decision if
there is one; otherwise, once the required number of reviewers (two by default) have decided,
their common decision, or a conflict for a third person to resolve. In blind mode a reviewer
sees only their own decision on a source until every required reviewer has decided it.
Exclusion reasons come from a shared, editable list (`ExclusionReason`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    case,
    distinct,
    false,
    func,
    literal,
    select,
    true,
    update,
)
from sqlmodel import Session, col

from review.errors import ConflictError, NotFound, ReviewError, UsageError
from review.ingest.sources import source_by_key
from review.stats import kappa_from_pairs
from review.store import models as m
from review.store import settings
from review.store.actions import record_action
from review.store.coders import ensure_coder
from review.store.db import in_chunks
from review.store.kinds import (
    LITERATURE,
    is_literature,
    literature_clause,
    qualitative_clause,
    source_class,
)

STAGES = ("title-abstract", "full-text")
DECISIONS = ("include", "exclude", "maybe", "not-retrieved")
# PRISMA 2020's "reports not retrieved": a full-text outcome of its own, not an exclusion reason
NOT_RETRIEVED = "not-retrieved"
# A record's screening status, one word per state wherever a person reads it (`review screen
# list`, the Screening and Library screens, `source.screening_status`, the README):
UNSCREENED = "unscreened"  # nobody has decided (at this stage)
PENDING = "pending"  # decided, by fewer reviewers than required: waits for another
CONFLICT = "conflict"  # the required reviewers disagree: a resolver decides
STATUSES = (UNSCREENED, PENDING, "include", "exclude", "maybe", CONFLICT, NOT_RETRIEVED)
PASSED = ("include", "maybe")  # title/abstract outcomes that go on to full text
BLIND = "screening.blind"
REVIEWERS = "screening.reviewers"
DEFAULT_REASONS = (
    ("wrong population", None),
    ("wrong intervention or exposure", None),
    ("wrong outcome", None),
    ("wrong study design", None),
    ("wrong publication type", None),
    ("not about co-production", None),
)
# A report that could not be obtained was never assessed: PRISMA 2020 counts it as "reports
# not retrieved", apart from the reports excluded after assessment. So these are no exclusion
# reasons (the first was one of the defaults; a workspace seeded then still lists it).
NOT_RETRIEVED_REASONS = ("full text not available", "not retrieved", "full text not retrieved")


# --- settings -----------------------------------------------------------------------------


def is_blind(session: Session) -> bool:
    """Blind mode is on unless someone turned it off (dual screening's safe default)."""
    return settings.flag(session, BLIND, True)


def set_blind(session: Session, on: bool) -> None:
    settings.set_flag(session, BLIND, on)


def required_reviewers(session: Session) -> int:
    return int(settings.get(session, REVIEWERS) or 2)


def set_required_reviewers(session: Session, n: int) -> None:
    if n not in (1, 2):
        raise UsageError("reviewers per source must be 1 or 2")
    settings.put(session, REVIEWERS, str(n))
    store_status(session)  # two reviewers or one: "pending" and agreement change everywhere


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise UsageError(f"unknown stage {stage!r}: use {' or '.join(STAGES)}")
    return stage


# --- reasons --------------------------------------------------------------------------------


def reasons(session: Session, stage: str | None = None) -> list[m.ExclusionReason]:
    """The shared list (seeded with common reasons the first time it is read)."""
    rows = (
        session.execute(select(m.ExclusionReason).order_by(col(m.ExclusionReason.id)))
        .scalars()
        .all()
    )
    if not rows and settings.get(session, "screening.reasons-seeded") is None:
        for name, st in DEFAULT_REASONS:
            session.add(m.ExclusionReason(name=name, stage=st))
        settings.put(session, "screening.reasons-seeded", "yes")
        rows = (
            session.execute(select(m.ExclusionReason).order_by(col(m.ExclusionReason.id)))
            .scalars()
            .all()
        )
    return [
        r
        for r in rows
        if (stage is None or r.stage in (None, stage)) and not means_not_retrieved(r.name)
    ]


def _folded(name: str) -> str:
    """A reason's name as two names are compared: case and spacing aside."""
    return " ".join(name.split()).casefold()


def means_not_retrieved(name: str) -> bool:
    """Whether an exclusion reason says the report could not be obtained (`NOT_RETRIEVED_REASONS`,
    case, spacing and hyphens aside)."""
    return _folded(name.replace("-", " ")) in NOT_RETRIEVED_REASONS


def _not_an_exclusion(name: str) -> UsageError:
    return UsageError(
        f"{name!r} is not an exclusion reason: a report that could not be obtained is "
        "'not retrieved' (PRISMA 2020 counts it apart from the reports assessed): "
        "review screen decide not-retrieved KEY -s full-text (r on the Screening screen)"
    )


def add_reason(session: Session, name: str, stage: str | None = None) -> m.ExclusionReason:
    name = " ".join(name.split())
    if not name:
        raise UsageError("a reason needs a name")
    if means_not_retrieved(name):
        raise _not_an_exclusion(name)
    if stage is not None:
        check_stage(stage)
    reasons(session)  # seed first, so adding one does not hide the defaults
    found = _reason_named(session, name)
    if found is not None:
        return found
    row = m.ExclusionReason(name=name, stage=stage)
    session.add(row)
    session.flush()
    return row


def remove_reason(session: Session, name: str) -> None:
    """Remove a reason from the list; decisions that used it keep their text."""
    reasons(session)
    row = _reason_named(session, name)
    if row is None:
        raise NotFound(f"no exclusion reason {name!r}")
    session.delete(row)
    session.flush()


def _reason_named(session: Session, name: str) -> m.ExclusionReason | None:
    """The listed reason of this name, case and spacing aside, as a decision names it
    (`_check_reason`): "Wrong  Population" is "wrong population", not a second reason."""
    wanted = _folded(name)
    rows = session.execute(select(m.ExclusionReason).order_by(col(m.ExclusionReason.id)))
    return next((r for r in rows.scalars() if _folded(r.name) == wanted), None)


def _check_reason(session: Session, stage: str, decision: str, reason: str | None) -> str | None:
    if decision != "exclude":
        if reason:
            raise UsageError("a reason goes with an exclusion only")
        return None
    if not reason:
        if stage == "full-text":
            # bad input, as the README's contract has it (exit 1), not a misuse of the command
            raise ReviewError("full-text exclusions need a reason (see `review screen reasons`)")
        return None
    if means_not_retrieved(reason):
        raise _not_an_exclusion(reason.strip())
    names = [r.name for r in reasons(session, stage)]
    wanted = _folded(reason)
    match = next((n for n in names if _folded(n) == wanted), None)
    if match is None:
        raise ReviewError(
            f"unknown reason {reason!r}; choose one of: {'; '.join(names)} "
            "(or add it: review screen reasons --add NAME)"
        )
    return match


# --- decisions ------------------------------------------------------------------------------


def _source(session: Session, key: str) -> m.Source:
    src = source_by_key(session, key)
    if src is None:
        raise NotFound(f"no source with key {key!r}")
    if src.merged_into_id is not None:
        survivor = session.get(m.Source, src.merged_into_id)
        assert survivor is not None  # merged_into_id is a foreign key
        raise ReviewError(f"{key} was merged into {survivor.key}: screen {survivor.key}")
    if not is_literature(src):
        raise ReviewError(f"{key} is a {src.kind}, not a literature record to screen")
    return src


Resolution = tuple[str, str, str | None]  # who resolved, the decision, its reason (`Outcome.final`)
ANY_RESOLUTION: Literal["any"] = "any"  # `decide(seen_final=…)`: replace whatever resolution stands


class AlreadyResolved(ConflictError):
    """A resolution made from an older view of the record: someone else resolved it since
    (or changed their resolution). Nothing was written; the interfaces say how to replace it
    deliberately (the Screening screen: the same key again; `review screen resolve --force`)."""

    def __init__(self, key: str, final: Resolution, seen: Resolution | None) -> None:
        self.key, self.final, self.seen = key, final, seen
        coder, decision, reason = final
        saw = f" (you saw {seen[0]}: {said(seen[1], seen[2])})" if seen is not None else ""
        super().__init__(f"{key} is already resolved by {coder}: {said(decision, reason)}{saw}")


def decide(
    session: Session,
    coder: str,
    key: str,
    decision: str,
    stage: str = "title-abstract",
    reason: str | None = None,
    final: bool = False,
    seen_final: Resolution | None | Literal["any"] = None,
) -> m.ScreeningDecision:
    """Record (or change) `coder`'s decision on source `key` at `stage`.

    A resolution (`final`) is a stale-write check: `seen_final` is the resolution the caller
    last saw on the record (None: none, a conflict to settle; `ANY_RESOLUTION`: replace
    whatever stands, asked for explicitly). If another reviewer's resolution stands that is
    not that one, `AlreadyResolved` is raised and nothing is written: two resolvers working
    from the same conflict list silently overwrote each other. A reviewer's own decision
    (not final) is never checked: it replaces only their own row, no one else's work."""
    check_stage(stage)
    if decision not in DECISIONS:
        raise UsageError(
            f"unknown decision {decision!r}: use include, exclude, maybe or not-retrieved"
        )
    if decision == NOT_RETRIEVED and stage != "full-text":
        raise UsageError("not-retrieved is a full-text outcome (the report could not be found)")
    src = _source(session, key)
    key = src.key  # as stored (the typed key may be decomposed: `normal_key`)
    assert src.id is not None  # a stored row's primary key
    # One decision on a record at a time (PostgreSQL; SQLite has one writer anyway), so the
    # status stored below is worked out from every decision committed before this one.
    session.execute(select(col(m.Source.id)).where(col(m.Source.id) == src.id).with_for_update())
    reason = _check_reason(session, stage, decision, reason)
    if stage == "full-text":
        first = outcomes(session, "title-abstract", [src.id]).get(src.id)
        if first is None or first.status not in PASSED:
            raise ReviewError(f"{key} has not passed title/abstract screening")
    if final and decision == "maybe" and stage == "full-text":
        raise UsageError("a full-text resolution must be include, exclude or not-retrieved")
    if final:
        _check_resolvable(session, coder, key, src.id, stage, decision, reason, seen_final)
    who = ensure_coder(session, coder)
    cid = who.id
    row = (
        session.execute(
            select(m.ScreeningDecision).where(
                col(m.ScreeningDecision.source_id) == src.id,
                col(m.ScreeningDecision.coder_id) == cid,
                col(m.ScreeningDecision.stage) == stage,
                col(m.ScreeningDecision.final) == final,
            )
        )
        .scalars()
        .first()
    )
    before = decision_snapshot(row) if row is not None else None
    if row is None:
        row = m.ScreeningDecision(
            source_id=src.id, coder_id=cid, stage=stage, final=final, decision=decision
        )
    row.decision, row.reason, row.created = decision, reason, m.utcnow()
    session.add(row)
    session.flush()
    store_status(session, [src.id])
    if before is not None and (before["decision"], before["reason"]) == (decision, reason):
        return row  # the same decision again: no step to undo (ctrl+z would change nothing)
    # one undoable step (ctrl+z on the Screening screen; `review.coding.history`)
    record_action(
        session,
        who,
        SCREEN_STEP,
        {
            "source_ids": [src.id],
            "key": key,
            "stage": stage,
            "final": final,
            "decision_id": row.id,
            "before": before,
            "after": decision_snapshot(row),
        },
    )
    return row


SCREEN_STEP = "screen"  # the undo history's kind for a decision recorded or changed


def decision_snapshot(row: m.ScreeningDecision) -> dict[str, Any]:
    """One decision row as the undo history keeps it (JSON: the time as ISO text)."""
    return {
        "id": row.id,
        "source_id": row.source_id,
        "coder_id": row.coder_id,
        "stage": row.stage,
        "final": row.final,
        "decision": row.decision,
        "reason": row.reason,
        "created": row.created.isoformat() if row.created else None,
    }


def put_decision(session: Session, decision_id: int, snapshot: dict[str, Any] | None) -> int | None:
    """Set decision row `decision_id` to `snapshot` (a `decision_snapshot`; None: no decision,
    the row goes) and store the status of its record: undo and redo of a screening step. The
    row is found by id, so it is the same decision after a duplicate merge moved it to the
    survivor. Returns the record's id (None when there was nothing to change). A decision to
    put back on a record merged since then is refused, naming the survivor."""
    row = session.get(m.ScreeningDecision, decision_id)
    # where the decision is (a merge may have moved it) or is to be put back
    if row is not None:
        sid: int = row.source_id
    elif snapshot is not None:
        sid = snapshot["source_id"]
    else:
        return None
    touched = {sid} | ({snapshot["source_id"]} if snapshot is not None else set())
    # the record's row lock, as `decide` takes it: the status stored below counts every
    # decision committed before this change (PostgreSQL; SQLite has one writer anyway)
    session.execute(
        select(col(m.Source.id)).where(col(m.Source.id).in_(sorted(touched))).with_for_update()
    )
    if snapshot is None:
        session.delete(row)
    elif row is None:
        src = session.get(m.Source, snapshot["source_id"])
        if src is None:
            return None
        if src.merged_into_id is not None:
            _source(session, src.key)  # raises: "KEY was merged into SURVIVOR: screen SURVIVOR"
        sd = m.ScreeningDecision
        again = session.execute(
            select(col(sd.id)).where(
                col(sd.source_id) == src.id,
                col(sd.coder_id) == snapshot["coder_id"],
                col(sd.stage) == snapshot["stage"],
                col(sd.final) == snapshot["final"],
            )
        ).first()
        if again is not None:  # (a merge brought this reviewer's decision of a copy here)
            raise ReviewError(f"{src.key} has another decision of yours at {snapshot['stage']}")
        created = snapshot.get("created")
        session.add(
            m.ScreeningDecision(
                **{k: v for k, v in snapshot.items() if k != "created"},
                created=datetime.fromisoformat(created) if created else m.utcnow(),
            )
        )
    else:
        created = snapshot.get("created")
        row.decision, row.reason = snapshot["decision"], snapshot["reason"]
        row.created = datetime.fromisoformat(created) if created else row.created
        session.add(row)
    session.flush()
    store_status(session, touched)
    return sid


def _check_resolvable(
    session: Session,
    coder: str,
    key: str,
    sid: int,
    stage: str,
    decision: str,
    reason: str | None,
    seen_final: Resolution | None | Literal["any"],
) -> None:
    """A resolution settles a conflict (or replaces an earlier resolution): not a record the
    required reviewers agree on, nor one still waiting for a reviewer. An exclusion that
    settles it names its reason when the reviewers gave any: two different reasons are the
    conflict, and "reason not given" would hide both (PRISMA counts exclusions by reason).
    Another reviewer's resolution is replaced only when the caller saw it (`decide`); one's
    own may be changed from any view (it is only one's own work that goes)."""
    o = outcomes(session, stage, [sid]).get(sid)
    standing = o.final if o is not None else None
    # (a str is ANY_RESOLUTION: whatever stands is replaced, as asked)
    if standing is not None and standing[0] != coder and not isinstance(seen_final, str):
        if seen_final is None or standing != tuple(seen_final):
            raise AlreadyResolved(key, standing, seen_final)
    if o is None or (o.final is None and o.status != CONFLICT):
        status = o.status if o is not None else UNSCREENED
        if status == PENDING:
            status += ", waiting for another reviewer"
        raise ReviewError(f"{key} is no conflict at {stage} (status {status}): nothing to resolve")
    given = sorted({r for r in o.reasons.values() if r})
    if decision == "exclude" and not reason and given:
        raise UsageError(
            f"the reviewers of {key} gave reasons ({'; '.join(given)}): "
            "name the one that counts (-r REASON)"
        )


def resolve(
    session: Session,
    coder: str,
    key: str,
    decision: str,
    stage: str,
    reason: str | None = None,
    seen_final: Resolution | None | Literal["any"] = None,
) -> m.ScreeningDecision:
    """A third decision that settles a conflict (marked `final`; `seen_final`: see `decide`)."""
    return decide(session, coder, key, decision, stage, reason, final=True, seen_final=seen_final)


def resolution_of(item: dict) -> Resolution | None:
    """A `queue` item's resolution as `decide(seen_final=…)` compares it: what a screen
    showed of the record is what its reviewer decided from."""
    res = item.get("resolution")
    return (res["coder"], res["decision"], res["reason"]) if res else None


@dataclass
class Outcome:
    """Where one source stands at one stage."""

    source_id: int
    status: str  # pending, conflict, include, exclude, maybe, not-retrieved (see STATUSES)
    decisions: dict[str, str] = field(default_factory=dict)  # coder → decision
    reasons: dict[str, str] = field(default_factory=dict)  # coder → reason
    final: tuple[str, str, str | None] | None = None  # coder, decision, reason

    @property
    def reason(self) -> str | None:
        """The exclusion reason that counts: the resolver's, else the one the reviewers gave
        (reviewers giving different reasons are a conflict, so there is one)."""
        if self.final:
            return self.final[2]
        given = Counter(r for r in self.reasons.values() if r)
        return min(given, key=lambda r: (-given[r], r)) if given else None


def _rows(session: Session, stage: str, ids: list[int] | None = None):
    q = (
        select(
            col(m.ScreeningDecision.source_id),
            col(m.Coder.name),
            col(m.ScreeningDecision.decision),
            col(m.ScreeningDecision.reason),
            col(m.ScreeningDecision.final),
        )
        .join(m.Coder, col(m.Coder.id) == col(m.ScreeningDecision.coder_id))
        .where(col(m.ScreeningDecision.stage) == stage)
        .order_by(col(m.ScreeningDecision.created), col(m.ScreeningDecision.id))
    )
    if ids is not None:
        q = q.where(col(m.ScreeningDecision.source_id).in_(ids))
    return session.execute(q).all()


_HELD = "review.screening.outcomes"  # session.info key: outcomes held while reading


@contextmanager
def outcomes_held(session: Session) -> Iterator[None]:
    """Within this block, `outcomes` of a whole stage is computed once per stage: for a reader
    that asks several times (the briefing: the included rule, then PRISMA) and writes no
    decision meanwhile. Released on leaving the block."""
    session.info[_HELD] = {}
    try:
        yield
    finally:
        session.info.pop(_HELD, None)


def outcomes(session: Session, stage: str, ids: list[int] | None = None) -> dict[int, Outcome]:
    """Outcome of every decided source at `stage` (sources nobody decided are absent)."""
    held = session.info.get(_HELD)
    if held is not None and ids is None:
        if stage not in held:
            held[stage] = _outcomes(session, stage, None)
        return held[stage]
    return _outcomes(session, stage, ids)


def _outcomes(session: Session, stage: str, ids: list[int] | None) -> dict[int, Outcome]:
    need = required_reviewers(session)
    out: dict[int, Outcome] = {}
    for sid, coder, decision, reason, final in _rows(session, stage, ids):
        o = out.setdefault(sid, Outcome(sid, PENDING))
        if final:
            o.final = (coder, decision, reason)
        else:
            o.decisions[coder] = decision
            if reason:
                o.reasons[coder] = reason
    for o in out.values():
        if o.final:
            o.status = o.final[1]
        elif len(o.decisions) >= need:
            kinds = set(o.decisions.values())
            o.status = kinds.pop() if len(kinds) == 1 else "conflict"
            if stage == "full-text" and o.status == "maybe":
                o.status = "conflict"  # a full text must end in or out
            if o.status == "exclude" and len(set(o.reasons.values())) > 1:
                o.status = "conflict"  # two reasons: resolve which, do not pick one silently
    return out


def status_sql(session: Session | None = None):
    """SQL for a source's screening status as the library shows and filters it: the stored
    `source.screening_status` (kept by `store_status`), or NULL for transcripts and documents
    (the team's own data is never screened, so no status filter lists them). `session` is
    not needed any more (the rule is applied when the status is stored)."""
    return case((qualitative_clause(), None), else_=col(m.Source.screening_status))


def computed_status_sql(session: Session):
    """SQL computing a source's screening status from its decisions, the rule of `outcomes`
    as one expression: at each stage the final decision, else — once the required reviewers
    have decided — their common decision or "conflict" (a full text must end in or out, so
    "maybe" there is a conflict), else "pending"; then `latest_status`'s rule: the full-text
    status when anyone decided at full text and the record passed title/abstract, else the
    title/abstract one, else "unscreened". This is what `store_status` writes into
    `source.screening_status`; `tests/test_homes.py` and `tests/test_screening_status.py`
    check it against `outcomes` record by record."""
    need = required_reviewers(session)
    first = _stage_status_sql("title-abstract", need)
    return case(
        (first.in_(PASSED), func.coalesce(_stage_status_sql("full-text", need), first)),
        else_=func.coalesce(first, literal(UNSCREENED)),
    )


def store_status(session: Session, source_ids: Iterable[int] | None = None) -> None:
    """Bring `source.screening_status` up to date for these sources (every source when None):
    called by everything that changes decisions or the rule (`decide`, the number of
    reviewers, moving decisions in a duplicate merge and its undo), in the same transaction."""
    session.flush()
    expr = computed_status_sql(session)
    if source_ids is None:
        decided = select(col(m.ScreeningDecision.source_id))
        session.execute(
            update(m.Source)
            .where(col(m.Source.screening_status) != UNSCREENED, col(m.Source.id).not_in(decided))
            .values(screening_status=UNSCREENED)
        )
        session.execute(
            update(m.Source).where(col(m.Source.id).in_(decided)).values(screening_status=expr)
        )
        return
    for chunk in in_chunks(sorted(set(source_ids)), 500):
        session.execute(
            update(m.Source).where(col(m.Source.id).in_(chunk)).values(screening_status=expr)
        )


def _stage_status_sql(stage: str, need: int):
    sd = m.ScreeningDecision
    where = (col(sd.source_id) == col(m.Source.id), col(sd.stage) == stage)
    final = (
        select(col(sd.decision))
        .where(*where, col(sd.final) == true())
        .order_by(col(sd.created).desc(), col(sd.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    open_ = (*where, col(sd.final) == false())
    n_coders = select(func.count(distinct(col(sd.coder_id)))).where(*open_).scalar_subquery()
    n_kinds = select(func.count(distinct(col(sd.decision)))).where(*open_).scalar_subquery()
    n_reasons = select(func.count(distinct(col(sd.reason)))).where(*open_).scalar_subquery()
    agreed: ColumnElement[Any] = select(func.min(col(sd.decision))).where(*open_).scalar_subquery()
    if stage == "full-text":
        agreed = case((agreed == "maybe", literal("conflict")), else_=agreed)
    agreed = case(((agreed == "exclude") & (n_reasons > 1), literal("conflict")), else_=agreed)
    undecided = case(
        (n_coders == 0, None),
        (n_coders < need, literal(PENDING)),
        (n_kinds == 1, agreed),
        else_=literal("conflict"),
    )
    return func.coalesce(final, undecided)


def eligible_ids(
    session: Session, stage: str, passed: dict[int, Outcome] | None = None
) -> list[int]:
    """Sources to screen at `stage`: live literature records; at full text, those that passed
    (`passed`: the title/abstract `outcomes`, when the caller has them already)."""
    check_stage(stage)
    live = (
        session.execute(
            select(col(m.Source.id))
            .where(col(m.Source.merged_into_id).is_(None), literature_clause())
            .order_by(col(m.Source.id))
        )
        .scalars()
        .all()
    )
    if stage == "title-abstract":
        return list(live)
    if passed is None:
        passed = outcomes(session, "title-abstract")
    return [i for i in live if i in passed and passed[i].status in PASSED]


def included_source_ids(session: Session, *, literature_only: bool = True) -> list[int]:
    """Live sources in the review: every literature record that screening has not taken out
    (`taken_out`), and (unless `literature_only`) the team's own transcripts and documents,
    which are never screened.

    So before any screening every record is in; while a stage is in progress a record awaiting
    a decision (pending, or a conflict) stays in provisionally; once every record has its
    outcome these are the records that passed the furthest stage reached (included at full
    text; at title/abstract, included or "maybe", which go on to full text, as
    `eligible_ids` has it). The set only shrinks as decisions are made. (It used to drop
    every undecided record at the first decision: one reviewer's first exclusion emptied the
    note's literature and reference list.)

    The one "included" rule: the briefing tables, the exports and the library all ask here,
    and the outcomes are those `review screen` and `review prisma` count.
    """
    rows = session.execute(
        select(col(m.Source.id), col(m.Source.kind), col(m.Source.record_format)).where(
            col(m.Source.merged_into_id).is_(None)
        )
    ).all()
    ta, ft = outcomes(session, "title-abstract"), outcomes(session, "full-text")
    out = []
    for sid, kind, record_format in rows:
        if source_class(kind, record_format) != LITERATURE:
            if not literature_only:
                out.append(sid)
        elif not taken_out(ta.get(sid), ft.get(sid)):
            out.append(sid)
    return sorted(out)


def latest_status(title_abstract: Outcome | None, full_text: Outcome | None) -> str:
    """A record's status at its latest stage, as the Library shows it (`computed_status_sql`
    is this rule in SQL): the full-text one once anyone decided there, while the record
    passes title/abstract (included or "maybe": `eligible_ids`); else the title/abstract one.
    Full-text decisions on a record that no longer passes (the reviewers re-decided it, or a
    second reviewer is now required) do not count: it is not eligible there."""
    first = title_abstract.status if title_abstract is not None else UNSCREENED
    if full_text is not None and first in PASSED:
        return full_text.status
    return first


def taken_out(title_abstract: Outcome | None, full_text: Outcome | None) -> bool:
    """Whether screening has taken a record out of the review: excluded at title/abstract, or
    excluded or not retrieved at full text after passing title/abstract (final or agreed
    outcomes only; a conflict or a missing second decision leaves it in)."""
    return latest_status(title_abstract, full_text) in ("exclude", NOT_RETRIEVED)


def visible(outcome: Outcome | None, viewer: str, blind: bool, need: int) -> dict[str, str]:
    """The decisions `viewer` may see: in blind mode only their own until all have decided."""
    if outcome is None:
        return {}
    if not blind or outcome.final or len(outcome.decisions) >= need:
        return dict(outcome.decisions)
    return {c: d for c, d in outcome.decisions.items() if c == viewer}


def queue(
    session: Session,
    viewer: str,
    stage: str = "title-abstract",
    todo: bool = False,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    keys: Collection[str] | None = None,
) -> list[dict]:
    """Sources at `stage` as `viewer` may see them; `todo`: those `viewer` has not decided;
    `status`: only those with that status (one of STATUSES) as `viewer` sees it; `keys`:
    only these records (stored keys), as the Screening screen reads again the one it shows
    when it has left the list it came from (a conflict someone else just resolved)."""
    if status is not None and status not in STATUSES:  # a typo listed nothing, as if none
        raise UsageError(f"unknown screening status {status!r}: use {', '.join(STATUSES)}")
    ids = eligible_ids(session, stage)
    if keys is not None:
        wanted = set(
            session.execute(
                select(col(m.Source.id)).where(col(m.Source.key).in_(list(keys)))
            ).scalars()
        )
        ids = [i for i in ids if i in wanted]
    outs = outcomes(session, stage)
    blind, need = is_blind(session), required_reviewers(session)
    picked = []
    for sid in ids:
        o = outs.get(sid)
        if todo and decided_by(o, viewer):
            continue
        st = o.status if o else UNSCREENED
        shown = visible(o, viewer, blind, need)
        if blind and st == CONFLICT and o is not None and len(shown) < len(o.decisions):
            st = PENDING  # blind: a disagreement is not shown until everyone has decided
        if status and st != status:
            continue
        picked.append((sid, st, shown, o))
    picked = picked[offset : None if limit is None else offset + limit]
    srcs = {
        s.id: s
        for s in session.execute(
            select(m.Source).where(col(m.Source.id).in_([p[0] for p in picked]))
        ).scalars()
    }
    return [
        {
            "key": srcs[sid].key,
            "title": srcs[sid].title,
            "authors": list(srcs[sid].authors or []),
            "venue": srcs[sid].venue,
            "year": srcs[sid].year,
            "abstract": srcs[sid].abstract,
            "keywords": list(srcs[sid].keywords or []),
            "status": st,
            # `viewer`'s own decision, else the final one `viewer` made (a resolver's)
            "mine": shown.get(viewer)
            or (o.final[1] if o and o.final and o.final[0] == viewer else None),
            "decisions": shown,
            # the reasons of the decisions `viewer` may see (a conflict shows both sides)
            "reasons": {c: r for c, r in (o.reasons if o else {}).items() if c in shown and r},
            "final": o.final[1] if o and o.final else None,
            # who settled it and why: the final decision is no one's secret (all had decided)
            "resolution": (
                {"coder": o.final[0], "decision": o.final[1], "reason": o.final[2]}
                if o and o.final
                else None
            ),
        }
        for sid, st, shown, o in picked
    ]


def said(decision: str, reason: str | None) -> str:
    """A decision as a person reads it: "exclude (wrong outcome)", or "include"."""
    return f"{decision} ({reason})" if reason else decision


def conflict_words(row: dict) -> str:
    """A `conflicts` row's decisions in words, for `review screen conflicts` and the Screening
    screen's list: "ann: exclude (wrong outcome); bob: exclude (wrong study design)" — the
    reasons are what makes two exclusions a conflict."""
    why = row.get("reasons") or {}
    return "; ".join(f"{c}: {said(d, why.get(c))}" for c, d in row["decisions"].items())


def described(item: dict, viewer: str) -> dict[str, str | None]:
    """A `queue` item's decisions in words, the same for `review screen list` and the
    Screening screen: `mine` (viewer's, with the reason; a resolver's final decision when they
    made no other; None if neither), `others` (the other visible decisions, "ann: exclude
    (wrong outcome); bob: include"; None if none) and `final` ("root: exclude (wrong
    outcome)", None while unresolved). A resolved conflict used to show only the two sides."""
    reasons = item.get("reasons") or {}
    res = item.get("resolution")
    mine_reason = reasons.get(viewer)
    if viewer not in item["decisions"] and res and res["coder"] == viewer:
        mine_reason = res["reason"]
    others = [
        f"{c}: {said(d, reasons.get(c))}" for c, d in item["decisions"].items() if c != viewer
    ]
    return {
        "mine": said(item["mine"], mine_reason) if item["mine"] else None,
        "others": "; ".join(others) or None,
        "final": f"{res['coder']}: {said(res['decision'], res['reason'])}" if res else None,
    }


def decided_by(outcome: Outcome | None, viewer: str) -> bool:
    """Whether `viewer` has decided the record at this stage: their own decision, or the final
    one that resolved it (a resolver's work counts in their progress and leaves their to-do)."""
    if outcome is None:
        return False
    return viewer in outcome.decisions or (outcome.final is not None and outcome.final[0] == viewer)


def progress(session: Session, viewer: str, stage: str) -> dict:
    """How far `viewer` and the team are at `stage`."""
    ids = eligible_ids(session, stage)
    outs = outcomes(session, stage)
    counts = Counter(outs[i].status if i in outs else UNSCREENED for i in ids)
    mine = sum(1 for i in ids if decided_by(outs.get(i), viewer))
    return {"stage": stage, "records": len(ids), "mine": mine, **dict(sorted(counts.items()))}


def conflicts(session: Session, stage: str) -> list[dict]:
    """Sources the reviewers disagree on (all have decided, so blind mode is no bar)."""
    check_stage(stage)
    outs = outcomes(session, stage)
    ids = [sid for sid, o in outs.items() if o.status == "conflict"]
    keys = dict(
        session.execute(
            select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(ids))
        ).all()
    )
    return [
        {"key": keys[sid], "decisions": outs[sid].decisions, "reasons": outs[sid].reasons}
        for sid in sorted(ids)
    ]


# --- agreement ------------------------------------------------------------------------------


@dataclass
class Kappa:
    stage: str
    coders: tuple[str, str]
    n: int
    observed: float | None
    expected: float | None
    kappa: float | None
    table: dict[str, dict[str, int]]

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "coders": list(self.coders),
            "n": self.n,
            "observed_agreement": self.observed,
            "expected_agreement": self.expected,
            "kappa": self.kappa,
            "table": self.table,
        }


def screeners(session: Session, stage: str) -> list[str]:
    """Coders with (non-final) decisions at `stage`, most decisions first."""
    rows = session.execute(
        select(col(m.Coder.name), func.count())
        .join(m.ScreeningDecision, col(m.ScreeningDecision.coder_id) == col(m.Coder.id))
        .where(col(m.ScreeningDecision.stage) == stage, col(m.ScreeningDecision.final).is_(False))
        .group_by(col(m.Coder.name))
    ).all()
    return [name for name, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]


def kappa(session: Session, stage: str, coders: tuple[str, str] | None = None) -> Kappa:
    """Cohen's kappa between two screeners over the sources both decided at `stage`."""
    check_stage(stage)
    if coders is None:
        found = screeners(session, stage)
        if len(found) < 2:
            raise ReviewError(f"kappa needs two screeners at {stage}; found {len(found)}")
        coders = (found[0], found[1])
    a, b = coders
    if a == b:
        raise UsageError("kappa needs two different coders")
    found = screeners(session, stage)
    missing = [c for c in coders if c not in found]
    if missing:  # a typo gave "kappa undefined … on 0 records", as if they had not overlapped
        raise ReviewError(
            f"{' and '.join(missing)} made no screening decision at {stage} "
            f"(screeners: {', '.join(found) or 'none yet'})"
        )
    by_source: dict[int, dict[str, str]] = defaultdict(dict)
    for sid, coder, decision, _reason, final in _rows(session, stage):
        if not final and coder in (a, b):
            by_source[sid][coder] = decision
    pairs = [(d[a], d[b]) for d in by_source.values() if a in d and b in d]
    res = kappa_from_pairs(pairs)
    po, pe, k = res.observed, res.chance, res.kappa
    table = {x: {y: 0 for y in DECISIONS} for x in DECISIONS}
    for x, y in pairs:
        table[x][y] += 1
    return Kappa(stage, (a, b), len(pairs), _round(po), _round(pe), _round(k), table)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
