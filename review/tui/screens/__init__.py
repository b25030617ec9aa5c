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

Keep screen modules cheap to import: the app reads these constants from the source without
importing the module, and imports it (and whatever it imports) when the screen is first shown.

Keys in use: f2 Library, f3 Import, f4 Reader, f5 Codebook, f6 Excerpts. Left for others:
f7 Duplicates, f8 Screening, f9 Indicators, f10 Brief (any free key works; the app refuses
a clash with a clear message at start-up). Modules whose names start with `_` are helpers and
are not screens.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from textual.screen import Screen

FIELDS = ("NAME", "KEY", "TITLE", "ORDER", "HELP")


@dataclass(frozen=True)
class ScreenSpec:
    """What the app needs to know about one screen module (the module loads on first use)."""

    name: str
    key: str
    title: str
    module: str
    order: int = 50
    help: str = ""

    @cached_property
    def screen(self) -> type[Screen]:
        """The Screen class, importing its module now (not at start-up)."""
        return importlib.import_module(self.module).SCREEN


class RegistryError(Exception):
    """Two screen modules claim the same name or key, or a module is incomplete."""


def discover() -> list[ScreenSpec]:
    """Every screen module in this package, in navigation order.

    The constants are read from each module's source (literal assignments), so start-up does
    not import every screen and the services behind it; a module whose constants are not
    literals is imported instead.
    """
    specs: list[ScreenSpec] = []
    folder = Path(__path__[0])
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = f"{__name__}.{info.name}"
        values = _constants(folder / f"{info.name}.py")
        if values is None:
            continue  # a helper module without a screen
        missing = [a for a in ("NAME", "KEY", "TITLE") if a not in values]
        if missing:
            raise RegistryError(f"screen module {info.name} lacks {', '.join(missing)}")
        specs.append(
            ScreenSpec(
                name=values["NAME"],
                key=values["KEY"],
                title=values["TITLE"],
                module=module,
                order=values.get("ORDER", 50),
                help=values.get("HELP", ""),
            )
        )
    specs.sort(key=lambda s: (s.order, s.name))
    _check_unique(specs)
    return specs


def _constants(path: Path) -> dict | None:
    """NAME, KEY, ... of a screen module; None if it declares no SCREEN."""
    try:
        tree = ast.parse(path.read_text("utf-8"))
    except (OSError, SyntaxError):
        return _imported(path)
    values: dict = {}
    has_screen = False
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id == "SCREEN":
            has_screen = True
        elif target.id in FIELDS:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return _imported(path)
    return values if has_screen else None


def _imported(path: Path) -> dict | None:
    module = importlib.import_module(f"{__name__}.{path.stem}")
    if getattr(module, "SCREEN", None) is None:
        return None
    return {f: getattr(module, f) for f in FIELDS if hasattr(module, f)}


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
