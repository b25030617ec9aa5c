"""Library and Import screens, the registry, help and first run, against real SQLite files."""

from __future__ import annotations

import shlex
import shutil

import pytest
from sqlmodel import select
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from review.coding import library
from review.store import models as m
from review.store.db import session_scope
from review.tui.screens import RegistryError, ScreenSpec, _check_unique, discover
from tests.tui_helpers import (
    add_literature,
    add_transcript,
    running,
    screen_text,
    settle,
    until,
)


def _keys(table: DataTable) -> list[int]:
    return [int(k.value) for k in table.rows]


async def test_library_pages_from_the_database(ws):
    add_literature(ws, 250)
    async with running(ws) as (app, pilot):
        table = app.screen.query_one(DataTable)
        assert table.row_count == 100  # one page, never the whole table
        with session_scope(ws.engine) as s:
            first = library.page(s, offset=0, limit=100)
            second = library.page(s, offset=100, limit=100)
        assert _keys(table) == [r.id for r in first.rows]
        assert "of 250" in app.screen.query_one("StatusLine").note
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert _keys(table) == [r.id for r in second.rows]
        await pilot.press("ctrl+end", "down")  # running off the page's end fetches the next one
        await settle(app, pilot)
        assert table.row_count == 50 and app.screen.page_offset == 200


async def test_fuzzy_search_as_you_type_and_kind_filter(ws):
    add_literature(ws, 40)
    async with running(ws) as (app, pilot):
        await pilot.press("slash", *"bovard", "enter")  # a typo still finds it
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        with session_scope(ws.engine) as s:
            wanted = s.exec(select(m.Source.id).where(m.Source.key == "rec0007")).one()
        assert _keys(table)[0] == wanted
        await pilot.press("x")
        await settle(app, pilot)
        app.screen.flt.kind = "report"
        app.screen.reload(cursor=0)
        await settle(app, pilot)
        assert table.row_count == 14  # i % 3 == 0 for i < 40


def _five_records_and_an_indexed_transcript(ws) -> int:
    """Five literature records and a transcript whose passages are in the full-text index,
    as the transcript import leaves them; the transcript's id."""
    add_literature(ws, 5)
    sid = add_transcript(ws)
    with session_scope(ws.engine) as s:
        s.connection().exec_driver_sql(
            "INSERT INTO passage_fts(rowid, text) SELECT p.id, substr(s.text, p.start + 1, "
            "p.end - p.start) FROM passage p JOIN source s ON s.id = p.source_id"
        )
    return sid


async def test_enter_opens_the_reader_and_full_text_search(ws):
    sid = _five_records_and_an_indexed_transcript(ws)
    async with running(ws) as (app, pilot):
        await pilot.press("ctrl+f", *"litter", "enter")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert _keys(table) == [sid]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == "reader"
        assert app.screen.doc.source_id == sid
        header = str(app.screen.query_one("ReaderView").render_line(0).text)
        assert "Moderator" in header and "00:00:00" in header
        with session_scope(ws.engine) as s:
            text = s.get(m.Source, sid).text
        hit = text.index("litter")
        assert app.screen.query_one("ReaderView").span() == (hit, hit + 6)  # the hit selected


async def test_full_text_search_filters_as_you_type(ws):
    """`ctrl+f` and a word: the list narrows while typing, without `enter` (a new user read
    the unfiltered list and "all sources" as "nothing found"); the status line names the
    search, and the search box keeps the focus for the next word."""
    from textual.widgets import Input

    from review.tui.widgets.status_line import StatusLine

    sid = _five_records_and_an_indexed_transcript(ws)
    async with running(ws) as (app, pilot):
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6
        await pilot.press("ctrl+f", *"litter")
        await settle(app, pilot)
        assert _keys(table) == [sid]
        assert "text=litter" in app.screen.query_one(StatusLine).note
        assert isinstance(app.focused, Input) and app.focused.id == "fts"
        await pilot.press(*" budget")  # two words: passages holding both, none here
        await settle(app, pilot)
        assert table.row_count == 0
        await pilot.press(*["backspace"] * 7)  # back to "litter"
        await settle(app, pilot)
        assert _keys(table) == [sid]


