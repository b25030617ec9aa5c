"""Python's cyclic garbage collector paused for one bounded batch of work.

An import or a briefing note builds hundreds of thousands of small objects (dicts, lists,
strings, SQLAlchemy rows, matplotlib artists) that stay alive until the work is done; each
automatic collection walks all of them again and finds almost nothing to free. Measured: a
quarter of the CPU of a 10,000-record RIS import, and 0.35–0.5 s of a `review brief` on
10,000 sources and 1,000,000 codings (`bench/brief.py`). Reference counting still frees
everything else at once; the few cycles made meanwhile are collected when the collector runs
again. Nested or concurrent pauses (a TUI worker thread) share one; the collector is switched
back on only if it was on before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the `with` block (see the module's docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
