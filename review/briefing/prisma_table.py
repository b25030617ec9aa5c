"""PRISMA 2020 flow counts for the briefing note, from import, dedupe and screening records.

Uses `review.prisma.prisma_counts` when the screening feature provides it; otherwise counts
straight from the tables (sources per database, merged duplicates, deciding decisions).
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from review.briefing.lookup import STAGE_ORDER, is_transcript
from review.store import models as m


def flow_counts(session: Session) -> dict:
    """identified (by database), duplicates, screened, excluded, full text, reasons, included."""
    batches = dict(session.exec(select(m.ImportBatch.id, m.ImportBatch.database)).all())
    formats = dict(session.exec(select(m.ImportBatch.id, m.ImportBatch.format)).all())
    rows = session.exec(
        select(m.Source.id, m.Source.kind, m.Source.database, m.Source.batch_id,
               m.Source.merged_into_id)
    ).all()  # fmt: skip
    identified: Counter = Counter()
    live: set[int] = set()
    duplicates = 0
    for sid, kind, database, batch_id, merged in rows:
        if is_transcript(kind) or formats.get(batch_id) == "qdpx":
            continue
        db = database or batches.get(batch_id) or "Other sources"
        identified[db] += 1
        if merged is None:
            live.add(sid)
        else:
            duplicates += 1
    by_stage: dict[str, dict[int, m.ScreeningDecision]] = {s: {} for s in STAGE_ORDER}
    for d in session.exec(select(m.ScreeningDecision)).all():
        if d.source_id not in live:
            continue
        stage = by_stage.setdefault(d.stage, {})
        old = stage.get(d.source_id)
        if old is None or (d.final, d.created, d.id) > (old.final, old.created, old.id):
            stage[d.source_id] = d
    ta, ft = by_stage["title-abstract"], by_stage["full-text"]
    ta_excluded = {s for s, d in ta.items() if d.decision == "exclude"}
    assessed = {s for s in ft} | {s for s, d in ta.items() if d.decision == "include"}
    reasons = Counter(
        (d.reason or "no reason given") for d in ft.values() if d.decision == "exclude"
    )
    included = {s for s, d in ft.items() if d.decision == "include"}
    if not ft:  # a one-stage screening: the title/abstract decision decides
        included = {s for s, d in ta.items() if d.decision == "include"}
    return {
        "identified": dict(sorted(identified.items())),
        "duplicates_removed": duplicates,
        "screened": len(live),
        "not_yet_screened": len(live - set(ta) - set(ft)),
        "excluded_title_abstract": len(ta_excluded),
        "full_text_assessed": len(assessed) if ft else 0,
        "excluded_full_text": dict(sorted(reasons.items())),
        "included": len(included),
    }


def prisma_table(session: Session):
    """Table 5: the PRISMA 2020 flow as rows (stage, box, count)."""
    from review.briefing.tables import Table

    c = flow_counts(session)
    rows: list[list[object]] = []
    for db, n in c["identified"].items():
        rows.append(["Identification", f"Records identified: {db}", n])
    rows.append(["Identification", "Duplicate records removed", c["duplicates_removed"]])
    rows.append(["Screening", "Records screened", c["screened"]])
    rows.append(["Screening", "Records not yet screened", c["not_yet_screened"]])
    rows.append(["Screening", "Records excluded (title/abstract)", c["excluded_title_abstract"]])
    rows.append(["Eligibility", "Reports assessed for eligibility", c["full_text_assessed"]])
    for reason, n in c["excluded_full_text"].items():
        rows.append(["Eligibility", f"Reports excluded: {reason}", n])
    rows.append(["Included", "Studies included in review", c["included"]])
    return Table(
        "prisma",
        "PRISMA 2020 flow",
        "Table 5. PRISMA 2020 flow counts from the import, deduplication and screening records.",
        ["Stage", "Box", "Count"],
        rows,
        [
            "Counted from the workspace's import batches, merged duplicates and screening "
            "decisions (the deciding decision per source and stage)."
        ],  # fmt: skip
    )
