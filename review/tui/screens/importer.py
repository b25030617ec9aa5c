"""Import: pick files or folders, import them in a thread worker with progress and cancel,
then show the report (each file's status and every problem with its file and line)."""

from __future__ import annotations

import logging
import shlex
import threading
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    DataTable,
    DirectoryTree,
    Input,
    Label,
    ProgressBar,
    Static,
)

from review import logs, safetext
from review.coding import library
from review.importers import import_paths
from review.ingest.pipeline import FileReport
from review.tui.plain import fitted, plain
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.in_order import InOrderInput
from review.tui.widgets.status_line import StatusLine

log = logging.getLogger(__name__)

NAME = "import"
KEY = "f3"
TITLE = "Import"
ORDER = 20
HELP = "Import literature, transcripts and documents; see what could not be read."


REPORT_COLUMNS = ("File", "Format", "Status", "Imported", "Problems")
PROBLEM_COLUMNS = ("Where", "Severity", "Problem")
NO_FORMAT = "–"  # a file whose format was not recognised (the problem says why)


class SourceTree(DirectoryTree):
    """The workspace's folders and files, without hidden files and the database itself."""

    def filter_paths(self, paths):
        return [
            p for p in paths if not p.name.startswith(".") and not p.name.startswith("review.db")
        ]


