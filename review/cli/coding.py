"""`review code …`, `review codebook …`, `review excerpts`, `review search`, `review agreement`,
`review cooccurrence` and `review memo …`: thin wrappers over the coding services.

Every command that needs codes loads the workspace codebook first if the code table is empty
(`ensure_codebook`), so a fresh workspace can be coded without an explicit import step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from sqlmodel import Session

from review.cli.context import (
    JSON_OUT,
    field_value,
    options,
    print_json,
    print_result,
    progress_bar,
    session,
    show_progress,
    workspace,
)
from review.errors import NotFound, UsageError
from review.store.models import pk

code_app = typer.Typer(help="Apply, remove, suggest, accept, reject, undo and redo codings.")
codebook_app = typer.Typer(help="The codebook: list, import, export and edit codes.")
memo_app = typer.Typer(help="Memos on the project, sources, codes and codings.")
T = TypeVar("T")

CODER = typer.Option(None, "--coder", help="Coder name (default: the global --coder).")


@contextmanager
def ready(ctx: typer.Context) -> Iterator[Session]:
    """A session on the workspace with its codebook loaded (lazily, on first use)."""
    from review.coding.codebook import ensure_codebook

    ws = workspace(ctx)
    with session(ctx) as s:
        ensure_codebook(s, ws.codebook_path)
        yield s


def who(ctx: typer.Context, coder: str | None) -> str:
    return coder or options(ctx).coder or workspace(ctx).coder


def _source_id(s: Session, ref: str | None) -> int | None:
    """The id of the source named by an optional --source, else None (no filter)."""
    from review.coding.codings import find_source

    return find_source(s, ref).id if ref else None


def _code_id(s: Session, ref: str | None) -> int | None:
    """The id of the code named by an optional --code, else None (no filter)."""
    from review.coding.codings import find_code

    return find_code(s, ref).id if ref else None


def _one_line(text: str, limit: int) -> str:
    """A quote as plain text on one line: whitespace runs (line breaks too) as one space,
    cut at `limit` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _coding_doc(c, path: str | None = None, coder: str | None = None) -> dict:
    return {
        "id": c.id,
        "source_id": c.source_id,
        "code_id": c.code_id,
        "code": path,
        "coder": coder,
        "start": c.start,
        "end": c.end,
        "quote": c.quote,
        "origin": c.origin,
        "memo": c.memo,
    }


# --- review code ----------------------------------------------------------------------------


@code_app.command("apply")
def code_apply(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source key (cite key or file stem) or id."),
    code: str = typer.Argument(..., help="Code name, path (Four Cs/Co-design) or id."),
    span: list[str] = typer.Option([], "--span", help="START:END in characters (repeatable)."),
    passage: list[int] = typer.Option([], "--passage", help="Passage id to code whole."),
    memo: str = typer.Option(None, "--memo", help="A memo on the coding."),
    coder: str = CODER,
    json_out: bool = JSON_OUT,
) -> None:
    """Code exact spans (--span 120:245) or whole passages (--passage ID) of a source."""
    from review.coding.codebook import code_path
    from review.coding.codings import (
        apply_code,
        apply_to_passages,
        find_code,
        find_source,
        get_codings,
        parse_span,
    )

    if not span and not passage:
        raise UsageError("give --span START:END or --passage ID")
    name = who(ctx, coder)
    with ready(ctx) as s:
        src, cd = find_source(s, source), find_code(s, code)
        made = [
            apply_code(s, source_id=pk(src), code_id=pk(cd), start=a, end=b, coder=name, memo=memo)
            for a, b in map(parse_span, span)
        ]
        if passage:
            ids = apply_to_passages(
                s, passage_ids=passage, code_id=pk(cd), coder=name, memo=memo, source=src
            )
            made += get_codings(s, ids)
        path = code_path(s, cd)
        docs = [_coding_doc(c, path, name) for c in made]
    if json_out:
        print_json({"source": src.key, "coder": name, "codings": docs})
        return
    for d in docs:
        quote = _one_line(d["quote"], 70)
        typer.echo(f"coding {d['id']}: {src.key} [{d['start']}:{d['end']}] {path}: “{quote}”")


@code_app.command("remove")
def code_remove(
    ctx: typer.Context,
    coding_ids: list[int] = typer.Argument(..., help="Coding id(s)."),
    coder: str = CODER,
    json_out: bool = JSON_OUT,
) -> None:
    """Remove codings by id (undo restores them)."""
    from review.coding.codings import remove_coding

    with ready(ctx) as s:
        for cid in coding_ids:
            remove_coding(s, cid, who(ctx, coder))
    print_result(json_out, {"removed": coding_ids}, f"removed {len(coding_ids)} coding(s)")


