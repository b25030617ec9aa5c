"""The codebook's uniqueness rules become the database's: sibling names and shortcut keys.

The application refused a second "Trust" under one parent (ignoring case) and a shortcut key
already in use, but only where it remembered to check: raw SQL, a merge that moved children,
or an import could still make both. Now `ux_code_sibling_name` (over coalesce(parent_id, 0)
and lower(name): top-level codes have a NULL parent, which a plain unique index would let
repeat) and `ux_code_shortcut` refuse them. Existing clashes are resolved and reported: the
oldest code keeps its name (others become "Trust (2)", ...) and its key (others lose it).
"""

from sqlalchemy import text


def upgrade(op, conn) -> list[str]:
    notes: list[str] = []
    codes = conn.execute(
        text("SELECT id, parent_id, name, lower(name) AS folded, shortcut FROM code ORDER BY id")
    ).all()
    taken = {(c.parent_id or 0, c.folded) for c in codes}
    first: dict[tuple[int, str], int] = {}
    for c in codes:
        key = (c.parent_id or 0, c.folded)
        if key not in first:
            first[key] = c.id
            continue
        n = 2
        while (c.parent_id or 0, _lower(conn, f"{c.name} ({n})")) in taken:
            n += 1
        new = f"{c.name} ({n})"
        taken.add((c.parent_id or 0, _lower(conn, new)))
        conn.execute(text("UPDATE code SET name = :n WHERE id = :i"), {"n": new, "i": c.id})
        notes.append(
            f"code {c.id} {c.name!r} had the name of its sibling code {first[key]}: renamed {new!r}"
        )
    owner: dict[str, int] = {}
    for c in codes:
        if c.shortcut is None:
            continue
        if c.shortcut not in owner:
            owner[c.shortcut] = c.id
            continue
        conn.execute(text("UPDATE code SET shortcut = NULL WHERE id = :i"), {"i": c.id})
        notes.append(
            f"code {c.id} {c.name!r} lost shortcut {c.shortcut!r}, already code "
            f"{owner[c.shortcut]}'s"
        )
    op.create_index(
        "ux_code_sibling_name",
        "code",
        [text("coalesce(parent_id, 0)"), text("lower(name)")],
        unique=True,
    )
    op.create_index("ux_code_shortcut", "code", ["shortcut"], unique=True)
    return notes


def _lower(conn, name: str) -> str:
    """The database's own lower(), the one the index compares with."""
    return conn.execute(text("SELECT lower(:n)"), {"n": name}).scalar_one()
