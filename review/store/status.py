"""Counts of everything in a workspace: what `review status` and the TUI's status line show."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from review.store import models as m

COUNTED = {
    "sources": m.Source,
    "passages": m.Passage,
    "participants": m.Participant,
    "codes": m.Code,
    "codings": m.Coding,
    "suggestions": m.Suggestion,
    "memos": m.Memo,
    "coders": m.Coder,
    "indicators": m.Indicator,
    "evidence_links": m.EvidenceLink,
    "screening_decisions": m.ScreeningDecision,
    "duplicate_links": m.DuplicateLink,
    "import_batches": m.ImportBatch,
}


def counts(session: Session) -> dict:
    """Row counts per table and sources by kind (merged duplicates not counted as sources)."""
    out = {
        name: session.exec(select(func.count()).select_from(t)).one()[0]
        for name, t in COUNTED.items()
    }
    live = m.Source.merged_into_id.is_(None)
    out["sources"] = session.exec(select(func.count()).select_from(m.Source).where(live)).one()[0]
    rows = session.exec(
        select(m.Source.kind, func.count()).where(live).group_by(m.Source.kind)
    ).all()
    out["sources_by_kind"] = {kind: n for kind, n in sorted(rows)}
    return out
