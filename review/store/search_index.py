"""The search index on SQLite: tantivy, beside the database, kept in step with it.

Why not FTS5 alone: FTS5 computes bm25 for every matching row before it can sort, a few
microseconds a row, so a word found in 400,000 of 1,000,000 passages takes seconds to rank
exactly. tantivy keeps per-block maximum scores and skips blocks that cannot enter the top k
(block-max WAND), so the exact top 20 of such a query takes milliseconds.

What is indexed: every passage (doc = passage id, source, kind, its text) and every live
literature record (doc = -source id, kind "literature", title + abstract + keywords). Text is
folded as FTS5's `unicode61 remove_diacritics 2` folds it (accents stripped, lower case, words
are runs of letters and digits), so both engines see the same tokens.

Scoring is FTS5's bm25 exactly: tantivy's BM25 has the same k1 = 1.2, b = 0.75 and
length normalisation but a different idf (`ln(1 + (N-n+.5)/(n+.5))` where FTS5 uses
`ln((N-n+.5)/(n+.5))`, at least 1e-6), so each term is boosted by FTS5's idf over tantivy's
(`Scorer` below): the sum tantivy computes is then FTS5's score. Documents of more than 40
tokens are the exception: tantivy stores a document's length in one byte (exact to 40, then
rounded down to a step), so long passages and abstracts can score a little differently.

Staying in step (the database is the truth): migration m0011's triggers log, in the writing
transaction itself, every passage and source change in `passage_fts_log`. The index stores
the last entry it applied (sequence number and the entry's random token) in `meta.json`,
written after tantivy's commit. `current()` compares that with the log: behind → apply the
newer entries; ahead, or the token differs (a rolled-back entry), or entries pruned →
rebuild from the database. So a crash between the database's commit and the index's is
repaired on the next open, and every writer (import, delete, merge, another engineer's new
command) is covered without calling anything. `sync_after_commit(session)` brings the index
up to date as soon as the writing transaction commits (store_passages asks for it).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from review.store.db import is_sqlite
from review.store.kinds import LITERATURE, source_class

SCHEMA_VERSION = 1
TOKEN_RE = re.compile(r"[^\W_]+")
ANALYZER = "review_fold"
HEAP = 64_000_000
REBUILD_OVER = 50_000  # log entries to catch up on beyond which a rebuild is quicker
BATCH = 20_000
LOCK_WAIT_S = 30.0
K1, B = 1.2, 0.75

_lock = threading.RLock()
_open: dict[str, _Index] = {}


def fold(s: str) -> str:
    """Lower case, accents stripped (NFD minus combining marks), as FTS5's tokenizer folds."""
    s = s.lower()
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def tokens(s: str) -> list[str]:
    return TOKEN_RE.findall(fold(s))


def literature_text(title, abstract, keywords) -> str:
    if isinstance(keywords, str):
        try:
            keywords = json.loads(keywords)
        except ValueError:
            keywords = [keywords]
    parts = [title or "", abstract or "", "; ".join(str(k) for k in keywords or [])]
    return "\n".join(p for p in parts if p)


def _tantivy():
    import tantivy  # lazily: a command that does not search never loads it

    return tantivy


@dataclass
class _Meta:
    seq: int = 0
    token: str = ""
    deleted: int = 0  # documents deleted since the last rebuild (see `stats_exact`)
    schema: int = SCHEMA_VERSION


