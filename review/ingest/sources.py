"""Storing sources in bulk with unique keys: the one way every importer adds `Source` rows.

`insert_sources(target, records)` takes plain dicts keyed by `Source` column names and writes
them with one bulk `INSERT` (no commit per row; the caller's transaction decides). Keys are
unique, and a clash is resolved by content:

- a record whose key already exists with the same content (title, authors, year, DOI, text
  hash) from the same database is skipped as already present — so importing a search's
  export again adds nothing, and says so;
- the same content from *another* database (the work found in Scopus and again in Web of
  Science), or twice in one file, is stored — it is a record that search identified, and
  PRISMA counts it — under a suffixed key, marked as a duplicate of the first
  (`merged_into_id` and a `DuplicateLink`, undone like any merge), with a warning;
- a record of the file identical to an earlier one of the same file apart from its own ID or
  cite key (`_content`: every column and field) is stored under its key and marked the same
  way (not a record without title, authors, DOI or text: it says too little);
- a different record with a clashing key gets a suffix (`smith2008a`, `smith2008b`, ...) and a
  warning naming both keys — when the key is the file's own (a key made up here for a record
  without one takes its suffix silently: across two databases' exports most such clashes are
  the same work, for `review dedupe`, and 355 warnings of them buried the real problems);
- a record without a key gets an authorYEARword key (`bovaird2008user`).
- a key is stored in NFC (`normal_key`), and every look-up by key goes through `key_is` /
  `source_by_key`, so a key typed or named decomposed (a macOS file name) finds its source.

`target` is an `ImportContext` (warnings go to its report, the batch and file are filled in)
or a plain sqlmodel `Session` (warnings come back in the outcome).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import chain
from operator import itemgetter
from string import ascii_lowercase
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from review.ingest.literature.keys import make_key
from review.store import models as m
from review.store.kinds import LITERATURE, source_class
from review.store.models import utcnow
from review.store.records import imported_columns, original_record

KEY_MAX = 300
INSERT_CHUNK = 5000  # rows per executemany, all in the caller's one transaction
ROWS_PER_STATEMENT = 200  # rows per multi-row INSERT on SQLite (see `_execute_rows`)
_CHUNK = 500
# What is not a letter or digit in any script: a Chinese, Greek or Cyrillic title is its
# words (`[^0-9a-z]` dropped them all, and two different works by one "Wang, L" of one year
# had one fingerprint: the second marked as the first's duplicate, or skipped as imported)
_FP_NON_ALNUM = re.compile(r"[\W_]+")
_FIRST_NUMBER = re.compile(r"\d+")

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
    "content_hash": None,
    "batch_id": None,
    "origin_file": None,
    "origin_line": None,
    "merged_into_id": None,
    "screening_status": "unscreened",  # a new record has no decisions (m0012)
}
_JSON_LIST = ("authors", "keywords")
_JSON_DICT = ("record", "meta")
COLUMNS = frozenset(["key", *_DEFAULTS, *_JSON_LIST, *_JSON_DICT, "created"])
# Every column but `id`, each None unless given: a row is `{**_ROW_DEFAULTS, **record}`.
_ROW_DEFAULTS: dict[str, Any] = dict.fromkeys(["key", *_JSON_LIST, *_JSON_DICT, "created"])
_ROW_DEFAULTS.update(_DEFAULTS)
_TABLE = m.Source.__table__  # type: ignore[attr-defined]  # SQLModel leaves out SQLAlchemy's __table__
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
    linked: list[tuple[str, str]] = field(default_factory=list)  # (new key, its survivor's key)
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


def normal_key(key: str) -> str:
    """A source key in its one stored form: NFC. A key typed in a macOS terminal or taken from
    a file name there is decomposed (NFD: `u` + U+0308 for `ü`); the same letters must find
    the same source, and every import stores the NFC form."""
    return key if key.isascii() else unicodedata.normalize("NFC", key)


def key_is(key: str) -> ColumnElement[bool]:
    """SQL: the source's key is `key` (in NFC, however it was typed): the one key look-up,
    for callers that select other columns or add their own filters."""
    return col(m.Source.key) == normal_key(key)


def source_by_key(session: Session, key: str, *where: ColumnElement[bool]) -> m.Source | None:
    """The source whose key is `key` (see `normal_key`) and that meets `where` (live only,
    literature only, ...), or None."""
    return session.scalars(select(m.Source).where(key_is(key), *where).limit(1)).first()


def fingerprint(row: dict) -> str:
    """Content identity for key clashes: title words, authors' last names, year, volume,
    issue, first page, DOI, text. The volume, issue and page keep apart the editorials,
    letters and errata that recur with one title, one editor and one year in every issue."""
    title = _FP_NON_ALNUM.sub(" ", (row.get("title") or "").lower()).strip()
    names = ",".join(
        _FP_NON_ALNUM.sub("", a.split(",")[0].lower()) for a in (row.get("authors") or [])
    )
    first_page = _FIRST_NUMBER.search(row.get("pages") or "")
    parts = [
        title,
        names,
        str(row.get("year") or ""),
        row.get("doi") or "",
        row.get("text_hash") or "",
        _FP_NON_ALNUM.sub("", (row.get("volume") or "").lower()),
        _FP_NON_ALNUM.sub("", (row.get("issue") or "").lower()),
        first_page.group(0).lstrip("0") if first_page else "",
    ]
    if not (title or names or parts[3] or parts[4]):  # a thin record: all it holds counts
        parts.append(row.get("abstract") or "")
        record = original_record(row.get("record"), row.get("abstract"))
        parts.append(json.dumps(record, sort_keys=True, default=str))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


# Not content: where and when the row was read, and what the import decides about it.
_NOT_CONTENT = frozenset(("key", "origin_line", "origin_file", "batch_id", "created"))
_NOT_CONTENT |= {"merged_into_id", "screening_status", "record"}


def _probe(row: dict) -> tuple:
    """A cheap first look for identical records: only rows that agree on it are compared in
    full (`_content`), so a file of distinct records costs one tuple per row."""
    authors = row["authors"]
    return (row["title"], row["year"], row["doi"], row["text_hash"], len(authors or ()))


def _content(row: dict, given_key: str | None) -> str:
    """Everything the file said about the record apart from its ID or cite key: every column
    and the original record without the key (BibTeX's `key`, a CSV's `ID` column, an RIS `ID`
    tag: any top-level value that is exactly the key). Two rows with the same content are
    the same record twice (bib-dedupe's cytology search repeats 204 rows under new IDs)."""
    keys = {k for k in (given_key, row["key"]) if k}
    record = row["record"]
    if isinstance(record, dict):
        record = {
            k: v
            for k, v in record.items()
            if not (
                (type(v) is str and v in keys)
                or (type(v) is list and len(v) == 1 and type(v[0]) is str and v[0] in keys)
            )
        }
    columns = {k: v for k, v in row.items() if k not in _NOT_CONTENT}
    return json.dumps([columns, record], sort_keys=True, default=str)


@dataclass(frozen=True)
class _Stored:
    """A stored source that a new record's key clashes with."""

    id: int
    fingerprints: frozenset[str]  # its content now and, if a merge or edit changed it, as imported
    database: str | None
    survivor_id: int  # itself, or the record it is merged into
    survivor_key: str


def _existing(session: Session, keys: Iterable[str]) -> dict[str, _Stored]:
    """What is stored under any of `keys`: fingerprint, database, the record it stands for."""
    keys = list(keys)
    found: dict[str, _Stored] = {}
    survivor = m.Source.__table__.alias("survivor")  # type: ignore[attr-defined]  # (as _TABLE)
    cols = (
        col(m.Source.key),
        col(m.Source.id),
        col(m.Source.title),
        col(m.Source.authors),
        col(m.Source.year),
        col(m.Source.doi),
        col(m.Source.text_hash),
        col(m.Source.abstract),
        col(m.Source.record),
        col(m.Source.volume),
        col(m.Source.issue),
        col(m.Source.pages),
        func.coalesce(col(m.Source.database), col(m.ImportBatch.database)),
        func.coalesce(survivor.c.id, col(m.Source.id)),
        func.coalesce(survivor.c.key, col(m.Source.key)),
    )
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        query = (
            select(*cols)
            .outerjoin(m.ImportBatch, col(m.ImportBatch.id) == col(m.Source.batch_id))
            .outerjoin(survivor, survivor.c.id == col(m.Source.merged_into_id))
            .where(col(m.Source.key).in_(chunk))
        )
        for row in session.execute(query):
            key, id_, title, authors, year, doi, text_hash, abstract, record = row[:9]
            volume, issue, pages, database, survivor_id, survivor_key = row[9:]
            now = {
                "title": title,
                "authors": authors,
                "year": year,
                "doi": doi,
                "text_hash": text_hash,
                "abstract": abstract,
                "record": record,
                "volume": volume,
                "issue": issue,
                "pages": pages,
            }
            fps = {fingerprint(now)}
            changed = imported_columns(record if isinstance(record, dict) else None)
            if changed:  # a merge or an edit changed it: the file's own record is it too
                fps.add(fingerprint({**now, **changed}))
            found[key] = _Stored(id_, frozenset(fps), database, survivor_id, survivor_key)
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
    database = named_database(ctx.options) if ctx is not None else ""

    rows: list[dict] = []
    given: list[str | None] = []  # each row's own ID or cite key, as the record gave it
    defaults = _ROW_DEFAULTS
    issuperset = COLUMNS.issuperset
    for rec in records:
        if not issuperset(rec):
            unknown = rec.keys() - COLUMNS
            raise ValueError(f"not Source columns: {', '.join(sorted(unknown))}")
        row = {**defaults, **rec}  # our own copy: the caller's dicts are never changed
        key = row["key"]
        given.append(key)
        key = normal_key(key.strip()) if key else ""
        if not key:
            key = make_key(row["authors"] or [], row["year"], row["title"], row["doi"])
        row["key"] = key[: KEY_MAX - 8]  # room for a suffix within the column's 300
        if row["batch_id"] is None:
            row["batch_id"] = batch_id
        if row["origin_file"] is None:
            row["origin_file"] = origin_file
        if database and source_class(row["kind"], row["record_format"]) == LITERATURE:
            row["database"] = database
        rows.append(row)

    # All stored keys in one query (cheap even for 10^5 sources); what is stored only for the
    # keys that actually clash, fetched in bulk.
    all_keys = set(session.scalars(select(col(m.Source.key))))
    stored = _existing(session, {r["key"] for r in rows if r["key"] in all_keys})
    taken: dict[str, list] = {}  # key -> [fingerprint or None, line, row] in this batch
    fresh: list[dict] = []
    twins: list[tuple[dict, dict]] = []  # (row, the earlier row of this batch it repeats)
    # rows of this batch standing alone, by `_probe`, then by `_content`: a later row with
    # its own new key and the same content is the same record again (marked as a twin)
    alone: dict[tuple, dict[str, dict] | tuple[dict, str | None]] = {}
    for row, given_key in zip(rows, given, strict=True):
        key = row["key"]
        line = row["origin_line"]
        if key not in all_keys and key not in taken:  # the common case: a new key
            taken[key] = [None, line, row]  # fingerprint computed only if someone clashes
            fresh.append(row)
            if not (row["title"] or row["authors"] or row["doi"] or row["text_hash"]):
                continue  # a thin record says too little to be the same one under another key
            probe = _probe(row)
            earlier = alone.get(probe)
            if earlier is None:  # the common case: nothing like it yet (content not needed)
                alone[probe] = (row, given_key)
                continue
            if isinstance(earlier, tuple):  # a second row like it: compare in full from now
                earlier = {_content(*earlier): earlier[0]}
                alone[probe] = earlier
            content = _content(row, given_key)
            first = earlier.get(content)
            if first is None:
                earlier[content] = row
                continue
            twins.append((row, first))
            out.problems.append(
                (
                    line,
                    f"same record as line {first['origin_line']} ({first['key']!r}) apart from "
                    f"its key; stored as {key!r} and marked as its duplicate",
                    key,
                )
            )
            continue
        fp = fingerprint(row)
        clash = False
        twin_of: dict | None = None  # an earlier row of this batch with the same content
        copy_of: _Stored | None = None  # a stored record from another database, the same
        holder: _Stored | None = None  # a stored, different record that has the key
        for cand in _candidates_with(key):
            if cand in taken:
                if taken[cand][0] is None:
                    taken[cand][0] = fingerprint(taken[cand][2])
                if taken[cand][0] == fp:
                    twin_of = twin_of or taken[cand][2]
                else:
                    clash = True
                continue
            if cand in all_keys:
                if cand not in stored:
                    stored.update(_existing(session, [cand]))
                known = stored.get(cand)
                if known is not None and fp in known.fingerprints:
                    if _same_database(known.database, row.get("database")):
                        out.present.append(cand)  # this database's record, imported before
                        break
                    copy_of = copy_of or known
                else:
                    clash = True
                    holder = holder or known
                continue
            row["key"] = cand
            taken[cand] = [fp, line, row]
            fresh.append(row)
            if twin_of is not None:
                twins.append((row, twin_of))
                out.problems.append(
                    (
                        line,
                        f"same record as line {twin_of['origin_line']}; stored as {cand!r} "
                        "and marked as its duplicate",
                        cand,
                    )
                )
            elif copy_of is not None:
                row["merged_into_id"] = copy_of.survivor_id
                out.linked.append((cand, copy_of.survivor_key))
                where = f" (from {copy_of.database})" if copy_of.database else ""
                out.problems.append(
                    (
                        line,
                        f"already in the workspace as {copy_of.survivor_key!r}{where}; stored "
                        f"as {cand!r} and marked as its duplicate",
                        cand,
                    )
                )
            elif clash:
                out.renamed.append((key, cand))
                if given_key and given_key.strip():  # the file's own key: cited by it
                    where = f" (from {holder.database})" if holder and holder.database else ""
                    out.problems.append(
                        (
                            line,
                            f"key {key!r} already used by a different record{where}; stored as "
                            f"{cand!r}",
                            key,
                        )
                    )
            break
    del taken, rows, alone

    if fresh:
        # No RETURNING (SQLite would run one statement per row): the new ids are read back
        # in one query, rows above the highest id seen inside this same transaction.
        conn = session.connection()
        before = conn.execute(select(func.max(col(m.Source.id)))).scalar() or 0
        wanted = {row["key"] for row in fresh}
        links = [(row["key"], row["merged_into_id"], AGAIN) for row in fresh
                 if row["merged_into_id"]]  # fmt: skip
        twin_keys = [(row["key"], first["key"]) for row, first in twins]
        _bulk_insert(conn, fresh, utcnow())
        out.ids = {
            key: cast(int, id_)  # a stored row's primary key
            for id_, key in conn.execute(
                select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id) > before)
            ).all()  # one fetchall, not a fetch per row
            if key in wanted
        }
        for key, first in twin_keys:
            links.append((key, out.ids[first], TWIN))
            out.linked.append((key, first))
        if links:
            who = None
            if ctx is not None and ctx.options.get("coder"):
                from review.store.coders import ensure_coder

                who = ensure_coder(session, ctx.options["coder"]).id
            _link_duplicates(conn, [(out.ids[k], survivor, why) for k, survivor, why in links],
                             who)  # fmt: skip
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
        _execute_rows(conn, params, len(columns))


