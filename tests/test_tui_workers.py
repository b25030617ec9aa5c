"""Thread workers and what they post back: a stale result is dropped (`ReviewApp.from_worker`);
the tests' `settle` waits for the workers that count and fails rather than hang."""

from __future__ import annotations

import threading

import pytest

from review.tui import app as app_module
from tests.tui_helpers import add_literature, add_transcript, running, settle, until


async def test_an_older_recount_finishing_last_does_not_put_old_counts_back(ws, monkeypatch):
    """Two recounts overlap: the first counted before a source was added and finishes after
    the second, which counted it. The status line keeps the second's count (it went back to
    the old one). The counts are the real ones on the real workspace; the first recount is
    only held back, after counting, until the second has been shown."""
    add_literature(ws, 3)
    async with running(ws) as (app, pilot):
        assert "· 3 sources ·" in app.status_text
        counted, go, first_done = threading.Event(), threading.Event(), threading.Event()
        real_counts, real_count = app_module.counts, app._count
        calls: list[int] = []

        def counts_held_back(s):
            doc = real_counts(s)
            if len(calls) == 1:  # the first recount: counted, now wait
                counted.set()
                go.wait(20)
            return doc

        def count() -> None:
            calls.append(len(calls))
            first = len(calls) == 1
            try:
                real_count()
            finally:
                if first:
                    first_done.set()

        monkeypatch.setattr(app_module, "counts", counts_held_back)
        monkeypatch.setattr(app, "_count", count)
        app.refresh_status()  # the older recount
        await until(pilot, counted.is_set, timeout=20)
        assert counted.is_set()
        add_transcript(ws)  # a fourth source
        app.refresh_status()  # the newer recount
        await until(pilot, lambda: "· 4 sources ·" in app.status_text, timeout=20)
        assert "· 4 sources ·" in app.status_text
        go.set()  # the older one finishes last
        await until(pilot, first_done.is_set, timeout=20)
        assert first_done.is_set()
        await settle(app, pilot)
        assert "· 4 sources ·" in app.status_text, app.status_text


async def test_settle_waits_for_running_workers_only_and_fails_rather_than_hang(ws):
    """A cancelled worker counts as finished (what it posts is dropped); one that never ends
    fails the test, naming it, once the guard's time is up."""
    release = threading.Event()
    async with running(ws) as (app, pilot):
        try:
            stuck = app.run_worker(lambda: release.wait(20), thread=True, group="stuck")
            with pytest.raises(pytest.fail.Exception, match="stuck"):
                await settle(app, pilot, timeout=0.5)
            stuck.cancel()
            await settle(app, pilot, timeout=5)  # returns: the cancelled one is not waited for
        finally:
            release.set()
