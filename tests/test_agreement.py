"""Inter-coder agreement: every figure checked against a hand-worked or textbook value."""

from __future__ import annotations

import pytest

from review.coding.agreement import (
    Table,
    agreement,
    alpha_from_table,
    cohen_kappa,
    covered,
    intersection,
    krippendorff_alpha_nominal,
    merge,
    overlap_ratio,
    percent_agreement,
    segment_counts,
)
from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import apply_code
from review.errors import NotFound, UsageError
from tests.test_coding_helpers import make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")


def test_interval_arithmetic():
    assert merge([(5, 10), (0, 3), (2, 4), (10, 12), (7, 7)]) == [(0, 4), (5, 12)]
    assert covered([(0, 10), (5, 15)]) == 15
    assert intersection([(0, 100)], [(20, 120)]) == 80
    assert intersection([(0, 10), (20, 30)], [(5, 25)]) == 10
    assert intersection([(0, 10)], [(10, 20)]) == 0


def test_hand_worked_kappa_1000_characters():
    # 1,000 characters; each coder codes 100; 80 in common.
    # Po = (80 + 880) / 1000 = 0.96
    # Pe = 0.1·0.1 + 0.9·0.9 = 0.82   (QualCoder's product 0.1·0.1·0.9·0.9 = 0.0081 is wrong)
    # kappa = (0.96 - 0.82) / (1 - 0.82) = 0.7778
    t = Table(both=80, a_only=20, b_only=20, neither=880)
    assert percent_agreement(t) == pytest.approx(0.96)
    assert cohen_kappa(t) == pytest.approx(0.14 / 0.18)
    assert round(cohen_kappa(t), 3) == 0.778
    # alpha = 1 - (2000 - 1)·40 / (1800·200) = 0.77789
    assert alpha_from_table(t) == pytest.approx(1 - 1999 * 40 / (1800 * 200))


def test_second_hand_worked_kappa_unequal_marginals():
    # 200 characters; A codes 60, B codes 40, 30 in common.
    # Po = (30 + 130) / 200 = 0.8 ; Pe = 0.3·0.2 + 0.7·0.8 = 0.62 ; kappa = 0.18 / 0.38
    t = Table(30, 30, 10, 130)
    assert cohen_kappa(t) == pytest.approx(0.18 / 0.38)
    assert cohen_kappa(Table(0, 0, 0, 50)) is None  # both left everything uncoded: undefined
    assert cohen_kappa(Table()) is None


def test_krippendorff_alpha_textbook_examples():
    # Krippendorff (2011) "Computing Krippendorff's alpha-reliability", binary data, two
    # observers, no missing values: alpha = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(krippendorff_alpha_nominal([a, b]), 3) == 0.095
    # Same paper, nominal data, four observers, missing values: alpha = 0.743
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert round(krippendorff_alpha_nominal(data), 3) == 0.743


def test_table_alpha_equals_general_alpha():
    a = [1] * 100 + [0] * 900
    b = [0] * 20 + [1] * 100 + [0] * 880
    general = krippendorff_alpha_nominal([a, b])
    assert alpha_from_table(Table(80, 20, 20, 880)) == pytest.approx(general)


def test_segment_agreement_with_threshold():
    assert overlap_ratio((0, 100), (10, 100)) == pytest.approx(0.9)
    assert overlap_ratio((0, 10), (10, 20)) == 0
    a = [(0, 100), (200, 250)]
    b = [(10, 100), (300, 350)]
    # A's (0,100) matches B's (10,100) at 0.9; B's (10,100) matches A's; the rest do not
    assert segment_counts(a, b, 0.9) == (2, 2)
    assert segment_counts(a, b, 0.95) == (0, 4)
    assert segment_counts([], [], 0.9) == (0, 0)


@pytest.fixture
def two_coders(session, ws):
    """One 1,000-character source; alice codes 0-100, bob 20-120, both with Co-design; bob
    also codes Trust 500-550, which alice never uses."""
    ensure_codebook(session, ws.codebook_path)
    body = ("Anna: " + "x" * 993 + "\n")[:1000]
    src = make_source(session, "doc-1000", body)
    design, trust = find_code(session, "Co-design"), find_code(session, "Drivers/Trust")
    apply_code(session, source_id=src.id, code_id=design.id, start=0, end=100, coder="alice")
    apply_code(session, source_id=src.id, code_id=design.id, start=20, end=120, coder="bob")
    apply_code(session, source_id=src.id, code_id=trust.id, start=500, end=550, coder="bob")
    return session, src


