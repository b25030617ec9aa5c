"""The library listing: one page of sources at a time, filtered and searched in the database.

This is what the workbench's Library screen shows (and what a script can call): author-year,
title, kind, screening status and number of codings per source, never the whole table at once.
Filters (kind, screening status, code with its descendants) are SQL; fuzzy search ranks
"author year title" strings with rapidfuzz (cached per database state so typing stays quick);
full-text search asks SQLite FTS5 over passages (LIKE on other backends).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from review.coding.codebook import descendants
from review.coding.search import fts_query, source_ids
from review.ingest.citation import label_of
from review.screening.decisions import status_sql
from review.store import models as m
from review.store.kinds import literature_clause

STATUSES = ("unscreened", "pending", "include", "exclude", "maybe", "conflict")
MAX_HITS = 2000  # ranked search results kept for paging


@dataclass
class SourceRow:
    """One line of the library."""

    id: int
    key: str
    author_year: str
    title: str
    kind: str
    status: str
    codings: int


@dataclass
class LibraryFilter:
    """What the reader of the library narrows it to; every field optional."""

    kind: str | None = None
    status: str | None = None
    code_id: int | None = None
    fuzzy: str | None = None  # ranked fuzzy match on author, year and title
    text: str | None = None  # full-text search over passages (FTS5 on SQLite)


@dataclass
class LibraryPage:
    rows: list[SourceRow]
    total: int
    offset: int
    limit: int
    ranked: bool = False  # rows are in search-rank order
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def page_number(self) -> int:
        return self.offset // self.limit + 1


def _live():
    return col(m.Source.merged_into_id).is_(None)


def codings_count():
    return (
        select(func.count(col(m.Coding.id)))
        .where(col(m.Coding.source_id) == col(m.Source.id))
        .scalar_subquery()
    )


def page(
    session: Session, flt: LibraryFilter | None = None, offset: int = 0, limit: int = 100
) -> LibraryPage:
    """One page of the library, with the total number of matching sources."""
    flt = flt or LibraryFilter()
    offset = max(0, offset)
    conds = [_live()]
    notes: list[str] = []
    if flt.kind:
        conds.append(col(m.Source.kind) == flt.kind)
    if flt.status:
        if flt.status not in STATUSES:
            raise ValueError(f"unknown screening status {flt.status!r} (one of {STATUSES})")
        # the stored status (kept by the screening service), through its index
        conds.append(col(m.Source.screening_status) == flt.status)
        conds.append(literature_clause())  # transcripts and documents have no status
    if flt.code_id is not None:
        ids = descendants(session, flt.code_id)
        # IN (uncorrelated subquery): evaluated once through the code index, where a
        # correlated EXISTS would rescan the codings of these codes for every source.
        conds.append(
            col(m.Source.id).in_(
                select(col(m.Coding.source_id)).where(col(m.Coding.code_id).in_(ids))
            )
        )
    ranked: list[int] | None = None
    if flt.text and flt.text.strip():
        ranked, note = text_search_ids(session, flt.text)
        notes += [note] if note else []
    if flt.fuzzy and flt.fuzzy.strip():
        fuzzy = fuzzy_ids(session, flt.fuzzy)
        if ranked is None:
            ranked = fuzzy
        else:
            keep = set(ranked)
            ranked = [i for i in fuzzy if i in keep]
    if ranked is not None:
        return _ranked_page(session, ranked, conds, offset, limit, notes)
    total = session.execute(select(func.count()).select_from(m.Source).where(*conds)).one()[0]
    rows = session.exec(
        _row_select(session).where(*conds).order_by(col(m.Source.id)).offset(offset).limit(limit)
    ).all()
    return LibraryPage([_row(r) for r in rows], total, offset, limit, notes=notes)


def _ranked_page(session, ranked, conds, offset, limit, notes) -> LibraryPage:
    """Search results keep their rank; filters still apply (in SQL, on the ranked ids)."""
    if ranked and len(conds) > 1:
        keep = set(
            session.exec(select(col(m.Source.id)).where(col(m.Source.id).in_(ranked), *conds)).all()
        )
        ranked = [i for i in ranked if i in keep]
    window = ranked[offset : offset + limit]
    rows = (
        session.exec(_row_select(session).where(col(m.Source.id).in_(window))).all()
        if window
        else []
    )
    by_id = {r[0]: _row(r) for r in rows}
    out = [by_id[i] for i in window if i in by_id]
    return LibraryPage(out, len(ranked), offset, limit, ranked=True, notes=notes)


def _row_select(session: Session):
    return select(
        col(m.Source.id),
        col(m.Source.key),
        col(m.Source.authors),
        col(m.Source.year),
        col(m.Source.title),
        col(m.Source.kind),
        col(m.Source.record_format),
        col(m.Source.meta),
        status_sql().label("status"),
        codings_count().label("codings"),
    )


def _row(r) -> SourceRow:
    sid, key, authors, year, title, kind, record_format, meta, status, codings = r
    return SourceRow(
        id=sid,
        key=key,
        author_year=label_of(
            kind=kind,
            record_format=record_format,
            authors=authors,
            year=year,
            title=title,
            key=key,
            meta=meta,
        ),
        title=(title or key or "").replace("\n", " "),
        kind=kind,
        status=status or "",  # transcripts and documents are never screened
        codings=codings or 0,
    )


def kinds(session: Session) -> list[tuple[str, int]]:
    """The kinds of source present, with how many of each."""
    rows = session.execute(
        select(col(m.Source.kind), func.count()).where(_live()).group_by(col(m.Source.kind))
    ).all()
    return sorted((k, n) for k, n in rows)


def position(session: Session, source_id: int) -> int:
    """Where a source sits in the unfiltered library (so the screen can page to it)."""
    return session.execute(
        select(func.count()).select_from(m.Source).where(_live(), col(m.Source.id) < source_id)
    ).one()[0]


# --- full-text search -------------------------------------------------------------------------


def text_search_ids(session: Session, query: str, limit: int = MAX_HITS):
    """Sources whose passages match `query`, best first; returns (ids, note about the query)."""
    query = query.strip()
    if not fts_query(query):
        return [], f"cannot search for {query!r}: no words"
    # Sources that are merged away or deleted drop out here, keeping the search's order.
    ids = source_ids(session, query, limit * 2)
    live = set(
        session.execute(
            select(col(m.Source.id)).where(_live(), col(m.Source.id).in_(ids))
        ).scalars()
    )
    return [i for i in ids if i in live][:limit], None


# --- fuzzy search -------------------------------------------------------------------------------


class _FuzzyIndex:
    """'author year title key file-name' strings of live sources, rebuilt when the sources
    change (a transcript is found by its file name or key as well as its title)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple | None = None
        self._ids: list[int] = []
        self._choices: list[str] = []

    def get(self, session: Session) -> tuple[list[int], list[str]]:
        bind = cast(Engine, session.get_bind())  # sessions are bound to an engine
        n, top = session.execute(
            select(func.count(col(m.Source.id)), func.max(col(m.Source.id)))
        ).one()
        merged = session.execute(
            select(func.count(col(m.Source.id))).where(col(m.Source.merged_into_id).is_not(None))
        ).one()[0]
        state = (str(bind.url), id(bind), n, top, merged)
        with self._lock:
            if state != self._state:
                rows = session.execute(
                    select(
                        col(m.Source.id),
                        col(m.Source.authors),
                        col(m.Source.year),
                        col(m.Source.title),
                        col(m.Source.key),
                        col(m.Source.origin_file),
                    ).where(_live())
                ).all()
                self._ids = [r[0] for r in rows]
                self._choices = [
                    f"{' '.join(r[1] or [])} {r[2] or ''} {r[3] or ''} {r[4] or ''}"
                    f" {(r[5] or '').replace(chr(92), '/').rsplit('/', 1)[-1]}".lower()
                    for r in rows
                ]
                self._state = state
            return self._ids, self._choices


