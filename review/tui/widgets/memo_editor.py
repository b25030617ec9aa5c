"""A multi-line memo editor: enter starts a new line, ctrl+s saves, escape cancels.

Nothing typed is lost without a word: ctrl+s on an empty new memo stays open and says there is
nothing to save (it closed as if saved, and nothing was), and escape on a changed memo asks
"Discard this memo?" first (it dropped a long memo at once); an unchanged one closes at once.
A memo that had text and is saved empty is still returned, empty: its caller asks whether to
remove it (the Reader, the Codebook, the Memos screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from review.tui.widgets.in_order import InOrderTextArea

HINT = "ctrl+s save · escape cancel · enter a new line"
NOTHING = "Nothing to save: the memo is empty · type it, or escape"


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
    MemoEditor #memo-hint.-refused { color: $warning; }
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
            yield Static(HINT, id="memo-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Typing after "nothing to save" puts the usual hint back."""
        hint = self.query_one("#memo-hint", Static)
        if hint.has_class("-refused"):
            hint.update(HINT)
            hint.remove_class("-refused")

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip() and not self.value.strip():  # nothing to save, nothing to remove
            hint = self.query_one("#memo-hint", Static)
            hint.update(NOTHING)
            hint.add_class("-refused")
            self.app.bell()
            return
        self._answer(text)

    def action_cancel(self) -> None:
        if self._answered:
            return
        if self.query_one(TextArea).text == self.value:
            self._answer(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._answer(None)
            else:
                self.query_one(TextArea).focus()

        self.app.push_screen(DiscardMemo(), answered)

    def _answer(self, value: str | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)


class DiscardMemo(ModalScreen[bool]):
    """ "Discard this memo?" over a changed memo: `y` discards; `n`, escape or enter goes back
    to it. Not the `Confirm` dialog, whose enter means yes: a reviewer who pressed escape by
    mistake and then enter for a new line would lose the memo."""

    BINDINGS = [
        Binding("y", "answer(True)", "Discard"),
        Binding("n,escape,enter", "answer(False)", "Keep editing"),
    ]
    DEFAULT_CSS = """
    DiscardMemo { align: center middle; }
    DiscardMemo > Vertical {
        width: 60%; max-width: 70; height: auto; border: round $warning; background: $surface;
        padding: 0 1;
    }
    DiscardMemo Label { text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Discard this memo?")
            yield Static("What you typed is not saved.")
            yield Static("[b]y[/b]: discard   [b]n[/b]/escape: back to the memo")

    def action_answer(self, discard: bool) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(discard)
