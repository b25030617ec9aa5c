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
        await pilot.press("a")
        await settle(app, pilot)  # the form is open before typing
        await pilot.press(*"Digital panels", "enter")
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
        await settle(app, pilot)  # a merge cannot be undone: it asks first (it did not)
        said = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "1 coding(s)" in said and "This cannot be undone" in said, said
        await pilot.press("n")
        await settle(app, pilot)
        assert _code(ws, "Co-delivery").id == deliver.id  # kept
        await pilot.press("g", *"co-design", "enter")
        await settle(app, pilot)
        await pilot.press("y")
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
        assert str(table.get_row_at(1)[1]) == "Anna"
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


async def test_deleting_a_coded_code_says_why_not_without_asking(ws):
    """Walk: delete on a coded code asked "Delete?", and after y said it was refused,
    naming a command-line flag (--force). Now it says so at once, with what to do."""
    sid = add_transcript(ws)
    trust, drivers = _code(ws, "Trust"), _code(ws, "Drivers")
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        apply_code(s, source_id=sid, code_id=trust.id, start=a, end=z, coder="tester")
    async with running(ws, start="codebook") as (app, pilot):
        for code in (trust, drivers):  # the code, and a group whose child is coded
            await _highlight(app, pilot, code.id)
            await pilot.press("delete")
            await settle(app, pilot)
            assert app.screen is not None and type(app.screen).__name__ == "CodebookScreen"
            said = [n.message for n in app._notifications]
            assert any("has 1 coding(s), so it is not deleted" in t for t in said), said
            await pilot.press("y")  # (no dialog to answer: nothing happens)
            await settle(app, pilot)
    assert _code(ws, "Trust").id == trust.id and _code(ws, "Drivers").id == drivers.id


async def test_the_code_form_edits_every_field(ws):
    add_transcript(ws)
    trust = _code(ws, "Trust")
    async with running(ws, start="codebook", size=(100, 40)) as (app, pilot):
        await _highlight(app, pilot, trust.id)
        await pilot.press("E")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-definition").value = "Residents rely on officers to act."
        form.query_one("#f-exclude").value = "Distrust of the system (use Distrust)."
        form.query_one("#f-keywords").value = "rely on, trust, count on"
        form.query_one("#f-shortcut").value = ""
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # (walk: "saved Trust" on the status line was overwritten as the form closed)
        assert [n.message for n in app._notifications][-1] == "saved Drivers/Trust"
        await pilot.press("a")
        await settle(app, pilot)  # the form is open before typing
        await pilot.press(*"Trust in officers", "enter")  # a new child, name only
        await settle(app, pilot)
        said = [n.message for n in app._notifications][-1]
        assert said == "added Drivers/Trust/Trust in officers"
    code = _code(ws, "Trust")
    assert code.definition == "Residents rely on officers to act."
    assert code.exclude.startswith("Distrust of the system")
    assert code.keywords == ["rely on", "trust", "count on"] and code.shortcut is None
    child = _code(ws, "Trust in officers")
    assert child.parent_id == trust.id and child.definition is None and child.codable


async def test_the_code_form_fits_80x24(ws):
    """QA at 80x24: the form showed six of its eleven fields; the rest needed scrolling."""
    from textual.containers import VerticalScroll

    add_transcript(ws)
    trust = _code(ws, "Trust")
    async with running(ws, start="codebook", size=(80, 24)) as (app, pilot):
        await _highlight(app, pilot, trust.id)
        await pilot.press("E")
        await settle(app, pilot)
        form = app.screen
        scroll = form.query_one(VerticalScroll)
        assert scroll.max_scroll_y == 0  # every field in view at once
        for label in form.query(".row Label"):
            assert "\n" not in str(label.render()) and label.region.height == 1
        codable = form.query_one("#f-codable")
        assert codable.region.bottom <= scroll.region.bottom


async def test_f6_from_the_reader_shows_the_code_it_was_on(ws):
    """Walk: f6 from the Reader showed the Excerpts screen as last left (or "pick a code"),
    not the code under the Reader's cursor; now that code's excerpts, and back from an
    excerpt (whose span another code also covers) the Excerpts screen stays on its code."""
    sid = add_transcript(ws)
    deliver, trust = _code(ws, "Co-delivery"), _code(ws, "Trust")
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        apply_code(s, source_id=sid, code_id=deliver.id, start=sents[1][0], end=sents[1][1],
                   coder="maya")  # fmt: skip
        for a, z in (sents[1], sents[2]):  # the reader's own, and more recent, on sents[1]
            apply_code(s, source_id=sid, code_id=trust.id, start=a, end=z, coder="tester")
    async with running(ws, size=(120, 40)) as (app, pilot):
        app.open_source(sid, *sents[2])
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        title = str(app.screen.query_one("#excerpts-title").render())
        assert title.startswith("Drivers/Trust: excerpts 1–2")
        await pilot.press("c", *"co-delivery", "enter")
        await settle(app, pilot)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")  # to the Reader, on sents[1]: Trust (tester's) is ▶ there
        await settle(app, pilot)
        assert app.current_mode == "reader"
        await pilot.press("f6")
        await settle(app, pilot)
        title = str(app.screen.query_one("#excerpts-title").render())
        assert title.startswith("Four Cs/Co-delivery: excerpts 1–1")
        await pilot.press("f4")  # a code key codes uncoded text: f6 then shows that code
        await settle(app, pilot)
        app.screen.query_one("ReaderView").focus()
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("1")  # Co-commissioning
        await settle(app, pilot)
        await pilot.press("down", "down", "f6")
        await settle(app, pilot)
        title = str(app.screen.query_one("#excerpts-title").render())
        assert title.startswith("Four Cs/Co-commissioning: excerpts 1–1"), title