class ImportScreen(WorkbenchScreen):
    """Paths in an input (or picked from the tree), a progress bar, then the report."""

    DEFAULT_CSS = """
    ImportScreen.-report-only #import-tree { display: none; }
    #import-problem { display: none; height: auto; max-height: 6; padding: 0 1; }
    #import-problem.-shown { display: block; }
    """
    NARROW = 100  # columns: under this a report takes the whole width (ctrl+t: the files)
    BINDINGS = [
        Binding("ctrl+r", "run", "Import"),
        Binding("ctrl+c", "cancel", "Cancel", priority=True),
        Binding("ctrl+t", "focus_tree", "Files"),
        Binding("ctrl+o", "focus_input", "Path"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self._typing_path = False  # a path typed on the report goes to the box (on_key)
        self.running = False
        self.reports: list[FileReport] = []
        self.report_only = False  # a report is shown on a narrow screen, the tree hidden
        self.problem_texts: list[str] = []  # each problem row's whole text, for #import-problem
        self.file_texts: list[str] = []  # each report row's whole line (the CLI's), likewise
        self.problem_at: list[tuple[int | None, int | None]] = []  # (batch, line): enter opens

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="import-top"):
            yield InOrderInput(
                placeholder="files or folders to import (enter to start)", id="paths"
            )
            yield Button("Import", id="run", variant="primary")
            yield Button("Cancel", id="cancel", disabled=True)
        with Horizontal(id="import-main"):
            yield SourceTree(str(self.app.ws.root), id="import-tree")
            with Vertical(id="import-right"):
                yield Label(
                    "Pick files in the tree or type paths; enter starts.", id="progress-label"
                )
                # hidden until an import runs: an idle bar with no total would animate
                bar = ProgressBar(id="file-progress", show_eta=False)
                bar.display = False
                yield bar
                yield DataTable(id="import-report", cursor_type="row")
                yield DataTable(id="import-problems", cursor_type="row")
                # the highlighted problem whole, wrapped: at 80 columns the table cut an
                # unclosed entry's message after "entry @article{broken (line"
                yield Static("", id="import-problem", markup=False)

    def _file_room(self, table: DataTable, reports) -> int:
        """How many cells the File column may take so the others stay on screen (at 80
        columns a long path pushed Format, Status and Problems off the edge)."""
        fmt = max([len(r.format or NO_FORMAT) for r in reports] + [len("Format")])
        status = max([len(r.status) for r in reports] + [len("Status")])
        fixed = fmt + status + len("Imported") + len("Problems")
        padding = 2 * table.cell_padding * 5  # five columns
        width = self.size.width if self.has_class("-report-only") else table.size.width
        return max(16, width - fixed - padding - 1)

    def on_mount(self) -> None:
        report = self.query_one("#import-report", DataTable)
        report.add_columns(*REPORT_COLUMNS)
        self.query_one("#import-problems", DataTable).add_columns(*PROBLEM_COLUMNS)
        self.query_one("#paths", Input).focus()

    # --- choosing paths --------------------------------------------------------------------

    @on(DirectoryTree.FileSelected)
    @on(DirectoryTree.DirectorySelected)
    def _picked(self, event) -> None:
        paths = self.query_one("#paths", Input)
        rel = self._rel(Path(event.path))
        current = shlex.split(paths.value) if paths.value.strip() else []
        if rel not in current:
            current.append(rel)
        paths.value = " ".join(shlex.quote(p) for p in current)

    def _rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.app.ws.root))
        except ValueError:
            return str(path)

    def action_focus_tree(self) -> None:
        self.report_only = False
        self._layout()
        self.query_one(DirectoryTree).focus()

    def on_resize(self) -> None:
        self._layout(refit=True)

    def _layout(self, refit: bool = False) -> None:
        only = self.report_only and self.size.width < self.NARROW
        refit = refit or only != self.has_class("-report-only")  # the tree came or went
        self.set_class(only, "-report-only")
        if refit and self.reports and not self.running:  # sized for the old width
            self.call_after_refresh(self._fill_tables)

    def action_focus_input(self) -> None:
        self.query_one("#paths", Input).focus()

    @on(Input.Submitted, "#paths")
    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        raw = self.query_one("#paths", Input).value.strip()
        if not raw:
            self.notify("Type or pick at least one file or folder.", severity="warning")
            return
        try:
            parts = shlex.split(raw)
        except ValueError as exc:
            self.notify(f"Cannot read the paths: {exc}", severity="error")
            return
        root = self.app.ws.root
        self.start_import([p if Path(p).is_absolute() else root / p for p in parts])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.query_one("#progress-label", Label).update("Cancelling (this file rolls back)…")

    # --- running ---------------------------------------------------------------------------

    def start_import(self, paths: list, note: str | None = None) -> None:
        """Import `paths` in a thread (the sample-corpus import on first run comes here too)."""
        if self.running:
            self.notify("An import is already running.", severity="warning")
            return
        self.running = True
        self._cancel.clear()
        self.query_one("#run", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self.query_one("#import-report", DataTable).clear()
        self.query_one("#import-problems", DataTable).clear()
        self.problem_texts = []
        self._show_detail("")
        label = note or "Importing…"
        self.query_one("#progress-label", Label).update(label)
        bar = self.query_one("#file-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._run([Path(p) for p in paths])

    @work(thread=True, exclusive=True, group="import")
    def _run(self, paths: list[Path]) -> None:
        ws = self.app.ws
        call = self.app.from_worker

        def on_file(path: Path, index: int, total: int) -> None:
            call(self._on_file, path, index, total)

        try:
            reports = import_paths(
                ws.engine,
                paths,
                on_file=on_file,
                cancelled=self._cancel.is_set,
                options={"coder": ws.coder, "workspace": str(ws.root)},
            )
        except Exception as exc:  # a bug in a format: show it, keep the app alive
            line = logs.internal_error(log, exc, "importing from the import screen")
            call(self._finished, [], f"Import stopped: {line}")
            return
        call(self._finished, reports, None)

    def _on_file(self, path: Path, index: int, total: int) -> None:
        bar = self.query_one("#file-progress", ProgressBar)
        bar.update(total=total, progress=index)
        self.query_one("#progress-label", Label).update(
            f"{index + 1}/{total}: {self._rel(path)}  (ctrl+c cancels)"
        )

    def _finished(self, reports: list[FileReport], error: str | None) -> None:
        self.running = False
        self.reports = reports
        self.query_one("#run", Button).disabled = False
        self.query_one("#cancel", Button).disabled = True
        bar = self.query_one("#file-progress", ProgressBar)
        bar.update(total=max(1, bar.total or 1), progress=bar.total or 1)
        self.report_only = True
        self._layout()
        self._fill_tables()
        self._show_detail(self.problem_texts[0] if self.problem_texts else "")
        imported = sum(r.imported for r in reports)
        bad = sum(1 for r in reports if not r.ok)
        warned = sum(1 for r in reports if r.ok and r.problems)  # (they were not counted:
        # 8 files listed problems under "1 file(s) with problems")
        cancelled = " (cancelled)" if self._cancel.is_set() else ""
        summary = error or (  # one line at 80 columns
            f"{len(reports)} file(s), {imported:,} record(s) imported · "
            f"{bad} with errors · {warned} with warnings{cancelled}"
        )
        self.query_one("#progress-label", Label).update(summary)
        self.query_one(StatusLine).note = summary
        self.app.refresh_status()
        # the report in focus: left in the path box, a reviewer's enter (meant for a
        # problem, after warnings only) imported the same files again and lost the report
        if self.problem_texts:
            self.query_one("#import-problems", DataTable).focus()
        elif reports:
            self.query_one("#import-report", DataTable).focus()

    def _fill_tables(self) -> None:
        """The report and its problems sized to the screen (again after a resize, the cursor
        rows kept): a path is cut from the left, a problem ends in "…" at the edge and is
        shown whole below (at 120 columns beside the file tree the Where column took 45
        cells and cut every message after 25, with no sign that it was cut)."""
        table = self.query_one("#import-report", DataTable)
        problems = self.query_one("#import-problems", DataTable)
        rows = (table.cursor_row, problems.cursor_row)
        table.clear(columns=True).add_columns(*REPORT_COLUMNS)  # (clear alone keeps each
        # column's widest cell's width)
        self.problem_texts, self.file_texts = [], []
        file_room = self._file_room(table, self.reports)
        wheres = []
        for r in self.reports:
            name = self._rel(Path(r.file))
            table.add_row(
                plain(_left_cut(name, file_room)),
                r.format or NO_FORMAT,
                r.status,
                f"{r.imported}/{r.records}" if r.records else str(r.imported),
                str(len(r.problems)) if r.problems else "",
            )
            more = f" ({len(r.problems)} problem(s) below)" if r.problems else ""
            self.file_texts.append(replace(r, file=name).summary() + more)
            for p in r.problems:
                where = self._rel(Path(p.file)) + (f":{p.line}" if p.line else "")
                message = p.message + (f" [{p.record}]" if p.record else "")
                wheres.append((where, p.severity, message, r.batch_id, p.line))
        # errors first, as the CLI prints them: one file's error came after another's 281
        # warnings
        wheres.sort(key=lambda w: w[1] != "error")
        self.problem_texts = [f"{w}: {sev}: {msg}" for w, sev, msg, _, _ in wheres]
        self.problem_at = [(batch, line) for _, _, _, batch, line in wheres]
        width = self.size.width if self.has_class("-report-only") else problems.size.width
        most = max(16, width * 2 // 5)  # the rest for the message
        shown = [(_left_cut(w, most), sev, msg) for w, sev, msg, _, _ in wheres]
        where_w = max([len(w) for w, _, _ in shown] + [len("Where")])
        severity_w = max([len(sev) for _, sev, _ in shown] + [len("Severity")])
        # widths set, not measured: a table measures its rows only when it next idles
        room = width - where_w - severity_w - 2 * problems.cell_padding * 3 - 2 - 1  # scrollbar
        problems.clear(columns=True)
        for label, w in zip(PROBLEM_COLUMNS, (where_w, severity_w, max(20, room)), strict=True):
            problems.add_column(label, width=w)
        for where, severity, message in shown:
            problems.add_row(plain(where), severity, fitted(message))
        if table.row_count:
            table.move_cursor(row=min(rows[0], table.row_count - 1))
        if problems.row_count:
            problems.move_cursor(row=min(rows[1], problems.row_count - 1))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.has_focus:  # (filling a table highlights its first row too)
            self._show_row(event.data_table)

    @on(DataTable.RowSelected, "#import-problems")
    def _problem_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a problem opens its record in the reader (to mend it there, or see what
        was read)."""
        row = event.cursor_row
        if not 0 <= row < len(self.problem_at):
            return
        batch, line = self.problem_at[row]
        found = None
        if batch is not None:
            ok, found = self.in_session(lambda s: library.source_at(s, batch, line))
            if not ok:
                return
        if found is None:
            self.notify("No record of this file to open for this problem.", severity="warning")
            return
        self.app.open_source(found)

    def on_key(self, event) -> None:
        """A path typed while the report is in focus (where an import leaves it) starts a new
        path in the box: it went nowhere, the box taking keys only after ctrl+o."""
        if not isinstance(self.focused, DataTable) or self.focused.id not in (
            "import-report",
            "import-problems",
        ):
            return
        box = self.query_one("#paths", Input)
        char = event.character
        if self._typing_path and event.key == "enter":
            # keys typed in one burst reach the table until the box has the focus
            event.stop()
            event.prevent_default()
            box.post_message(Input.Submitted(box, box.value))
            return
        if not (
            char and char.isprintable() and (self._typing_path or char.isalnum() or char in "/.~")
        ):
            return
        event.stop()
        event.prevent_default()
        if self._typing_path:
            box.insert_text_at_cursor(char)
        else:
            self._typing_path = True
            box.value = char
            box.cursor_position = len(char)
            box.focus()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, DataTable):
            # back on the report: the next letter starts a new path. Not when the box takes
            # the focus: keys typed behind the first were still on their way to the report,
            # and each started the path again ("ared/testdata/…" imported, the rest lost)
            self._typing_path = False
            self._show_row(event.widget)

    def _show_row(self, table: DataTable) -> None:
        """The highlighted problem, or file (what the CLI prints for it: "7 turns, 3
        speakers"), whole below the tables."""
        texts = self.problem_texts if table.id == "import-problems" else self.file_texts
        row = table.cursor_row
        self._show_detail(texts[row] if 0 <= row < len(texts) else "")

    def _show_detail(self, text: str) -> None:
        """`text` whole, wrapped, below the tables (hidden when empty)."""
        detail = self.query_one("#import-problem", Static)
        detail.update(safetext.terminal(text))  # (markup=False: shown as written)
        detail.set_class(bool(text), "-shown")


SCREEN = ImportScreen


def _left_cut(path: str, most: int) -> str:
    """A path kept to `most` characters from its end ("…/transcripts/fg1.txt"): the file's
    name is what tells files apart."""
    return path if len(path) <= most else "…" + path[-(most - 1) :]
