"""`review init`, `review status` and the global options."""

from __future__ import annotations

from pathlib import Path

import typer

from review import logs
from review.cli.context import JSON_OUT, Options, options, print_json, session, workspace

GETTING_STARTED = """\
Getting started:
  review import corpus/        load literature, transcripts and indicators from corpus/
  review status                see what is in the workspace
  review --help                every command
"""


def root(
    ctx: typer.Context,
    workspace_dir: str = typer.Option(
        None, "-w", "--workspace", envvar="REVIEW_WORKSPACE", help="Workspace folder."
    ),
    db: str = typer.Option(
        None, "--db", envvar="REVIEW_DATABASE_URL", help="SQLAlchemy database URL."
    ),
    coder: str = typer.Option(None, "--coder", envvar="REVIEW_CODER", help="Your coder name."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Evidence-review manager. With no command, opens the workbench on the workspace."""
    ctx.obj = Options(workspace_dir, db, coder, debug)
    ctx.call_on_close(ctx.obj.close)  # a server connection does not outlive the command
    logs.configure(workspace_dir or ".")  # bugs are logged in WORKSPACE/.review/review.log
    if ctx.invoked_subcommand is None:
        default_action(ctx)


def default_action(ctx: typer.Context) -> None:
    """What a bare `review` does: the workbench at a terminal, else the status and help."""
    from review.cli import tui

    if tui.interactive():
        return tui.open_workbench(ctx)
    _print_status(ctx)
    typer.echo("")
    typer.echo(GETTING_STARTED, nl=False)


def init(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Folder to make into a workspace."),
    db: str = typer.Option(
        None,
        "--db",
        help="Database URL (e.g. a team's PostgreSQL server): the schema is created there and "
        "the workspace remembers it (.review/config.toml).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON report."),
) -> None:
    """Make a workspace: corpus/, codebook/, exports/ and the database. Never overwrites."""
    from review.store.workspace import init as init_workspace

    opts = options(ctx)
    ws, created = init_workspace(directory, db=db or opts.db)
    ws.close()
    if json_out:
        print_json(
            {"workspace": str(ws.root), "database": _safe_url(ws.db_url), "created": created}
        )
        return
    for path in created:
        typer.echo(f"created {path}")
    if not created:
        typer.echo(f"{ws.root} is already a workspace; nothing changed")
    typer.echo(f"next: put files in {ws.corpus} and run `review -w {directory} import corpus`")


def status(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """Counts: sources by kind, passages, codes, codings, indicators, decisions, ..."""
    from review.store.migrate import applied
    from review.store.status import counts

    if json_out:
        ws = workspace(ctx)
        with session(ctx, write=False) as s:
            doc = counts(s)
            schema = sorted(applied(s.connection()))
        print_json(
            {
                "workspace": str(ws.root),
                "database": _safe_url(ws.db_url),
                "schema": schema,
                "counts": doc,
            }
        )
        return
    _print_status(ctx)


def _print_status(ctx: typer.Context) -> None:
    from review.store.status import counts

    ws = workspace(ctx)
    with session(ctx, write=False) as s:
        doc = counts(s)
    typer.echo(f"workspace  {ws.root}")
    typer.echo(f"database   {_safe_url(ws.db_url)}")
    typer.echo(f"coder      {ws.coder}")
    from review.store.backup import is_read_only

    if is_read_only(ws.engine):
        typer.echo("notice     the database is read-only: opened for reading; writes refuse")
    by_kind = doc.pop("sources_by_kind")
    kinds = ", ".join(f"{k} {v}" for k, v in by_kind.items()) or "none"
    typer.echo(f"sources    {doc.pop('sources')} ({kinds})")
    for name, value in doc.items():
        line = f"{name.replace('_', ' '):<20} {value}"
        if name == "codes" and not value and ws.codebook_path.is_file():
            # a new workspace's codebook file is read by the first coding command or the TUI
            # (`ensure_codebook`); "codes 0" beside it read as a codebook that did not load
            where = (
                ws.codebook_path.relative_to(ws.root)
                if ws.codebook_path.is_relative_to(ws.root)
                else ws.codebook_path
            )
            line += f"  ({where} is loaded when first used: the TUI, a coding command)"
        typer.echo(line)


def _safe_url(url: str) -> str:
    from review.store.workspace import shown_url

    return shown_url(url)


def register(app: typer.Typer) -> None:
    app.callback(invoke_without_command=True)(root)
    app.command()(init)
    app.command()(status)
