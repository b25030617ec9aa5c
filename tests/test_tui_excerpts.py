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
