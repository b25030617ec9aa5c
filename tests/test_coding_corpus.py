"""End to end on the sample corpus: import the three focus groups with `review import`, code
them from the hand-coded gold file, suggest, retrieve by participant attribute, and search."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import bulk_apply, find_source
from review.coding.retrieval import excerpts
from review.coding.search import search
from review.coding.suggest import list_suggestions, suggest
from review.store import models as m
from review.store.db import session_scope

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bench" / "coding_gold.csv"


@pytest.fixture(scope="module")
def corpus_ws(tmp_path_factory):
    from review.cli import main
    from review.store.workspace import Workspace, init

    ws, _ = init(tmp_path_factory.mktemp("corpus") / "ws")
    ws.close()
    assert main(["-w", str(ws.root), "import", str(ROOT / "corpus" / "transcripts"), "--json"]) == 0
    ws = Workspace.open(ws.root, coder="gold")
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
    yield ws
    ws.close()


def gold_rows() -> list[dict]:
    return list(csv.DictReader(GOLD.open(encoding="utf-8")))


def apply_gold(s, rows: list[dict]) -> list[int]:
    """Store the gold rows as codings by coder "gold" in one bulk apply; the new ids."""
    return bulk_apply(
        s,
        [
            dict(
                source_id=find_source(s, r["source"]).id,
                code_id=find_code(s, r["code"]).id,
                start=int(r["start"]),
                end=int(r["end"]),
            )
            for r in rows
        ],
        coder="gold",
    )


def test_gold_offsets_slice_to_their_quotes_in_the_imported_text(corpus_ws):
    rows = gold_rows()
    assert len(rows) > 200
    with session_scope(corpus_ws.engine) as s:
        for row in rows:
            src = find_source(s, row["source"])
            assert src.text[int(row["start"]) : int(row["end"])] == row["quote"], row
        ids = apply_gold(s, rows)
        assert len(ids) == len(rows)
        for c in s.scalars(select(m.Coding)):
            assert c.quote == s.get(m.Source, c.source_id).text[c.start : c.end]
        s.rollback()


def test_suggestions_skip_moderators(corpus_ws):
    with session_scope(corpus_ws.engine) as s:
        assert suggest(s) > 100
        moderator_turns = s.execute(
            select(m.Passage.source_id, m.Passage.start, m.Passage.end)
            .join(m.Participant, m.Participant.id == m.Passage.participant_id)
            .where(m.Participant.role == "moderator", m.Passage.kind == "turn")
        ).all()
        assert moderator_turns
        for sug in list_suggestions(s):
            assert (
                sug.trigger
                and sug.quote == s.get(m.Source, sug.source_id).text[sug.start : sug.end]
            )
            inside = [
                t
                for t in moderator_turns
                if t[0] == sug.source_id and t[1] <= sug.start and sug.end <= t[2]
            ]
            assert not inside, sug.quote
        s.rollback()


def test_excerpts_by_participant_attribute_on_real_participants(corpus_ws):
    rows = [r for r in gold_rows() if r["code"] == "Barriers/Lack of time"]
    with session_scope(corpus_ws.engine) as s:
        apply_gold(s, rows)
        young = excerpts(s, find_code(s, "Barriers").id, attribute=("age_band", "25-34"))
        speakers = {e.speaker for e in young}
        assert speakers and speakers <= {
            "Marcus Reid",
            "Priya Nair",
            "Imran Hussain",
            "Tom Kowalski",
        }
        everyone = excerpts(s, find_code(s, "Barriers").id)
        assert len(everyone) == len(rows) > len(young)
        s.rollback()


def test_search_on_real_transcripts(corpus_ws):
    with session_scope(corpus_ws.engine) as s:
        hits = search(s, '"neighbourhood watch"')
        assert hits and all(h.source_key == "fg1_community_safety" for h in hits)
        assert {h.source_key for h in search(s, "fly-tip*")} == {"fg2_local_environment"}
        assert search(s, "recommendation OR dietitians")
