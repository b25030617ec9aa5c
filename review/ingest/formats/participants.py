"""Participants CSV: case attributes (area, age band, role, group, ...) matched by name.

A CSV is taken as participants if it has a name / speaker / participant / case column and no
literature (title, doi) or indicator (indicator, value, measure) columns. Optional columns:
`aliases` ("R1; Researcher 1"), `transcript` (the source key a generic label like `P1`
belongs to), `role`. Every other column becomes an attribute. Runs after transcripts.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlmodel import col

from review.ingest.participants import add_alias, attribute_rows, find, is_generic, source_id
from review.ingest.pipeline import Format, ImportContext, ImportFailed
from review.ingest.textio import allow_csv_fields, looks_binary, read_text
from review.store import models as m

_NAME = re.compile(
    r"^(?:name|speaker|participant|case|person|respondent|pseudonym|interviewee)"
    r"(?:[ _]?(?:name|id))?$"
)
_NOT_MINE = {"title", "doi", "indicator", "value", "measure", "author", "authors", "journal"}
_SCOPE = {"transcript", "source", "source key", "file"}
_ALIASES = {"aliases", "alias", "also known as", "aka"}


def _columns(header: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", h.strip().strip("\ufeff").lower()) for h in header]


# Each distinct row costs a few milliseconds (matching names and aliases in the database), so
# a table far longer than any study's participant list is refused rather than run for minutes.
MAX_ROWS = 10_000


def _dialect(text: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    first = text.split("\n", 1)[0]
    return max(",;\t", key=first.count)


def name_column(header: list[str]) -> int | None:
    cols = _columns(header)
    if any(c in _NOT_MINE for c in cols):
        return None
    for i, c in enumerate(cols):
        if _NAME.match(c):
            return i
    return None


def detect(path: Path, data: bytes) -> int:
    if path.suffix.lower() not in (".csv", ".tsv") or looks_binary(data):
        return 0
    text = read_text(data[:8192]).text
    rows = list(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=_dialect(text, path)))
    if not rows or name_column(rows[0]) is None:
        return 0
    return 60


def load(ctx: ImportContext) -> None:
    if looks_binary(ctx.data):
        raise ImportFailed("binary file, not a CSV")
    text = ctx.read_text().text
    allow_csv_fields(len(text))
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(text, ctx.path))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed("empty CSV: no header row") from None
    col = name_column(header)
    if col is None:
        raise ImportFailed("no name / speaker / participant / case column in the header", 1)
    cols = _columns(header)
    session = ctx.session
    seen: set[int] = set()
    known = _Attributes(session)
    rows_seen: set[tuple[str, ...]] = set()
    repeats = 0
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        ctx.report.records += 1
        if len(rows_seen) >= MAX_ROWS:
            raise ImportFailed(
                f"more than {MAX_ROWS:,} participants: not a participants table? "
                "(split it, or import it as indicators)",
                line,
            )
        key = tuple(cell.strip() for cell in row)
        if key in rows_seen:  # (a row repeated exactly says nothing new)
            repeats += 1
            ctx.report.skipped += 1
            continue
        rows_seen.add(key)
        if len(row) != len(header):
            ctx.problem(line, f"{len(row)} cells where the header has {len(header)}")
            ctx.report.skipped += 1
            continue
        name = row[col].strip()
        if not name:
            ctx.problem(line, "no name in this row")
            ctx.report.skipped += 1
            continue
        scope = next((row[i].strip() for i, c in enumerate(cols) if c in _SCOPE), "") or None
        scope_id = source_id(session, scope)
        if scope and scope_id is None and is_generic(name):
            # a generic label means someone only within one transcript, which is not here
            ctx.problem(
                line, f"{name!r}: no transcript {scope!r} in the workspace; import it first"
            )
            ctx.report.skipped += 1
            continue
        if scope and scope_id is None:
            ctx.warn(
                line, f"no transcript {scope!r} in the workspace: this row's aliases are left out"
            )
        with session.begin_nested():
            person = _participant(ctx, name, scope, scope_id, line)
            if person is None:
                ctx.report.skipped += 1
                continue
            if person.id in seen:
                ctx.warn(line, f"{name!r} appears again; later values replace earlier ones")
            seen.add(person.id)
            for i, c in enumerate(cols):
                value = row[i].strip()
                if i == col or c in _SCOPE:
                    continue
                if c in _ALIASES:
                    for alias in filter(None, (a.strip() for a in re.split(r"[;|]", value))):
                        if scope is None or scope_id is not None:
                            add_alias(session, person, alias, scope_id)
                            known.forget()  # (an alias may merge participants' attributes)
                elif c == "role" and value:
                    person.role = "moderator" if value.lower() in _MODERATOR else value
                    session.add(person)
                    known.set(person.id, c, value)
                elif value:
                    known.set(person.id, c, value)
            ctx.report.imported += 1
        ctx.progress(ctx.report.records, None)
    if repeats:
        ctx.warn(None, f"{repeats:,} row(s) repeat an earlier row exactly: skipped")


class _Attributes:
    """Participants' attributes as this import sets them: each participant's rows are read
    once, then set in memory (a query per cell made a 1 MB table take minutes)."""

    def __init__(self, session) -> None:
        self.session = session
        self.rows: dict[int, dict[str, m.ParticipantAttribute]] = {}

    def set(self, participant_id: int, name: str, value: str) -> None:
        rows = self.rows.get(participant_id)
        if rows is None:
            rows = self.rows[participant_id] = {
                r.name: r for r in attribute_rows(self.session, participant_id)
            }
        row = rows.get(name)
        if row is None:
            row = rows[name] = m.ParticipantAttribute(
                participant_id=participant_id, name=name, value=value
            )
        else:
            row.value = value
        self.session.add(row)

    def forget(self) -> None:
        self.rows.clear()


_MODERATOR = {"moderator", "facilitator", "interviewer"}


def _participant(ctx: ImportContext, name: str, scope: str | None, scope_id: int | None, line: int):
    """The participant a row means; created if no transcript has mentioned them yet."""
    session = ctx.session
    person = find(session, name, scope)
    if person is not None:
        return person
    if is_generic(name) and not scope:
        from sqlmodel import select

        like = session.exec(
            select(m.Participant).where(
                col(m.Participant.name) == name, col(m.Participant.scope_id).is_not(None)
            )
        ).all()
        if len(like) == 1:
            return like[0]
        if len(like) > 1:
            ctx.problem(
                line, f"{name!r} is a speaker in {len(like)} transcripts: add a transcript column"
            )
            return None
    person = m.Participant(
        name=name, scope_id=scope_id if is_generic(name) else None, role="participant"
    )
    session.add(person)
    session.flush()
    return person


FORMAT = Format(
    name="participants",
    detect=detect,
    load=load,
    order=40,
    description="participants / case attributes CSV (matched by name)",
)
