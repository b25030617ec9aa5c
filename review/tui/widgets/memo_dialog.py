"""A one-field dialog for a memo (enter saves, escape cancels)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class MemoDialog(ModalScreen[str | None]):
    """Returns the memo text, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    MemoDialog { align: center middle; }
    MemoDialog > Vertical {
        width: 80%; max-width: 90; height: auto; border: round $accent; background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, about: str, value: str = "") -> None:
        super().__init__()
        self.about = about
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Memo[/b] on {self.about}  (enter saves, escape cancels)")
            yield Input(value=self.value, placeholder="your note…", id="memo-text")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
