"""Storing sources in bulk with unique keys: the one way every importer adds `Source` rows.

`insert_sources(target, records)` takes plain dicts keyed by `Source` column names and writes
them with one bulk `INSERT` (no commit per row; the caller's transaction decides). Keys are
unique, and a clash is resolved by content:

- a record whose key already exists with the same content (title, authors, year, DOI, text
  hash) is skipped as already present — so re-importing a file adds nothing, and says so;
- a different record with a clashing key gets a suffix (`smith2008a`, `smith2008b`, ...) and a
  warning naming both keys;
- a record without a key gets an authorYEARword key (`bovaird2008user`).

`target` is an `ImportContext` (warnings go to its report, the batch and file are filled in)
or a plain sqlmodel `Session` (warnings come back in the outcome).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import itemgetter
from string import ascii_lowercase
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from review.ingest.literature.keys import make_key
from review.store import models as m
from review.store.models import utcnow

KEY_MAX = 300
INSERT_CHUNK = 5000  # rows per executemany, all in the caller's one transaction
_CHUNK = 500
_FP_NON_ALNUM = re.compile(r"[^0-9a-z]+")

_DEFAULTS: dict[str, Any] = {
    "kind": "article",
    "title": None,
    "year": None,
    "venue": None,
    "volume": None,
    "issue": None,
    "pages": None,
    "doi": None,
    "url": None,
    "abstract": None,
    "language": None,
    "country": None,
    "method": None,
    "database": None,
    "record_format": None,
    "text": None,
    "text_hash": None,
    "batch_id": None,
    "origin_file": None,
    "origin_line": None,
    "merged_into_id": None,
}
_JSON_LIST = ("authors", "keywords")
_JSON_DICT = ("record", "meta")
COLUMNS = frozenset(["key", *_DEFAULTS, *_JSON_LIST, *_JSON_DICT, "created"])
# Every column but `id`, each None unless given: a row is `{**_ROW_DEFAULTS, **record}`.
_ROW_DEFAULTS: dict[str, Any] = dict.fromkeys(["key", *_JSON_LIST, *_JSON_DICT, "created"])
_ROW_DEFAULTS.update(_DEFAULTS)
_TABLE = m.Source.__table__
# Compact JSON; ASCII-only output is faster to encode here and the driver then stores it
# without a UTF-8 conversion (measured: ensure_ascii=False is ~20% slower on records). Records
# are trees parsed from a file, so the per-container cycle check is skipped (~10%).
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_ESCAPE = json.encoder.encode_basestring_ascii  # what that encoder does to each string


def _encode_names(values: Any) -> str:
    """`_ENCODE` for the usual list of strings (authors, keywords), about 4x faster."""
    if type(values) is list:
        try:
            return "[" + ",".join(map(_ESCAPE, values)) + "]"
        except TypeError:  # not all strings: the general encoder says what is wrong
            pass
    return _ENCODE(values)


@dataclass
class InsertOutcome:
    """What `insert_sources` did: new ids by key, and what it skipped or renamed."""

    ids: dict[str, int] = field(default_factory=dict)  # key -> id of each inserted source
    present: list[str] = field(default_factory=list)  # keys skipped: same content already there
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (wanted key, key given)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)  # line, msg, key

    @property
    def inserted(self) -> int:
        return len(self.ids)


def get_source(session: Session, source_id: int) -> m.Source:
    """The source with this id (a NotFound error if there is none)."""
    from review.errors import NotFound

    source = session.get(m.Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    return source


def fingerprint(row: dict) -> str:
    """Content identity for key clashes: title words, authors' last names, year, DOI, text."""
    title = _FP_NON_ALNUM.sub(" ", (row.get("title") or "").lower()).strip()
    names = ",".join(
        _FP_NON_ALNUM.sub("", a.split(",")[0].lower()) for a in (row.get("authors") or [])
    )
    parts = (
        title,
        names,
        str(row.get("year") or ""),
        row.get("doi") or "",
        row.get("text_hash") or "",
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def _existing(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Fingerprints of the sources already stored under any of `keys`."""
    keys = list(keys)
    found: dict[str, str] = {}
    cols = (
        m.Source.key,
        m.Source.title,
        m.Source.authors,
        m.Source.year,
        m.Source.doi,
        m.Source.text_hash,
    )
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        for key, title, authors, year, doi, text_hash in session.execute(
            select(*cols).where(m.Source.key.in_(chunk))
        ):
            found[key] = fingerprint(
                {
                    "title": title,
                    "authors": authors,
                    "year": year,
                    "doi": doi,
                    "text_hash": text_hash,
                }
            )
    return found


def _candidates(key: str) -> Iterable[str]:
    for letter in ascii_lowercase:
        yield f"{key}{letter}"
    n = 2
    while True:
        yield f"{key}-{n}"
        n += 1


def insert_sources(
    target: Any,
    records: Iterable[dict],
    *,
    batch_id: int | None = None,
    origin_file: str | None = None,
) -> InsertOutcome:
    """Insert `records` (dicts of `Source` columns) in one bulk statement; see module notes.

    `target` is an `ImportContext` or a `Session`. Unknown dict keys are an error (a typo
    would otherwise lose data silently). Returns an `InsertOutcome`.
    """
    ctx = target if hasattr(target, "report") and hasattr(target, "session") else None
    session: Session = ctx.session if ctx is not None else target
    if ctx is not None:
        batch_id = batch_id if batch_id is not None else ctx.batch.id
        origin_file = origin_file or ctx.file
    out = InsertOutcome()

    rows: list[dict] = []
    defaults = _ROW_DEFAULTS
    issuperset = COLUMNS.issuperset
    for rec in records:
        if not issuperset(rec):
            unknown = rec.keys() - COLUMNS
            raise ValueError(f"not Source columns: {', '.join(sorted(unknown))}")
        row = {**defaults, **rec}  # our own copy: the caller's dicts are never changed
        key = row["key"]
        key = key.strip() if key else ""
        if not key:
            key = make_key(row["authors"] or [], row["year"], row["title"], row["doi"])
        row["key"] = key[: KEY_MAX - 8]  # room for a suffix within the column's 300
        if row["batch_id"] is None:
            row["batch_id"] = batch_id
        if row["origin_file"] is None:
            row["origin_file"] = origin_file
        rows.append(row)

    # All stored keys in one query (cheap even for 10^5 sources); fingerprints only for the
    # keys that actually clash, fetched in bulk.
    all_keys = set(session.scalars(select(m.Source.key)))
    stored = _existing(session, {r["key"] for r in rows if r["key"] in all_keys})
    taken: dict[str, list] = {}  # key -> [fingerprint or None, line, row] in this batch
    fresh: list[dict] = []
    for row in rows:
        key = row["key"]
        line = row["origin_line"]
        if key not in all_keys and key not in taken:  # the common case: a new key
            taken[key] = [None, line, row]  # fingerprint computed only if someone clashes
            fresh.append(row)
            continue
        fp = fingerprint(row)
        clash = False
        for cand in _candidates_with(key):
            if cand in taken:
                if taken[cand][0] is None:
                    taken[cand][0] = fingerprint(taken[cand][2])
                if taken[cand][0] == fp:
                    out.problems.append(
                        (line, f"same record as line {taken[cand][1]}; skipped", cand)
                    )
                    out.present.append(cand)
                    break
                clash = True
                continue
            if cand in all_keys:
                if cand not in stored:
                    stored.update(_existing(session, [cand]))
                if stored.get(cand) == fp:
                    out.present.append(cand)
                    break
                clash = True
                continue
            if clash:
                out.renamed.append((key, cand))
                out.problems.append(
                    (
                        line,
                        f"key {key!r} already used by a different record; stored as {cand!r}",
                        key,
                    )
                )
            row["key"] = cand
            taken[cand] = [fp, line, row]
            fresh.append(row)
            break
    del taken, rows

    if fresh:
        # No RETURNING (SQLite would run one statement per row): the new ids are read back
        # in one query, rows above the highest id seen inside this same transaction.
        conn = session.connection()
        before = conn.execute(select(func.max(m.Source.id))).scalar() or 0
        wanted = {row["key"] for row in fresh}
        _bulk_insert(conn, fresh, utcnow())
        out.ids = {
            key: id_
            for id_, key in conn.execute(
                select(m.Source.id, m.Source.key).where(m.Source.id > before)
            ).all()  # one fetchall, not a fetch per row
            if key in wanted
        }
    if ctx is not None:
        for line, message, key in out.problems:
            ctx.warn(line, message, key)
    return out


def _bulk_insert(conn: Connection, rows: list[Any], now: datetime) -> None:
    """One executemany per chunk of rows, in the caller's transaction; `rows` are consumed
    (each list item is set to None once its parameters are built, so memory stays bounded).

    On SQLite the statement is SQLAlchemy's own `insert(Source)` compiled once, and each row
    goes to the driver as a tuple with its JSON columns encoded here, once, by one C encoder
    (instead of a dict that SQLAlchemy re-processes column by column): the same stored
    values, about half the cost per row. Other backends take the Core `insert()` as is.
    """
    dialect = conn.dialect
    if not _driver_tuples(dialect):
        stmt = insert(_TABLE)
        for i in range(0, len(rows), INSERT_CHUNK):
            chunk = [_python_row(row, now) for row in rows[i : i + INSERT_CHUNK]]
            conn.execute(stmt, chunk)
        return
    sql, columns, processors = _compiled_insert(dialect)
    as_tuple = itemgetter(*columns)
    encode, encode_names = _ENCODE, _encode_names
    processors = dict(processors)
    created = processors.pop("created", None)
    now_value = created(now) if created else now
    others = list(processors.items())
    for i in range(0, len(rows), INSERT_CHUNK):  # bounded copies of the parameters
        params = []
        for j in range(i, min(i + INSERT_CHUNK, len(rows))):
            row = rows[j]
            rows[j] = None  # consumed: this copy of the row is freed with its chunk
            value = row["authors"]
            row["authors"] = "[]" if value is None else encode_names(value)
            value = row["keywords"]
            row["keywords"] = "[]" if value is None else encode_names(value)
            value = row["record"]
            row["record"] = "{}" if value is None else encode(value)
            value = row["meta"]
            row["meta"] = "{}" if value is None else encode(value)
            value = row["created"]
            row["created"] = now_value if value is None else (created(value) if created else value)
            if others:  # none on SQLite today; kept general
                for name, process in others:
                    if row[name] is not None:
                        row[name] = process(row[name])
            params.append(as_tuple(row))
        conn.exec_driver_sql(sql, params)


def _driver_tuples(dialect: Any) -> bool:
    """Whether rows may go to the driver as pre-encoded tuples (SQLite's qmark style)."""
    return dialect.name == "sqlite" and dialect.paramstyle == "qmark"


def _python_row(row: dict, now: datetime) -> dict:
    """A row for SQLAlchemy's own type processing: empty JSON values as [] / {}."""
    row = dict(row)
    for name in _JSON_LIST:
        if row[name] is None:
            row[name] = []
    for name in _JSON_DICT:
        if row[name] is None:
            row[name] = {}
    if row["created"] is None:
        row["created"] = now
    return row


@cache
def _compiled_insert(dialect: Any) -> tuple[str, tuple[str, ...], dict]:
    """`insert(Source)` compiled for `dialect`: SQL, parameter order, non-JSON processors."""
    compiled = insert(_TABLE).compile(dialect=dialect, column_keys=list(_ROW_DEFAULTS))
    columns = tuple(compiled.positiontup or ())
    if set(columns) != set(_ROW_DEFAULTS):  # pragma: no cover - the model changed shape
        raise RuntimeError(f"unexpected insert parameters: {columns}")
    processors = {}
    for name in columns:
        if name in _JSON_LIST or name in _JSON_DICT:
            continue
        process = _TABLE.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return compiled.string, columns, processors


def _candidates_with(key: str) -> Iterable[str]:
    yield key
    yield from _candidates(key)


def store_records(ctx: Any, records: list[dict], *, total: int | None = None) -> InsertOutcome:
    """For format loaders: insert, then fill the file report's counts and its message."""
    outcome = insert_sources(ctx, records)
    databases = {r.get("database") for r in records}
    if len(databases) == 1 and None not in databases:  # PRISMA: "identified in Scopus: n"
        ctx.batch.database = databases.pop()
    report = ctx.report
    report.records = total if total is not None else report.records + len(records)
    report.imported += outcome.inserted
    report.skipped = report.records - report.imported
    if outcome.present:
        n = len(outcome.present)
        what = "record was" if n == 1 else "records were"
        note = f"{n} {what} already in the workspace; nothing added for them"
        if not outcome.inserted:
            note = "all records already in the workspace; nothing added"
        report.message = note
    return outcome
