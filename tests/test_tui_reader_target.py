"""Reader keys act on the coding (suggestion) the side panel marks: `delete` and `M` on the
excerpt the reviewer opened or on their own coding, never silently on another one that merely
overlaps the selection; `A`/`X` on the suggestion marked ▶."""

from __future__ import annotations

from contextlib import asynccontextmanager

from sqlmodel import select

from review.coding.codings import apply_code
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, screen_text, sentences, settle, until


def _code(ws, key: str) -> int:
    with session_scope(ws.engine) as s:
        return s.exec(select(m.Code.id).where(m.Code.shortcut == key)).one()


def _apply(ws, sid: int, key: str, start: int, end: int, coder: str) -> int:
    code = _code(ws, key)
    with session_scope(ws.engine) as s:
        return apply_code(s, source_id=sid, code_id=code, start=start, end=end, coder=coder).id


def _codings(ws) -> dict[int, tuple[int, str | None]]:
    with session_scope(ws.engine) as s:
        return {c.id: (c.code_id, c.memo) for c in s.exec(select(m.Coding)).all()}


async def _opened_at(app, pilot, sid: int, start: int, end: int, kind: str):
    """Open the source with [start, end) selected; the side panel's lines marked ▶ that hold
    `kind` ("/" a coding's path, "←" a suggestion), and the whole panel."""
    app.open_source(sid, start, end)
    await settle(app, pilot)
    side = app.screen.query_one("#reader-panel")
    await until(pilot, lambda: "▶ Four Cs" in screen_text(side))
    panel = screen_text(side)
    return [line for line in panel.splitlines() if "▶" in line and kind in line], panel


