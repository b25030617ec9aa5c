"""The change watcher sees another connection's commit (what keeps the status line live)."""

from __future__ import annotations

from review.store import models as m
from review.store.db import session_scope
from review.store.watch import ChangeWatcher


def test_a_write_elsewhere_is_seen_once(ws):
    watcher = ChangeWatcher(ws.engine)
    assert watcher.changed() is False  # the baseline
    assert watcher.changed() is False  # nothing written
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="new", kind="article", title="A new record"))
    assert watcher.changed() is True
    assert watcher.changed() is False
    watcher.close()
