"""Walks from a tester: the Memos screen listed the memo rows (project, source, code) first and
the coding memos after them, so a coding memo written a minute ago sat under day-old notes on
a screen said to be "newest first"; and three dialogs closed on nothing with no word — the
Codebook's rename on a blank name, a new memo saved empty, a long memo dropped on escape."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from review.coding.codings import add_memo, apply_code
from review.coding.memos import edit_memo, memos
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, burst, running, sentences, settle

T0 = m.utcnow().replace(microsecond=0) - timedelta(days=1)


def _at(minutes: int):
    return T0 + timedelta(minutes=minutes)


def _mixed_memos(ws) -> dict[str, tuple[str, int]]:
    """The tester's workspace in small: an old coding with a memo (21:00), a project, a source
    and a code memo (22:19, the project one written first), then a coding made and memoed at
    22:21. Times set in the database, so the order does not hang on how fast this runs."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        code = s.exec(select(m.Code).where(m.Code.shortcut == "1")).one()
        old = apply_code(s, source_id=sid, code_id=code.id, start=sents[0][0], end=sents[0][1],
                         coder=ws.coder)  # fmt: skip
        add_memo(s, target="coding", target_id=old.id, text="an old coding's memo", coder="ann")
        old.created = _at(0)
        ids = {"old coding": ("coding", old.id)}
        for i, (target, tid) in enumerate((("project", None), ("source", sid), ("code", code.id))):
            view = add_memo(s, target=target, target_id=tid, text=f"a {target} note", coder="ann")
            when = _at(79) + timedelta(seconds=i)  # (in SQL: an ORM change is an edit, now)
            s.execute(update(m.Memo).where(m.Memo.id == view.id).values(created=when, updated=when))
            ids[target] = (target, view.id)
        new = apply_code(s, source_id=sid, code_id=code.id, start=sents[1][0], end=sents[1][1],
                         coder=ws.coder)  # fmt: skip
        add_memo(s, target="coding", target_id=new.id, text="just written", coder="ann")
        new.created = _at(81)
        ids["new coding"] = ("coding", new.id)
    return ids


def _order(rows) -> list[tuple[str, int | None]]:
    return [(r.target, r.ref) for r in rows]


def test_memos_are_in_one_order_by_when_written_whatever_they_are_on(ws):
    ids = _mixed_memos(ws)
    newest = [ids[k] for k in ("new coding", "code", "source", "project", "old coding")]
    with session_scope(ws.engine) as s:
        assert _order(memos(s, newest_first=True)) == newest
        assert _order(memos(s)) == newest[::-1]  # `review memo list`: the same, oldest first
        assert _order(memos(s, newest_first=True, limit=2)) == newest[:2]  # of all, not a part
        edit_memo(s, "project", ids["project"][1], "a project note, rethought")
        assert _order(memos(s, newest_first=True))[0] == ids["project"]  # edited: on top


def test_memo_list_on_the_command_line_is_oldest_first_in_one_order(cli, ws):
    _mixed_memos(ws)
    out = cli("-w", ws.root, "memo", "list").out
    texts = ["an old coding's memo", "a project note", "a source note", "a code note",
             "just written"]  # fmt: skip
    at = [out.index(t) for t in texts]
    assert at == sorted(at), out
    # an edited memo is listed at its edit, and says that time (it said its creation's)
    with session_scope(ws.engine) as s:
        pid = s.exec(select(m.Memo.id).where(m.Memo.text == "a project note")).one()
        edit_memo(s, "project", pid, "a project note, rethought")
        edited = s.get(m.Memo, pid).updated
    out = cli("-w", ws.root, "memo", "list").out
    head = out.splitlines()[out.splitlines().index("    a project note, rethought") - 1]
    assert head.endswith(edited.strftime("%Y-%m-%d %H:%M")), head
    assert out.index("a project note, rethought") > out.index("just written")  # newest last


