"""Where errors go: a rotating log in the workspace, `.review/review.log`.

Why: the CLI and the workbench turn every exception into one line, which is right for the
person using them and useless to whoever fixes the bug — so wherever an exception becomes a
message, it is also logged here, with its traceback. Modules log through
`logging.getLogger(__name__)` (records carry the package: `review.cli`,
`review.ingest.pipeline`, `review.tui.screens.base`, ...); this module is the one place that
says where those records go. It imports no interface library, so domain code may use it.

- `configure(root)` points the `review` logger at `ROOT/.review/review.log` (rotating at
  `MAX_BYTES`, `BACKUPS` old files kept). The folder and file are made on the first record,
  so a command that logs nothing leaves nothing behind; a workspace that cannot be written
  (read-only, full disk) simply gets no log — never an error of its own.
- `log_bug(logger, exc, context)` logs a bug with its traceback and says which file it went
  to; `internal_error` also makes the one-line message the interfaces show, naming the log
  file when the record got there.
- `setup_process(debug)` is the CLI's start: library records stay off stderr, unless
  `--debug`, which shows every record (tracebacks included) on stderr.
"""

from __future__ import annotations

import logging
from pathlib import Path

LOG_DIR = ".review"
LOG_FILE = "review.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d]: %(message)s"

_review = logging.getLogger("review")


def log_path(root: str | Path) -> Path:
    return Path(root) / LOG_DIR / LOG_FILE


class WorkspaceLog(logging.Handler):
    """INFO and above from `review.*` into the workspace's rotating log file, opened lazily."""

    def __init__(self, root: str | Path) -> None:
        super().__init__(logging.INFO)
        self.path = log_path(Path(root).expanduser().resolve())
        self.written = False  # a record has reached the file
        self.broken = False  # the file cannot be written: stop trying
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        if self._file is None:
            from logging.handlers import RotatingFileHandler  # (only when there is a record)

            try:
                self.path.parent.mkdir(exist_ok=True)
                handler = RotatingFileHandler(
                    self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
                )
            except OSError:  # read-only workspace, missing folder, no space...
                self.broken = True
                return
            handler.setFormatter(logging.Formatter(FORMAT))
            handler.handleError = self._failed  # type: ignore[method-assign]
            self._file = handler
        self._file.emit(record)
        if not self.broken:
            self.written = True

    def _failed(self, record: logging.LogRecord) -> None:
        """A write failed: no "--- Logging error ---" on stderr (the one-line contract)."""
        self.broken = True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def configure(root: str | Path | None) -> WorkspaceLog | None:
    """Send `review.*` records to ROOT's log from now on (replacing an earlier workspace's).
    None stops file logging."""
    reset()
    if root is None:
        return None
    handler = WorkspaceLog(root)
    _review.addHandler(handler)
    if _review.level == logging.NOTSET or _review.level > logging.INFO:
        _review.setLevel(logging.INFO)
    return handler


def current() -> WorkspaceLog | None:
    return next((h for h in _review.handlers if isinstance(h, WorkspaceLog)), None)


def reset() -> None:
    """Close and remove the workspace log (the CLI does this when a command ends)."""
    for handler in [h for h in _review.handlers if isinstance(h, WorkspaceLog)]:
        _review.removeHandler(handler)
        handler.close()


def log_bug(logger: logging.Logger, exc: BaseException, context: str) -> Path | None:
    """Log a bug (`exc`, raised while `context`) with its traceback; return the log file
    it went to, or None when there is none (not configured, or not writable)."""
    logger.error("%s", context, exc_info=(type(exc), exc, exc.__traceback__))
    handler = current()
    return handler.path if handler is not None and handler.written else None


def details(where: Path | None) -> str:
    """Where to read more about a bug, for the end of its one-line message."""
    return f"details in {where}" if where else "no log written; run with --debug for details"


def internal_error(logger: logging.Logger, exc: BaseException, context: str) -> str:
    """Log a bug and return the line to show for it:
    "internal error: Type: message (details in /ws/.review/review.log)"."""
    where = log_bug(logger, exc, f"internal error while {context}")
    message = " ".join(str(exc).split())  # (SQLAlchemy adds a second "Background" line)
    return f"internal error: {type(exc).__name__}: {message} ({details(where)})"


def setup_process(debug: bool) -> None:
    """The CLI's logging: libraries' records off stderr, unless --debug.

    bibtexparser and pypdf log warnings about the very input an import already reports as
    problems (file, line, why); with no handler configured Python prints each on stderr,
    some over several lines, breaking the one-line contract. A NullHandler on the root logger
    stops that. --debug shows libraries' warnings, and every `review.*` record down to DEBUG
    with its traceback (user errors are logged at DEBUG), on stderr.
    """
    root = logging.getLogger()
    for handler in [h for h in _review.handlers if getattr(h, "_review_debug", False)]:
        _review.removeHandler(handler)
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
        stderr._review_debug = True  # type: ignore[attr-defined]
        _review.addHandler(stderr)
        _review.setLevel(logging.DEBUG)
        _review.propagate = False  # (printed once, by the handler above)
    else:
        _review.propagate = True
        if not root.handlers:
            root.addHandler(logging.NullHandler())
