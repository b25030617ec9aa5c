"""Shared pieces of the CLI: global options, the workspace, JSON output and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from review.cli import terminal

if TYPE_CHECKING:  # (the database layer is imported by the commands that use it)
    from sqlmodel import Session

    from review.store.workspace import Workspace


@dataclass
class Options:
    workspace: str | None
    db: str | None
    coder: str | None
    debug: bool
    _ws: Workspace | None = None

    def ws(self) -> Workspace:
        if self._ws is None:
            from review.store.workspace import Workspace

            self._ws = Workspace.open(self.workspace, db=self.db, coder=self.coder)
        return self._ws

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options(None, None, None, False)
    return root.obj


def workspace(ctx: typer.Context) -> Workspace:
    return options(ctx).ws()


@contextmanager
def session(ctx: typer.Context, *, write: bool = True) -> Iterator[Session]:
    """One transaction on the workspace's database (`write=False` for commands that only
    read: on SQLite they then never wait for another process's write lock)."""
    from review.store.db import session_scope

    ws = workspace(ctx)
    with session_scope(ws.engine, write=write) as s:
        s.info["coder"] = options(ctx).coder or ws.coder  # who edits (store/versions)
        yield s


def print_json(doc: Any) -> None:
    """The one JSON document `--json` promises on stdout."""
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=_default) + "\n")


EDIT_SHOWN = 100  # characters of a value an edit report shows (`--json` has all of it)


def field_value(value: object) -> str:
    """A field's value for a person, as an edit reports it ("title: old -> new"): a list
    joined with "; ", nothing as "(none)", a long text (an abstract) cut at a word with its
    length, so the report stays a line or two."""
    from review.ingest.citation import trim_words

    if value is None or value == []:
        return "(none)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    if len(text) <= EDIT_SHOWN:
        return text
    return f"{trim_words(text, EDIT_SHOWN)} ({len(text):,} characters)"


def print_result(json_out: bool, doc: Any, line: str) -> None:
    """A command's outcome: the JSON document with --json, else one line for a person."""
    if json_out:
        print_json(doc)
    else:
        typer.echo(line)


JSON_OUT = typer.Option(False, "--json", help="Print one JSON document.")


def _default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def show_progress(json_mode: bool) -> bool:
    """Progress bars only for a person at a terminal, never with --json."""
    return not json_mode and sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int | None, enabled: bool):
    """A Rich progress bar on stderr; yields `advance(n)` (a no-op when disabled)."""
    if not enabled:
        yield lambda n=1: None
        return
    with rich_progress() as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def rich_progress(elapsed: bool = False):
    """The CLI's one look for progress: description, bar, done/total and the time left (or,
    with `elapsed`, the time taken: when totals are unknown), on stderr, gone when done."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn() if elapsed else TimeRemainingColumn(),
        console=Console(file=terminal.raw(sys.stderr)),
        transient=True,
    )
