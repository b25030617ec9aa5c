"""Evidence links: real foreign keys that cascade, exactly one target, one link per target.

`evidencelink.indicator_id`, `code_id` and `coding_id` now delete the link with their row
(ON DELETE CASCADE); a check requires exactly one of code and coding; a unique index makes
"the same tie twice updates it" (`review.evidence.links.link`) a rule of the database.

Existing rows that break these rules are resolved and reported: a link with both a code and
a coding keeps the coding (which names its code); a link whose indicator, code or coding is
gone (or that names neither) is removed, its content written into the report; duplicate ties
are merged into the oldest, notes joined.
"""

import json

from sqlalchemy import text

from review.store.migrations.tools import fk, rebuild


def upgrade(op, conn) -> list[str]:
    notes: list[str] = []
    both = conn.execute(
        text("SELECT id FROM evidencelink WHERE code_id IS NOT NULL AND coding_id IS NOT NULL")
    ).scalars()
    for lid in both.all():
        conn.execute(text("UPDATE evidencelink SET code_id = NULL WHERE id = :i"), {"i": lid})
        notes.append(f"evidence link {lid} named a code and a coding: kept the coding")
    dangling = conn.execute(
        text(
            "SELECT l.id, l.indicator_id, l.code_id, l.coding_id, l.relation, l.note "
            "FROM evidencelink l "
            "WHERE l.indicator_id NOT IN (SELECT id FROM indicator) "
            "OR (l.code_id IS NULL AND l.coding_id IS NULL) "
            "OR (l.code_id IS NOT NULL AND l.code_id NOT IN (SELECT id FROM code)) "
            "OR (l.coding_id IS NOT NULL AND l.coding_id NOT IN (SELECT id FROM coding)) "
            "ORDER BY l.id"
        )
    ).all()
    for row in dangling:
        conn.execute(text("DELETE FROM evidencelink WHERE id = :i"), {"i": row.id})
        what = json.dumps(dict(row._mapping), ensure_ascii=False)
        notes.append(f"evidence link {row.id} pointed at nothing and was removed: {what}")
    groups = conn.execute(
        text(
            "SELECT indicator_id, coalesce(code_id, 0) AS code, coalesce(coding_id, 0) AS coding "
            "FROM evidencelink GROUP BY indicator_id, coalesce(code_id, 0), "
            "coalesce(coding_id, 0) HAVING count(*) > 1"
        )
    ).all()
    for g in groups:
        rows = conn.execute(
            text(
                "SELECT id, note FROM evidencelink WHERE indicator_id = :i "
                "AND coalesce(code_id, 0) = :c AND coalesce(coding_id, 0) = :d ORDER BY id"
            ),
            {"i": g.indicator_id, "c": g.code, "d": g.coding},
        ).all()
        keep, extra = rows[0], rows[1:]
        joined = list(dict.fromkeys(r.note for r in rows if r.note))
        conn.execute(
            text("UPDATE evidencelink SET note = :n WHERE id = :i"),
            {"n": "; ".join(joined) or None, "i": keep.id},
        )
        for r in extra:
            conn.execute(text("DELETE FROM evidencelink WHERE id = :i"), {"i": r.id})
        gone = ", ".join(str(r.id) for r in extra)
        notes.append(f"evidence link(s) {gone} repeated link {keep.id}: merged into it")
    with rebuild(op, "evidencelink") as batch:
        for column, target in (("indicator_id", "indicator"), ("code_id", "code"),
                               ("coding_id", "coding")):  # fmt: skip
            batch.drop_constraint(fk("evidencelink", column), type_="foreignkey")
            batch.create_foreign_key(
                fk("evidencelink", column), target, [column], ["id"], ondelete="CASCADE"
            )
        batch.create_check_constraint(
            "ck_evidencelink_one_target", "(code_id IS NULL) <> (coding_id IS NULL)"
        )
    op.create_index(
        "ux_evidencelink_target",
        "evidencelink",
        ["indicator_id", text("coalesce(code_id, 0)"), text("coalesce(coding_id, 0)")],
        unique=True,
    )
    return notes
