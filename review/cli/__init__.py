"""The `review` command line: a thin Typer layer over the service functions.

Each command module in this package defines `register(app)`; `review.cli.commands` names the
module of every command, and the root group imports a module only when one of its commands
runs (so `review status` never pays for docx, openpyxl, spaCy or Textual).
"""

from __future__ import annotations

import logging
import sys

import typer

from review.cli.commands import LazyGroup
from review.cli.workspace_cmds import root
from review.errors import ReviewError

app = typer.Typer(
    name="review",
    help="Evidence-review manager: literature, transcripts and survey indicators.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=LazyGroup,
)
app.callback(invoke_without_command=True)(root)  # the global options


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _library_logs(debug)
    try:
        result = app(args=args, prog_name="review", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors and bad parameters
        print(f"review: error: {_usage_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("review: aborted", file=sys.stderr)
        return 1
    except ReviewError as exc:
        if debug:
            raise
        print(f"review: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("review: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the contract: one line, never a traceback, unless --debug
        if debug:
            raise
        message = " ".join(str(exc).split())  # (SQLAlchemy adds a second "Background" line)
        print(
            f"review: internal error: {type(exc).__name__}: {message} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return 1
    if result == 130:  # Typer's Ctrl-C: KeyboardInterrupt becomes a silent exit status 130
        print("review: interrupted", file=sys.stderr)
    return result if isinstance(result, int) else 0


def _usage_line(exc: typer.TyperException) -> str:
    """Click's usage error (three lines: usage, hint, error) as the contract's one line."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _library_logs(debug: bool) -> None:
    """Keep libraries' log records off stderr unless --debug.

    bibtexparser and pypdf log warnings about the very input an import already reports as
    problems (file, line, why); with no handler configured Python prints each on stderr,
    some over several lines, breaking the one-line contract. A NullHandler on the root logger
    stops that; --debug shows them.
    """
    root = logging.getLogger()
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    elif not root.handlers:
        root.addHandler(logging.NullHandler())
