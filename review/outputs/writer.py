"""The one place exports and the briefing pack are written from.

`review export`, `review brief --exports` and the Brief screen all call `render_export` for
the bytes and `write_export` for the file, so the same request writes the same file under the
same name whichever interface asked. `write_pack` writes the whole briefing pack in one go:
the tables in every format plus the exports, reporting progress per step; each step reads in
its own short transaction so a long write never blocks coders working at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy.engine import Engine
from sqlmodel import Session

from review.errors import UsageError
from review.files import write_file
from review.store.db import session_scope

EXPORTS = ("bibtex", "ris", "excerpts", "qdpx")
EXCERPT_FORMATS = ("csv", "json", "md", "docx", "xlsx")
DEFAULT_NAMES = {"bibtex": "included.bib", "ris": "included.ris", "qdpx": "review.qdpx"}
PACK_EXPORTS = ("excerpts", "bibtex", "ris", "qdpx")
STEPS = ("tables", "md", "csv", "html", "docx", *PACK_EXPORTS)


@dataclass
class Export:
    """An export's bytes, what it holds (counts by kind) and its usual file name."""

    what: str
    data: bytes
    filename: str
    counts: dict[str, int] = field(default_factory=dict)
    only: str | None = None  # blind coding: the one coder whose codings it holds


def excerpt_format(fmt: str | None, output: Path | None) -> str:
    """The excerpt format asked for: `--format`, else the output's suffix, else CSV."""
    chosen = (fmt or (output.suffix.lstrip(".").lower() if output else "") or "csv").lower()
    if chosen not in EXCERPT_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(EXCERPT_FORMATS)} (got {chosen!r})")
    return chosen


def default_name(what: str, fmt: str | None = None) -> str:
    """The usual file name of an export (`excerpts.<fmt>` for excerpts)."""
    if what == "excerpts":
        return f"excerpts.{fmt or 'csv'}"
    return DEFAULT_NAMES[what]


def render_export(
    session: Session,
    what: str,
    *,
    fmt: str | None = None,
    keys: Sequence[str] = (),
    include_all: bool = False,
    code: str | None = None,
    source: str | None = None,
    project: str = "review",
    codebook_path: Path | None = None,
    viewer: str | None = None,
) -> Export:
    """The bytes of one export.

    bibtex/ris: the included sources (every literature record with `include_all`, or the
    named `keys`); excerpts: coded excerpts (optionally of one `code` with its children, or
    one `source`) as csv, json, md, docx or xlsx; qdpx: a REFI-QDA project named `project`
    (of the named `keys` only, if any), with the workspace codebook loaded first so a project
    exported before any coding still carries its codes.

    Excerpts and qdpx hold, with blind coding on, only `viewer`'s codings (`blind_coder`;
    `Export.only` names them); without a viewer (the briefing pack: the team's), everyone's.
    """
    from review.coding.codings import blind_coder

    if what not in EXPORTS:
        raise UsageError(f"export what? one of {', '.join(EXPORTS)} (got {what!r})")
    if what in ("bibtex", "ris"):
        from review.outputs.bibliography import select_sources, to_bibtex, to_ris

        chosen = select_sources(session, list(keys), include_all)
        text = (to_bibtex if what == "bibtex" else to_ris)(chosen)
        return Export(what, text.encode("utf-8"), default_name(what), {"sources": len(chosen)})
    if what == "excerpts":
        from review.outputs.excerpts import WRITERS, excerpt_rows

        fmt = excerpt_format(fmt, None)
        rows = excerpt_rows(session, code, source, viewer=viewer)
        out = WRITERS[fmt](rows)
        # CSV with a BOM: Excel then reads UTF-8 (curly quotes, dashes) correctly
        data = out.encode("utf-8-sig" if fmt == "csv" else "utf-8") if isinstance(out, str) else out
        counts = {"excerpts": len(rows)}
        return Export(what, data, default_name(what, fmt), counts, blind_coder(session, viewer))
    from review.coding.codebook import ensure_codebook
    from review.outputs.bibliography import select_sources
    from review.outputs.qdpx import export_qdpx

    if codebook_path is not None:
        ensure_codebook(session, codebook_path)
    ids = [cast(int, x.id) for x in select_sources(session, list(keys))] if keys else None
    data, counts = export_qdpx(session, project, ids, viewer=viewer)
    return Export(what, data, default_name(what), dict(counts), blind_coder(session, viewer))


def target(output: Path | None, default_dir: Path, filename: str) -> Path:
    """Where an export goes: `output` itself, or `filename` inside `output` when it is a
    folder, or inside `default_dir` when no output was given."""
    if output is None:
        return default_dir / filename
    if output.is_dir():
        return output / filename
    return output


def write_export(
    session: Session, what: str, output: Path | None, default_dir: Path, **options
) -> tuple[Path, Export]:
    """Render one export (`render_export` options) and write it; returns (path, export)."""
    if what == "excerpts":
        options["fmt"] = excerpt_format(options.get("fmt"), output if _is_file(output) else None)
    export = render_export(session, what, **options)
    path = target(output, default_dir, export.filename)
    return write_file(path, export.data), export


def _is_file(output: Path | None) -> bool:
    return output is not None and not output.is_dir()


def write_pack(
    engine: Engine,
    directory: Path,
    *,
    formats: tuple[str, ...] = ("md", "csv", "html", "docx"),
    exports: bool = True,
    name: str = "review",
    codebook_path: Path | None = None,
    on_step: Callable[[int, int, str], None] = lambda done, total, label: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Path]:
    """Write the brief (and, with `exports`, excerpts CSV, BibTeX, RIS and .qdpx).
    `cancelled()` true stops before the next file (those written stay, whole). The pack is
    the team's: every coder's codings, blind coding or not (the interfaces say so)."""
    from review.outputs.brief.render import write
    from review.outputs.brief.tables import build

    steps = (["tables", *formats] if formats else []) + (list(PACK_EXPORTS) if exports else [])
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
        if cancelled():
            return sorted(written)
        on_step(i - 1, total, f"writing {step}")
        if step in formats:
            assert note is not None  # built above: `formats` is not empty
            written += write(note, directory, [step], cancelled=cancelled)
        else:
            with session_scope(engine) as s:
                path, _ = write_export(
                    s, step, None, directory, project=name, codebook_path=codebook_path
                )
            written.append(path)
    on_step(total, total, "done")
    return sorted(written)
