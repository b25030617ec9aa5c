"""Layer guard: the package reads like the user's day, and each layer imports only downward.

    base        review/errors.py, review/stats.py, review/logs.py, review/safetext.py,
                review/files.py, review/collector.py
                (no other review import)
    store       SQLModel tables, engine, migrations, workspace, coders, source classes
    ingest      parsers and importers, sources, passages, participants, citations
    screening   duplicates, screening decisions, PRISMA
    coding      codebook, codings, suggestions, agreement, search, library, .qdpx import
    evidence    survey indicators and evidence links
    outputs     the briefing note and every export
    importers   the formats of every stage, for the import pipeline
    tui, cli    the interfaces: parse input, call services, show results — no SQL (the CLI
                sits above the TUI because `review` with no command opens it)

Also: nothing below the interfaces imports Textual, Typer, Click or Rich, and no private
name (`_x`) is imported from another module. Domain and storage code must stay usable from
scripts, tests and both interfaces; a layer that reaches up or sideways makes the tree lie.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import review

PACKAGE = Path(review.__file__).parent
RANK = {
    "errors": 0,
    "stats": 0,
    "logs": 0,
    "safetext": 0,
    "collector": 0,
    "files": 0.5,  # base, but raises errors.ReviewError
    "data": 0,
    "store": 1,
    "ingest": 2,
    "screening": 3,
    "coding": 4,
    "evidence": 5,
    "outputs": 6,
    "importers": 7,
    "tui": 8,
    "cli": 9,  # the CLI opens the TUI (`review` with no command)
    "__main__": 10,
    "__init__": 0,  # review/__init__.py: the version only
}
INTERFACES = {"cli", "tui", "__main__"}
FORBIDDEN = {"textual", "typer", "click", "rich"}
SQL = re.compile(r"\bselect\(|\btext\(|\.exec\(|\.execute\(|\.scalars?\(|session\.get\(")


def layer(module: str) -> str:
    """'review.coding.search' -> 'coding'; 'review' itself -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(["review", *parts])


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every `import` and `from ... import` in the file, at any depth."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
    return found


def problems(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        me = module_of(path, root)
        mine = layer(me)
        if mine not in RANK:
            out.append(f"{me}: not in a known layer")
            continue
        for module, names in imports(path):
            top = module.split(".")[0]
            if top in FORBIDDEN and mine not in INTERFACES:
                out.append(f"{me}: imports {module} below the interfaces")
            if top != "review":
                continue
            theirs = layer(module)
            if theirs != mine and RANK.get(theirs, 99) >= RANK[mine]:
                out.append(f"{me} ({mine}) imports {module} ({theirs}): not downward")
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    out.append(f"{me}: imports private {module}.{name}")
            if any(p.startswith("_") and not p.startswith("__") for p in module.split(".")):
                out.append(f"{me}: imports private module {module}")
        if mine in INTERFACES:
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if SQL.search(code):
                    out.append(f"{me}:{n}: SQL in an interface: {line.strip()}")
    return out


def test_layers_import_only_downward_and_interfaces_hold_no_sql():
    assert problems(PACKAGE) == []


def test_the_guard_catches_each_kind_of_offender(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "bad.py").write_text(
        "from review.coding.codebook import find_code\nimport textual\n"
    )
    (tmp_path / "coding").mkdir()
    (tmp_path / "coding" / "ok.py").write_text("from review.ingest.sources import x\n")
    (tmp_path / "coding" / "private.py").write_text("from review.store.db import _hidden\n")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "sql.py").write_text(
        "import typer\ndef f(s):\n    return s.exec(select(1))\n"
    )
    (tmp_path / "misc.py").write_text("x = 1\n")
    found = problems(tmp_path)
    assert any("review.store.bad (store) imports review.coding.codebook" in p for p in found)
    assert any("review.store.bad: imports textual" in p for p in found)
    assert any("private review.store.db._hidden" in p for p in found)
    assert any("review.cli.sql:3: SQL in an interface" in p for p in found)
    assert any("review.misc: not in a known layer" in p for p in found)
    assert not any("review.coding.ok" in p for p in found)
    assert not any("review.cli.sql: imports typer" in p for p in found)
