"""The footer's navigation line: every screen with its key, the current one highlighted.

Screens' own keys fill the Footer below it; this line stays the same on every screen, so
the way to every screen is always in view (also in an 80-column terminal, where titles are
shortened to fit).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class NavBar(Static):
    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; padding: 0 0 0 1; }
    """

    def on_mount(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        specs = getattr(self.app, "specs", [])
        current = getattr(self.screen, "registry_name", None)
        width = max(20, self.size.width - 1)
        entries = [(s.key, s.title, s.name) for s in specs]
        entries.append(("?", "Help", None))
        cut = max(len(t) for _k, t, _n in entries) if entries else 0
        while cut > 3 and _length(entries, cut) > width:
            cut -= 1
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, (key, title, name) in enumerate(entries):
            if i:
                out.append(" ")
            style = "reverse" if name == current else ""
            out.append(key, style=f"bold {style}".strip())
            label = title if len(title) <= cut else title[:cut]
            out.append(f" {label}", style=style)
        self.update(out)


def _length(entries, cut: int) -> int:
    return sum(len(k) + 1 + min(len(t), cut) for k, t, _n in entries) + len(entries) - 1
