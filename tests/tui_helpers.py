"""Shared set-up for the workbench tests: a workspace with literature and a coded transcript."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import insert

from review.coding.codebook import ensure_codebook
from review.store import models as m
from review.store.db import session_scope
from review.tui.app import ReviewApp

TURNS = [
    ("Moderator", 0.0, "Welcome everyone. Tonight we talk about local services. Who starts?"),
    (
        "Anna",
        35.0,
        "A few of us do a litter pick on the estate every first Saturday. "
        "We report fly-tipping on the app and check it was cleared.",
    ),
    ("Ben", 80.0, "I sat on the panel that decided what the ward budget would pay for."),
]


def add_transcript(ws, key: str = "fg-north") -> int:
    """A transcript source with turn and sentence passages (as the transcript import makes)."""
    text, passages = "", []
    for speaker, ts, body in TURNS:
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {body}\n"
        passages.append(("turn", start, start + len(body), speaker, ts))
        for mt in re.finditer(r"[^.?!]+[.?!]", body):
            lead = len(mt.group()) - len(mt.group().lstrip())
            a = start + mt.start() + lead
            passages.append(("sentence", a, start + mt.end(), speaker, None))
    with session_scope(ws.engine) as s:
        src = m.Source(key=key, kind="transcript", title=f"Focus group {key}", text=text)
        s.add(src)
        s.flush()
        for kind, a, z, speaker, ts in passages:
            s.add(
                m.Passage(
                    source_id=src.id, start=a, end=z, kind=kind, speaker=speaker, timestamp=ts
                )
            )
        ensure_codebook(s, ws.codebook_path)
        return src.id


def add_literature(ws, n: int) -> None:
    """n literature records in one bulk insert."""
    rows = [
        dict(
            key=f"rec{i:04d}",
            kind="article" if i % 3 else "report",
            title=f"Citizen co-production study {i}" if i != 7 else "Bovaird on user co-production",
            authors=["Loeffler, Elke"] if i % 2 else ["Van Ryzin, Gregg", "Parrado, Salvador"],
            year=2000 + i % 20,
            record={},
            keywords=[],
            meta={},
            created=m.utcnow(),
        )
        for i in range(n)
    ]
    with session_scope(ws.engine) as s:
        s.execute(insert(m.Source), rows)


def sentences(ws, source_id: int) -> list[tuple[int, int]]:
    from sqlmodel import select

    with session_scope(ws.engine) as s:
        rows = s.exec(
            select(m.Passage.start, m.Passage.end)
            .where(m.Passage.source_id == source_id, m.Passage.kind == "sentence")
            .order_by(m.Passage.start)
        ).all()
    return [tuple(r) for r in rows]


SETTLE_SECONDS = 30.0  # a settle that takes longer fails the test (it never hangs)


async def settle(app, pilot, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until the workbench is idle twice in a row: no worker running (a cancelled one
    counts as finished: its thread may run on, but `ReviewApp.from_worker` drops what it
    posts), every message and `call_later` of the screen and the app handled, animations
    done and the layout refreshed (`pilot.pause`). One quiet look was not enough on a loaded
    machine: a worker's result lands as a call, which can start the next worker (a page
    reload, a recount). Past `timeout` seconds the test fails, naming what still runs."""
    import asyncio
    import time

    import pytest

    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        if not app.is_running:  # the app stopped (an error: the test fails on leaving it)
            return
        left = deadline - time.monotonic()
        busy = _busy(app)
        if left <= 0:
            names = ", ".join(f"{w.group}:{w.name}" for w in busy) or "messages"
            pytest.fail(f"the workbench did not settle within {timeout:g} s: {names} still busy")
        if busy:
            quiet = 0
            # (looked at, not awaited: a wait given up on would cancel the worker with it)
            while _busy(app) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        try:
            left = max(deadline - time.monotonic(), 0.1)
            await asyncio.wait_for(pilot.pause(), timeout=left)
            await asyncio.wait_for(pilot.wait_for_animation(), timeout=left)
        except TimeoutError:
            continue  # (the next look fails the test)
        quiet = quiet + 1 if not busy and not _busy(app) else 0


def _busy(app) -> list:
    """The workers still running, but for DirectoryTree's loader (alive for the widget's
    whole life) and those cancelled (their result is dropped)."""
    return [
        w for w in app.workers if w.group != "_loader" and not w.is_finished and not w.is_cancelled
    ]


async def until(pilot, condition, timeout: float = 15.0) -> None:
    """Pause until `condition()` holds (at most `timeout` seconds): for what the screen does
    after the workers are done (a grid refilled after a refresh), which on a loaded machine
    can land a frame later than `settle` returns. The ceiling costs nothing when the screen
    is quick; 5 s was once too short for the Brief's preview to be drawn, on CI's 2 cores
    with two test processes and other work beside them."""
    import time

    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        await pilot.pause(0.02)


@asynccontextmanager
async def running(
    ws, *, size: tuple[int, int] = (100, 30), source: int | None = None, **options
) -> AsyncIterator[tuple[ReviewApp, object]]:
    """The workbench under the pilot, settled (with `source` open in the reader when given);
    yields `(app, pilot)`. Options go to `ReviewApp` (no sample import unless asked)."""
    options.setdefault("sample_import", False)
    app = ReviewApp(ws, **options)
    async with app.run_test(size=size) as pilot:
        if source is not None:
            app.open_source(source)
        await settle(app, pilot)
        yield app, pilot


def screen_text(widget) -> str:
    """What a widget shows now, line by line, as plain text (its visible lines rendered)."""
    return "\n".join(
        "".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)
    )


def burst(app, *keys: str) -> None:
    """Keys arriving at once, as from a fast typist or `tmux send-keys` (the pilot's `press`
    lets the app go idle after every key): each is queued for the app before any is handled.
    Letters and digits are given one a key; other keys by name ("ctrl+u", "enter")."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
