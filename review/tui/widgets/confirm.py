"""A yes/no question before a change that cannot be undone: `y` or enter confirms, `n` or
escape keeps things as they are."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class Confirm(ModalScreen[bool]):
    """Returns True when confirmed."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical {
        width: 80%; max-width: 80; height: auto; border: round $warning; background: $surface;
        padding: 0 1;
    }
    Confirm Label { text-style: bold; }
    """

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            if self.detail:
                yield Static(self.detail)
            yield Static("[b]y[/b]/enter: yes   [b]n[/b]/escape: no")

    def action_answer(self, yes: bool) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(yes)