async def test_typing_faster_than_the_queries_shows_the_last_query(ws, monkeypatch):
    """One query at a time, the latest wins: keys typed while a query runs are not queued one
    query each; the table ends showing what the whole text finds."""
    import threading

    add_literature(ws, 40)
    asked: list[str | None] = []
    gate = threading.Event()
    real_page = library.page

    def slow_page(session, flt=None, offset=0, limit=100):
        asked.append(flt.fuzzy if flt else None)
        if flt is not None and flt.fuzzy:
            gate.wait(5)  # the first query is still running while the rest is typed
        return real_page(session, flt, offset=offset, limit=limit)

    async with running(ws) as (app, pilot):
        monkeypatch.setattr(library, "page", slow_page)
        await pilot.press("slash", *"bovard")
        gate.set()
        await settle(app, pilot)
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            wanted = s.exec(select(m.Source.id).where(m.Source.key == "rec0007")).one()
        assert _keys(app.screen.query_one(DataTable))[0] == wanted
        # the first key's query, then only the whole text: no query per key typed meanwhile
        # (a live refresh — another connection's write seen by the two-second poll — may run
        # the whole text once more; that is the watcher's job, not a queued key. The app's own
        # codebook set-up at start is such a write: on a loaded machine that first poll came
        # after `running` had settled, before the first key, and asked for the page unfiltered;
        # still running when `b` came, its refresh leaves the first query to the text by then)
        typed = [q for q in asked if q is not None]
        assert asked[: len(asked) - len(typed)] == [None] * (len(asked) - len(typed)), asked
        first, rest = typed[0], typed[1:]
        assert "bovard".startswith(first) and set(rest) <= {"bovard"}, asked
        assert typed[-1] == "bovard" and len(typed) <= 3, asked


async def test_fuzzy_search_finds_a_transcript_by_its_key(ws):
    add_literature(ws, 30)
    sid = add_transcript(ws, key="interview-ana-2023")
    async with running(ws) as (app, pilot):
        await pilot.press("slash", *"interview-ana")  # a query per key, the latest wins
        await settle(app, pilot)
        await settle(app, pilot)
        assert _keys(app.screen.query_one(DataTable))[0] == sid


async def test_import_screen_shows_problems_of_a_broken_file(ws, tmp_path):
    bad = tmp_path / "broken.bin"
    bad.write_bytes(b"\x00\x01\x02 not a bibliography \xff\xfe")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    async with running(ws, start="import") as (app, pilot):
        screen = app.screen
        screen.query_one("#paths").value = f"{bad} {empty}"
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        problems = screen.query_one("#import-problems", DataTable)
        cells = [problems.get_row_at(i) for i in range(problems.row_count)]
        assert any("broken.bin" in c[0] and "looks like a binary file" in c[2] for c in cells)
        assert any("empty.txt" in c[0] and "empty" in c[2] for c in cells)
        report = screen.query_one("#import-report", DataTable)
        formats = [str(report.get_row_at(i)[1]) for i in range(report.row_count)]
        assert formats == ["–", "–"]  # no format recognised: a dash, not "?"
    with session_scope(ws.engine) as s:
        statuses = s.exec(select(m.ImportBatch.status)).all()
    assert statuses == ["failed", "failed"]


async def test_a_problem_is_shown_whole_below_the_report_at_80_columns(ws, tmp_path):
    """At 80x24 the problems table cut an unclosed entry's message after "entry
    @article{broken (line": what is wrong, and where the next entry begins, could only be
    read by scrolling the table sideways (found by the import walk). The highlighted
    problem is shown whole, wrapped, below the table; moving the cursor shows the next."""
    entries = "".join(
        f"@article{{k{n},\n  title = {{Title number {n} about co-production}},\n"
        f"  author = {{Smith, John}},\n  year = {{2010}},\n}}\n\n"
        for n in range(3)
    )
    bib = tmp_path / "library.bib"
    bib.write_text(
        entries + "@article{broken,\n  title = {An unclosed {brace title},\n"
        "  author = {Smith, John},\n  year = {2011},\n}\n\n"
        "@article{after,\n  title = {After the break},\n  year = {2012},\n}\n"
    )
    binary = tmp_path / "savedrecs.ris"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    async with running(ws, start="import", size=(80, 24)) as (app, pilot):
        screen = app.screen
        screen.query_one("#paths").value = f"{bib} {binary}"
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        detail = screen.query_one("#import-problem")
        assert detail.display
        text = str(detail.render())
        assert "library.bib:19: error: entry @article{broken (line 19)" in text
        assert "is not closed before the next entry begins on line 25" in text
        await pilot.press("down")
        await settle(app, pilot)
        assert "savedrecs.ris: error: looks like a binary file" in str(detail.render())


