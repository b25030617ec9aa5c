"""The codebook as the workbench displays it: choices for pickers, key maps and colours.

Read through the codebook service (`review.coding.codebook.code_tree` / `code_paths`); changes go
through the coding and codebook services.
"""

from __future__ import annotations

from sqlmodel import Session

from review.coding.codebook import code_paths, code_tree
from review.tui.widgets.code_picker import CodeChoice

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def code_choices(session: Session, codable_only: bool = True) -> list[CodeChoice]:
    """Every code with its full path ('Four Cs/Co-design'), in codebook order."""
    paths = code_paths(session)
    out = []
    for i, (code, _depth, _n) in enumerate(code_tree(session, counts=False)):
        if codable_only and not code.codable:
            continue
        out.append(
            CodeChoice(
                id=code.id,
                path=paths.get(code.id, code.name),
                shortcut=code.shortcut,
                colour=code.colour or PALETTE[i % len(PALETTE)],
                definition=code.definition,
                codable=code.codable,
            )
        )
    return out
