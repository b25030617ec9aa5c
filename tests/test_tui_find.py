"""Find in the Reader and opening at a hit: `/`, `n`/`N`, a code key codes the hit exactly."""

from __future__ import annotations

from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope
from review.tui.find import Finder, next_hit
from tests.tui_helpers import add_transcript, running, settle


def _codings(ws):
    with session_scope(ws.engine) as s:
        return [
            (c.code_id, c.start, c.end, c.quote)
            for c in s.exec(select(m.Coding).order_by(m.Coding.id)).all()
        ]


def _code(ws, key: str) -> int:
    with session_scope(ws.engine) as s:
        return s.exec(select(m.Code.id).where(m.Code.shortcut == key)).one()


def _text(ws, sid) -> str:
    with session_scope(ws.engine) as s:
        return s.get(m.Source, sid).text


def test_finder_ignores_case_and_accents_and_keeps_original_offsets():
    text = "Le Café était fermé. Straße und CAFE, cafe\u0301."
    f = Finder(text)
    hits = f.find("cafe")
    assert [text[a:z] for a, z in hits] == ["Café", "CAFE", "cafe\u0301"[:4]]
    assert [text[a:z] for a, z in f.find("STRASSE")] == ["Straße"]
    assert [text[a:z] for a, z in f.find("etait   ferme")] == ["était fermé"]
    assert f.find("   ") == []
    assert next_hit(hits, hits[0][0], 1) == 1 and next_hit(hits, hits[0][0], -1) == 2


async def test_slash_then_n_then_a_code_key_codes_the_second_hit_exactly(ws):
    sid = add_transcript(ws)
    text = _text(ws, sid)
    first = text.index("the")
    second = text.index("the", first + 1)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("slash", *"THE", "enter")
        await settle(app, pilot)
        view = app.screen.query_one("ReaderView")
        assert view.span() == (first, first + 3)  # the first hit is the selection
        assert len(view.hits) == text.lower().count("the")
        await pilot.press("n", "2")
        await settle(app, pilot)
    assert _codings(ws) == [(_code(ws, "2"), second, second + 3, "the")]


async def test_N_goes_back_and_escape_closes_the_find_bar(ws):
    sid = add_transcript(ws)
    text = _text(ws, sid)
    hits = [i for i in range(len(text)) if text.lower().startswith("we", i)]
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("slash", *"we")
        await settle(app, pilot)
        bar = app.screen.query_one("#reader-find")
        assert bar.has_focus and "2" not in _codings(ws)
        await pilot.press("escape")
        assert not bar.has_focus
        await pilot.press("n")  # from the cursor at the start: the first hit
        view = app.screen.query_one("ReaderView")
        assert view.span()[0] == hits[0]
        await pilot.press("N")  # wraps round to the last
        assert view.span()[0] == hits[-1]
        await pilot.press("3")
        await settle(app, pilot)
    assert _codings(ws) == [(_code(ws, "3"), hits[-1], hits[-1] + 2, text[hits[-1] : hits[-1] + 2])]


async def test_opening_at_a_span_selects_it(ws):
    sid = add_transcript(ws)
    text = _text(ws, sid)
    a = text.index("fly-tipping")
    async with running(ws) as (app, pilot):
        app.open_source(sid, a, a + len("fly-tipping"))
        await settle(app, pilot)
        assert app.screen.query_one("ReaderView").span() == (a, a + 11)
        await pilot.press("4")
        await settle(app, pilot)
    assert _codings(ws) == [(_code(ws, "4"), a, a + 11, "fly-tipping")]


async def test_opening_with_find_words_selects_the_first_hit(ws):
    sid = add_transcript(ws)
    text = _text(ws, sid)
    a = text.index("ward budget")
    async with running(ws) as (app, pilot):
        app.open_source(sid, find="Ward Budget")
        await settle(app, pilot)
        view = app.screen.query_one("ReaderView")
        assert view.span() == (a, a + len("ward budget")) and view.hits == [view.span()]


async def test_review_tui_open_at_selects_the_span(ws):
    sid = add_transcript(ws, key="fg-north")
    text = _text(ws, sid)
    a = text.index("ward budget")
    async with running(ws, open_at=("fg-north", a, a + 11)) as (app, pilot):
        assert app.current_mode == "reader"
        assert app.screen.query_one("ReaderView").span() == (a, a + 11)
    async with running(ws, open_at=("fg-north", a, None)) as (app, pilot):
        view = app.screen.query_one("ReaderView")
        assert view.span()[0] <= a < view.span()[1]  # an offset alone: its sentence


def test_review_tui_at_needs_open(ws):
    from typer.testing import CliRunner

    from review.cli import app as cli

    result = CliRunner().invoke(cli, ["-w", str(ws.root), "tui", "--at", "5"])
    assert result.exit_code == 2 and "--open" in result.output
