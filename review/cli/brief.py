"""`review brief [--format md,csv,html,docx] [-o DIR]`: the briefing note (front matter from
`review.toml` or options, tables, figures, references)."""

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
    all_rows: bool = typer.Option(
        False,
        "--all-rows",
        help="Keep codes and columns with no excerpt in the matrix, and every indicator in "
        "Table 2 (beyond 16 it lists only those with evidence linked).",
    ),
    title: str = typer.Option(None, "--title", help="Title (default: review.toml's)."),
    question: str = typer.Option(None, "--question", help="The review question."),
    author: list[str] = typer.Option([], "--author", help="An author (repeatable)."),
    organisation: str = typer.Option(None, "--organisation", help="Organisation."),
    date: str = typer.Option(None, "--date", help="Date as printed (any text)."),
    version: str = typer.Option(None, "--version", help="Version, e.g. 'draft 2'."),
    paper: str = typer.Option(None, "--paper", help="A4 or Letter."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Write the briefing note: front matter, an at-a-glance summary, the five tables, four
    figures and references as Markdown, CSV, HTML and/or DOCX.

    The tables: evidence matrix, joint display, source characteristics, code frequencies by
    attribute, PRISMA counts; the figures: PRISMA flow, heat map, excerpts per code,
    indicators. Front matter comes from review.toml; options override it."""
    from review.errors import ReviewError, UsageError
    from review.outputs.brief.front import front_matter
    from review.outputs.brief.render import FORMATS, write
    from review.outputs.brief.tables import build
    from review.store.settings import PAPERS

    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise UsageError(
            f"--format: unknown {', '.join(bad) or 'nothing'} (use {','.join(FORMATS)})"
        )
    if paper is not None:
        match = next((p for p in PAPERS if p.lower() == paper.lower()), None)
        if match is None:
            raise UsageError(f"--paper: use {' or '.join(PAPERS)}, not {paper!r}")
        paper = match
    ws = workspace(ctx)
    front = front_matter(
        ws.root, title=title, question=question, authors=author or None,
        organisation=organisation, date=date, version=version, paper=paper,
    )  # fmt: skip
    out_dir = output or ws.exports
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: is a file; give a folder")
    bar = show_progress(json_out)
    with progress_bar("building tables", None, bar), session(ctx) as s:
        note = build(s, attribute or None, front=front, all_rows=all_rows)
        from review.importers import first_run_hint, first_run_paths

        waiting = [first_run_hint(ws.root, ws.corpus)] if first_run_paths(s, ws.corpus) else []
        from review.coding.codings import is_blind
        from review.outputs.brief import hints

        blind = is_blind(s)  # the brief (and its exports) stay the team's: every coder's work
        if blind:
            waiting.append(hints.BLIND)
    try:
        with progress_bar("writing", None, bar) as advance:
            files = write(note, out_dir, chosen, on_step=lambda *_: advance(1))
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
        "tables": [
            {"id": t.id, "title": t.title, "rows": len(t.rows), "hints": t.hints}
            for t in note.tables
        ],  # fmt: skip
        "figures": [{"id": f.id, "title": f.title} for f in note.figures],
        "references": len(note.references),
        "title": note.front.title,
        "at_a_glance": note.glance,
        "hints": waiting,
        "blind_coding": blind,
    }
    if json_out:
        print_json(doc)
        return
    for table in note.tables:
        typer.echo(f"{table.id:<26} {len(table.rows):>6} row(s)")
        for hint in table.hints:  # for the team: the documents leave these out
            typer.echo(f"{'':<26} hint: {hint}")
    for f in files:
        typer.echo(f"wrote {f}")
    for hint in waiting:
        typer.echo(f"hint: {hint}")


def register(app: typer.Typer) -> None:
    app.command("brief")(brief)
