"""`?`: every key of the app and of every screen, read from the bindings themselves."""

from __future__ import annotations

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

    def _styled(self) -> Text:
        """Headings bold; keys and descriptions as plain text (keys like `[` are not markup)."""
        out = Text()
        for line in self.help_text().split("\n"):
            out.append(line + "\n", style="" if line.startswith("  ") or not line else "bold")
        return out

    def help_text(self) -> str:
        app = self.app
        lines = ["review workbench: keys", "", "Everywhere"]
        lines.append(f"  {'ctrl+p':<14} command palette (every screen and command)")
        for spec in app.specs:
            lines.append(f"  {spec.key:<14} {spec.title} — {spec.help}")
        for key, desc in _keys(type(app).BINDINGS):
            lines.append(f"  {key:<14} {desc}")
        for spec in app.specs:
            keys = _keys(getattr(spec.screen, "BINDINGS", []))
            extra = getattr(spec.screen, "HELP_KEYS", [])
            if keys or extra:
                lines += ["", f"{spec.title} ({spec.key})"]
                lines += [f"  {k:<14} {d}" for k, d in keys + list(extra)]
        lines += ["", "escape, q or ? closes this help."]
        return "\n".join(lines)

    async def action_dismiss(self, result=None) -> None:
        if self.is_active:  # a second key before the help closes must not pop twice
            self.dismiss()
