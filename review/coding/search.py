"""Full-text search over literature and passages, one service on both databases.

SQLite: the tantivy index beside the database (`review/store/search_index.py`: why, how it
stays in step), holding every passage and every live literature record (title, abstract and
keywords as one document), ranked by FTS5's bm25 exactly over every match; `passage_fts`
(FTS5, m0002) is still filled and is what the benchmark and the tests compare with.
PostgreSQL: `passage_fts` (m0009) with a generated `tsvector` under a GIN index, and the
literature records' fields under the same folding, ranked by `ts_rank`; the query is the same
parse as below, written as a `tsquery` (phrases with `<->`, prefixes with `:*`, OR with `|`),
and accents are folded on both sides by `review_fold`.

User queries are never passed to an engine raw (a stray quote, hyphen or colon is a syntax
error in FTS5). We rebuild them: `"exact phrase"` stays a phrase, `word*` is a prefix query,
every other word a term, and words joined by punctuation ("co-production", "don't") become
a phrase of their parts, which is how both tokenizers index them. Accents are folded, so
"menage" finds "ménage". `OR` between terms is kept. Each hit is shown once: a turn or
paragraph holding a matching sentence gives way to the sentence (`_tightest`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, func, select, text
from sqlmodel import Session, col

from review.errors import UsageError
from review.store import models as m
from review.store import search_index
from review.store.db import is_sqlite
from review.store.kinds import LITERATURE, literature_clause
from review.store.search_index import Clause

TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
ADJACENT = re.compile(r"\]( +)\[")
WORDS = re.compile(r"[^\W_]+")
MAX_EXPANSION = 30  # prefix completions spelled out as an OR (see `_expand_prefixes`)
CACHE_KB = 64 * 1024  # page cache per connection while searching
MMAP_BYTES = 256 * 1024 * 1024


@dataclass
class SearchHit:
    passage_id: int | None  # None for a literature record (its title, abstract, keywords)
    source_id: int
    source_key: str
    start: int
    end: int
    snippet: str
    rank: float
    speaker: str | None = None
    kind: str = ""  # the passage's kind, or "literature"
    title: str | None = None


def parse(query: str) -> list[list[Clause]]:
    """What a person typed, read once for every engine: OR-ed groups of AND-ed clauses
    (FTS5's precedence: `a b OR c` is `(a AND b) OR c`), words folded as the indexes fold
    them. `fts_query` and `ts_query` only write this out in their engine's syntax.

    `"exact phrase"` is a phrase (an unclosed quote runs to the end), `word*` a prefix, words
    joined by punctuation a phrase of their parts. `OR` after a clause starts a new group (a
    trailing one is dropped); an `OR` with no clause before it (first, or doubled) is the
    word "or"."""
    groups: list[list[Clause]] = [[]]
    for phrase, bare in TOKEN.findall(query or ""):
        if bare == "OR" and groups[-1]:
            groups.append([])
            continue
        raw = phrase if phrase else bare
        words = tuple(search_index.tokens(raw))
        if words:
            groups[-1].append(Clause(words, bool(bare) and bare.endswith("*")))
    return [g for g in groups if g]


def fts_query(query: str) -> str:
    """`parse(query)` as a safe FTS5 MATCH expression (empty string if nothing to look for):
    each clause a quoted phrase, `*` after a prefix, `OR` between groups."""
    return " OR ".join(
        " ".join('"' + " ".join(c.words) + '"' + ("*" if c.prefix else "") for c in group)
        for group in parse(query)
    )


def ts_query(query: str) -> str:
    """`parse(query)` as a PostgreSQL `tsquery` (the caller's SQL folds it with `review_fold`,
    which leaves folded words as they are): a phrase's words joined by `<->`, a prefix `:*`,
    clauses `&`, groups `|` (`&` binds tighter, as AND does in `parse`). Words are `[^\\W_]+`
    runs, so nothing needs quoting."""

    def clause(c: Clause) -> str:
        term = " <-> ".join(c.words) + (":*" if c.prefix else "")
        return f"({term})" if len(c.words) > 1 else term

    return " | ".join(" & ".join(clause(c) for c in group) for group in parse(query))


def search(
    session: Session,
    query: str,
    limit: int = 50,
    offset: int = 0,
    *,
    source_ids: Sequence[int] | None = None,
    kind: str | None = None,
    collapse: bool = True,
    exhaustive: bool = True,
) -> list[SearchHit]:
    """Passages and literature records matching `query`, best first by bm25 over every match
    (ties in index order). `kind`: `literature` (title, abstract, keywords), `passage` (every
    passage), or one passage kind (turn, sentence, paragraph); None for everything.
    `collapse` keeps the tightest passage: a turn or paragraph is left out when a passage
    inside it (a sentence) matches too. `exhaustive` is kept for callers; ranking is always
    exact now."""
    match = fts_query(query)
    if not match:
        raise UsageError("the search query has no words to look for")
    limit, offset = max(1, int(limit)), max(0, int(offset))
    sqlite = _on_sqlite(session)
    tighten = collapse and kind in (None, "passage")
    want = offset + limit
    k = want + 10
    while True:
        if sqlite:
            cands, more = _ti_candidates(session, query, k, source_ids, kind)
        else:
            cands, more = _pg_candidates(session, query, k, source_ids, kind)
        kept = _tightest(session, query, cands) if tighten else cands
        if len(kept) >= want or not more:
            page = kept[offset:want]
            clauses = [c for g in parse(query) for c in g]
            for h in page:  # snippets for the one page only
                h.snippet = snippet(h.snippet, clauses)
            return page
        k *= 4


def _kind_filters(kind: str | None) -> dict:
    if kind in (None, "", "all"):
        return {}
    if kind == "passage":
        return {"passages_only": True}
    return {"kind": kind}


def _groups(query: str) -> list[list[Clause]]:
    groups = parse(query)
    if not groups:
        raise UsageError("the search query has no words to look for")
    return groups


def _ranked(session, query, k, *, count=False, **filters):
    try:
        return search_index.ranked(session, _groups(query), k, count=count, **filters)
    except search_index.PrefixTooShort as e:
        raise UsageError(
            f"{e.args[0]}* stands for more than {search_index.MAX_COMPLETIONS} words; "
            "type more of it"
        ) from None


def _ti_candidates(session, query, k, source_ids, kind) -> tuple[list[SearchHit], bool]:
    """SQLite: the top `k` from the tantivy index, with details from the database."""
    top, _ = _ranked(session, query, k, source_ids=source_ids, **_kind_filters(kind))
    return _hits(session, query, [(r.doc, r.source, -r.score) for r in top]), len(top) >= k


def _hits(session, query, ranked: list[tuple[int, int, float]]) -> list[SearchHit]:
    """SearchHits for (doc, source, rank) rows, `snippet` holding the whole text until the page
    is cut; docs whose row is gone are skipped."""
    if not ranked:
        return []
    pids = ",".join(str(int(d)) for d, _, _ in ranked if d > 0)
    sids = ",".join(str(int(s)) for s in sorted({s for _, s, _ in ranked}))
    rows = {}
    if pids:
        rows = {
            r[0]: r
            for r in session.execute(
                text(
                    'SELECT p.id, p.source_id, p.start, p."end", p.speaker, p.kind, '
                    'substr(s.text, p.start + 1, p."end" - p.start) FROM passage p '
                    f"JOIN source s ON s.id = p.source_id WHERE p.id IN ({pids})"
                )
            ).all()
        }
    srcs = {
        r[0]: r
        for r in session.execute(
            text(f"SELECT id, key, title, abstract, keywords FROM source WHERE id IN ({sids})")
        ).all()
    }
    hits = []
    for doc, sid, rank in ranked:
        src = srcs.get(sid)
        if src is None:
            continue
        if doc > 0:
            r = rows.get(doc)
            if r is None:  # an index entry whose passage is gone: skip it, never crash
                continue
            hits.append(
                SearchHit(
                    r[0], r[1], src[1], r[2], r[3], r[6] or "", rank, r[4], kind=r[5], title=src[2]
                )
            )
        else:
            body = search_index.literature_text(src[2], src[3], src[4])
            hits.append(
                SearchHit(None, sid, src[1], 0, 0, body, rank, None, kind=LITERATURE, title=src[2])
            )
    return hits


def _tightest(session, query, hits: list[SearchHit]) -> list[SearchHit]:
    """Leave out a passage that holds another matching passage (a turn whose sentence
    matches: the sentence is the hit). Equal spans count once (the lower id)."""
    outer = [h.passage_id for h in hits if h.passage_id is not None]
    if not outer:
        return hits
    ids = ",".join(str(int(i)) for i in outer)
    pairs = session.execute(
        text(
            "SELECT o.id, i.id FROM passage o JOIN passage i ON i.source_id = o.source_id "
            'AND i.start >= o.start AND i."end" <= o."end" AND i.id <> o.id '
            'AND (i."end" - i.start < o."end" - o.start OR i.id < o.id) '
            f"WHERE o.id IN ({ids})"
        )
    ).all()
    if not pairs:
        return hits
    inner = sorted({int(i) for _, i in pairs})
    matching = _matching(session, query, inner)
    drop = {int(o) for o, i in pairs if int(i) in matching}
    return [h for h in hits if h.passage_id not in drop]


def _matching(session, query, passage_ids: list[int]) -> set[int]:
    if _on_sqlite(session):
        top, _ = _ranked(session, query, len(passage_ids), doc_ids=passage_ids)
        return {r.doc for r in top}
    found: set[int] = set()
    for i in range(0, len(passage_ids), 5000):
        chunk = ",".join(str(int(x)) for x in passage_ids[i : i + 5000])
        found |= set(
            session.execute(
                text(
                    "SELECT rowid FROM passage_fts WHERE tsv @@ to_tsquery('simple', "
                    f"review_fold(:q)) AND rowid IN ({chunk})"
                ),
                {"q": ts_query(query)},
            ).scalars()
        )
    return found


def snippet(body: str, clauses: Sequence[Clause], width: int = 16) -> str:
    """About `width` words around the first match, each matching phrase in [ ] (as FTS5's
    snippet marks them), `…` where text is cut."""
    spans = [mt.span() for mt in WORDS.finditer(body)]
    if not spans:
        return body[:200]
    words = [body[a:b] for a, b in spans]
    words = [w.lower() if w.isascii() else search_index.fold(w) for w in words]
    toks = [(a, b, w) for (a, b), w in zip(spans, words, strict=True)]
    marked = [False] * len(toks)
    for c in clauses:
        n, head, end = len(c.words), c.words[0], c.words[-1]
        for i, w in enumerate(words):
            if n == 1:
                if w.startswith(end) if c.prefix else w == end:
                    marked[i] = True
                continue
            if w != head or i + n > len(words):
                continue
            if tuple(words[i + 1 : i + n - 1]) == c.words[1:-1] and (
                words[i + n - 1].startswith(end) if c.prefix else words[i + n - 1] == end
            ):
                for j in range(i, i + n):
                    marked[j] = True
    first = marked.index(True) if any(marked) else 0
    lo = max(0, min(first - width // 4, len(toks) - width))
    hi = min(len(toks), lo + width)
    out, pos = [], toks[lo][0]
    in_mark = False
    for j in range(lo, hi):
        a, b, _ = toks[j]
        gap = body[pos:a]
        if in_mark and not marked[j]:
            out.append("]")
            in_mark = False
        out.append(gap)
        if marked[j] and not in_mark:
            out.append("[")
            in_mark = True
        out.append(body[a:b])
        pos = b
    if in_mark:
        out.append("]")
    text_ = "".join(out).replace("\n", " ")
    return ("…" if lo > 0 else "") + text_ + ("…" if hi < len(toks) else body[pos:].rstrip())


PREFIX = re.compile(r'"([^"]+)"\*')


def _expand_prefixes(session: Session, match: str) -> str:
    """Rewrite `"volunt"*` as `("volunteer" OR "volunteered" …)` when few indexed words start
    with it: FTS5 answers a prefix query by merging every matching doclist up front, while an OR
    of plain terms is read lazily, so a ranked page of a common prefix comes back much faster.
    Multi-word prefixes and prefixes with many completions keep FTS5's own handling."""
    if "*" not in match:
        return match
    session.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_fts_terms "
            "USING fts5vocab(main, passage_fts, row)"
        )
    )

    def expand(hit: re.Match) -> str:
        stem = hit.group(1)
        if " " in stem:
            return hit.group(0)
        folded = (
            session.execute(
                text(
                    "SELECT term FROM temp.passage_fts_terms WHERE term >= :a AND term < :b "
                    "LIMIT :n"
                ),
                {"a": stem.lower(), "b": stem.lower() + "\U0010ffff", "n": MAX_EXPANSION + 1},
            )
            .scalars()
            .all()
        )
        if not folded or len(folded) > MAX_EXPANSION:
            return hit.group(0)
        return "(" + " OR ".join(f'"{t}"' for t in folded) + ")"

    return PREFIX.sub(expand, match)