@code_app.command("undo")
def code_undo(ctx: typer.Context, coder: str = CODER, json_out: bool = JSON_OUT) -> None:
    """Undo your last coding action (apply, remove, accept or reject). A step whose code was
    deleted since (or whose coding a merge folded into another) is refused, naming it, and
    dropped from your history (exit 1): undo again for the one before."""
    from review.coding.codings import undo

    _history_step(ctx, coder, json_out, undo, "undone", "undo")


@code_app.command("redo")
def code_redo(ctx: typer.Context, coder: str = CODER, json_out: bool = JSON_OUT) -> None:
    """Redo your coding step undone last (as ctrl+y in the Reader), until you make a new step.
    A step whose code was deleted since is refused, naming it (exit 1)."""
    from review.coding.history import redo

    _history_step(ctx, coder, json_out, redo, "redone", "redo")


def _history_step(
    ctx: typer.Context, coder: str | None, json_out: bool, step: Callable, done: str, verb: str
) -> None:
    """`review code undo|redo`: one step of the coder's history, said; a refused step (its
    code deleted since, …) printed with exit 1."""
    from review.coding.history import Refused

    with ready(ctx) as s:
        what = step(s, who(ctx, coder))
    if isinstance(what, Refused):
        print_result(json_out, {done: None, "refused": str(what)}, what)
        raise typer.Exit(1)
    print_result(json_out, {done: what}, f"{done}: {what}" if what else f"nothing to {verb}")


@code_app.command("blind")
def code_blind(
    ctx: typer.Context,
    state: str = typer.Argument(None, help="on or off (nothing: show the setting)."),
    json_out: bool = JSON_OUT,
) -> None:
    """Blind coding: each coder sees only their own codings until the team compares."""
    from review.coding.codings import is_blind, set_blind

    if state not in (None, "on", "off"):
        raise UsageError(f"blind on or off, not {state!r}")
    with ready(ctx) as s:
        if state is not None:
            set_blind(s, state == "on")
        on = is_blind(s)
    print_result(json_out, {"blind": on}, f"blind coding {'on' if on else 'off'}")


@code_app.command("list")
def code_list(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source key or id."),
    json_out: bool = JSON_OUT,
) -> None:
    """The codings of one source, in text order (with blind coding on, only yours)."""
    from review.coding.codebook import code_paths
    from review.coding.codings import blind_coder, blind_note, codings_for_source, find_source
    from review.store.coders import coder_names

    with ready(ctx) as s:
        src = find_source(s, source)
        paths = code_paths(s)
        names = coder_names(s)
        viewer = who(ctx, None)
        rows = codings_for_source(s, pk(src), viewer)
        mine = blind_coder(s, viewer)
        docs = [
            _coding_doc(c, paths.get(c.code_id), names.get(c.coder_id) if c.coder_id else None)
            for c in rows
        ]
    if json_out:
        print_json({"source": src.key, "blind_coder": mine, "codings": docs})
        return
    if mine is not None:
        typer.echo(blind_note(mine))
    if not docs:
        typer.echo(f"no codings in {src.key}")
        return
    width = max(len("coder"), *(len(d["coder"] or "-") for d in docs))
    span = max(len("span"), *(len(f"{d['start']}:{d['end']}") for d in docs))
    typer.echo(f"{'id':>6}  {'span':<{span}}  {'coder':<{width}}  code: quote")
    for d in docs:
        where = f"{d['start']}:{d['end']}"
        quote = _one_line(d["quote"], 70)
        typer.echo(
            f"{d['id']:>6}  {where:<{span}}  {d['coder'] or '-':<{width}}  {d['code']}: {quote}"
        )


