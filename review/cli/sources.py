"""`review sources edit|delete`: mend a source (thin over review/ingest/mend.py, which the
TUI calls too)."""

from __future__ import annotations

import typer

from review.cli.context import JSON_OUT, field_value, print_json, session
from review.errors import UsageError

sources_app = typer.Typer(help="Mend sources: edit title, date, group and metadata; delete.")


def _pairs(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"--set needs NAME=VALUE, not {item!r}")
        name, value = item.split("=", 1)
        out[name.strip()] = value
    return out


@sources_app.command("edit")
def sources_edit(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source key (cite key or file stem) or id."),
    title: str = typer.Option(None, "--title", help="The title (citations show it)."),
    date: str = typer.Option(None, "--date", help="The date (its year becomes the year)."),
    group: str = typer.Option(None, "--group", help="The group (focus group, site, wave)."),
    set_: list[str] = typer.Option(
        [],
        "--set",
        help="FIELD=VALUE (repeatable): a citation field (year, venue, doi, authors 'A; B', "
        "...) or any metadata name (interviewee, place, ...); an empty VALUE clears it.",
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Edit a source's title, date, group and metadata (its text never changes)."""
    from review.coding.codings import find_source
    from review.ingest.mend import edit_source
    from review.store.models import pk

    with session(ctx) as s:
        src = find_source(s, source, follow_merged=False)
        key = src.key
        changed = edit_source(s, pk(src), title=title, date=date, group=group, fields=_pairs(set_))
    if json_out:
        print_json({"source": key, "changed": changed})
        return
    if not changed:
        typer.echo(f"{key}: nothing changed")
    for name, (old, new) in changed.items():
        typer.echo(f"{key}: {name}: {field_value(old)} -> {field_value(new)}")


@sources_app.command("delete")
def sources_delete(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(..., help="Source key(s) or id(s)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    json_out: bool = JSON_OUT,
) -> None:
    """Delete sources with their passages, codings, memos and links (asks first)."""
    from review.coding.codings import find_source
    from review.ingest.mend import delete_sources, dependents
    from review.store.models import pk

    with session(ctx) as s:
        found = [find_source(s, ref, follow_merged=False) for ref in sources]
        ids = list(dict.fromkeys(pk(src) for src in found))
        keys = list(dict.fromkeys(src.key for src in found))
        what = dependents(s, ids)
        if not yes:
            if json_out:
                raise UsageError("--json needs --yes (nothing is asked in JSON mode)")
            typer.echo(f"delete {', '.join(keys)}: {what.describe()}", err=True)
            if not typer.confirm("Delete?", default=False, err=True):
                typer.echo("nothing deleted", err=True)
                raise typer.Exit(1)
        done = delete_sources(s, ids)
    if json_out:
        print_json({"deleted": keys, "removed": done.to_dict()})
    else:
        typer.echo(f"deleted {', '.join(keys)} ({done.describe()})")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
