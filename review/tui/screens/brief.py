"""Brief: preview the note's front matter, each table and each figure (as a text chart: a
terminal cannot show the picture), then write the note (Markdown, CSV, HTML, DOCX and the
figure files) and the exports (excerpts, BibTeX, RIS, REFI-QDA) to `exports/` with a progress
bar.

The note is built in a thread worker by the same service as `review brief` (front matter
from `review.toml`); it is written by `review.outputs.brief.render.write`, the exports by
`review.outputs.writer.write_pack`, which `review brief --exports` also runs.
"""

from __future__ import annotations

import textwrap
import threading

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from review.outputs.brief import hints as hint
from review.outputs.brief.figures import path_cut
from review.tui.plain import fitted
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.status_line import StatusLine

NAME = "brief"
KEY = "f10"
TITLE = "Brief"
ORDER = 100
HELP = "Preview the briefing note's tables and figures; w writes it and the exports to exports/."
PREVIEW_ROWS = 500
SCREEN_HINTS = {
    hint.ALL_ROWS: "a shows the codes with no excerpt",
    hint.ALL_INDICATORS: "a lists the indicators with no evidence linked",
    hint.RESOLVE: "f8 Screening, c: settle the conflicts",
    hint.ATTRIBUTE: "`review brief --attribute NAME` tabulates one of them",
}
# `hint.BLIND` in the screen's words, first in the summary line (the brief is the team's)
BLIND = "blind coding on: every coder's work · "
# The preview's first column (a code path, a source): its width under / from 100 columns,
# capped so the counts beside it stay in view; any other column at most MAX_COLUMN wide,
# and a header wraps onto up to HEADER_LINES lines rather than widen its column.
FIRST_COLUMN = (22, 34)
MAX_COLUMN = 40
HEADER_LINES = 3


def _column_width(header: str, values: list[str], cap: int) -> int:
    """As wide as the longest value or word of the header, then wider while the header would
    take more than HEADER_LINES lines: "Community safety: transcripts" over "1 / 3" takes 11
    cells on three lines, not 29 on one (at 80 columns one such column filled the view)."""
    width = max(3, len(max(header.split() or [""], key=len)), *(len(v) for v in values))
    width = min(cap, width)
    while width < cap and len(textwrap.wrap(header, width)) > HEADER_LINES:
        width += 1
    return width


