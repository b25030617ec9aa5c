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
    exports: bool = typer.Option(
        False, "--exports", help="Also write excerpts.csv, included.bib/.ris and a .qdpx."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Write the evidence matrix, joint display, source characteristics, code-by-attribute
    and PRISMA tables (plus references) as Markdown, CSV, HTML and/or DOCX."""
    from review.errors import ReviewError, UsageError
    from review.outputs.brief.render import FORMATS, write
    from review.outputs.brief.tables import build

    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise UsageError(
            f"--format: unknown {', '.join(bad) or 'nothing'} (use {','.join(FORMATS)})"
        )
    ws = workspace(ctx)
    out_dir = output or ws.exports
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: is a file; give a folder")
    bar = show_progress(json_out)
    with progress_bar("building tables", None, bar), session(ctx) as s:
        note = build(s, attribute or None)
    try:
        files = write(note, out_dir, chosen)
    except OSError as exc:
        raise ReviewError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    if exports:
        from review.outputs.writer import write_pack

        def step(done: int, total: int, label: str) -> None:
            advance(1 if done else 0)

        with progress_bar("exports", 4, bar) as advance:
            files += write_pack(
                ws.engine, out_dir, formats=(), name=ws.root.name,
                codebook_path=ws.codebook_path, on_step=step,
            )  # fmt: skip
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