def _tune(session: Session) -> None:
    """Give this connection a page cache big enough for the FTS index's hot pages (SQLite's
    default is 2 MB: a ranked query over a large index then re-reads pages from the OS) and
    let it map the file. Per connection, idempotent, cheap."""
    session.execute(text(f"PRAGMA cache_size = -{CACHE_KB}"))
    session.execute(text(f"PRAGMA mmap_size = {MMAP_BYTES}"))


def total(
    session: Session,
    query: str,
    hits: Sequence[SearchHit],
    *,
    limit: int,
    offset: int = 0,
    kind: str | None = None,
) -> tuple[int, bool]:
    """How many hits a page of `search` belongs to, and whether that is exact. A page shorter
    than `limit` is the last one, so the total is exact (each span once, as shown); otherwise
    it is `count`, which counts a turn and a sentence inside it apart (an upper bound)."""
    if len(hits) < limit:
        return offset + len(hits), True
    return max(count(session, query, kind), offset + len(hits)), False


def count(session: Session, query: str, kind: str | None = None) -> int:
    """How many passages and literature records match (for paging); `kind` filters as in
    `search`. A turn and a sentence inside it that both match count twice here, though
    `search` shows only the sentence."""
    if not fts_query(query):
        return 0
    if _on_sqlite(session):
        try:
            return search_index.count_matches(session, _groups(query), **_kind_filters(kind))
        except search_index.PrefixTooShort:
            return 0
    n = 0
    if kind != LITERATURE:
        sql = "SELECT count(*) FROM passage_fts WHERE tsv @@ to_tsquery('simple', review_fold(:q))"
        params = {"q": ts_query(query)}
        if kind not in (None, "", "all", "passage"):
            sql += " AND rowid IN (SELECT id FROM passage WHERE kind = :kind)"
            params["kind"] = kind
        n += int(session.execute(text(sql), params).scalar_one())
    if kind in (None, "", "all", LITERATURE):
        n += int(
            session.execute(
                select(func.count()).select_from(m.Source).where(*_pg_literature(query))
            ).scalar_one()
        )
    return n


