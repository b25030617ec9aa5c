"""Errors the interfaces show as one clear line (never a traceback)."""


class ReviewError(Exception):
    """A problem the user can fix; `exit_code` follows the CLI contract (1 input, 2 usage)."""

    exit_code = 1


class UsageError(ReviewError):
    exit_code = 2


class NotFound(ReviewError):
    exit_code = 1


class BusyError(ReviewError):
    """Another process held the workspace for longer than we wait (SQLite's write lock, a
    PostgreSQL lock or serialisation conflict): nothing was written; the work can be re-run."""

    exit_code = 75  # EX_TEMPFAIL: try again later

    def __init__(self, detail: str = "") -> None:
        message = "the workspace is busy (another review process is writing); try again"
        super().__init__(message + (f" ({detail})" if detail else ""))


class ConflictError(ReviewError):
    """An edit made from an older view of a row that someone else has changed since."""

    exit_code = 1
