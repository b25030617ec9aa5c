"""`review tui`: open the workbench (a bare `review` does the same on a terminal)."""

from __future__ import annotations

import sys

import typer

from review.cli.context import workspace


def open_workbench(
    ctx: typer.Context,
    start: str = "library",
    sample: bool = True,
    at: tuple[str, int | None, int | None] | None = None,
) -> None:
    """Run the Textual app on the workspace (Textual is imported only here); `at` is
    (source key, start, end) to open the Reader at."""
    from review.tui.app import ReviewApp

    ws = workspace(ctx)
    _ = ws.engine  # open and upgrade the database before the screen takes over
    app = ReviewApp(ws, start=start, sample_import=sample, open_at=at)
    app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)


def interactive() -> bool:
    """A person at a terminal (a bare `review` in a pipe or a test prints the status)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def tui(
    ctx: typer.Context,
    screen: str = typer.Option("library", "--screen", help="Screen to open first."),
    no_sample: bool = typer.Option(
        False, "--no-sample", help="Do not import corpus/ on the first run."
    ),
    open_key: str | None = typer.Option(
        None, "--open", help="Open this source (key or id) in the Reader."
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        help="With --open: OFFSET (the sentence there) or START:END (that span, selected), "
        "as `review search` prints them.",
    ),
) -> None:
    """Open the workbench: library, import, reader/coder, codebook, excerpts."""
    from review.tui.screens import discover

    names = [s.name for s in discover()]
    if screen not in names:
        raise typer.BadParameter(f"unknown screen {screen!r} (one of: {', '.join(names)})")
    target = None
    if at is not None and open_key is None:
        raise typer.BadParameter("--at needs --open KEY")
    if open_key is not None:
        start = end = None
        if at is not None:
            try:
                a, _, z = at.partition(":")
                start, end = int(a), (int(z) if z else None)
            except ValueError:
                raise typer.BadParameter(f"bad --at {at!r}: OFFSET or START:END") from None
        target = (open_key, start, end)
    open_workbench(ctx, start=screen, sample=not no_sample, at=target)


def register(app: typer.Typer) -> None:
    app.command("tui")(tui)
