"""Snapshots of key screens at 80x24 and 120x40 (SVGs in tests/snapshots/; look at them)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from sqlmodel import select
from textual import events
from textual.widgets import Input, TextArea

from review.coding.codings import apply_code
from review.store import models as m
from review.store.db import session_scope
from review.tui.app import ReviewApp
from tests.tui_helpers import add_literature, add_transcript, sentences, settle

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture(autouse=True)
def _snapshots_in_tests_snapshots(monkeypatch):
    """Keep these SVGs in tests/snapshots/ (syrupy's default is tests/__snapshots__/)."""
    monkeypatch.setattr(
        SVGImageExtension,
        "dirname",
        classmethod(lambda cls, *, test_location: str(SNAPSHOTS / test_location.basename)),
    )


class _SteadyCursorApp(ReviewApp):
    """The workbench with input cursors that do not blink: a blinking cursor is drawn or
    not depending on when the picture is taken (the import screen's focused path field
    made its snapshots differ one run in a few on a loaded machine). Only here: users keep
    their blinking cursor."""

    CSS_PATH = str(Path(inspect.getfile(ReviewApp)).with_name(ReviewApp.CSS_PATH))  # (not here)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False  # (the cursor shows, steadily)


def _app(ws, **kwargs) -> ReviewApp:
    return _SteadyCursorApp(ws, sample_import=False, **kwargs)


async def _steady(pilot) -> None:
    app = pilot.app
    app.sub_title = "~/my-review"  # the temp path differs per run
    await settle(app, pilot)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _codings(ws, sid: int) -> None:
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        codes = {c.shortcut: c.id for c in s.exec(select(m.Code)).all() if c.shortcut}
        apply_code(
            s, source_id=sid, code_id=codes["3"], start=sents[3][0], end=sents[4][1], coder="tester"
        )
        apply_code(
            s, source_id=sid, code_id=codes["1"], start=sents[5][0], end=sents[5][1], coder="tester"
        )


@pytest.mark.parametrize("size", SIZES)
def test_library(ws, snap_compare, size):
    add_literature(ws, 30)
    add_transcript(ws)
    assert snap_compare(_app(ws), terminal_size=size, run_before=_steady)


@pytest.mark.parametrize("size", SIZES)
def test_library_code_filter(ws, snap_compare, size):
    """The active code filter has its own line above the table."""
    add_literature(ws, 5)
    _codings(ws, add_transcript(ws))

    async def filtered(pilot):
        await _steady(pilot)
        await pilot.press("c", "down", "up", "enter")  # the first code, moved to
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=size, run_before=filtered)


@pytest.mark.parametrize("size", SIZES)
def test_reader_with_codings(ws, snap_compare, size):
    sid = add_transcript(ws)
    _codings(ws, sid)

    async def open_reader(pilot):
        pilot.app.open_source(sid)
        await _steady(pilot)
        await pilot.press("down", "down", "down")
        await _steady(pilot)
        await pilot.press("2")  # code it: the status line says so, uncut
        await _steady(pilot)
        # the counts are redone half a second after a change (`data_changed`): wait for it,
        # or the picture depends on how quickly this machine got here (3 codings or still 2)
        await pilot.pause(0.7)
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=size, run_before=open_reader)


@pytest.mark.parametrize("size", SIZES)
def test_help(ws, snap_compare, size):
    async def help_(pilot):
        await _steady(pilot)
        await pilot.press("question_mark")
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=size, run_before=help_)


@pytest.mark.parametrize("size", SIZES)
def test_codebook(ws, snap_compare, size):
    add_transcript(ws)
    assert snap_compare(_app(ws, start="codebook"), terminal_size=size, run_before=_steady)


@pytest.mark.parametrize("size", SIZES)
def test_import_idle(ws, snap_compare, size):
    """Nothing runs: no progress bar (an idle one animated)."""
    assert snap_compare(_app(ws, start="import"), terminal_size=size, run_before=_steady)


@pytest.mark.parametrize("size", SIZES)
def test_screening(ws, snap_compare, size):
    add_literature(ws, 3)
    assert snap_compare(_app(ws, start="screening"), terminal_size=size, run_before=_steady)
