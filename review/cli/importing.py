"""`review import PATH... [--strict] [--format NAME] [--database NAME] [--json]`."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer

from review import safetext
from review.cli.context import print_json, rich_progress, session, show_progress, workspace
from review.errors import UsageError
from review.importers import import_paths
from review.ingest import pipeline

SHOWN_PROBLEMS = 20  # per file on a terminal; --json always lists them all


@contextmanager
def _file_progress(enabled: bool):
    """A Rich bar on stderr: one task per file, records done of the file's total when known."""
    if not enabled:
        yield (lambda path, index, total: None), (lambda done, total: None)
        return
    from rich.markup import escape

    with rich_progress(elapsed=True) as bar:
        state: dict = {"task": None}

        def on_file(path: Path, index: int, total: int) -> None:
            if state["task"] is not None:
                bar.remove_task(state["task"])
            name = escape(safetext.terminal(pipeline.shown(path.name)))  # (Rich markup)
            state["task"] = bar.add_task(f"[{index + 1}/{total}] {name}", total=None)

        def progress(done: int, total: int | None) -> None:
            if state["task"] is not None:
                bar.update(state["task"], completed=done, total=total)

        yield on_file, progress


def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Files or folders (recursive)."),
    strict: bool = typer.Option(False, "--strict", help="A file with any error imports nothing."),
    fmt: str = typer.Option(None, "--format", help="Force a format instead of detecting it."),
    undo: int = typer.Option(
        None, "--undo", metavar="BATCH", help="Undo import batch BATCH (see --batches)."
    ),
    force: bool = typer.Option(
        False, "--force", help="With --undo: also remove later work on its sources."
    ),
    database: str = typer.Option(
        None,
        "--database",
        metavar="NAME",
        help="The database the files' records were found in (PRISMA's records identified "
        "per database), for exports that do not say (Zotero, Mendeley, JabRef, ACM, IEEE) "
        "or name only their provider; replaces what the file says.",
    ),
    batches: bool = typer.Option(False, "--batches", help="List the import batches."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Import literature, transcripts, documents and more; the format is read from content.

    Each file is one transaction: a malformed record is reported (file, line, why) and the
    rest of the file still lands, unless --strict. Re-importing a file adds nothing.
    Exit status 1 when any record or file was rejected. `--undo BATCH` removes exactly what
    one import added; `--batches` lists them.
    """
    if undo is not None or batches:
        if paths:
            raise UsageError("--undo and --batches take no paths")
        if database is not None:
            raise UsageError("--database goes with files to import")
        if undo is not None:
            _undo(ctx, undo, force, json_out)
        else:
            _batches(ctx, json_out)
        return
    if not paths:
        ctx.fail(
            "Missing argument 'PATHS...': files or folders to import (or --undo BATCH, --batches)"
        )
    if database is not None and not database.strip():
        raise UsageError("--database needs a name: --database 'Google Scholar'")
    ws = workspace(ctx)
    paths = [_in_workspace(p, ws.root) for p in paths]
    _not_a_subcommand(paths)
    with _file_progress(show_progress(json_out)) as (on_file, progress):
        try:
            reports = import_paths(
                ws.engine,
                paths,
                strict=strict,
                wanted=fmt,
                on_file=on_file,
                progress=progress,
                options={"coder": ws.coder, "workspace": str(ws.root), "database": database},
            )
        except ValueError as exc:  # an unknown --format name
            raise typer.BadParameter(str(exc), param_hint="--format") from exc
    failed = any(not r.ok for r in reports)
    if json_out:
        print_json({"files": [r.to_dict() for r in reports], "ok": not failed})
    else:
        for r in reports:
            typer.echo(r.summary())
            # errors first: they are what the user must act on
            ordered = sorted(r.problems, key=lambda p: p.severity != "error")
            for p in ordered[:SHOWN_PROBLEMS]:
                typer.echo(f"  {p}", err=p.severity == "error")
            if len(ordered) > SHOWN_PROBLEMS:
                more = len(ordered) - SHOWN_PROBLEMS
                typer.echo(f"  … and {more} more problem(s); `--json` lists them all", err=True)
        total = sum(r.imported for r in reports)
        typer.echo(f"{len(reports)} file(s), {total} record(s) imported")
    if failed:
        raise typer.Exit(1)


# words a user may type as if `import` had subcommands (`review import list`), where no such
# file is there: the option they meant, not "list: no such file or folder"
_MEANT = {"list": "--batches", "ls": "--batches", "batches": "--batches", "undo": "--undo BATCH"}


def _not_a_subcommand(paths: list[Path]) -> None:
    for p in paths:
        meant = _MEANT.get(str(p).lower())
        if meant and not p.exists():
            what = "lists the import batches" if meant == "--batches" else "undoes one"
            raise UsageError(f"no file or folder '{p}' to import: `review import {meant}` {what}")


def _in_workspace(path: Path, root: Path) -> Path:
    """A relative path that is not there from the current folder but is in the workspace
    (`review -w ws import corpus`, as `review init` suggests) means the workspace's."""
    if path.is_absolute() or path.exists():
        return path
    inside = Path(root) / path
    return inside if inside.exists() else path


def _undo(ctx: typer.Context, batch_id: int, force: bool, json_out: bool) -> None:
    from review.ingest.mend import undo_batch
    from review.store.backup import auto_backup

    auto_backup(workspace(ctx).engine, "undo")  # (a way back from the way back)
    with session(ctx) as s:
        done = undo_batch(s, batch_id, force=force)
        doc = done.to_dict()
        what = done.removed.describe()
    if json_out:
        print_json({"undone": doc})
        return
    parts = []
    if done.sources or not (done.indicators or done.fulltexts):
        parts.append(f"{len(done.sources)} source(s)")
    if done.indicators:
        parts.append(f"{done.indicators} indicator(s)")
    if done.fulltexts:
        parts.append(f"the full text of {', '.join(done.fulltexts)}")
    added = ", ".join(parts)
    typer.echo(f"undid import batch {batch_id} ({done.path}, {done.format}): removed {added}")
    typer.echo(f"  with them: {what}")
    if done.note:
        typer.echo(f"  kept: {done.note}")


def _batches(ctx: typer.Context, json_out: bool) -> None:
    from review.ingest.mend import batches

    with session(ctx, write=False) as s:
        rows = [
            {
                "id": b.id,
                "path": b.path,
                "format": b.format,
                "status": b.status,
                "records": b.n_records,
                "imported": b.n_imported,
                "started": b.started,
            }
            for b in batches(s, limit=1000)
        ]
    if json_out:
        print_json({"batches": rows})
        return
    for r in rows:
        started = r["started"]
        when = started.strftime("%Y-%m-%d %H:%M") if isinstance(started, datetime) else ""
        typer.echo(
            f"{r['id']:>5} {when} {r['format']:<15} {r['status']:<10} "
            f"{r['imported']:>6} of {r['records']:<6} {r['path']}"
        )
    if not rows:
        typer.echo("no imports yet")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
