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
        shown = _titles_that_fit(entries, current, width)
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, (key, title, name) in enumerate(entries):
            if i:
                out.append(" ")
            style = "reverse" if name == current else ""
            out.append(key, style=f"bold {style}".strip())
            if i in shown:
                out.append(f" {title}", style=style)
        self.update(out, layout=False)


def _titles_that_fit(entries, current, width: int) -> set[int]:
    """Which entries show their title: all when they fit, else the current screen's and then
    its nearest neighbours' (whole words, never cut), the others showing only their key (`?`
    lists every screen)."""
    base = sum(len(k) for k, _t, _n in entries) + len(entries) - 1
    here = next((i for i, (_k, _t, n) in enumerate(entries) if n == current), 0)
    order = sorted(range(len(entries)), key=lambda i: (i != here, abs(i - here), i))
    shown: set[int] = set()
    used = base
    for i in order:
        extra = 1 + len(entries[i][1])
        if used + extra <= width:
            shown.add(i)
            used += extra
    return shown
