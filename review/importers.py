"""Every format `review import` reads, gathered from the stage that owns what it makes.

The import pipeline (`review.ingest.pipeline`) reads files, detects formats, keeps one
transaction a file and reports problems; it is given the formats to choose from. Literature,
transcripts and participants are formats of the ingest stage; a REFI-QDA project makes codes
and codings (the coding stage) and an indicator table makes indicators (the evidence stage), so
those live there. This module, above every stage and below the interfaces, is the one place that
knows them all: the CLI, the TUI and scripts import through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from review.ingest import pipeline
from review.ingest.pipeline import FileReport, Format
from review.store import models as m


@cache
def formats() -> tuple[Format, ...]:
    """All formats, found once per process."""
    from review.coding import qdpx_import
    from review.evidence import coding_file, indicator_import

    formats = (qdpx_import.FORMAT, indicator_import.FORMAT, coding_file.FORMAT)
    return (*pipeline.stage_formats(), *formats)


def detect(path: Path, data: bytes, wanted: str | None = None) -> Format | None:
    """The format that claims the file most surely (or the one named by `wanted`)."""
    return pipeline.detect(path, data, formats(), wanted)


def import_file(engine: Engine, path: Path, **options) -> FileReport:
    """Import one file as one transaction (see `review.ingest.pipeline.import_file`)."""
    return pipeline.import_file(engine, path, formats(), **options)


def import_paths(engine: Engine, paths: Iterable[str | Path], **options) -> list[FileReport]:
    """Import files and folders; one report per file (options: `strict`, `wanted`,
    `options`, `on_file`, `progress`, `cancelled` — see `review.ingest.pipeline`)."""
    return pipeline.import_paths(engine, paths, formats(), **options)


def first_run_hint(root: Path, corpus: Path) -> str:
    """What a command run before the first import says (`review brief` on a fresh clone of
    the sample workspace wrote an empty note with nothing to say why)."""
    where = corpus.relative_to(root) if corpus.is_relative_to(root) else corpus
    return (
        f"nothing is imported yet: review import {where} loads the files in {where}/ "
        "(the workbench imports them when it first opens)"
    )


def first_run_paths(session: Session, corpus: Path) -> list[Path]:
    """[corpus] if the workspace has never imported anything and its corpus holds
    importable files, else []: a newcomer opening the sample workspace sees real content,
    once (afterwards the database is no longer empty)."""
    if not corpus.is_dir():
        return []
    n_sources = session.exec(select(func.count()).select_from(m.Source)).one()
    n_batches = session.exec(select(func.count()).select_from(m.ImportBatch)).one()
    if n_sources or n_batches:
        return []
    files, _problems = pipeline.collect([corpus])
    return [corpus] if files else []
