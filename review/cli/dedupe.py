"""`review dedupe [--apply] [--json] [--maybe] [--undo CLUSTER] [--merge K1,K2] [--apart K1,K2]
[--history]`."""

from __future__ import annotations

import typer

from review.cli.context import (
    JSON_OUT,
    print_json,
    print_result,
    progress_bar,
    session,
    show_progress,
)
from review.errors import UsageError


def _keys(value: str) -> list[str]:
    return [k.strip() for k in value.split(",") if k.strip()]


def dedupe(
    ctx: typer.Context,
    apply_: bool = typer.Option(False, "--apply", help="Merge every cluster found."),
    maybe: bool = typer.Option(False, "--maybe", help="List only the pairs a person must decide."),
    undo: str = typer.Option(None, "--undo", metavar="CLUSTER", help="Undo a merged cluster."),
    merge: str = typer.Option(None, "--merge", metavar="K1,K2", help="Merge these records."),
    apart: str = typer.Option(None, "--apart", metavar="K1,K2", help="Keep two records apart."),
    history_: bool = typer.Option(False, "--history", help="List merges and keep-apart calls."),
    json_out: bool = JSON_OUT,
) -> None:
    """Find duplicate literature records (DOI, fuzzy title/authors/year/venue) and merge them."""
    from review.screening.dedupe import service

    chosen = [
        n
        for n, v in (
            ("--apply", apply_),
            ("--maybe", maybe),
            ("--undo", undo),
            ("--merge", merge),
            ("--apart", apart),
            ("--history", history_),
        )
        if v
    ]
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join(chosen)}")
    from review.cli.context import workspace

    coder = workspace(ctx).coder
    with session(ctx) as s:
        if undo:
            res = service.undo(s, undo, coder=coder)
            return print_result(
                json_out,
                {"undone": res.to_dict()},
                f"{res.undone_line()} (cluster {res.cluster})",
            )
        if merge:
            res = service.merge_keys(s, _keys(merge), coder=coder)
            return print_result(
                json_out,
                {"merged": [res.to_dict()]},
                f"merged {', '.join(res.merged)} into {res.survivor} (cluster "
                f"{res.cluster}; undo with `review dedupe --undo {res.cluster}`)",
            )
        if apart:
            keys = _keys(apart)
            if len(keys) != 2:
                raise UsageError("--apart takes exactly two keys: --apart KEY1,KEY2")
            cid = service.keep_apart(s, keys[0], keys[1], coder=coder)
            return print_result(
                json_out,
                {"apart": {"cluster": cid, "keys": keys}},
                f"{keys[0]} and {keys[1]} kept apart; they will not be proposed again",
            )
        if history_:
            rows = service.history(s)
            if json_out:
                print_json({"history": rows})
                return
            for r in rows:
                when = r["created"].strftime("%Y-%m-%d %H:%M") if r["created"] else "-"
                who = "import" if _at_import(r["reasons"]) else r["coder"] or "-"
                pair = f"{r['merged']} → {r['survivor']}"
                if r["status"] == "undo":  # not an arrow: it reads like a merge
                    pair = f"{r['merged']} and {r['survivor']} separate again"
                elif r["status"] == "undo-apart":
                    pair = f"{r['merged']} and {r['survivor']} may be proposed again"
                typer.echo(f"{when}  {who:<12} {r['cluster']}  {r['status']:<7} {pair}")
            typer.echo(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
            return
        bar = show_progress(json_out)
        total = service.count_live(s) if bar else None
        with progress_bar("finding duplicates", total, bar) as advance:
            found = service.find_duplicates(s, advance)
        doc = found.to_dict()
        if maybe:
            doc.pop("clusters")
        if apply_:
            from review.store.backup import auto_backup

            if found.clusters:
                doc["backup"] = auto_backup(s.get_bind().engine, "dedupe")
            with progress_bar("merging", len(found.clusters), show_progress(json_out)) as adv:
                merged, refused = service.apply(s, found, progress=adv, coder=coder)
            doc["applied"] = True
            doc["merged"] = [r.to_dict() for r in merged]
            doc["refused"] = refused
        if json_out:
            print_json(doc)
            return
        _print_report(found, maybe)
        if apply_:
            n = sum(len(r.merged) for r in merged)
            typer.echo(f"merged {len(merged)} cluster(s): {n} record(s) now point to a survivor")
            for line in refused:
                typer.echo(f"not merged: {line}", err=True)


def _at_import(reasons: list[str] | None) -> bool:
    """A link the import made (the same record again), not a reviewer's call."""
    from review.ingest.sources import AT_IMPORT

    return any(r in AT_IMPORT for r in reasons or [])


def _print_report(found, maybe_only: bool) -> None:
    if not maybe_only:
        for c in found.clusters:
            typer.echo(f"{c.id}  {' | '.join(c.keys)}  ({'; '.join(c.reasons)})")
    for p in found.maybe:
        typer.echo(f"maybe  {p.a} ~ {p.b}  {p.score:.2f}  ({'; '.join(p.reasons)})")
    if found.shared_dois:
        typer.echo(
            f"not used: {len(found.shared_dois)} DOI(s) that several different works carry "
            f"(e.g. {found.shared_dois[0]}); those records were compared without them"
        )
    typer.echo(
        f"{found.records} record(s), {len(found.clusters)} duplicate cluster(s), "
        f"{len(found.maybe)} pair(s) to decide (--merge K1,K2 or --apart K1,K2)"
    )


def register(app: typer.Typer) -> None:
    app.command("dedupe")(dedupe)
