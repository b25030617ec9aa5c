"""The workbench's screens, one module each, found automatically.

Adding a screen is adding one module here. The module declares:

    NAME = "duplicates"          # unique id; also the Textual mode name
    KEY = "f7"                   # the single key that switches to it (shown in the footer)
    TITLE = "Duplicates"         # shown in the footer, the header and the command palette
    ORDER = 70                   # position in the navigation (lower comes first)
    HELP = "Merge or keep apart duplicate records."   # one line for the palette and `?`
    SCREEN = DuplicatesScreen    # a `textual.screen.Screen` subclass (built with no arguments)

The app (`review/tui/app.py`) turns every module into a Textual *mode*, binds KEY to it, lists
it in the footer, the help screen and the command palette. Screens reach the workspace through
`self.app.ws` and open a transaction with `with self.app.session() as s:`; they call service
functions (never SQL of their own) so that the CLI can do the same thing.

Keys in use: f2 Library, f3 Import, f4 Reader, f5 Codebook, f6 Excerpts. Left for others:
f7 Duplicates, f8 Screening, f9 Indicators, f10 Brief (any free key works; the app refuses
a clash with a clear message at start-up). Modules whose names start with `_` are helpers and
are not screens.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class ScreenSpec:
    """What the app needs to know about one screen module."""

    name: str
    key: str
    title: str
    screen: type[Screen]
    order: int = 50
    help: str = ""


class RegistryError(Exception):
    """Two screen modules claim the same name or key, or a module is incomplete."""


def discover() -> list[ScreenSpec]:
    """Every screen module in this package, in navigation order."""
    specs: list[ScreenSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        screen = getattr(module, "SCREEN", None)
        if screen is None:
            continue  # a helper module without a screen
        missing = [a for a in ("NAME", "KEY", "TITLE") if not hasattr(module, a)]
        if missing:
            raise RegistryError(f"screen module {info.name} lacks {', '.join(missing)}")
        specs.append(
            ScreenSpec(
                name=module.NAME,
                key=module.KEY,
                title=module.TITLE,
                screen=screen,
                order=getattr(module, "ORDER", 50),
                help=getattr(module, "HELP", ""),
            )
        )
    specs.sort(key=lambda s: (s.order, s.name))
    _check_unique(specs)
    return specs


def _check_unique(specs: list[ScreenSpec]) -> None:
    for attr in ("name", "key"):
        seen: dict[str, str] = {}
        for spec in specs:
            value = getattr(spec, attr)
            if value in seen:
                raise RegistryError(
                    f"screens {seen[value]!r} and {spec.name!r} both use {attr} {value!r}"
                )
            seen[value] = spec.name