@code_app.command("suggest")
def code_suggest(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(None, help="Source keys or ids (default: all)."),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="Also match misspelt keywords."),
    moderators: bool = typer.Option(
        False, "--include-moderators", help="Also suggest on moderators' and researchers' turns."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Suggest codes from the codebook's keywords (stored apart from codings)."""
    from review.coding.codings import find_source
    from review.coding.suggest import SKIP_ROLES, suggest

    with ready(ctx) as s:
        ids = [pk(find_source(s, x)) for x in sources] if sources else None
        with progress_bar("suggesting", None, show_progress(json_out)):
            n = suggest(s, ids, fuzzy=fuzzy, skip_roles=() if moderators else SKIP_ROLES)
    print_result(
        json_out, {"suggestions": n}, f"{n} new suggestion(s); see `review code suggestions`"
    )


@code_app.command("suggestions")
def code_suggestions(
    ctx: typer.Context,
    source: str = typer.Option(None, "--source", help="Only this source."),
    code: str = typer.Option(None, "--code", help="Only this code."),
    status: str = typer.Option("pending", "--status", help="pending, accepted, rejected, all."),
    limit: int = typer.Option(100, "--limit"),
    json_out: bool = JSON_OUT,
) -> None:
    """List suggestions with the words that triggered them."""
    from review.coding.codebook import code_paths
    from review.coding.suggest import list_suggestions

    with ready(ctx) as s:
        rows = list_suggestions(
            s,
            status=None if status == "all" else status,
            source_id=_source_id(s, source),
            code_id=_code_id(s, code),
            limit=limit,
        )
        paths = code_paths(s)
        docs: list[dict[str, Any]] = [
            {
                "id": r.id,
                "source_id": r.source_id,
                "code": paths.get(r.code_id),
                "start": r.start,
                "end": r.end,
                "trigger": r.trigger,
                "score": r.score,
                "status": r.status,
                "quote": r.quote,
            }
            for r in rows
        ]
    if json_out:
        print_json({"suggestions": docs})
        return
    for d in docs:
        words = ", ".join(d["trigger"])
        typer.echo(f"{d['id']:>6} {d['code']} [{d['start']}:{d['end']}] <- {words}")
        typer.echo(f"       {_one_line(d['quote'], 90)}")


SUGGESTION_IDS = typer.Argument(None, help="Suggestion id(s).")
ALL_PENDING = typer.Option(False, "--all", help="Every pending suggestion (narrow below).")
SOURCE_FILTER = typer.Option(None, "--source")
CODE_FILTER = typer.Option(None, "--code")


def _decide(
    ctx: typer.Context,
    decide: Callable[[Session, list[int], str], T],
    ids: list[int] | None,
    all_: bool,
    source: str | None,
    code: str | None,
    coder: str | None,
) -> T:
    """Run `accept_suggestions`/`reject_suggestions` on the chosen suggestions: the ids given,
    or with --all every pending one (narrowed by --source/--code). Accept and reject pick the
    same way; only the service differs."""
    from review.coding.suggest import list_suggestions

    with ready(ctx) as s:
        if ids:
            chosen = list(ids)
        elif not all_:
            raise UsageError("give suggestion id(s), or --all (with --source/--code to narrow)")
        else:
            rows = list_suggestions(s, source_id=_source_id(s, source), code_id=_code_id(s, code))
            chosen = [pk(r) for r in rows]
        return decide(s, chosen, who(ctx, coder))


@code_app.command("accept")
def code_accept(
    ctx: typer.Context,
    ids: list[int] = SUGGESTION_IDS,
    all_: bool = ALL_PENDING,
    source: str = SOURCE_FILTER,
    code: str = CODE_FILTER,
    coder: str = CODER,
    json_out: bool = JSON_OUT,
) -> None:
    """Accept suggestions: each becomes a coding with origin "suggestion" (one undo step)."""
    from review.coding.suggest import accept_suggestions

    coding_ids = _decide(ctx, accept_suggestions, ids, all_, source, code, coder)
    print_result(
        json_out,
        {"accepted": len(coding_ids), "coding_ids": coding_ids},
        f"accepted {len(coding_ids)} suggestion(s)",
    )


@code_app.command("reject")
def code_reject(
    ctx: typer.Context,
    ids: list[int] = SUGGESTION_IDS,
    all_: bool = ALL_PENDING,
    source: str = SOURCE_FILTER,
    code: str = CODE_FILTER,
    coder: str = CODER,
    json_out: bool = JSON_OUT,
) -> None:
    """Reject suggestions (they are not suggested again)."""
    from review.coding.suggest import reject_suggestions

    n = _decide(ctx, reject_suggestions, ids, all_, source, code, coder)
    print_result(json_out, {"rejected": n}, f"rejected {n} suggestion(s)")


# --- retrieval, search, agreement --------------------------------------------------------------


def excerpts_cmd(
    ctx: typer.Context,
    code: str = typer.Argument(None, help="Code name/path/id (default: every code)."),
    source: str = typer.Option(None, "--source", help="Only this source."),
    coder: str = typer.Option(None, "--by", help="Only this coder's codings."),
    speaker: list[str] = typer.Option(
        [],
        "--speaker",
        metavar="NAME",
        help="Only excerpts this speaker speaks in (repeatable: any of them).",
    ),
    attribute: str = typer.Option(None, "--attribute", help="Participant attribute NAME=VALUE."),
    no_children: bool = typer.Option(False, "--no-children", help="Leave out child codes."),
    limit: int = typer.Option(None, "--limit"),
    offset: int = typer.Option(0, "--offset"),
    json_out: bool = JSON_OUT,
) -> None:
    """Coded excerpts by code (with its children), source, coder or participant attribute.

    --speaker and --attribute find an excerpt by the turns it lies in, the name however it is
    typed (any case); a speaker, attribute or value no one has is refused with those that
    exist. With blind coding on, only your own (--by another coder is refused)."""
    from review.coding.codings import blind_coder, blind_note
    from review.coding.retrieval import check_attribute, excerpts

    attr = None
    if attribute is not None:
        name, sep, value = attribute.partition("=")
        if not sep or not name.strip():
            raise UsageError("--attribute needs NAME=VALUE, e.g. area=North")
        attr = (name.strip(), value.strip())
    with ready(ctx) as s:
        mine = blind_coder(s, who(ctx, None))
        if mine is not None and coder not in (None, mine):
            raise UsageError(f"{blind_note(mine, 'excerpts')}; not {coder}'s until it is off")
        if attr is not None:
            check_attribute(s, *attr)
        rows = excerpts(
            s,
            _code_id(s, code),
            include_children=not no_children,
            source_id=_source_id(s, source),
            coder=mine or coder,
            attribute=attr,
            speakers=speaker,
            limit=limit,
            offset=offset,
        )
    if json_out:
        print_json({"blind_coder": mine, "excerpts": [r.to_dict() for r in rows]})
        return
    if mine is not None:
        typer.echo(blind_note(mine, "excerpts"))
    for r in rows:
        who_ = f" {r.speaker}:" if r.speaker else ""
        typer.echo(f"{r.source_key} [{r.start}:{r.end}] {r.code_path} ({r.coder}){who_}")
        typer.echo(f"    {r.quote}")
    if not rows:
        typer.echo("no excerpts")


def search_cmd(
    ctx: typer.Context,
    query: str = typer.Argument(None, help='Words, "a phrase", or prefix* (OR between terms).'),
    limit: int = typer.Option(20, "--limit"),
    offset: int = typer.Option(0, "--offset"),
    kind: str = typer.Option(
        None,
        "--kind",
        help="Only literature (title, abstract, keywords), passage (any), turn, sentence or "
        "paragraph.",
    ),
    reindex: bool = typer.Option(False, "--reindex", help="Rebuild the search index first."),
    json_out: bool = JSON_OUT,
) -> None:
    """Full-text search over literature and passages, best first (exact bm25)."""
    from review.coding.search import index_passages, search, total

    if not query and not reindex:
        raise UsageError("give a search query")
    with session(ctx, write=reindex) as s:
        indexed = index_passages(s) if reindex else None
        hits = search(s, query, limit=limit, offset=offset, kind=kind) if query else []
        n, exact = (
            total(s, query, hits, limit=limit, offset=offset, kind=kind) if query else (0, True)
        )
    if json_out:
        doc = {"query": query, "total": n, "exact": exact, "hits": [h.__dict__ for h in hits]}
        if indexed is not None:
            doc["indexed"] = indexed
        print_json(doc)
        return
    if indexed is not None:
        typer.echo(f"indexed {indexed} passage(s)")
    for h in hits:
        if h.passage_id is None:
            typer.echo(f"{h.source_key} (literature) {h.snippet}")
            continue
        who_ = f" {h.speaker}:" if h.speaker else ""
        typer.echo(f"{h.source_key} [{h.start}:{h.end}]{who_} {h.snippet}")
    if query:
        if exact:
            typer.echo(f"{n} passage(s) or record(s) match")
        else:  # a turn and a sentence inside it are counted apart until the last page
            typer.echo(
                f"showing {offset + 1}–{offset + len(hits)} of at most {n} (--offset for more)"
            )


def agreement_cmd(
    ctx: typer.Context,
    coders: tuple[str, str] = typer.Option(..., "--coders", help="The two coders: A B."),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
    code: list[str] = typer.Option(
        [], "--code", help="Only these codes (repeatable; a group code means the codes under it)."
    ),
    threshold: float = typer.Option(0.9, "--threshold", help="Segment overlap needed (0-1]."),
    by_source: bool = typer.Option(False, "--by-source", help="Also each code per source."),
    json_out: bool = JSON_OUT,
) -> None:
    """Inter-coder agreement: percent, Cohen's kappa, Krippendorff's alpha, segments."""
    from review.coding.agreement import agreement, coded_codes_under
    from review.coding.codings import find_source
    from review.stats import describe

    with ready(ctx) as s:
        doc = agreement(
            s,
            coders[0],
            coders[1],
            source_ids=[pk(find_source(s, x)) for x in source] or None,
            code_ids=coded_codes_under(s, code),
            threshold=threshold,
            by_source=by_source,
        )
    if json_out:
        print_json(doc)
        return
    typer.echo(
        f"{doc['coders'][0]} vs {doc['coders'][1]}: {doc['sources']} source(s), "
        f"{doc['characters']} characters"
    )
    typer.echo(f"{'code':<40} {'agree%':>7} {'kappa':>9} {'alpha':>9} {'coded%':>7} {'seg%':>7}")

    def pct(x):
        return "-" if x is None else f"{100 * x:.1f}"

    for row in [*doc["codes"], {"code": "overall", **doc["overall"]}]:
        c, t, g = row["character"], row["coded_text"], row["segment"]
        typer.echo(
            f"{row['code'][:40]:<40} {pct(c['percent_agreement']):>7} "
            f"{describe(c['kappa']):>9} {describe(c['alpha']):>9} "
            f"{pct(t['percent_agreement']):>7} {pct(g['percent_agreement']):>7}"
        )
        for src in row.get("by_source", []):
            typer.echo(
                f"  {src['source'][:38]:<38} {pct(src['percent_agreement']):>7} "
                f"{describe(src['kappa']):>9}"
            )


def frequencies_cmd(
    ctx: typer.Context,
    coder: str = typer.Option(None, "--by", help="Only this coder's codings."),
    json_out: bool = JSON_OUT,
) -> None:
    """Code frequencies: codings, sources and characters coded per code."""
    from review.coding.retrieval import code_frequencies

    with ready(ctx) as s:
        rows = code_frequencies(s, coder=coder)
    if json_out:
        print_json({"frequencies": [r.__dict__ for r in rows]})
        return
    typer.echo(f"{'code':<48} {'codings':>8} {'sources':>8} {'chars':>9}")
    for r in rows:
        typer.echo(f"{r.code_path[:48]:<48} {r.codings:>8} {r.sources:>8} {r.characters:>9}")


def cooccurrence_cmd(
    ctx: typer.Context,
    unit: str = typer.Option("overlap", "--unit", help="overlap (codings) or passage."),
    json_out: bool = JSON_OUT,
) -> None:
    """Code co-occurrence matrix."""
    from review.coding.retrieval import cooccurrence_matrix

    if unit not in ("overlap", "passage"):
        raise UsageError("--unit must be overlap or passage")
    with ready(ctx) as s:
        doc = cooccurrence_matrix(s, unit=unit)
    if json_out:
        print_json(doc)
        return
    for i, name in enumerate(doc["codes"]):
        cells = [f"{doc['codes'][j]}={n}" for j, n in enumerate(doc["matrix"][i]) if n and j > i]
        if cells:
            typer.echo(f"{name}: " + ", ".join(cells))
    if not doc["codes"]:
        typer.echo("no codes co-occur")


# --- review codebook ---------------------------------------------------------------------------


@codebook_app.command("list")
def codebook_list(ctx: typer.Context, json_out: bool = JSON_OUT) -> None:
    """The code tree with shortcuts and how often each code is used."""
    from review.coding.codebook import code_paths, code_tree
    from review.coding.codings import blind_coder, blind_note

    with ready(ctx) as s:
        # blind coding: the counts are the viewer's own codings, as everything else they see
        mine = blind_coder(s, who(ctx, None))
        tree = code_tree(s, coder=mine)
        paths = code_paths(s)
        docs: list[dict[str, Any]] = [
            {
                "id": c.id,
                "path": paths[pk(c)],
                "depth": d,
                "codings": n,
                "shortcut": c.shortcut,
                "colour": c.colour,
                "codable": c.codable,
                "keywords": c.keywords,
                "definition": c.definition,
            }
            for c, d, n in tree
        ]
    if json_out:
        print_json({"blind_coder": mine, "codes": docs})
        return
    if mine is not None:
        typer.echo(blind_note(mine, "codings"))
    for d in docs:
        key = f"[{d['shortcut']}]" if d["shortcut"] else "   "
        name = d["path"].rsplit("/", 1)[-1]
        group = "" if d["codable"] else "  group"  # a heading, not applied itself
        typer.echo(f"{key} {'  ' * d['depth']}{name}  ({d['codings']}){group}")


@codebook_app.command("import")
def codebook_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .qdc (REFI-QDA), .csv or .toml codebook."),
    json_out: bool = JSON_OUT,
) -> None:
    """Merge a codebook file into the workspace's codes (matched by GUID, else path)."""
    from review.coding.codebook_files import import_codebook

    with ready(ctx) as s:
        doc = import_codebook(s, file)
    if json_out:
        print_json({"file": str(file), **doc})
    else:
        typer.echo(f"{file}: {doc['added']} added, {doc['updated']} updated")
        for p in doc["problems"]:
            typer.echo(f"  {p}", err=True)
    if doc["problems"]:
        raise typer.Exit(1)


