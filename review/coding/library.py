"""The library listing: one page of sources at a time, filtered and searched in the database.

This is what the workbench's Library screen shows (and what a script can call): author-year,
title, kind, screening status and number of codings per source, never the whole table at once.
Filters (kind, screening status, code with its descendants) are SQL; fuzzy search ranks
"author year title" strings with rapidfuzz (cached per database state so typing stays quick);
full-text search asks SQLite FTS5 over passages (LIKE on other backends).
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from review.coding.codebook import descendants
from review.coding.search import fts_query, parse, source_ids
from review.ingest.citation import label_of, truncated_authors_sql
from review.screening.decisions import STATUSES, status_sql
from review.store import models as m
from review.store.kinds import literature_clause

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
    more: bool = False  # `total` is a lower bound: more rank below the pages ranked so far

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def total_label(self) -> str:
        """The total as shown: "1,234" or, for a lower bound, "1,234+"."""
        return f"{self.total:,}{'+' if self.more else ''}"

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
        if ranked is None and len(conds) == 1 and offset + limit < MAX_HITS:
            # Fuzzy alone: rank only down to this page (the first `want` of a ranking are
            # the same however far it goes), so a key is not held up scoring 100,000 titles
            # for ranks 101–2,000 nobody has asked to see; the total is then a lower bound.
            want = offset + limit
            fuzzy, substrings = fuzzy_head(session, flt.fuzzy, limit=want)
            out = _ranked_page(session, fuzzy, conds, offset, limit, notes)
            if len(fuzzy) == want:  # more may follow: at least every exact substring does
                out.total = max(want, substrings)
                out.more = out.total < MAX_HITS  # (the full ranking stops at MAX_HITS too)
            return out
        fuzzy = fuzzy_ids(session, flt.fuzzy)
        if ranked is None:
            ranked = fuzzy
        else:
            keep = set(ranked)
            ranked = [i for i in fuzzy if i in keep]
    if ranked is not None:
        return _ranked_page(session, ranked, conds, offset, limit, notes)
    if flt.code_id is not None:
        # The page's ids and the total in one statement, so the codings of the code subtree are
        # read once (as two statements, the count and the page each read them: twice the time).
        found = session.execute(
            select(col(m.Source.id), func.count().over())
            .where(*conds)
            .order_by(col(m.Source.id))
            .offset(offset)
            .limit(limit)
        ).all()
        if found:
            window = [r[0] for r in found]
            rows = session.exec(
                _row_select(session).where(col(m.Source.id).in_(window)).order_by(col(m.Source.id))
            ).all()
            return LibraryPage([_row(r) for r in rows], found[0][1], offset, limit, notes=notes)
    total = session.execute(select(func.count()).select_from(m.Source).where(*conds)).one()[0]
    rows = session.exec(
        _row_select(session).where(*conds).order_by(col(m.Source.id)).offset(offset).limit(limit)
    ).all()
    return LibraryPage([_row(r) for r in rows], total, offset, limit, notes=notes)


def _ranked_page(session, ranked, conds, offset, limit, notes) -> LibraryPage:
    """Search results keep their rank; filters still apply (in SQL, on the ranked ids)."""
    if ranked and len(conds) > 1:
        keep = set(  # plain ints (.scalars(): rows would never equal an id)
            session.execute(select(col(m.Source.id)).where(col(m.Source.id).in_(ranked), *conds))
            .scalars()
            .all()
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
        truncated_authors_sql().label("et_al"),
    )


def _row(r) -> SourceRow:
    sid, key, authors, year, title, kind, record_format, meta, status, codings, et_al = r
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
            et_al=bool(et_al),
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
    found = [i for i in ids if i in live][:limit]
    note = None
    last = parse(query)[-1][-1]  # (fts_query said there are words)
    if not found and not last.prefix and len(last.words) == 1 and len(last.words[0]) >= 3:
        # typed as you go, "volunt" finds nothing: say how to find "volunteers"
        word = last.words[-1]
        note = f"nothing has the whole word {word!r}; try {word}* for words that begin with it"
    return found, note


# --- fuzzy search -------------------------------------------------------------------------------


class _FuzzyIndex:
    """'author year title key file-name' strings of live sources, rebuilt when the sources
    change (a transcript is found by its file name or key as well as its title)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._state: tuple | None = None
        self._ids: list[int] = []
        self._choices: list[str] = []
        self._haystack: tuple[str, list[int]] = ("", [])
        # the last rankings (query, limit, cutoff) -> ids, for this state of the sources:
        # deleting a character brings back the ranking already made
        self.rankings: OrderedDict[tuple, tuple[list[int], int]] = OrderedDict()

    def get(self, session: Session) -> tuple[list[int], list[str], OrderedDict, tuple]:
        bind = cast(Engine, session.get_bind())  # sessions are bound to an engine
        n, top = session.execute(
            select(func.count(col(m.Source.id)), func.max(col(m.Source.id)))
        ).one()
        merged = session.execute(
            select(func.count(col(m.Source.id))).where(col(m.Source.merged_into_id).is_not(None))
        ).one()[0]
        state = (str(bind.url), id(bind), n, top, merged)
        with self.lock:
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
                self._haystack = haystack(self._choices)
                self._state = state
                self.rankings = OrderedDict()
            return self._ids, self._choices, self.rankings, self._haystack


