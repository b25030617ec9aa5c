"""What migrations share: rebuilding a SQLite table without losing what reflection misses.

Alembic's batch mode copies a SQLite table into a new one made from its reflection. Two
things do not survive reflection: AUTOINCREMENT (every table with an integer key has it since
migration 0003) and expression indexes (e.g. the unique `lower(name)` index of sibling codes).
`rebuild` keeps both. On PostgreSQL the same operations run as plain ALTER statements.

Foreign keys were created unnamed; PostgreSQL names them `<table>_<column>_fkey`, and on
SQLite `rebuild` gives the reflected ones that same name, so `fk(table, column)` names a
foreign key to drop on either backend.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

from sqlalchemy import inspect, text

from review.store.db import is_sqlite

FK_NAMES = {"fk": "%(table_name)s_%(column_0_name)s_fkey"}


def fk(table: str, column: str) -> str:
    """The name of the foreign key on `table.column` (PostgreSQL's default naming)."""
    return f"{table}_{column}_fkey"


@contextmanager
def rebuild(op, table: str, **kwargs):
    """`op.batch_alter_table` that copies a SQLite table whole, keeping every row and id."""
    conn = op.get_bind()
    if not is_sqlite(conn.engine):
        with op.batch_alter_table(table, **kwargs) as batch:
            yield batch
        return
    kept = _expression_indexes(conn, table)
    with warnings.catch_warnings():  # reflection skips expression indexes: `kept` has them
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(
            table,
            recreate="always",
            table_kwargs={"sqlite_autoincrement": True},
            naming_convention=FK_NAMES,
            **kwargs,
        ) as batch:
            yield batch
    for sql in kept:
        conn.execute(text(sql))


def _expression_indexes(conn, table: str) -> list[str]:
    """The CREATE INDEX statements of `table`'s indexes that reflection cannot see."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        seen = {ix["name"] for ix in inspect(conn).get_indexes(table)}
    rows = conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
        {"t": table},
    ).all()
    return [sql for name, sql in rows if sql and name not in seen]


def has_sqlite_autoincrement(conn, table: str) -> bool:
    row = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).first()
    return bool(row and "AUTOINCREMENT" in row[0].upper())