_FUZZY = _FuzzyIndex()


def warm_fuzzy(session: Session) -> int:
    """Build (or check) the fuzzy index now — the Library calls it in a thread when it opens,
    so the first key typed in `/` does not wait for 100,000 titles to be read."""
    return len(_FUZZY.get(session)[0])


def fuzzy_ids(session: Session, query: str, limit: int = MAX_HITS, cutoff: float = 60) -> list:
    """Source ids ranked by how well 'author year title' matches `query` (typos forgiven)."""
    from rapidfuzz import fuzz, process

    ids, choices = _FUZZY.get(session)
    q = query.strip().lower()
    if not q or not choices:
        return []
    hits = process.extract(q, choices, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=cutoff)
    # Stable tie-break: exact substring first, then score, then library order.
    hits.sort(key=lambda h: (q not in h[0], -h[1], h[2]))
    return [ids[h[2]] for h in hits]


def search_hint(flt: LibraryFilter) -> str:
    """A short description of the active filters, for a status line."""
    parts = []
    for name in ("kind", "status", "code_id", "fuzzy", "text"):
        value = getattr(flt, name)
        if value not in (None, ""):
            parts.append(f"{name.replace('_id', '')}={value}")
    return ", ".join(parts) or "all sources"


__all__ = [
    "LibraryFilter",
    "LibraryPage",
    "SourceRow",
    "fuzzy_ids",
    "kinds",
    "page",
    "position",
    "text_search_ids",
    "warm_fuzzy",
]