def _on_sqlite(session: Session) -> bool:
    return is_sqlite(session.get_bind().engine)


PG_LITERATURE_TSV = (
    "to_tsvector('simple', review_fold(coalesce(source.title, '') || ' ' || "
    "coalesce(source.abstract, '') || ' ' || coalesce(CAST(source.keywords AS text), '')))"
)


def _pg_literature(query: str) -> list:
    return [
        literature_clause(),
        col(m.Source.merged_into_id).is_(None),
        text(f"{PG_LITERATURE_TSV} @@ to_tsquery('simple', review_fold(:q))").bindparams(
            q=ts_query(query)
        ),
    ]


def _pg_candidates(session, query, k, source_ids, kind) -> tuple[list[SearchHit], bool]:
    """PostgreSQL: the top `k` passages (GIN-indexed `tsv`) and the top `k` literature records
    (their title, abstract and keywords), ranked by `ts_rank`, merged."""
    ranked: list[tuple[int, int, float]] = []
    more = False
    if kind != LITERATURE:
        params: dict = {"q": ts_query(query), "limit": k}
        where = ""
        if kind not in (None, "", "all", "passage"):
            where += " AND p.kind = :kind"
            params["kind"] = kind
        if source_ids:
            where += " AND p.source_id IN ({})".format(",".join(str(int(i)) for i in source_ids))
        sql = (
            "WITH q AS (SELECT to_tsquery('simple', review_fold(:q)) AS q) "
            "SELECT f.rowid, p.source_id, ts_rank(f.tsv, q.q, 1) AS score "
            "FROM passage_fts f JOIN passage p ON p.id = f.rowid CROSS JOIN q "
            f"WHERE f.tsv @@ q.q{where} ORDER BY score DESC, p.source_id, p.start LIMIT :limit"
        )
        rows = session.execute(text(sql), params).all()
        more = len(rows) >= k
        ranked += [(int(r[0]), int(r[1]), -float(r[2])) for r in rows]
    if kind in (None, "", "all", LITERATURE):
        score = text(
            f"ts_rank({PG_LITERATURE_TSV}, to_tsquery('simple', review_fold(:q2)), 1)"
        ).bindparams(q2=ts_query(query))
        qry = select(col(m.Source.id), score).where(*_pg_literature(query))
        if source_ids:
            qry = qry.where(col(m.Source.id).in_([int(i) for i in source_ids]))
        rows = session.execute(qry.order_by(text("2 DESC"), col(m.Source.id)).limit(k)).all()
        more = more or len(rows) >= k
        ranked += [(-int(r[0]), int(r[0]), -float(r[1])) for r in rows]
    ranked.sort(key=lambda r: r[2])
    return _hits(session, query, ranked[:k]), more


