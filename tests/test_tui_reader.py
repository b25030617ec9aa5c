"""Reader/coder: code keys, selections, undo, suggestions and memos, checked in the database."""

from __future__ import annotations

from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, sentences, settle


def _codings(ws):
    with session_scope(ws.engine) as s:
        return [
            (c.code_id, c.start, c.end, c.quote)
            for c in s.exec(select(m.Coding).order_by(m.Coding.id)).all()
        ]


def _code_with_shortcut(ws, key: str) -> int:
    with session_scope(ws.engine) as s:
        return s.exec(select(m.Code.id).where(m.Code.shortcut == key)).one()


async def test_code_key_codes_the_sentence_under_the_cursor(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        assert app.screen.doc.source_id == sid
        await pilot.press("down", "2")
        await settle(app, pilot)
    sents = sentences(ws, sid)
    code = _code_with_shortcut(ws, "2")
    assert _codings(ws) == [(code, *sents[1], _text(ws, sid)[slice(*sents[1])])]


def _text(ws, sid):
    with session_scope(ws.engine) as s:
        return s.get(m.Source, sid).text


async def test_extended_selection_then_undo(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("down", "down", "down", "shift+down", "3")
        await settle(app, pilot)
        sents = sentences(ws, sid)
        rows = _codings(ws)
        assert [(r[1], r[2]) for r in rows] == [(sents[3][0], sents[4][1])]
        assert rows[0][3].startswith("A few of us") and rows[0][3].endswith("cleared.")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert _codings(ws) == []
        assert app.screen.doc.codings == []


async def test_remove_then_memo_on_coding(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("1", "4")
        await settle(app, pilot)
        assert len(_codings(ws)) == 2
        await pilot.press("delete")  # removes the most recent coding here (code 4)
        await settle(app, pilot)
        assert [r[0] for r in _codings(ws)] == [_code_with_shortcut(ws, "1")]
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press(*"sets the tone", "enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Coding.memo)).all() == ["sets the tone"]


async def test_accepting_a_suggestion_stores_it(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.shortcut == "3")).one()
        text = s.get(m.Source, sid).text
        for a, z in (sents[3], sents[4]):
            s.add(
                m.Suggestion(
                    source_id=sid,
                    code_id=code.id,
                    start=a,
                    end=z,
                    quote=text[a:z],
                    trigger=["litter"],
                )
            )
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("N")  # jump to the first pending suggestion
        await settle(app, pilot)
        assert app.screen.query_one("ReaderView").span() == sents[3]
        panel = str(app.screen.query_one("#reader-panel").render())
        assert "litter" in panel
        await pilot.press("A", "N", "X")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        statuses = s.exec(select(m.Suggestion.status).order_by(m.Suggestion.id)).all()
        codings = s.exec(select(m.Coding)).all()
    assert statuses == ["accepted", "rejected"]
    assert [(c.start, c.end, c.origin) for c in codings][0][:2] == sents[3]


async def test_fuzzy_code_picker_applies_the_chosen_code(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid, size=(80, 24)) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"codesign", "enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        names = s.exec(select(m.Code.name).join(m.Coding, m.Coding.code_id == m.Code.id)).all()
    assert names == ["Co-design"]


async def test_code_tints_follow_the_theme(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("1")
        await settle(app, pilot)
        view = app.screen.query_one("ReaderView")
        code = next(iter(app.screen.doc.codings)).code_id
        dark = view._tint(code).bgcolor
        app.theme = "textual-light"
        await settle(app, pilot)
        light = view._tint(code).bgcolor
        assert dark != light
        assert light.triplet.red > dark.triplet.red  # lighter background, lighter tint


async def test_ctrl_down_moves_by_turn(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        view = app.screen.query_one("ReaderView")
        await pilot.press("ctrl+down")
        assert view.span() == sents[3]  # Anna's first sentence
        await pilot.press("ctrl+down", "ctrl+up")
        assert view.span() == sents[3]
