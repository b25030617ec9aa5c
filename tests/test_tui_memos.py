"""Memos as text: a multi-line memo written in the TUI survives a restart; the Memos view
lists memos with their targets, edits and deletes them (checked in the database)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.coding.codings import add_memo, apply_code
from review.coding.memos import delete_memo, edit_memo, memos
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, sentences, settle


async def test_a_multi_line_project_memo_survives_a_restart(ws):
    add_transcript(ws)
    async with running(ws, start="memos") as (app, pilot):
        await pilot.press("a")
        await settle(app, pilot)  # the editor is open before typing (on a loaded machine the
        # letters reached the list behind it, whose `o` opened the Reader)
        await pilot.press(*"Why co-delivery", "enter", "enter", *"is so common", "ctrl+s")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Memo.text)).all() == ["Why co-delivery\n\nis so common"]
    async with running(ws, start="memos") as (app, pilot):  # a new process, as it were
        screen = app.screen
        assert [(r.target, r.text) for r in screen.rows] == [
            ("project", "Why co-delivery\n\nis so common")
        ]
        assert "is so common" in str(screen.query_one("#memo-full").render())


async def test_memos_view_edits_and_deletes_with_targets(ws):
    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code.id).where(m.Code.shortcut == "1")).one()
        c = apply_code(s, source_id=sid, code_id=code, start=a, end=z, coder=ws.coder)
        add_memo(s, target="coding", target_id=c.id, text="first", coder=ws.coder)
        add_memo(s, target="source", target_id=sid, text="about the group", coder=ws.coder)
    async with running(ws, start="memos") as (app, pilot):
        rows = app.screen.rows
        assert [r.target for r in rows] == ["source", "coding"]
        assert rows[0].about == "fg-north" and "Co-commissioning" in rows[1].about
        app.screen.query_one("DataTable").move_cursor(row=1)
        await pilot.press("e")
        await settle(app, pilot)  # the form is open before typing
        await pilot.press("end", *" and second", "ctrl+s")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            assert s.get(m.Coding, c.id).memo == "first and second"
        app.screen.query_one("DataTable").move_cursor(row=0)
        await pilot.press("delete", "y")
        await settle(app, pilot)
        assert [r.target for r in app.screen.rows] == ["coding"]
        await pilot.press("o")  # a coding memo opens its passage, selected
        await settle(app, pilot)
        assert app.current_mode == "reader"
        assert app.screen.query_one("ReaderView").span() == (a, z)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Memo)).all() == []


def test_memo_services(session, ws):
    from review.errors import UsageError

    memo = add_memo(session, target="project", target_id=None, text="one", coder="zoe")
    edit_memo(session, "project", memo.id, "one\ntwo")
    assert [r.text for r in memos(session)] == ["one\ntwo"]
    try:
        edit_memo(session, "project", memo.id, "  ")
    except UsageError:
        pass
    else:
        raise AssertionError("an empty memo must be refused")
    assert delete_memo(session, "project", memo.id) == "one\ntwo"
    assert memos(session) == []


async def test_a_long_memo_is_cut_with_an_ellipsis_inside_the_table(ws):
    """Walk at 120x40: the Memo column ran off the table's edge, cut mid-word with no "…"
    (and a horizontal scrollbar); at 80x24 too. Now the column fills the room left and the
    cut shows; the whole text stays in the side panel."""
    from tests.tui_helpers import screen_text

    add_transcript(ws)
    text = "In all three groups people say they would take part again once they saw change"
    with session_scope(ws.engine) as s:
        add_memo(s, target="project", target_id=None, text=text, coder=ws.coder)
    for size in ((120, 40), (80, 24)):
        async with running(ws, start="memos", size=size) as (app, pilot):
            table = app.screen.query_one("DataTable")
            shown = screen_text(table).splitlines()[1].rstrip()
            assert shown.endswith("…") and "In all three" in shown, (size, shown)
            assert table.max_scroll_x == 0  # nothing off the edge
            await pilot.resize_terminal(100, 30)
            await settle(app, pilot)
            assert screen_text(table).splitlines()[1].rstrip().endswith("…")
            assert table.max_scroll_x == 0


def _many_memos(ws) -> dict[str, int]:
    """Memos a filter tells apart: by text, by author, by source key, by code name, and one
    holding LIKE's wildcards as text."""
    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.shortcut == "1")).one()
        c = apply_code(s, source_id=sid, code_id=code.id, start=a, end=z, coder="bob")
        ids = {
            "project": add_memo(
                s, target="project", target_id=None, text="Budget talks", coder="zoe"
            ).id,  # fmt: skip
            "source": add_memo(
                s, target="source", target_id=sid, text="a loud group", coder="zoe"
            ).id,  # fmt: skip
            "code": add_memo(
                s, target="code", target_id=code.id, text="when to use it", coder="zoe"
            ).id,  # fmt: skip
            "percent": add_memo(
                s, target="project", target_id=None, text="100% sure", coder="zoe"
            ).id,  # fmt: skip
        }
        add_memo(s, target="coding", target_id=c.id, text="she means the budget", coder="bob")
        ids["coding"] = c.id
        ids["code_name"] = code.name
    return ids


@pytest.mark.backends("sqlite", "postgres")
def test_memos_search_text_author_source_and_code_in_any_case(ws):
    ids = _many_memos(ws)
    with session_scope(ws.engine) as s:

        def found(text):
            return sorted((r.target, r.ref) for r in memos(s, search=text))

        assert found("BUDGET") == [("coding", ids["coding"]), ("project", ids["project"])]
        assert found("bob") == [("coding", ids["coding"])]  # the author
        assert found("fg-north") == [("coding", ids["coding"]), ("source", ids["source"])]
        named = ids["code_name"].lower()
        assert found(named) == [("code", ids["code"]), ("coding", ids["coding"])]
        assert found("%") == [("project", ids["percent"])]  # a wildcard is a character
        assert found("0_") == [] and found("nothing like it") == []
        assert len(found("  ")) == 5  # blank: every memo


def test_memo_list_search_on_the_command_line(cli, ws):
    _many_memos(ws)
    out = cli("-w", ws.root, "memo", "list", "--search", "budget").out
    assert "Budget talks" in out and "she means the budget" in out and "loud" not in out
    none = cli("-w", ws.root, "memo", "list", "--search", "zzz")
    assert none.code == 0 and "no memos hold 'zzz'" in none.out


async def test_slash_filters_the_memos_view_and_escape_shows_all_again(ws):
    ids = _many_memos(ws)
    async with running(ws, size=(80, 24), start="memos") as (app, pilot):
        assert len(app.screen.rows) == 5
        await pilot.press("slash", *"budget")
        await settle(app, pilot)
        assert sorted(r.ref for r in app.screen.rows) == sorted([ids["project"], ids["coding"]])
        assert "holding 'budget'" in str(app.screen.query_one("StatusLine").note)
        await pilot.press("enter", "down")  # to the list, the filter kept
        await settle(app, pilot)
        assert app.screen.query_one("DataTable").has_focus and len(app.screen.rows) == 2
        await pilot.press("slash", "escape")
        await settle(app, pilot)
        assert len(app.screen.rows) == 5 and app.screen.query_one("DataTable").has_focus
        assert not app.screen.query_one("#memos-filter").display
