"""Full-text search over passages, the same cases on both databases (FTS5 on SQLite, tsvector
on PostgreSQL): phrases, prefixes, accents, ranking, hostile input."""

from __future__ import annotations

import pytest

from review.coding.search import count, fts_query, index_passages, search, ts_query
from review.errors import UsageError
from tests.test_coding_helpers import make_source

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
    assert fts_query('NEAR( AND : ^ "unbalanced') == '"NEAR" "AND" "unbalanced"'
    assert fts_query("?!* ()") == ""
    assert fts_query("OR police OR") == '"OR" "police"'


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
    assert search(session, "police") == []
    assert index_passages(session) == 7
    assert len(search(session, "police")) == 2


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
    assert res.code == 0 and "2 passage(s) match" in res.out
    res = cli("-w", ws.root, "search", "?!")
    assert res.code == 2 and "no words" in res.err
    res = cli("-w", ws.root, "search", "--reindex", "--json")
    assert res.code == 0 and res.json()["indexed"] == 5


def test_rank_window_bounds_scoring_but_exhaustive_ranks_all(indexed, monkeypatch):
    import review.coding.search as search_module

    session, _ = indexed
    sqlite_only(session)
    for i in range(6):  # six more passages with "council", the last one most about it
        body = "Zed: council " + "council " * (i * 3) + "filler words here"
        make_source(session, f"extra{i}", body)
    full = search(session, "council", exhaustive=True)
    assert full[0].source_key == "extra5"
    monkeypatch.setattr(search_module, "RANK_WINDOW", 3)
    windowed = search(session, "council", limit=3)
    first_three = sorted(h.passage_id for h in full)[:3]
    assert sorted(h.passage_id for h in windowed) == first_three
    assert search(session, "council", limit=3, exhaustive=True)[0].source_key == "extra5"


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
    assert res.code == 0 and res.json() == {"query": "police", "total": 0, "hits": []}
