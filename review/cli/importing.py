"""`review import PATH... [--strict] [--json]`."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import print_json, progress_bar, show_progress, workspace
from review.importing import import_paths


def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders (recursive)."),
    strict: bool = typer.Option(False, "--strict", help="A file with any error imports nothing."),
    fmt: str = typer.Option(None, "--format", help="Force a format instead of detecting it."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Import literature, transcripts, documents and more; the format is read from content."""
    ws = workspace(ctx)
    with progress_bar("importing", None, show_progress(json_out)) as advance:
        state = {"last": 0}

        def on_file(path: Path, index: int, total: int) -> None:
            state["last"] = 0

        def progress(done: int, total: int | None) -> None:
            advance(done - state["last"])
            state["last"] = done

        reports = import_paths(
            ws.engine,
            paths,
            strict=strict,
            wanted=fmt,
            on_file=on_file,
            progress=progress,
            options={"coder": ws.coder, "workspace": str(ws.root)},
        )
    failed = any(not r.ok for r in reports)
    if json_out:
        print_json({"files": [r.to_dict() for r in reports], "ok": not failed})
    else:
        for r in reports:
            line = f"{r.file}: {r.format or '?'}: {r.status}"
            if r.records or r.imported:
                line += f", {r.imported} of {r.records} records imported"
            if r.skipped:
                line += f", {r.skipped} skipped"
            if r.message:
                line += f" — {r.message}"
            typer.echo(line)
            for p in r.problems:
                typer.echo(f"  {p}", err=p.severity == "error")
        total = sum(r.imported for r in reports)
        typer.echo(f"{len(reports)} file(s), {total} record(s) imported")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
