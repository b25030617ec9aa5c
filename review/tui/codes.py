"""The codebook as the workbench displays it (read-only views over the `Code` table).

Changing codes and codings goes through the coding services; this only reads rows for
pickers, key maps and colours.
"""

from __future__ import annotations

from sqlmodel import Session, select

from review.store import models as m
from review.tui.widgets.code_picker import CodeChoice

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def code_choices(session: Session, codable_only: bool = True) -> list[CodeChoice]:
    """Every code with its full path ('Four Cs/Co-design'), in codebook order."""
    codes = session.exec(select(m.Code).order_by(m.Code.position, m.Code.id)).all()
    by_id = {c.id: c for c in codes}

    def path(c: m.Code) -> str:
        parts, seen = [c.name], {c.id}
        while c.parent_id is not None and c.parent_id in by_id and c.parent_id not in seen:
            c = by_id[c.parent_id]
            seen.add(c.id)
            parts.append(c.name)
        return "/".join(reversed(parts))

    out = []
    for i, c in enumerate(codes):
        if codable_only and not c.codable:
            continue
        out.append(
            CodeChoice(
                id=c.id,
                path=path(c),
                shortcut=c.shortcut,
                colour=c.colour or PALETTE[i % len(PALETTE)],
                definition=c.definition,
            )
        )
    return out
