"""First run: a newcomer opening the repository's sample workspace sees real content.

When the database has no sources yet and `corpus/` holds files, the workbench imports them
(in a worker, on the Import screen, with progress and a report) — once: afterwards the
database is no longer empty.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from review.ingest.pipeline import collect
from review.store import models as m
from review.store.workspace import Workspace


def sample_files_to_import(session: Session, ws: Workspace) -> list[Path]:
    """[corpus/] if the workspace is empty and its corpus holds importable files, else []."""
    if not ws.corpus.is_dir():
        return []
    n_sources = session.exec(select(func.count()).select_from(m.Source)).one()[0]
    n_batches = session.exec(select(func.count()).select_from(m.ImportBatch)).one()[0]
    if n_sources or n_batches:
        return []
    files, _problems = collect([ws.corpus])
    return [ws.corpus] if files else []
