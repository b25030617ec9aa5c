"""`review doctor`: check a workspace database, and repair what is safe to repair.

Checks, each a `Finding` (what, how many, examples, fixed?):

- `integrity`: SQLite's `PRAGMA integrity_check` (damaged pages, broken indexes). Not fixed:
  restore a backup (`review restore`).
- `foreign-keys`: rows naming a row that does not exist, for every foreign key of the models
  (on SQLite also `PRAGMA foreign_key_check`). Not fixed: which side is wrong is a person's call.
- `fts`: on SQLite, the full-text index `passage_fts` against the passages (a missing, stale
  or extra entry makes search miss or invent hits). Fixed: the index is rebuilt from the
  passages and their sources' immutable text.
- `quotes`: codings whose quoted text no longer equals `text[start:end]` of their source.
  Fixed when the quote occurs exactly once in the text: the coding is re-anchored there;
  otherwise reported.
- `sibling-codes`: two codes with one name (ignoring case) under one parent. Not fixed:
  merge them with `review codebook merge`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from review.store import models as m
from review.store.db import is_sqlite

EXAMPLES = 5


@dataclass
class Finding:
    check: str
    problems: int = 0
    detail: str = ""
    examples: list[str] = field(default_factory=list)
    fixed: int = 0
    fix: str = ""  # what --fix did, or why it does not

    @property
    def ok(self) -> bool:
        return self.problems == self.fixed

    def to_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def diagnose(engine: Engine, fix: bool = False) -> list[Finding]:
    """Every check, in one transaction (the fixes commit together, or not at all)."""
    with engine.begin() as conn:
        return [
            _integrity(conn),
            _foreign_keys(conn),
            _fts(conn, fix),
            _quotes(conn, fix),
            _siblings(conn),
        ]


def _integrity(conn: Connection) -> Finding:
    f = Finding("integrity")
    if not is_sqlite(conn.engine):
        f.detail = "not a SQLite file: the server checks its own storage"
        return f
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        f.problems = len(rows)
        f.examples = rows[:EXAMPLES]
        f.fix = "not repaired: restore a backup (`review restore --force FILE`)"
    return f


def _foreign_keys(conn: Connection) -> Finding:
    f = Finding("foreign-keys")
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            (col,) = fk.columns if len(fk.columns) == 1 else (None,)
            if col is None:
                continue
            (element,) = fk.elements
            parent = element.column.table.alias("parent").c[element.column.name]
            missing = (
                select(func.count())
                .select_from(table)
                .where(col.is_not(None))
                .where(~select(parent).where(parent == col).exists())
            )
            n = conn.execute(missing).scalar_one()
            if n:
                f.problems += n
                if len(f.examples) < EXAMPLES:
                    f.examples.append(f"{n} {table.name} row(s) name a missing {col.name}")
    if f.problems:
        f.fix = "not repaired: which side is wrong is a person's call"
    return f


def _fts(conn: Connection, fix: bool) -> Finding:
    f = Finding("fts")
    if not is_sqlite(conn.engine):
        f.detail = "the server's own full-text search needs no index of ours"
        return f
    has = conn.exec_driver_sql("select 1 from sqlite_master where name = 'passage_fts'").fetchone()
    if has is None:
        f.problems = 1
        f.examples = ["passage_fts is missing"]
    else:
        missing = conn.exec_driver_sql(
            "select count(*) from passage p where not exists "
            "(select 1 from passage_fts f where f.rowid = p.id)"
        ).scalar_one()
        extra = conn.exec_driver_sql(
            "select count(*) from passage_fts f where not exists "
            "(select 1 from passage p where p.id = f.rowid)"
        ).scalar_one()
        stale = sum(
            1
            for body, rows in _by_source(
                conn,
                "select p.start, p.end, f.text from passage p "
                "join passage_fts f on f.rowid = p.id where p.source_id = ?",
            )
            for a, z, indexed in rows
            if indexed != body[a:z]
        )
        f.problems = missing + extra + stale
        for n, what in ((missing, "not indexed"), (extra, "indexed but gone"), (stale, "stale")):
            if n:
                f.examples.append(f"{n} passage(s) {what}")
    if f.problems and fix:
        conn.exec_driver_sql("DROP TABLE IF EXISTS passage_fts")
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE passage_fts USING fts5("
            "text, tokenize = 'unicode61 remove_diacritics 2')"
        )
        for body, rows in _by_source(
            conn, "select id, start, end from passage where source_id = ?"
        ):
            conn.exec_driver_sql(
                "INSERT INTO passage_fts(rowid, text) VALUES (?, ?)",
                [(pid, body[a:z]) for pid, a, z in rows],
            )
        f.fixed = f.problems
        f.fix = "rebuilt passage_fts from the passages"
    return f


def _by_source(conn: Connection, rows_sql: str):
    """(text, rows of `rows_sql`) for each source with text, `rows_sql` taking its id: the
    text read once and sliced in Python. SQLite's `substr` reads a text from its start for
    every call, so checking a passage far into a long text cost its whole prefix (14 s for
    one 1.1 M-character transcript of 32,000 sentences)."""
    ids = [r[0] for r in conn.exec_driver_sql("select id from source where text is not null")]
    for sid in ids:
        body = conn.exec_driver_sql("select text from source where id = ?", (sid,)).scalar_one()
        yield body, conn.exec_driver_sql(rows_sql, (sid,)).all()


def _quotes(conn: Connection, fix: bool) -> Finding:
    f = Finding("quotes")
    # (SQLModel's types leave out SQLAlchemy's __table__)
    c = m.Coding.__table__  # type: ignore[attr-defined]
    s = m.Source.__table__  # type: ignore[attr-defined]
    rows = conn.execute(
        select(c.c.id, c.c.start, c.c.end, c.c.quote, s.c.text, s.c.key)
        .join(s, s.c.id == c.c.source_id)
        .where(
            (s.c.text.is_(None))
            | (c.c.quote != func.substr(s.c.text, c.c.start + 1, c.c.end - c.c.start))
        )
    ).all()
    for cid, start, end, quote, body, key in rows:
        body = body or ""
        if body[start:end] == quote:  # (the database's substr and Python's slice agree)
            continue
        f.problems += 1
        if len(f.examples) < EXAMPLES:
            f.examples.append(f"coding {cid} in {key} at {start}–{end}")
        at = body.find(quote) if quote else -1
        if fix and at >= 0 and body.find(quote, at + 1) < 0:
            conn.execute(update(c).where(c.c.id == cid).values(start=at, end=at + len(quote)))
            f.fixed += 1
    if f.problems:
        f.fix = (
            f"re-anchored {f.fixed} coding(s) where the quote occurs once in the text"
            if fix
            else "--fix re-anchors a coding whose quote occurs once in the text"
        )
    return f


def _siblings(conn: Connection) -> Finding:
    f = Finding("sibling-codes")
    code = m.Code.__table__  # type: ignore[attr-defined]  # (not in SQLModel's types)
    parent = func.coalesce(code.c.parent_id, 0)
    rows = conn.execute(
        select(parent, func.lower(code.c.name), func.count())
        .group_by(parent, func.lower(code.c.name))
        .having(func.count() > 1)
    ).all()
    for parent_id, name, n in rows:
        f.problems += n - 1
        if len(f.examples) < EXAMPLES:
            f.examples.append(f"{n} codes named {name!r} under parent {parent_id or '(top)'}")
    if f.problems:
        f.fix = "not repaired: merge them (`review codebook merge`)"
    return f
