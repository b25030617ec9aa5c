"""Reader/coder: code keys, selections, undo, suggestions and memos, checked in the database."""

from __future__ import annotations

from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope
from review.tui import document
from review.tui.widgets.reader_view import ReaderView
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
        await pilot.press(*"sets the tone", "enter", *"and the pace", "ctrl+s")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Coding.memo)).all() == ["sets the tone\nand the pace"]


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
        await pilot.press("ctrl+n")  # jump to the first pending suggestion
        await settle(app, pilot)
        assert app.screen.query_one("ReaderView").span() == sents[3]
        panel = str(app.screen.query_one("#reader-panel").render())
        assert "litter" in panel
        await pilot.press("A", "ctrl+n", "X")
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


# --- word-level selection ----------------------------------------------------------------------


def _span_of(ws, sid, phrase: str) -> tuple[int, int]:
    text = _text(ws, sid)
    a = text.index(phrase)
    return a, a + len(phrase)


def _highlighted(view) -> str:
    """The text drawn reversed (the selection) over every line of the document."""
    out = []
    for n in range(len(view.lines)):
        if view.lines.kinds[n] == document.TEXT:
            strip = view._text_line(n, 200)
            out += [seg.text for seg in strip if seg.style and seg.style.reverse]
    return "\n".join(out)