_FUZZY = _FuzzyIndex()


def warm_fuzzy(session: Session) -> int:
    """Build (or check) the fuzzy index now — the Library calls it in a thread when it opens,
    so the first key typed in `/` does not wait for 100,000 titles to be read (nor for
    rapidfuzz and numpy to be imported)."""
    import numpy  # noqa: F401
    import rapidfuzz.process  # noqa: F401

    return len(_FUZZY.get(session)[0])


def fuzzy_ids(session: Session, query: str, limit: int = MAX_HITS, cutoff: float = 60) -> list:
    """Source ids ranked by how well 'author year title' matches `query` (typos forgiven):
    rapidfuzz's `partial_ratio` of at least `cutoff`, the exact substrings first, then those
    holding every word of the query, then by score, then in library order; at most `limit`."""
    return fuzzy_head(session, query, limit, cutoff)[0]


def fuzzy_head(
    session: Session, query: str, limit: int = MAX_HITS, cutoff: float = 60
) -> tuple[list[int], int]:
    """`fuzzy_ids`, and a lower bound on the whole ranking's length: when it stopped at
    `limit`, how many sources hold the query as typed (up to MAX_HITS; all of those rank),
    else its own length. One look at the index for both, kept with the last rankings."""
    ids, choices, rankings, joined = _FUZZY.get(session)
    q = query.strip().lower()
    if not q or not choices:
        return [], 0
    key = (q, limit, cutoff)
    found = rankings.get(key)
    if found is None:
        ranked = [ids[i] for i in rank_fuzzy(q, choices, limit, cutoff, joined)]
        cut = len(ranked) == limit < MAX_HITS  # stopped at `limit`: how many more at least?
        found = (ranked, len(substring_hits(q, joined, MAX_HITS)) if cut else len(ranked))
        with _FUZZY.lock:  # typing runs queries in worker threads
            rankings[key] = found
            while len(rankings) > 32:
                rankings.popitem(last=False)
    return list(found[0]), found[1]


FUZZY_CHUNK = 10_000  # choices scored at a time (the cutoff rises between rounds)
FUZZY_THREADS = max(1, min(4, os.cpu_count() or 1))
_POOL: list = []  # one thread pool, made on first use (rapidfuzz releases the GIL)


def _scoring_pool():
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(FUZZY_THREADS, thread_name_prefix="fuzzy"))
    return _POOL[0]


def haystack(choices: list[str]) -> tuple[str, list[int]]:
    """The choices joined by newlines (a query is one line) and where each starts: one
    `str.find` over the lot finds the exact substrings far quicker than `q in c` per choice."""
    starts, at = [], 0
    for c in choices:
        starts.append(at)
        at += len(c) + 1
    return "\n".join(choices), starts


def substring_hits(q: str, joined: tuple[str, list[int]], limit: int) -> list[int]:
    """Indexes of the first `limit` choices containing `q`, in order."""
    text, starts = joined
    out: list[int] = []
    if "\n" in q:
        return out
    find, after = text.find, len(starts)
    i = find(q)
    while i != -1 and len(out) < limit:
        k = bisect_right(starts, i) - 1
        out.append(k)
        i = find(q, starts[k + 1]) if k + 1 < after else -1
    return out


