"""Invariants of duplicate detection on generated libraries (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from review.screening.dedupe import detect
from review.screening.dedupe.normalise import doi_key, doi_stem, fold

WORDS = ["co", "production", "public", "services", "citizen", "trust", "local", "health"]
record = st.fixed_dictionaries(
    {
        "title": st.lists(st.sampled_from(WORDS), min_size=0, max_size=7).map(" ".join),
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
        stems = {doi_stem(doi_key(by_key[k]["doi"])) for k in cluster.keys} - {""}
        assert len(stems) <= 1, cluster
    for pair in result.maybe:  # a maybe pair is never already in one cluster
        assert not any({pair.a, pair.b} <= set(c.keys) for c in result.clusters)


@given(st.text(max_size=60))
def test_normalisers_are_idempotent(text):
    assert fold(fold(text)) == fold(text)
    key = doi_key(text)
    assert doi_key(key) == key
