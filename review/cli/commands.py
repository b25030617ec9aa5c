"""Every `review` command: its name, the module that defines it, and its one-line help.

Why a table: a command's module (and whatever heavy library it needs: docx, openpyxl, spaCy,
Textual, the brief) is imported only when that command runs, so `review status` pays only for
the database, and `review --help` lists every command from this table without importing any
of them. `tests/test_cli_startup.py` checks the table against what each module registers, so
a new command or a changed docstring cannot drift from it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    module: str  # defines `register(app)`, which adds this command (and maybe others)
    help: str  # the first line of the command's help, as `review --help` lists it


_CLI = "review.cli"

# In the order `review --help` has always listed them (commands, then command groups).
COMMANDS: dict[str, Entry] = {
    "brief": Entry(
        f"{_CLI}.brief",
        "Write the briefing note: front matter, an at-a-glance summary, the five tables, four "
        "figures and references as Markdown, CSV, HTML and/or DOCX.",
    ),
    "excerpts": Entry(
        f"{_CLI}.coding",
        "Coded excerpts by code (with its children), source, coder or participant attribute.",
    ),
    "search": Entry(
        f"{_CLI}.coding",
        "Full-text search over literature and passages, best first (exact bm25).",
    ),
    "agreement": Entry(
        f"{_CLI}.coding",
        "Inter-coder agreement: percent, Cohen's kappa, Krippendorff's alpha, segments.",
    ),
    "cooccurrence": Entry(f"{_CLI}.coding", "Code co-occurrence matrix."),
    "frequencies": Entry(
        f"{_CLI}.coding", "Code frequencies: codings, sources and characters coded per code."
    ),
    "dedupe": Entry(
        f"{_CLI}.dedupe",
        "Find duplicate literature records (DOI, fuzzy title/authors/year/venue) and merge them.",
    ),
    "export": Entry(
        f"{_CLI}.export",
        "Export BibTeX/RIS of included sources, coded excerpts, or a REFI-QDA project.",
    ),
    "import": Entry(
        f"{_CLI}.importing",
        "Import literature, transcripts, documents and more; the format is read from content.",
    ),
    "prisma": Entry(
        f"{_CLI}.screening",
        "PRISMA 2020 flow counts: identified per database, duplicates, screened, included.",
    ),
    "transcripts": Entry(
        f"{_CLI}.transcripts",
        "Transcripts and documents: speakers, turns, passages and header metadata.",
    ),
    "passages": Entry(
        f"{_CLI}.transcripts",
        "The passages of one source with their offsets, speakers, times and text.",
    ),
    "push": Entry(
        f"{_CLI}.team",
        "Copy this workspace's database into an empty database (a team's PostgreSQL server).",
    ),
    "pull": Entry(f"{_CLI}.team", "Copy a server's database into this workspace's empty database."),
    "merge": Entry(
        f"{_CLI}.team",
        "Merge another workspace's codes, codings and memos of the same sources into this one.",
    ),
    "backup": Entry(
        f"{_CLI}.reliability",
        "Back up the workspace database (consistent while others write) to one SQLite file.",
    ),
    "restore": Entry(
        f"{_CLI}.reliability",
        "Replace the workspace database with a backup (the replaced one is kept beside it).",
    ),
    "doctor": Entry(
        f"{_CLI}.reliability",
        "Check the database: integrity, foreign keys, the search index, coded quotes, codes.",
    ),
    "tui": Entry(
        f"{_CLI}.tui", "Open the workbench: library, import, reader/coder, codebook, excerpts."
    ),
    "init": Entry(
        f"{_CLI}.workspace_cmds", "Make a workspace: corpus/, codebook/, exports/ and the database."
    ),
    "status": Entry(
        f"{_CLI}.workspace_cmds",
        "Counts: sources by kind, passages, codes, codings, indicators, decisions, ...",
    ),
    "code": Entry(
        f"{_CLI}.coding", "Apply, remove, suggest, accept, reject, undo and redo codings."
    ),
    "codebook": Entry(f"{_CLI}.coding", "The codebook: list, import, export and edit codes."),
    "memo": Entry(f"{_CLI}.coding", "Memos on the project, sources, codes and codings."),
    "indicators": Entry(f"{_CLI}.indicators", "Survey indicators and the evidence linked to them."),
    "screen": Entry(
        f"{_CLI}.screening",
        "Screen records: two reviewers, blind, with reasons, conflicts and kappa.",
    ),
    "participants": Entry(f"{_CLI}.transcripts", "Speakers (cases): list, alias, attributes."),
    "sources": Entry(
        f"{_CLI}.sources", "Mend sources: edit title, date, group and metadata; delete."
    ),
}


def load(module: str) -> dict[str, Any]:
    """Import a command module and return the Click commands its `register(app)` adds."""
    sub = typer.Typer(add_completion=False, rich_markup_mode=None)
    importlib.import_module(module).register(sub)
    return dict(typer.main.get_group(sub).commands)


class _Commands(MutableMapping):
    """The group's commands by name: every name in COMMANDS, loaded on first lookup."""

    def __init__(self, eager: dict) -> None:
        self._loaded = dict(eager)

    def __getitem__(self, name: str):
        if name not in self._loaded and name in COMMANDS:
            self._loaded.update(load(COMMANDS[name].module))
        return self._loaded[name]

    def __setitem__(self, name: str, command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._loaded if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for name in self._loaded if name not in COMMANDS)


class LazyGroup(TyperGroup):
    """The root `review` group: commands resolve through `_Commands`, help reads COMMANDS."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands(dict(self.commands))

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # names only: listing must not import the modules

    def format_commands(self, ctx, formatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            # a stub that carries only the table's help: what the listing needs
            entry = COMMANDS.get(name)
            command = TyperCommand(name=name, help=entry.help) if entry else self.commands[name]
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
