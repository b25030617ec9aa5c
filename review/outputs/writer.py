"""Write the whole briefing pack in one go: the tables in every format plus the exports.

One function for the Brief screen and `review brief --exports`, so both write the same files.
Each step reports progress (`on_step(done, total, label)`); each reads in its own short
transaction so a long write never blocks coders working at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from review.store.db import session_scope

STEPS = ("tables", "md", "csv", "html", "docx", "excerpts", "bibtex", "ris", "qdpx")


def write_pack(
    engine: Engine,
    directory: Path,
    *,
    formats: tuple[str, ...] = ("md", "csv", "html", "docx"),
    exports: bool = True,
    name: str = "review",
    on_step: Callable[[int, int, str], None] = lambda done, total, label: None,
) -> list[Path]:
    """Write the brief (and, with `exports`, excerpts CSV, BibTeX, RIS and .qdpx)."""
    from review.outputs.brief.render import write
    from review.outputs.brief.tables import build

    steps = (["tables", *formats] if formats else []) + (
        ["excerpts", "bibtex", "ris", "qdpx"] if exports else []
    )
    total = len(steps)
    note = None
    if formats:
        on_step(0, total, "building tables")
        with session_scope(engine) as s:
            note = build(s)
    written: list[Path] = []
    for i, step in enumerate(steps, start=1):
        if step == "tables":
            continue
        on_step(i - 1, total, f"writing {step}")
        if step in formats:
            written += write(note, directory, [step])
        else:
            written.append(_export(engine, directory, step, name))
    on_step(total, total, "done")
    return sorted(written)


def _export(engine: Engine, directory: Path, what: str, name: str) -> Path:
    from review.outputs.bibliography import select_sources, to_bibtex, to_ris
    from review.outputs.excerpts import excerpt_rows, to_csv
    from review.outputs.qdpx import export_qdpx

    directory.mkdir(parents=True, exist_ok=True)
    with session_scope(engine) as s:
        if what == "excerpts":
            # BOM, as for the brief's CSV files: Excel reads UTF-8 then
            path, data = directory / "excerpts.csv", to_csv(excerpt_rows(s)).encode("utf-8-sig")
        elif what == "bibtex":
            path, data = directory / "included.bib", to_bibtex(select_sources(s)).encode("utf-8")
        elif what == "ris":
            path, data = directory / "included.ris", to_ris(select_sources(s)).encode("utf-8")
        else:
            path, data = directory / f"{name}.qdpx", export_qdpx(s, name)[0]
    path.write_bytes(data)
    return path