class BriefScreen(WorkbenchScreen):
    DEFAULT_CSS = """
    #brief-summary { width: 1fr; height: auto; padding: 0 1; }
    /* the scrollbar's room kept always: a list that grows a scrollbar as it fills
       otherwise keeps the line counts measured without it (Textual's OptionList), and
       an entry that then wraps lost its second line ("Evidence matrix" without "(17)") */
    #brief-tables { width: 34; scrollbar-gutter: stable; }
    BriefScreen.-narrow #brief-tables { width: 24; }
    #brief-caption { width: 1fr; height: auto; padding: 0 1; color: $text-muted; }
    #brief-columns { width: 1fr; height: 1; padding: 0 1; color: $text-accent; }
    #brief-progress { height: 1; padding: 0 1; }
    /* the grid takes the pane below the caption whatever its rows: at `height: auto` it was
       laid out once while empty (between a clear and the refill) and, on a loaded machine,
       kept that height 0 with its rows filled, the table not drawn at all */
    #brief-preview { height: 1fr; }
    #brief-chart-box { height: 1fr; }
    #brief-chart { padding: 0 1; width: auto; }
    """
    BINDINGS = [
        Binding("w", "write", "Write all"),
        # while writing: stop before the next file (those written stay, whole), as the
        # Import screen's ctrl+c stops before the next file
        Binding("ctrl+c", "cancel", "Cancel", priority=True),
        Binding("r", "rebuild", "Rebuild"),
        Binding("a", "all_rows", "All rows"),
        # priority: the list of tables has its own (hidden, idle) left/right, which would
        # hide these from the footer
        Binding("right", "columns(1)", "Columns", key_display="←→", priority=True),
        Binding("left", "columns(-1)", "Columns", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.note = None
        self.all_rows = False  # `review brief --all-rows`: codes with no excerpt kept
        self.written: list[str] = []
        self.write_pending = False  # `w` pressed before the note was built
        self.writing = False
        self._cancel = threading.Event()
        self.chart_text = ""  # what the chart pane shows
        # the table previewed: its rows and headers as shown, each column's width from its
        # values, the first scrolling column in view, and the columns in the grid now
        self._rows: list[list[str]] = []
        self._columns: list[str] = []
        self._natural: list[int] = []
        self._start = 1
        self._shown: list[int] = []
        self._tree = False  # the first column holds code paths
        self._layout: tuple[list[int], list[int]] | None = None  # the grid's, as last filled

    def compose_body(self) -> ComposeResult:
        yield Label("building the tables…", id="brief-summary")
        with Horizontal():
            yield OptionList(id="brief-tables")
            with Vertical():
                yield Label("", id="brief-caption")
                yield Label("", id="brief-columns")
                yield DataTable(id="brief-preview", zebra_stripes=True)
                with VerticalScroll(id="brief-chart-box"):
                    yield Static("", id="brief-chart", markup=False)
        yield ProgressBar(id="brief-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#brief-progress", ProgressBar).display = False
        self.query_one("#brief-chart-box").display = False
        self.query_one("#brief-columns").display = False
        self.on_resize()
        self.action_rebuild()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")  # 80 columns: room for the preview
        self.call_after_refresh(self._resized)

    def _resized(self) -> None:
        """After the layout, at the new width: a table's grid keeps the columns the reader
        moved to (as many whole ones from there as now fit; before, crossing 100 columns
        sent it back to the first), prose is wrapped again."""
        if self.note is None:
            return
        tables = self.query_one("#brief-tables", OptionList)
        at = tables.highlighted
        oid = str(tables.get_option_at_index(at).id) if at is not None else ""
        if oid == "front":
            self._front()
        elif oid.isdigit() and not self.note.tables[int(oid)].rows:
            self._preview(int(oid))  # what is missing, wrapped to the new width
        else:
            self._fill()

    def action_rebuild(self) -> None:
        self._build()

    def action_all_rows(self) -> None:
        """Show or hide the evidence matrix's codes with no excerpt, and Table 2's indicators
        with no evidence when there are many (`--all-rows`); what is written then is what is
        shown."""
        self.all_rows = not self.all_rows
        shown = (
            "every code and indicator"
            if self.all_rows
            else "only the codes with excerpts (and, of many indicators, those with evidence)"
        )
        self.query_one(StatusLine).note = f"tables: {shown}"
        self._build()

    @work(thread=True, exclusive=True, group="brief-build")
    def _build(self) -> None:
        from review.coding.codings import is_blind
        from review.outputs.brief.front import front_matter
        from review.outputs.brief.tables import build

        try:
            front = front_matter(self.app.ws.root)
            with self.app.session() as s:
                note = build(s, front=front, all_rows=self.all_rows)
                blind = is_blind(s)  # the brief stays the team's: every coder's work
        except Exception as exc:
            self.app.from_worker(self._build_failed, exc)
            return
        self.app.from_worker(self._built, note, blind)

    def _build_failed(self, exc: Exception) -> None:
        if self.write_pending:  # nothing to write: the bar waiting for the note goes
            self.write_pending = False
            self._stopped()
        self.notify_error(exc)

    def _built(self, note, blind: bool = False) -> None:
        self.note = note
        tables = self.query_one("#brief-tables", OptionList)
        # a rebuild stays on the entry the reader was looking at (by its id: the tables
        # before it may have changed in number)
        was = tables.highlighted
        kept = tables.get_option_at_index(was).id if was is not None else None
        tables.clear_options()
        for i, t in enumerate(note.tables):
            tables.add_option(Option(f"{t.title} ({len(t.rows)})", id=str(i)))
        for i, f in enumerate(note.figures):
            tables.add_option(Option(f"Figure {i + 1}. {f.title}", id=f"fig{i}"))
        tables.add_option(Option("Front matter and at a glance", id="front"))
        self.query_one("#brief-summary", Label).update(
            (BLIND if blind else "")
            + f"{note.front.title} · {len(note.tables)} tables · {len(note.figures)} figures · "
            f"{len(note.references)} references · w writes them all to exports/"
        )
        ids = [tables.get_option_at_index(i).id for i in range(tables.option_count)]
        tables.highlighted = ids.index(kept) if kept in ids else 0
        tables.focus()
        if tables.highlighted == 0:  # (another index shows itself through the highlight event)
            self._preview(0)
        if self.write_pending:
            self.write_pending = False
            self._write()

    @on(OptionList.OptionHighlighted, "#brief-tables")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        oid = str(event.option.id)
        if oid.startswith("fig"):
            self._figure(int(oid[3:]))
        elif oid == "front":
            self._front()
        else:
            self._preview(int(oid))

    def _show_chart(self, caption: str, text: str) -> None:
        self.query_one("#brief-caption", Label).update(caption)
        self.query_one("#brief-preview", DataTable).display = False
        # a table's "columns 1–2 of 5 · ←/→" line is about the grid, which a chart hides
        self.query_one("#brief-columns", Label).display = False
        self.refresh_bindings()
        self.query_one("#brief-chart-box").display = True
        self.chart_text = text
        self.query_one("#brief-chart", Static).update(text)

    def _figure(self, index: int) -> None:
        from review.outputs.brief.figures import text_chart

        if self.note is None or not 0 <= index < len(self.note.figures):
            return
        fig = self.note.figures[index]
        # (the chart box does not wrap: names are wrapped to the preview's width here)
        self._show_chart(fig.caption, text_chart(fig, across=self._text_width()))

    def _front(self) -> None:
        if self.note is None:
            return
        f = self.note.front
        lines = [f.title, *(x for x in (f.question, f.byline()) if x), "", "At a glance", ""]
        lines += self._wrapped(self.note.glance)
        self._show_chart("The title block and the summary written from the data.", "\n".join(lines))

    def _wrapped(self, text: str) -> list[str]:
        """Prose wrapped to the preview's width (the chart box does not wrap: charts must
        not; the summary was one line cut at the edge)."""
        return textwrap.wrap(text, self._text_width()) or [""]

    def _text_width(self) -> int:
        return max(30, self.size.width - 40)  # the list of tables takes the rest

    def _preview(self, index: int) -> None:
        from review.outputs.brief.render import cell_text

        if self.note is None or not 0 <= index < len(self.note.tables):
            return
        t = self.note.tables[index]
        # for the team (the documents leave them out), with this screen's keys where it has them
        hints = [f"hint: {SCREEN_HINTS.get(h, h)}" for h in t.hints]
        if not t.rows:  # what the documents say in its place
            lines = [*self._wrapped(t.empty), ""]
            for n in [*t.notes, *hints]:
                lines += self._wrapped(n)
            self._show_chart(t.caption, "\n".join(lines))
            return
        self.query_one("#brief-caption", Label).update(" · ".join([t.caption, *hints]))
        self.query_one("#brief-chart-box").display = False
        self.query_one("#brief-preview", DataTable).display = True
        # a widget never holds a whole large table; a cell is one line, "…" where cut
        self._rows = [
            [cell_text(v).replace("\n", " ¶ ") for v in row] for row in t.rows[:PREVIEW_ROWS]
        ]
        self._columns = [str(c) for c in t.columns]
        self._tree = t.tree
        self._natural = [
            _column_width(c, [r[n] for r in self._rows], MAX_COLUMN)
            for n, c in enumerate(self._columns)
        ]
        self._start = 1
        self._fill(rebuild=True)  # another table: the same layout is not the same grid
        # the pane's width is known once the grid is laid out: fit the columns to it again
        self.call_after_refresh(self._fill)

    # --- columns: the first stays, the rest move a column at a time with ←/→ ------------------
    #
    # The grid holds only the columns that fit whole beside the first (from `_start`), and is
    # refilled on each step: a DataTable scrolled sideways draws the column at its right edge
    # half (Table 1's "1 / 1" read "1", no "…") and at its last position stops short, so the
    # tail of the column before showed beside the first as if it were wider.

    def _widths(self) -> list[int]:
        """Each column's width for the pane as it is now: as wide as its values (`_column_width`),
        the first capped by FIRST_COLUMN and any other by the room beside the first, so one
        column always fits whole (its long cells end in "…"). Fixed while ←/→ move: they
        depend on the pane's width only."""
        grid = self.query_one("#brief-preview", DataTable)
        pad = 2 * grid.cell_padding
        first = min(self._natural[0], FIRST_COLUMN[self.size.width >= 100])
        room = max(3, self._room() - (first + pad) - pad)
        return [first, *(min(w, room) for w in self._natural[1:])]

    def _room(self) -> int:
        """The cells the grid can draw across: the pane's width less a vertical scrollbar
        (reserved always, so a column does not come and go with the number of rows)."""
        grid = self.query_one("#brief-preview", DataTable)
        pane = self.query_one("#brief-caption", Label).parent
        width = pane.content_region.width if isinstance(pane, Vertical) else self.size.width
        return max(10, width - grid.styles.scrollbar_size_vertical)

    def _window(self, widths: list[int]) -> list[int]:
        """The scrolling columns (by index) that fit whole beside the first from `_start`;
        always at least one."""
        grid = self.query_one("#brief-preview", DataTable)
        pad = 2 * grid.cell_padding
        left = self._room() - (widths[0] + pad)
        shown: list[int] = []
        for n in range(self._start, len(widths)):
            if shown and widths[n] + pad > left:
                break
            shown.append(n)
            left -= widths[n] + pad
        return shown

    def _fill(self, rebuild: bool = False) -> None:
        """Put the first column and the window of whole columns from `_start` in the grid,
        keeping the rows' vertical place."""
        grid = self.query_one("#brief-preview", DataTable)
        if not grid.display or not self._columns:
            return
        widths = self._widths()
        self._start = max(1, min(self._start, len(widths) - 1))
        shown = [0, *self._window(widths)] if len(widths) > 1 else [0]
        layout = (shown, [widths[n] for n in shown])
        if not rebuild and layout == self._layout:
            return  # (a refill after a refresh or a resize that changes nothing)
        self._layout = layout
        y, row = grid.scroll_y, grid.cursor_row
        grid.clear(columns=True)
        grid.fixed_columns = 1  # (nothing scrolls sideways: the window fits)
        # the header's height from every column, so it does not jump while ←/→ move
        grid.header_height = min(
            HEADER_LINES,
            max(len(textwrap.wrap(c, w)) or 1 for c, w in zip(self._columns, widths, strict=True)),
        )
        for n in shown:
            grid.add_column(Text(self._columns[n], overflow="ellipsis"), width=widths[n])
        first = widths[0]  # a code path cut keeps its leaf (two codes under one parent)
        cut = (lambda v: path_cut(v, first)) if self._tree else (lambda v: v)
        grid.add_rows([fitted(cut(r[0])), *(fitted(r[n]) for n in shown[1:])] for r in self._rows)
        grid.move_cursor(row=min(row, len(self._rows) - 1), animate=False)
        grid.scroll_to(x=0, y=y, animate=False)
        self._shown = shown
        self._column_hint()

    def _column_hint(self) -> None:
        grid = self.query_one("#brief-preview", DataTable)
        hint = self.query_one("#brief-columns", Label)
        shown = self._shown[1:]
        count = len(self._columns) - 1
        hidden = grid.display and bool(shown) and (shown[0], shown[-1]) != (1, count)
        if hidden:
            first, last = shown[0], shown[-1]
            span = f"column {first}" if first == last else f"columns {first}–{last}"
            hint.update(f"{span} of {count} beside {self._columns[0]} · ←/→ for the others")
        hint.display = hidden
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":  # ctrl+c is in the footer, and acts, only while writing
            return self.writing
        if action == "columns":
            # ←/→ only where they move something: a table with columns out of view (the
            # footer offered them beside a figure and the summary, where they did nothing)
            try:
                return bool(self.query_one("#brief-columns", Label).display)
            except NoMatches:  # (before the screen is composed)
                return False
        return True

    def action_columns(self, step: int) -> None:
        """Move the preview's columns (after the first, which stays) one column along."""
        grid = self.query_one("#brief-preview", DataTable)
        shown = self._shown[1:]
        if not grid.display or not shown:
            return
        count = len(self._columns) - 1
        if (step < 0 and shown[0] <= 1) or (step > 0 and shown[-1] >= count):
            return
        self._start = max(1, shown[0] + step)
        self._fill()

    def action_cancel(self) -> None:
        if self.writing:
            self._cancel.set()
            self.query_one(StatusLine).note = "cancelling: the file being written is finished first"

    def action_write(self) -> None:
        if self.writing:
            return
        self._cancel.clear()
        self.writing = True
        self.refresh_bindings()
        bar = self.query_one("#brief-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        if self.note is None:
            # `w` pressed while the note is built (the first second on the screen): the
            # bar turned for ever and nothing was written; now it waits for the note
            self.write_pending = True
            self.query_one(StatusLine).note = "building the tables; the files follow…"
            return
        self._write()

    @work(thread=True, exclusive=True, group="brief-write")
    def _write(self) -> None:
        from review.outputs.brief.render import FORMATS, write
        from review.outputs.writer import PACK_EXPORTS, write_pack

        note = self.note
        if note is None:
            return
        figures = len(note.figures)
        total = figures + len(FORMATS) + len(PACK_EXPORTS)

        def brief_step(done: int, _total: int, label: str) -> None:
            self.app.from_worker(self._progress, done, total, f"wrote {label}")

        def pack_step(done: int, _total: int, label: str) -> None:
            self.app.from_worker(self._progress, figures + len(FORMATS) + done, total, label)

        stop = self._cancel.is_set
        try:
            ws = self.app.ws
            files = write(note, ws.exports, list(FORMATS), on_step=brief_step, cancelled=stop)
            if not stop():
                files += write_pack(ws.engine, ws.exports, formats=(), name=ws.root.name,
                                    codebook_path=ws.codebook_path, on_step=pack_step,
                                    cancelled=stop)  # fmt: skip
        except Exception as exc:
            self.app.from_worker(self._stopped)
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.from_worker(self._written, [str(f) for f in files], stop())

    def _progress(self, done: int, total: int, label: str) -> None:
        self.query_one("#brief-progress", ProgressBar).update(total=total, progress=done)
        self.query_one(StatusLine).note = label

    def _stopped(self) -> None:
        self.writing = False
        self.refresh_bindings()
        self.query_one("#brief-progress", ProgressBar).display = False

    def _written(self, files: list[str], cancelled: bool = False) -> None:
        self._stopped()
        self.written = files
        if cancelled:
            said = (f"cancelled: wrote {len(files)} files to exports/; the others are as they "
                    "were")  # fmt: skip
            self.query_one(StatusLine).note = said
            self.notify(said, severity="warning")
            return
        self.query_one(StatusLine).note = f"wrote {len(files)} files to exports/"
        self.notify(f"wrote {len(files)} files to {self.app.ws.exports}")


SCREEN = BriefScreen
