"""Indicators → `e`: the excerpt picker lists one excerpt a line — code, coder and the quote
cut at a word — and enter links the highlighted one. Before, each excerpt wrapped over two or
three lines as "source, speaker: “quote”", without its code or coder."""

from __future__ import annotations

from sqlmodel import select

from review.coding.codings import apply_code
from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import add_transcript, running, screen_text, sentences, settle


def _setup(ws) -> tuple[str, list[int]]:
    """Three excerpts under Four Cs: a whole long turn, and two sentences by two coders."""
    sid = add_transcript(ws)
    sents = sentences(ws, sid)
    with session_scope(ws.engine) as s:
        code = {c.shortcut: c.id for c in s.exec(select(m.Code)).all() if c.shortcut}
        turn = s.exec(
            select(m.Passage).where(m.Passage.kind == "turn", m.Passage.speaker == "Anna")
        ).one()
        spans = [("3", turn.start, turn.end, "tester"), ("3", *sents[1], "bob"),
                 ("1", *sents[4], "tester")]  # fmt: skip
        ids = [
            apply_code(s, source_id=sid, code_id=code[k], start=a, end=z, coder=who).id
            for k, a, z, who in spans
        ]
        s.add(m.Indicator(name="Citizen co-production index", sector="Local environment",
                          value=61, n=4951))  # fmt: skip
        text = s.get(m.Source, sid).text
    return text[turn.start : turn.end], ids


async def _open_picker(app, pilot):
    await pilot.press("e", *"Four Cs", "enter")  # the group: its children's excerpts
    await settle(app, pilot)
    assert type(app.screen).__name__ == "ExcerptPicker"
    return app.screen.query_one("#excerpt-options")


async def test_each_excerpt_is_one_line_with_code_coder_and_a_quote_cut_at_a_word(ws):
    turn, _ids = _setup(ws)
    async with running(ws, size=(80, 24), start="indicators") as (app, pilot):
        options = await _open_picker(app, pilot)
        lines = [ln.strip() for ln in screen_text(options).splitlines()]
        rows = [ln.strip("▊▎ ") for ln in lines if "“" in ln]
        assert len(rows) == 3 and options.option_count == 3, lines
        by_code = sorted(rows)
        assert by_code[0].startswith("Co-commissioning") and " tester " in by_code[0]
        assert by_code[1].startswith("Co-delivery") and " bob " in by_code[1]
        long = by_code[2]
        assert long.startswith("Co-delivery") and " tester " in long
        quote = long.split("“", 1)[1]
        assert quote.endswith("…”"), long  # the turn does not fit at 80 columns
        head = quote[: -len("…”")]
        assert turn.startswith(head) and turn[len(head)] in " .,", (head, turn)  # a word's end
        assert len(head) > 25  # and the room is used, not a stub
        detail = str(app.screen.query_one("#excerpt-detail").render())
        assert detail.startswith("Focus group fg-north, Anna · "), detail  # and whole:
        assert detail.endswith("“We report fly-tipping on the app and check it was cleared.”")


async def test_enter_links_the_highlighted_excerpt(ws):
    _turn, ids = _setup(ws)
    async with running(ws, size=(120, 40), start="indicators") as (app, pilot):
        options = await _open_picker(app, pilot)
        chosen = int(options.get_option_at_index(1).id)
        detail = str(app.screen.query_one("#excerpt-detail").render())
        await pilot.press("down")
        await settle(app, pilot)
        assert str(app.screen.query_one("#excerpt-detail").render()) != detail  # follows
        await pilot.press("enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        links = s.exec(select(m.EvidenceLink)).all()
    assert [ln.coding_id for ln in links] == [chosen] and chosen in ids


async def test_two_coders_of_one_span_are_one_line_naming_both(ws):
    """An excerpt is a coded span: bob coding tester's span again adds a coder to its line,
    not a second line to choose between; enter links the first coding of it."""
    _turn, ids = _setup(ws)
    with session_scope(ws.engine) as s:
        first = s.get(m.Coding, ids[2])
        again = apply_code(s, source_id=first.source_id, code_id=first.code_id,
                           start=first.start, end=first.end, coder="bob").id  # fmt: skip
    async with running(ws, size=(80, 24), start="indicators") as (app, pilot):
        options = await _open_picker(app, pilot)
        rows = [ln.strip("▊▎ ") for ln in screen_text(options).splitlines() if "“" in ln]
        assert len(rows) == 3 and options.option_count == 3, rows
        both = [r for r in rows if r.startswith("Co-commissioning")]
        assert len(both) == 1 and "tester, bob" in both[0], rows
        while int(options.get_option_at_index(options.highlighted).id) != ids[2]:
            await pilot.press("down")
            await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    with session_scope(ws.engine) as s:
        links = s.exec(select(m.EvidenceLink)).all()
    assert [ln.coding_id for ln in links] == [ids[2]] and again not in ids
