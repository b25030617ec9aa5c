"""Brief: preview the note's front matter, each table and each figure (as a text chart: a
terminal cannot show the picture), then write the note (Markdown, CSV, HTML, DOCX and the
figure files) and the exports (excerpts, BibTeX, RIS, REFI-QDA) to `exports/` with a progress
bar.

The note is built in a thread worker by the same service as `review brief` (front matter
from `review.toml`); it is written by `review.outputs.brief.render.write`, the exports by
`review.outputs.writer.write_pack`, which `review brief --exports` also runs.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from review.tui.plain import cells, fitted
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.status_line import StatusLine

NAME = "brief"
KEY = "f10"
TITLE = "Brief"
ORDER = 100
HELP = "Preview the briefing note's tables and figures; w writes it and the exports to exports/."
PREVIEW_ROWS = 500


class BriefScreen(WorkbenchScreen):
    DEFAULT_CSS = """
    #brief-summary { height: 1; padding: 0 1; }
    #brief-tables { width: 34; }
    BriefScreen.-narrow #brief-tables { width: 26; }
    #brief-caption { width: 1fr; height: auto; padding: 0 1; color: $text-muted; }
    #brief-progress { height: 1; padding: 0 1; }
    #brief-chart-box { height: 1fr; }
    #brief-chart { padding: 0 1; width: auto; }
    """
    BINDINGS = [
        Binding("w", "write", "Write all"),
        Binding("r", "rebuild", "Rebuild"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.note = None
        self.written: list[str] = []
        self.chart_text = ""  # what the chart pane shows

    def compose_body(self) -> ComposeResult:
        yield Label("building the tables…", id="brief-summary")
        with Horizontal():
            yield OptionList(id="brief-tables")
            with Vertical():
                yield Label("", id="brief-caption")
                yield DataTable(id="brief-preview", zebra_stripes=True)
                with VerticalScroll(id="brief-chart-box"):
                    yield Static("", id="brief-chart", markup=False)
        yield ProgressBar(id="brief-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#brief-progress", ProgressBar).display = False
        self.query_one("#brief-chart-box").display = False
        self.on_resize()
        self.action_rebuild()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")  # 80 columns: room for the preview

    def action_rebuild(self) -> None:
        self._build()

    @work(thread=True, exclusive=True, group="brief-build")
    def _build(self) -> None:
        from review.outputs.brief.front import front_matter
        from review.outputs.brief.tables import build

        try:
            front = front_matter(self.app.ws.root)
            with self.app.session() as s:
                note = build(s, front=front)
        except Exception as exc:
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.call_from_thread(self._built, note)

    def _built(self, note) -> None:
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
            f"{note.front.title} · {len(note.tables)} tables · {len(note.figures)} figures · "
            f"{len(note.references)} references · w write all to exports/ · r rebuild"
        )
        ids = [tables.get_option_at_index(i).id for i in range(tables.option_count)]
        tables.highlighted = ids.index(kept) if kept in ids else 0
        tables.focus()
        if tables.highlighted == 0:  # (another index shows itself through the highlight event)
            self._preview(0)

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
        self.query_one("#brief-chart-box").display = True
        self.chart_text = text
        self.query_one("#brief-chart", Static).update(text)

    def _figure(self, index: int) -> None:
        from review.outputs.brief.figures import text_chart

        if self.note is None or not 0 <= index < len(self.note.figures):
            return
        fig = self.note.figures[index]
        self._show_chart(fig.caption, text_chart(fig))

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
        import textwrap

        width = max(30, self.size.width - 40)  # the list of tables takes the rest
        return textwrap.wrap(text, width) or [""]

    def _preview(self, index: int) -> None:
        if self.note is None or not 0 <= index < len(self.note.tables):
            return
        t = self.note.tables[index]
        hints = [f"hint: {h}" for h in t.hints]  # for the team; the documents leave them out
        if not t.rows:  # what the documents say in its place
            lines = [*self._wrapped(t.empty), ""]
            for n in [*t.notes, *hints]:
                lines += self._wrapped(n)
            self._show_chart(t.caption, "\n".join(lines))
            return
        self.query_one("#brief-caption", Label).update(" · ".join([t.caption, *hints]))
        self.query_one("#brief-chart-box").display = False
        grid = self.query_one("#brief-preview", DataTable)
        grid.display = True
        grid.clear(columns=True)
        first = 30 if self.size.width < 100 else 48  # the rest of the columns in view
        for n, c in enumerate(t.columns):
            grid.add_column(c, width=first if n == 0 else None)
        for row in t.rows[:PREVIEW_ROWS]:  # a widget never holds a whole large table
            shown = [str(v).replace("\n", " ¶ ")[:120] for v in row]
            grid.add_row(fitted(shown[0]), *cells(*shown[1:]))

    def action_write(self) -> None:
        bar = self.query_one("#brief-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
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
            self.app.call_from_thread(self._progress, done, total, f"wrote {label}")

        def pack_step(done: int, _total: int, label: str) -> None:
            self.app.call_from_thread(self._progress, figures + len(FORMATS) + done, total, label)

        try:
            ws = self.app.ws
            files = write(note, ws.exports, list(FORMATS), on_step=brief_step)
            files += write_pack(ws.engine, ws.exports, formats=(), name=ws.root.name,
                                codebook_path=ws.codebook_path, on_step=pack_step)  # fmt: skip
        except Exception as exc:
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.call_from_thread(self._written, [str(f) for f in files])

    def _progress(self, done: int, total: int, label: str) -> None:
        self.query_one("#brief-progress", ProgressBar).update(total=total, progress=done)
        self.query_one(StatusLine).note = label

    def _written(self, files: list[str]) -> None:
        self.written = files
        self.query_one("#brief-progress", ProgressBar).display = False
        self.query_one(StatusLine).note = f"wrote {len(files)} files to exports/"
        self.notify(f"wrote {len(files)} files to {self.app.ws.exports}")


SCREEN = BriefScreen