def source_ids(session: Session, query: str, limit: int) -> list[int]:
    """Sources whose passages (or, for literature, title, abstract and keywords) match
    `query`, best first by their best hit (the Library's full-text filter)."""
    match = fts_query(query)
    if not match:
        return []
    if _on_sqlite(session):
        k = limit * 4 + 10
        while True:
            try:
                top, _ = _ranked(session, query, k)
            except UsageError:
                return []
            seen: dict[int, None] = {}
            for r in top:
                seen.setdefault(r.source)
            if len(seen) >= limit or len(top) < k:
                return list(seen)[:limit]
            k *= 4
    sql = (
        "SELECT p.source_id FROM passage_fts f JOIN passage p ON p.id = f.rowid "
        "WHERE f.tsv @@ to_tsquery('simple', review_fold(:q)) GROUP BY p.source_id "
        "ORDER BY max(ts_rank(f.tsv, to_tsquery('simple', review_fold(:q)), 1)) DESC, "
        "p.source_id LIMIT :n"
    )
    ids = [int(r[0]) for r in session.execute(text(sql), {"q": ts_query(query), "n": limit})]
    if len(ids) < limit:
        lit = session.execute(
            select(col(m.Source.id))
            .where(*_pg_literature(query))
            .order_by(col(m.Source.id))
            .limit(limit)
        ).scalars()
        ids += [int(i) for i in lit if int(i) not in ids][: limit - len(ids)]
    return ids