async def test_import_report_fits_80_columns(ws, testdata):
    """QA at 80x24: the file tree kept a third of the width and a long path pushed Status and
    Problems off the edge. A report on a narrow screen takes the width; ctrl+t brings the tree
    back."""
    deep = ws.corpus / "literature" / "exports from the library, spring search"
    deep.mkdir(parents=True)
    shutil.copy(testdata / "bibtex" / "pybtex_xampl.bib", deep / "xampl_with_a_long_name.bib")
    async with running(ws, sample_import=True, size=(80, 24)) as (app, pilot):
        await settle(app, pilot)
        screen = app.screen
        report = screen.query_one("#import-report", DataTable)
        assert report.row_count == 1
        tree = screen.query_one("#import-tree")
        assert not tree.display or tree.region.width == 0
        widths = sum(c.get_render_width(report) for c in report.columns.values())
        assert widths <= report.size.width  # Status and Problems are on screen
        shown = str(report.get_row_at(0)[0])
        assert shown.startswith("…") and shown.endswith("xampl_with_a_long_name.bib")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert tree.region.width > 0 and tree.has_focus


async def test_problems_fit_beside_the_file_tree_and_after_a_resize(ws, testdata, tmp_path):
    """The import walk at 120x40: beside the file tree the Where column took 45 cells for a
    long path and cut every message after 25, with no sign of the cut (at 80 columns, after
    a resize, "Problems" went off the edge too). Now a path is cut from the left (its line
    kept), the message takes the width left and ends in "…", the highlighted one is shown
    whole below, and both tables fit again after a resize."""
    folder = tmp_path / "exports from the library, spring search"
    folder.mkdir()
    for rel in (
        "bibtex/tidy_bibtex-field-error.bib",
        "qdpx/skyloom_TestProject_ATLASti_standard.qdpx",
    ):
        shutil.copy(testdata / rel, folder)

    def fits(table: DataTable) -> bool:
        return sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width

    async with running(ws, start="import", size=(120, 40)) as (app, pilot):
        screen = app.screen
        screen.query_one("#paths").value = shlex.quote(str(folder))
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        await settle(app, pilot)
        assert screen.query_one("#import-tree").display  # 120 columns keep the tree
        problems = screen.query_one("#import-problems", DataTable)
        report = screen.query_one("#import-report", DataTable)
        assert problems.row_count == 19 and fits(problems) and fits(report)
        summary = str(screen.query_one("#progress-label").render())
        assert summary == "2 file(s), 16 record(s) imported · 1 with errors · 1 with warnings"
        # errors first (the archive's missing sources), then the warnings in file order
        severities = [problems.get_row_at(i)[1] for i in range(problems.row_count)]
        assert severities == ["error"] * 8 + ["warning"] * 11
        where, severity, message = problems.get_row_at(8)
        assert where.startswith("…") and where.endswith("/tidy_bibtex-field-error.bib:1"), where
        header, *rows = screen_text(problems).splitlines()
        assert "Problem" in header
        assert "error" in rows[0] and rows[0].rstrip().endswith("…")  # the cut shows
        detail = str(screen.query_one("#import-problem").render())
        assert "skyloom_TestProject_ATLASti_standard.qdpx: error: source" in detail
        assert "is missing from the archive: skipped with its 0 selection(s) [" in detail
        for _ in range(8):
            await pilot.press("down")
        await settle(app, pilot)
        detail = str(screen.query_one("#import-problem").render())
        assert "tidy_bibtex-field-error.bib:1: warning: no title, authors, DOI or venue" in detail
        assert "(complete it, or delete it) [web:abc]" in detail
        # the report's row: what the CLI prints for the file
        screen.query_one("#import-report", DataTable).focus()
        await settle(app, pilot)
        detail = str(screen.query_one("#import-problem").render())
        name = str(folder / "tidy_bibtex-field-error.bib")
        assert detail == f"{name}: bibtex: imported, 2 of 2 records imported (3 problem(s) below)"
        await pilot.press("down")
        await settle(app, pilot)
        detail = str(screen.query_one("#import-problem").render())
        assert detail.startswith(str(folder / "skyloom_TestProject_ATLASti_standard.qdpx"))
        assert ": qdpx: partial, 14 of 30 records imported, 8 skipped — 14 codes" in detail
        assert detail.endswith("(16 problem(s) below)")
        problems.focus()
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: fits(problems) and fits(report))
        assert fits(problems) and fits(report)
        assert problems.cursor_row == 8  # the same problem highlighted
        assert "Problems" in screen_text(report).splitlines()[0], screen_text(report)
        await pilot.press("ctrl+t")  # the file tree back beside the report: both fit again
        await settle(app, pilot)
        assert screen.query_one("#import-tree").region.width > 0
        await until(pilot, lambda: fits(problems) and fits(report))
        assert fits(problems) and fits(report)
        await settle(app, pilot)
        assert "Problems" in screen_text(report).splitlines()[0], screen_text(report)


