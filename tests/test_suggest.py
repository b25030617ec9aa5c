"""Code suggestions from keyword lemmas: what triggers them, storing, accepting, rejecting."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review.coding.codebook import add_code, code_paths, ensure_codebook, find_code
from review.coding.codings import apply_code, undo
from review.coding.suggest import (
    accept_suggestion,
    accept_suggestions,
    build_matcher,
    list_suggestions,
    reject_suggestion,
    suggest,
)
from review.errors import UsageError
from review.store import models as m
from tests.test_coding_helpers import make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")

TEXT = (
    "Moderator: Tell me what you do locally.\n"
    "Anna: I volunteered with the Neighbourhood Watch and we Patrolled on Fridays.\n"
    "Ben: Honestly I just sort my recyling.\n"
    "Cara: The weather was nice."
)


@pytest.fixture
def book(session, ws):
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg-suggest", TEXT)
    return session, src


def by_code(session, rows):
    paths = code_paths(session)
    return {paths[r.code_id]: r for r in rows}


def test_lemmas_match_inflections_and_case(book):
    session, src = book
    assert suggest(session) > 0
    rows = by_code(session, list_suggestions(session))
    delivery = rows["Four Cs/Co-delivery"]
    assert TEXT[delivery.start : delivery.end].startswith("Anna:")
    assert delivery.quote == TEXT[delivery.start : delivery.end]
    assert {"volunteered", "Neighbourhood Watch", "Patrolled"} <= set(delivery.trigger)
    assert rows["Sector/Community safety"].trigger == ["Neighbourhood Watch"]
    # Cara said nothing codable; "recyling" is misspelt so only fuzzy matching finds it
    assert not [r for r in list_suggestions(session) if TEXT[r.start : r.end].startswith("Cara")]
    assert "Sector/Local environment" not in rows


def test_fuzzy_finds_misspellings_with_a_lower_score(book):
    session, src = book
    suggest(session, fuzzy=True)
    ben = [r for r in list_suggestions(session) if TEXT[r.start : r.end].startswith("Ben")]
    env = by_code(session, ben)["Sector/Local environment"]
    assert env.trigger == ["recyling"] and 0.9 <= env.score < 1.0


def test_rerun_never_repeats_and_coded_spans_are_skipped(book):
    session, src = book
    first = suggest(session, [src.id])
    assert first > 0 and suggest(session, [src.id]) == 0
    s = list_suggestions(session)[0]
    reject_suggestion(session, s.id, "anna")
    assert suggest(session, [src.id]) == 0  # a rejected suggestion is not asked again
    session.execute(m.Suggestion.__table__.delete())
    safety = find_code(session, "Community safety")
    start = TEXT.index("Neighbourhood")
    apply_code(
        session, source_id=src.id, code_id=safety.id, start=start, end=start + 20, coder="anna"
    )
    suggest(session, [src.id])
    assert "Sector/Community safety" not in by_code(session, list_suggestions(session))


def test_accept_and_reject_one_by_one_and_undo(book):
    session, src = book
    suggest(session)
    first, second, *_ = list_suggestions(session)
    coding = accept_suggestion(session, first.id, "anna")
    assert coding.origin == "suggestion" and coding.quote == TEXT[first.start : first.end]
    assert session.get(m.Suggestion, first.id).status == "accepted"
    assert session.get(m.Suggestion, first.id).coding_id == coding.id
    with pytest.raises(UsageError, match="already accepted"):
        accept_suggestion(session, first.id, "anna")
    reject_suggestion(session, second.id, "anna")
    assert session.get(m.Suggestion, second.id).status == "rejected"
    assert "un-rejected" in undo(session, "anna")
    assert session.get(m.Suggestion, second.id).status == "pending"
    assert "un-accepted" in undo(session, "anna")
    assert session.get(m.Suggestion, first.id).status == "pending"
    assert session.scalar(select(func.count()).select_from(m.Coding)) == 0


def test_accept_in_bulk(book):
    session, src = book
    n = suggest(session)
    ids = [s.id for s in list_suggestions(session)]
    coding_ids = accept_suggestions(session, ids, "anna")
    assert len(coding_ids) == n == len(ids)
    assert list_suggestions(session) == []
    assert "un-accepted" in undo(session, "anna")
    assert len(list_suggestions(session)) == n


def test_codes_without_keywords_and_groups_are_not_matched(session, ws):
    ensure_codebook(session, ws.codebook_path)
    plain = add_code(session, "Barriers/Unnamed")
    km = build_matcher(session.scalars(select(m.Code)).all())
    assert plain.id not in km.labels.values()
    assert find_code(session, "Four Cs").id not in km.labels.values()


def test_suggestion_commands(ws, cli, session):
    make_source(session, "fg-suggest", TEXT)
    session.commit()
    w = ("-w", ws.root)
    res = cli(*w, "code", "suggest", "--json")
    assert res.code == 0 and res.json()["suggestions"] == 2
    listed = cli(*w, "code", "suggestions", "--code", "Co-delivery", "--json").json()
    assert len(listed["suggestions"]) == 1 and "volunteered" in listed["suggestions"][0]["trigger"]
    sid = listed["suggestions"][0]["id"]
    res = cli(*w, "code", "accept", str(sid), "--coder", "anna", "--json")
    assert res.code == 0 and res.json()["accepted"] == 1
    res = cli(*w, "code", "reject", "--all", "--source", "fg-suggest", "--json")
    assert res.code == 0 and res.json()["rejected"] == 1
    res = cli(*w, "code", "accept")
    assert res.code == 2 and "--all" in res.err
    excerpts = cli(*w, "excerpts", "Four Cs", "--json").json()["excerpts"]
    assert [e["origin"] for e in excerpts] == ["suggestion"]


def test_unknown_status_is_a_usage_error(ws, cli):
    """QA: `review code suggestions --status acepted` listed nothing with exit 0."""
    res = cli("-w", ws.root, "code", "suggestions", "--status", "acepted")
    assert res.code == 2 and "unknown status 'acepted'" in res.err
    res = cli("-w", ws.root, "code", "suggestions", "--status", "all", "--json")
    assert res.code == 0 and res.json() == {"suggestions": []}