@codebook_app.command("export")
def codebook_export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Output .qdc, .csv or .toml."),
    json_out: bool = JSON_OUT,
) -> None:
    """Write the codebook as REFI-QDA .qdc, CSV or TOML."""
    from review.coding.codebook_files import export_codebook

    with ready(ctx) as s:
        n = export_codebook(s, file)
    print_result(json_out, {"file": str(file), "codes": n}, f"wrote {n} codes to {file}")


def _keywords(text: str | None) -> list[str] | None:
    return None if text is None else [k.strip() for k in text.split(";") if k.strip()]


DEFINITION = typer.Option(None, "--definition", help="What the code means.")
INCLUDE = typer.Option(None, "--include", help="When to use it.")
EXCLUDE = typer.Option(None, "--exclude", help="When not to use it.")
EXAMPLE = typer.Option(None, "--example", help="An example quote.")
KEYWORDS = typer.Option(None, "--keywords", help='Semicolon-separated: "trust; confidence".')
COLOUR_OPT = typer.Option(None, "--colour", help="#RRGGBB")
SHORTCUT = typer.Option(None, "--shortcut", help="One key.")
CODABLE = typer.Option(
    None, "--codable/--group", help="Applied to text (codable), or a group heading only."
)


def _code_doc(s, code) -> dict:
    from review.coding.codebook import code_path

    return {
        "id": code.id,
        "path": code_path(s, code),
        "codable": code.codable,
        "definition": code.definition,
        "include": code.include,
        "exclude": code.exclude,
        "example": code.example,
        "keywords": list(code.keywords or []),
        "colour": code.colour,
        "shortcut": code.shortcut,
    }