# --- keeping the index in step -------------------------------------------------------------


def index_passages(session: Session, passage_ids: Sequence[int] | None = None) -> int:
    """(Re)index passages in `passage_fts` from their sources' text; all when ids is None.
    The same statements on both databases (m0009 gives PostgreSQL the same two columns)."""
    select_sql = (
        "SELECT p.id, substr(s.text, p.start + 1, p.end - p.start) FROM passage p "
        "JOIN source s ON s.id = p.source_id WHERE s.text IS NOT NULL"
    )
    if passage_ids is None:
        session.execute(text("DELETE FROM passage_fts"))
        result = session.execute(text(f"INSERT INTO passage_fts(rowid, text) {select_sql}"))
        search_index.rebuild(session)
        return cast(CursorResult, result).rowcount
    n = 0
    ids = list(passage_ids)
    for i in range(0, len(ids), 5000):
        chunk = ",".join(str(int(x)) for x in ids[i : i + 5000])
        session.execute(text(f"DELETE FROM passage_fts WHERE rowid IN ({chunk})"))
        result = session.execute(
            text(f"INSERT INTO passage_fts(rowid, text) {select_sql} AND p.id IN ({chunk})")
        )
        n += cast(CursorResult, result).rowcount
    return n


def optimize(session: Session) -> None:
    """Merge FTS5 segments (after bulk loads) so queries touch fewer b-trees; on PostgreSQL
    the GIN index needs no such step (autovacuum merges its pending list)."""
    if not _on_sqlite(session):
        return
    session.execute(text("INSERT INTO passage_fts(passage_fts) VALUES('optimize')"))
