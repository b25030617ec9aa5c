"""Faults of the machine, not of the program: a full disk, a read-only database or folder,
a terminal that does not send UTF-8.

The database refuses the write and rolls the transaction back; what is left to do is to say
so in one line instead of "internal error: OperationalError: …". `describe` recognises the
driver's error (SQLite's `SQLITE_FULL` / `SQLITE_READONLY` / `SQLITE_CANTOPEN`, PostgreSQL's
`disk_full` / `read_only_sql_transaction`) and returns that line, or None for anything else.
A key typed in a terminal set to another encoding ("Müller2019" in Latin-1) reaches Python as
undecodable bytes (lone surrogates), which no database takes: that is said so too.
"""

from __future__ import annotations

_FULL = ("database or disk is full", "no space left on device", "could not extend file",
         "disk full")  # fmt: skip
_READ_ONLY = ("attempt to write a readonly database", "readonly database",
              "read-only transaction", "read only")  # fmt: skip
_CANT_OPEN = ("unable to open database file",)


def describe(exc: BaseException) -> str | None:
    """One line for a full disk, a read-only database or text that is not UTF-8, else None."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:  # the driver's error may be wrapped
        seen.add(id(e))
        if isinstance(e, UnicodeEncodeError) and _undecodable(e):
            raw = e.object.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            return (
                f"text given to review is not UTF-8 ('{raw[:80]}'): is the terminal set to "
                "another encoding? Set it to UTF-8 (e.g. LANG=C.UTF-8) and type it again"
            )
        text = str(e).lower()
        if any(k in text for k in _FULL):
            return "the disk is full: the change was rolled back and nothing was written"
        if any(k in text for k in _READ_ONLY):
            return (
                "the workspace database is read-only (file or folder permissions, or a "
                "read-only disk): this command writes, so nothing was changed"
            )
        if any(k in text for k in _CANT_OPEN):
            return (
                "cannot open the workspace database (its folder may be read-only, or the "
                "file missing): nothing was changed"
            )
        e = getattr(e, "orig", None) or e.__cause__ or e.__context__
    return None


def _undecodable(e: UnicodeEncodeError) -> bool:
    """The text holds bytes that were not UTF-8 where it was read (lone surrogates)."""
    return isinstance(e.object, str) and all(
        "\ud800" <= ch <= "\udfff" for ch in e.object[e.start : e.end]
    )
