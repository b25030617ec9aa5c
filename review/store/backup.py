"""A way back: backups of a workspace's database, restoring one, and automatic backups.

- `backup(engine, target)`: on SQLite, SQLite's online backup API — a consistent copy while
  the workbench or another command writes, with whatever is still in the `-wal` file (a plain
  file copy misses it); on PostgreSQL, a logical copy of every table (`transfer.copy_database`)
  into a new SQLite file, which `review pull` can load back into a server. Written to a
  temporary file beside the target and renamed into place, then checked
  (`PRAGMA integrity_check`), so a full disk or a kill never leaves half a backup.
- `restore(url, source, force)`: replaces a SQLite workspace database with a backup, after
  checking the backup is an intact review database; refuses to replace an existing database
  without `force`, and then keeps the replaced one (a consistent copy) beside it.
- `auto_backup(engine, reason)`: before a schema upgrade and before `dedupe --apply`, a copy
  in `.review/backups/` beside the database; the last `KEEP` automatic ones are kept.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from review.errors import ReviewError, UsageError

log = logging.getLogger(__name__)

BACKUP_DIR = Path(".review") / "backups"
KEEP = 5  # automatic backups kept per reason
PAGES_PER_STEP = 4096  # the online backup copies this many pages, then lets writers in


@dataclass
class BackupResult:
    path: Path
    bytes: int
    tables: int


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    name = u.database
    if name.startswith("file:"):  # a URI filename (the read-only engine's)
        name = name[len("file:") :].split("?", 1)[0]
    return Path(name)


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")


SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_unusable_file(url: str) -> None:
    """Before SQLite opens `url`: a zero-length file or a file that is not SQLite at all is
    refused (SQLite would take the first as a new database and the workspace's review.db
    would silently start empty), never overwritten."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ReviewError(f"cannot read the database {path}: {exc.strerror or exc}") from None
    if not head:
        raise ReviewError(
            f"{path} is empty (0 bytes): not a review database; move it away or restore a "
            "backup (`review restore FILE`); nothing was changed"
        )
    if head != SQLITE_HEADER:
        raise ReviewError(
            f"{path} is not a SQLite database (another kind of file named like one); "
            "nothing was changed"
        )
    try:  # (read-only: opening it for real would already switch it to WAL mode)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = conn.execute("select name from sqlite_master where type = 'table'")
            names = {r[0] for r in found}
        finally:
            conn.close()
    except sqlite3.Error:  # damaged, locked, no -shm: SQLAlchemy's open says why
        return
    if names and not names & {"source", "review_migrations"}:
        shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
        raise ReviewError(
            f"{path} belongs to another program (tables: {shown}): not a review workspace; "
            "nothing was changed"
        )


def is_read_only(engine: Engine) -> bool:
    """True for an engine `open_read_only` made."""
    return engine.url.query.get("mode") == "ro"


def open_read_only(url: str) -> Engine | None:
    """A SQLite database whose file or folder cannot be written (a read-only disk, a shared
    folder, permissions) opened for reading only (`mode=ro&immutable=1`: nobody can write it,
    so nothing can change under us); writes then fail as "read-only" in one line
    (`store/faults`). None when the file is writable, missing, or needs a schema upgrade
    (which would have to write)."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) and _writable(path.parent):
        return None
    from review.store.db import make_engine
    from review.store.migrate import schema_stamp

    engine = make_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
    try:
        with engine.connect() as conn:
            current = conn.exec_driver_sql("PRAGMA user_version").scalar() == schema_stamp()
    except Exception:
        engine.dispose()
        return None
    if not current:
        engine.dispose()
        raise ReviewError(
            f"{path} is read-only and from an older version of review: it needs an upgrade, "
            "which writes; copy it somewhere writable (or restore a backup there)"
        )
    log.warning("%s is read-only: opened for reading; commands that write will refuse", path)
    return engine


def _writable(folder: Path) -> bool:
    """Whether a file can really be made in `folder` (root passes `os.access` on a
    read-only mount)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".review-w-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(tmp)
    return True


def default_target(url: str, root: Path | None = None) -> Path:
    """`.review/backups/review-<UTC time>.db` in the workspace (or beside the database)."""
    path = sqlite_path(url)
    base = root if root is not None else (path.parent if path else Path("."))
    return base / BACKUP_DIR / f"review-{stamp()}.db"


