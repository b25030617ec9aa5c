"""Library: every source, a page at a time from SQLite, filtered and searched as you type."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import DataTable, Input, Select, Static

from review.coding import library
from review.coding.library import LibraryFilter, LibraryPage
from review.errors import ReviewError
from review.tui.app import settle_heap
from review.tui.plain import cells, fitted
from review.tui.screens import importer
from review.tui.screens.base import WorkbenchScreen, fill_last_column
from review.tui.widgets.in_order import InOrderInput
from review.tui.widgets.status_line import StatusLine

NAME = "library"
KEY = "f2"
TITLE = "Library"
ORDER = 10
HELP = "All sources, paged; filter by kind, status and code; fuzzy and full-text search."

PAGE_SIZE = 100
STATUS_OPTIONS = [(s, s) for s in library.STATUSES]
# the longest status word whole: at 10 cells "not-retrieved" read "not-retrie"
STATUS_WIDTH = max(len(s) for s in library.STATUSES)


class PagedTable(DataTable):
    """A DataTable whose cursor runs off a page's edge onto the next (previous) page."""

    def action_cursor_down(self) -> None:
        screen = self.screen
        if self.cursor_row >= self.row_count - 1 and isinstance(screen, LibraryScreen):
            if screen.has_next_page():
                screen.action_page(1)
                return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        screen = self.screen
        if self.cursor_row <= 0 and isinstance(screen, LibraryScreen) and screen.page_offset > 0:
            screen.action_page(-1)
            return
        super().action_cursor_up()


