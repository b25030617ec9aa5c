"""The Reader's code picker: exact first, only the highlighted row, create from the picker,
always the current codebook; checked in the database."""

from __future__ import annotations

from sqlmodel import select

from review.coding.codebook import add_code
from review.store import models as m
from review.store.db import session_scope
from review.tui.widgets.code_picker import CodeChoice, rank
from tests.tui_helpers import add_transcript, burst, running, sentences, settle


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


async def test_the_parent_list_jumps_as_you_type_while_closed(ws):
    """Walk: "tab to the parent list, type to jump in it" — typed with the list closed,
    "Barr" did nothing until `down` opened it; the letters open it and jump."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        picker = app.screen
        await pilot.press(*"Willingness to pay")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            barriers = s.exec(select(m.Code.id).where(m.Code.name == "Barriers")).one()
        await pilot.press("tab", *"Barr", "enter")  # no enter or down to open the list
        await settle(app, pilot)
        assert picker.query_one("#code-parent").value == barriers
        assert picker.query_one("#code-query").value == "Willingness to pay"
        await pilot.press("enter")
        await settle(app, pilot)
    assert _coded(ws) == [("Barriers/Willingness to pay", *sents[0])]


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


async def test_ctrl_e_in_the_picker_fills_in_a_new_code_then_codes_with_it(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid, size=(100, 40)) as (app, pilot):
        await pilot.press("down", "enter")
        await settle(app, pilot)
        await pilot.press(*"Epistemic stance", "ctrl+e")
        await settle(app, pilot)
        form = app.screen
        assert form.query_one("#f-name").value == "Epistemic stance"
        form.query_one("#f-definition").value = "How sure a speaker is of what they say."
        form.query_one("#f-shortcut").value = "q"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("down", "q")  # its new shortcut codes at once
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.name == "Epistemic stance")).one()
        assert code.definition.startswith("How sure") and code.shortcut == "q"
        from review.coding.codebook import code_path

        path = code_path(s, code.id)
    assert _coded(ws) == [(path, *sents[1]), (path, *sents[2])]


async def test_a_new_code_with_a_taken_shortcut_from_the_reader_keeps_its_form_open(ws):
    """The Reader's code form (ctrl+e in the picker): a shortcut Co-design holds closed the
    form, the fields were lost and nothing was coded. Now it stays open, saying whose key it
    is; with a free key the code is added and the span coded with it."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid, size=(80, 24)) as (app, pilot):
        await pilot.press("down", "enter")
        await settle(app, pilot)
        await pilot.press(*"Epistemic stance", "ctrl+e")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-definition").value = "How sure a speaker is."
        form.query_one("#f-shortcut").value = "2"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "already used by 'Four Cs/Co-design'" in str(form.query_one("#form-hint").render())
        assert form.query_one("#f-definition").value == "How sure a speaker is."
        assert _coded(ws) == []
        form.query_one("#f-shortcut").value = "q"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.name == "Epistemic stance")).one()
        assert code.shortcut == "q" and code.definition == "How sure a speaker is."
    assert [(a, z) for _, a, z in _coded(ws)] == [sents[1]]


async def test_ctrl_e_on_a_code_edits_it_and_returns_to_the_picker(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid, size=(100, 40)) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"trust", "ctrl+e")
        await settle(app, pilot)
        app.screen.query_one("#f-example").value = "You could rely on her."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CodePicker"  # back to choosing
        await pilot.press("escape")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Code.example).where(m.Code.name == "Trust")).one() == (
            "You could rely on her."
        )
    assert _coded(ws) == []


async def test_the_reused_picker_opens_fresh_each_time(ws):
    """The picker is built once and re-used: a second open starts with an empty query, its
    first row highlighted, and a code added meanwhile listed; enter codes only that row, once
    moved to (a stray enter with nothing typed or moved to codes nothing: a double enter in
    the Reader coded the span with the codebook's first code)."""
    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[0]
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        first = app.screen
        await pilot.press(*"Epistemic stance", "escape")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            add_code(s, "Zz added meanwhile")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is first  # the same dialog, not a new one
        assert first.query_one("Input").value == "" and first.typed == ""
        assert "Zz added meanwhile" in [c.path for c in first.choices]
        assert first.query_one("OptionList").highlighted == 0
        top = first.rows[0].path
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is first and _coded(ws) == []  # chose nothing: says what to do
        assert "move to one" in str(first.query_one("#code-definition").render())
        await pilot.press("down", "up", "enter")
        await settle(app, pilot)
    assert _coded(ws) == [(top, a, z)]


