"""A multi-line memo editor: enter starts a new line, ctrl+s saves, escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from review.tui.widgets.in_order import InOrderTextArea


class MemoEditor(ModalScreen[str | None]):
    """Returns the memo's text (line breaks kept), or None when cancelled."""

    # Not priority bindings: those ran when the key came, before the text typed ahead of it
    # was in (a note and ctrl+s in one burst saved an empty memo); the text area takes neither.
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    MemoEditor { align: center middle; }
    MemoEditor > Vertical {
        width: 90%; max-width: 100; height: 80%; border: round $accent; background: $surface;
        padding: 0 1;
    }
    MemoEditor Label { text-style: bold; }
    MemoEditor TextArea { height: 1fr; }
    MemoEditor #memo-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, title: str, value: str = "", about: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.about = about
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            if self.about:
                yield Static(self.about, id="memo-about")
            yield InOrderTextArea(
                self.value, id="memo-text", soft_wrap=True, show_line_numbers=False
            )
            yield Static("ctrl+s save · escape cancel · enter a new line", id="memo-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self._answer(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, value: str | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)