def _temp_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    return Path(tmp)


def _sqlite_copy(src: Path, dst: Path) -> None:
    """SQLite's online backup of `src` into the new file `dst` (read-only on `src`)."""
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
        source.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError:  # a read-only folder (no -shm): nobody can write it
        source = sqlite3.connect(f"file:{src}?mode=ro&immutable=1", uri=True, timeout=30)
    try:
        target = sqlite3.connect(dst)
        try:
            source.backup(target, pages=PAGES_PER_STEP)
            target.execute("PRAGMA journal_mode=DELETE")  # (a backup is one self-contained file)
        finally:
            target.close()
    finally:
        source.close()


def check_file(path: Path) -> int:
    """Raise ReviewError unless `path` is an intact review database; return its table count."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            names = {
                r[0] for r in conn.execute("select name from sqlite_master where type='table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ReviewError(f"{path} is not a review database: {exc}") from None
    if ok != "ok":
        raise ReviewError(f"{path} is damaged: integrity check says {ok!r}")
    if not {"source", "review_migrations"} <= names:
        raise ReviewError(f"{path} is not a review database (no source or migration tables)")
    return len(names)


def backup(engine: Engine, target: Path) -> BackupResult:
    """Write a consistent backup of the database to `target` (see the module notes)."""
    url = engine.url.render_as_string(hide_password=False)
    tmp = _temp_beside(target)
    try:
        path = sqlite_path(url)
        if path is not None:
            _sqlite_copy(path, tmp)
        else:
            from review.store.db import open_engine, sqlite_url
            from review.store.transfer import copy_database

            tmp.unlink()
            copy = open_engine(sqlite_url(tmp))
            try:
                copy_database(engine, copy)
            finally:
                copy.dispose()
        tables = check_file(tmp)
        os.replace(tmp, target)
    except sqlite3.OperationalError as exc:
        raise ReviewError(f"cannot back up to {target}: {exc}; nothing was written") from None
    except OSError as exc:
        raise ReviewError(
            f"cannot back up to {target}: {exc.strerror or exc}; nothing was written"
        ) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return BackupResult(target, target.stat().st_size, tables)


def restore(url: str, source: Path, force: bool = False) -> Path | None:
    """Make the backup `source` the database at `url` (SQLite). Returns where the replaced
    database was kept (None when there was none)."""
    path = sqlite_path(url)
    if path is None:
        raise UsageError(
            "restore replaces a SQLite file; for a server, load the backup into an empty "
            "database with `review pull` (run from a workspace whose review.db is the backup)"
        )
    if not source.is_file():
        raise UsageError(f"no backup file {source}")
    check_file(source)
    kept = None
    if path.exists() and path.stat().st_size > 0:
        if not force:
            raise UsageError(
                f"{path} exists: `review restore --force {source}` replaces it "
                "(the replaced database is kept beside it)"
            )
        kept = path.with_name(f"{path.name}.replaced-{stamp()}")
        _sqlite_copy(path, kept)  # (consistent, with what is in its -wal file)
    tmp = _temp_beside(path)
    try:
        _sqlite_copy(source, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReviewError(f"cannot restore into {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    for stale in (Path(f"{path}-wal"), Path(f"{path}-shm")):  # the old database's
        if stale.exists():
            stale.unlink()
    return kept


def auto_backup(engine: Engine, reason: str, keep: int = KEEP) -> Path | None:
    """A backup before a risky change (`reason`: "upgrade", "dedupe", ...), in
    `.review/backups/` beside a SQLite database; the last `keep` of that reason are kept.
    None (and a log line) when there is nothing to back up or it cannot be written: the
    change itself is still one transaction."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    folder = path.parent / BACKUP_DIR
    target = folder / f"auto-{reason}-{stamp()}.db"
    try:
        backup(engine, target)
    except ReviewError as exc:
        log.warning("no automatic backup before %s: %s", reason, exc)
        return None
    for old in sorted(folder.glob(f"auto-{reason}-*.db"))[:-keep]:
        old.unlink()
    log.info("backup before %s: %s", reason, target)
    return target
