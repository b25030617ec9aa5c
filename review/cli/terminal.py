"""What the CLI prints is stripped of escape sequences and control characters.

Titles, names, memos and file names come from files anybody wrote; printed as they are, an
escape sequence in a BibTeX field clears the screen or sets the window title. Every command
prints through `sys.stdout` / `sys.stderr` (typer.echo, print), so `main` swaps both for a
`Clean` stream for the length of a command: `safetext.terminal` on every write, nothing else
changed. Rich's progress bar draws with escape sequences of its own and writes to `raw`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from review import safetext


class Clean:
    """A text stream that writes `safetext.terminal(text)` to the stream it wraps."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(safetext.terminal(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding, buffer, ...
        return getattr(self.raw, name)


def raw(stream: TextIO) -> TextIO:
    """The stream under a Clean one (for Rich, which escapes what it prints itself)."""
    return stream.raw if isinstance(stream, Clean) else stream


@contextmanager
def cleaned() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Clean(out), Clean(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