class _Index:
    def __init__(self, path: Path | None):
        tv = _tantivy()
        self.path = path
        sb = tv.SchemaBuilder()
        sb.add_integer_field("doc", stored=False, indexed=True, fast=True)
        sb.add_integer_field("source", stored=False, indexed=True, fast=True)
        sb.add_text_field("kind", stored=False, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("text", stored=False, tokenizer_name=ANALYZER)
        self.schema = sb.build()
        self.meta = _Meta()
        fresh = False
        if path is None:
            self.index = tv.Index(self.schema)
            fresh = True
        else:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self.index = tv.Index(self.schema, path=str(path), reuse=True)
            except (ValueError, OSError):  # another schema or a damaged index: start again
                for f in path.iterdir():
                    if f.is_file():
                        f.unlink()
                self.index = tv.Index(self.schema, path=str(path), reuse=False)
                fresh = True
            if not fresh:
                self.meta = self._read_meta()
        analyzer = (
            tv.TextAnalyzerBuilder(tv.Tokenizer.regex(r"[^\W_]+")).filter(tv.Filter.lowercase())
        ).build()
        self.index.register_tokenizer(ANALYZER, analyzer)
        self.valid = not fresh and self.meta.schema == SCHEMA_VERSION and self.meta.seq >= 0
        if fresh:
            self.meta = _Meta(seq=-1)

    # -- meta ------------------------------------------------------------------------------

    def _meta_path(self) -> Path | None:
        return None if self.path is None else self.path / "review-meta.json"

    def _read_meta(self) -> _Meta:
        p = self._meta_path()
        try:
            d = json.loads(p.read_text("utf-8")) if p else {}
            return _Meta(int(d["seq"]), str(d["token"]), int(d.get("deleted", 0)), d["schema"])
        except (OSError, ValueError, KeyError, TypeError):
            return _Meta(seq=-1)

    def _write_meta(self) -> None:
        p = self._meta_path()
        if p is None:
            return
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.meta.__dict__), "utf-8")
        os.replace(tmp, p)

    def refresh_meta(self) -> None:
        if self.path is not None:
            self.meta = self._read_meta()
            self.index.reload()

    # -- writing ---------------------------------------------------------------------------

    def writer(self):
        """The index's one writer (tantivy's lock file also stops other processes)."""
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                return self.index.writer(HEAP, 1)
            except ValueError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def add(self, w, rows) -> int:
        tv = _tantivy()
        n = 0
        for doc, source, kind, body in rows:
            w.add_document(
                tv.Document(doc=[doc], source=[source], kind=[kind], text=[fold(body or "")])
            )
            n += 1
        return n

    def searcher(self):
        return self.index.searcher()


# --- locating and opening ------------------------------------------------------------------


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine  # (an Engine's .engine is itself; a Connection's is its engine)


def index_path(engine: Engine) -> Path | None:
    """`review.db` → `review.db.search/`; None for an in-memory database (index in RAM)."""
    db = engine.url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    p = Path(db).resolve()
    return p.with_name(p.name + ".search")


def _get(engine: Engine) -> _Index:
    path = index_path(engine)
    key = str(path) if path is not None else f"mem:{id(engine)}"
    with _lock:
        idx = _open.get(key)
        if idx is None:
            idx = _open[key] = _Index(path)
        return idx


def applies(session: Session) -> bool:
    """Whether this database searches with the tantivy index (SQLite) or its own (PostgreSQL)."""
    return is_sqlite(_engine_of(session))


# --- keeping in step -------------------------------------------------------------------------


def _log_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        text("SELECT seq, hex(token) FROM passage_fts_log ORDER BY seq DESC LIMIT 1")
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def current(session: Session) -> _Index:
    """The index, brought up to date with what `session` sees of the database."""
    idx = _get(_engine_of(session))
    head = _log_head(session)
    if idx.valid and (idx.meta.seq, idx.meta.token) == head:
        return idx
    with _lock:
        idx.refresh_meta() if idx.path is not None else None
        if idx.valid and (idx.meta.seq, idx.meta.token) == head:
            return idx
        w = idx.writer()
        try:
            idx.refresh_meta() if idx.path is not None else None  # another process may have
            if not (idx.valid and (idx.meta.seq, idx.meta.token) == head):
                _catch_up(session, idx, w, head)
        finally:
            del w
    return idx


def _catch_up(session: Session, idx: _Index, w, head: tuple[int, str]) -> None:
    seq = idx.meta.seq
    ok = idx.valid and 0 <= seq <= head[0]
    if ok and seq > 0:
        row = session.execute(
            text(
                "SELECT hex(token), (SELECT min(seq) FROM passage_fts_log) FROM passage_fts_log "
                "WHERE seq = :s"
            ),
            {"s": seq},
        ).first()
        ok = row is not None and row[0] == idx.meta.token
    if ok:
        n = session.execute(
            text("SELECT count(*) FROM passage_fts_log WHERE seq > :s"), {"s": seq}
        ).scalar_one()
        ok = n <= REBUILD_OVER
    if ok:
        _apply(session, idx, w, seq)
    else:
        _rebuild(session, idx, w)
    w.commit()
    w.wait_merging_threads()
    idx.meta.seq, idx.meta.token = head
    idx.meta.schema = SCHEMA_VERSION
    idx._write_meta()
    idx.valid = True
    idx.index.reload()


PASSAGE_SPANS = (
    "SELECT p.id, p.source_id, p.kind, p.start, p.end "
    "FROM passage p JOIN source s ON s.id = p.source_id WHERE s.text IS NOT NULL"
)


