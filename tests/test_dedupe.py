"""Duplicate detection on the 25 labelled pairs from bib-dedupe, normalisation, blocking."""

from __future__ import annotations

import json
import random

import pytest

from review.screening.dedupe import detect, plain_from_bibtex
from review.screening.dedupe.authors import author_similarity, parse_authors
from review.screening.dedupe.blocking import candidate_pairs
from review.screening.dedupe.normalise import doi_key, doi_stem, prepare
from review.screening.dedupe.titles import parse_title
from review.screening.dedupe.venues import venues_match

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _cases(testdata):
    doc = json.loads((testdata / "dedup" / "bibdedupe_test_cases.json").read_text("utf-8"))
    assert doc["schema"] == "dedupe_test_cases/v1"
    return doc["cases"]


def _pair(case):
    a, b = plain_from_bibtex(case["record_a"]), plain_from_bibtex(case["record_b"])
    if a["key"] == b["key"]:
        b["key"] += "-b"
    return a, b


def test_labelled_pairs_all_duplicates_found_no_false_merge(testdata):
    cases = _cases(testdata)
    assert len(cases) == 25
    found = missed = false_merges = 0
    for case in cases:
        result = detect(list(_pair(case)))
        merged = bool(result.clusters)
        if case["expected_duplicate"]:
            found += merged
            missed += not merged
        else:
            false_merges += merged
    assert (found, missed, false_merges) == (10, 0, 0)


def test_labelled_pairs_all_together_in_one_library(testdata):
    """The 50 records in one run: blocking must still bring each duplicate pair together.

    Some cases reuse one record (the same long `ID`); those copies are duplicates too, so
    the truth is the labelled pairs joined through shared IDs.
    """
    records, truth_pairs, original = [], [], {}
    for n, case in enumerate(_cases(testdata)):
        a, b = _pair(case)
        original[f"{n}a"], original[f"{n}b"] = case["record_a"]["ID"], case["record_b"]["ID"]
        a["key"], b["key"] = f"{n}a", f"{n}b"
        records += [a, b]
        if case["expected_duplicate"]:
            truth_pairs.append((a["key"], b["key"]))
    by_id: dict[str, list[str]] = {}
    for key, rid in original.items():
        by_id.setdefault(rid, []).append(key)
    # short IDs ("1", "2") are per-case numbering, not the same record
    truth_pairs += [(ks[0], k) for rid, ks in by_id.items() if len(rid) > 4 for k in ks[1:]]
    group = {k: {k} for k in original}
    for x, y in truth_pairs:
        joined = group[x] | group[y]
        for k in joined:
            group[k] = joined
    result = detect(records)
    merged = {frozenset((x, y)) for c in result.clusters for x in c.keys for y in c.keys if x < y}
    truth = {frozenset((x, y)) for g in group.values() for x in g for y in g if x < y}
    assert {frozenset(p) for p in truth_pairs} <= merged  # recall 1.0
    assert merged <= truth  # precision 1.0


def test_maybe_queue_gets_the_risky_pairs(testdata):
    by_id = {c["id"]: c for c in _cases(testdata)}
    for name, reason in [
        ("smith_2020_same_title_author_different_venue", "conference vs journal version"),
        ("deng_taylor_moussawi_hicss_2021_vs_2022_minitrack_intro", "different DOIs"),
        ("attili_2018_vs_annabi_mcgann_2019_same_doi_but_different_papers", "same DOI but"),
    ]:
        result = detect(list(_pair(by_id[name])))
        assert result.clusters == []
        assert len(result.maybe) == 1
        assert any(r.startswith(reason) for r in result.maybe[0].reasons), result.maybe[0]


def test_report_lists_keys_scores_and_reasons(testdata):
    case = next(c for c in _cases(testdata) if c["id"].startswith("abrahao"))
    doc = detect(list(_pair(case))).to_dict()
    (cluster,) = doc["clusters"]
    assert cluster["keys"] == ["1", "2"]
    assert cluster["id"].startswith("c") and len(cluster["id"]) == 11
    (pair,) = cluster["pairs"]
    assert 0.9 <= pair["score"] <= 1.0
    assert "same title, authors and year" in pair["reasons"]


@pytest.mark.parametrize(
    "raw",
    [
        "10.1073/PNAS.1604234114",
        "https://doi.org/10.1073/pnas.1604234114",
        "doi:10.1073/pnas.1604234114.",
        "http://dx.doi.org/10.1073%2Fpnas.1604234114",
        " DOI: 10.1073/pnas.1604234114 ",
    ],
)
def test_doi_forms_normalise_to_one(raw):
    assert doi_key(raw) == "10.1073/pnas.1604234114"


def test_doi_rejects_non_dois_and_strips_versions():
    assert doi_key("not a doi") == ""
    assert doi_key("10.17705/1CAIS.") == "10.17705/1cais"
    assert doi_stem("10.1002/14651858.cd002273.pub3") == "10.1002/14651858.cd002273"


