"""The change watcher sees another connection's commit (what keeps the workbench's status line
and lists live while a CLI or a colleague writes), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from review.store import models as m
from review.store.db import make_engine, session_scope
from review.store.watch import ChangeWatcher

pytestmark = pytest.mark.backends("sqlite", "postgres")


def seen(watcher: ChangeWatcher, seconds: float = 5.0) -> bool:
    """PostgreSQL's statistics reach the catalogue within about a second: look for a while."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if watcher.changed():
            return True
        time.sleep(0.1)
    return False


def test_a_write_elsewhere_is_seen_once(ws):
    watcher = ChangeWatcher(ws.engine)
    # (On a server any database's writer moves the reading, so "nothing changed" is only
    # certain on SQLite; on PostgreSQL the test checks that a write is seen while the writer's
    # connection stays open.)
    exact = watcher.sqlite
    assert watcher.changed() is False  # the baseline
    if exact:
        assert watcher.changed() is False  # nothing written
    other = make_engine(str(ws.engine.url.render_as_string(hide_password=False)))
    with session_scope(other, write=True) as s:  # another connection (another process, in use)
        s.add(m.Source(key="new", kind="article", title="A new record"))
    assert seen(watcher)
    if exact:
        assert watcher.changed() is False
    other.dispose()
    watcher.close()
