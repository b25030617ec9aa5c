"""The status line: workspace, coder and counts, plus what the current screen says."""

from __future__ import annotations

from rich.text import Text
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

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self, *_args: object) -> None:
        """The counts and the note on one line: the counts shorten first (a narrow
        terminal), then the note is cut with an ellipsis, never in the middle of a word."""
        full = getattr(self.app, "status_text", "")
        short = getattr(self.app, "status_short", "") or full
        width = max(10, self.size.width - 2) if self.size.width else 200
        note = self.note
        line = f"{full}  │  {note}" if note else full
        if len(line) > width:
            line = f"{short}  │  {note}" if note else short
        if len(line) > width and note:
            line = note  # what just happened matters more than the counts
        if len(line) > width:
            cut = line[: width - 1]
            word = cut.rsplit(" ", 1)[0]
            line = (word if len(cut) - len(word) < 12 else cut) + "…"  # a long word: cut it
        # one line high whatever it says: no layout pass of the whole screen per key
        self.update(Text(line, no_wrap=True), layout=False)
