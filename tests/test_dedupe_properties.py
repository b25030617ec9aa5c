"""Invariants of duplicate detection on generated libraries (hypothesis)."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from review.screening.dedupe import detect
from review.screening.dedupe.detect import drop_shared_dois
from review.screening.dedupe.normalise import doi_key, doi_stem, prepare
from review.screening.dedupe.score import veto
from review.screening.dedupe.text import fold

WORDS = ["co", "production", "public", "services", "citizen", "trust", "local", "health"]
record = st.fixed_dictionaries(
    {
        "title": st.one_of(
            st.lists(st.sampled_from(WORDS), min_size=0, max_size=7).map(" ".join),
            st.sampled_from(["Editorial", "Erratum", "Part 1 of co-production", "Letters"]),
        ),
        "authors": st.lists(
            st.sampled_from(["Bovaird, T.", "Loeffler, E.", "T. Bovaird"]), max_size=2
        ),
        "year": st.one_of(st.none(), st.integers(2005, 2009)),
        "doi": st.one_of(
            st.none(),
            st.sampled_from(["10.1/a", "10.1/b", "doi:10.1/A", "10.2/x.pub2", "10.2/x.pub3"]),
        ),
        "venue": st.one_of(
            st.none(),
            st.sampled_from(["Public Administration Review", "Public Adm Rev", "Proc. Conf. PA"]),
        ),
        "volume": st.one_of(st.none(), st.sampled_from(["12", "13"])),
        "pages": st.one_of(st.none(), st.sampled_from(["1-10", "11-20", "e123", "11"])),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=0, max_size=12))
def test_clusters_never_hold_two_dois_and_partition_the_keys(records):
    for n, rec in enumerate(records):
        rec["key"] = f"k{n}"
    result = detect(records)
    by_key = {r["key"]: r for r in records}
    seen: set[str] = set()
    for cluster in result.clusters:
        assert len(cluster.keys) >= 2
        assert not seen & set(cluster.keys)
        seen |= set(cluster.keys)
        shared = set(result.shared_dois)  # a DOI several different works carry is not used
        stems = {doi_stem(doi_key(by_key[k]["doi"])) for k in cluster.keys} - {""}
        stems = {d for d in stems if d not in {doi_stem(x) for x in shared}}
        assert len(stems) <= 1, cluster
    for pair in result.maybe:  # a maybe pair is never already in one cluster
        assert not any({pair.a, pair.b} <= set(c.keys) for c in result.clusters)


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=0, max_size=12))
def test_every_pair_inside_a_cluster_passes_the_vetoes(records):
    """Complete linkage: no cluster holds two records a veto keeps apart, even when they were
    never compared as a pair (A~B and B~C do not make A~C)."""
    for n, rec in enumerate(records):
        rec["key"] = f"k{n}"
    result = detect(records)
    prepared = [prepare(i, r) for i, r in enumerate(records)]
    drop_shared_dois(prepared)
    by_key = {p.key: p for p in prepared}
    for cluster in result.clusters:
        for x, y in combinations(cluster.keys, 2):
            assert veto(by_key[x], by_key[y]) is None, (x, y, cluster)


@given(st.text(max_size=60))
def test_normalisers_are_idempotent(text):
    assert fold(fold(text)) == fold(text)
    key = doi_key(text)
    assert doi_key(key) == key
