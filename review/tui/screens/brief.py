"""Brief: preview each briefing table, then write them (Markdown, CSV, HTML, DOCX) and the
exports (excerpts, BibTeX, RIS, REFI-QDA) to `exports/` with a progress bar.

The tables are built in a thread worker by the same service as `review brief`; the writing is
`review.outputs.writer.write_pack`, which `review brief --exports` also runs.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from review.tui.plain import cells
from review.tui.screens.base import WorkbenchScreen

NAME = "brief"
KEY = "f10"
TITLE = "Brief"
ORDER = 100
HELP = "Preview the briefing tables; w writes them and the exports to exports/."
PREVIEW_ROWS = 500


class BriefScreen(WorkbenchScreen):
    DEFAULT_CSS = """
    #brief-summary { height: 1; padding: 0 1; }
    #brief-tables { width: 34; }
    #brief-caption { height: auto; padding: 0 1; color: $text-muted; }
    #brief-progress { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("w", "write", "Write all"),
        Binding("r", "rebuild", "Rebuild"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.note = None
        self.written: list[str] = []

    def compose_body(self) -> ComposeResult:
        yield Label("building the tables…", id="brief-summary")
        with Horizontal():
            yield OptionList(id="brief-tables")
            with Vertical():
                yield Label("", id="brief-caption")
                yield DataTable(id="brief-preview", zebra_stripes=True)
        yield ProgressBar(id="brief-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#brief-progress", ProgressBar).display = False
        self.action_rebuild()

    def action_rebuild(self) -> None:
        self._build()

    @work(thread=True, exclusive=True, group="brief-build")
    def _build(self) -> None:
        from review.outputs.brief.tables import build

        try:
            with self.app.session() as s:
                note = build(s)
        except Exception as exc:
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.call_from_thread(self._built, note)

    def _built(self, note) -> None:
        self.note = note
        tables = self.query_one("#brief-tables", OptionList)
        tables.clear_options()
        for i, t in enumerate(note.tables):
            tables.add_option(Option(f"{t.title} ({len(t.rows)})", id=str(i)))
        self.query_one("#brief-summary", Label).update(
            f"{len(note.tables)} tables · {len(note.references)} references · "
            "w write all to exports/ · r rebuild"
        )
        tables.highlighted = 0
        tables.focus()
        self._preview(0)

    @on(OptionList.OptionHighlighted, "#brief-tables")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(int(event.option.id))

    def _preview(self, index: int) -> None:
        if self.note is None or not 0 <= index < len(self.note.tables):
            return
        t = self.note.tables[index]
        self.query_one("#brief-caption", Label).update(t.caption)
        grid = self.query_one("#brief-preview", DataTable)
        grid.clear(columns=True)
        for c in t.columns:
            grid.add_column(c)
        for row in t.rows[:PREVIEW_ROWS]:  # a widget never holds a whole large table
            grid.add_row(*cells(*(str(v).replace("\n", " ¶ ")[:120] for v in row)))

    def action_write(self) -> None:
        bar = self.query_one("#brief-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._write()

    @work(thread=True, exclusive=True, group="brief-write")
    def _write(self) -> None:
        from review.outputs.writer import write_pack

        def step(done: int, total: int, label: str) -> None:
            self.app.call_from_thread(self._progress, done, total, label)

        try:
            ws = self.app.ws
            files = write_pack(ws.engine, ws.exports, name=ws.root.name,
                               codebook_path=ws.codebook_path, on_step=step)  # fmt: skip
        except Exception as exc:
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.call_from_thread(self._written, [str(f) for f in files])

    def _progress(self, done: int, total: int, label: str) -> None:
        self.query_one("#brief-progress", ProgressBar).update(total=total, progress=done)
        self.query_one("StatusLine").note = label

    def _written(self, files: list[str]) -> None:
        self.written = files
        self.query_one("#brief-progress", ProgressBar).display = False
        self.query_one("StatusLine").note = f"wrote {len(files)} files to exports/"
        self.notify(f"wrote {len(files)} files to {self.app.ws.exports}")


SCREEN = BriefScreen