async def test_first_run_imports_the_sample_corpus(ws, testdata):
    shutil.copy(testdata / "bibtex" / "pybtex_xampl.bib", ws.corpus / "xampl.bib")
    async with running(ws, sample_import=True) as (app, pilot):
        await settle(app, pilot)
        assert app.current_mode == "import"
        report = app.screen.query_one("#import-report", DataTable)
        assert report.row_count == 1
    with session_scope(ws.engine) as s:
        n = len(s.exec(select(m.Source.id)).all())
    assert n > 5  # the xampl entries landed


async def test_help_lists_every_screen_key_and_the_palette_reaches_them(ws):
    async with running(ws) as (app, pilot):
        await pilot.press("question_mark")
        await settle(app, pilot)
        text = app.screen.help_text()
        for spec in app.specs:
            assert spec.key in text and spec.title in text
        assert "ctrl+z" in text and "ctrl+p" in text
        await pilot.press("escape", "f5")
        await settle(app, pilot)
        assert app.current_mode == "codebook"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {f"Go to {s.title}" for s in app.specs} <= set(titles)
        # a second reviewer looking for "coder" in the palette finds how to work as one
        coder = next(c for c in app.get_system_commands(app.screen) if "Coder" in c.title)
        assert app.ws.coder in coder.help and "review --coder NAME" in coder.help
        coder.callback()
        await settle(app, pilot)
        assert "review --coder NAME" in [n.message for n in app._notifications][-1]


async def test_help_wraps_a_description_under_its_column(ws):
    """A new user's walk at 80x24: a description too long for its line went on at the left
    margin, under the keys, instead of under the description column."""
    from tests.tui_helpers import screen_text

    async with running(ws, size=(80, 24)) as (app, pilot):
        await pilot.press("question_mark")
        await settle(app, pilot)
        from textual.widgets import Static

        sections = app.screen.query_one("#help-text").query(Static)  # one widget a section
        lines = "\n".join(screen_text(w) for w in sections).splitlines()
        at = next(n for n, ln in enumerate(lines) if ln.lstrip().startswith("f2 "))
        column = lines[at].index("Library —")  # where the descriptions start
        assert lines[at].startswith("  f2")  # keys indented under the heading
        assert not lines[at].rstrip().endswith("search.")  # the f2 line wraps at 80 columns
        follow = lines[at + 1]
        assert follow[:column].strip() == "" and follow[column] != " ", (lines[at], follow)
        assert "search." in follow
        # every line of every section: a key at the indent, or a continuation at the column
        for ln in lines:
            if ln.startswith("   ") and ln.strip():
                assert len(ln) - len(ln.lstrip()) == column, ln


async def test_help_opens_at_the_keys_of_the_screen_it_was_opened_from(ws):
    """A walk found `?` on the Brief screen opening at the Library's keys, the Brief's own
    further down; the opening screen's keys now come first, then those that work
    everywhere, then the other screens' (each screen once)."""
    from tests.tui_helpers import screen_text

    async with running(ws, size=(80, 24)) as (app, pilot):
        await pilot.press("f10")
        await settle(app, pilot)
        assert app.current_mode == "brief"
        await pilot.press("question_mark")
        await settle(app, pilot)
        text = app.screen.help_text()
        headings = [ln for ln in text.splitlines() if ln and not ln.startswith(" ")]
        assert headings[1] == "Brief (f10): this screen" and headings[2] == "Everywhere"
        assert sum(h.startswith("Brief (f10)") for h in headings) == 1
        assert "Library (f2)" in headings
        shown = screen_text(app.screen.query_one("#help-brief"))
        assert (
            "Brief (f10): this screen" in shown and app.screen.query_one("#help-brief").region.y < 8
        )


