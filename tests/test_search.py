"""Full-text search over passages, the same cases on both databases (FTS5 on SQLite, tsvector
on PostgreSQL): phrases, prefixes, accents, ranking, hostile input."""

from __future__ import annotations

import pytest

from review.coding.search import count, fts_query, index_passages, search, ts_query
from review.errors import UsageError
from tests.test_coding_helpers import inserts_into, make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")

TEXT = (
    "Anna: Co-production means we plan the service together with the council.\n"
    "Ben: The ménage à trois of police, council and residents works.\n"
    "Cara: Recycling, recycling, recycling: the recycling bins are full.\n"
    "Dev: I don't trust the council's \"consultation\" at all.\n"
    "Eve: Neighbourhood watch keeps the street safe; the police come to our meetings."
)


@pytest.fixture
def indexed(session):
    src = make_source(session, "fg-search", TEXT)
    make_source(session, "other", "Ann: Nothing about bins here.\nBob: Only parks and recreation.")
    return session, src


def keys(hits):
    return [(h.source_key, TEXT[h.start : h.end].split(":")[0]) for h in hits]


def test_query_rewriting_is_safe():
    assert fts_query("police council") == '"police" "council"'
    assert fts_query('"plan the service"') == '"plan the service"'
    assert fts_query("recycl*") == '"recycl"*'
    assert fts_query("co-production") == '"co production"'
    assert fts_query("don't") == '"don t"'
    assert fts_query('police OR "street safe"') == '"police" OR "street safe"'
    assert fts_query('NEAR( AND : ^ "unbalanced') == '"near" "and" "unbalanced"'
    assert fts_query("?!* ()") == ""
    assert fts_query("OR police OR") == '"or" "police"'
    assert fts_query("Ménage") == '"menage"'  # folded as both indexes fold


@pytest.mark.parametrize(
    ("query", "groups", "fts", "ts"),
    [
        ("_", [], "", ""),  # no word: nothing to look for on any engine
        ("co_design", [[(("co", "design"), False)]], '"co design"', "(co <-> design)"),
        ("a OR OR b", [[(("a",), False)], [(("or",), False), (("b",), False)]],
         '"a" OR "or" "b"', "a | or & b"),
        ("OR", [[(("or",), False)]], '"or"', "or"),
        ("a OR", [[(("a",), False)]], '"a"', "a"),
        ('"open phrase* x', [[(("open", "phrase", "x"), False)]], '"open phrase x"',
         "(open <-> phrase <-> x)"),
        ("ab* OR c*", [[(("ab",), True)], [(("c",), True)]], '"ab"* OR "c"*', "ab:* | c:*"),
    ],
)  # fmt: skip
def test_one_parse_for_every_engine(query, groups, fts, ts):
    """The tantivy clauses, the FTS5 MATCH text and the tsquery are one reading of the
    query (`search.parse`), so a query never means one thing on SQLite and another on
    PostgreSQL."""
    from review.coding.search import parse

    assert [[(c.words, c.prefix) for c in g] for g in parse(query)] == groups
    assert fts_query(query) == fts and ts_query(query) == ts


def test_the_same_parse_as_a_postgresql_tsquery():
    assert ts_query("police council") == "police & council"
    assert ts_query('"plan the service"') == "(plan <-> the <-> service)"
    assert ts_query("recycl*") == "recycl:*"
    assert ts_query("co-production") == "(co <-> production)"
    assert ts_query('police OR "street safe" bins') == "police | (street <-> safe) & bins"
    assert ts_query('NEAR( AND : ^ "unbalanced') == "near & and & unbalanced"
    assert ts_query("?!* ()") == ""
    assert ts_query("OR police OR") == "or & police"


