"""Excerpts (f6): the table cuts each quote to one line; the strip below shows the
highlighted excerpt whole — where it is, who coded it, its memo — and follows the cursor.
Before, a long quote could only be read by opening it in the Reader."""

from __future__ import annotations

from sqlmodel import select

from review.coding.codings import apply_code
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, screen_text, sentences, settle


def _setup(ws) -> tuple[list[int], str]:
    """Co-delivery on Anna's whole long turn (tester) and on one sentence (tester and bob)."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        code = {c.shortcut: c.id for c in s.exec(select(m.Code)).all() if c.shortcut}
        turn = s.exec(
            select(m.Passage).where(m.Passage.kind == "turn", m.Passage.speaker == "Anna")
        ).one()
        ids = [
            apply_code(s, source_id=sid, code_id=code["3"], start=a, end=z, coder=who).id
            for a, z, who in [
                (turn.start, turn.end, "tester"),
                (*sents[1], "tester"),
                (*sents[1], "bob"),
            ]  # fmt: skip
        ]
        s.get(m.Coding, ids[0]).memo = "the whole turn, for context"
        text = s.get(m.Source, sid).text
    return ids, " ".join(text[turn.start : turn.end].split())


async def test_the_strip_shows_the_highlighted_excerpt_whole_and_follows_the_cursor(ws):
    ids, turn = _setup(ws)
    async with running(ws, size=(80, 24), start="excerpts") as (app, pilot):
        await pilot.press("c", *"Co-delivery", "enter")
        await settle(app, pilot)
        table = app.screen.query_one("#excerpts-table")
        strip = app.screen.query_one("#excerpts-detail")
        shown = {app.screen.rows[i].coding_id: i for i in range(len(app.screen.rows))}
        assert set(shown) == set(ids)
        while app.screen.rows[table.cursor_row].coding_id != ids[0]:
            await pilot.press("down")
            await settle(app, pilot)
        whole = " ".join(screen_text(strip).split())
        cut = screen_text(table)
        assert "Anna" in whole and "tester" in whole and "Four Cs/Co-delivery" in whole
        assert f"“{turn}”" in whole, whole  # the whole turn, which the table cuts
        assert turn not in " ".join(cut.split())
        assert "memo: the whole turn, for context" in whole
        await pilot.press("up" if table.cursor_row else "down")
        await settle(app, pilot)
        other = " ".join(screen_text(strip).split())
        assert other != whole and "memo:" not in other  # it follows the cursor
        # two coders' codings of one sentence: two rows, one excerpt
        assert str(app.screen.query_one("StatusLine").note) == "3 codings of 2 excerpt(s) shown"


def _footer(app) -> list[str]:
    """The keys the footer offers now, as "KEY Description"."""
    from textual.widgets._footer import FooterKey

    return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)]


async def test_s_narrows_to_one_speaker_shown_in_the_title_and_S_lifts_it(ws):
    """The tester could not list one speaker's excerpts: `s` picks one of the speakers of
    what is listed (the same service as `review excerpts --speaker`), the title line says so,
    and `S` (in the footer only while a speaker is set) lifts it."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)  # Moderator 0–2, Anna 3–4, Ben 5
    with session_scope(ws.engine) as s:
        code = {c.shortcut: c.id for c in s.exec(select(m.Code)).all() if c.shortcut}
        for a, z in (sents[0], sents[3], sents[4], sents[5]):
            apply_code(s, source_id=sid, code_id=code["3"], start=a, end=z, coder="tester")
        apply_code(s, source_id=sid, code_id=code["1"], start=sents[5][0], end=sents[5][1],
                   coder="tester")  # fmt: skip
    async with running(ws, size=(100, 30), start="excerpts") as (app, pilot):
        await pilot.press("s")  # before any code: the speakers of every excerpt
        await settle(app, pilot)
        picker = app.screen.query_one("#speaker-options")
        lines = [" ".join(ln.strip("▊▎ ").split()) for ln in screen_text(picker).splitlines()]
        assert [ln for ln in lines if ln] == [
            "every speaker", "Anna 2 excerpts", "Ben 2 excerpts", "Moderator 1 excerpt",
        ]  # fmt: skip
        await pilot.press("down", "down", "enter")  # Ben, every code
        await settle(app, pilot)
        title = screen_text(app.screen.query_one("#excerpts-title"))
        assert "every code: excerpts 1–2 · speaker Ben (S: every speaker)" in title
        assert {x.speaker for x in app.screen.rows} == {"Ben"} and len(app.screen.rows) == 2
        assert "S Every speaker" in _footer(app) and "s Speaker…" in _footer(app)
        await pilot.press("c", *"Co-delivery", "enter")  # a code: the speaker stays
        await settle(app, pilot)
        title = screen_text(app.screen.query_one("#excerpts-title"))
        assert "Four Cs/Co-delivery: excerpts 1–1 · speaker Ben" in title
        assert [x.start for x in app.screen.rows] == [sents[5][0]]
        await pilot.press("S")
        await settle(app, pilot)
        title = screen_text(app.screen.query_one("#excerpts-title"))
        assert "Four Cs/Co-delivery: excerpts 1–4" in title and "speaker" not in title
        assert len(app.screen.rows) == 4 and "S Every speaker" not in _footer(app)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.query_one("#speaker-options").highlighted == 0  # "every speaker"
        await pilot.press("down", "enter")  # Anna, within the code
        await settle(app, pilot)
        assert [x.speaker for x in app.screen.rows] == ["Anna", "Anna"]
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.query_one("#speaker-options").highlighted == 1  # Anna, the current
        await pilot.press("up", "enter")  # "every speaker" in the picker lifts it too
        await settle(app, pilot)
        assert len(app.screen.rows) == 4 and app.screen.speaker is None
