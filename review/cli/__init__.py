"""The `review` command line: a thin Typer layer over the service functions.

Each command module in this package defines `register(app)`; `review.cli.commands` names the
module of every command, and the root group imports a module only when one of its commands
runs (so `review status` never pays for docx, openpyxl, spaCy or Textual).
"""

from __future__ import annotations

import gc
import logging
import sys

import typer

from review import logs
from review.cli import terminal
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
log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    logs.setup_process(debug)  # (the root callback points the log at the workspace)
    try:
        with terminal.cleaned():  # (text from outside never reaches the terminal raw)
            return _run(args)
    finally:
        logs.reset()


def run() -> int:
    """The `review` program (console script and `python -m review`): `main`, then its exit.

    The interpreter's last garbage collections at exit walk every object still alive
    (SQLAlchemy's, pydantic's and the data model's, ~0.1 s CPU of each command) only to free
    memory the process is about to give back; `gc.freeze()` takes them out of those walks.
    atexit handlers (the log's flush), thread joins and module teardown still run as before.
    Only here, not in `main`: tests call `main` many times in one long-lived process.
    """
    code = main()
    gc.freeze()
    return code


def _run(args: list[str]) -> int:
    command = _shown(args)
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
    except ReviewError as exc:  # the user's to fix, not a bug: no traceback in the log
        log.debug("%s: %s", command, exc, exc_info=True)
        print(f"review: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("review: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line here, the traceback in the log (and --debug)
        from review.store.faults import describe

        fault = describe(exc)  # (a full disk or a read-only database is not a bug)
        if fault is not None:
            log.warning("%s: %s", command, fault, exc_info=True)
            print(f"review: error: {fault}", file=sys.stderr)
            return 1
        print(f"review: {logs.internal_error(log, exc, command)}", file=sys.stderr)
        return 1
    if result == 130:  # Typer's Ctrl-C: KeyboardInterrupt becomes a silent exit status 130
        print("review: interrupted", file=sys.stderr)
    return result if isinstance(result, int) else 0


def _shown(args: list[str]) -> str:
    """The command line for the log, with any password in a `--db` URL hidden and any byte
    that is not UTF-8 written as an escape."""
    shown = ["review"]
    for i, arg in enumerate(args):
        if arg.startswith("--db="):
            arg = "--db=" + _hide_password(arg[5:])
        elif i and args[i - 1] == "--db":
            arg = _hide_password(arg)
        shown.append(arg)
    # an argument from a terminal in another encoding holds surrogates (bytes Python could
    # not decode), which the UTF-8 log file cannot take: the log would stop for the process
    return " ".join(shown).encode("utf-8", "backslashreplace").decode("utf-8")


def _hide_password(url: str) -> str:
    from review.store.workspace import shown_url

    return shown_url(url)


def _usage_line(exc: typer.TyperException) -> str:
    """Click's usage error (three lines: usage, hint, error) as the contract's one line."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message
