"""Memos point at what they are about by foreign keys, not by a generic (target, target_id).

Before, `memo.target_id` was a bare number: deleting a code left its memo naming an id that
the next new code could get, and the memo turned up on that code. Now `memo.source_id` and
`memo.code_id` reference their rows with ON DELETE CASCADE, and a check allows at most one.

Existing memos move over. One whose source or code no longer exists is kept as a project
memo; a memo filed on a coding (the application keeps those in `coding.memo`) is appended to
that coding's memo. Each such change is reported.
"""

from sqlalchemy import Column, Integer, text

from review.store.migrations.tools import rebuild


def upgrade(op, conn) -> list[str]:
    notes: list[str] = []
    op.add_column("memo", Column("source_id", Integer))
    op.add_column("memo", Column("code_id", Integer))
    for target, table, column in (("source", "source", "source_id"), ("code", "code", "code_id")):
        conn.execute(
            text(
                f"UPDATE memo SET {column} = target_id WHERE target = :t "
                f"AND target_id IN (SELECT id FROM {table})"
            ),
            {"t": target},
        )
    moved = "source_id IS NOT NULL OR code_id IS NOT NULL"
    rows = conn.execute(
        text(
            "SELECT id, target, target_id, text FROM memo "
            f"WHERE target <> 'project' AND NOT ({moved}) ORDER BY id"
        )
    ).all()
    for mid, target, tid, body in rows:
        coding = None
        if target == "coding" and tid is not None:
            coding = conn.execute(
                text("SELECT id, memo FROM coding WHERE id = :i"), {"i": tid}
            ).first()
        if coding is not None:
            joined = f"{coding.memo}\n\n{body}" if coding.memo else body
            conn.execute(text("UPDATE coding SET memo = :m WHERE id = :i"), {"m": joined, "i": tid})
            conn.execute(text("DELETE FROM memo WHERE id = :i"), {"i": mid})
            notes.append(f"memo {mid} on coding {tid} moved into that coding's memo")
        else:
            notes.append(
                f"memo {mid} was on {target} {tid}, which no longer exists: kept as a project memo"
            )
    with rebuild(op, "memo") as batch:
        batch.drop_index("ix_memo_target_id")
        batch.drop_column("target")
        batch.drop_column("target_id")
        batch.create_foreign_key(
            "memo_source_id_fkey", "source", ["source_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            "memo_code_id_fkey", "code", ["code_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_check_constraint("ck_memo_one_target", "source_id IS NULL OR code_id IS NULL")
    op.create_index("ix_memo_source_id", "memo", ["source_id"])
    op.create_index("ix_memo_code_id", "memo", ["code_id"])
    return notes
