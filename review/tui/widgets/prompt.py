"""A one-field dialog (a memo, a code name): enter answers, escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from review.tui.widgets.in_order import InOrderInput


class Prompt(ModalScreen[str | None]):
    """Returns the text typed, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    Prompt { align: center middle; }
    Prompt > Vertical {
        width: 80%; max-width: 90; height: auto; border: round $accent; background: $surface;
        padding: 0 1;
    }
    Prompt Label { text-style: bold; }
    """

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self._answered = False  # a second enter before the dialog closes must not pop twice

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text}  (enter saves, escape cancels)")
            yield InOrderInput(value=self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._answer(event.value)

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, value: str | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)