def test_title_folding_tags_markup_and_placeholders():
    def title_key(title, venue=None):
        return parse_title(title, venue).main

    assert title_key("AIR VERSUS OXYGEN for resuscitation [Review].") == (
        "air versus oxygen for resuscitation"
    )
    assert title_key("Caf{\\'e} <i>society</i> &amp; co-production") == (
        "cafe society co production"
    )
    assert title_key("Mén\u0061ge à trois") == "menage a trois"
    assert title_key("UNKNOWN") == ""
    venue = "Communications of the Association for Information Systems"
    assert title_key(f"{venue} {venue} Volume 52 Paper 45", venue) == ""


def test_author_formats_agree():
    full = parse_authors(["Abrahao, Bruno", "Parigi, Paolo", "Gupta, Alok", "Cook, Karen S."])
    short = parse_authors("B. Abrahao; P. Parigi; A. Gupta; K. S. Cook")
    pubmed = parse_authors("Tan A.Schulze A.O'Donnell C. P.Davis P. G.")
    assert [a.key for a in full] == ["abrahao b", "parigi p", "gupta a", "cook k"]
    assert author_similarity(full, short) == 1.0
    assert [sorted(a.surnames)[0] for a in pubmed] == ["tan", "schulze", "odonnell", "davis"]
    embase = parse_authors("Omulo Sylvia and Thumbi Samuel M.")
    comma = parse_authors("Omulo, S. and Thumbi, S. M.")
    assert author_similarity(embase, comma) == 1.0
    assert author_similarity(parse_authors("Hall, Laura"), parse_authors("Powell, Anne")) == 0.0


def test_venue_abbreviations():
    assert venues_match(
        "Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences of the U.S.A."
    )
    assert venues_match("Curr Opin Lipidol", "Current Opinion in Lipidology")
    assert not venues_match("Journal of Digital Studies", "Workshop of Digital Studies")


def test_erratum_and_reply_are_not_merged():
    base = {"authors": "Smith, J.", "year": 2020, "venue": "Public Administration Review"}
    paper = {**base, "key": "p", "title": "Co-production of public services in five countries"}
    erratum = {**paper, "key": "e", "title": "Erratum: " + paper["title"]}
    result = detect([paper, erratum])
    assert result.clusters == []
    assert not any(p for p in result.maybe if "erratum vs the paper itself" not in p.reasons)


def test_blocking_is_not_all_pairs():
    rng = random.Random(7)
    words = [f"w{n}x" for n in range(3000)]
    records = [
        {
            "key": str(i),
            "title": " ".join(rng.choice(words) for _ in range(8)),
            "authors": [f"Name{rng.randrange(200)}, A."],
            "year": 1990 + rng.randrange(30),
        }
        for i in range(3000)
    ]
    prepared = [prepare(i, r) for i, r in enumerate(records)]
    pairs = candidate_pairs(prepared)
    assert len(pairs) < 3000  # all pairs would be ~4.5 million
    # a planted duplicate with a typo at the start of its title is still a candidate
    twin = dict(records[0], key="twin", title="q" + records[0]["title"][1:])
    prepared.append(prepare(len(prepared), twin))
    assert (0, len(prepared) - 1) in candidate_pairs(prepared)


def test_clusters_do_not_depend_on_record_order(testdata):
    records = []
    for n, case in enumerate(_cases(testdata)):
        a, b = _pair(case)
        a["key"], b["key"] = f"{n}a", f"{n}b"
        records += [a, b]
    expected = sorted(sorted(c.keys) for c in detect(records).clusters)
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(sorted(c.keys) for c in detect(shuffled).clusters) == expected


def test_kept_apart_pairs_are_never_joined_through_a_third_record():
    base = {"authors": "Bovaird, T.", "year": 2007, "venue": "Public Administration Review"}
    title = "Beyond engagement and participation: user and community co-production"
    recs = [{**base, "key": k, "title": title} for k in ("a", "b", "c")]
    assert [sorted(c.keys) for c in detect(recs).clusters] == [["a", "b", "c"]]
    result = detect(recs, apart=[frozenset(("a", "c"))])
    assert all(not {"a", "c"} <= set(c.keys) for c in result.clusters)
    assert any({p.a, p.b} == {"a", "c"} for p in result.maybe) is False


def test_venue_types_differ_unless_the_pages_agree():
    """A proceedings paper exported once as a chapter: identical pages confirm it."""
    base = {
        "title": "Planning with qualitative temporal preferences",
        "authors": ["Bienvenu, Meghyn", "Fritz, Christian", "McIlraith, Sheila A."],
        "year": 2006,
    }
    chapter = {**base, "key": "ch", "kind": "chapter", "venue": "KR2006", "pages": "134-144"}
    paper = {**base, "key": "cp", "kind": "conference", "pages": "134--144"}
    assert [c.keys for c in detect([chapter, paper]).clusters] == [["ch", "cp"]]
    thesis = {**base, "key": "th", "kind": "thesis", "venue": "University of Toronto"}
    result = detect([thesis, paper])
    assert result.clusters == []
    assert "conference vs thesis version" in result.maybe[0].reasons
