"""`review export bibtex|ris|excerpts|qdpx [-o FILE]`: write what the review found."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import print_json, progress_bar, session, show_progress, workspace


def export(
    ctx: typer.Context,
    what: str = typer.Argument(..., help="bibtex, ris, excerpts or qdpx."),
    output: Path = typer.Option(
        None, "-o", "--output", help="File (or folder) to write (default: exports/)."
    ),
    fmt: str = typer.Option(
        None, "--format", "-f", help="Excerpts: csv, json, md, docx or xlsx (default from -o)."
    ),
    keys: list[str] = typer.Option([], "--key", help="Only these sources (cite keys)."),
    all_: bool = typer.Option(False, "--all", help="bibtex/ris: every source, not only included."),
    code: str = typer.Option(None, "--code", help="Excerpts: only this code (and its children)."),
    source: str = typer.Option(None, "--source", help="Excerpts: only this source key."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Export BibTeX/RIS of included sources, coded excerpts, or a REFI-QDA project.

    With blind coding on (`review code blind on`), excerpts and qdpx hold only your own
    codings (--coder's)."""
    from review.coding.codings import blind_note
    from review.outputs.writer import write_export

    ws = workspace(ctx)
    with progress_bar(f"exporting {what}", None, show_progress(json_out)), session(ctx) as s:
        path, export = write_export(
            s, what, output, ws.exports, fmt=fmt, keys=keys, include_all=all_, code=code,
            source=source, project=ws.root.name, codebook_path=ws.codebook_path,
            viewer=ws.coder,
        )  # fmt: skip
    report: dict = {"what": what, "output": str(path)}
    if what == "excerpts":
        report["format"] = export.filename.rsplit(".", 1)[-1]
    report |= export.counts
    report["bytes"] = len(export.data)
    if what in ("excerpts", "qdpx"):
        report["blind_coder"] = export.only  # whose codings alone (blind coding); None: all
    if json_out:
        print_json(report)
    else:
        counts = ", ".join(f"{v} {k}" for k, v in export.counts.items())
        typer.echo(f"wrote {path} ({counts})")
        if export.only is not None:
            typer.echo(blind_note(export.only, "codings" if what == "qdpx" else "excerpts"))


def register(app: typer.Typer) -> None:
    app.command("export")(export)
