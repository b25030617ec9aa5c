"""An indicator's not-yet-imported source key is a column, not text inside its note.

`store_rows` used to append "source: KEY (not in workspace)" to `indicator.note`, and the
relink and brief code parsed it back out with a pattern. `indicator.pending_source` holds the
key now; existing notes give it up (the rest of the note is kept as it was).
"""

import re

from sqlalchemy import Column, String, text

# Frozen: what `store_rows` wrote before this migration.
UNLINKED = re.compile(r"source: (\S+) \(not in workspace\)")


def upgrade(op, conn) -> None:
    op.add_column("indicator", Column("pending_source", String(300)))
    rows = conn.execute(
        text("SELECT id, note, source_id FROM indicator WHERE note LIKE '%(not in workspace)%'")
    ).all()
    for iid, note, source_id in rows:
        hit = UNLINKED.search(note or "")
        if not hit:
            continue
        rest = UNLINKED.sub("", note).strip("; ").strip() or None
        pending = hit.group(1) if source_id is None else None
        conn.execute(
            text("UPDATE indicator SET note = :n, pending_source = :p WHERE id = :i"),
            {"n": rest, "p": pending, "i": iid},
        )
