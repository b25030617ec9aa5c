"""A fuzzy code list: type part of a code's name (or its path), pick it with enter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


@dataclass
class CodeChoice:
    id: int
    path: str
    shortcut: str | None = None
    colour: str | None = None
    definition: str | None = None


def rank(query: str, choices: list[CodeChoice], limit: int = 50) -> list[CodeChoice]:
    """Codes whose path matches `query` best (all of them, in order, for an empty query)."""
    q = query.strip().lower()
    if not q:
        return choices[:limit]
    from rapidfuzz import fuzz, process

    hits = process.extract(
        q, [c.path.lower() for c in choices], scorer=fuzz.WRatio, limit=limit, score_cutoff=50
    )
    hits.sort(key=lambda h: (q not in h[0], -h[1], h[2]))
    return [choices[h[2]] for h in hits]


class CodePicker(ModalScreen[int | None]):
    """Returns the chosen code's id, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]
    DEFAULT_CSS = """
    CodePicker { align: center middle; }
    CodePicker > Vertical {
        width: 80%; max-width: 90; height: 80%; border: round $accent; background: $surface;
    }
    CodePicker OptionList { height: 1fr; }
    CodePicker #code-definition { height: auto; max-height: 5; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, choices: list[CodeChoice], title: str = "Pick a code") -> None:
        super().__init__()
        self.choices = choices
        self.title_text = title
        self.shown: list[CodeChoice] = []
        self._answered = False  # a second enter before the dialog closes must not pop twice

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/b]  (type to filter, enter to pick)")
            yield Input(placeholder="code name…", id="code-query")
            yield OptionList(id="code-options")
            yield Static("", id="code-definition")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        self.shown = rank(query, self.choices)
        options = self.query_one(OptionList)
        options.clear_options()
        for c in self.shown:
            label = Text()
            label.append("■ ", style=c.colour or "")
            label.append(f"[{c.shortcut}] " if c.shortcut else "    ")
            label.append(c.path)
            options.add_option(Option(label, id=str(c.id)))
        if self.shown:
            options.highlighted = 0
            self._define(0)

    def _define(self, index: int | None) -> None:
        text = ""
        if index is not None and 0 <= index < len(self.shown):
            text = self.shown[index].definition or ""
        self.query_one("#code-definition", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._define(event.option_index)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            self._answer(self.shown[options.highlighted or 0].id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._answer(int(event.option.id))

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, code_id: int | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(code_id)
