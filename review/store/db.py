"""Engine and sessions: one place that knows how to open a review database safely.

SQLite gets WAL (a CLI may write while the TUI reads), foreign keys, a busy timeout and
explicit BEGIN so savepoints (per-record rollback in imports) work as documented by
SQLAlchemy's pysqlite notes. Other URLs (PostgreSQL) are passed through untouched.

Second writers never lose. A write transaction on SQLite starts `BEGIN IMMEDIATE`: it takes
the write lock before its first read, waiting (busy timeout) while another process writes. A
deferred `BEGIN` that reads and then writes fails at once when another connection committed in
between ("database is locked": its snapshot is stale, and no wait can help) — the race two
`review code apply` processes lost 1 in 20 times. Read-only work (`write=False`) keeps the
deferred `BEGIN`, so the workbench can read while an import writes. What still cannot go
through after the wait (the lock held beyond `BUSY_TIMEOUT_MS`, a PostgreSQL deadlock or
serialisation failure) becomes `BusyError`, one line for the user, after `retry_write` has
tried again with back-off where the caller gave the work as a function.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from review.errors import BusyError

BUSY_TIMEOUT_MS = 30_000
RETRY_SECONDS = 30.0  # how long retry_write keeps trying before it says "busy"
IMMEDIATE = "review_immediate"  # execution option: this transaction writes (BEGIN IMMEDIATE)
T = TypeVar("T")
log = logging.getLogger(__name__)
# PostgreSQL SQLSTATEs worth re-running: serialization_failure, deadlock_detected,
# lock_not_available.
RETRY_SQLSTATES = {"40001", "40P01", "55P03"}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; on SQLite, set the pragmas every connection needs."""
    if not is_sqlite(url):
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - exercised by tests
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
        cur = dbapi_conn.cursor()
        # Rows carry the original record beside the normalised columns (~2.6 KB a literature
        # record); 8 KiB pages store them with less overhead. A no-op on existing files.
        cur.execute("PRAGMA page_size=8192")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """Open (and by default upgrade) the database at `url`."""
    engine = make_engine(url)
    if migrate:
        from review.store.migrate import upgrade

        upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session whose work is one transaction: committed on success, rolled back on error.
    `write=True` says the work writes: on SQLite its transactions then take the write lock up
    front (the interfaces' sessions and every service that writes pass it). A lock that
    outlasts the wait is `BusyError`, never an internal error."""
    if write and is_sqlite(engine):  # every transaction of this session takes the write lock
        engine = _immediate(engine)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if isinstance(exc, DBAPIError) and is_busy(exc):
                raise BusyError(_short(exc)) from exc
            raise


LOCKS = {"codebook": 7_201_612, "import": 7_201_613}  # advisory lock keys (PostgreSQL)


def serialise(session: Session, what: str) -> None:
    """Let one transaction at a time do `what` (a set-up or an import that allocates keys):
    on SQLite every write transaction already holds the one write lock; on PostgreSQL this
    takes a transaction-scoped advisory lock, released at commit or rollback."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCKS[what]})


IN_CHUNK = 5000  # ids per `IN (...)`: under every driver's bound-parameter limit


def in_chunks(ids: Iterable[T], n: int = IN_CHUNK) -> Iterator[list[T]]:
    """`ids` in lists of at most `n`, for `col.in_(chunk)` queries over many ids."""
    items = list(ids)
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _immediate(engine: Engine) -> Engine:
    """The engine's twin (same pool) whose transactions begin IMMEDIATE; made once."""
    twin = engine.__dict__.get("_review_immediate")
    if twin is None:
        twin = engine.execution_options(**{IMMEDIATE: True})
        engine.__dict__["_review_immediate"] = twin
    return twin


def is_busy(exc: BaseException) -> bool:
    """A transient conflict with another writer (worth running the transaction again)."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return (
        "database is locked" in text
        or "database table is locked" in text
        or ("busy" in text and "sqlite" in type(orig).__module__)
    )


def retry_write(
    engine: Engine, work: Callable[[Session], T], *, seconds: float = RETRY_SECONDS
) -> T:
    """Run `work(session)` as one write transaction, again (with jittered back-off) while it
    fails on a transient conflict, for up to `seconds`; then `BusyError`. `work` must be safe
    to repeat: each attempt starts from a rolled-back, fresh session."""
    deadline = time.monotonic() + seconds
    delay = 0.02
    attempt = 0
    while True:
        attempt += 1
        try:
            with session_scope(engine, write=True) as s:
                return work(s)
        except BusyError:
            if time.monotonic() + delay > deadline:
                raise
            log.info("write conflict (attempt %d); retrying in %.2f s", attempt, delay)
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)


def _short(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0][:120]