async def test_the_memos_screen_lists_newest_first_and_says_so(ws):
    ids = _mixed_memos(ws)
    async with running(ws, start="memos") as (app, pilot):
        screen = app.screen
        assert _order(screen.rows) == [
            ids[k] for k in ("new coding", "code", "source", "project", "old coding")
        ]
        assert "newest first" in str(screen.query_one("StatusLine").note)
        side = str(screen.query_one("#memo-full").render())
        assert f"coded {_at(81):%Y-%m-%d %H:%M}" in side  # a coding memo's time is its coding's
        screen.query_one("DataTable").move_cursor(row=3)  # the project memo
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press("end", *" again", "ctrl+s")
        await settle(app, pilot)
        assert _order(screen.rows)[0] == ids["project"]  # edited now: the newest
        assert screen.query_one("DataTable").cursor_row == 0  # the cursor went with it
        assert "edited " in str(screen.query_one("#memo-full").render())


async def test_rename_refuses_a_blank_name_in_the_prompt_and_keeps_it_open(ws):
    add_transcript(ws)
    with session_scope(ws.engine) as s:
        trust = s.exec(select(m.Code).where(m.Code.name == "Trust")).one()
    async with running(ws, start="codebook") as (app, pilot):
        tree = app.screen.query_one("Tree")
        tree.move_cursor(next(n for n in tree._tree_nodes.values() if n.data == trust.id))
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        burst(app, "ctrl+u", "enter")  # cleared and entered at once, as from tmux
        await settle(app, pilot)
        prompt = app.screen
        assert type(prompt).__name__ == "Prompt"  # still open
        hint = prompt.query_one("#prompt-hint")
        assert hint.display and "A code needs a name" in str(hint.render())
        burst(app, *"Confidence")
        await settle(app, pilot)
        assert not hint.display  # typing takes the refusal away
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CodebookScreen"
        assert [n.message for n in app._notifications][-1] == "renamed Drivers/Trust to Confidence"
        await pilot.press("r", "enter")  # the same name: nothing renamed, and it says so
        await settle(app, pilot)
        assert [n.message for n in app._notifications][-1] == "Drivers/Confidence keeps its name."
    with session_scope(ws.engine) as s:
        assert s.get(m.Code, trust.id).name == "Confidence"


async def test_a_new_memo_saved_empty_stays_open_and_says_there_is_nothing_to_save(ws):
    add_transcript(ws)
    async with running(ws, start="memos") as (app, pilot):
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        editor = app.screen
        assert type(editor).__name__ == "MemoEditor"  # still open
        assert "Nothing to save" in str(editor.query_one("#memo-hint").render())
        await pilot.press(*"now a note")
        await settle(app, pilot)
        assert "Nothing to save" not in str(editor.query_one("#memo-hint").render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [r.text for r in app.screen.rows] == ["now a note"]


async def test_escape_on_a_changed_memo_asks_before_discarding_it(ws):
    sid = add_transcript(ws)
    long = "Residents say the budget panel listened, but only after the second meeting"
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("M")
        await settle(app, pilot)
        burst(app, *long, "escape")  # typed and escaped at once: the question sees it all
        await settle(app, pilot)
        assert type(app.screen).__name__ == "DiscardMemo"
        await pilot.press("n")  # back to the memo, every word of it
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MemoEditor"
        assert app.screen.query_one("TextArea").text == long
        await pilot.press("escape", "enter")  # enter is no: a new line was meant, not yes
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MemoEditor"
        await pilot.press("escape", "y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("M", "escape")  # nothing changed: it closes at once
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Memo)).all() == []


async def test_a_memo_emptied_on_the_memos_screen_is_deleted_after_a_yes(ws):
    add_transcript(ws)
    with session_scope(ws.engine) as s:
        add_memo(s, target="project", target_id=None, text="short", coder=ws.coder)
    async with running(ws, start="memos") as (app, pilot):
        for answer, left in (("n", ["short"]), ("y", [])):
            await pilot.press("e", *["backspace"] * len("short"), "ctrl+s")
            await settle(app, pilot)
            assert type(app.screen).__name__ == "Confirm"  # it was refused ("delete it instead")
            await pilot.press(answer)
            await settle(app, pilot)
            assert [r.text for r in app.screen.rows] == left