def test_registry_discovers_screens_and_refuses_clashes():
    specs = discover()
    names = [s.name for s in specs]
    assert names[:5] == ["library", "import", "reader", "codebook", "excerpts"]
    assert len({s.key for s in specs}) == len(specs)
    assert specs[0].screen.__name__ == "LibraryScreen"
    a = ScreenSpec("one", "f9", "One", specs[0].module)
    b = ScreenSpec("two", "f9", "Two", specs[0].module)
    with pytest.raises(RegistryError, match="f9"):
        _check_unique([a, b])


async def test_import_cancel_rolls_the_file_back_and_starts_no_other(ws, testdata, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("bibtexparser_traps.bib", "pybtex_xampl.bib", "tidy_bibtex-field-error.bib"):
        shutil.copy(testdata / "bibtex" / name, folder / name)
    async with running(ws, start="import") as (app, pilot):
        screen = app.screen
        on_file = screen._on_file

        def cancel_after_first(path, index, total):
            on_file(path, index, total)
            screen.action_cancel()  # as if ctrl+c was pressed while the first file loads

        screen._on_file = cancel_after_first
        screen.start_import([folder])
        await settle(app, pilot)
        report = screen.query_one("#import-report", DataTable)
        assert report.row_count == 1 and report.get_row_at(0)[2] == "cancelled"
        assert "cancelled" in str(screen.query_one("#progress-label").render())
    with session_scope(ws.engine) as s:  # the file loading when cancelled left nothing behind
        assert s.exec(select(m.ImportBatch.id)).all() == []
        assert s.exec(select(m.Source.id)).all() == []


def test_author_year_keeps_the_year_when_cut():
    from review.tui.screens.library import fit_author_year

    assert fit_author_year("Van Ryzin & Parrado 2000", 24) == "Van Ryzin & Parrado 2000"
    assert fit_author_year("Van Ryzin & Parrado 2000", 21) == "Van Ryzin & Par… 2000"
    assert fit_author_year("Van Ryzin & Parrado 2000", 18) == "Van Ryzin &… 2000"
    assert fit_author_year("Loeffler 2008", 18) == "Loeffler 2008"
    assert fit_author_year("Bovaird, Stoker et al. n.d.", 18) == "Bovaird, Sto… n.d."
    assert len(fit_author_year("Bovaird, Stoker et al. n.d.", 18)) <= 18


async def test_the_fuzzy_index_is_kept_out_of_full_collections(ws):
    """bench/tui_open.py: a full garbage collection walking the fuzzy index and the imported
    libraries paused one keystroke in fourteen by 100–120 ms on 100,000 sources."""
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    async with running(ws, start="library") as (app, pilot):
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "kinds"])
        await settle(app, pilot)
        assert gc.get_freeze_count() > 1000  # what was alive once the index was built
    gc.unfreeze()


async def test_library_columns_fit_the_screen_again_after_a_resize(ws):
    """Shrinking the terminal gives the title the width left, so Kind, Status and Cod. stay
    on screen (a real terminal kept the old, wider title column: it was sized before the
    table had its new size), with no horizontal scrollbar; growing it gives the title the
    room back."""
    from tests.tui_helpers import screen_text, until

    add_literature(ws, 12)
    async with running(ws, size=(120, 40)) as (app, pilot):
        table = app.screen.query_one(DataTable)
        wide = table.columns[ColumnKey("title")].width
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: table.columns[ColumnKey("title")].width < wide)
        header = screen_text(table).splitlines()[0]
        assert "Status" in header and "Cod." in header, header
        assert table.columns[ColumnKey("title")].width == wide - 40  # the 40 columns lost
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        await until(pilot, lambda: table.columns[ColumnKey("title")].width == wide)
        assert table.columns[ColumnKey("title")].width == wide
        assert table.virtual_size.width <= table.size.width


async def test_the_status_column_shows_not_retrieved_whole(ws):
    """Found by the PRISMA walk: the Status column was 10 cells wide, so a report that could
    not be obtained read "not-retrie" (at 80 and 120 columns alike)."""
    from review.screening import decisions as d
    from tests.tui_helpers import screen_text

    add_literature(ws, 3)
    with session_scope(ws.engine) as s:
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0001", "include")
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0001", "not-retrieved", stage="full-text")
    async with running(ws, size=(80, 24)) as (app, pilot):
        table = app.screen.query_one(DataTable)
        await settle(app, pilot)
        text = screen_text(table)
        assert "not-retrieved" in text, text
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways


