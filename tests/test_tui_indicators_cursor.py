"""Indicators: `r` and `d` act on the link the reviewer highlighted, and after `r` the
highlight stays on that link, so pressing `r` again cycles the same one."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable

from review.evidence.links import link
from review.store import models as m
from review.store.db import session_scope
from review.tui.app import ReviewApp
from tests.test_brief_fixture import build as build_fixture
from tests.tui_helpers import settle


def _relations(ws, indicator: int) -> dict[int | None, str]:
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.EvidenceLink).where(m.EvidenceLink.indicator_id == indicator))
        return {ln.code_id: ln.relation for ln in rows.all()}


async def test_r_twice_cycles_the_highlighted_link_not_the_first(ws):
    with session_scope(ws.engine) as s:
        ids = build_fixture(s)
        le = ids["ind_Local environment"]  # already linked to Four Cs/Co-delivery
        link(s, le, code=ids["Mode/Collective co-production"], coder="tester")
    first, second = ids["Four Cs/Co-delivery"], ids["Mode/Collective co-production"]
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        links = app.screen.query_one("#ind-links", DataTable)
        assert links.row_count == 2 and "Collective" in str(links.get_row_at(1)[2])
        links.focus()
        await pilot.press("down", "r")
        await settle(app, pilot)
        links = app.screen.query_one("#ind-links", DataTable)
        assert links.cursor_row == 1 and links.has_focus  # still on the link just changed
        await pilot.press("r")
        await settle(app, pilot)
    assert _relations(ws, le) == {first: "supports", second: "explains"}