async def test_an_excerpt_opened_in_a_new_reader_is_in_view(ws):
    """Walk at 80x24 and 120x40: the first excerpt opened from the Excerpts screen (the
    Reader not shown before) showed the source's start, the excerpt selected far below out
    of view (Textual refused to scroll before the first layout showed the scrollbar)."""
    from review.coding.codebook import ensure_codebook

    text = "".join(f"Anna: Turn {i} is about the estate, the council and the app.\n\n"
                   for i in range(120))  # fmt: skip
    a = text.index("Turn 100 ")
    with session_scope(ws.engine) as s:
        src = m.Source(key="long", kind="transcript", title="Long group", text=text)
        s.add(src)
        s.flush()
        ensure_codebook(s, ws.codebook_path)
        deliver = s.exec(select(m.Code).where(m.Code.name == "Co-delivery")).one()
        apply_code(s, source_id=src.id, code_id=deliver.id, start=a, end=a + 20, coder="maya")
    for size in ((80, 24), (120, 40)):
        async with running(ws, start="codebook", size=size) as (app, pilot):
            await _highlight(app, pilot, deliver.id)
            await pilot.press("e")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            view = app.screen.query_one("ReaderView")
            assert view.span() == (a, a + 20)
            line = view.lines.line_of(a)
            assert view.scroll_offset.y <= line < view.scroll_offset.y + view.size.height, size


async def test_a_taken_shortcut_keeps_the_code_form_open_with_what_was_typed(ws):
    """Walk: a new code with the key "2" (Co-design's) closed the form with the error and
    everything typed was gone. Now the form stays open, says which code holds the key, and
    saves once the key is changed; the edit form (E) does the same."""
    add_transcript(ws)
    trust = _code(ws, "Trust")
    for size in ((80, 24), (120, 40)):
        async with running(ws, start="codebook", size=size) as (app, pilot):
            await _highlight(app, pilot, trust.id)
            await pilot.press("A")
            await settle(app, pilot)
            form = app.screen
            form.query_one("#f-name").value = f"Place {size[0]}"
            form.query_one("#f-definition").value = "Where it happens."
            form.query_one("#f-shortcut").value = "2"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert app.screen is form, type(app.screen).__name__  # still open
            hint = str(form.query_one("#form-hint").render())
            assert "'2' is already used by 'Four Cs/Co-design'" in hint, hint
            assert form.query_one("#f-name").value == f"Place {size[0]}"
            assert form.query_one("#f-definition").value == "Where it happens."
            form.query_one("#f-shortcut").value = "7" if size[0] == 80 else "8"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert type(app.screen).__name__ == "CodebookScreen", str(
                form.query_one("#form-hint").render()
            )
        code = _code(ws, f"Place {size[0]}")
        assert code.definition == "Where it happens." and code.parent_id is None
    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, trust.id)
        await pilot.press("E")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-definition").value = "A new definition."
        form.query_one("#f-shortcut").value = "7"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "already used by 'Place 80'" in str(form.query_one("#form-hint").render())
        await pilot.press("escape")
        await settle(app, pilot)
    assert _code(ws, "Trust").definition == trust.definition  # nothing half-saved


