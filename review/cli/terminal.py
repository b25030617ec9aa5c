"""What the CLI prints is stripped of escape sequences and control characters.

Titles, names, memos and file names come from files anybody wrote; printed as they are, an
escape sequence in a BibTeX field clears the screen or sets the window title. Every command
prints through `sys.stdout` / `sys.stderr` (typer.echo, print), so `main` swaps both for a
`Clean` stream for the length of a command: `safetext.terminal` on every write, and a
character the terminal's encoding lacks written as "?" (a Latin-1 terminal stopped
`dedupe --history` at its first "→" with an internal error).
Rich's progress bar draws with escape sequences of its own and writes to `raw`.
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
        clean = safetext.terminal(text)
        try:
            self.raw.write(clean)
        except UnicodeEncodeError:  # a terminal in Latin-1 and a title in Chinese, an arrow
            encoding = getattr(self.raw, "encoding", None) or "ascii"
            self.raw.write(clean.encode(encoding, "replace").decode(encoding))
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