@codebook_app.command("add")
def codebook_add(
    ctx: typer.Context,
    path: str = typer.Argument(..., help='Path of the new code, e.g. "Barriers/Cost".'),
    definition: str = DEFINITION,
    include: str = INCLUDE,
    exclude: str = EXCLUDE,
    example: str = EXAMPLE,
    keywords: str = KEYWORDS,
    colour: str = COLOUR_OPT,
    shortcut: str = SHORTCUT,
    codable: bool = CODABLE,
    json_out: bool = JSON_OUT,
) -> None:
    """Add a code (its parent must exist); a top-level code's first child makes it a group."""
    from review.coding.codebook import SEP, add_code, find_code

    with ready(ctx) as s:
        parent_path = path.strip().strip(SEP).rsplit(SEP, 1)[0] if SEP in path.strip(SEP) else None
        try:
            parent = find_code(s, parent_path) if parent_path else None
        except NotFound:  # add_code says so, in the codebook's words
            parent = None
        was_codable = parent.codable if parent is not None else None
        code = add_code(
            s,
            path,
            definition=definition,
            include=include,
            exclude=exclude,
            example=example,
            keywords=_keywords(keywords),
            colour=colour,
            shortcut=shortcut,
            codable=codable,
        )
        doc = _code_doc(s, code)
        grouped = parent is not None and was_codable and not parent.codable
        parent_name = parent.name if parent is not None else None
    doc["parent_became_group"] = bool(grouped)
    if json_out:
        print_json({"added": doc})
        return
    kind = "code" if doc["codable"] else "group"
    key = f" [{doc['shortcut']}]" if doc["shortcut"] else ""
    typer.echo(f"added {kind} {doc['path']}{key}")
    if grouped:
        typer.echo(f"  {parent_name!r} is now a group (a heading, not applied itself)")


