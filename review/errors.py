"""Errors the interfaces show as one clear line (never a traceback)."""


class ReviewError(Exception):
    """A problem the user can fix; `exit_code` follows the CLI contract (1 input, 2 usage)."""

    exit_code = 1


class UsageError(ReviewError):
    exit_code = 2


class NotFound(ReviewError):
    exit_code = 1