async def test_rename_move_and_merge_say_which_code_and_where(ws):
    """Walk: the notes read just "renamed" and "moved"; a merge said "(1 coding(s) moved)"
    when that coding was folded into the same coder's coding of the same span."""
    sid = add_transcript(ws)
    trust, design, deliver = _code(ws, "Trust"), _code(ws, "Co-design"), _code(ws, "Co-delivery")
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        for code in (design, deliver):
            apply_code(s, source_id=sid, code_id=code.id, start=a, end=z, coder="tester")
    async with running(ws, start="codebook") as (app, pilot):

        async def said() -> str:
            await settle(app, pilot)
            return [n.message for n in app._notifications][-1]

        await _highlight(app, pilot, trust.id)
        await pilot.press("r")
        await settle(app, pilot)
        app.screen.focused.value = "Confidence"
        await pilot.press("enter")
        assert await said() == "renamed Drivers/Trust to Confidence"
        await pilot.press("m", *"barriers", "enter")
        assert await said() == "moved Drivers/Confidence under Barriers"
        await pilot.press("m", *"top level", "enter")
        assert await said() == "moved Barriers/Confidence to the top"
        await _highlight(app, pilot, design.id)
        await pilot.press("g", *"co-delivery", "enter")
        await settle(app, pilot)
        await pilot.press("y")
        note = await said()
        detail = str(app.screen.query_one("#code-definition").render())
        assert detail.startswith("Co-delivery"), detail  # it kept Co-design's
    assert note == (
        "merged Co-design into Four Cs/Co-delivery: 1 coding(s) moved, 1 duplicate(s) folded "
        "into the same coder's coding of the same span"
    ), note
    with session_scope(ws.engine) as s:
        assert len(s.exec(select(m.Coding)).all()) == 1


async def test_memo_key_on_a_code_edits_the_coders_own_memo_and_leaves_others_alone(ws):
    """Walk: M on a code always added a memo, so a code gathered one note per visit. Now it
    opens your own memo there to edit (bob's stays his), adds one only when you have none,
    and an emptied memo is removed after a yes."""
    from review.coding.codings import add_memo
    from review.coding.memos import memos

    add_transcript(ws)
    trust, cost = _code(ws, "Trust"), _code(ws, "Distrust")
    with session_scope(ws.engine) as s:
        add_memo(s, target="code", target_id=trust.id, text="bob's view", coder="bob")
        add_memo(s, target="code", target_id=trust.id, text="first thought", coder="tester")

    def on(code) -> list[tuple[str | None, str]]:
        with session_scope(ws.engine) as s:
            return sorted((v.coder, v.text) for v in memos(s, "code", code.id))

    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, trust.id)
        await pilot.press("M")
        await settle(app, pilot)
        area = app.screen.query_one("TextArea")
        assert area.text == "first thought", area.text  # yours, to edit
        await pilot.press(*" and a second", "ctrl+s")
        await settle(app, pilot)
        assert on(trust) == [("bob", "bob's view"), ("tester", "first thought and a second")]
        await _highlight(app, pilot, cost.id)
        await pilot.press("M")  # no memo of yours here: a new one
        await settle(app, pilot)
        assert app.screen.query_one("TextArea").text == ""
        await pilot.press(*"too dear", "ctrl+s")
        await settle(app, pilot)
        assert on(cost) == [("tester", "too dear")]
        await _highlight(app, pilot, trust.id)
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press(*["backspace"] * len("first thought and a second"), "ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "Confirm"  # emptied: asks first
        await pilot.press("y")
        await settle(app, pilot)
    assert on(trust) == [("bob", "bob's view")]


async def test_the_merge_picker_offers_no_group_and_none_of_the_codes_own_children(ws):
    """Walk: `g` offered the group "Four Cs" first (the merge then lost the coding from every
    table) and the code's own child (refused only after the question was asked)."""
    from review.coding.codebook import add_code
    from review.tui.widgets.code_picker import CodePicker

    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[0]
    with session_scope(ws.engine) as s:
        top = add_code(s, "Course workload")
        apply_code(s, source_id=sid, code_id=top.id, start=a, end=z, coder="tester")
        child = add_code(s, "Course workload/Assignment load")  # (coded: the top stays codable)
        groups = {c.id for c in s.exec(select(m.Code).where(m.Code.codable == False))}  # noqa: E712
        top_id, child_id = top.id, child.id
    assert groups  # the sample codebook's headings
    async with running(ws, start="codebook") as (app, pilot):
        await _highlight(app, pilot, top_id)
        await pilot.press("g")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, CodePicker)
        offered = {c.id for c in picker.choices}
        assert offered and not offered & groups
        assert top_id not in offered and child_id not in offered
        await pilot.press("escape")
        await settle(app, pilot)
        await _highlight(app, pilot, child_id)  # no codings of its own: a group will do
        await pilot.press("g")
        await settle(app, pilot)
        assert groups <= {c.id for c in app.screen.choices}


async def test_the_code_form_takes_a_burst_across_tabs_in_order(ws):
    """Walk (`tmux send-keys "Burst test" Tab Tab "Definition here"`): the letters after
    the tabs went into the field being left ("Burst testDefinitio", "n here")."""
    from tests.tui_helpers import burst

    add_transcript(ws)
    async with running(ws, start="codebook", size=(100, 40)) as (app, pilot):
        await pilot.press("a")
        await settle(app, pilot)  # the form is open
        burst(app, *"Burst test", "tab", "tab", *"Definition here")
        await settle(app, pilot)
        form = app.screen
        assert form.query_one("#f-name").value == "Burst test"
        assert form.query_one("#f-definition").value == "Definition here"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    code = _code(ws, "Burst test")
    assert code.definition == "Definition here"
