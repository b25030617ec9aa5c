"""Retrieval: excerpts by code (with descendants), source, coder, participant attribute;
frequencies; co-occurrence."""

from __future__ import annotations

import pytest

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import apply_code
from review.coding.retrieval import code_frequencies, cooccurrence, cooccurrence_matrix, excerpts
from tests.test_coding_helpers import make_source, set_attribute

pytestmark = pytest.mark.backends("sqlite", "postgres")

FG1 = (
    "Anna: I volunteer at the park every week.\n"
    "Ben: We report fly-tipping together on the app.\n"
    "Anna: The council never listens to us."
)
FG2 = "Cara: I run a walking group for the surgery.\nDev: Nobody told me about it."


@pytest.fixture
def corpus(session, ws):
    ensure_codebook(session, ws.codebook_path)
    s1, s2 = make_source(session, "fg1", FG1), make_source(session, "fg2", FG2)
    set_attribute(session, "Anna", "area", "North")
    set_attribute(session, "Ben", "area", "South")
    set_attribute(session, "Cara", "area", "North")

    def code(src, text, path, who="alice"):
        body = src.text
        start = body.index(text)
        return apply_code(
            session,
            source_id=src.id,
            code_id=find_code(session, path).id,
            start=start,
            end=start + len(text),
            coder=who,
        )

    code(s1, "I volunteer at the park", "Four Cs/Co-delivery")
    code(s1, "volunteer at the park every week", "Sector/Local environment")
    code(s1, "We report fly-tipping together", "Four Cs/Co-assessment")
    code(s1, "fly-tipping together", "Mode/Collective co-production", "bob")
    code(s1, "The council never listens", "Barriers/Distrust")
    code(s2, "I run a walking group", "Four Cs/Co-delivery")
    code(s2, "Nobody told me", "Barriers/Lack of information", "bob")
    return session, s1, s2


def quotes(rows):
    return [r.quote for r in rows]


def test_excerpts_by_code_include_descendants(corpus):
    session, s1, s2 = corpus
    four_cs = find_code(session, "Four Cs")
    rows = excerpts(session, four_cs.id)
    assert quotes(rows) == [
        "I volunteer at the park",
        "We report fly-tipping together",
        "I run a walking group",
    ]
    assert rows[0].code_path == "Four Cs/Co-delivery" and rows[0].speaker == "Anna"
    assert rows[1].speaker == "Ben" and rows[0].source_key == "fg1"
    assert excerpts(session, four_cs.id, include_children=False) == []
    for r in rows:
        body = s1.text if r.source_id == s1.id else s2.text
        assert body[r.start : r.end] == r.quote


def test_excerpts_by_source_coder_and_attribute(corpus):
    session, s1, s2 = corpus
    assert len(excerpts(session, source_id=s2.id)) == 2
    assert quotes(excerpts(session, coder="bob")) == ["fly-tipping together", "Nobody told me"]
    north = excerpts(session, attribute=("area", "north"))  # case-insensitive
    assert {r.speaker for r in north} == {"Anna", "Cara"}
    assert len(north) == 4
    barriers = find_code(session, "Barriers")
    assert quotes(excerpts(session, barriers.id, attribute=("area", "North"))) == [
        "The council never listens"
    ]
    assert excerpts(session, attribute=("area", "West")) == []
    assert len(excerpts(session, limit=2, offset=1)) == 2


def test_frequencies(corpus):
    session, _, _ = corpus
    freq = {f.code_path: f for f in code_frequencies(session)}
    delivery = freq["Four Cs/Co-delivery"]
    assert (delivery.codings, delivery.sources) == (2, 2)
    assert delivery.characters == len("I volunteer at the park") + len("I run a walking group")
    assert code_frequencies(session)[0].code_path == "Four Cs/Co-delivery"
    assert {f.code_path for f in code_frequencies(session, coder="bob")} == {
        "Mode/Collective co-production",
        "Barriers/Lack of information",
    }


def test_cooccurrence_overlap_and_passage(corpus):
    session, _, _ = corpus
    ids = {
        p: find_code(session, p).id
        for p in (
            "Four Cs/Co-delivery",
            "Sector/Local environment",
            "Four Cs/Co-assessment",
            "Mode/Collective co-production",
            "Barriers/Distrust",
        )
    }
    pairs = cooccurrence(session)
    key = tuple(sorted((ids["Four Cs/Co-delivery"], ids["Sector/Local environment"])))
    assert pairs[key] == 1
    key2 = tuple(sorted((ids["Four Cs/Co-assessment"], ids["Mode/Collective co-production"])))
    assert pairs[key2] == 1
    assert len(pairs) == 2  # Distrust touches nothing
    matrix = cooccurrence_matrix(session, unit="passage")
    names = matrix["codes"]
    i, j = names.index("Four Cs/Co-delivery"), names.index("Sector/Local environment")
    assert matrix["matrix"][i][j] == matrix["matrix"][j][i] == 1


def test_excerpts_and_cooccurrence_commands(ws, cli, corpus):
    session, _, _ = corpus
    session.commit()
    w = ("-w", ws.root)
    res = cli(*w, "excerpts", "Four Cs", "--json")
    assert res.code == 0 and len(res.json()["excerpts"]) == 3
    res = cli(*w, "excerpts", "--attribute", "area=South", "--json")
    assert [e["speaker"] for e in res.json()["excerpts"]] == ["Ben", "Ben"]
    res = cli(*w, "excerpts", "--source", "fg2")
    assert res.code == 0 and "Nobody told me" in res.out
    res = cli(*w, "excerpts", "--attribute", "area")
    assert res.code == 2 and "NAME=VALUE" in res.err
    res = cli(*w, "cooccurrence", "--json")
    assert res.code == 0 and len(res.json()["codes"]) == 4


def test_frequencies_command(ws, cli, corpus):
    session, _, _ = corpus
    session.commit()
    res = cli("-w", ws.root, "frequencies", "--json")
    assert res.code == 0
    rows = {r["code_path"]: r for r in res.json()["frequencies"]}
    assert (
        rows["Four Cs/Co-delivery"]["codings"] == 2 and rows["Four Cs/Co-delivery"]["sources"] == 2
    )
    res = cli("-w", ws.root, "frequencies", "--by", "bob")
    assert res.code == 0 and "Lack of information" in res.out and "Co-delivery" not in res.out
