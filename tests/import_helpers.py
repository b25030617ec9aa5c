"""Shared steps of the literature import tests: run `review import --json` on one file, and
read back what was stored."""

from __future__ import annotations

from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope


def run_import(cli, ws, path, *extra):
    """`review import --json [extra] PATH` in-process: the result and the one file's report."""
    res = cli("-w", ws.root, "import", "--json", *extra, path)
    doc = res.json()
    assert len(doc["files"]) == 1
    return res, doc["files"][0]


def sources_by_key(ws) -> dict[str, m.Source]:
    """Every stored source by its key."""
    with session_scope(ws.engine) as s:
        return {src.key: src for src in s.exec(select(m.Source)).all()}


def sources_in_order(ws) -> list[m.Source]:
    """Every stored source in insertion (id) order."""
    with session_scope(ws.engine) as s:
        return list(s.exec(select(m.Source).order_by(m.Source.id)).all())