@codebook_app.command("edit")
def codebook_edit(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Code path, unique name or id."),
    name: str = typer.Option(None, "--name", help="A new name (renames it in place)."),
    parent: str = typer.Option(None, "--parent", help='Move under this code ("/" for the top).'),
    definition: str = DEFINITION,
    include: str = INCLUDE,
    exclude: str = EXCLUDE,
    example: str = EXAMPLE,
    keywords: str = KEYWORDS,
    colour: str = COLOUR_OPT,
    shortcut: str = SHORTCUT,
    codable: bool = CODABLE,
    json_out: bool = JSON_OUT,
) -> None:
    """Edit a code: name, parent, definition, include, exclude, example, keywords, colour,
    shortcut, codable; an empty value ("") clears a field."""
    from review.coding.codebook import edit_code, find_code

    extra = {} if parent is None else {"parent": parent}
    with ready(ctx) as s:
        cid = pk(find_code(s, code))
        changed = edit_code(
            s,
            cid,
            name=name,
            codable=codable,
            keywords=_keywords(keywords),
            definition=definition,
            include=include,
            exclude=exclude,
            example=example,
            colour=colour,
            shortcut=shortcut,
            **extra,
        )
        doc = _code_doc(s, find_code(s, cid))
    if json_out:
        print_json({"code": doc, "changed": changed})
        return
    if not changed:
        typer.echo(f"{doc['path']}: nothing changed")
    for field_name, (old, new) in changed.items():
        typer.echo(f"{doc['path']}: {field_name}: {field_value(old)} -> {field_value(new)}")