async def test_the_filter_lists_show_each_choice_on_one_line_at_80_columns(ws, testdata):
    """The import walk at 80x24: the open kind list showed "conference (250)" on two lines
    and the status list "not-retrieve" over "d" (a scrollbar for eight choices), and a
    chosen "not-retrieved" read "not-retrie" over "ved" in its box."""
    from review.importers import import_paths

    import_paths(ws.engine, [testdata / "bibtex" / "pybtex_xampl.bib"])
    async with running(ws, size=(80, 24)) as (app, pilot):
        screen = app.screen
        for select, choice in (("#kind", "conference ("), ("#status", "not-retrieved")):
            screen.query_one(select).focus()
            await pilot.press("enter")
            await settle(app, pilot)
            overlay = screen.query_one(f"{select} SelectOverlay")
            lines = [line.strip(" ▎▊▁▔") for line in screen_text(overlay).splitlines()]
            whole = [line for line in lines if line.startswith(choice)]
            assert whole and whole[0].endswith(")" if "(" in choice else choice), lines
            assert overlay.region.right <= 80  # on screen
            await pilot.press("escape")
        status = screen.query_one("#status")
        status.value = "not-retrieved"
        await settle(app, pilot)
        label = screen.query_one("#status SelectCurrent #label")
        assert label.region.height == 1 and "not-retri…" in screen_text(label)


async def test_an_empty_library_says_how_to_import(ws):
    """The import walk: a new workspace's Library said "0–0 of 0 · page 1/1 · all sources"
    and nothing about where the records come from; a filter that finds nothing stays as it
    was."""
    from review.tui.widgets.status_line import StatusLine

    async with running(ws, size=(80, 24)) as (app, pilot):
        note = app.screen.query_one(StatusLine).note
        assert note.endswith("all sources · nothing imported yet: f3 Import"), note
        await pilot.press("slash", *"minsky")
        await settle(app, pilot)
        assert "nothing imported" not in app.screen.query_one(StatusLine).note


async def test_enter_on_a_problem_opens_its_record_in_the_reader(ws, testdata, tmp_path):
    """The import walk: "no title, authors, DOI or venue … [web:def]" said what to do
    ("complete it, or delete it") but not where; enter on the problem opens that record
    (the entry beginning at or before the problem's line), and a problem of a file that
    added nothing says so."""
    shutil.copy(testdata / "bibtex" / "tidy_bibtex-field-error.bib", tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    async with running(ws, start="import", size=(120, 40)) as (app, pilot):
        screen = app.screen
        screen.query_one("#paths").value = str(tmp_path / "tidy_bibtex-field-error.bib")
        await pilot.press("ctrl+r")  # warnings only
        await settle(app, pilot)
        problems = screen.query_one("#import-problems", DataTable)
        assert problems.has_focus  # (with warnings only, enter re-ran the import)
        texts = screen.problem_texts
        row = next(i for i, t in enumerate(texts) if "[web:def]" in t)
        await pilot.press(*["down"] * row, "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        with session_scope(ws.engine) as s:
            key = s.get(m.Source, app.current_source_id).key
        assert key == "web:def"
        await pilot.press("f3")
        await settle(app, pilot)
        screen.query_one("#paths").value = str(empty)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert "empty.txt" in screen.problem_texts[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ImportScreen"
        toasts = [n.message for n in app._notifications]
        assert "No record of this file to open for this problem." in toasts


async def test_a_path_typed_after_an_import_starts_a_new_path_in_the_box(ws, tmp_path):
    """Walk: an import leaves the report in focus (an enter meant for it must not import the
    same files again), and the next path typed went nowhere until ctrl+o. Typed there, it
    starts a new path in the box; enter imports it."""
    from tests.tui_helpers import burst

    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("@article{a1, title={Co-production}, year={2012}}\n")
    second.write_text("@article{b1, title={Co-design}, year={2013}}\n")
    async with running(ws, start="import") as (app, pilot):
        screen = app.screen
        screen.query_one("#paths").value = str(first)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert screen.focused is screen.query_one("#import-report", DataTable)
        burst(app, *str(second), "enter")
        await settle(app, pilot)
        assert screen.query_one("#paths").value == str(second)
    with session_scope(ws.engine) as s:
        assert sorted(s.exec(select(m.Source.key)).all()) == ["a1", "b1"]