async def test_delete_on_an_opened_excerpt_removes_that_excerpt_not_a_newer_overlap(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    one = _apply(ws, sid, "1", *sents[3], "tester")  # "A few of us do a litter pick …"
    _apply(ws, sid, "4", sents[3][0], sents[4][1], "tester")  # later, over two sentences
    async with running(ws, size=(120, 40)) as (app, pilot):
        # as enter on the Excerpts screen opens code 1's
        marked, panel = await _opened_at(app, pilot, sid, *sents[3], "/")
        assert len(marked) == 1 and "Co-commissioning" in marked[0], panel
        await pilot.press("delete")
        await settle(app, pilot)
        note = app.screen.query_one("StatusLine").note
    left = _codings(ws)
    assert one not in left and [c for c, _ in left.values()] == [_code(ws, "4")]
    assert f"removed coding {one}, Four Cs/Co-commissioning" in note


async def test_memo_key_writes_on_the_readers_own_coding_not_a_colleagues(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    mine = _apply(ws, sid, "1", *sents[1], "tester")
    theirs = _apply(ws, sid, "1", *sents[1], "bob")  # bob codes the same sentence later
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("down", "M")  # the cursor's sentence: both codings are over it
        await settle(app, pilot)
        await pilot.press(*"my note", "ctrl+s")
        await settle(app, pilot)
    assert _codings(ws)[mine][1] == "my note"
    assert _codings(ws)[theirs][1] is None


async def test_accept_takes_the_suggestion_marked_in_the_panel(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    a, z = sents[3]  # "A few of us do a litter pick on the estate every first Saturday."
    codes = {key: _code(ws, key) for key in "13"}
    with session_scope(ws.engine) as s:
        text = s.get(m.Source, sid).text
        word = text.index("litter", a)
        for key, (x, y) in (("1", (a, z)), ("3", (word, word + 6))):
            s.add(
                m.Suggestion(
                    source_id=sid,
                    code_id=codes[key],
                    start=x,
                    end=y,
                    quote=text[x:y],
                    trigger=["litter"],
                )  # fmt: skip
            )
    async with running(ws, size=(120, 40)) as (app, pilot):
        # "litter" selected (a find hit, a search hit)
        marked, panel = await _opened_at(app, pilot, sid, word, word + 6, "←")
        assert len(marked) == 1 and "Co-delivery" in marked[0], panel
        await pilot.press("A")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        accepted = s.exec(select(m.Suggestion).where(m.Suggestion.status == "accepted")).all()
    assert [(x.code_id, x.start, x.end) for x in accepted] == [(_code(ws, "3"), word, word + 6)]


async def test_a_code_shortcut_on_a_reader_key_never_codes_with_that_key(ws):
    from review.coding.codebook import add_code

    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        add_code(s, "Drivers/Joy", shortcut="J")  # J extends the selection in the Reader
        add_code(s, "Drivers/Networks", shortcut="n")  # n is the next find hit
        add_code(s, "Place", shortcut="z")
        add_code(s, "Place/Park")  # Place becomes a group: its key cannot code
    async with running(ws, source=sid, size=(120, 40)) as (app, pilot):
        side = app.screen.query_one("#reader-panel")
        await until(pilot, lambda: "a group" in screen_text(side))  # drawn at its width
        panel = screen_text(side)
        assert "J Joy (taken: extend)" in panel, panel
        assert "n Networks (taken: next hit)" in panel, panel
        assert "z Place (a group: not applied)" in panel, panel
        await pilot.press("down", "J", "n", "3")  # extend over two sentences, then code 3
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        rows = [(c.code_id, c.start, c.end) for c in s.exec(select(m.Coding)).all()]
    assert rows == [(_code(ws, "3"), sents[1][0], sents[2][1])]


@asynccontextmanager
async def _excerpts_of_code_2(ws, *, blind: bool):
    """The Excerpts screen of code 2, with blind coding on or off."""
    from review.coding.codings import set_blind

    with session_scope(ws.engine) as s:
        set_blind(s, blind)
    async with running(ws, size=(120, 40)) as (app, pilot):
        app.current_code_id = _code(ws, "2")
        await app.action_go("excerpts")
        await settle(app, pilot)
        yield app, pilot


async def test_excerpts_screen_shows_only_the_readers_own_excerpts_while_blind(ws):
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    _apply(ws, sid, "2", *sents[1], "tester")
    _apply(ws, sid, "2", *sents[3], "bob")
    async with _excerpts_of_code_2(ws, blind=True) as (app, pilot):
        shown = [(x.coder, x.start) for x in app.screen.rows]
        title = str(app.screen.query_one("#excerpts-title").render())
        assert shown == [("tester", sents[1][0])] and "blind" in title
        await pilot.press("enter")  # opens the Reader on that excerpt: there it is coded
        await settle(app, pilot)
        assert app.screen.query_one("ReaderView").span() == sents[1]
        assert [mk.coder for mk in app.screen.doc.marks_over(*sents[1])] == ["tester"]
    async with _excerpts_of_code_2(ws, blind=False) as (app, pilot):
        assert sorted(x.coder or "" for x in app.screen.rows) == ["bob", "tester"]


async def test_the_same_code_key_twice_on_a_span_makes_one_excerpt_not_two(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("down", "2", "down", "up", "2")  # back on the sentence coded already
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        panel = screen_text(app.screen.query_one("#reader-panel"))
    rows = list(_codings(ws).values())
    assert rows == [(_code(ws, "2"), None)]
    assert any("already coded as Four Cs/Co-design by tester" in m for m in said), said
    assert panel.count("Four Cs/Co-design") == 1, panel


def test_the_cli_refuses_an_exact_repeat_but_codes_an_overlap(ws, cli):
    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[1]
    args = ("-w", ws.root, "--coder", "ann", "code", "apply", "fg-north", "Co-design")
    assert cli(*args, "--span", f"{a}:{z}").code == 0
    again = cli(*args, "--span", f"{a}:{z}")
    assert again.code == 1 and "already coded as Four Cs/Co-design by ann" in again.err
    assert cli(*args, "--span", f"{a}:{z - 1}").code == 0  # an overlap is a coding of its own
    assert cli("-w", ws.root, "--coder", "bob", *args[4:], "--span", f"{a}:{z}").code == 0
    assert len(_codings(ws)) == 3


async def test_a_coding_memo_saved_empty_in_the_reader_is_removed_after_a_yes(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("2", "M", *"first thought", "ctrl+s")
        await settle(app, pilot)
        assert [memo for _, memo in _codings(ws).values()] == ["first thought"]
        await pilot.press("M", *["backspace"] * len("first thought"), "ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "Confirm"  # asks, as the Memos screen does
        await pilot.press("n")  # kept
        await settle(app, pilot)
        assert [memo for _, memo in _codings(ws).values()] == ["first thought"]
        await pilot.press("M", *["backspace"] * len("first thought"), "ctrl+s", "y")
        await settle(app, pilot)
        note = app.screen.query_one("StatusLine").note
    assert [memo for _, memo in _codings(ws).values()] == [None]
    assert note.startswith("memo removed from coding")


async def test_back_from_the_reader_the_excerpts_and_memos_cursors_stay_put(ws):
    from textual.widgets import DataTable

    from review.coding.codings import add_memo

    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    ids = [_apply(ws, sid, "2", a, z, "tester") for a, z in sents[:4]]
    with session_scope(ws.engine) as s:
        for cid in ids:
            add_memo(s, target="coding", target_id=cid, text=f"memo {cid}", coder="tester")
    async with running(ws, size=(120, 40)) as (app, pilot):
        app.current_code_id = _code(ws, "2")
        await app.action_go("excerpts")
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")  # the third excerpt, in the Reader
        await settle(app, pilot)
        assert app.screen.query_one("ReaderView").span() == sents[2]
        await app.action_go("excerpts")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert app.screen.rows[table.cursor_row].coding_id == ids[2]
        await app.action_go("memos")
        await settle(app, pilot)
        await pilot.press("down", "o")  # the second memo's coding opens in the Reader
        await settle(app, pilot)
        opened = app.screen.query_one("ReaderView").span()
        await app.action_go("memos")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        chosen = app.screen.rows[table.cursor_row]
        assert chosen.target == "coding" and sents[ids.index(chosen.ref)] == opened
        assert table.cursor_row == 1


def test_the_cli_refuses_a_whole_passage_coded_again_by_the_same_coder(ws, cli):
    add_transcript(ws)
    with session_scope(ws.engine) as s:
        pid = s.exec(select(m.Passage.id).where(m.Passage.kind == "sentence")).first()
    args = ("-w", ws.root, "--coder", "ann", "code", "apply", "fg-north", "Co-design")
    assert cli(*args, "--passage", str(pid)).code == 0
    again = cli(*args, "--passage", str(pid))
    assert again.code == 1 and "already coded as Four Cs/Co-design by ann" in again.err
    assert len(_codings(ws)) == 1


async def test_bracket_steps_the_target_among_the_codings_on_the_span(ws):
    """Several codings on one sentence: `]` moves ▶ down the panel's list (then round to the
    first), and delete and M act on the coding it marks. Before, ▶ stayed on the newest own
    coding, and the others on the span could not be memoed or removed from the Reader. A
    colleague's coding is refused by delete (it removed bob's): it is his to remove."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    first = _apply(ws, sid, "1", *sents[1], "tester")  # Co-commissioning
    newest = _apply(ws, sid, "4", *sents[1], "tester")  # Co-assessment: ▶ at first
    theirs = _apply(ws, sid, "2", *sents[1], "bob")  # Co-design
    async with running(ws, source=sid, size=(120, 40)) as (app, pilot):
        side = app.screen.query_one("#reader-panel")

        def marked() -> list[str]:
            return [line for line in screen_text(side).splitlines() if "▶" in line and "/" in line]

        await pilot.press("down")
        await until(pilot, lambda: len(marked()) == 1)
        assert "Co-assessment" in marked()[0] and "(▶ del, M; ] next)" in screen_text(side)
        await pilot.press("right_square_bracket")  # the next in the list: bob's
        await settle(app, pilot)
        assert "Co-design" in marked()[0] and "bob" in marked()[0], screen_text(side)
        assert "(▶ M; del: yours only; ] next)" in screen_text(side)  # (removable_by)
        note = app.screen.query_one("StatusLine").note
        assert "by bob (3 of 3 here): M acts on it (del: yours only)" in note
        await pilot.press("right_square_bracket")  # round to the first
        await settle(app, pilot)
        assert "Co-commissioning" in marked()[0]
        await pilot.press("M", *"first one", "ctrl+s")
        await settle(app, pilot)
        assert "Co-commissioning" in marked()[0]  # the memo saved, ▶ stays where it was
        assert _codings(ws)[first][1] == "first one"
        await pilot.press("down", "up")  # off the span and back: the usual ▶ again
        await settle(app, pilot)
        assert "Co-assessment" in marked()[0]
        await pilot.press("right_square_bracket", "delete")  # bob's: refused
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert any(f"coding {theirs} (Four Cs/Co-design) is bob's" in t for t in said), said
        assert "Co-design" in marked()[0]  # ▶ stays on it
        await pilot.press("right_square_bracket", "delete")  # the first: the reader's own
        await settle(app, pilot)
        assert len(marked()) == 1 and "Co-assessment" in marked()[0]
    left = _codings(ws)
    assert first not in left and sorted(left) == [newest, theirs]  # bob's stays: his to remove
    assert left[newest][1] is None


async def test_bracket_with_one_coding_here_says_so_and_is_listed_in_the_help(ws):
    from review.coding.codebook import add_code

    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    _apply(ws, sid, "1", *sents[1], "tester")
    with session_scope(ws.engine) as s:
        add_code(s, "Drivers/Bracket", shortcut="]")  # `]` is the Reader's: it never codes
    async with running(ws, source=sid, size=(120, 40)) as (app, pilot):
        side = app.screen.query_one("#reader-panel")
        await until(pilot, lambda: "Keys" in screen_text(side))
        panel = " ".join(screen_text(side).split())  # (the line wraps in the panel)
        assert "] Bracket (taken: next coding here)" in panel, panel
        await pilot.press("down", "right_square_bracket")
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert any("One coding here at most" in m for m in said), said
        assert len(_codings(ws)) == 1
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert "]              Next coding here" in app.screen.help_text()


async def test_the_side_panel_is_cut_again_for_its_new_width_after_a_resize(ws):
    """A coding's memo is cut to the panel's width (one line a coding): after the terminal
    grew from 80 to 120 columns the panel kept the cut for 80 (the panel's full width then)
    and the line wrapped in the narrower side column, until the cursor moved."""
    from review.coding.codings import add_memo

    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    cid = _apply(ws, sid, "1", *sents[0], "tester")
    _apply(ws, sid, "2", *sents[0], "tester")
    with session_scope(ws.engine) as s:
        note = "a long memo about why this sentence is commissioning and not design at all"
        add_memo(s, target="coding", target_id=cid, text=note, coder="tester")
    async with running(ws, source=sid, size=(80, 24)) as (app, pilot):
        side = app.screen.query_one("#reader-panel")
        await until(pilot, lambda: "Co-commissioning" in screen_text(side))
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        lines = screen_text(side).splitlines()
        at = next(i for i, line in enumerate(lines) if "Co-commissioning" in line)
        assert "Co-design" in lines[at + 1], lines  # the memo did not run onto a second line


async def test_excerpts_screen_says_who_coded_each_and_fits_the_quotes_to_the_width(ws):
    """Two coders on one turn: the rows read alike without a coder column. The quote is cut
    at a word to the room there is, and cut again after a resize (it kept the first width)."""
    from textual.widgets import DataTable

    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    for who in ("tester", "bob"):
        _apply(ws, sid, "2", sents[3][0], sents[4][1], who)  # Anna's whole turn
    with session_scope(ws.engine) as s:
        text = s.get(m.Source, sid).text[sents[3][0] : sents[4][1]]

    def quotes(table) -> list[str]:
        out = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
        for quote in out:  # cut after a whole word
            head = quote.removesuffix("…")
            assert quote.endswith("…") and text.startswith(head) and text[len(head)] == " "
        return out

    async with _excerpts_of_code_2(ws, blind=False) as (app, pilot):
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert sorted(r[3] for r in rows) == ["bob", "tester"], rows
        wide = quotes(table)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        narrow = quotes(table)
        assert len(narrow[0]) < len(wide[0]) - 20, (narrow, wide)


async def test_one_colleagues_coding_here_the_panel_and_bracket_say_delete_is_yours_only(ws):
    """The rule of `removable_by`, said before delete is pressed: a colleague's coding alone on
    the span gets "(M; del: yours only)" in the panel and in `]`'s message; delete refuses."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    theirs = _apply(ws, sid, "2", *sents[1], "bob")
    async with running(ws, source=sid, size=(120, 40)) as (app, pilot):
        side = app.screen.query_one("#reader-panel")
        await pilot.press("down")
        await until(pilot, lambda: "Coded here" in screen_text(side))
        assert "Coded here (M; del: yours only)" in screen_text(side)
        await pilot.press("right_square_bracket", "delete")
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert "One coding here at most: M acts on it (del: yours only)." in said, said
        assert any(f"coding {theirs} (Four Cs/Co-design) is bob's" in t for t in said), said
        assert list(_codings(ws)) == [theirs]
        await pilot.press("down")  # not coded there: no hint
        await settle(app, pilot)
        assert "Not coded here" in screen_text(side)
        await pilot.press("up", "2")  # the reader's own beside it: ▶ on it, delete for it
        await settle(app, pilot)
        assert "(▶ del, M; ] next)" in screen_text(side)