def _execute_rows(conn: Connection, params: list[tuple], width: int) -> None:
    """SQLite: the rows in multi-row `INSERT ... VALUES (...), (...), ...` statements of up
    to `ROWS_PER_STATEMENT` rows, executed many times, instead of one statement per row.

    Why: `source` has an AFTER INSERT trigger (the search log, m0011), and SQLite runs every
    statement that fires a trigger inside a statement journal, which copies each page the
    statement touches (the table's, eight indexes', the log's: ~10 pages of 8 KiB) before
    changing it. One statement a row paid that for every row, about as much as storing the
    row itself; one statement for 200 rows pays it once for all of them (measured on 20,000
    RIS rows: executemany 1.07 s -> 0.55 s CPU, against 0.44 s with no trigger at all).
    """
    per = _rows_per_statement(conn, width)
    whole = len(params) - len(params) % per
    if whole:
        sql = _compiled_multi_insert(conn.dialect, per)
        flat = [tuple(chain.from_iterable(params[i : i + per])) for i in range(0, whole, per)]
        conn.exec_driver_sql(sql, flat)  # (positional tuples, executemany)
    if whole < len(params):
        sql = _compiled_multi_insert(conn.dialect, len(params) - whole)
        conn.exec_driver_sql(sql, tuple(chain.from_iterable(params[whole:])))


