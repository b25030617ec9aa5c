"""Indicators and Brief screens driven with the pilot, checked against the database and disk."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

import pytest
from sqlmodel import select
from textual.widgets import DataTable, OptionList

from review.outputs.brief.render import cell_text
from review.store import models as m
from review.store.db import session_scope
from review.tui.app import ReviewApp
from tests.test_brief_fixture import build as build_fixture
from tests.tui_helpers import settle


@asynccontextmanager
async def _brief_of_the_fixture(ws, size: tuple[int, int]):
    """The Brief screen of the fixture workspace at `size`, settled."""
    with session_scope(ws.engine) as s:
        build_fixture(s)
    app = ReviewApp(ws, start="brief", sample_import=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot


def _links(ws):
    with session_scope(ws.engine) as s:
        return sorted(
            ((ln.indicator_id, ln.code_id, ln.coding_id, ln.relation)
             for ln in s.exec(select(m.EvidenceLink)).all()),
            key=lambda t: tuple(-1 if v is None else v for v in t[:3]),
        )  # fmt: skip


async def test_indicators_screen_links_cycles_and_unlinks(ws):
    with session_scope(ws.engine) as s:
        ids = build_fixture(s)
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        assert app.current_mode == "indicators"
        listing = app.screen.query_one("#ind-list", DataTable)
        assert listing.row_count == 3
        assert str(listing.get_row_at(0)[2]) == "Local environment"
        evidence = app.screen.query_one("#ind-links", DataTable)
        assert evidence.row_count == 1 and str(evidence.get_row_at(0)[2]) == "Four Cs/Co-delivery"
        # link a code through the picker
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press(*"Collective", "enter")
        await settle(app, pilot)
        want = (
            ids["ind_Local environment"],
            ids["Mode/Collective co-production"],
            None,
            "supports",
        )
        assert want in _links(ws)
        assert app.screen.query_one("#ind-links", DataTable).row_count == 2
        # with the indicators in focus the links show no cursor: r and d change nothing
        # there (r changed the first link, saying only "linked to indicator 1")
        before = _links(ws)
        app.screen.query_one("#ind-list", DataTable).focus()
        await pilot.press("r", "d")
        await settle(app, pilot)
        assert _links(ws) == before
        said = [n.message for n in app._notifications]
        assert any("tab to the links below, then r" in m for m in said), said
        # cycle the relation of the first link, then remove it
        app.screen.query_one("#ind-links", DataTable).focus()
        await pilot.press("r")
        await settle(app, pilot)
        le = ids["ind_Local environment"]
        assert (le, ids["Four Cs/Co-delivery"], None, "contradicts") in _links(ws)
        said = [n.message for n in app._notifications]
        assert any(": supports → contradicts" in m for m in said), said
        app.screen.query_one("#ind-links", DataTable).focus()
        await pilot.press("d")  # asks first: n keeps the link
        await settle(app, pilot)
        assert "Remove the link" in str(app.screen.query_one("Label").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert len([x for x in _links(ws) if x[0] == le]) == 2
        app.screen.query_one("#ind-links", DataTable).focus()
        await pilot.press("d", "y")
        await settle(app, pilot)
        left = [x for x in _links(ws) if x[0] == le]
        assert len(left) == 1


async def test_indicators_screen_keeps_the_figures_in_view_at_80_columns(ws):
    """At 80x24 the fixed widths ran to 137 cells: the value, n, source and links were off
    screen. The text columns now share what the figures leave, at every size."""
    from tests.tui_helpers import screen_text, until

    with session_scope(ws.engine) as s:
        build_fixture(s)
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for size in ((80, 24), (120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(app, pilot)
            for id_ in ("#ind-list", "#ind-links"):
                table = app.screen.query_one(id_, DataTable)
                await until(pilot, lambda t=table: t.virtual_size.width <= t.size.width)
                assert table.virtual_size.width <= table.size.width, (size, id_)
            listing = app.screen.query_one("#ind-list", DataTable)
            header = screen_text(listing).splitlines()[0]
            assert all(h in header for h in ("Value", "n", "Links")), header
            assert "61" in screen_text(listing)  # Local environment's value, in view


async def test_indicators_screen_links_an_excerpt(ws):
    with session_scope(ws.engine) as s:
        ids = build_fixture(s)
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down")  # Community safety
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press(*"Collective", "enter")
        await settle(app, pilot)
        await pilot.press("enter")  # the only excerpt of that code
        await settle(app, pilot)
    cs = ids["ind_Community safety"]
    with session_scope(ws.engine) as s:
        (collective,) = s.exec(
            select(m.Coding.id).where(m.Coding.code_id == ids["Mode/Collective co-production"])
        ).all()
    assert [x for x in _links(ws) if x[0] == cs] == [(cs, None, collective, "supports")]


async def test_brief_screen_previews_and_writes_everything(ws):
    async with _brief_of_the_fixture(ws, (140, 40)) as (app, pilot):
        assert app.current_mode == "brief"
        tables = app.screen.query_one("#brief-tables", OptionList)
        # five tables, four figures, the front matter
        assert tables.option_count == 10
        grid = app.screen.query_one("#brief-preview", DataTable)
        assert grid.row_count == 3 and str(grid.get_row_at(0)[0]) == "Four Cs/Co-delivery"
        await pilot.press("down")  # joint display
        await settle(app, pilot)
        assert str(app.screen.query_one("#brief-preview", DataTable).get_row_at(1)[4]) == "61"
        await pilot.press(*["down"] * 5)  # figure 2: excerpts per code, as bars
        await settle(app, pilot)
        chart = app.screen.chart_text
        # Co-delivery: 2 literature excerpts (loeffler, bovaird), 2 in the focus group
        assert re.search(r"^Co-delivery +L █{40} 2$\n^ +T █{40} +2$", chart, re.M), chart
        assert not app.screen.query_one("#brief-preview", DataTable).display
        await pilot.press("down", "down")  # figure 4: the PRISMA flow as text
        await settle(app, pilot)
        chart = app.screen.chart_text
        assert "Records screened (n = 3)" in chart and "Studies included in review (n = 2)" in chart
        # one arrow per box on the right; the box's other lines sit under its first
        assert chart.count("└─▶") == 4, chart
        assert re.search(r"└─▶ Records removed before screening:\n┃ +Duplicate", chart), chart
        await pilot.press("w")
        await settle(app, pilot)
        for _ in range(20):
            if app.screen.written:
                break
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
        written = {p.rsplit("/", 1)[-1] for p in app.screen.written}
    for name in ("brief.md", "brief.html", "brief.docx", "brief-evidence-matrix.csv",
                 "excerpts.csv", "included.bib", "included.ris"):  # fmt: skip
        assert name in written and (ws.exports / name).stat().st_size > 0
    assert any(n.endswith(".qdpx") for n in written)
    assert "brief-figure-prisma-flow.svg" in written and "brief-figure-prisma-flow.png" in written


async def test_brief_screen_shows_every_code_with_a_key_its_hint_names(ws):
    """The matrix's hint named the command line's `--all-rows`, which the screen had no key
    for; `a` now shows (and writes) the codes with no excerpt, and the hint says so."""
    from review.coding.codebook import add_code
    from tests.tui_helpers import until

    with session_scope(ws.engine) as s:
        build_fixture(s)
        add_code(s, "Four Cs/Co-financing")  # a code nothing is coded with
    app = ReviewApp(ws, start="brief", sample_import=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        grid = screen.query_one("#brief-preview", DataTable)
        caption = screen.query_one("#brief-caption")
        assert grid.row_count == 3
        assert "hint: a shows the codes with no excerpt" in str(caption.render())
        assert "--all-rows" not in str(caption.render())
        await pilot.press("a")
        await settle(app, pilot)
        await until(pilot, lambda: grid.row_count > 3)
        shown = grid.row_count
        assert shown > 3 and "hint: a shows" not in str(caption.render())
        await pilot.press("w")
        await settle(app, pilot)
        await until(pilot, lambda: bool(screen.written), timeout=30)
        await pilot.press("a")  # and back
        await settle(app, pilot)
        await until(pilot, lambda: grid.row_count == 3)
        assert grid.row_count == 3
    written = (ws.exports / "brief-evidence-matrix.csv").read_text("utf-8-sig").splitlines()
    assert len(written) == 1 + shown  # the header and every row shown


async def test_brief_preview_fits_80_columns(ws):
    """QA at 80x24: the caption was cut after one line and a long code path pushed every
    count column of Table 1 off the screen."""
    from textual.widgets import Label

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        screen = app.screen
        grid = screen.query_one("#brief-preview", DataTable)
        assert grid.row_count == 3
        caption = screen.query_one("#brief-caption", Label)
        assert caption.region.height >= 2  # wrapped, not cut after its first line
        first = list(grid.columns.values())[0]
        assert first.width == 22  # a long code path cannot push the counts off the screen
        assert first.get_render_width(grid) <= grid.size.width - 10


async def test_brief_preview_columns_wrap_their_headers_and_scroll_with_the_arrows(ws):
    """A new user's walk at 80x24: Table 1 showed one column, "Community safety: tra…" (the
    header set its width), with no sign of the others. Headers now wrap so a column is as
    wide as its counts or the header's longest word; the first column stays, ←/→ bring the
    others into view, and a line says which are shown."""
    from tests.tui_helpers import screen_text, until

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        screen = app.screen
        grid = screen.query_one("#brief-preview", DataTable)
        hint = screen.query_one("#brief-columns")
        await until(pilot, lambda: "environment:" in screen_text(grid))  # drawn, not only filled
        columns = list(grid.ordered_columns)
        assert str(columns[1].label) == "Local environment: literature"
        assert columns[1].width == len("environment:")  # not the header's 29 cells
        assert grid.header_height == 3
        shown = screen_text(grid)
        assert "environment:" in shown and "literature" in shown  # the header, wrapped
        assert shown.count("environment:") == 2  # two count columns in view, not one
        assert hint.display and "columns 1–2 of 5" in screen_text(hint)
        assert "←/→" in screen_text(hint)
        await pilot.press("right")  # the list of tables keeps the focus
        await settle(app, pilot)
        await until(pilot, lambda: "columns 2–3 of 5" in screen_text(hint))
        assert "columns 2–3 of 5" in screen_text(hint)
        shown = screen_text(grid)
        assert "Four Cs/Co-delivery" in shown  # the first column stays
        assert "health:" in shown
        await pilot.press("right", "right", "right", "right")  # past the last: stays there
        await settle(app, pilot)
        await until(pilot, lambda: "Unassigned:" in screen_text(grid))
        assert "of 5" in screen_text(hint) and "Unassigned:" in screen_text(grid)
        await pilot.press(*["left"] * 6)
        await settle(app, pilot)
        await until(pilot, lambda: "columns 1–2 of 5" in screen_text(hint))
        assert grid.scroll_x == 0 and "columns 1–2 of 5" in screen_text(hint)
        assert screen.query_one("#brief-tables", OptionList).highlighted == 0
    async with ReviewApp(ws, start="brief", sample_import=False).run_test(size=(160, 40)) as p:
        await settle(p.app, p)
        assert not p.app.screen.query_one("#brief-columns").display  # all in view: no hint


async def test_brief_preview_keeps_its_columns_when_the_terminal_is_resized(ws):
    """Moved along with →, the preview stays there when the terminal grows past 100 columns
    or shrinks below (it went back to the first column); the front matter is wrapped again."""
    from tests.tui_helpers import screen_text, until

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        screen = app.screen
        hint = screen.query_one("#brief-columns")
        await until(pilot, lambda: "columns 1–2 of 5" in screen_text(hint))
        await pilot.press("right", "right")
        await until(pilot, lambda: "columns 3–4 of 5" in screen_text(hint))
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        await until(pilot, lambda: "columns 3–" in screen_text(hint))
        assert screen._shown[1] == 3, screen_text(hint)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: "columns 3–4 of 5" in screen_text(hint))
        assert screen._shown[1:] == [3, 4]
        tables = screen.query_one("#brief-tables", OptionList)
        tables.highlighted = tables.option_count - 1  # the front matter and summary
        await settle(app, pilot)
        narrow = max(len(ln) for ln in screen.chart_text.splitlines())
        await pilot.resize_terminal(140, 40)
        await settle(app, pilot)
        await until(pilot, lambda: max(map(len, screen.chart_text.splitlines())) > narrow)
        assert max(len(ln) for ln in screen.chart_text.splitlines()) > narrow  # re-wrapped


async def test_brief_screen_on_an_empty_workspace_says_what_is_missing(ws):
    """Tried as a new user: the summary was one line cut at the screen's edge, and a table
    with no rows was an empty grid."""
    app = ReviewApp(ws, start="brief", sample_import=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        tables = screen.query_one("#brief-tables", OptionList)
        assert tables.get_option_at_index(0).id == "0"  # the evidence matrix, no rows
        await settle(app, pilot)
        assert "No excerpt is coded yet" in screen.chart_text
        assert not screen.query_one("#brief-preview", DataTable).display
        tables.highlighted = tables.option_count - 1  # the front matter and summary
        await settle(app, pilot)
        lines = screen.chart_text.splitlines()
        assert "At a glance" in lines
        summary = [ln for ln in lines[lines.index("At a glance") + 1 :] if ln]
        assert len(summary) >= 2 and all(len(ln) <= 100 - 40 for ln in summary)  # wrapped


async def test_brief_rebuild_stays_on_the_entry_being_read(ws):
    """Tried as a new user: `r` (rebuild) sent the selection back to Table 1."""
    async with _brief_of_the_fixture(ws, (140, 40)) as (app, pilot):
        tables = app.screen.query_one("#brief-tables", OptionList)
        await pilot.press("down", "down", "down")
        await settle(app, pilot)
        at = tables.highlighted
        assert at == 3
        await pilot.press("r")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert tables.highlighted == at
        assert str(tables.get_option_at_index(at).id) == "3"


def _cells_drawn(grid) -> list[list[str]]:
    """The preview's body lines as drawn, each cut into its cells (two spaces or more apart)."""
    from tests.tui_helpers import screen_text

    lines = screen_text(grid).splitlines()[grid.header_height :]
    return [[c for c in re.split(r"\s{2,}", ln.strip()) if c] for ln in lines if ln.strip()]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_brief_preview_draws_only_whole_columns_and_marks_every_cut(ws, size):
    """A new user's walk on the sample corpus: at 80x24 Table 1 said `columns 1–2 of 3` but
    half drew the third ("Public health"), its `1 / 1` read `1`; at 120x40 Table 3 said
    `columns 1–3 of 7` and showed a fourth cut to `Community safety; So`, no `…`; at its last
    position the Source column doubled (the scroll stopped short and the tail of `Codes`
    showed beside it). Now every position draws whole columns only, the line counts what is
    drawn, a cut cell ends in `…` (a code path's is before its leaf: `…/Lack of
    information`), and a column keeps its width while ←/→ scroll."""
    import shutil
    from pathlib import Path

    from review.importers import import_paths
    from tests.tui_helpers import screen_text

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "codebook", ws.root / "codebook", dirs_exist_ok=True)
    shutil.copy(root / "review.toml", ws.root / "review.toml")
    import_paths(ws.engine, [root / "corpus"], options={"coder": "newcomer"})
    # (one size a test: each walks every table's every column position, ~30 s apiece)
    app = ReviewApp(ws, start="brief", sample_import=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        grid = screen.query_one("#brief-preview", DataTable)
        hint = screen.query_one("#brief-columns")
        tables = screen.query_one("#brief-tables", OptionList)
        checked = 0
        for index, table in enumerate(screen.note.tables):
            if not table.rows:
                continue
            tables.highlighted = index
            await settle(app, pilot)
            widths: dict[str, int] = {}
            seen: list[tuple[int, int]] = []
            while True:
                if hint.display:
                    got = re.search(r"columns? (\d+)(?:–(\d+))? of (\d+)", screen_text(hint))
                    assert got, screen_text(hint)
                    a, b = int(got[1]), int(got[2] or got[1])
                    assert int(got[3]) == len(table.columns) - 1
                else:
                    a, b = 1, len(table.columns) - 1
                where = f"{size} {table.title} columns {a}-{b}"
                shown = [0, *range(a, b + 1)]
                # as a reader sees them: counts with thousands separators ("4,951")
                rows = [[cell_text(v).replace("\n", " ¶ ") for v in r] for r in table.rows]
                top = grid.scroll_offset.y
                for y, cells in enumerate(_cells_drawn(grid)):
                    row = [rows[top + y][n] for n in shown]
                    assert len(cells) <= len(shown), (where, cells, row)
                    for cell in cells:  # whole, or cut with a mark
                        whole = any(cell == v.strip() for v in row)
                        cut = cell.endswith("…") and any(
                            v.startswith(cell[:-1].rstrip()) for v in row
                        )
                        # a code path cut before its leaf: "Driv…/Personal benefit"
                        head, _, name = cell.partition("…/")
                        path_cut = bool(name) and any(
                            v.startswith(head) and "/" + name.rstrip("…") in v for v in row
                        )
                        assert whole or cut or path_cut, (where, cell, row)
                # the columns drawn are the ones the line names, each as wide as before
                assert [str(c.label) for c in grid.ordered_columns] == [
                    str(table.columns[n]) for n in shown
                ], where
                for c in grid.ordered_columns:
                    assert widths.setdefault(str(c.label), c.width) == c.width, where
                checked += 1
                seen.append((a, b))
                await pilot.press("right")
                await settle(app, pilot)
                if (
                    not hint.display
                    or screen_text(hint).find(f"{a}–{b} of") >= 0
                    or (f"column {a} of" in screen_text(hint))
                ):
                    break  # the last position: → stays
            assert seen[0][0] == 1, where
            assert seen[-1][1] == len(table.columns) - 1, where  # → reaches the last
            for _ in seen:
                await pilot.press("left")
            await settle(app, pilot)
            assert not hint.display or re.search(r"columns? 1\b", screen_text(hint))
        assert checked > 10


async def test_a_figure_or_the_summary_shows_no_column_line_of_the_table_before(ws):
    """Walked at 80x24: from Table 1 (columns 1–2 of 5) down to a figure, the figure's
    chart still said "columns 1–2 of 5 beside Code · ←/→ for the others" (the arrows do
    nothing there). Back on the table the line is there again."""
    from tests.tui_helpers import screen_text, until

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        screen = app.screen
        grid = screen.query_one("#brief-preview", DataTable)
        hint = screen.query_one("#brief-columns")
        tables = screen.query_one("#brief-tables", OptionList)
        await until(pilot, lambda: "environment:" in screen_text(grid))
        assert hint.display and "columns 1–2 of 5" in screen_text(hint)
        ids = [str(tables.get_option_at_index(i).id) for i in range(tables.option_count)]
        for oid in ("fig0", "front"):
            tables.highlighted = ids.index(oid)
            await settle(app, pilot)
            await until(pilot, lambda: screen.query_one("#brief-chart-box").display)
            assert not grid.display and not hint.display, oid
        tables.highlighted = 0
        await settle(app, pilot)
        await until(pilot, lambda: hint.display)
        assert "columns 1–2 of 5" in screen_text(hint)


async def test_brief_rebuild_at_80_columns_keeps_every_entry_whole(ws):
    """Tried on a workspace of real files: at 80x24, `r` (or `a`) rebuilt the list of tables
    and its first entries lost their wrapped second line, "Evidence matrix" and
    "Characteristics of included sources" without their row counts: the list measured them
    before its scrollbar came back, at a width two cells wider."""
    from tests.tui_helpers import screen_text

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        tables = app.screen.query_one("#brief-tables", OptionList)

        def drawn() -> str:
            return " ".join(screen_text(tables).split())

        before = drawn()
        assert "Evidence matrix (3)" in before
        for key in ("r", "a"):
            await pilot.press(key)
            await settle(app, pilot)
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            now = drawn()
            shown = [str(tables.get_option_at_index(i).prompt) for i in range(3)]
            for prompt in shown:
                assert " ".join(prompt.split()) in now, (key, prompt, now)


async def test_w_pressed_before_the_note_is_built_writes_it_once_built(ws):
    """Tried on a workspace of real files: `w` in the first second on the screen, while the
    tables were still being built, showed a progress bar that turned for ever and wrote
    nothing. It now waits for the note and writes it."""
    from textual.widgets import ProgressBar

    async with _brief_of_the_fixture(ws, (120, 40)) as (app, pilot):
        screen = app.screen
        bar = screen.query_one("#brief-progress", ProgressBar)
        screen.note = None  # as in the moment before the first build ends
        await pilot.press("w")
        await settle(app, pilot)
        assert screen.write_pending and bar.display and not screen.written
        await pilot.press("r")  # the build ends
        for _ in range(40):
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            if screen.written:
                break
            await pilot.pause(0.1)
        assert not screen.write_pending and not bar.display
        assert (ws.exports / "brief.docx").stat().st_size > 0
        assert any(p.endswith("brief.md") for p in screen.written)


async def test_the_footer_offers_the_column_keys_only_where_they_move_columns(ws):
    """At 80x24 the footer showed '←→ Columns' beside a figure and the summary, where the
    arrows did nothing; it shows them where a table has columns out of view."""

    async with _brief_of_the_fixture(ws, (80, 24)) as (app, pilot):
        screen = app.screen
        tables = screen.query_one("#brief-tables", OptionList)

        def offered() -> bool:
            return any(
                ab.binding.action == "columns(1)" and ab.enabled
                for ab in screen.active_bindings.values()
            )

        assert screen.query_one("#brief-columns").display and offered()  # Table 1 at 80
        for entry in ("front", "fig0"):  # the summary, a figure
            ids = [str(tables.get_option_at_index(i).id) for i in range(tables.option_count)]
            tables.highlighted = ids.index(entry)
            await settle(app, pilot)
            assert not offered(), entry
        await pilot.press("right")  # (passes to the list: nothing happens, nothing breaks)
        await settle(app, pilot)
        tables.highlighted = 0
        await settle(app, pilot)
        assert offered()


async def test_brief_preview_cuts_a_long_code_path_before_its_leaf(ws):
    """A walk with a four-level codebook of long names: at 80 and 120 columns Table 1's
    rows read "Barriers to citizen c…" twice — two different codes under one long parent,
    cut at the end. A cut path keeps its leaf: "…/Co-delivery"."""
    with session_scope(ws.engine) as s:
        build_fixture(s)
        group = s.exec(select(m.Code).where(m.Code.name == "Four Cs")).one()
        group.name = "The four stages of the service cycle in which citizens contribute"
    app = ReviewApp(ws, start="brief", sample_import=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        grid = app.screen.query_one("#brief-preview", DataTable)
        cells = [str(grid.get_row_at(k)[0]) for k in range(grid.row_count)]
        assert len(set(cells)) == len(cells) > 1
        # (before: "The four stages of th…" twice, and "Mode/Collective co-pr…")
        want = ["…/Collective co-produ…", "The four…/Co-delivery", "The four st…/Co-design"]
        assert cells == want


async def test_ctrl_c_stops_the_writing_before_the_next_file(ws, monkeypatch):
    """Long work in the workbench can be cancelled; `w` on the Brief screen could not be (the
    brief walk). ctrl+c, offered in the footer only while writing, stops before the next
    file: what was written stays whole, the rest is as it was. (The first figure waits for
    the key, so the key cannot come after the last file: the drawing itself is the real one.)"""
    import threading

    from review.outputs.brief import plots

    real, pressed = plots.render_all, threading.Event()

    def first_waits(fig, fmts):
        pressed.wait(10)
        return real(fig, fmts)

    monkeypatch.setattr(plots, "render_all", first_waits)
    async with _brief_of_the_fixture(ws, (120, 40)) as (app, pilot):
        screen = app.screen

        def offered() -> bool:
            return any(ab.binding.action == "cancel" and ab.enabled
                       for ab in screen.active_bindings.values())  # fmt: skip

        assert not offered()
        await pilot.press("w")
        for _ in range(3):  # (not `settle`: it waits for the writer, which waits for the key)
            await pilot.pause()
        assert screen.writing and offered()
        await pilot.press("ctrl+c")
        assert "cancelling" in screen.query_one("StatusLine").note
        pressed.set()
        for _ in range(40):
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            if not screen.writing:
                break
            await pilot.pause(0.1)
        assert not screen.writing and not offered()
        names = sorted(p.rsplit("/", 1)[-1] for p in screen.written)
        note = screen.query_one("StatusLine").note
    first = screen.note.figures[0].id
    # the figure being drawn when the key came is finished; nothing after it is written
    assert names == [f"brief-figure-{first}.png", f"brief-figure-{first}.svg"], names
    assert not (ws.exports / "brief.md").exists() and not (ws.exports / "excerpts.csv").exists()
    assert note.startswith("cancelled: wrote 2 files to exports/"), note
