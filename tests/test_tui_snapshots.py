"""Snapshots of key screens at 80x24 and 100x30 (SVGs in tests/snapshots/; look at them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from sqlmodel import select

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


def _app(ws, **kwargs) -> ReviewApp:
    app = ReviewApp(ws, sample_import=False, **kwargs)
    return app


async def _steady(pilot) -> None:
    app = pilot.app
    app.sub_title = "~/my-review"  # the temp path differs per run
    await settle(app, pilot)


def test_library_80x24(ws, snap_compare):
    add_literature(ws, 30)
    add_transcript(ws)
    assert snap_compare(_app(ws), terminal_size=(80, 24), run_before=_steady)


def test_reader_with_codings_100x30(ws, snap_compare):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        codes = {c.shortcut: c.id for c in s.exec(select(m.Code)).all() if c.shortcut}
        apply_code(
            s, source_id=sid, code_id=codes["3"], start=sents[3][0], end=sents[4][1], coder="tester"
        )
        apply_code(
            s, source_id=sid, code_id=codes["1"], start=sents[5][0], end=sents[5][1], coder="tester"
        )

    async def open_reader(pilot):
        pilot.app.open_source(sid)
        await _steady(pilot)
        await pilot.press("down", "down", "down")
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=(100, 30), run_before=open_reader)


def test_reader_80x24_panel_below(ws, snap_compare):
    sid = add_transcript(ws)

    async def open_reader(pilot):
        pilot.app.open_source(sid)
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=(80, 24), run_before=open_reader)


def test_help_80x24(ws, snap_compare):
    async def help_(pilot):
        await _steady(pilot)
        await pilot.press("question_mark")
        await _steady(pilot)

    assert snap_compare(_app(ws), terminal_size=(80, 24), run_before=help_)


def test_codebook_100x30(ws, snap_compare):
    add_transcript(ws)
    assert snap_compare(_app(ws, start="codebook"), terminal_size=(100, 30), run_before=_steady)
