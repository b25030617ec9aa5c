"""Counts of everything in a workspace: what `review status` and the TUI's status line show.

Written against the table names with SQLAlchemy Core, not the SQLModel classes, and as one
statement: `review status` then needs neither the models (≈0.2 s to define) nor the ORM's
mapper set-up, which is most of its start-up (see bench/cli_startup.py).
`tests/test_store.py` checks these names against the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import column, func, select, table

if TYPE_CHECKING:
    from sqlmodel import Session

COUNTED = {
    "sources": "source",
    "passages": "passage",
    "participants": "participant",
    "codes": "code",
    "codings": "coding",
    "suggestions": "suggestion",
    "memos": "memo",
    "coders": "coder",
    "indicators": "indicator",
    "evidence_links": "evidencelink",
    "screening_decisions": "screeningdecision",
    "duplicate_links": "duplicatelink",
    "import_batches": "importbatch",
}


def _count(name: str):
    """Rows of a table; of `duplicatelink` only the live links (a merge not undone; a pair
    kept apart is no duplicate link)."""
    if name == "duplicatelink":
        link = table(name, column("status"))
        return select(func.count()).select_from(link).where(link.c.status == "merged")
    return select(func.count()).select_from(table(name))


def counts(session: Session) -> dict:
    """Row counts per table and sources by kind (merged duplicates not counted as sources)."""
    source = table("source", column("kind"), column("merged_into_id"))
    live = source.c.merged_into_id.is_(None)
    conn = session.connection()
    totals = [
        _count(name).scalar_subquery().label(key)
        for key, name in COUNTED.items()
        if key != "sources"
    ]
    row = conn.execute(
        select(select(func.count()).where(live).select_from(source).scalar_subquery(), *totals)
    ).one()
    out = dict(zip(COUNTED, row, strict=True))
    rows = conn.execute(select(source.c.kind, func.count()).where(live).group_by(source.c.kind))
    out["sources_by_kind"] = {kind: n for kind, n in sorted(rows.all())}
    return out
