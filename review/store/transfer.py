"""Copy a whole workspace database to another database, losslessly and checked.

`review push URL` copies a SQLite workspace into an empty PostgreSQL database (the team's
server) and `review pull URL` copies a server's database into an empty SQLite file; both go
through `copy_database`. Every table of the models is copied with its ids (so every reference
stays true), in foreign-key order, self-references (a code's parent, a merged record's
survivor) filled in after their rows exist; the target's id sequences are moved past the
copied ids. Afterwards each table's row count and a content checksum are computed on both
sides and compared: the report is what `push`/`pull` print, and a difference is an error.

The copy of the rows is one transaction on the target: a failure (a lost connection, a full
disk, a mismatch) rolls it back and leaves the target with its schema and no rows.
Derived data (full-text indexes) is not copied; the caller rebuilds it on the target.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from review.errors import ReviewError
from review.store.db import is_sqlite

BATCH = 5_000


@dataclass
class TableCheck:
    """One table's rows and checksum on both sides."""

    table: str
    rows_source: int
    rows_target: int
    checksum_source: str
    checksum_target: str

    @property
    def ok(self) -> bool:
        return (self.rows_source, self.checksum_source) == (
            self.rows_target,
            self.checksum_target,
        )

    def to_dict(self) -> dict:
        return {
            "table": self.table,
            "rows": self.rows_source,
            "rows_target": self.rows_target,
            "checksum": self.checksum_source,
            "checksum_target": self.checksum_target,
            "ok": self.ok,
        }


def tables() -> list[Table]:
    """The models' tables in foreign-key order (parents first)."""
    from review.store import models  # noqa: F401  (registers the tables)

    return list(SQLModel.metadata.sorted_tables)


def row_counts(conn: Connection) -> dict[str, int]:
    return {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
    }


def require_empty(engine: Engine, what: str) -> None:
    """Refuse a target that already holds rows: a copy never merges into or overwrites data."""
    with engine.connect() as conn:
        full = {name: n for name, n in row_counts(conn).items() if n}
    if full:
        some = ", ".join(f"{n} {name}" for name, n in sorted(full.items())[:4])
        raise ReviewError(f"{what} is not empty ({some}); copy only into an empty database")


def _self_references(table: Table) -> list[str]:
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and not fk.parent.primary_key
    ]


def _canonical(value: object) -> object:
    """A value as both databases give it back alike (the checksum's input)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        return repr(float(value))
    if isinstance(value, bytes):
        return value.hex()
    return value


def checksum(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, SHA-256 of the rows in primary-key order, each as canonical JSON)."""
    digest = hashlib.sha256()
    order = list(table.primary_key.columns)
    n = 0
    stmt = select(table).order_by(*order).execution_options(yield_per=BATCH)
    for row in conn.execute(stmt):
        values = [_canonical(v) for v in row]
        digest.update(json.dumps(values, sort_keys=True, default=str).encode("utf-8") + b"\n")
        n += 1
    return n, digest.hexdigest()


def _reset_sequences(conn: Connection) -> None:
    """On PostgreSQL, move each SERIAL sequence past the ids that were copied in."""
    if is_sqlite(conn.engine):
        return  # SQLite's AUTOINCREMENT follows the largest id inserted
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
            )
        )


def copy_database(
    source: Engine,
    target: Engine,
    *,
    progress: Callable[[str, int, int], None] = lambda table, done, total: None,
) -> list[TableCheck]:
    """Copy every table of `source` into the (empty, upgraded) `target`; return the checks.

    Raises ReviewError, with the target's copy rolled back, when any table differs."""
    require_empty(target, "the target database")
    order = tables()
    with source.connect() as src, target.begin() as dst:
        totals = row_counts(src)
        for table in order:
            late = _self_references(table)
            keys = list(table.primary_key.columns.keys())
            done = 0
            batch: list[dict] = []
            pending: list[dict] = []
            stmt = select(table).order_by(*table.primary_key.columns)
            for row in src.execute(stmt.execution_options(yield_per=BATCH)).mappings():
                values = dict(row)
                if late and any(values.get(c) is not None for c in late):
                    pending.append({c: values[c] for c in [*late, *keys]})
                    values.update(dict.fromkeys(late))
                batch.append(values)
                if len(batch) == BATCH:
                    dst.execute(table.insert(), batch)
                    done += len(batch)
                    batch = []
                    progress(table.name, done, totals[table.name])
            if batch:
                dst.execute(table.insert(), batch)
                done += len(batch)
            for update in pending:
                key = {c: update[c] for c in keys}
                dst.execute(
                    table.update()
                    .where(*(table.c[c] == v for c, v in key.items()))
                    .values({c: update[c] for c in late})
                )
            progress(table.name, done, totals[table.name])
        _reset_sequences(dst)
        checks = []
        for table in order:
            n_src, sum_src = checksum(src, table)
            n_dst, sum_dst = checksum(dst, table)
            checks.append(TableCheck(table.name, n_src, n_dst, sum_src, sum_dst))
        bad = [c.table for c in checks if not c.ok]
        if bad:
            raise ReviewError(
                f"the copy differs from the original in {', '.join(bad)}: nothing was kept "
                "in the target"
            )
    return checks