def every_word_hits(
    q: str, choices: list[str], joined: tuple[str, list[int]], limit: int, seen: set[int]
) -> list[int]:
    """The first `limit` choices not in `seen` holding every word of a query of several
    words, by score, then in library order: "mcallester planning" ranked McAllester's
    "Systematic Nonlinear Planning" third, under "Using a Layered Control Architecture ...
    planning" (`partial_ratio` scores one stretch of the string, and the author and the
    title word are far apart). Looked for among the first MAX_HITS holding the longest word."""
    words = q.split()
    if len(words) < 2 or limit <= 0:
        return []
    import numpy as np
    from rapidfuzz import fuzz, process

    longest = max(words, key=len)
    found = [
        i
        for i in substring_hits(longest, joined, MAX_HITS)
        if i not in seen and all(w in choices[i] for w in words)
    ]
    if not found:
        return []
    scores = process.cdist(
        [q], [choices[i] for i in found], scorer=fuzz.partial_ratio, dtype=np.float64
    )[0]
    order = sorted(range(len(found)), key=lambda k: (-scores[k], found[k]))
    return [found[k] for k in order[:limit]]


def rank_fuzzy(
    q: str,
    choices: list[str],
    limit: int,
    cutoff: float,
    joined: tuple[str, list[int]] | None = None,
) -> list[int]:
    """Indexes into `choices` in the order `fuzzy_ids` gives (the whole rule lives here).

    The same result as scoring every choice with `partial_ratio` and sorting all of them,
    found with less work, which is what makes each keystroke quick on 100,000 sources:
    - an exact substring scores 100 and comes first: if `limit` choices contain `q` (a short
      query usually does), those are the answer and no fuzzy score is computed;
    - then, for a query of several words, the choices holding every word (`every_word_hits`),
      by score;
    - otherwise the choices are scored a chunk at a time, one chunk per core at once (the
      scoring runs outside the GIL), and once `limit` of them are in hand the cutoff rises
      above the lowest score kept (a later choice must score higher to enter: ties go to
      library order), so rapidfuzz gives up on more of the rest.
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    joined = joined or haystack(choices)
    exact = substring_hits(q, joined, limit)
    if len(exact) >= limit:
        return exact[:limit]
    exact += every_word_hits(q, choices, joined, limit - len(exact), set(exact))
    if len(exact) >= limit:
        return exact[:limit]
    need = limit - len(exact)
    is_exact = np.zeros(len(choices), dtype=bool)
    is_exact[exact] = True
    kept_scores = np.empty(0, dtype=np.float64)
    kept_index = np.empty(0, dtype=np.int64)
    floor = cutoff
    pool = _scoring_pool()
    per_round = FUZZY_CHUNK * FUZZY_THREADS

    def score(start: int, floor: float):
        part = choices[start : start + FUZZY_CHUNK]
        scores = process.cdist(
            [q], part, scorer=fuzz.partial_ratio, score_cutoff=floor, dtype=np.float64
        )[0]
        where = np.flatnonzero((scores >= floor) & ~is_exact[start : start + len(part)])
        return scores[where], where + start

    for first in range(0, len(choices), per_round):
        starts = range(first, min(len(choices), first + per_round), FUZZY_CHUNK)
        rounds = pool.map(score, starts, [floor] * len(starts))  # all with this round's floor
        for found_scores, found_index in rounds:
            kept_scores = np.concatenate([kept_scores, found_scores])
            kept_index = np.concatenate([kept_index, found_index])
        if len(kept_scores) > need:
            # keep the best `need` by (score desc, index asc); ties at the edge go to the
            # earlier index, which is also why a later choice must beat the floor to matter
            order = np.lexsort((kept_index, -kept_scores))[:need]
            kept_scores, kept_index = kept_scores[order], kept_index[order]
        if len(kept_scores) == need:  # a later choice must score above the lowest kept
            floor = max(floor, float(np.nextafter(kept_scores.min(), np.inf)))
    order = np.lexsort((kept_index, -kept_scores))[:need]
    return exact + [int(i) for i in kept_index[order]]


def source_at(session: Session, batch_id: int, line: int | None) -> int | None:
    """The source an import problem is about: of those the batch added, the one whose
    record begins last at or before `line` (a field's problem names the field's line); the
    batch's only source when no line is given; else None."""
    query = select(col(m.Source.id)).where(col(m.Source.batch_id) == batch_id)
    if line is None:
        ids = session.execute(query.limit(2)).scalars().all()
        return ids[0] if len(ids) == 1 else None
    query = query.where(col(m.Source.origin_line) <= line)
    order = (col(m.Source.origin_line).desc(), col(m.Source.id))
    return session.execute(query.order_by(*order).limit(1)).scalar()


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
    "source_at",
    "text_search_ids",
    "warm_fuzzy",
]
