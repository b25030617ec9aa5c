"""PRISMA 2020 flow counts, computed from the records, merges and screening decisions.

Nothing is typed in by hand: records identified come from `Source.database` (else the import
batch's database), duplicates removed from merges, and the screening boxes from the outcomes in
`review.screening.decisions`. Every box is also checked to add up, so a count that does not
reconcile is reported rather than silently printed.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session, col

from review.screening.decisions import (
    CONFLICT,
    NOT_RETRIEVED,
    PENDING,
    UNSCREENED,
    eligible_ids,
    outcomes,
)
from review.store import models as m
from review.store.kinds import literature_clause

UNKNOWN_DATABASE = "other / not recorded"
# PRISMA 2020 counts studies and reports apart ("new studies included in review" and "reports
# of new included studies"). Here a report is a record (after duplicate records are merged)
# and a study is the group of reports linked as one study. The workspace has no such link: a
# merge says two records are the same report found twice and removes one, it does not join
# two reports (a paper and its protocol, say) into one study. So each included report is
# one study, and the two counts are the same number.
STUDIES_ARE_REPORTS = (
    "Each included report counts as one study: reports of the same study are not linked in "
    "the workspace (merging removes duplicate records of one report), so studies and reports "
    "are the same number."
)


def identified_by_database(session: Session) -> dict[str, int]:
    """Records identified (before duplicates were removed), per source database."""
    db = func.coalesce(col(m.Source.database), col(m.ImportBatch.database))
    rows = session.execute(
        select(db, func.count())
        .select_from(m.Source)
        .outerjoin(m.ImportBatch, col(m.ImportBatch.id) == col(m.Source.batch_id))
        .where(literature_clause())
        .group_by(db)
    ).all()
    out: Counter[str] = Counter()
    for name, n in rows:
        out[name or UNKNOWN_DATABASE] += n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _stage(session: Session, stage: str, passed: dict | None = None) -> dict:
    """One stage's boxes; `passed`: the title/abstract outcomes (read once for both stages)."""
    ids = eligible_ids(session, stage, passed)
    outs = passed if stage == "title-abstract" and passed is not None else outcomes(session, stage)
    status = Counter(outs[i].status if i in outs else UNSCREENED for i in ids)
    reasons = Counter(
        outs[i].reason or "reason not given"
        for i in ids
        if i in outs and outs[i].status == "exclude"
    )
    decided = status["include"] + status["exclude"] + status["maybe"]  # not-retrieved apart
    return {
        "records": len(ids),
        "screened": decided,
        "included": status["include"],
        "maybe": status["maybe"],
        "excluded": status["exclude"],
        "excluded_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "conflicts": status["conflict"],
        "unscreened": status[UNSCREENED],
        "pending": status[PENDING],
        # PRISMA's "awaiting screening / assessment": every record not settled yet
        "awaiting": status[UNSCREENED] + status[PENDING] + status[CONFLICT],
        "not_retrieved": status[NOT_RETRIEVED],
        "anyone": bool(outs),
    }


def prisma(session: Session) -> dict:
    """The PRISMA 2020 flow: identification, screening, eligibility, inclusion."""
    identified = identified_by_database(session)
    total = sum(identified.values())
    duplicates = session.execute(
        select(func.count())
        .select_from(m.Source)
        .where(col(m.Source.merged_into_id).is_not(None), literature_clause())
    ).one()[0]
    first = outcomes(session, "title-abstract")
    ta = _stage(session, "title-abstract", first)
    ft = _stage(session, "full-text", first)
    sought = ta["included"] + ta["maybe"]
    doc = {
        "identification": {
            "records_identified": total,
            "by_database": identified,
            "duplicates_removed": duplicates,
        },
        "screening": {
            "records_screened": ta["screened"],
            "records_excluded": ta["excluded"],
            "excluded_by_reason": ta["excluded_by_reason"],
            "awaiting_screening": ta["awaiting"],
            "conflicts": ta["conflicts"],
        },
        "eligibility": {
            "reports_sought": sought,
            "reports_not_retrieved": ft["not_retrieved"],
            "reports_assessed": ft["screened"],
            "reports_excluded": ft["excluded"],
            "excluded_by_reason": ft["excluded_by_reason"],
            "awaiting_assessment": ft["awaiting"],
            "conflicts": ft["conflicts"],
        },
        # one report per study (STUDIES_ARE_REPORTS): the two boxes are the same number
        "included": {"studies": ft["included"], "reports": ft["included"]},
        # how far screening got: "none", "title-abstract" (no full text assessed yet) or
        # "full-text" — a note with only title/abstract screening says so, not "0 included"
        "stage_reached": "full-text" if ft["anyone"] else "title-abstract" if ta["anyone"]
        else "none",
    }  # fmt: skip
    doc["checks"] = {
        "identified = duplicates + screened + awaiting": total
        == duplicates + ta["screened"] + ta["awaiting"],
        "screened = excluded + sought": ta["screened"] == ta["excluded"] + sought,
        "sought = not retrieved + assessed + awaiting": sought
        == ft["not_retrieved"] + ft["screened"] + ft["awaiting"],
        "assessed = excluded + included": ft["screened"] == ft["excluded"] + ft["included"],
    }
    return doc