class LibraryScreen(WorkbenchScreen):
    """A DataTable holding one page of rows; the rest stays in the database."""

    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("slash", "focus_fuzzy", "Find", key_display="/"),
        Binding("ctrl+f", "focus_text", "Text"),
        Binding("c", "pick_code", "Code"),
        Binding("x", "clear", "Clear"),
        Binding("right_square_bracket", "page(1)", "Next", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "Prev", key_display="["),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.flt = LibraryFilter()
        self.page_offset = 0
        self.current: LibraryPage | None = None
        self.code_label = ""
        # One query at a time, the latest wins: a reload asked for while a query runs is
        # remembered (`_again`, with its cursor) and run as soon as that query is done, with
        # the filter as it is then; the stale result is not drawn.
        self._busy = False
        self._again: tuple[bool, int | None] | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="library-filters"):
            yield InOrderInput(placeholder="/ fuzzy: author year title", id="fuzzy")
            yield InOrderInput(placeholder="ctrl+f full text", id="fts")
            yield Select([], prompt="kind", id="kind")
            yield Select(STATUS_OPTIONS, prompt="status", id="status")
        code_line = Static("", id="library-code")  # the active code filter, when there is one
        code_line.display = False
        yield code_line
        table = PagedTable(id="library-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Author-year", width=AUTHOR_YEAR_WIDTH, key="ay")
        table.add_column("Title", key="title")
        table.add_column("Kind", width=10, key="kind")
        table.add_column("Status", width=STATUS_WIDTH, key="status")
        table.add_column("Cod.", width=4, key="codings")
        table.focus()
        self.load_kinds()
        self.reload()

    def on_resize(self) -> None:
        # after the layout: sized while the table still had its old size, a real terminal
        # kept drawing the old, wider columns after shrinking (the pilot did not show it)
        self.call_after_refresh(self._size_title)

    def on_screen_resume(self) -> None:
        if self.current is not None:
            self.reload(keep_cursor=True)

    def _size_title(self) -> None:
        fill_last_column(self.query_one(DataTable), minimum=17, key="title")

    # --- loading ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="kinds")
    def load_kinds(self) -> None:
        with self.app.session() as s:
            kinds = library.kinds(s)
        options = [(f"{k} ({n:,})", k) for k, n in kinds]
        self.app.from_worker(self._set_kinds, options)
        with self.app.session() as s:
            library.warm_fuzzy(s)  # so the first `/` key does not wait for the index
        settle_heap()  # the index is long-lived: out of the collector's full walks

    def _set_kinds(self, options: list[tuple[str, str]]) -> None:
        self.query_one("#kind", Select).set_options(options)

    def database_changed(self) -> None:
        """Another process wrote: the page again, the cursor where it was."""
        self.reload(keep_cursor=True)

    def reload(self, keep_cursor: bool = False, cursor: int | None = None) -> None:
        if self._busy:
            self._again = (keep_cursor, cursor)
            return
        row = self.query_one(DataTable).cursor_row if keep_cursor else cursor
        self._busy = True
        self._load(replace(self.flt), self.page_offset, row)

    @work(thread=True, group="page")
    def _load(self, flt: LibraryFilter, offset: int, cursor: int | None) -> None:
        ok, result = self.in_session(
            lambda s: library.page(s, flt, offset=offset, limit=PAGE_SIZE), from_thread=True
        )
        self.app.from_worker(self._loaded, result if ok else None, cursor)

    def _loaded(self, result: LibraryPage | None, cursor: int | None) -> None:
        self._busy = False
        again, self._again = self._again, None
        if again is not None:  # typed on meanwhile: this result is stale, ask again
            self.reload(*again)
        elif result is not None:  # (None: a bad query, said so; the old rows stay)
            self._show(result, cursor)

    def _show(self, result: LibraryPage, cursor: int | None) -> None:
        self.current = result
        table = self.query_one(DataTable)
        table.clear()
        self._size_title()
        for r in result.rows:
            table.add_row(
                *cells(fit_author_year(r.author_year, AUTHOR_YEAR_WIDTH)),
                fitted(r.title),  # ends in "…" where the column cuts it
                *cells(r.kind, r.status),
                str(r.codings) if r.codings else "",
                key=str(r.id),
            )
        if result.rows and cursor is not None:
            table.move_cursor(row=max(0, min(cursor, len(result.rows) - 1)))
        first = result.offset + 1 if result.rows else 0
        last = result.offset + len(result.rows)
        more = "+" if result.more else ""
        note = (
            f"{first:,}–{last:,} of {result.total_label} · page {result.page_number}/"
            f"{result.pages}{more}"
        )
        hint = library.search_hint(self.flt)
        if self.code_label:
            hint = hint.replace(f"code={self.flt.code_id}", f"code={self.code_label}")
        note += f" · {hint}"
        if not result.total and hint == library.search_hint(LibraryFilter()):
            # an empty workspace said "0–0 of 0" and nothing about how to fill it
            note += f" · nothing imported yet: {importer.KEY} {importer.TITLE}"
        if result.notes:
            note += " · " + "; ".join(result.notes)
        self.query_one(StatusLine).note = note
        code_line = self.query_one("#library-code", Static)
        active = self.flt.code_id is not None
        if active:
            label = escape(self.code_label or str(self.flt.code_id))
            code_line.update(f"[b]code:[/b] {label} [dim]and its children · x clears[/]")
        if code_line.display != active:
            code_line.display = active

    # --- filters --------------------------------------------------------------------------

    @on(Input.Changed, "#fuzzy")
    def _fuzzy_changed(self, event: Input.Changed) -> None:
        # every key asks at once (each query is quick; one runs at a time, the latest wins)
        self.flt.fuzzy = event.value or None
        self.page_offset = 0
        self.reload(cursor=0)

    @on(Input.Changed, "#fts")
    def _fts_changed(self, event: Input.Changed) -> None:
        # As the fuzzy box: every key asks at once. A search is an index look-up (p95 under
        # 50 ms over a million passages, README *Search*), and one query runs at a time, the
        # latest wins, so typing never queues searches; the words are searched as typed, so
        # what shows while typing is what `enter` would show.
        text = event.value.strip() or None
        if text == self.flt.text:  # a space typed: the same search
            return
        self.flt.text = text
        self.page_offset = 0
        self.reload(cursor=0)

    @on(Input.Submitted, "#fts")
    def _fts_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Input.Submitted, "#fuzzy")
    def _fuzzy_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.flt.kind = None if event.value is Select.BLANK else str(event.value)
        self.page_offset = 0
        self.reload(cursor=0)

    @on(Select.Changed, "#status")
    def _status_changed(self, event: Select.Changed) -> None:
        self.flt.status = None if event.value is Select.BLANK else str(event.value)
        self.page_offset = 0
        self.reload(cursor=0)

    def action_focus_fuzzy(self) -> None:
        self.query_one("#fuzzy", Input).focus()

    def action_focus_text(self) -> None:
        self.query_one("#fts", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear(self) -> None:
        self.flt = LibraryFilter()
        self.code_label = ""
        self.page_offset = 0
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#fuzzy", Input).value = ""
            self.query_one("#fts", Input).value = ""
            self.query_one("#kind", Select).clear()
            self.query_one("#status", Select).clear()
        self.reload(cursor=0)

    def action_pick_code(self) -> None:
        from review.tui.codes import code_choices
        from review.tui.widgets.code_picker import CodePicker, EditCode, NewCode

        with self.app.session() as s:
            choices = code_choices(s, codable_only=False)
        if not choices:
            self.notify("The codebook is empty: nothing to filter by.", severity="warning")
            return

        def chosen(code_id: int | NewCode | EditCode | None) -> None:
            if not isinstance(code_id, int):  # None (escape); this picker cannot create
                return
            self.flt.code_id = code_id
            self.code_label = next((c.path for c in choices if c.id == code_id), str(code_id))
            self.page_offset = 0
            self.reload(cursor=0)

        self.app.push_screen(CodePicker(choices, "Show sources coded with…"), chosen)

    # --- paging and opening ---------------------------------------------------------------

    def has_next_page(self) -> bool:
        cur = self.current
        return cur is not None and (self.page_offset + PAGE_SIZE < cur.total or cur.more)

    def action_page(self, step: int) -> None:
        if self.current is None:
            return
        new = self.page_offset + step * PAGE_SIZE
        if 0 <= new and (new < max(self.current.total, 1) or (step > 0 and self.current.more)):
            self.page_offset = new
            self.reload(cursor=0 if step > 0 else PAGE_SIZE - 1)

    def selected_source_id(self) -> int | None:
        table = self.query_one(DataTable)
        if self.current is None or not self.current.rows:
            return None
        row = self.current.rows[max(0, min(table.cursor_row, len(self.current.rows) - 1))]
        return row.id

    def action_open(self) -> None:
        source_id = self.selected_source_id()
        if source_id is None:
            return
        words = (self.flt.text or "").strip()
        if not words:
            self.app.open_source(source_id)
            return
        # A full-text hit: open at its best passage, the words found there selected.
        from review.coding import search

        try:
            with self.app.session() as s:
                hits = search.search(s, words, limit=1, source_ids=[source_id])
        except ReviewError:  # a query with no words to search: open at the words found
            hits = []
        if hits:
            self.app.open_source(source_id, hits[0].start, hits[0].end, find=words)
        else:
            self.app.open_source(source_id, find=words)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


# "Van Ryzin & Parrado 2000", "Verschuere et al. 2012": two surnames and a year fit whole;
# at 80 columns the title keeps 20 cells (`_size_title`).
AUTHOR_YEAR_WIDTH = 24


def fit_author_year(text: str, width: int) -> str:
    """'Van Ryzin & Parrado 2000' in `width` cells: the names shortened, never the year; of
    two authors the second is shortened first, so both stay recognisable."""
    if len(text) <= width:
        return text
    who, _, year = text.rpartition(" ")
    if not who or not (year.isdigit() or year == "n.d."):
        return text[: width - 1] + "…"
    room = max(1, width - len(year) - 2)  # the names, their "…" and the space before the year
    first, amp, second = who.partition(" & ")
    if amp and room - len(first) - len(amp) >= 3:  # at least two letters of the second name
        return f"{first}{amp}{second[: room - len(first) - len(amp)].rstrip()}… {year}"
    return f"{who[:room].rstrip()}… {year}"


SCREEN = LibraryScreen