def sqlite_only(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("FTS5's own scoring window and prefix expansion (SQLite only)")


def test_phrase_and_words(indexed):
    session, src = indexed
    hits = search(session, '"plan the service"')
    assert [h.source_key for h in hits] == ["fg-search"]
    assert TEXT[hits[0].start : hits[0].end].startswith("Anna:")
    assert "[plan the service]" in hits[0].snippet and hits[0].speaker == "Anna"
    assert search(session, '"the service plan"') == []
    assert {h.speaker for h in search(session, "police council")} == {"Ben"}


def test_prefix_and_or(indexed):
    session, _ = indexed
    assert {h.speaker for h in search(session, "recycl*")} == {"Cara"}
    assert {h.speaker for h in search(session, "neighbour*")} == {"Eve"}
    assert {h.speaker for h in search(session, "bins OR parks")} == {"Cara", "Ann", "Bob"}
    assert count(session, "bins OR parks") == 3


def test_punctuation_and_accents(indexed):
    session, _ = indexed
    assert [h.speaker for h in search(session, "co-production")] == ["Anna"]
    assert [h.speaker for h in search(session, "Co-Production!")] == ["Anna"]
    assert [h.speaker for h in search(session, "don't trust")] == ["Dev"]
    assert [h.speaker for h in search(session, '"consultation')] == ["Dev"]
    assert [h.speaker for h in search(session, "council's")] == ["Dev"]
    assert [h.speaker for h in search(session, "menage a trois")] == ["Ben"]  # accents folded
    assert [h.speaker for h in search(session, "MÉNAGE")] == ["Ben"]
    for hostile in ("NEAR(police", "police AND", "a:b", "(*)", '"', "col:police"):
        search(session, hostile) if fts_query(hostile) else None  # never a syntax error
    with pytest.raises(UsageError):
        search(session, "?!")


def test_ranked_by_bm25(indexed):
    session, _ = indexed
    hits = search(session, "recycling OR police")
    assert hits[0].speaker == "Cara"  # four mentions in a short passage outrank one
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    page1 = search(session, "the", limit=2)
    page2 = search(session, "the", limit=2, offset=2)
    assert len(page1) == 2 and not {h.passage_id for h in page1} & {h.passage_id for h in page2}


def test_reindex_rebuilds_the_index(indexed):
    from sqlalchemy import text

    session, _ = indexed
    session.execute(text("DELETE FROM passage_fts"))
    assert index_passages(session) == 7
    assert len(search(session, "police")) == 2
    assert session.execute(text("SELECT count(*) FROM passage_fts")).scalar_one() == 7


def test_search_command(ws, cli, session):
    make_source(session, "fg-search", TEXT)
    session.commit()
    res = cli("-w", ws.root, "search", "recycl*", "--json")
    assert res.code == 0
    doc = res.json()
    assert doc["total"] == 1 and doc["hits"][0]["source_key"] == "fg-search"
    hit = doc["hits"][0]
    assert TEXT[hit["start"] : hit["end"]].startswith("Cara:")
    res = cli("-w", ws.root, "search", "police")
    assert res.code == 0 and "2 passage(s) or record(s) match" in res.out
    res = cli("-w", ws.root, "search", "?!")
    assert res.code == 2 and "no words" in res.err
    # A turn and the sentence inside it both match: the span is shown once, and the total
    # on the last page says so (QA: "2 match" under one printed hit).
    res = cli("-w", ws.root, "search", "bins", "--json")
    doc = res.json()
    assert doc["exact"] and doc["total"] == len(doc["hits"]) == 1
    res = cli("-w", ws.root, "search", "police", "--limit", "1")
    assert "showing 1–1 of at most 2" in res.out
    res = cli("-w", ws.root, "search", "--reindex", "--json")
    assert res.code == 0 and res.json()["indexed"] == 5


def test_ranking_is_fts5s_full_bm25_over_every_match(indexed):
    """The top 20 is FTS5's `ORDER BY rank` over all matches, score for score, however many
    match and wherever the best ones are (the old scorer saw only the first 5,000)."""
    from sqlalchemy import text

    session, _ = indexed
    sqlite_only(session)
    for i in range(60):  # the passages most about "council" come last
        body = "Zed: council " + "council " * (i % 7) + "filler words " * (i % 5) + "end"
        make_source(session, f"extra{i}", body)
    for q in (
        "council",
        "council OR filler",
        "council filler",
        '"council council"',
        'council OR "filler words" end',
        "fill*",
        "council end OR police",
    ):
        ours = search(session, q, limit=20)
        ref = session.execute(
            text(
                "SELECT rowid, rank FROM passage_fts WHERE passage_fts MATCH :q "
                "ORDER BY rank, rowid LIMIT 20"
            ),
            {"q": fts_query(q) if "*" not in q else '("filled" OR "filler")'},
        ).all()
        # the same passages in the same order (equal scores by id, as here), the same scores
        assert [h.passage_id for h in ours] == [r[0] for r in ref], q
        assert [round(h.rank, 4) for h in ours] == [round(r[1], 4) for r in ref], q
    assert len({round(h.rank, 6) for h in search(session, "council", limit=20)}) < 20  # ties


def test_literature_and_passages_are_searched_together(ws, cli, session):
    """QA: 0 hits for a word in 60 imported abstracts. Title, abstract and keywords of a
    literature record are searched with the passages, each record once; --kind picks one."""
    from review.store import models as mo

    make_source(session, "fg-search", TEXT)
    for i in range(3):
        session.add(
            mo.Source(
                key=f"smith{i}",
                kind="article",
                title=f"Paper {i} on co-production",
                abstract="Residents and police co-produce community safety." if i else None,
                keywords=["neighbourhood watch"] if i == 2 else [],
            )
        )
    session.add(mo.Source(key="merged", kind="article", title="police", merged_into_id=None))
    session.commit()
    hits = search(session, "police")
    kinds = sorted((h.kind, h.source_key) for h in hits)
    assert ("literature", "smith1") in kinds and ("literature", "smith2") in kinds
    assert sum(1 for k in kinds if k[1] == "fg-search") == 2
    lit = [h for h in hits if h.kind == "literature"]
    assert all(h.passage_id is None and "[police]" in h.snippet for h in lit)
    assert {h.source_key for h in search(session, '"neighbourhood watch"', kind="literature")} == {
        "smith2"
    }
    assert {h.source_key for h in search(session, "police", kind="passage")} == {"fg-search"}
    assert count(session, "co-production") == 4  # three titles and Anna's line
    res = cli("-w", ws.root, "search", "co-production", "--kind", "literature", "--json")
    assert res.code == 0 and res.json()["total"] == 3
    assert {h["source_key"] for h in res.json()["hits"]} == {"smith0", "smith1", "smith2"}


def test_the_tightest_passage_is_the_hit(session):
    """A sentence inside a matching turn is the hit, not both; a turn whose words are in two
    of its sentences is the hit itself."""
    from review.ingest.passages import Segment, store_passages
    from review.store import models as mo

    body = "Ann: The police came. We talked about bins.\nBob: Nothing here."
    src = mo.Source(key="fg-tight", kind="transcript", title="t", text=body)
    session.add(src)
    session.flush()
    store_passages(
        session,
        src,
        [
            Segment(0, 43, "turn", "Ann"),
            Segment(5, 21, "sentence", "Ann"),
            Segment(22, 43, "sentence", "Ann"),
            Segment(44, 62, "turn", "Bob"),
            Segment(44, 62, "sentence", "Bob"),
        ],
    )
    session.commit()
    if session.get_bind().dialect.name == "sqlite":  # the commit brought the index up to date
        from review.store import search_index

        idx = search_index._get(session.get_bind())
        assert (idx.meta.seq, idx.meta.token) == search_index._log_head(session)
    hits = search(session, "police")
    assert [(h.kind, body[h.start : h.end]) for h in hits] == [("sentence", "The police came.")]
    hits = search(session, "police bins")
    assert [(h.kind, h.start, h.end) for h in hits] == [("turn", 0, 43)]
    assert len(search(session, "nothing")) == 1  # equal spans count once
    assert [h.kind for h in search(session, "police", kind="turn")] == ["turn"]
    assert len(search(session, "police", collapse=False)) == 2


def test_the_index_follows_every_write_and_recovers(ws, session):
    """Deletes and edits reach the index through the database's log; an index that missed a
    commit (a crash between the two) or saw a rolled-back write is repaired on open."""
    from sqlalchemy import text

    from review.store import models as mo
    from review.store import search_index

    src = make_source(session, "fg-search", TEXT)
    lit = mo.Source(key="lit", kind="article", title="Recycling policy")
    session.add(lit)
    session.commit()
    assert len(search(session, "recycling")) == 2
    lit.title = "Waste policy"
    session.commit()
    assert [h.source_key for h in search(session, "recycling")] == ["fg-search"]
    session.execute(text("DELETE FROM passage WHERE source_id = :s"), {"s": src.id})
    session.commit()
    assert search(session, "recycling") == []
    assert [h.source_key for h in search(session, "waste")] == ["lit"]
    session.execute(text("DELETE FROM source WHERE id = :s"), {"s": lit.id})
    session.commit()
    assert search(session, "waste") == []
    if session.get_bind().dialect.name != "sqlite":
        return
    # a write the index never heard of (as if the process died after the database's commit)
    make_source(session, "fg-2", "Zoe: recycling again")
    session.commit()
    idx = search_index.current(session)
    idx.meta.seq -= 1
    idx._write_meta()
    search_index._open.clear()
    assert [h.source_key for h in search(session, "recycling")] == ["fg-2"]
    # indexed inside a transaction that then rolled back: the token no longer matches
    make_source(session, "fg-3", "Yan: recycling in a rolled back write")
    assert len(search(session, "recycling")) == 2
    session.rollback()
    make_source(session, "fg-4", "Xia: other words")
    session.commit()
    assert [h.source_key for h in search(session, "recycling")] == ["fg-2"]
    search_index.prune(session)
    assert session.execute(text("SELECT count(*) FROM passage_fts_log")).scalar_one() == 1


def test_prefixes_expand_to_terms_or_fall_back(indexed, monkeypatch):
    import review.coding.search as search_module

    session, _ = indexed
    sqlite_only(session)
    assert search_module._expand_prefixes(session, '"recycl"*') == '("recycling")'
    assert search_module._expand_prefixes(session, '"zzz"*') == '"zzz"*'
    assert [h.speaker for h in search(session, "MÉNAG*")] == ["Ben"]  # folded by FTS5 itself
    monkeypatch.setattr(search_module, "MAX_EXPANSION", 0)
    assert search_module._expand_prefixes(session, '"recycl"*') == '"recycl"*'
    assert {h.speaker for h in search(session, "recycl*")} == {"Cara"}


def test_kind_and_source_filters(indexed):
    session, src = indexed
    assert [h.speaker for h in search(session, "Police council")] == ["Ben"]
    assert search(session, "bins", source_ids=[src.id])[0].speaker == "Cara"
    assert search(session, "police", kind="turn") == []  # the helper stores sentences only
    assert len(search(session, "police", kind="sentence")) == 2


def test_count_agrees_with_the_kind_filter(indexed, ws, cli, session):
    """QA: `review search crime --kind turn` printed the total over every kind."""
    db, _ = indexed
    assert count(db, "police") == 2
    assert count(db, "police", kind="sentence") == 2
    assert count(db, "police", kind="turn") == 0
    make_source(session, "fg-kind", TEXT)
    session.commit()
    res = cli("-w", ws.root, "search", "police", "--kind", "turn", "--json")
    assert res.code == 0
    assert res.json() == {"query": "police", "total": 0, "exact": True, "hits": []}


def test_another_process_writing_is_seen(ws, session):
    """A second process (a CLI while the workbench is open) stores passages and commits: its
    commit updates the shared index, and a search here sees them at once."""
    import subprocess
    import sys

    sqlite_only(session)
    make_source(session, "fg-search", TEXT)
    session.commit()
    assert len(search(session, "police")) == 2
    script = (
        "import sys; sys.path.insert(0, '.')\n"
        "from review.store.db import session_scope\n"
        "from review.store.workspace import Workspace\n"
        "from review.store import models as m\n"
        "from review.ingest.passages import Segment, store_passages\n"
        f"ws = Workspace.open({str(ws.root)!r})\n"
        "with session_scope(ws.engine) as s:\n"
        "    src = m.Source(key='other-process', kind='transcript', title='o',\n"
        "                   text='Ola: the police again')\n"
        "    s.add(src); s.flush()\n"
        "    store_passages(s, src, [Segment(0, 21, 'turn', 'Ola')])\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    session.rollback()  # a new read transaction sees the other process's commit
    assert {h.source_key for h in search(session, "police")} == {"fg-search", "other-process"}


def test_a_long_transcripts_passages_are_stored_in_batches_and_indexed_whole(session):
    """3,000 sentences of one paragraph: the passages go in a few multi-row INSERTs (asking
    SQLAlchemy for their ids in the parameters' order made it one INSERT a row on SQLite:
    32,000 for a 1.1 M-character transcript), each passage's indexed text is its span, and
    the last one is found by search (its text sliced in Python, not by SQLite's `substr`,
    which reads the text's whole prefix for each passage)."""
    from sqlalchemy import select

    from review.ingest.passages import Segment, store_passages
    from review.store import models as m

    body = "".join(f"Residents clean park number {i} together. " for i in range(3000)).strip()
    src = m.Source(key="long", kind="transcript", title="long", text=body)
    session.add(src)
    session.flush()
    spans, at = [], 0
    for _ in range(3000):
        end = body.index(" together.", at) + len(" together.")
        spans.append(Segment(at, end, "sentence", None, None))
        at = end + 1
    with inserts_into(session, "passage") as inserts:
        assert store_passages(session, src, spans) == 3000
    assert 1 <= len(inserts) <= 20, len(inserts)
    rows = session.execute(
        select(m.Passage.id, m.Passage.start, m.Passage.end).where(m.Passage.source_id == src.id)
    ).all()
    assert sorted((a, z) for _, a, z in rows) == [(s.start, s.end) for s in spans]
    from sqlalchemy import text

    fts = dict(session.execute(text("SELECT rowid, text FROM passage_fts")).all())
    assert all(fts[pid] == body[a:z] for pid, a, z in rows)
    session.commit()
    (hit,) = search(session, '"park number 2999"')
    assert body[hit.start : hit.end] == "Residents clean park number 2999 together."
