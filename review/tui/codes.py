"""The codebook as the workbench displays it: choices for pickers, key maps and colours.

Read through the codebook service (`review.coding.codebook.code_tree` / `code_paths`); changes go
through the coding and codebook services.
"""

from __future__ import annotations

from sqlmodel import Session

from review.coding.codebook import code_paths, code_tree
from review.store.models import pk
from review.tui.widgets.code_form import CodeFields
from review.tui.widgets.code_picker import CodeChoice

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def code_choices(session: Session, codable_only: bool = True) -> list[CodeChoice]:
    """Every code with its full path ('Four Cs/Co-design'), in codebook order."""
    paths = code_paths(session)
    out = []
    for i, (code, _depth, _n) in enumerate(code_tree(session, counts=False)):
        if codable_only and not code.codable:
            continue
        code_id = pk(code)
        out.append(
            CodeChoice(
                id=code_id,
                path=paths.get(code_id, code.name),
                shortcut=code.shortcut,
                colour=code.colour or PALETTE[i % len(PALETTE)],
                definition=code.definition,
                codable=code.codable,
            )
        )
    return out


def code_fields(code) -> CodeFields:
    """A code's fields as the form shows them."""
    return CodeFields(
        name=code.name,
        parent_id=code.parent_id,
        definition=code.definition or "",
        include=code.include or "",
        exclude=code.exclude or "",
        example=code.example or "",
        keywords=list(code.keywords or []),
        colour=code.colour or "",
        shortcut=code.shortcut or "",
        codable=code.codable,
    )


def save_code_form(session, cid: int | None, values: dict) -> int:
    """Add (cid None) or update a code from the form's values; the code's id."""
    from review.coding.codebook import add_code, code_path, edit_code

    values = dict(values)
    parent = values.pop("parent_id")
    name = values.pop("name")
    if cid is None:
        prefix = code_path(session, parent) + "/" if parent is not None else ""
        extra = {k: (v or None) if isinstance(v, str) else v for k, v in values.items()}
        return pk(add_code(session, prefix + name, **extra))
    edit_code(session, cid, name=name, parent=parent, **values)
    return cid