async def test_keys_typed_in_one_burst_act_in_the_order_typed(ws):
    """Keys sent at once (a fast typist, `tmux send-keys C-u 'comm' Enter`): before, the
    field's own keys (ctrl+u, backspace) ran after the letters typed behind them, so ctrl+u
    wiped "comm" too and enter applied the first code of the empty list (Co-commissioning);
    a `down` ran after the letters before it had re-ranked the list, and was lost."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        for keys in (
            (*"trust", "ctrl+u", *"comm", "enter"),  # "comm": Community safety first
            (*"trust", *["backspace"] * 5, *"dis", "enter"),  # "dis", not "tru": Distrust
            (*"co-", "down", "enter"),  # the second row for "co-"
        ):
            await pilot.press("down", "enter")
            await settle(app, pilot)
            if keys[0] == "c":
                second = rank("co-", app.screen.choices).choices[1]
            burst(app, *keys)
            await settle(app, pilot)
    assert _coded(ws) == [
        ("Sector/Community safety", *sents[1]),
        ("Barriers/Distrust", *sents[2]),
        (second.path, *sents[3]),
    ]


async def test_a_code_name_typed_right_after_enter_goes_to_the_picker(ws):
    """enter and a code's name in one burst (the picker takes a moment to open; 50 ms with a
    large codebook): before, the letters reached the Reader first, so "c" coded Social care
    (its shortcut) and the picker got "omm"; now what is typed after enter is the picker's."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("down")
        burst(app, "2", "enter", *"comm", "enter")  # the picker's first opening
        await settle(app, pilot)
        burst(app, "down", "enter", *"trust", "ctrl+u", *"dis", "enter")  # re-used
        await settle(app, pilot)
        burst(app, "enter", *"xyz", "escape")  # cancelled: back to the Reader
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("3")  # its keys code again
        await settle(app, pilot)
    assert _coded(ws) == [
        ("Four Cs/Co-design", *sents[1]),
        ("Sector/Community safety", *sents[1]),
        ("Barriers/Distrust", *sents[2]),
        ("Four Cs/Co-delivery", *sents[2]),
    ]


async def test_a_word_typed_right_after_slash_or_m_goes_to_the_find_bar_or_the_memo(ws):
    """`/trust` and `M` with a note typed in one burst: before, the letters reached the Reader
    before the find bar or the memo editor had the keyboard, and t, r, s coded Trust,
    Professional resistance and Community safety (their shortcuts)."""
    from textual.widgets import Input

    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        burst(app, "slash", *"litter")
        await settle(app, pilot)
        assert app.screen.query_one("#reader-find", Input).value == "litter"
        await pilot.press("escape")
        await settle(app, pilot)
        burst(app, "M", *"a note", "ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
    assert _coded(ws) == []
    with session_scope(ws.engine) as s:
        memos = [x.text for x in s.exec(select(m.Memo)).all()]
    assert memos == ["a note"]


async def test_the_reader_line_forgets_what_was_done_in_the_last_source(ws):
    """Walk: opened from the Library, another source showed "new code …; coded 607–629",
    done in the source before it."""
    from review.tui.widgets.status_line import StatusLine

    first, second = add_transcript(ws), add_transcript(ws, key="fg-south")
    async with running(ws, source=first) as (app, pilot):
        await pilot.press("enter", *"trust", "enter")
        await settle(app, pilot)
        line = app.screen.query_one(StatusLine)
        assert "coded" in line.note
        app.open_source(second)
        await settle(app, pilot)
        assert "coded" not in app.screen.query_one(StatusLine).note
