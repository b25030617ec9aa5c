"""A small, set-based migration runner built on Alembic's operations.

Why not a full Alembic environment: an embedded, per-workspace database is upgraded by the
application itself on open, with no `alembic.ini`, and several features add migrations at
the same time. So each migration is a module `review/store/migrations/mNNNN_name.py` with an
`upgrade(op, conn)` function; the ids applied are recorded in `review_migrations`, and any
missing one runs in id order. DDL goes through `alembic.operations.Operations`, which writes
portable SQL (batch mode on SQLite).

A new database is created from the current models and every migration is marked applied;
`tests/test_migrations.py` proves that upgrading the first-version file gives the same schema.

Every command opens the database, so the usual case (nothing to do) is kept cheap: the
applied ids and the table names are read in two queries, and Alembic (a fifth of a second of
imports) and the migration modules are imported only when a migration is due.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from review.store import migrations as _pkg
from review.store import models  # noqa: F401  (registers the tables)
from review.store.models import utcnow

_meta = MetaData()
applied_table = Table(
    "review_migrations",
    _meta,
    Column("id", String(200), primary_key=True),
    Column("applied", DateTime, nullable=False),
)


def available_ids() -> list[str]:
    """The ids of all migrations (module names without their `m` prefix), in order."""
    return sorted(i.name[1:] for i in pkgutil.iter_modules(_pkg.__path__) if i.name.startswith("m"))


def load(mid: str) -> ModuleType:
    return importlib.import_module(f"{_pkg.__name__}.m{mid}")


def available() -> list[tuple[str, ModuleType]]:
    """All migration modules, sorted by id (the module name without its `m` prefix)."""
    return [(mid, load(mid)) for mid in available_ids()]


def applied(conn: Connection) -> set[str]:
    if not inspect(conn).has_table(applied_table.name):
        return set()
    return set(conn.execute(select(applied_table.c.id)).scalars())


def upgrade(engine: Engine) -> list[str]:
    """Bring the database to the current schema; return the migration ids that ran."""
    ran: list[str] = []
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if applied_table.name in tables:
            done = set(conn.execute(select(applied_table.c.id)).scalars())
        else:
            _meta.create_all(conn)
            done = set()
        if "source" not in tables:  # a new database: today's schema, every migration applied
            SQLModel.metadata.create_all(conn)
            for mid, module in available():
                _run_extra(module, conn)
                conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
            return ran
        pending = [mid for mid in available_ids() if mid not in done]
        if pending:
            from alembic.migration import MigrationContext
            from alembic.operations import Operations

            op = Operations(MigrationContext.configure(conn))
            for mid in pending:
                load(mid).upgrade(op, conn)
                conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
                ran.append(mid)
        # Tables that are new in the models and need no data move are simply created.
        if pending or set(SQLModel.metadata.tables) - tables:
            SQLModel.metadata.create_all(conn)
    return ran


def _run_extra(module: ModuleType, conn: Connection) -> None:
    """Objects outside the models (e.g. SQLite FTS tables) that a fresh database needs too."""
    extra = getattr(module, "create_fresh", None)
    if extra is not None:
        extra(conn)
