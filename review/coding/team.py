"""Team work: move a workspace to the team's server and back, and merge coders' copies.

`push` copies this workspace's database into an empty PostgreSQL database (or any empty
database), `pull` copies a server's database into this workspace's empty SQLite file; both
check every table's rows and content checksum on both sides (`review.store.transfer`) and
rebuild the full-text index on the target. `review.coding.merge` brings another workspace's
coding of the same sources into this one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from review.coding.search import index_passages
from review.store.db import session_scope
from review.store.transfer import TableCheck, copy_database, require_empty


def _rebuild_index(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        index_passages(s)


def push(
    source: Engine,
    url: str,
    *,
    progress: Callable[[str, int, int], None] = lambda table, done, total: None,
) -> list[TableCheck]:
    """Copy the workspace behind `source` into the empty database at `url`."""
    from review.store.workspace import open_database

    target = open_database(url)
    try:
        checks = copy_database(source, target, progress=progress)
        _rebuild_index(target)
    finally:
        target.dispose()
    return checks


def pull(
    url: str,
    target: Engine,
    *,
    progress: Callable[[str, int, int], None] = lambda table, done, total: None,
) -> list[TableCheck]:
    """Copy the database at `url` into this workspace's empty database `target`."""
    from review.store.workspace import open_database

    require_empty(target, "this workspace's database")
    source = open_database(url)
    try:
        checks = copy_database(source, target, progress=progress)
    finally:
        source.dispose()
    _rebuild_index(target)
    return checks
