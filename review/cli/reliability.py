"""`review backup [-o FILE]`, `review restore FILE [--force]`, `review doctor [--fix]`."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import JSON_OUT, print_json, print_result, workspace


def backup(
    ctx: typer.Context,
    output: Path = typer.Option(
        None, "-o", "--output", help="The backup file (default: .review/backups/review-TIME.db)."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Back up the workspace database (consistent while others write) to one SQLite file.

    On SQLite: SQLite's online backup, including what is still in the -wal file. On
    PostgreSQL: a logical copy of every table into a SQLite file. Written to a temporary
    file and renamed into place, then integrity-checked.
    """
    from review.store.backup import backup as run
    from review.store.backup import default_target

    ws = workspace(ctx)
    target = output or default_target(ws.db_url, ws.root)
    if target.is_dir():
        target = target / default_target(ws.db_url).name
    result = run(ws.engine, target)
    doc = {"backup": str(result.path), "bytes": result.bytes, "tables": result.tables}
    print_result(json_out, doc, f"backed up to {result.path} ({result.bytes:,} bytes)")


def restore(
    ctx: typer.Context,
    source: Path = typer.Argument(..., help="A backup made by `review backup`."),
    force: bool = typer.Option(False, "--force", help="Replace an existing database."),
    json_out: bool = JSON_OUT,
) -> None:
    """Replace the workspace database with a backup (the replaced one is kept beside it).

    The backup is checked first (an intact review database); without --force an existing
    database is never replaced. Close the workbench first.
    """
    from review.store.backup import restore as run

    ws = workspace(ctx)
    ws.close()
    kept = run(ws.db_url, source, force)
    line = f"restored {source}" + (f"; the replaced database is kept as {kept}" if kept else "")
    print_result(json_out, {"restored": str(source), "kept": kept and str(kept)}, line)


def doctor(
    ctx: typer.Context,
    fix: bool = typer.Option(False, "--fix", help="Repair what is safe to repair."),
    json_out: bool = JSON_OUT,
) -> None:
    """Check the database: integrity, foreign keys, the search index, coded quotes, codes.

    --fix rebuilds the search index and re-anchors codings whose quote occurs once in their
    source's text, and says what it did; the rest is reported with what to do. Exit status 1
    when a problem remains.
    """
    from review.store.doctor import diagnose

    ws = workspace(ctx)
    findings = diagnose(ws.engine, fix=fix)
    bad = [f for f in findings if not f.ok]
    if json_out:
        print_json({"checks": [f.to_dict() for f in findings], "ok": not bad})
    else:
        for f in findings:
            state = "ok" if not f.problems else ("fixed" if f.ok else f"{f.problems} problem(s)")
            line = f"{f.check}: {state}"
            if f.detail:
                line += f" ({f.detail})"
            typer.echo(line)
            for example in f.examples:
                typer.echo(f"  {example}")
            if f.problems and f.fix:
                typer.echo(f"  {f.fix}")
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("doctor")(doctor)
