"""A participant's scope is a column: `scope_id` (the source a generic label belongs to).

Generic speaker labels ("P1", "Interviewer") were stored scoped inside the name, as
"P1 @ fg-safety", and found again with LIKE patterns; aliases the same way ("R1 @ fg-safety").
Now `participant.scope_id` / `participantalias.scope_id` reference the source and the name is
the bare label; uniqueness is over (name, scope). Existing names are split when the part
after " @ " is a source's key; any other name is left as it is, and reported.
"""

from sqlalchemy import Column, Integer, text

from review.store.migrations.tools import rebuild

SEP = " @ "  # frozen: how the scope was written into names


def upgrade(op, conn) -> list[str]:
    notes: list[str] = []
    keys = dict(conn.execute(text('SELECT "key", id FROM source')).all())
    for table, column in (("participant", "name"), ("participantalias", "alias")):
        with rebuild(op, table) as batch:
            batch.add_column(Column("scope_id", Integer))
            batch.create_foreign_key(
                f"{table}_scope_id_fkey", "source", ["scope_id"], ["id"], ondelete="RESTRICT"
            )
            batch.drop_index(f"ix_{table}_{column}")
            batch.create_index(f"ix_{table}_{column}", [column])
            batch.create_index(f"ix_{table}_scope_id", ["scope_id"])
        rows = conn.execute(
            text(f"SELECT id, {column} FROM {table} WHERE {column} LIKE :p ORDER BY id"),
            {"p": f"%{SEP}%"},
        ).all()
        for rid, value in rows:
            label, _, key = value.rpartition(SEP)
            if key in keys and label.strip():
                conn.execute(
                    text(f"UPDATE {table} SET {column} = :n, scope_id = :s WHERE id = :i"),
                    {"n": label, "s": keys[key], "i": rid},
                )
            else:
                notes.append(
                    f"{table} {rid} {value!r}: no source {key!r}, so the name is left as it is"
                )
        op.create_index(
            f"ux_{table}_{column}_scope",
            table,
            [column, text("coalesce(scope_id, 0)")],
            unique=True,
        )
    return notes
