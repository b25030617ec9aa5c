"""`review export bibtex|ris|excerpts|qdpx [-o FILE]`: write what the review found."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import print_json, progress_bar, session, show_progress, workspace

KINDS = ("bibtex", "ris", "excerpts", "qdpx")
DEFAULT_NAMES = {"bibtex": "included.bib", "ris": "included.ris", "qdpx": "review.qdpx"}
EXCERPT_FORMATS = ("csv", "json", "md", "docx", "xlsx")


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
    """Export BibTeX/RIS of included sources, coded excerpts, or a REFI-QDA project."""
    from review.errors import ReviewError, UsageError

    if what not in KINDS:
        raise UsageError(f"export what? one of {', '.join(KINDS)} (got {what!r})")
    ws = workspace(ctx)
    folder = output if output is not None and output.is_dir() else None
    if folder is not None:  # `-o exports/` means "the usual file, in that folder"
        output = None
    if what == "excerpts":
        fmt = (fmt or (output.suffix.lstrip(".").lower() if output else "csv")) or "csv"
        if fmt not in EXCERPT_FORMATS:
            raise UsageError(f"--format must be one of {', '.join(EXCERPT_FORMATS)}")
        output = output or (folder or ws.exports) / f"excerpts.{fmt}"
    output = output or (folder or ws.exports) / DEFAULT_NAMES[what]
    report: dict = {"what": what, "output": str(output)}
    with progress_bar(f"exporting {what}", None, show_progress(json_out)), session(ctx) as s:
        if what in ("bibtex", "ris"):
            from review.outputs.bibliography import select_sources, to_bibtex, to_ris

            chosen = select_sources(s, keys, all_)
            data = (to_bibtex if what == "bibtex" else to_ris)(chosen).encode("utf-8")
            report["sources"] = len(chosen)
        elif what == "excerpts":
            from review.outputs.excerpts import WRITERS, excerpt_rows

            rows = excerpt_rows(s, code, source)
            out = WRITERS[fmt](rows)
            # CSV with a BOM: Excel then reads UTF-8 (curly quotes, dashes) correctly
            enc = "utf-8-sig" if fmt == "csv" else "utf-8"
            data = out.encode(enc) if isinstance(out, str) else out
            report |= {"format": fmt, "excerpts": len(rows)}
        else:
            from review.coding.codebook import ensure_codebook
            from review.outputs.bibliography import select_sources
            from review.outputs.qdpx import export_qdpx

            ensure_codebook(s, ws.codebook_path)  # a project exported before any coding
            ids = [x.id for x in select_sources(s, keys)] if keys else None
            data, counts = export_qdpx(s, ws.root.name, ids)
            report |= counts
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise ReviewError(f"cannot write {output}: {exc.strerror or exc}") from exc
    report["bytes"] = len(data)
    if json_out:
        print_json(report)
    else:
        counts = ", ".join(f"{v} {k}" for k, v in report.items()
                           if isinstance(v, int) and k != "bytes")  # fmt: skip
        typer.echo(f"wrote {output} ({counts})")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