def test_agreement_service_matches_the_hand_worked_example(two_coders):
    session, src = two_coders
    doc = agreement(session, "alice", "bob")
    assert doc["sources"] == 1 and doc["characters"] == 1000
    design = next(c for c in doc["codes"] if c["code"] == "Four Cs/Co-design")
    ch = design["character"]
    assert (ch["both"], ch["a_only"], ch["b_only"], ch["neither"]) == (80, 20, 20, 880)
    assert ch["percent_agreement"] == 0.96 and ch["kappa"] == 0.7778
    assert ch["alpha"] == round(1 - 1999 * 40 / (1800 * 200), 4)
    assert design["coded_text"]["percent_agreement"] == round(80 / 120, 4)
    assert design["segment"]["agree"] == 0 and design["segment"]["disagree"] == 2  # 80/120 < .9
    trust = next(c for c in doc["codes"] if c["code"] == "Drivers/Trust")
    assert trust["character"]["kappa"] == 0.0  # alice never coded it: no agreement beyond chance
    assert trust["character"]["percent_agreement"] == 0.95
    overall = doc["overall"]["character"]
    assert overall["n"] == 2000 and overall["unit"].startswith("character × code")
    pooled = Table(80, 20, 70, 1830)
    assert overall["kappa"] == round(cohen_kappa(pooled), 4)
    lower = agreement(session, "alice", "bob", threshold=0.6)
    assert lower["codes"][0]["segment"]["agree"] == 2


def test_agreement_filters_and_errors(two_coders):
    session, src = two_coders
    design = find_code(session, "Co-design")
    doc = agreement(session, "alice", "bob", code_ids=[design.id], source_ids=[src.id])
    assert [c["code"] for c in doc["codes"]] == ["Four Cs/Co-design"]
    with pytest.raises(NotFound, match="no coder 'carol'"):
        agreement(session, "alice", "carol")
    with pytest.raises(UsageError):
        agreement(session, "alice", "alice")
    with pytest.raises(UsageError):
        agreement(session, "alice", "bob", threshold=0)


def test_agreement_command(ws, cli, two_coders):
    session, _ = two_coders
    session.commit()
    res = cli("-w", ws.root, "agreement", "--coders", "alice", "bob", "--json")
    assert res.code == 0, res.err
    doc = res.json()
    assert doc["coders"] == ["alice", "bob"]
    design = next(c for c in doc["codes"] if c["code"] == "Four Cs/Co-design")
    assert design["character"]["kappa"] == 0.7778
    assert design["character"]["unit"].startswith("character")
    assert design["segment"]["unit"] and design["coded_text"]["unit"]
    res = cli("-w", ws.root, "agreement", "--coders", "alice", "bob", "--code", "Co-design")
    assert res.code == 0 and "0.778" in res.out and "96.0" in res.out
    res = cli("-w", ws.root, "agreement", "--coders", "alice")
    assert res.code == 2
    res = cli("-w", ws.root, "agreement", "--coders", "alice", "zed")
    assert res.code == 1 and "no coder 'zed'" in res.err


def test_agreement_on_a_group_code_covers_the_codes_under_it(ws, cli, two_coders):
    """QA: `--code "Four Cs"` (a group, never applied) gave an empty row and 0 sources."""
    session, _ = two_coders
    session.commit()
    w = ("-w", ws.root, "agreement", "--coders", "alice", "bob", "--json")
    doc = cli(*w, "--code", "Four Cs").json()
    assert [c["code"] for c in doc["codes"]] == ["Four Cs/Co-design"]
    assert doc["codes"][0]["character"]["kappa"] == 0.7778 and doc["sources"] == 1
    doc = cli(*w, "--code", "Four Cs", "--code", "Drivers").json()
    assert [c["code"] for c in doc["codes"]] == ["Four Cs/Co-design", "Drivers/Trust"]
    res = cli(*w, "--code", "Barriers")
    assert res.code == 2 and "no codings under 'Barriers'" in res.err


def test_agreement_by_source(two_coders, session):
    _, src = two_coders
    other = make_source(session, "doc-other", "Ben: " + "y" * 495)
    design = find_code(session, "Co-design")
    apply_code(session, source_id=other.id, code_id=design.id, start=0, end=50, coder="alice")
    doc = agreement(session, "alice", "bob", code_ids=[design.id], by_source=True)
    rows = {r["source"]: r for r in doc["codes"][0]["by_source"]}
    assert rows["doc-1000"]["kappa"] == 0.7778 and rows["doc-1000"]["characters"] == 1000
    assert rows["doc-other"]["kappa"] == 0.0 and rows["doc-other"]["percent_agreement"] == 0.9
    pooled = doc["codes"][0]["character"]
    assert pooled["n"] == 1500 and pooled["a_only"] == 70
