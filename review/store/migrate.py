"""A small, set-based migration runner built on Alembic's operations.

Why not a full Alembic environment: an embedded, per-workspace database is upgraded by the
application itself on open, with no `alembic.ini`, and several features add migrations at
the same time. So each migration is a module `review/store/migrations/mNNNN_name.py` with an
`upgrade(op, conn)` function; the ids applied are recorded in `review_migrations`, and any
missing one runs in id order. DDL goes through `alembic.operations.Operations`, which writes
portable SQL (batch mode on SQLite).

A new database is created from the current models and every migration is marked applied;
`tests/test_migrations.py` proves that upgrading the first-version file gives the same schema.

Opening an up-to-date SQLite database costs one PRAGMA: a successful upgrade stamps the file's
`user_version` with a hash of the storage code (`schema_stamp`), and while it matches there
is nothing to do, so `review status` need not import the models (≈0.2 s) or Alembic
(≈0.1 s). Any change to `review/store/` changes the stamp and the next open runs the full
check. (PostgreSQL has no such header field; it always runs the full check.)
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from review.store import migrations as _pkg
from review.store.db import is_sqlite

_meta = MetaData()
applied_table = Table(
    "review_migrations",
    _meta,
    Column("id", String(200), primary_key=True),
    Column("applied", DateTime, nullable=False),
)


def available() -> list[tuple[str, ModuleType]]:
    """All migration modules, sorted by id (the module name without its `m` prefix)."""
    found = []
    for info in pkgutil.iter_modules(_pkg.__path__):
        if info.name.startswith("m"):
            module = importlib.import_module(f"{_pkg.__name__}.{info.name}")
            found.append((info.name[1:], module))
    return sorted(found, key=lambda item: item[0])


def applied(conn: Connection) -> set[str]:
    if not inspect(conn).has_table(applied_table.name):
        return set()
    return set(conn.execute(select(applied_table.c.id)).scalars())


@cache
def schema_stamp() -> int:
    """A positive 31-bit hash of every source file of the storage layer (models, migrations,
    this runner): equal stamps mean the database was upgraded by this very schema code."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return int.from_bytes(digest.digest()[:4], "big") & 0x7FFFFFFF or 1


def _stamped(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA user_version").scalar() == schema_stamp()


def _stamp(conn: Connection) -> None:
    if is_sqlite(conn.engine):
        conn.exec_driver_sql(f"PRAGMA user_version = {schema_stamp()}")


def upgrade(engine: Engine) -> list[str]:
    """Bring the database to the current schema; return the migration ids that ran."""
    if is_sqlite(engine) and _stamped(engine):
        return []
    from review.store import models  # registers the tables

    utcnow = models.utcnow
    ran: list[str] = []
    with engine.begin() as conn:
        fresh = not inspect(conn).has_table("source")
        _meta.create_all(conn)
        done = applied(conn)
        if fresh:
            SQLModel.metadata.create_all(conn)
            for mid, module in available():
                _run_extra(module, conn)
                conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
            _stamp(conn)
            return ran
        pending = [(mid, module) for mid, module in available() if mid not in done]
        if pending:  # (Alembic, ~0.1 s to import, only when there is DDL to run)
            from alembic.migration import MigrationContext
            from alembic.operations import Operations

            op = Operations(MigrationContext.configure(conn))
        for mid, module in pending:
            module.upgrade(op, conn)
            conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
            ran.append(mid)
        # Tables that are new in the models and need no data move are simply created.
        SQLModel.metadata.create_all(conn)
        _stamp(conn)
    return ran


def _run_extra(module: ModuleType, conn: Connection) -> None:
    """Objects outside the models (e.g. SQLite FTS tables) that a fresh database needs too."""
    extra = getattr(module, "create_fresh", None)
    if extra is not None:
        extra(conn)