def _rows_per_statement(conn: Connection, width: int) -> int:
    """`ROWS_PER_STATEMENT`, or fewer when this SQLite allows fewer bound parameters (999
    before SQLite 3.32)."""
    limit = 999
    driver = getattr(conn.connection, "driver_connection", None)
    getlimit = getattr(driver, "getlimit", None)
    if getlimit is not None:
        import sqlite3

        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(ROWS_PER_STATEMENT, limit // width))


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
def _compiled_multi_insert(dialect: Any, n: int) -> str:
    """`insert(Source).values(...)` of `n` rows compiled for `dialect`, parameters in the
    order of `_compiled_insert`'s columns, row after row.

    SQLAlchemy compiles the statements of one and of two rows; the statement of `n` rows is
    the first's head followed by its row group `n` times, joined as the second joins two (so
    exactly what compiling `n` rows gives: `tests/test_import_pipeline.py` compares them).
    Compiling 200 rows itself costs ~0.045 s CPU, a tenth of storing 20,000 rows."""
    if n <= 2:
        return _compiled_multi_insert_direct(dialect, n)
    one, two = _compiled_multi_insert(dialect, 1), _compiled_multi_insert(dialect, 2)
    at = one.rfind("VALUES (")
    head, group = one[: at + len("VALUES ")], one[at + len("VALUES ") :]
    sep = two[len(one) : len(two) - len(group)]
    if two != one + sep + group or sep.strip() != ",":  # pragma: no cover - SQLAlchemy changed
        return _compiled_multi_insert_direct(dialect, n)
    return head + sep.join([group] * n)


def _compiled_multi_insert_direct(dialect: Any, n: int) -> str:
    """`_compiled_multi_insert` by compiling all `n` rows' `insert(Source).values(...)`."""
    _sql, columns, _processors = _compiled_insert(dialect)
    stmt = insert(_TABLE).values(
        [{name: bindparam(f"{name}_r{i}") for name in columns} for i in range(n)]
    )
    compiled = stmt.compile(dialect=dialect)
    wanted = [f"{name}_r{i}" for i in range(n) for name in columns]
    if list(compiled.positiontup or ()) != wanted:  # pragma: no cover - SQLAlchemy changed
        raise RuntimeError("unexpected parameter order in a multi-row insert")
    return compiled.string


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


def _same_database(stored: str | None, new: str | None) -> bool:
    """Two records of one search: the same database, or neither says which."""
    return (stored or "").casefold() == (new or "").casefold()


# Why the import linked a record as a duplicate (the link's reason; `review dedupe --history`
# shows such links as the import's)
AGAIN = "the same record, imported again from another database or file"
TWIN = "the same record as an earlier one of its file, apart from its own ID or key"
AT_IMPORT = (AGAIN, TWIN)


def _link_duplicates(
    conn: Connection, pairs: list[tuple[int, int, str]], coder_id: int | None = None
) -> None:
    """Mark each new source (id, survivor id, reason) as merged into its survivor, as a merge by
    `review dedupe` would, so PRISMA counts it as a duplicate removed and `review dedupe
    --undo` can put it back (nothing of the survivor changed: an empty snapshot)."""
    keys = dict(
        conn.execute(
            select(col(m.Source.id), col(m.Source.key)).where(
                col(m.Source.id).in_({i for new, old, _ in pairs for i in (new, old)})
            )
        ).all()
    )
    conn.execute(
        update(_TABLE).where(_TABLE.c.id == bindparam("new")).values(merged_into_id=bindparam("s")),
        [{"new": new, "s": survivor} for new, survivor, _ in pairs],
    )
    now = utcnow()
    conn.execute(
        insert(m.DuplicateLink),
        [
            {
                "cluster": cluster_id([keys[survivor], keys[new]]),
                "survivor_id": survivor,
                "merged_id": new,
                "score": 1.0,
                "reasons": [why],
                "status": "merged",
                "snapshot": {"survivor_before": {}, "moved": {}},
                "coder_id": coder_id,
                "created": now,
            }
            for new, survivor, why in pairs
        ],
    )


def cluster_id(keys: Iterable[str]) -> str:
    """A stable id for a set of duplicate record keys: the same set gets the same id every
    time (import-time links here, `review dedupe` clusters in `review.screening.dedupe`)."""
    digest = hashlib.sha1("\x1f".join(sorted(keys)).encode("utf-8")).hexdigest()
    return "c" + digest[:10]


def _candidates_with(key: str) -> Iterable[str]:
    yield key
    yield from _candidates(key)


def named_database(options: dict | None) -> str:
    """`review import --database NAME` (an import's `options`): the database the file's
    records were found in, which replaces what the file says ("" when not named)."""
    return " ".join(str((options or {}).get("database") or "").split())


def store_records(ctx: Any, records: list[dict], *, total: int | None = None) -> InsertOutcome:
    """For format loaders: insert, then fill the file report's counts and its message."""
    outcome = insert_sources(ctx, records)
    named = named_database(ctx.options)
    databases = {named} if named else {r.get("database") for r in records}
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
