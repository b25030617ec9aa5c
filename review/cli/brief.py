"""`review brief [--format md,csv,html,docx] [-o DIR]`: the briefing note's tables."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import print_json, progress_bar, session, show_progress, workspace


def brief(
    ctx: typer.Context,
    formats: str = typer.Option("md,csv,html,docx", "--format", "-f", help="Comma-separated."),
    output: Path = typer.Option(None, "-o", "--output", help="Folder (default: exports/)."),
    attribute: list[str] = typer.Option(
        [],
        "--attribute",
        "-a",
        help="Participant attribute for table 4 (repeatable; default: every categorical one).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Write the evidence matrix, joint display, source characteristics, code-by-attribute
    and PRISMA tables (plus references) as Markdown, CSV, HTML and/or DOCX."""
    from review.briefing.render import FORMATS, write
    from review.briefing.tables import build
    from review.errors import UsageError

    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise UsageError(
            f"--format: unknown {', '.join(bad) or 'nothing'} (use {','.join(FORMATS)})"
        )
    ws = workspace(ctx)
    out_dir = output or ws.exports
    with progress_bar("briefing", 2, show_progress(json_out)) as advance:
        with session(ctx) as s:
            note = build(s, attribute or None)
        advance()
        files = write(note, out_dir, chosen)
        advance()
    doc = {
        "output": str(out_dir),
        "files": [str(f) for f in files],
        "tables": [{"id": t.id, "title": t.title, "rows": len(t.rows)} for t in note.tables],
        "references": len(note.references),
    }
    if json_out:
        print_json(doc)
        return
    for t in doc["tables"]:
        typer.echo(f"{t['id']:<26} {t['rows']:>6} row(s)")
    for f in files:
        typer.echo(f"wrote {f}")


def register(app: typer.Typer) -> None:
    app.command("brief")(brief)
