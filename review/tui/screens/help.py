"""`?`: every key of the app and of every screen, read from the bindings themselves."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from review.tui.app import ReviewApp


def _keys(bindings) -> list[tuple[str, str]]:
    out = []
    for b in bindings:
        if isinstance(b, Binding):
            key, desc = b.key_display or b.key, b.description
        else:
            key, _action, desc = (list(b) + [""])[:3]
        if desc:
            out.append((key.replace("question_mark", "?"), desc))
    return out


CLOSING = "escape, q or ? closes this help."


class HelpScreen(ModalScreen):
    """A scrollable list of keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]
    app = getters.app(ReviewApp)  # typed: it lists the workbench's screens (`app.specs`)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%; border: round $accent; padding: 0 1;
        background: $surface;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._styled(), id="help-text")

    def _styled(self) -> Group:
        """Headings bold; under each, a grid of key and description, so a description that
        wraps goes on under the description column (its own hanging indent) instead of at the
        left margin; keys like `[` are Text, never markup."""
        sections = self.sections()
        width = max(len(k) for _, rows in sections for k, _ in rows)
        parts: list[RenderableType] = [Text("review workbench: keys", style="bold")]
        for title, rows in sections:
            grid = Table.grid(padding=(0, 0, 0, 2), pad_edge=True)  # two cells before each
            grid.add_column(width=width, no_wrap=True)
            grid.add_column(ratio=1, overflow="fold")
            for key, desc in rows:
                grid.add_row(Text(key), Text(desc))
            parts += [Text(""), Text(title, style="bold"), grid]
        parts += [Text(""), Text(CLOSING)]
        return Group(*parts)

    def sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key: those that work everywhere first, then each screen's own."""
        app = self.app
        everywhere = [("ctrl+p", "command palette (every screen and command)")]
        everywhere += [(spec.key, f"{spec.title} — {spec.help}") for spec in app.specs]
        everywhere += _keys(type(app).BINDINGS)
        out = [("Everywhere", everywhere)]
        for spec in app.specs:
            keys = _keys(getattr(spec.screen, "BINDINGS", []))
            extra = getattr(spec.screen, "HELP_KEYS", [])
            if keys or extra:
                out.append((f"{spec.title} ({spec.key})", keys + list(extra)))
        return out

    def help_text(self) -> str:
        """The same as plain text, one key a line."""
        lines = ["review workbench: keys"]
        for title, rows in self.sections():
            lines += ["", title, *(f"  {k:<14} {d}" for k, d in rows)]
        lines += ["", CLOSING]
        return "\n".join(lines)

    async def action_dismiss(self, result=None) -> None:
        if self.is_active:  # a second key before the help closes must not pop twice
            self.dismiss()
