"""A one-field dialog (a memo, a code name): enter answers, escape cancels.

A caller that cannot take an empty answer (a code's new name) passes `empty`, the sentence
that refuses one: enter on a blank field then keeps the dialog open and says it there, rather
than close as if answered, with nothing done and nothing said."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

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
    Prompt #prompt-hint { display: none; color: $warning; }
    Prompt #prompt-hint.-refused { display: block; }
    """

    def __init__(
        self, title: str, value: str = "", placeholder: str = "", *, empty: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.empty = empty  # the refusal of a blank answer (None: a blank answer is returned)
        self._answered = False  # a second enter before the dialog closes must not pop twice

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text}  (enter saves, escape cancels)")
            yield InOrderInput(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing after a refusal takes the refusal away: it was about the blank field."""
        self.query_one("#prompt-hint", Static).remove_class("-refused")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.empty is not None and not event.value.strip():
            hint = self.query_one("#prompt-hint", Static)
            hint.update(f"{self.empty} · type one, or escape")
            hint.add_class("-refused")
            self.app.bell()
            return
        self._answer(event.value)

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, value: str | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)
