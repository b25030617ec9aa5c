"""Helpers for the coding tests: sources with text, passages and search rows, built directly
(the way the import pipeline stores them) so these tests do not depend on a parser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy import text as sql

from review.store import models as m

SPEAKER = re.compile(r"^([A-Z][\w .]{0,30}):\s")


def make_source(session, key: str, body: str, kind: str = "transcript") -> m.Source:
    """A source whose passages are its lines (kind "sentence"), speaker from "Name: " prefixes,
    indexed in passage_fts exactly as migration m0002 indexes existing passages."""
    source = m.Source(key=key, kind=kind, title=key, text=body)
    session.add(source)
    session.flush()
    pos = 0
    for line in body.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        hit = SPEAKER.match(line)
        speaker = hit.group(1) if hit else None
        participant_id = None
        if speaker:
            who = session.scalar(select(m.Participant).where(m.Participant.name == speaker))
            if who is None:
                who = m.Participant(name=speaker)
                session.add(who)
                session.flush()
            participant_id = who.id
        session.add(
            m.Passage(
                source_id=source.id,
                start=start,
                end=end,
                kind="sentence",
                speaker=speaker,
                participant_id=participant_id,
            )
        )
    session.flush()
    session.execute(
        sql(
            "INSERT INTO passage_fts(rowid, text) "
            "SELECT p.id, substr(s.text, p.start + 1, p.end - p.start) "
            "FROM passage p JOIN source s ON s.id = p.source_id WHERE s.id = :sid"
        ),
        {"sid": source.id},
    )
    return source


def set_attribute(session, participant: str, name: str, value: str) -> None:
    who = session.scalar(select(m.Participant).where(m.Participant.name == participant))
    session.add(m.ParticipantAttribute(participant_id=who.id, name=name, value=value))
    session.flush()


@contextmanager
def inserts_into(session, table: str) -> Iterator[list[str]]:
    """The INSERT statements sent to the database for `table` while the block runs (one per
    statement, however many rows each carries): bulk writes must stay a few statements."""
    seen: list[str] = []
    prefix = f"INSERT INTO {table.upper()} "

    def listen(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith(prefix):
            seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)