def _passage_rows(session: Session, spans) -> list[tuple]:
    """(passage id, source id, kind, text) for passage spans (id, source, kind, start, end):
    each source's text read once and sliced here. SQLite's `substr` on text counts characters
    from the start of the string for every call, so a passage far into a long text cost its
    whole prefix: a one-paragraph transcript of 1.1 M characters and 32,000 sentences took
    18 s to index that way, against a fraction of a second sliced in Python (code points
    both: a passage's offsets index `str`)."""
    spans = list(spans)
    texts: dict[int, str] = {}
    ids = sorted({sid for _, sid, _, _, _ in spans})
    for i in range(0, len(ids), 900):
        chunk = ",".join(str(x) for x in ids[i : i + 900])
        texts.update(
            session.execute(text(f"SELECT id, text FROM source WHERE id IN ({chunk})")).all()
        )
    return [(pid, sid, kind, (texts.get(sid) or "")[a:z]) for pid, sid, kind, a, z in spans]


SOURCE_ROWS = (
    "SELECT id, kind, record_format, title, abstract, keywords FROM source "
    "WHERE merged_into_id IS NULL"
)


def _literature(rows):
    for sid, kind, fmt, title, abstract, keywords in rows:
        if source_class(kind, fmt) != LITERATURE:
            continue
        body = literature_text(title, abstract, keywords)
        if body:
            yield (-sid, sid, LITERATURE, body)


