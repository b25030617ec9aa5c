"""The CLI loads a command's module only when that command runs (speed is in bench/, not here).

What is checked: the command table in `review.cli.commands` names every command each module
registers, with the help that command really has; `review --help` lists them all without
importing any command module; `review status` imports none of the heavy libraries the other
commands need. Each runs in a fresh interpreter, since this test process has imported
everything already.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

from typer.core import TyperCommand

import review.cli
from review.cli.commands import COMMANDS, load

HEAVY = {"spacy", "textual", "docx", "openpyxl", "rapidfuzz", "bibtexparser", "pypdf", "rispy"}


def _command_modules() -> list[str]:
    names = (f"review.cli.{info.name}" for info in pkgutil.iter_modules(review.cli.__path__))
    return [name for name in names if hasattr(importlib.import_module(name), "register")]


def test_the_table_names_every_registered_command_with_its_help():
    registered = {}
    for name in _command_modules():
        for command_name, command in load(name).items():
            registered[command_name] = (name, command.get_short_help_str(10_000))
    table = {
        name: (entry.module, TyperCommand(name=name, help=entry.help).get_short_help_str(10_000))
        for name, entry in COMMANDS.items()
    }
    assert table == registered


def _modules_after(*args: str, cwd) -> set[str]:
    """Top-level module names in `sys.modules` after `review ARGS` in a fresh interpreter."""
    code = (
        "import io, contextlib, json, sys\n"
        "from review.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main({list(args)!r})\n"
        "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    doc = json.loads(proc.stdout)
    assert doc["code"] == 0, proc.stderr
    return doc


def test_status_imports_no_heavy_library(ws):
    doc = _modules_after("-w", str(ws.root), "status", cwd=ws.root)
    assert "sources" in doc["out"]
    top = {name.split(".")[0] for name in doc["modules"]}
    assert top & HEAVY == set()
    assert "alembic" not in top  # (the database is already up to date: one PRAGMA)
    assert "review.store.models" not in doc["modules"]  # (counted by table name)
    commands = {name for name in doc["modules"] if name.startswith("review.cli.")}
    # (review.cli.terminal: the stdout/stderr filter every command prints through)
    allowed = {"commands", "context", "workspace_cmds", "terminal"}
    assert commands <= {f"review.cli.{name}" for name in allowed}


def test_help_lists_every_command_without_importing_their_modules(tmp_path):
    doc = _modules_after("--help", cwd=tmp_path)
    listed = doc["out"].split("Commands:")[1]
    assert [line.split()[0] for line in listed.strip().splitlines()] == list(COMMANDS)
    loaded = {name for name in doc["modules"] if name.startswith("review.")}
    assert loaded <= {
        "review.cli",
        "review.cli.commands",
        "review.cli.context",
        "review.cli.workspace_cmds",
        "review.cli.terminal",  # (what every command prints goes through it)
        "review.safetext",
        "review.errors",
        "review.logs",
    }, loaded
    assert {name.split(".")[0] for name in doc["modules"]} & (HEAVY | {"sqlalchemy"}) == set()


def test_a_command_is_loaded_when_called_and_a_typo_is_still_suggested(cli, ws):
    res = cli("-w", ws.root, "statu")
    assert res.code == 2 and "Did you mean 'status'?" in res.err
    res = cli("-w", ws.root, "participants", "--json")
    assert res.code == 0 and res.json() is not None


def test_the_program_entry_runs_main_and_exits_with_its_status(ws, monkeypatch):
    # `review` (console script) and `python -m review` go through `run`: main's exit status,
    # with the objects alive at the end kept out of the interpreter's final collections.
    import gc

    monkeypatch.setattr(review.cli, "main", lambda: 3)
    try:
        assert review.cli.run() == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # (this test process goes on)
    out = subprocess.run(
        [sys.executable, "-m", "review", "-w", str(ws.root), "status"],
        capture_output=True,
        text=True,
        cwd=ws.root,
    )
    assert out.returncode == 0 and "sources" in out.stdout, out.stderr
