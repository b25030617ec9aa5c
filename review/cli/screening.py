"""`review screen list|decide|undo|redo|conflicts|resolve|kappa|reasons|blind` and
`review prisma`."""

from __future__ import annotations

import typer

from review.cli.context import JSON_OUT, print_json, session, workspace

STAGE_HELP = "title-abstract or full-text"

screen_app = typer.Typer(
    help="Screen records: two reviewers, blind, with reasons, conflicts and kappa.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _stage_opt(default: str = "title-abstract"):
    return typer.Option(default, "--stage", "-s", help=STAGE_HELP)


@screen_app.command("list")
def list_(
    ctx: typer.Context,
    stage: str = _stage_opt(),
    todo: bool = typer.Option(False, "--todo", help="Only records you have not decided."),
    status: str = typer.Option(
        None,
        "--status",
        help="unscreened (nobody decided), pending (waits for another reviewer), conflict, "
        "include, exclude, maybe or not-retrieved.",
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many."),
    offset: int = typer.Option(0, "--offset", min=0),
    json_out: bool = JSON_OUT,
) -> None:
    """Records to screen as you may see them (blind mode hides others' decisions)."""
    from review.screening import decisions as screening

    me = workspace(ctx).coder
    with session(ctx) as s:
        screening.check_stage(stage)
        items = screening.queue(s, me, stage, todo, status, limit + 1, offset)
        prog = screening.progress(s, me, stage)
        blind = screening.is_blind(s)
    more = len(items) > limit  # (one more asked for: whether the list goes on)
    items = items[:limit]
    if json_out:
        print_json({"coder": me, "blind": blind, "progress": prog, "records": items, "more": more})
        return
    for it in items:
        words = screening.described(it, me)
        typer.echo(
            f"{it['key']:<24} {it['status']:<13} mine={it['mine'] or '-':<8} "
            f"{(it['title'] or '')[:70]}"
            + (f"  [{words['others']}]" if words["others"] else "")
            + (f"  final: {words['final']}" if words["final"] else "")
        )
    if more:  # it said nothing of the records past --limit
        typer.echo(
            f"… and more: --offset {offset + limit} lists the next {limit} (--limit sets how many)"
        )
    typer.echo(
        f"{prog['mine']} of {prog['records']} decided by {me} at {stage}"
        + (" (blind)" if blind else "")
    )


def _decide(
    ctx,
    decision: str,
    keys: list[str],
    stage: str,
    reason: str | None,
    final: bool,
    json_out: bool,
    force: bool = False,
) -> None:
    from review.errors import ConflictError
    from review.ingest.sources import normal_key
    from review.screening import decisions as screening

    me = workspace(ctx).coder
    keys = [normal_key(k) for k in keys]  # as stored: one key however it was typed
    distinct = list(dict.fromkeys(keys))  # a key given twice is decided once, in first order
    for key in sorted({k for k in keys if keys.count(k) > 1}, key=distinct.index):
        typer.echo(f"{key} was given {keys.count(key)} times: decided once", err=True)
    # a resolution settles a conflict as listed: one another reviewer made since is replaced
    # only when asked for (--force), never by accident (the stale-write check in `decide`)
    seen = screening.ANY_RESOLUTION if force else None
    done = []
    with session(ctx) as s:
        for key in distinct:
            try:
                row = screening.decide(
                    s, me, key, decision, stage, reason, final=final, seen_final=seen
                )
            except screening.AlreadyResolved as exc:  # (nothing is recorded: all or none)
                raise ConflictError(f"{exc}; --force replaces their resolution") from exc
            done.append(
                {
                    "key": key,
                    "decision": row.decision,
                    "reason": row.reason,
                    "stage": stage,
                    "coder": me,
                    "final": final,
                }
            )
    if json_out:
        print_json({"decisions": done})
        return
    verb = "resolved" if final else "recorded"
    for d in done:
        why = f" ({d['reason']})" if d["reason"] else ""
        typer.echo(f"{verb}: {d['key']} {d['decision']}{why} at {stage} by {me}")


# `decide` and `resolve` take the same arguments; the finality of the decision differs, and
# `resolve` may replace a colleague's resolution (--force).
DECISION = typer.Argument(..., help="include, exclude, maybe or (full text) not-retrieved")
KEYS = typer.Argument(..., help="Record keys.")
REASON = typer.Option(None, "--reason", "-r", help="Exclusion reason (from the list).")


@screen_app.command("decide")
def decide(
    ctx: typer.Context,
    decision: str = DECISION,
    keys: list[str] = KEYS,
    stage: str = _stage_opt(),
    reason: str = REASON,
    json_out: bool = JSON_OUT,
) -> None:
    """Record your decision on one or more records (all or none are recorded)."""
    _decide(ctx, decision, keys, stage, reason, False, json_out)


@screen_app.command("resolve")
def resolve(
    ctx: typer.Context,
    decision: str = DECISION,
    keys: list[str] = KEYS,
    stage: str = _stage_opt(),
    reason: str = REASON,
    force: bool = typer.Option(
        False, "--force", help="Replace a resolution another reviewer made (refused without)."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Settle a conflict with a third, final decision (all or none are recorded)."""
    _decide(ctx, decision, keys, stage, reason, True, json_out, force=force)


def _step(ctx, which: str, stage: str | None, json_out: bool) -> None:
    """`review screen undo|redo`: the Screening screen's ctrl+z / ctrl+y."""
    from review.coding import history
    from review.screening import decisions as screening

    me = workspace(ctx).coder
    with session(ctx) as s:
        if stage is not None:
            screening.check_stage(stage)
        step = history.screen_step(s, me, which, stage=stage)
    done = "undone" if which == "undo" else "redone"
    if json_out:
        print_json({done: step.what, "key": step.key if step.what else None,
                    "stage": step.stage if step.what else None, "coder": me})  # fmt: skip
        return
    if step.what:
        typer.echo(f"{done}: {step.what}")
        return
    at = f" at {stage}" if stage else ""
    if which == "redo" and step.key is not None:
        typer.echo(
            f"nothing to redo: you decided again{at} since undoing {step.key}, which ends "
            "the redo chain"
        )
    elif which == "redo":
        typer.echo(f"nothing to redo: no screening decision of yours ({me}){at} was undone")
    else:
        typer.echo(f"nothing to undo: no screening decision of yours ({me}){at} to take back")


STEP_STAGE = typer.Option(
    None, "--stage", "-s", help=f"Only a decision at this stage: {STAGE_HELP} (default: either)."
)


@screen_app.command("undo")
def undo(ctx: typer.Context, stage: str = STEP_STAGE, json_out: bool = JSON_OUT) -> None:
    """Take back your last screening decision (its record's status too): ctrl+z on the
    Screening screen."""
    _step(ctx, "undo", stage, json_out)


@screen_app.command("redo")
def redo(ctx: typer.Context, stage: str = STEP_STAGE, json_out: bool = JSON_OUT) -> None:
    """Make the screening decision you undid last again: ctrl+y on the Screening screen."""
    _step(ctx, "redo", stage, json_out)


@screen_app.command("conflicts")
def conflicts(
    ctx: typer.Context,
    stage: str = _stage_opt(),
    json_out: bool = JSON_OUT,
) -> None:
    """Records the reviewers disagree on."""
    from review.screening import decisions as screening

    with session(ctx) as s:
        rows = screening.conflicts(s, stage)
    if json_out:
        print_json({"stage": stage, "conflicts": rows})
        return
    for r in rows:
        typer.echo(f"{r['key']:<24} {screening.conflict_words(r)}")
    typer.echo(f"{len(rows)} conflict(s) at {stage}; settle with `review screen resolve`")


@screen_app.command("kappa")
def kappa(
    ctx: typer.Context,
    stage: str = typer.Option(None, "--stage", "-s", help=f"{STAGE_HELP} (default: both)"),
    coders: str = typer.Option(None, "--coders", metavar="A,B", help="The two screeners."),
    json_out: bool = JSON_OUT,
) -> None:
    """Cohen's kappa between the two screeners, per stage."""
    from review.errors import ReviewError, UsageError
    from review.screening import decisions as screening
    from review.stats import describe

    pair = None
    if coders:
        names = [c.strip() for c in coders.split(",") if c.strip()]
        if len(names) != 2:
            raise UsageError("--coders takes two names: --coders A,B")
        pair = (names[0], names[1])
    stages = [screening.check_stage(stage)] if stage else list(screening.STAGES)
    results, skipped = [], []
    with session(ctx) as s:
        for st in stages:
            try:
                results.append(screening.kappa(s, st, pair).to_dict())
            except ReviewError as exc:
                if stage:
                    raise
                skipped.append(str(exc))
    if not results:
        raise ReviewError("; ".join(skipped))
    if json_out:
        print_json({"kappa": results})
        return
    for r in results:
        k = describe(r["kappa"])
        typer.echo(
            f"{r['stage']}: kappa {k} between {r['coders'][0]} and {r['coders'][1]} "
            f"on {r['n']} records (observed {r['observed_agreement']}, "
            f"chance {r['expected_agreement']})"
        )


@screen_app.command("reasons")
def reasons(
    ctx: typer.Context,
    add: str = typer.Option(None, "--add", help="Add a reason to the shared list."),
    remove: str = typer.Option(None, "--remove", help="Remove a reason from the list."),
    stage: str = typer.Option(None, "--stage", "-s", help=f"Only for {STAGE_HELP}."),
    json_out: bool = JSON_OUT,
) -> None:
    """Show or edit the shared list of exclusion reasons."""
    from review.screening import decisions as screening

    with session(ctx) as s:
        if add:
            screening.add_reason(s, add, stage)
        if remove:
            screening.remove_reason(s, remove)
        rows = [{"name": r.name, "stage": r.stage} for r in screening.reasons(s, stage)]
    if json_out:
        print_json({"reasons": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']}" + (f"  ({r['stage']} only)" if r["stage"] else ""))


@screen_app.command("blind")
def blind(
    ctx: typer.Context,
    mode: str = typer.Argument(None, help="on or off (omit to show)."),
    reviewers: int = typer.Option(None, "--reviewers", help="Reviewers per record: 1 or 2."),
    json_out: bool = JSON_OUT,
) -> None:
    """Blind mode: a reviewer sees only their own decisions until both have decided."""
    from review.errors import UsageError
    from review.screening import decisions as screening

    with session(ctx) as s:
        if mode is not None:
            if mode not in ("on", "off"):
                raise UsageError("blind takes on or off")
            screening.set_blind(s, mode == "on")
        if reviewers is not None:
            screening.set_required_reviewers(s, reviewers)
        doc = {"blind": screening.is_blind(s), "reviewers": screening.required_reviewers(s)}
    if json_out:
        print_json(doc)
        return
    typer.echo(
        f"blind mode {'on' if doc['blind'] else 'off'}; {doc['reviewers']} reviewer(s) per record"
    )


def prisma(
    ctx: typer.Context,
    json_out: bool = JSON_OUT,
) -> None:
    """PRISMA 2020 flow counts: identified per database, duplicates, screened, included."""
    from review.screening.decisions import means_not_retrieved
    from review.screening.prisma import prisma as flow

    with session(ctx) as s:
        doc = flow(s)
    if json_out:
        print_json(doc)
        return
    ident, scr, elig = doc["identification"], doc["screening"], doc["eligibility"]
    typer.echo(f"Records identified: {ident['records_identified']}")
    for name, n in ident["by_database"].items():
        typer.echo(f"  {name}: {n}")
    typer.echo(f"Duplicates removed: {ident['duplicates_removed']}")
    typer.echo(
        f"Records screened: {scr['records_screened']} "
        f"(awaiting {scr['awaiting_screening']}: {scr['conflicts']} of them conflicts)"
    )
    typer.echo(f"Records excluded: {scr['records_excluded']}")
    for name, n in scr["excluded_by_reason"].items():
        typer.echo(f"  {name}: {n}")
    typer.echo(f"Reports sought for retrieval: {elig['reports_sought']}")
    typer.echo(f"Reports not retrieved: {elig['reports_not_retrieved']}")
    typer.echo(
        f"Reports assessed for eligibility: {elig['reports_assessed']} "
        f"(awaiting {elig['awaiting_assessment']}: {elig['conflicts']} of them conflicts)"
    )
    typer.echo(f"Reports excluded: {elig['reports_excluded']}")
    for name, n in elig["excluded_by_reason"].items():
        typer.echo(f"  {name}: {n}")
    for name, n in elig["excluded_by_reason"].items():
        if means_not_retrieved(name):  # decided before it stopped being a default reason
            typer.echo(
                f"note: {n} report(s) excluded as {name!r} could not be obtained: PRISMA 2020 "
                "counts them as not retrieved, not assessed; re-decide them with `review "
                "screen decide not-retrieved KEY -s full-text`",
                err=True,
            )
    if doc["stage_reached"] == "full-text":
        typer.echo(f"Studies included: {doc['included']['studies']}")
        typer.echo(f"Reports of included studies: {doc['included']['reports']}")
    else:
        typer.echo("Studies included: full texts not assessed yet")
    bad = [k for k, ok in doc["checks"].items() if not ok]
    if bad:
        typer.echo("counts do not add up: " + "; ".join(bad), err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(screen_app, name="screen")
    app.command("prisma")(prisma)