async def test_word_cursor_then_extend_by_words_codes_exactly_those_words(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        view = app.screen.query_one("ReaderView")
        await pilot.press("down", "right", "right")  # "Tonight we…": the word cursor on "we"
        we = _span_of(ws, sid, "we talk")[0]
        assert view.span() == (we, we + 2)
        await pilot.press("shift+right", "shift+right")
        start, end = _span_of(ws, sid, "we talk about")
        assert view.span() == (start, end)
        assert _highlighted(view) == "we talk about"
        panel = str(app.screen.query_one("#reader-panel").render())
        assert f"{start}–{end}" in panel and "3 words" in panel and "we talk about" in panel
        await pilot.press("2")
        await settle(app, pilot)
    assert _codings(ws) == [(_code_with_shortcut(ws, "2"), start, end, "we talk about")]


async def test_trimming_a_sentence_by_words_then_the_picker(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        view = app.screen.query_one("ReaderView")
        await pilot.press("down", "down", "down", "down")  # "We report fly-tipping on the app…"
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")  # start: "fly-tipping"
        await pilot.press(*["shift+left"] * 5)  # end: "cleared.", "was", "it", "check", "and" go
        assert _highlighted(view) == "fly-tipping on the app"
        help_text = "\n".join(f"{k} {d}" for k, d in app.screen.HELP_KEYS)
        for key in ("left/right", "shift+→/←", "ctrl+shift+←/→", "L / H", "< / >"):
            assert key in help_text
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"codesign", "enter")
        await settle(app, pilot)
        assert view.sel is None and view.word is None  # back to the sentence after coding
    start, end = _span_of(ws, sid, "fly-tipping on the app")
    with session_scope(ws.engine) as s:
        rows = s.exec(
            select(m.Code.name, m.Coding.start, m.Coding.end, m.Coding.quote).join(
                m.Coding, m.Coding.code_id == m.Code.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [("Co-design", start, end, "fly-tipping on the app")]


async def test_letter_keys_move_both_ends_across_sentences(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid, size=(80, 24)) as (app, pilot):
        view = app.screen.query_one("ReaderView")
        await pilot.press("down", "down", "down")  # "A few of us do a litter pick … Saturday."
        await pilot.press("L")  # the end goes past the full stop to the next sentence's "We"
        assert view.span() == (sentences(ws, sid)[3][0], _span_of(ws, sid, "Saturday. We")[1])
        await pilot.press(*">>>", "H", "<")  # start on "us", then back to "of"; end "Saturday"
        phrase = "of us do a litter pick on the estate every first Saturday"
        assert view.span() == _span_of(ws, sid, phrase)
        await pilot.press("escape")  # the selection goes; the word cursor stays on "of"
        of = _span_of(ws, sid, "of us")[0]
        assert view.span() == (of, of + 2)
        await pilot.press("escape")  # then the word cursor: the whole sentence again
        assert view.span() == sentences(ws, sid)[3]
        await pilot.press("right", "shift+down", "3")  # from "A" to the sentence's end
        await settle(app, pilot)
    assert [r[1:3] for r in _codings(ws)] == [sentences(ws, sid)[3]]


async def test_accents_and_emoji_are_coded_by_code_point_offsets(ws):
    text = "Zoë’s café 👩\u200d👩\u200d👧 club meets at 3.5 km. Great!"
    first = text.index(".", text.index("km")) + 1
    with session_scope(ws.engine) as s:
        src = m.Source(key="emoji", kind="transcript", title="Emoji", text=text)
        s.add(src)
        s.flush()
        for a, z in ((0, first), (first + 1, len(text))):
            s.add(m.Passage(source_id=src.id, start=a, end=z, kind="sentence"))
        from review.coding.codebook import ensure_codebook

        ensure_codebook(s, ws.codebook_path)
        sid = src.id
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("right", "right", "shift+right", "1")  # "café" + the family emoji
        await settle(app, pilot)
        # seven words on ("Zoë’s", "café", the emoji, …, "3.5"); shrinking one word is refused
        await pilot.press(*["right"] * 7, "shift+left", "4")
        await settle(app, pilot)
    family = "👩\u200d👩\u200d👧"
    a = text.index("café")
    b = text.index("3.5")
    assert [r[1:] for r in _codings(ws)] == [
        (a, a + len("café ") + len(family), f"café {family}"),
        (b, b + 3, "3.5"),
    ]


async def test_undo_in_the_reader_touches_only_the_open_source_and_redo_restores_a_memo(ws):
    from review.coding.codings import apply_code

    sid = add_transcript(ws)
    other = add_transcript(ws, key="fg-south")
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("1")
        await settle(app, pilot)
        await pilot.press("M", *"first thought", "ctrl+s")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:  # a later step, in another source
            apply_code(
                s, source_id=other, code_id=_code_with_shortcut(ws, "2"), start=0, end=9,
                coder=app.ws.coder,
            )  # fmt: skip
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            left = s.exec(select(m.Coding.source_id)).all()
        assert left == [other]  # the other source's newer coding stays
        assert "memo" in app.screen.query_one("StatusLine").note
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert len(app.screen.doc.codings) == 1
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Coding.source_id, m.Coding.memo).order_by(m.Coding.id)).all()
    assert sorted(rows, key=lambda r: r[0]) == [(sid, "first thought"), (other, None)]


async def test_undo_with_no_source_open_undoes_nothing(ws):
    from review.coding.codings import apply_code

    sid = add_transcript(ws)
    with session_scope(ws.engine) as s:
        apply_code(s, source_id=sid, code_id=_code_with_shortcut(ws, "1"), start=0, end=9,
                   coder=ws.coder)  # fmt: skip
    async with running(ws, start="reader") as (app, pilot):
        await pilot.press("ctrl+z")
        await settle(app, pilot)
    async with running(ws) as (app, pilot):  # the Library: nothing of its own to undo
        await pilot.press("ctrl+z")
        await settle(app, pilot)
    assert len(_codings(ws)) == 1


async def test_a_coding_by_another_process_shows_up_in_the_reader_and_the_status(ws):
    from review.coding.codings import apply_code

    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[2]
    async with running(ws, source=sid) as (app, pilot):
        await pilot.pause(0.6)
        await settle(app, pilot)
        assert "0 codings" in app.status_text
        with session_scope(ws.engine) as s:  # as `review code apply` would
            apply_code(s, source_id=sid, code_id=_code_with_shortcut(ws, "3"), start=a, end=z,
                       coder="colleague")  # fmt: skip
        app._poll()  # what the two-second timer does
        await settle(app, pilot)
        await settle(app, pilot)
        assert [(mk.start, mk.end) for mk in app.screen.doc.codings] == [(a, z)]
        assert "1 codings" in app.status_text


async def test_the_palette_lists_the_reader_actions_and_runs_one(ws):
    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Code…", "Find", "Memo", "Undo", "Redo", "Accept", "Go to Library"):
            assert title in commands, title
        assert "ctrl+z" in commands["Undo"].help or "^z" in commands["Undo"].help
        commands["Find"].callback()
        await settle(app, pilot)
        assert app.screen.query_one("#reader-find").has_focus


def test_a_coding_takes_one_panel_line():
    """QA at 80x24: a long code path and its memo wrapped over three of the panel's five
    lines, pushing the other codings out of view."""
    from review.tui.screens.reader import _coding_line

    path = "Barriers/Professional resistance/Clinicians doubting lay expertise in meetings"
    memo = "A long memo about how clinicians talk over residents\nsecond line"
    for width in (30, 45, 60, 78, 100):
        shown, note = _coding_line(path, "maya", memo, width)
        line = f"■ {shown} maya — {note}"
        assert len(line) <= width, (width, line)
        assert note  # a memo is never hidden without a sign
        assert shown.endswith("meetings") or shown.endswith("…")
    assert _coding_line(path, "maya", memo, 70)[0] == "Barriers/…/" + path.rsplit("/", 1)[-1]
    assert _coding_line(path, "maya", memo, 60)[0] == "…/" + path.rsplit("/", 1)[-1]
    assert _coding_line(path, "maya", memo, 500) == (path, memo.replace("\n", " ⏎ "))
    assert _coding_line("Four Cs/Co-design", "maya", None, 40) == ("Four Cs/Co-design", "")


async def test_keys_typed_ahead_act_in_the_order_typed(ws):
    """A reviewer who types "down 2" faster than the screen redraws (both keys waiting at
    once, as in tmux or with key repeat) codes the sentence the cursor moved to. Before, the
    code key was handled while the arrow's binding still waited its turn, so the code went
    on the sentence before: the span the reviewer saw highlighted was not the one coded."""
    from textual import events

    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await settle(app, pilot)
        for key, char in (("down", None), ("2", "2"), ("down", None), ("down", None), ("3", "3")):
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await settle(app, pilot)
        assert app.screen.query_one(ReaderView).cursor == 3
    sents = sentences(ws, sid)
    text = _text(ws, sid)
    two, three = _code_with_shortcut(ws, "2"), _code_with_shortcut(ws, "3")
    assert sorted(_codings(ws)) == sorted(
        [(two, *sents[1], text[slice(*sents[1])]), (three, *sents[3], text[slice(*sents[3])])]
    )


async def test_a_code_a_colleague_just_added_codes_at_the_first_press(ws):
    """A colleague (or the CLI) adds "Drivers/Street lighting" with the key "l" while the
    Reader is open: the first press of "l" codes with it. Before, that press was lost (it only
    made the side panel list the new key) and the reviewer had to press it again."""
    from review.coding.codebook import add_code

    sid = add_transcript(ws)
    async with running(ws, source=sid) as (app, pilot):
        await settle(app, pilot)
        assert "l" not in app.screen.shortcuts
        with session_scope(ws.engine) as s:  # another process's write, before the next poll
            new = add_code(s, "Drivers/Street lighting", shortcut="l").id
        await pilot.press("l")
        await settle(app, pilot)
    sents = sentences(ws, sid)
    assert _codings(ws) == [(new, *sents[0], _text(ws, sid)[slice(*sents[0])])]


def _no_live_refresh(app) -> None:
    """The two-second poll off: what a test then sees in the Reader came from the Reader."""
    app._changed_elsewhere = lambda: None


async def test_reopening_the_source_shows_codings_changed_elsewhere_since(ws):
    """Back on the Reader (f4, or the source opened again from the Library), the open
    source's codings are read again: a colleague's coding shows, one undone is gone."""
    from review.coding.codings import apply_code, remove_coding

    sid = add_transcript(ws)
    a, z = sentences(ws, sid)[2]
    async with running(ws, source=sid) as (app, pilot):
        _no_live_refresh(app)
        await pilot.press("1")  # ours, on the first sentence
        await settle(app, pilot)
        ours = app.screen.doc.codings[0].id
        await pilot.press("f2")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:  # meanwhile: a colleague, and `review code remove`
            apply_code(s, source_id=sid, code_id=_code_with_shortcut(ws, "3"), start=a, end=z,
                       coder="colleague")  # fmt: skip
            remove_coding(s, ours, ws.coder)
        await pilot.press("f4")
        await settle(app, pilot)
        reader = app.screen
        assert [(mk.start, mk.end, mk.coder) for mk in reader.doc.codings] == [(a, z, "colleague")]
        with session_scope(ws.engine) as s:  # on the Reader itself: f4 reads them again
            apply_code(s, source_id=sid, code_id=_code_with_shortcut(ws, "2"), start=a, end=z,
                       coder="colleague")  # fmt: skip
        assert len(reader.doc.codings) == 1
        await pilot.press("f4")
        await settle(app, pilot)
        assert len(reader.doc.codings) == 2
        await pilot.press("f2")  # the same source opened again from the Library
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            s.exec(m.Coding.__table__.delete())  # (everything gone, as after an import undo)
        app.open_source(sid)
        await settle(app, pilot)
        assert app.screen is reader and reader.doc.codings == []


async def test_undo_in_the_reader_after_the_code_was_merged_or_deleted(ws):
    """A coding applied in the Reader, its code merged into another on the Codebook screen:
    ctrl+z removes it, saying where it went. A coding removed, its code then deleted: ctrl+z
    is refused naming the code, and no coding of a code that is no more appears."""
    from review.coding.codebook import add_code, delete_code, merge_codes

    sid = add_transcript(ws)
    with session_scope(ws.engine) as s:
        add_code(s, "Spare", shortcut="9")
    async with running(ws, source=sid) as (app, pilot):
        await pilot.press("9")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:  # the Codebook screen's g
            merge_codes(s, "Spare", _code_with_shortcut(ws, "1"))
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        note = app.screen.query_one("StatusLine").note
        assert note.startswith("undo: removed Four Cs/") and "coded Spare then, merged" in note
        assert _codings(ws) == [] and app.screen.doc.codings == []
        with session_scope(ws.engine) as s:
            add_code(s, "Spare", shortcut="9")
        await pilot.press("f2")  # away and back: the codebook is read again
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press("down", "9")
        await settle(app, pilot)
        await pilot.press("delete")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:  # the Codebook screen's delete
            delete_code(s, "Spare")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        note = app.screen.query_one("StatusLine").note
        assert note.startswith("nothing restored: code Spare was deleted from the codebook")
        assert _codings(ws) == [] and app.screen.doc.codings == []


async def test_a_shortcut_whose_code_was_merged_elsewhere_says_so_and_reads_the_codebook(ws):
    """Walk: in the moments before the live refresh, the shortcut of a code merged on another
    screen said "no code with id 29"; now it names the code, codes nothing, and the Reader's
    shortcuts are read again (the key then does what the codebook says)."""
    from review.coding.codebook import add_code, merge_codes

    sid = add_transcript(ws)
    with session_scope(ws.engine) as s:
        add_code(s, "Spare", shortcut="9")
    async with running(ws, source=sid) as (app, pilot):
        _no_live_refresh(app)
        await settle(app, pilot)
        assert "9" in app.screen.shortcuts
        with session_scope(ws.engine) as s:  # the Codebook screen's g, or `review codebook`
            merge_codes(s, "Spare", _code_with_shortcut(ws, "1"))
        await pilot.press("9")
        await settle(app, pilot)
        said = [n.message for n in app._notifications][-1]
        assert said.startswith("Spare is no longer in the codebook (merged or deleted since")
        assert "no code with id" not in said
        assert _codings(ws) == [] and "9" not in app.screen.shortcuts


async def test_code_keys_on_a_record_without_full_text_warn_once_and_say_why(ws):
    """Walk: typing on an abstract-only record stacked "Nothing to code here (this source
    has no text)" four toasts deep, though its abstract was on screen."""
    with session_scope(ws.engine) as s:
        src = m.Source(key="abstract-only", title="Co-production in parks", year=2020,
                       abstract="Residents plant and tend the verges.")  # fmt: skip
        s.add(src)
        s.flush()
        sid = src.id
    async with running(ws, source=sid) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("1", "2", "3", "1")
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
    assert said == [
        "Nothing to code: this record has no full text, only its citation and abstract "
        "(import its PDF to code it)."
    ]
    assert _codings(ws) == []
