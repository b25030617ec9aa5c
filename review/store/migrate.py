"""A small, set-based migration runner built on Alembic's operations.

Why not a full Alembic environment: an embedded, per-workspace database is upgraded by the
application itself on open, with no `alembic.ini`, and several features add migrations at
the same time. So each migration is a module `review/store/migrations/mNNNN_name.py` with an
`upgrade(op, conn)` function; the ids applied are recorded in `review_migrations`, and any
missing one runs in id order. DDL goes through `alembic.operations.Operations`, which writes
portable SQL (batch mode on SQLite: `rebuild()` below). Migrations are frozen: they spell out
their tables and never import today's models, so an old database always takes the same path.

A migration that has to change rows to fit a new rule (a duplicate name, a memo whose code is
gone) does so and returns one line per change; the lines are logged as warnings and kept in
`review_migration_note`, so an upgrade never fails on old data and never changes it silently.

On SQLite the migrations run with foreign keys off (rebuilding a table drops the old one, which
with foreign keys on would cascade or fail), and `PRAGMA foreign_key_check` runs before commit.

A new database is created from the current models and every migration is marked applied;
`tests/test_migrations.py` proves, with Alembic's `compare_metadata`, that upgrading the
first-version file (and the first migration alone) gives exactly the models' schema.

Opening an up-to-date SQLite database costs one PRAGMA: a successful upgrade stamps the file's
`user_version` with a hash of the storage code (`schema_stamp`), and while it matches there
is nothing to do, so `review status` need not import the models (≈0.2 s) or Alembic
(≈0.1 s). Any change to `review/store/` changes the stamp and the next open runs the full
check. (PostgreSQL has no such header field: there the stamp is the one row of
`review_schema_stamp`.)
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
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
notes_table = Table(
    "review_migration_note",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("migration", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("created", DateTime, nullable=False),
    sqlite_autoincrement=True,
)
# PostgreSQL has no header field like SQLite's user_version: the stamp lives in a one-row table.
stamp_table = Table(
    "review_schema_stamp",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("stamp", Integer, nullable=False),
)
log = logging.getLogger(__name__)


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
        if is_sqlite(engine):
            return conn.exec_driver_sql("PRAGMA user_version").scalar() == schema_stamp()
        try:
            value = conn.execute(select(stamp_table.c.stamp)).scalar()
        except DBAPIError:  # an empty or older database: no stamp table yet
            return False
        return value == schema_stamp()


def _stamp(conn: Connection) -> None:
    if is_sqlite(conn.engine):
        conn.exec_driver_sql(f"PRAGMA user_version = {schema_stamp()}")
    else:
        conn.execute(delete(stamp_table))
        conn.execute(stamp_table.insert().values(id=1, stamp=schema_stamp()))


def utcnow():
    from review.store.models import utcnow as now

    return now()


def upgrade(engine: Engine) -> list[str]:
    """Bring the database to the current schema; return the migration ids that ran."""
    if _stamped(engine):
        return []
    from review.store import models  # noqa: F401  (registers the tables)

    _refuse_or_back_up(engine)

    with _migrating(engine) as conn:
        fresh = not inspect(conn).has_table("source")
        _meta.create_all(conn)
        done = applied(conn)
        if fresh:
            SQLModel.metadata.create_all(conn)
            for mid, module in available():
                _run_extra(module, conn)
                conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
            _stamp(conn)
            return []
        ran = [mid for mid, _ in available() if mid not in done]
        if not ran:
            SQLModel.metadata.create_all(conn)  # tables new in the models, no data to move
            _stamp(conn)
            return []
        # (Alembic, ~0.1 s to import, only when there is DDL to run)
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        broken_before = _broken_references(conn)
        op = Operations(MigrationContext.configure(conn))
        for mid, module in available():
            if mid in done:
                continue
            for note in module.upgrade(op, conn) or []:
                log.warning("schema upgrade %s: %s", mid, note)
                conn.execute(
                    notes_table.insert().values(migration=mid, note=note, created=utcnow())
                )
            conn.execute(applied_table.insert().values(id=mid, applied=utcnow()))
        # Tables that are new in the models and need no data move are simply created.
        SQLModel.metadata.create_all(conn)
        _check_foreign_keys(conn, broken_before)
        _stamp(conn)
    return ran


def _refuse_or_back_up(engine: Engine) -> None:
    """Before anything is changed: refuse a database of a newer version of review (its
    migrations are unknown here) and a database of another program (tables, none of ours);
    back up one that is about to be upgraded (`store/backup.auto_backup`)."""
    from review.errors import ReviewError

    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        done = applied(conn)
    known = [mid for mid, _ in available()]
    newer = sorted(done - set(known))
    if newer:
        raise ReviewError(
            f"this database was written by a newer version of review (schema {newer[-1]}; "
            f"this version knows up to {known[-1]}): upgrade review to open it "
            "(nothing was changed)"
        )
    if names and not names & {"source", applied_table.name}:
        shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
        raise ReviewError(
            f"this database belongs to another program (tables: {shown}): not a review "
            "workspace; nothing was changed"
        )
    if "source" in names and set(known) - done:
        from review.store.backup import auto_backup

        auto_backup(engine, "upgrade")


def notes(conn: Connection) -> list[tuple[str, str]]:
    """(migration id, note) for every row an upgrade had to change, oldest first."""
    if not inspect(conn).has_table(notes_table.name):
        return []
    q = select(notes_table.c.migration, notes_table.c.note).order_by(notes_table.c.id)
    return [(r.migration, r.note) for r in conn.execute(q)]


@contextmanager
def _migrating(engine: Engine):
    """One transaction for the whole upgrade; on SQLite with foreign keys off meanwhile.

    The pragma is a no-op inside a transaction, so it is set on the driver connection before
    SQLAlchemy's BEGIN, and set back before the connection returns to the pool."""
    if not is_sqlite(engine):
        with engine.begin() as conn:
            _as_schema_owner(conn)
            yield conn
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None  # a live sqlite3 connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


