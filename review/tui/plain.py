"""Text from outside shown as text: never Rich markup, never an `@click` action.

Textual reads a `str` given to a DataTable cell, a Static or a Label as markup: a title
containing `[/]` crashed the workbench (MarkupError) and `[@click=app.quit]…[/]` ran an
action when clicked. Cells go through `cells`, which escapes every string's markup (so it
is shown as written; a cell stays a `str`, as the screens and their tests read it back) and
drops control characters; strings inside markup of our own go through the same `escape`.
"""

from __future__ import annotations

from rich.text import Text
from textual.markup import escape

from review import safetext


def plain(value: object) -> object:
    """A `str` with its markup escaped (anything else, e.g. a number or a Text, unchanged)."""
    return escape(safetext.terminal(value)) if isinstance(value, str) else value


def cells(*values: object) -> list[object]:
    """A DataTable row's cells, each string plain."""
    return [plain(v) for v in values]


def fitted(value: object) -> Text:
    """A cell of outside text for a column narrower than it: shown as written (a Text is never
    read as markup), control characters dropped, ending in "…" when cut, so a cut shows."""
    return Text(safetext.terminal(str(value)), no_wrap=True, overflow="ellipsis")
