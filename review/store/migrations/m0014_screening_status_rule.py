"""Every stored screening status worked out again, with the rule of 2026-12-02.

`source.screening_status` (m0012) is kept by the screening service as decisions are made, so
a database written before a change of the rule keeps statuses the rule no longer gives. The
rule changed so: full-text decisions count only while the record passes title/abstract
(included or "maybe") — a record both reviewers excluded at title/abstract after someone had
decided it at full text showed its old full-text status in the Library and its filters —
and a record with no decisions left (its decisions moved in a duplicate merge) is
"unscreened". This migration sets each source's status by that rule, as frozen here (each
stage's outcome is m0012's, unchanged), and reports every change, counted by old and new
status with the first keys, so no status changes silently.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import text

from review.store.migrations.m0012_source_status import stage_status

PASSED = ("include", "maybe")
SHOWN = 5  # keys named per change


def statuses(conn) -> dict[int, str]:
    """Each source's status from its decisions: the full-text outcome while the record passes
    title/abstract, else the title/abstract one, else "unscreened"."""
    value = conn.execute(text("SELECT value FROM setting WHERE key = 'screening.reviewers'"))
    need = int(value.scalar() or 2)
    found = conn.execute(
        text(
            "SELECT source_id, stage, coder_id, decision, reason, final FROM screeningdecision "
            "ORDER BY source_id, created, id"
        )
    )
    by_source: dict[int, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for sid, stage, coder, decision, reason, final in found:
        by_source[sid][stage].append((coder, decision, reason, bool(final)))
    out = {}
    for sid, stages in by_source.items():
        first = stage_status(stages["title-abstract"], "title-abstract", need)
        later = stage_status(stages["full-text"], "full-text", need)
        if first in PASSED and later is not None:
            out[sid] = later
        else:
            out[sid] = first or "unscreened"
    return out


def upgrade(op, conn) -> list[str]:
    wanted = statuses(conn)
    changed: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for sid, key, stored in conn.execute(text("SELECT id, key, screening_status FROM source")):
        now = wanted.get(sid, "unscreened")
        if now != stored:
            changed[(stored, now)].append((sid, key))
    for (_, now), rows in changed.items():
        conn.execute(
            text("UPDATE source SET screening_status = :s WHERE id = :i"),
            [{"s": now, "i": sid} for sid, _ in rows],
        )
    notes = []
    for (before, now), rows in sorted(changed.items()):
        keys = ", ".join(key for _, key in rows[:SHOWN])
        more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
        n = len(rows)
        notes.append(
            f"screening status of {n} record{'s' if n != 1 else ''} worked out again from "
            f"the decisions: {before} -> {now} ({keys}{more})"
        )
    return notes
