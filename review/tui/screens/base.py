"""The frame every workbench screen shares: header, body, status line, footer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header
from textual.widgets.data_table import ColumnKey

from review import logs
from review.errors import ReviewError
from review.tui.app import ReviewApp
from review.tui.widgets.nav_bar import NavBar
from review.tui.widgets.status_line import StatusLine

T = TypeVar("T")
log = logging.getLogger(__name__)


def row_at_cursor(table: DataTable, rows: Sequence[T]) -> T | None:
    """The item behind the table's cursor row, or None (empty table, cursor out of range):
    screens keep their rows in a list beside the DataTable that shows them."""
    return rows[table.cursor_row] if rows and 0 <= table.cursor_row < len(rows) else None


def fill_last_column(table: DataTable, minimum: int = 12, key: str | None = None) -> None:
    """Give a table's last column (or the column `key`) the width left on screen, not its
    content's width, so a long value ends in "…" inside the screen instead of running off
    its edge; call it after rows are added and, on resize, after the layout
    (`call_after_refresh`): before it the table still has its old size."""
    keys = list(table.columns)
    if keys:
        share_width(table, {ColumnKey(key) if key is not None else keys[-1]: 1}, minimum)


def share_width(
    table: DataTable, weights: dict[ColumnKey, int] | dict[str, int], minimum: int = 6
) -> None:
    """Share the width the other columns leave on screen among the columns `weights` names
    (by key), in those proportions and each at least `minimum`: a table's text columns
    shrink with the terminal while its figures keep their width and stay in view. When
    to call it: as `fill_last_column`."""
    columns = list(table.columns.values())
    if not columns or table.size.width <= 0:
        return
    flex = [
        (table.columns[ColumnKey(k) if isinstance(k, str) else k], w)
        for k, w in weights.items()
        if (ColumnKey(k) if isinstance(k, str) else k) in table.columns
    ]
    if not flex:
        return
    pad = 2 * table.cell_padding
    used = sum(c.get_render_width(table) for c in columns if all(c is not f for f, _ in flex))
    room = table.scrollable_content_region.width  # (less a scrollbar, when one shows)
    left = room - used - pad * len(flex) - 1
    total = sum(w for _, w in flex)
    widths = [max(minimum, left * w // total) for _, w in flex]
    widths[0] += max(0, left - sum(widths))  # the rounding's few cells to the first
    if all(c.width == n and not c.auto_width for (c, _), n in zip(flex, widths, strict=True)):
        return
    for (c, _), n in zip(flex, widths, strict=True):
        c.auto_width = False
        c.width = n
    # the scrollable width from the columns' new widths, as adding a row has the table do (a
    # width set after the rows were in left the old one, and a stray horizontal scrollbar);
    # our tables have no row labels
    drawn = sum(c.get_render_width(table) for c in columns)
    table.virtual_size = Size(drawn, table.virtual_size.height)
    table.refresh(layout=True)


class WorkbenchScreen(Screen):
    """Base for registry screens: subclasses implement `compose_body` (and keep keys local)."""

    # `self.app` typed as the workbench (Textual types it as any App): the workspace, the
    # session helper, the source and code in focus; at run time it checks the app's class.
    app = getters.app(ReviewApp)

    # Undo and redo act on what the current screen shows: a screen without undoable steps
    # says so rather than undoing something the reviewer cannot see.
    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False),
    ]

    def action_undo(self) -> None:
        self.notify(
            "Nothing to undo on this screen (the Reader undoes coding steps; Screening, decisions)."
        )

    def action_redo(self) -> None:
        self.notify("Nothing to redo on this screen.")

    @property
    def registry_name(self) -> str | None:
        """This screen's NAME in the registry (the navigation line highlights it)."""
        return next((s.name for s in self.app.specs if s.module == type(self).__module__), None)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield from self.compose_body()
        yield StatusLine()
        yield NavBar()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def notify_error(self, exc: Exception) -> None:
        """Service errors are shown as one line, never a traceback. A user error (ReviewError)
        is just its message; anything else is a bug: logged with its traceback in the
        workspace's log, and the toast names the file."""
        if isinstance(exc, ReviewError):
            log.debug("%s: %s", type(self).__name__, exc, exc_info=exc)
            self.notify(str(exc) or type(exc).__name__, severity="error", timeout=6)
            return
        line = logs.internal_error(log, exc, f"on the {self.registry_name or 'workbench'} screen")
        self.notify(line, severity="error", timeout=15)

    def in_session(
        self, call: Callable[[Session], T], *, from_thread: bool = False
    ) -> tuple[bool, T | None]:
        """Run one service call in its own transaction: `(True, result)`, or `(False, None)`
        after showing the error as one line (the caller then leaves things as they were).
        A thread worker passes `from_thread=True`: the error is shown on the app's thread."""
        try:
            with self.app.session() as s:
                return True, call(s)
        except Exception as exc:
            if from_thread:
                self.app.call_from_thread(self.notify_error, exc)
            else:
                self.notify_error(exc)
            return False, None
