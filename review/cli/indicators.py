"""`review indicators import|list|link|unlink`: survey figures and the evidence tied to them."""

from __future__ import annotations

from pathlib import Path

import typer

from review.cli.context import JSON_OUT, print_json, print_result, session, workspace

app = typer.Typer(help="Survey indicators and the evidence linked to them.", no_args_is_help=True)


@app.command("import")
def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="CSV/TSV/XLSX indicator tables."),
    map_: list[str] = typer.Option(
        [],
        "--map",
        help="HEADER=field for headers not recognised (field: indicator, measure, "
        "sector, area, year, value, unit, n, ci, ci_low, ci_high, source, note, ignore).",
    ),
    mapping: Path = typer.Option(None, "--mapping", help="File of 'Header = field' lines."),
    set_: list[str] = typer.Option([], "--set", help="field=value for every row, e.g. year=2008."),
    sheet: str = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)."),
    strict: bool = typer.Option(False, "--strict", help="A file with any bad row imports nothing."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Import indicator tables: long form (a value column) or wide (years/countries as columns)."""
    from review.errors import UsageError
    from review.evidence.indicator_import import FORMAT
    from review.evidence.indicators import check_options, load_mapping, parse_pairs
    from review.importers import import_file
    from review.ingest.textio import decode

    cols = {}
    if mapping is not None:
        try:
            cols.update(load_mapping(decode(mapping.read_bytes()).text))
        except OSError as exc:
            raise UsageError(f"cannot read mapping file {mapping}: {exc.strerror}") from exc
    cols.update(parse_pairs(map_, "--map"))
    fixed = parse_pairs(set_, "--set")
    check_options(cols, fixed)
    opts = {"indicator_mapping": cols, "indicator_set": fixed, "indicator_sheet": sheet}
    ws = workspace(ctx)
    reports = [import_file(ws.engine, f, strict=strict, fmt=FORMAT, options=opts) for f in files]
    failed = any(not r.ok for r in reports)
    if json_out:
        print_json({"files": [r.to_dict() for r in reports], "ok": not failed})
    else:
        for r in reports:
            typer.echo(f"{r.file}: {r.status}, {r.imported} of {r.records} value(s)"
                       + (f" — {r.message}" if r.message else ""))  # fmt: skip
            for p in r.problems:
                typer.echo(f"  {p}", err=p.severity == "error")
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ctx: typer.Context,
    indicator: str = typer.Argument(None, help="An indicator (id or name): show its evidence."),
    links: bool = typer.Option(False, "--links", help="List every evidence link."),
    json_out: bool = JSON_OUT,
) -> None:
    """The indicators (or one indicator's linked evidence; with blind coding on, the quote of
    an excerpt another coder coded is hidden, the link itself listed)."""
    from review.coding.codings import blind_coder, blind_hidden
    from review.evidence.links import get_indicator, indicator_line, list_indicators, list_links

    viewer = workspace(ctx).coder
    with session(ctx) as s:
        if indicator is None and not links:
            rows = list_indicators(s)
            if json_out:
                print_json({"indicators": rows})
                return
            for r in rows:
                typer.echo(f"{r['id']:>5}  {indicator_line(r)}"
                           + (f" · {r['links']} link(s)" if r["links"] else ""))  # fmt: skip
            if not rows:
                typer.echo("no indicators (review indicators import FILE)")
            return
        ind = get_indicator(s, indicator) if indicator is not None else None
        found = list_links(s, ind.id if ind else None, viewer=viewer)
        mine = blind_coder(s, viewer)
        if json_out:
            head = {"indicator": ind.model_dump(mode="json")} if ind else {}
            print_json(head | {"blind_coder": mine, "links": found})
            return
        if ind:
            typer.echo(f"{ind.id}  {ind.name} [{ind.sector or ''}] = {ind.value_text or ind.value}")
        for ln in found:
            what = f"coding {ln['coding_id']} ({ln['code']})" if ln["coding_id"] else ln["code"]
            typer.echo(f"  link {ln['id']}: indicator {ln['indicator_id']} {ln['relation']} "
                       f"← {what}" + (f" — {ln['note']}" if ln["note"] else ""))  # fmt: skip
            if ln["quote"]:
                typer.echo(f"      “{ln['quote'][:200]}”")
            elif ln["hidden"]:
                typer.echo(f"      ({blind_hidden()})")
        if not found:
            typer.echo("  no evidence linked")
        hidden = sum(ln["hidden"] for ln in found)
        if hidden:
            typer.echo(blind_hidden(hidden))


@app.command("link")
def link_(
    ctx: typer.Context,
    indicator: str = typer.Argument(..., help="Indicator id, or 'name @ sector'."),
    code: str = typer.Option(None, "--code", help="Code id, path (Four Cs/Co-design) or name."),
    coding: int = typer.Option(None, "--coding", help="A single coding's id."),
    relation: str = typer.Option(
        "supports", "--relation", "-r", help="supports, contradicts, explains or context."
    ),
    note: str = typer.Option(None, "--note", help="Why they are linked."),
    json_out: bool = JSON_OUT,
) -> None:
    """Link a code, or one coding, to an indicator."""
    from review.coding.codebook import ensure_codebook
    from review.coding.codings import blind_hidden
    from review.evidence.links import get_indicator, link, list_links

    ws = workspace(ctx)
    with session(ctx) as s:
        ensure_codebook(s, ws.codebook_path)  # a fresh workspace's codes, as coding commands do
        row = link(s, indicator, code=code, coding_id=coding, relation=relation, note=note,
                   coder=ws.coder)  # fmt: skip
        doc = row.model_dump(mode="json")
        links = list_links(s, row.indicator_id, viewer=ws.coder)  # blind coding: quote or not
        shown = next(x for x in links if x["id"] == row.id)
        ind = get_indicator(s, row.indicator_id)
        label = ind.name + (f", {ind.sector}" if ind.sector else "")
        value = ind.value_text or (f"{ind.value:g}" if ind.value is not None else None)
        if value:
            label += f" = {value}"
    doc["code"] = shown["code"]
    doc["indicator"] = label
    if json_out:
        print_json(doc)
    else:
        what = doc["code"] or "?"
        if doc["coding_id"] and shown["hidden"]:
            what = f"coding {doc['coding_id']} ({what}: {blind_hidden()})"
        elif doc["coding_id"]:
            quote = " ".join((shown["quote"] or "").split())
            quote = quote if len(quote) <= 50 else quote[:49].rstrip() + "…"
            what = f"coding {doc['coding_id']} ({what}: “{quote}”)"
        typer.echo(
            f"link {doc['id']}: {what} {doc['relation']} indicator {doc['indicator_id']} ({label})"
        )


@app.command("unlink")
def unlink_(
    ctx: typer.Context,
    link_id: int = typer.Argument(
        ..., help="The link's id (see `review indicators list --links`)."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Remove an evidence link."""
    from review.evidence.links import unlink

    with session(ctx) as s:
        row = unlink(s, link_id)
        doc = row.model_dump(mode="json")
    print_result(json_out, {"removed": doc}, f"removed link {link_id}")


@app.command("relink")
def relink_(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """Link indicators to literature records imported after them (by the cite key they name)."""
    from review.evidence.indicators import relink_sources

    with session(ctx) as s:
        done = relink_sources(s)
    if json_out:
        print_json({"linked": [{"indicator": i, "source": k} for i, k in done]})
        return
    for i, k in done:
        typer.echo(f"indicator {i} → {k}")
    typer.echo(f"{len(done)} indicator(s) linked")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="indicators")
