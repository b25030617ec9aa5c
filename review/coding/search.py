"""Full-text search over passages, one service on both databases.

SQLite: FTS5 (`passage_fts`, migration m0002), ranked by bm25. PostgreSQL: the table of the
same name (migration m0009) with a generated `tsvector` under a GIN index, ranked by
`ts_rank`; the query is the same parse as below, written as a `tsquery` (phrases with `<->`,
prefixes with `:*`, OR with `|`), and accents are folded on both sides by `review_fold`.

User queries are never passed to FTS5 raw (a stray quote, hyphen or colon is a syntax error
there). We rebuild them: `"exact phrase"` stays a phrase, `word*` is a prefix query, every other
word becomes a quoted term, and words joined by punctuation ("co-production", "don't") become
a phrase of their parts, which is how the unicode61 tokenizer indexed them. Accents are folded
by the tokenizer (`remove_diacritics 2`), so "menage" finds "ménage". `OR` between terms is
kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from review.errors import UsageError
from review.store.db import is_sqlite

WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
ADJACENT = re.compile(r"\]( +)\[")
RANK_WINDOW = 5000  # matches scored by bm25 per query (see `search`)
MAX_EXPANSION = 30  # prefix completions spelled out as an OR (see `_expand_prefixes`)
CACHE_KB = 64 * 1024  # page cache per connection while searching
MMAP_BYTES = 256 * 1024 * 1024


@dataclass
class SearchHit:
    passage_id: int
    source_id: int
    source_key: str
    start: int
    end: int
    snippet: str
    rank: float
    speaker: str | None = None


def fts_query(query: str) -> str:
    """Turn what a person typed into a safe FTS5 MATCH expression (empty string if nothing)."""
    parts: list[str] = []
    for phrase, bare in TOKEN.findall(query or ""):
        if bare == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        raw = phrase if phrase else bare
        prefix = bool(bare) and bare.endswith("*")
        words = WORD.findall(raw)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        parts.append(term + ("*" if prefix else ""))
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


def search(
    session: Session,
    query: str,
    limit: int = 50,
    offset: int = 0,
    *,
    source_ids: Sequence[int] | None = None,
    kind: str | None = None,
    collapse: bool = True,
    exhaustive: bool = False,
) -> list[SearchHit]:
    """Passages matching `query`, best first (bm25; ties by position). `kind` limits to one
    passage kind (turn, sentence, paragraph); `collapse` drops hits nested in another hit of the
    same page (a sentence of a matching turn). A query matching more than `RANK_WINDOW`
    passages ranks the first `RANK_WINDOW` of them (in document order) unless `exhaustive`."""
    match = fts_query(query)
    if not match:
        raise UsageError("the search query has no words to look for")
    limit, offset = max(1, int(limit)), max(0, int(offset))
    if not _on_sqlite(session):
        hits = _pg_search(session, query, limit, offset, source_ids, kind)
        return _drop_nested(hits) if collapse else hits
    _tune(session)
    match = _expand_prefixes(session, match)
    # Rank inside FTS5 alone (`ORDER BY rank LIMIT` is its fast path: no join per match),
    # then fetch snippets and passage details for the one page of rowids.
    params: dict = {"q": match, "limit": limit, "offset": offset}
    filters = []
    if kind:
        filters.append("kind = :kind")
        params["kind"] = kind
    if source_ids:
        filters.append("source_id IN ({})".format(",".join(str(int(i)) for i in source_ids)))
    where = ""
    if filters:
        where = " AND rowid IN (SELECT id FROM passage WHERE " + " AND ".join(filters) + ")"
    if not exhaustive and offset + limit <= RANK_WINDOW:
        # bm25 costs a few microseconds per match; a word in a quarter of a million passages
        # would take most of a second. Score only the first RANK_WINDOW matches (document
        # order), in one pass: the inner query stops there, the outer one sorts by score.
        sql = (
            "SELECT rowid, score FROM (SELECT rowid, rank AS score FROM passage_fts "
            f"WHERE passage_fts MATCH :q{where} ORDER BY rowid LIMIT :window) "
            "ORDER BY score LIMIT :limit OFFSET :offset"
        )
        params["window"] = RANK_WINDOW
    else:
        sql = (
            f"SELECT rowid, rank FROM passage_fts WHERE passage_fts MATCH :q{where} "
            "ORDER BY rank LIMIT :limit OFFSET :offset"
        )
    page = session.execute(text(sql), params).all()
    if not page:
        return []
    ids = ",".join(str(int(r[0])) for r in page)
    snippets = dict(
        session.execute(
            text(
                "SELECT rowid, snippet(passage_fts, 0, '[', ']', '…', 16) FROM passage_fts "
                f"WHERE passage_fts MATCH :q AND rowid IN ({ids})"
            ),
            {"q": match},
        ).all()
    )
    rows = {
        r[0]: r
        for r in session.execute(
            text(
                "SELECT p.id, p.source_id, s.key, p.start, p.end, p.speaker FROM passage p "
                f"JOIN source s ON s.id = p.source_id WHERE p.id IN ({ids})"
            )
        ).all()
    }
    hits = []
    for pid, rank in page:
        r = rows.get(pid)
        if r is None:  # an index entry whose passage is gone: skip it, never crash
            continue
        hits.append(SearchHit(r[0], r[1], r[2], r[3], r[4], snippets.get(pid, ""), rank, r[5]))
    hits.sort(key=lambda h: (h.rank, h.source_id, h.start))
    return _drop_nested(hits) if collapse else hits


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


def _drop_nested(hits: list[SearchHit]) -> list[SearchHit]:
    """A sentence inside a matching turn (or paragraph) on the same page says nothing new."""
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for h in hits:
        spans.setdefault(h.source_id, []).append((h.start, h.end, h.passage_id))
    return [
        h
        for h in hits
        if not any(
            a <= h.start and h.end <= b and (a, b) != (h.start, h.end)
            for a, b, _ in spans[h.source_id]
        )
    ]


def count(session: Session, query: str, kind: str | None = None) -> int:
    """How many passages match (for paging); `kind` filters as in `search`, so the total
    agrees with the pages (it counted every kind, e.g. 12 for a `--kind turn` search of 6)."""
    match = fts_query(query)
    if not match:
        return 0
    if not _on_sqlite(session):
        sql = "SELECT count(*) FROM passage_fts WHERE tsv @@ to_tsquery('simple', :q)"
        params = {"q": ts_query(query)}
        if kind:
            sql += " AND rowid IN (SELECT id FROM passage WHERE kind = :kind)"
            params["kind"] = kind
        return int(session.execute(text(sql), params).scalar_one())
    sql = "SELECT count(*) FROM passage_fts WHERE passage_fts MATCH :q"
    params = {"q": match}
    if kind:
        sql += " AND rowid IN (SELECT id FROM passage WHERE kind = :kind)"
        params["kind"] = kind
    return int(session.execute(text(sql), params).scalar_one())


def _on_sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return is_sqlite(bind.engine if hasattr(bind, "engine") else bind)


def ts_query(query: str) -> str:
    """The same parse as `fts_query`, written as a PostgreSQL `tsquery` (folded by the caller's
    SQL with `review_fold`): a phrase's words joined by `<->`, a prefix `:*`, `OR` as `|`, and
    every other pair of terms `&`. Words are `\\w+` runs, so nothing needs quoting."""
    parts: list[str] = []
    for phrase, bare in TOKEN.findall(query or ""):
        if bare == "OR" and parts and parts[-1] != "|":
            parts.append("|")
            continue
        raw = phrase if phrase else bare
        prefix = bool(bare) and bare.endswith("*")
        words = [w.lower() for w in WORD.findall(raw)]
        if not words:
            continue
        term = " <-> ".join(words) + (":*" if prefix else "")
        if parts and parts[-1] != "|":
            parts.append("&")
        parts.append(f"({term})" if len(words) > 1 else term)
    while parts and parts[-1] in ("|", "&"):
        parts.pop()
    return " ".join(parts)


def _pg_search(session, query, limit, offset, source_ids, kind) -> list[SearchHit]:
    """PostgreSQL: match on the GIN-indexed `tsv`, rank by `ts_rank` (normalised by length,
    like bm25's), ties by position; the snippet marks hits with [ ] as FTS5's does."""
    params: dict = {"q": ts_query(query), "limit": limit, "offset": offset}
    where = ""
    if kind:
        where += " AND p.kind = :kind"
        params["kind"] = kind
    if source_ids:
        where += " AND p.source_id IN ({})".format(",".join(str(int(i)) for i in source_ids))
    sql = (
        "WITH q AS (SELECT to_tsquery('simple', review_fold(:q)) AS q), "
        "page AS (SELECT f.rowid, f.text, ts_rank(f.tsv, q.q, 1) AS score "
        "FROM passage_fts f JOIN passage p ON p.id = f.rowid CROSS JOIN q "
        f"WHERE f.tsv @@ q.q{where} "
        "ORDER BY score DESC, p.source_id, p.start LIMIT :limit OFFSET :offset) "
        "SELECT p.id, p.source_id, s.key, p.start, p.end, p.speaker, page.score, "
        "ts_headline('simple', page.text, q.q, 'StartSel=[, StopSel=], MaxWords=16, "
        "MinWords=6, ShortWord=0, MaxFragments=1, FragmentDelimiter=…') "
        "FROM page JOIN passage p ON p.id = page.rowid JOIN source s ON s.id = p.source_id, q "
        "ORDER BY page.score DESC, p.source_id, p.start"
    )
    rows = session.execute(text(sql), params).all()
    # ts_headline marks each word; adjacent marked words are one mark, as in FTS5's snippet.
    # Negated scores, so that "smaller is better" holds for both backends' `rank`.
    return [
        SearchHit(r[0], r[1], r[2], r[3], r[4], ADJACENT.sub(r"\1", r[7]), -float(r[6]), r[5])
        for r in rows
    ]


def source_ids(session: Session, query: str, limit: int) -> list[int]:
    """Sources whose passages match `query`, best first (the Library's full-text filter)."""
    match = fts_query(query)
    if not match:
        return []
    if _on_sqlite(session):
        _tune(session)
        sql = (
            "SELECT p.source_id FROM passage_fts f JOIN passage p ON p.id = f.rowid "
            "WHERE passage_fts MATCH :q GROUP BY p.source_id ORDER BY min(f.rank) LIMIT :n"
        )
        params = {"q": _expand_prefixes(session, match), "n": limit}
    else:
        sql = (
            "SELECT p.source_id FROM passage_fts f JOIN passage p ON p.id = f.rowid "
            "WHERE f.tsv @@ to_tsquery('simple', review_fold(:q)) GROUP BY p.source_id "
            "ORDER BY max(ts_rank(f.tsv, to_tsquery('simple', review_fold(:q)), 1)) DESC, "
            "p.source_id LIMIT :n"
        )
        params = {"q": ts_query(query), "n": limit}
    return [int(r[0]) for r in session.execute(text(sql), params)]


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
        return result.rowcount
    n = 0
    ids = list(passage_ids)
    for i in range(0, len(ids), 5000):
        chunk = ",".join(str(int(x)) for x in ids[i : i + 5000])
        session.execute(text(f"DELETE FROM passage_fts WHERE rowid IN ({chunk})"))
        result = session.execute(
            text(f"INSERT INTO passage_fts(rowid, text) {select_sql} AND p.id IN ({chunk})")
        )
        n += result.rowcount
    return n


def optimize(session: Session) -> None:
    """Merge FTS5 segments (after bulk loads) so queries touch fewer b-trees; on PostgreSQL
    the GIN index needs no such step (autovacuum merges its pending list)."""
    if not _on_sqlite(session):
        return
    session.execute(text("INSERT INTO passage_fts(passage_fts) VALUES('optimize')"))
