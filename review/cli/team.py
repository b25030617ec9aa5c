"""`review push URL`, `review pull URL`, `review merge OTHER`: team work with and without a
server."""

from __future__ import annotations

import typer

from review.cli.context import JSON_OUT, print_json, rich_progress, show_progress, workspace


def _report(checks, json_out: bool, what: str, where: str) -> None:
    if json_out:
        print_json({what: where, "tables": [c.to_dict() for c in checks]})
        return
    rows = sum(c.rows_source for c in checks)
    typer.echo(
        f"{what}: {rows} rows in {len(checks)} tables copied to {where}, every table checked"
    )
    for c in checks:
        typer.echo(
            f"  {c.table:<22} {c.rows_source:>9} rows  sha256 {c.checksum_source[:16]}  same"
        )


def _progress(json_out: bool):
    if not show_progress(json_out):
        return None, lambda table, done, total: None
    bar = rich_progress()
    task = bar.add_task("copying", total=None)

    def step(table: str, done: int, total: int) -> None:
        bar.update(task, description=f"copying {table}", completed=done, total=total or None)

    return bar, step


def push(
    ctx: typer.Context,
    url: str = typer.Argument(
        ..., help="The empty database to copy into (postgresql+psycopg://…)."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Copy this workspace's database into an empty database (a team's PostgreSQL server)."""
    from review.coding.team import push as push_workspace
    from review.store.workspace import shown_url

    ws = workspace(ctx)
    bar, step = _progress(json_out)
    if bar is None:
        checks = push_workspace(ws.engine, url, progress=step)
    else:
        with bar:
            checks = push_workspace(ws.engine, url, progress=step)
    _report(checks, json_out, "pushed", shown_url(url))


def pull(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The database to copy from (postgresql+psycopg://…)."),
    json_out: bool = JSON_OUT,
) -> None:
    """Copy a server's database into this workspace's empty database."""
    from review.coding.team import pull as pull_workspace
    from review.store.workspace import shown_url

    ws = workspace(ctx)
    bar, step = _progress(json_out)
    if bar is None:
        checks = pull_workspace(url, ws.engine, progress=step)
    else:
        with bar:
            checks = pull_workspace(url, ws.engine, progress=step)
    _report(checks, json_out, "pulled", shown_url(ws.db_url))


def merge(
    ctx: typer.Context,
    other: str = typer.Argument(..., help="The other workspace: its folder, or its database URL."),
    json_out: bool = JSON_OUT,
) -> None:
    """Merge another workspace's codes, codings and memos of the same sources into this one."""
    from review.coding.merge import merge_workspace, summary
    from review.store.workspace import Workspace, open_database

    ws = workspace(ctx)
    if "://" in other:
        theirs = open_database(other)
    else:
        theirs = Workspace.open(other).engine
    try:
        report = merge_workspace(ws.engine, theirs)
    finally:
        theirs.dispose()
    if json_out:
        print_json(report.to_dict())
        return
    for line in summary(report):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command("push")(push)
    app.command("pull")(pull)
    app.command("merge")(merge)