# The role whose tables these are: the owner of `source` once the schema exists, else the
# database's owner (a team's administrator makes a group role own the database).
_OWNER_SQL = """
SELECT coalesce(
    (SELECT tableowner FROM pg_tables
     WHERE schemaname = current_schema() AND tablename = 'source'),
    (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()))
"""


def _as_schema_owner(conn: Connection) -> None:
    """On PostgreSQL, create and alter the tables as the role that owns them (for the rest of
    this transaction), when the login role is a member of it.

    Why: a table belongs to whoever created it, and only its owner (or a member of the owning
    role) may read it without a grant or alter it. When ann's `review init` made the schema
    as ann, bob's first command failed ("permission denied for table review_migrations"), and
    a later upgrade could only ever be run by ann. With the database owned by a group role
    every coder is a member of (README, *Team mode*), the tables belong to that role, so every
    member reads, writes and upgrades them, and a new coder needs only the membership."""
    owner = conn.execute(text(_OWNER_SQL)).scalar()
    if not owner or owner == conn.execute(text("SELECT current_user")).scalar():
        return
    member = conn.execute(text("SELECT pg_has_role(:r, 'MEMBER')"), {"r": owner}).scalar()
    if not member:
        return
    try:
        with conn.begin_nested():  # PostgreSQL 16 may refuse SET without the SET option
            conn.exec_driver_sql(f"SET LOCAL ROLE {conn.dialect.identifier_preparer.quote(owner)}")
    except DBAPIError:
        log.info("schema upgrade: cannot act as %s, the tables' owner", owner, exc_info=True)


def _broken_references(conn: Connection) -> set[tuple]:
    """(table, rowid, referenced table) of rows pointing at nothing (SQLite; else empty)."""
    if not is_sqlite(conn.engine):
        return set()
    return {tuple(r[:3]) for r in conn.exec_driver_sql("PRAGMA foreign_key_check").all()}


def _check_foreign_keys(conn: Connection, before: set[tuple]) -> None:
    """Refuse to commit an upgrade that made a row point at nothing; a broken reference that
    was there before (a file edited by another tool) is noted, not fatal."""
    after = _broken_references(conn)
    new = after - before
    if new:
        where = ", ".join(f"{t} row {rowid} -> {parent}" for t, rowid, parent in sorted(new)[:5])
        raise RuntimeError(f"schema upgrade left {len(new)} broken reference(s): {where}")
    for t, rowid, parent in sorted(after):
        note = f"{t} row {rowid} points at a missing {parent} row (it did before the upgrade)"
        log.warning("schema upgrade: %s", note)
        conn.execute(notes_table.insert().values(migration="check", note=note, created=utcnow()))


def _run_extra(module: ModuleType, conn: Connection) -> None:
    """Objects outside the models (e.g. SQLite FTS tables) that a fresh database needs too."""
    extra = getattr(module, "create_fresh", None)
    if extra is not None:
        extra(conn)
