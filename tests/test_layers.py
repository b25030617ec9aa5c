"""Layer guard: nothing below the interfaces imports Textual, Typer, Click or Rich.

Domain and storage code must stay usable from scripts, tests and both interfaces.
"""

from __future__ import annotations

import ast
from pathlib import Path

import review

PACKAGE = Path(review.__file__).parent
INTERFACES = {"cli", "tui", "__main__.py"}
FORBIDDEN = {"textual", "typer", "click", "rich"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
            if node.module.startswith("review.cli") or node.module.startswith("review.tui"):
                found.add("review-interface")
    return found


def test_no_interface_imports_below_the_interfaces():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in INTERFACES:
            continue
        bad = _imports(path) & (FORBIDDEN | {"review-interface"})
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []


def test_guard_would_catch_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from textual.app import App\nimport typer\nfrom review.tui import x\n")
    assert {"textual", "typer", "review-interface"} <= _imports(bad)
