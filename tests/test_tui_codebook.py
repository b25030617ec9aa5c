"""Codebook and Excerpts screens: tree edits through the codebook service; excerpts jump."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Tree

from review.coding.codings import apply_code
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, sentences, settle


def _code(ws, name):
    with session_scope(ws.engine) as s:
        return s.exec(select(m.Code).where(m.Code.name == name)).one()


async def _highlight(app, pilot, code_id):
    tree = app.screen.query_one(Tree)
    node = next(n for n in tree._tree_nodes.values() if n.data == code_id)
    tree.move_cursor(node)
    await settle(app, pilot)


async def test_add_rename_and_merge_codes(ws):
    sid = add_transcript(ws)
    design, deliver = _code(ws, "Co-design"), _code(ws, "Co-delivery")
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        apply_code(s, source_id=sid, code_id=deliver.id, start=a, end=z, coder="tester")
    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, design.id)
        assert "lived experience" in str(app.screen.query_one("#code-definition").render())
        await pilot.press("a", *"Digital panels", "enter")
        await settle(app, pilot)
        child = _code(ws, "Digital panels")
        assert child.parent_id == design.id
        await pilot.press("r")
        await settle(app, pilot)
        app.screen.focused.value = "Online panels"
        await pilot.press("enter")
        await settle(app, pilot)
        assert _code(ws, "Online panels").id == child.id
        await _highlight(app, pilot, deliver.id)
        await pilot.press("g", *"co-design", "enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Code).where(m.Code.name == "Co-delivery")).first() is None
        assert s.exec(select(m.Coding.code_id)).all() == [design.id]


async def test_excerpts_of_a_code_and_jump_to_the_passage(ws):
    sid = add_transcript(ws)
    deliver = _code(ws, "Co-delivery")
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        for a, z in (sents[3], sents[4]):
            apply_code(s, source_id=sid, code_id=deliver.id, start=a, end=z, coder="tester")
    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, deliver.id)
        await pilot.press("e")
        await settle(app, pilot)
        assert app.current_mode == "excerpts"
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        assert table.get_row_at(1)[1] == "Anna"
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.current_mode == "reader"
        assert app.screen.query_one("ReaderView").span() == sents[4]


async def test_delete_asks_first(ws):
    add_transcript(ws)
    trust = _code(ws, "Trust")
    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, trust.id)
        await pilot.press("delete", "n")
        await settle(app, pilot)
        assert _code(ws, "Trust").id == trust.id  # kept
        await pilot.press("delete", "y")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Code).where(m.Code.name == "Trust")).all() == []
