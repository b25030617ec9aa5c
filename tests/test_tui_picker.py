"""The Reader's code picker: exact first, only the highlighted row, create from the picker,
always the current codebook; checked in the database."""

from __future__ import annotations

from sqlmodel import select

from review.coding.codebook import add_code
from review.store import models as m
from review.store.db import session_scope
from review.tui.widgets.code_picker import CodeChoice, rank
from tests.tui_helpers import add_transcript, running, sentences, settle


def _coded(ws) -> list[tuple[str, int, int]]:
    with session_scope(ws.engine) as s:
        rows = s.exec(
            select(m.Code.id, m.Coding.start, m.Coding.end)
            .join(m.Coding, m.Coding.code_id == m.Code.id)
            .order_by(m.Coding.id)
        ).all()
        from review.coding.codebook import code_paths

        paths = code_paths(s)
    return [(paths[c], a, z) for c, a, z in rows]


def test_rank_puts_the_exact_name_and_the_shortcut_first():
    choices = [
        CodeChoice(1, "Barriers/Professional resistance", "b"),
        CodeChoice(2, "Barriers/Professional"),
        CodeChoice(3, "Four Cs/Co-design", "2"),
        CodeChoice(4, "Drivers/Designed for me"),
    ]
    assert [c.id for c in rank("professional", choices).choices][:2] == [2, 1]
    assert rank("2", choices).choices[0].id == 3
    assert rank("codesign", choices).choices[0].id == 3
    assert rank("CO-DÉSIGN", choices).choices[0].id == 3  # case and accents ignored
    weak = rank("Epistemic stance", choices)
    assert not weak.strong and not weak.exact


async def test_no_match_creates_the_typed_code_instead_of_a_guess(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("down", "enter")
        await settle(app, pilot)
        picker = app.screen
        await pilot.press(*"Epistemic stance")
        await settle(app, pilot)
        assert picker.rows[0] == "create"  # highlighted: a fuzzy guess is never the default
        parent = picker.query_one("#code-parent").value  # shown in the dialog
        await pilot.press("enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.name == "Epistemic stance")).one()
        assert code.codable and code.parent_id == (None if parent == -1 else parent)
        from review.coding.codebook import code_path

        path = code_path(s, code.id)
    assert _coded(ws) == [(path, *sents[1])]


async def test_create_under_a_parent_chosen_in_the_dialog(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen
        await pilot.press(*"Epistemic stance")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            barriers = s.exec(select(m.Code.id).where(m.Code.name == "Barriers")).one()
        await pilot.press("tab", "enter", *"Barriers", "enter")  # the parent list, typed
        await settle(app, pilot)
        assert picker.query_one("#code-parent").value == barriers
        assert picker.focused is picker.query_one("#code-query")  # back to typing
        await pilot.press("enter")
        await settle(app, pilot)
    assert _coded(ws) == [("Barriers/Epistemic stance", *sents[0])]


async def test_enter_applies_only_the_highlighted_row(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen
        await pilot.press(*"co-", "down")
        await settle(app, pilot)
        second = picker.rows[1]
        await pilot.press("enter")
        await settle(app, pilot)
    assert _coded(ws) == [(second.path, *sents[0])]


async def test_codes_added_elsewhere_appear_without_a_restart(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        with session_scope(ws.engine) as s:  # as the CLI would, in another process
            add_code(s, "Drivers/Trust in the council", shortcut="z")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"trust in the council", "enter")
        await settle(app, pilot)
        await pilot.press("down", "z")  # its shortcut works too
        await settle(app, pilot)
    path = "Drivers/Trust in the council"
    assert _coded(ws) == [(path, *sents[0]), (path, *sents[1])]
