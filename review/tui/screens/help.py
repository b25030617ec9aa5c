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

    def __init__(self, current: str | None = None) -> None:
        """`current`: the registry name of the screen it was opened from, whose keys come
        first (a walk found `?` on the Brief screen opening at the Library's keys, the
        Brief's own ten screens further down)."""
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-text"):
            yield from self._styled()

    def _styled(self) -> list[Static]:
        """Headings bold; under each, a grid of key and description, so a description that
        wraps goes on under the description column (its own hanging indent) instead of at the
        left margin; keys like `[` are Text, never markup. One widget a section, so the
        opening screen's can be found."""
        sections = self.sections()
        width = max(len(k) for _, _, rows in sections for k, _ in rows)
        out = [Static(Text("review workbench: keys", style="bold"))]
        for name, title, rows in sections:
            grid = Table.grid(padding=(0, 0, 0, 2), pad_edge=True)  # two cells before each
            grid.add_column(width=width, no_wrap=True)
            grid.add_column(ratio=1, overflow="fold")
            for key, desc in rows:
                grid.add_row(Text(key), Text(desc))
            parts: list[RenderableType] = [Text(""), Text(title, style="bold"), grid]
            out.append(Static(Group(*parts), id=f"help-{name}" if name else None))
        out.append(Static(Group(Text(""), Text(CLOSING))))
        return out

    def sections(self) -> list[tuple[str | None, str, list[tuple[str, str]]]]:
        """Every key, as (screen name or None, heading, keys): the opening screen's own
        first, then those that work everywhere, then every other screen's."""
        app = self.app
        everywhere = [("ctrl+p", "command palette (every screen and command)")]
        everywhere += [(spec.key, f"{spec.title} — {spec.help}") for spec in app.specs]
        everywhere += _keys(type(app).BINDINGS)
        out: list[tuple[str | None, str, list[tuple[str, str]]]] = [
            (None, "Everywhere", everywhere)
        ]
        for spec in app.specs:
            keys = _keys(getattr(spec.screen, "BINDINGS", []))
            extra = getattr(spec.screen, "HELP_KEYS", [])
            if keys or extra:
                out.append((spec.name, f"{spec.title} ({spec.key})", keys + list(extra)))
        here = [x for x in out if x[0] is not None and x[0] == self.current]
        if here:
            name, title, rows = here[0]
            out.remove(here[0])
            out.insert(0, (name, f"{title}: this screen", rows))
        return out

    def help_text(self) -> str:
        """The same as plain text, one key a line."""
        lines = ["review workbench: keys"]
        for _name, title, rows in self.sections():
            lines += ["", title, *(f"  {k:<14} {d}" for k, d in rows)]
        lines += ["", CLOSING]
        return "\n".join(lines)

    async def action_dismiss(self, result=None) -> None:
        if self.is_active:  # a second key before the help closes must not pop twice
            self.dismiss()
