"""A source's screening status is stored on it (`source.screening_status`), and codings are
indexed by (code, source).

The library filters 100,000 sources by screening status as the reviewer types: computed from
the decisions per source that was a correlated expression costing up to a second. Now the one
screening service that records decisions (`review.screening.decisions.store_status`) keeps
the column; this migration fills it from the decisions already made, with a frozen copy of the
rule as of this migration (final decision, else the required reviewers' common decision or a
conflict, else pending; full text over title/abstract; no decision: unscreened).

Two covering indexes let the library count the live sources of one kind
(`ix_source_kind_live`) or one status (`ix_source_status_live`, with what tells literature
from the team's own data) without reading the rows.

The code filter ("sources coded with this code or its children") reads the codings of a code
subtree: `ix_coding_code_source` answers it from the index alone (it replaces `ix_coding_code`,
whose leading column it shares).
"""

from __future__ import annotations

from sqlalchemy import Column, String, text


def stage_status(rows: list[tuple], stage: str, need: int) -> str | None:
    """Frozen copy of `review.screening.decisions.outcomes` for one source and stage: `rows`
    are (coder_id, decision, reason, final) in (created, id) order."""
    final = None
    decisions: dict = {}
    reasons: dict = {}
    for coder, decision, reason, is_final in rows:
        if is_final:
            final = decision
        else:
            decisions[coder] = decision
            if reason:
                reasons[coder] = reason
    if not rows:
        return None
    if final is not None:
        return final
    if len(decisions) < need:
        return "pending"
    kinds = set(decisions.values())
    status = kinds.pop() if len(kinds) == 1 else "conflict"
    if stage == "full-text" and status == "maybe":
        status = "conflict"
    if status == "exclude" and len(set(reasons.values())) > 1:
        status = "conflict"
    return status


def backfill(conn) -> int:
    """Set every decided source's status from its decisions; returns how many were set."""
    value = conn.execute(text("SELECT value FROM setting WHERE key = 'screening.reviewers'"))
    need = int(value.scalar() or 2)
    found = conn.execute(
        text(
            "SELECT source_id, stage, coder_id, decision, reason, final FROM screeningdecision "
            "ORDER BY source_id, created, id"
        )
    )
    by_source: dict[int, dict[str, list[tuple]]] = {}
    for sid, stage, coder, decision, reason, final in found:
        by_source.setdefault(sid, {}).setdefault(stage, []).append(
            (coder, decision, reason, bool(final))
        )
    values = []
    for sid, stages in by_source.items():
        status = (
            stage_status(stages.get("full-text", []), "full-text", need)
            or stage_status(stages.get("title-abstract", []), "title-abstract", need)
            or "unscreened"
        )
        if status != "unscreened":
            values.append({"s": status, "i": sid})
    if values:
        conn.execute(text("UPDATE source SET screening_status = :s WHERE id = :i"), values)
    return len(values)


def upgrade(op, conn) -> None:
    op.add_column(
        "source",
        Column("screening_status", String(20), nullable=False, server_default=text("'unscreened'")),
    )
    op.create_index("ix_source_screening_status", "source", ["screening_status"])
    op.create_index("ix_source_kind_live", "source", ["kind", "merged_into_id"])
    op.create_index(
        "ix_source_status_live",
        "source",
        ["screening_status", "merged_into_id", "kind", "record_format"],
    )
    backfill(conn)
    op.drop_index("ix_coding_code", table_name="coding")
    op.create_index("ix_coding_code_source", "coding", ["code_id", "source_id"])