def _rebuild(session: Session, idx: _Index, w) -> None:
    w.delete_all_documents()
    idx.meta.deleted = 0
    last = 0
    while True:
        spans = session.execute(
            text(f"{PASSAGE_SPANS} AND p.id > :last ORDER BY p.id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not spans:
            break
        idx.add(w, _passage_rows(session, spans))
        last = spans[-1][0]
    last = 0
    while True:
        rows = session.execute(
            text(f"{SOURCE_ROWS} AND id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        idx.add(w, _literature(rows))
        last = rows[-1][0]


def _apply(session: Session, idx: _Index, w, seq: int) -> None:
    ops: dict[tuple[str, int], set[str]] = {}
    for what, ref, op in session.execute(
        text("SELECT what, ref, op FROM passage_fts_log WHERE seq > :s ORDER BY seq"), {"s": seq}
    ):
        ops.setdefault((what, int(ref)), set()).add(op)
    p_ids = sorted(r for (what, r) in ops if what == "p")
    s_ids = sorted(r for (what, r) in ops if what == "s")
    for (what, ref), seen in ops.items():
        if seen != {"+"}:  # inserted ids are new (AUTOINCREMENT): nothing to delete first
            w.delete_documents_by_term("doc", ref if what == "p" else -ref)
            idx.meta.deleted += 1
    for i in range(0, len(p_ids), 900):
        chunk = ",".join(str(x) for x in p_ids[i : i + 900])
        spans = session.execute(text(f"{PASSAGE_SPANS} AND p.id IN ({chunk})")).all()
        idx.add(w, _passage_rows(session, spans))
    for i in range(0, len(s_ids), 900):
        chunk = ",".join(str(x) for x in s_ids[i : i + 900])
        idx.add(w, _literature(session.execute(text(f"{SOURCE_ROWS} AND id IN ({chunk})"))))


def rebuild(session: Session) -> None:
    """Rebuild the index from the database now (`review search --reindex`)."""
    if not applies(session):
        return
    idx = _get(_engine_of(session))
    with _lock:
        idx.valid = False
        w = idx.writer()
        try:
            _catch_up(session, idx, w, _log_head(session))
        finally:
            del w


PRUNE_OVER = 10_000  # applied log entries kept before a commit prunes them


def prune(session: Session, over: int = 0) -> None:
    """Drop log entries the index has applied (keeping the last, whose token it checks),
    when more than `over` of them have gathered."""
    idx = _get(_engine_of(session))
    if not (idx.valid and idx.meta.seq > 0):
        return
    first = session.execute(text("SELECT min(seq) FROM passage_fts_log")).scalar()
    if first is not None and idx.meta.seq - int(first) > over:
        session.execute(text("DELETE FROM passage_fts_log WHERE seq < :s"), {"s": idx.meta.seq})


def sync_after_commit(session: Session) -> None:
    """Bring the index up to date whenever `session` commits (a crash before that leaves the
    log, and the next open catches up). Registered once per session; no-op on PostgreSQL."""
    if not applies(session) or session.info.get("search_sync"):
        return
    session.info["search_sync"] = True
    engine = _engine_of(session)

    def after_commit(_session):
        try:
            with Session(engine) as s:
                current(s)
                s.rollback()
                prune(s, PRUNE_OVER)
                s.commit()
        except Exception:  # never fail a committed write; the next search catches up
            import logging

            logging.getLogger(__name__).exception("search index: catching up after a commit")

    event.listen(session, "after_commit", after_commit)


# --- ranking ---------------------------------------------------------------------------------


def fts5_idf(n_docs: int, n_hit: int) -> float:
    idf = math.log((n_docs - n_hit + 0.5) / (n_hit + 0.5))
    return idf if idf > 0 else 1e-6


def tantivy_idf(n_docs: int, n_hit: int) -> float:
    return math.log(1 + (n_docs - n_hit + 0.5) / (n_hit + 0.5))


MAX_COMPLETIONS = 2000  # a prefix standing for more words than this is refused
SCAN_TOP = 2000  # first top fetched for a query scored match by match (see `ranked`)


@dataclass(frozen=True)
class Clause:
    """One phrase of a query: its words (folded), and whether the last is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


class PrefixTooShort(ValueError):
    pass


def _boost(tv, q, factor: float):
    return tv.Query.boost_query(q, factor)


def _clause(tv, idx: _Index, searcher, n_docs: int, c: Clause, exact_idf: bool):
    """The tantivy query for one clause, boosted so that its score is FTS5's bm25 term."""
    schema = idx.schema
    if c.prefix and len(c.words) == 1:
        terms = searcher.terms_with_prefix("text", c.words[0], limit=MAX_COMPLETIONS + 1)
        if len(terms) > MAX_COMPLETIONS:
            raise PrefixTooShort(c.words[0])
        if not terms:
            return tv.Query.empty_query()
        # FTS5 given the same prefix spelt out as an OR of its words scores each word as a
        # term of its own: so do we.
        subs = [
            (
                tv.Occur.Should,
                _boost(
                    tv,
                    tv.Query.term_query(schema, "text", t),
                    fts5_idf(n_docs, n) / tantivy_idf(n_docs, n),
                ),
            )
            for t, n in sorted(terms)
        ]
        return tv.Query.boolean_query(subs)
    if c.prefix:
        return tv.Query.phrase_prefix_query(schema, "text", list(c.words))
    if len(c.words) == 1:
        n = searcher.doc_freq("text", c.words[0])
        q = tv.Query.term_query(schema, "text", c.words[0])
        return _boost(tv, q, fts5_idf(n_docs, n) / tantivy_idf(n_docs, n)) if n else q
    q = tv.Query.phrase_query(schema, "text", list(c.words))
    if not exact_idf:  # one clause alone: its idf scales every score alike
        return q
    n_hit = searcher.search(q, 1, count=True).count
    t_idf = sum(tantivy_idf(n_docs, searcher.doc_freq("text", w)) for w in c.words)
    return _boost(tv, q, fts5_idf(n_docs, n_hit) / t_idf) if n_hit else q


def build_query(
    idx: _Index,
    searcher,
    groups: list[list[Clause]],
    *,
    kind: str | None = None,
    passages_only: bool = False,
    source_ids=None,
    doc_ids=None,
):
    """`groups` are OR-ed, the clauses of a group AND-ed (FTS5's precedence). The score is the
    sum of every clause's bm25 term over the clauses a document contains, as FTS5's is."""
    tv = _tantivy()
    n_docs = max(1, searcher.num_docs)
    n_clauses = sum(len(g) for g in groups)
    exact = n_clauses > 1
    if len(groups) == 1:
        q = tv.Query.boolean_query(
            [(tv.Occur.Must, _clause(tv, idx, searcher, n_docs, c, exact)) for c in groups[0]]
        )
    elif all(len(g) == 1 for g in groups):
        q = tv.Query.boolean_query(
            [(tv.Occur.Should, _clause(tv, idx, searcher, n_docs, g[0], exact)) for g in groups]
        )
    else:
        # Which documents match: the OR of ANDs, scoring nothing; what they score: every
        # clause they contain (FTS5 counts a clause of a group that did not match, too).
        scored: dict = {}
        match = tv.Query.boolean_query(
            [
                (
                    tv.Occur.Should,
                    tv.Query.boolean_query(
                        [(tv.Occur.Must, _clause(tv, idx, searcher, n_docs, c, False)) for c in g]
                    ),
                )
                for g in groups
            ]
        )
        for g in groups:
            for c in g:
                scored.setdefault(c, _clause(tv, idx, searcher, n_docs, c, exact))
        q = tv.Query.boolean_query(
            [(tv.Occur.Must, _boost(tv, match, 0.0))]
            + [(tv.Occur.Should, sub) for sub in scored.values()]
        )
    filters = []
    if kind:
        filters.append((tv.Occur.Must, tv.Query.term_query(idx.schema, "kind", kind)))
    if passages_only:
        filters.append((tv.Occur.MustNot, tv.Query.term_query(idx.schema, "kind", LITERATURE)))
    if source_ids:
        filters.append(
            (tv.Occur.Must, tv.Query.term_set_query(idx.schema, "source", list(source_ids)))
        )
    if doc_ids is not None:
        filters.append((tv.Occur.Must, tv.Query.term_set_query(idx.schema, "doc", list(doc_ids))))
    if filters:
        q = tv.Query.boolean_query(
            [(tv.Occur.Must, q)]
            + [(occ, f if occ == tv.Occur.MustNot else _boost(tv, f, 0.0)) for occ, f in filters]
        )
    return q


@dataclass(frozen=True)
class Ranked:
    score: float
    doc: int  # passage id, or -source id for a literature record
    source: int


def ranked(
    session: Session, groups: list[list[Clause]], limit: int, *, count: bool = False, **filters
) -> tuple[list[Ranked], int | None]:
    """The best `limit` documents for the query by exact bm25, equal scores by document id
    (passages by id, literature records first), and the number of matches when `count`."""
    idx = current(session)
    searcher = idx.searcher()
    q = build_query(idx, searcher, groups, **filters)
    # One phrase alone is ranked without its idf (it scales every score alike, and FTS5's
    # needs the number of rows holding the phrase): the search counts them anyway, so the
    # scores are rescaled to FTS5's afterwards.
    (only,) = groups[0] if len(groups) == 1 and len(groups[0]) == 1 else (None,)
    phrase = only is not None and len(only.words) > 1 and not only.prefix
    limit = max(1, limit)
    # Only a word alone or an OR of words can skip blocks (block-max WAND); anything else (a
    # phrase, an AND, a prefix) is scored match by match whatever k is, so ask those for
    # enough to hold a tie at the last place, and count them (it is free there).
    words = all(len(c.words) == 1 and not c.prefix for g in groups for c in g)
    wand = words and (len(groups) == 1 and len(groups[0]) == 1 or all(len(g) == 1 for g in groups))
    k = limit + 1 if wand else max(limit + 1, SCAN_TOP)
    while True:
        res = searcher.search(q, k, count=count or not wand)
        hits = res.hits
        # Equal scores are ordered by document id, as FTS5's `ORDER BY rank, rowid`; tantivy
        # breaks ties by its own order, so when the last place is tied, fetch the whole tie.
        if len(hits) <= limit or len(hits) < k or hits[-1][0] < hits[limit - 1][0]:
            break
        k = res.count + 1 if (count or not wand) and res.count <= 100_000 else k * 16
    if len(hits) > limit:
        last = hits[limit - 1][0]
        hits = [h for h in hits if h[0] >= last]
    addrs = [a for _, a in hits]
    if not addrs:
        return [], (res.count if count else None)
    scale = 1.0
    if phrase and not any(v for v in filters.values()):
        n_docs = max(1, searcher.num_docs)
        assert only is not None  # (a phrase query has its one clause)
        t_idf: float = sum(tantivy_idf(n_docs, searcher.doc_freq("text", w)) for w in only.words)
        scale = fts5_idf(n_docs, res.count) / t_idf
    docs = searcher.fast_field_values("doc", addrs)
    sources = searcher.fast_field_values("source", addrs)
    out = sorted(
        (
            Ranked(float(score) * scale, int(d), int(s))
            for (score, _), d, s in zip(hits, docs, sources, strict=True)
        ),
        key=lambda r: (-r.score, r.doc),
    )
    return out[:limit], (res.count if count else None)


def count_matches(session: Session, groups: list[list[Clause]], **filters) -> int:
    idx = current(session)
    searcher = idx.searcher()
    return searcher.search(build_query(idx, searcher, groups, **filters), 1, count=True).count
