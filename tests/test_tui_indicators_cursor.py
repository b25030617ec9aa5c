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


async def test_the_highlighted_indicator_and_link_are_shown_whole_at_80_columns(ws):
    """Walk: at 80x24 every indicator read "Citizen co-pr… Local en… Czech…"; the line under
    the table holds the highlighted one whole (as `review indicators list` prints it), and
    with the links focused, the highlighted link's relation, code path and quote."""
    from textual.widgets import Static

    from review.evidence.links import indicator_line, list_indicators

    with session_scope(ws.engine) as s:
        build_fixture(s)
        rows = list_indicators(s)
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        detail = app.screen.query_one("#ind-detail", Static)
        assert str(detail.render()).replace("\n", " ").strip() == indicator_line(rows[0])
        await pilot.press("down")
        await settle(app, pilot)
        shown = " ".join(str(detail.render()).split())
        assert shown == " ".join(indicator_line(rows[1]).split())
        assert rows[1]["name"] in shown and "…" not in shown
        links = app.screen.query_one("#ind-links", DataTable)
        assert links.row_count >= 1
        links.focus()
        await settle(app, pilot)
        ln = app.screen.links[0]
        shown = " ".join(str(detail.render()).split())
        assert shown.startswith(f"link {ln['id']}: {ln['relation']} · {ln['code']}")
        app.screen.query_one("#ind-list", DataTable).focus()
        await settle(app, pilot)
        assert " ".join(str(detail.render()).split()) == " ".join(indicator_line(rows[1]).split())