@codebook_app.command("rename")
def codebook_rename(
    ctx: typer.Context, code: str, new_name: str, json_out: bool = JSON_OUT
) -> None:
    """Rename a code (its codings keep pointing at it)."""
    from review.coding.codebook import code_path, rename_code

    with ready(ctx) as s:
        path = code_path(s, rename_code(s, code, new_name))
    print_result(json_out, {"renamed": code, "path": path}, f"renamed to {path}")


@codebook_app.command("move")
def codebook_move(
    ctx: typer.Context,
    code: str,
    parent: str = typer.Argument(None, help="New parent (omit to move to the top)."),
    json_out: bool = JSON_OUT,
) -> None:
    """Move a code, with its children, under another code or to the top."""
    from review.coding.codebook import code_path, move_code

    with ready(ctx) as s:
        path = code_path(s, move_code(s, code, parent))
    print_result(json_out, {"moved": code, "path": path}, f"moved to {path}")


@codebook_app.command("merge")
def codebook_merge(ctx: typer.Context, code: str, into: str, json_out: bool = JSON_OUT) -> None:
    """Merge CODE into INTO: codings, suggestions and children move to INTO; CODE goes. A
    coder's coding of a span INTO already has from them is folded into that one."""
    from review.coding.codebook import merge_codes

    with ready(ctx) as s:
        moved = merge_codes(s, code, into)
    print_result(
        json_out,
        {"merged": code, "into": into, "moved": moved},
        f"merged {code} into {into}: {moved['coding']} coding(s) moved"
        + (
            f", {moved['duplicates']} duplicate(s) folded (the same coder had coded the same "
            "span with both codes: one coding kept, with the memos and links of both)"
            if moved["duplicates"]
            else ""
        ),
    )


@codebook_app.command("delete")
def codebook_delete(
    ctx: typer.Context,
    code: str,
    force: bool = typer.Option(False, "--force", help="Also delete its codings."),
    json_out: bool = JSON_OUT,
) -> None:
    """Delete a code and its children; refused while they have codings unless --force."""
    from review.coding.codebook import delete_code

    with ready(ctx) as s:
        n = delete_code(s, code, force=force)
    print_result(json_out, {"deleted": code, "codings_deleted": n}, f"deleted {code} ({n} codings)")


# --- review memo ---------------------------------------------------------------------------------


MEMO_TARGETS = ("project", "source", "code", "coding")


def _memo_target(s, target: str | None, ref: str) -> int | None:
    """The id a memo is attached to: a source key/id, a code path/name/id, a coding id."""
    from review.coding.codings import find_code, find_source

    if target not in MEMO_TARGETS:
        raise UsageError(f"a memo is on one of {', '.join(MEMO_TARGETS)}, not {target!r}")
    if target == "project":
        return None
    if target == "source":
        return find_source(s, ref).id
    if target == "code":
        return find_code(s, ref).id
    if not ref.isdigit():
        raise UsageError("a coding is given by its id")
    return int(ref)


