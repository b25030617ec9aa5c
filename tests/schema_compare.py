"""Everything that makes two schemas differ, for the migration tests (SQLite and PostgreSQL).

Alembic's `compare_metadata` covers tables, columns, types, nullability, indexes, unique
constraints, foreign keys (with their ON DELETE rule) and, with its by-name plugin, check
constraints. What it cannot see is added here: the text of check constraints, expression
indexes on SQLite (SQLAlchemy cannot reflect them there), and whether ids are never reused
(AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
"""

from __future__ import annotations

import re
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Column, Integer, inspect, text
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

from review.store import models  # noqa: F401  (registers the tables)

PLUGINS = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]


def _ours(name, type_, parent_names) -> bool:
    """Leave out what the models do not describe: FTS tables and the runner's own tables."""
    if type_ == "table":
        return not (name.startswith(("passage_fts", "review_")) or name == "sqlite_sequence")
    return True


def schema_diff(conn) -> list:
    """Differences between the database behind `conn` and `SQLModel.metadata` ([] = equal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the expression-index warnings: checked below instead
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": _ours,
                "autogenerate_plugins": PLUGINS,
            },
        )
        diff: list = list(compare_metadata(ctx, SQLModel.metadata))
    diff += _check_constraints(conn)
    if conn.dialect.name == "sqlite":
        diff += _sqlite_expression_indexes(conn)
    diff += _ids_never_reused(conn)
    return diff


def _norm(sql: str) -> str:
    """SQL text compared without case, quotes, brackets, casts or spaces."""
    sql = re.sub(r"::\w+(\s+varying)?", "", str(sql).lower())
    return re.sub(r"[\s\"'`()\[\]]", "", sql)


def _check_constraints(conn) -> list:
    insp = inspect(conn)
    out = []
    for table in SQLModel.metadata.sorted_tables:
        want = {
            c.name: _norm(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)
        }
        have = {c["name"]: _norm(c["sqltext"]) for c in insp.get_check_constraints(table.name)}
        if want != have:
            out.append(("check constraints differ", table.name, want, have))
    return out


def _sqlite_expression_indexes(conn) -> list:
    out = []
    for table in SQLModel.metadata.sorted_tables:
        want = {
            ix.name: _norm(CreateIndex(ix).compile(dialect=conn.dialect))
            for ix in table.indexes
            if any(not isinstance(e, Column) for e in ix.expressions)
        }
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
            {"t": table.name},
        ).all()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plain = {ix["name"] for ix in inspect(conn).get_indexes(table.name)}
        have = {name: _norm(sql) for name, sql in rows if sql and name not in plain}
        if want != have:
            out.append(("expression indexes differ", table.name, want, have))
    return out


def _ids_never_reused(conn) -> list:
    out = []
    for table in SQLModel.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        if conn.dialect.name == "sqlite":
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                {"t": table.name},
            ).scalar_one()
            if "AUTOINCREMENT" not in sql.upper():
                out.append(("no AUTOINCREMENT", table.name))
        elif conn.dialect.name == "postgresql":
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
            ).scalar()
            if seq is None:
                out.append(("no sequence", table.name))
    return out
