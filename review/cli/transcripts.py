"""`review transcripts`, `review passages`, `review participants ...`: the qualitative sources.

Thin: each command calls the service functions in review/ingest/participants.py and
review/ingest/passages.py (the TUI uses the same ones).
"""

from __future__ import annotations

import typer

from review.cli.context import JSON_OUT, print_json, print_result, session
from review.errors import NotFound, UsageError

participants_app = typer.Typer(
    help="Speakers (cases): list, alias, attributes.", invoke_without_command=True
)


def transcripts(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """Transcripts and documents: speakers, turns, passages and header metadata."""
    from review.ingest.passages import qualitative_sources

    with session(ctx) as s:
        docs = qualitative_sources(s)
    if json_out:
        print_json({"sources": docs})
        return
    for d in docs:
        meta = ", ".join(f"{k} {v}" for k, v in d["meta"].items() if k != "format")
        typer.echo(
            f"{d['key']:<30} {d['kind']:<10} {d['turns']:>4} turns "
            f"{len(d['speakers']):>3} speakers {d['passages']:>5} passages  {meta}"
        )
    if not docs:
        typer.echo("no transcripts or documents yet (review import corpus/transcripts)")


def passages(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Source key (the file stem for transcripts)."),
    kind: str = typer.Option(None, "--kind", help="Only turn, sentence or paragraph."),
    speaker: str = typer.Option(None, "--speaker", help="Only this speaker's passages."),
    limit: int = typer.Option(0, "--limit", min=0, help="At most this many (0: all)."),
    json_out: bool = JSON_OUT,
) -> None:
    """The passages of one source with their offsets, speakers, times and text."""
    from review.ingest.passages import source_passages
    from review.ingest.sources import normal_key

    with session(ctx) as s:
        rows = source_passages(s, key, kind, speaker, limit)
    if json_out:
        print_json({"source": normal_key(key), "passages": rows})  # the key as stored
        return
    for r in rows:
        who = f"{r['speaker']}: " if r["speaker"] else ""
        snippet = " ".join(r["text"].split())
        if len(snippet) > 100:
            snippet = snippet[:99] + "…"
        typer.echo(f"{r['start']:>7}-{r['end']:<7} {r['kind']:<9} {who}{snippet}")


@participants_app.callback()
def participants_group(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """List participants with role, turns, aliases and attributes."""
    if ctx.invoked_subcommand is None:
        _print_listing(ctx, json_out)


@participants_app.command("list")
def participants_list(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """List participants with role, turns, aliases and attributes (as `review participants`)."""
    # `list`, as every other group has: the help's "list" named a command that did not exist.
    # `review participants --json list` asks for JSON too (the group's own option).
    parent = ctx.parent.params.get("json_out") if ctx.parent is not None else False
    _print_listing(ctx, json_out or bool(parent))


def _print_listing(ctx: typer.Context, json_out: bool) -> None:
    """The participants listing both spellings print."""
    from review.ingest.participants import listing

    with session(ctx) as s:
        rows = listing(s)
    if json_out:
        print_json({"participants": rows})
        return
    for r in rows:
        attrs = ", ".join(f"{k}={v}" for k, v in r["attributes"].items())
        aliases = f" aka {', '.join(r['aliases'])}" if r["aliases"] else ""
        typer.echo(f"{r['name']:<32} {r['role'] or '':<12} {r['turns']:>4} turns{aliases}  {attrs}")
    if not rows:
        typer.echo("no participants yet")


@participants_app.command("alias")
def participants_alias(
    ctx: typer.Context,
    alias: str = typer.Argument(..., help="Another name, e.g. R1 (or 'R1 @ source-key')."),
    name: str = typer.Argument(..., help="The participant it means, e.g. 'Researcher 1'."),
    json_out: bool = JSON_OUT,
) -> None:
    """Make ALIAS mean participant NAME (a participant already called ALIAS is merged in)."""
    from review.ingest.participants import add_alias, display_name, find

    with session(ctx) as s:
        person = find(s, name)
        if person is None:
            raise NotFound(f"no participant called {name!r} (see `review participants`)")
        shown = display_name(s, person)
        if alias == shown:
            raise UsageError("an alias must differ from the participant's name")
        add_alias(s, person, alias)
        doc = {"participant": shown, "alias": alias}
    print_result(json_out, doc, f"{alias!r} now means {doc['participant']!r}")


@participants_app.command("set")
def participants_set(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Participant name or alias."),
    pairs: list[str] = typer.Argument(..., help="ATTRIBUTE=VALUE, e.g. area=Northfield."),
    json_out: bool = JSON_OUT,
) -> None:
    """Set case attributes of a participant."""
    from review.ingest.participants import attributes, display_name, find, set_attribute
    from review.store.models import pk

    parsed = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"expected ATTRIBUTE=VALUE, got {pair!r}")
        parsed.append((key.strip().lower(), value.strip()))
    with session(ctx) as s:
        person = find(s, name)
        if person is None:
            raise NotFound(f"no participant called {name!r} (see `review participants`)")
        for key, value in parsed:
            set_attribute(s, pk(person), key, value or None)
        s.flush()
        attrs = attributes(s, pk(person))
        doc = {"participant": display_name(s, person), "attributes": attrs}
    print_result(json_out, doc, ", ".join(f"{k}={v}" for k, v in attrs.items()))


def register(app: typer.Typer) -> None:
    app.command()(transcripts)
    app.command()(passages)
    app.add_typer(participants_app, name="participants")