def _memo_text(words: list[str], file: Path | None) -> str:
    """The memo's text: the argument, `-` for standard input (many lines), or --file."""
    if file is not None:
        if words:
            raise UsageError("give the memo as TEXT or --file, not both")
        try:
            return file.read_text("utf-8-sig")
        except OSError as exc:
            raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    if not words:
        raise UsageError("give the memo's TEXT, '-' to read it from standard input, or --file")
    if len(words) > 1:
        raise UsageError(f"one TEXT (quote it), not {len(words)} words: {' '.join(words)!r}")
    if words[0] == "-":
        return sys.stdin.read()
    return words[0]


@memo_app.command("add")
def memo_add(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="project, source, code or coding."),
    args: list[str] = typer.Argument(
        None,
        metavar="[REF] TEXT",
        help="REF: source key/id, code name/path/id or coding id (none for project); "
        "TEXT: the memo, or '-' to read it (many lines) from standard input.",
    ),
    file: Path = typer.Option(None, "--file", "-f", help="Read the memo from this file."),
    coder: str = CODER,
    json_out: bool = JSON_OUT,
) -> None:
    """Write a memo: `memo add project TEXT`, `memo add source KEY TEXT`, … (TEXT may be
    '-' for standard input, or use --file); a coding's memo replaces the previous one."""
    from review.coding.codings import add_memo

    words = list(args or [])
    if target == "project":
        if words[:1] == ["-"] and len(words) == 2:  # the old spelling: project - TEXT
            words = words[1:]
        ref = None
    elif target in MEMO_TARGETS:
        if not words:
            raise UsageError(f"a memo on a {target} needs its REF, then TEXT")
        ref, words = words[0], words[1:]
    else:
        _memo_target(None, target, "")  # the one message for a bad target
    text = _memo_text(words, file)
    with ready(ctx) as s:
        tid = _memo_target(s, target, ref or "")
        memo = add_memo(s, target=target, target_id=tid, text=text, coder=who(ctx, coder))
    lines = memo.text.count("\n") + 1
    size = f" ({lines} lines)" if lines > 1 else ""
    print_result(json_out, {"memo": memo.__dict__}, f"memo on {memo.about} saved{size}")


@memo_app.command("list")
def memo_list(
    ctx: typer.Context,
    target: str = typer.Argument(None, help="project, source, code or coding."),
    ref: str = typer.Argument(None, help="Only the memos on this source, code or coding."),
    search: str = typer.Option(
        None, "--search", "-s", help="Only memos whose text, author, source key or code holds it."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Memos, oldest first, each with what it is on (project, source, code or coding).

    With blind coding on, memos on codings are only those on yours."""
    from review.coding.codings import blind_coder, blind_note
    from review.coding.memos import memos, written

    if target is not None and target not in MEMO_TARGETS:
        _memo_target(None, target, "")
    with ready(ctx) as s:
        tid = None if ref is None or target == "project" else _memo_target(s, target, ref)
        viewer = who(ctx, None)
        rows = memos(s, target, tid, viewer=viewer, search=search)
        mine = blind_coder(s, viewer)
    if json_out:
        print_json({"blind_coder": mine, "memos": [r.__dict__ for r in rows]})
        return
    if mine is not None and target in (None, "coding"):
        typer.echo(blind_note(mine, "coding memos"))
    for r in rows:
        at = written(r)  # the time it is listed by: its last edit, as the Memos screen says
        when = at.strftime("%Y-%m-%d %H:%M") if at is not None else ""
        head = f"{r.about} — {r.coder or '?'}, {when}"
        typer.echo(head)
        for line in r.text.splitlines() or [""]:
            typer.echo(f"    {line}" if line.strip() else "")
    if not rows:
        typer.echo(f"no memos hold {search!r}" if search else "no memos")


def register(app: typer.Typer) -> None:
    app.add_typer(code_app, name="code")
    app.add_typer(codebook_app, name="codebook")
    app.add_typer(memo_app, name="memo")
    app.command("excerpts")(excerpts_cmd)
    app.command("search")(search_cmd)
    app.command("agreement")(agreement_cmd)
    app.command("cooccurrence")(cooccurrence_cmd)
    app.command("frequencies")(frequencies_cmd)
