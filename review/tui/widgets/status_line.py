"""The status line: workspace, coder and counts, plus what the current screen says."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """One line above the footer. The app owns the counts; a screen may add a note."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    note: reactive[str] = reactive("")

    def on_mount(self) -> None:
        self.watch(self.app, "status_text", self._redraw, init=True)

    def watch_note(self) -> None:
        self._redraw()

    def _redraw(self, *_args: object) -> None:
        base = getattr(self.app, "status_text", "")
        self.update(f"{base}  │  {self.note}" if self.note else base)
