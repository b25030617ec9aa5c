"""The frame every workbench screen shares: header, body, status line, footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from review.tui.widgets.status_line import StatusLine


class WorkbenchScreen(Screen):
    """Base for registry screens: subclasses implement `compose_body` (and keep keys local)."""

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield from self.compose_body()
        yield StatusLine()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def notify_error(self, exc: Exception) -> None:
        """Service errors are shown as one line, never a traceback."""
        self.notify(str(exc) or type(exc).__name__, severity="error", timeout=6)
