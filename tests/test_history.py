"""Undo and redo of coding steps: scoped to a source, restoring memos and evidence links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from review.coding.codebook import code_path, ensure_codebook, find_code
from review.coding.codings import add_memo, apply_code, remove_coding
from review.coding.history import redo, undo
from review.coding.suggest import accept_suggestion
from review.store import models as m
from tests.test_coding_helpers import make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")

TEXT = "Zoë: I volunteer at the café every week.\nBen: We organised a residents' group."


@pytest.fixture
def two(session, ws):
    ensure_codebook(session, ws.codebook_path)
    a = make_source(session, "fg-a", TEXT)
    b = make_source(session, "fg-b", TEXT)
    return session, a, b, find_code(session, "Co-delivery").id


def _rows(session):
    return [
        (c.id, c.source_id, c.start, c.end, c.memo)
        for c in session.scalars(select(m.Coding).order_by(m.Coding.id))
    ]


def _named(session, code, start, end, cid):
    """How undo and redo name one coding: its code and span (and id, for a script)."""
    return f"{code_path(session, code)} at {start}–{end} (coding {cid})"


def _links(session):
    return [(x.id, x.coding_id, x.note) for x in session.scalars(select(m.EvidenceLink))]


def test_undo_then_redo_a_coding_restores_its_memo_and_links(two):
    session, a, _b, code = two
    c = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    add_memo(session, target="coding", target_id=c.id, text="line one\nline two", coder="zoe")
    ind = m.Indicator(name="Volunteering rate", value=23.0)
    session.add(ind)
    session.flush()
    session.add(m.EvidenceLink(indicator_id=ind.id, coding_id=c.id, relation="supports", note="n"))
    session.flush()
    before, links = _rows(session), _links(session)
    what = undo(session, "zoe")
    named = _named(session, code, 5, 16, c.id)
    assert what == f"removed {named} with its 1 memo and 1 evidence link"
    assert _rows(session) == [] and _links(session) == []
    assert redo(session, "zoe") == f"re-applied {named} with its 1 memo and 1 evidence link"
    assert _rows(session) == before and _links(session) == links
    assert redo(session, "zoe") is None  # nothing more to redo
    assert undo(session, "zoe").startswith(f"removed {named}")  # and undo again


def test_undo_in_one_source_leaves_the_other_alone(two):
    session, a, b, code = two
    ca = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    apply_code(session, source_id=b.id, code_id=code, start=5, end=16, coder="zoe")
    assert undo(session, "zoe", source_id=a.id) == f"removed {_named(session, code, 5, 16, ca.id)}"
    assert [r[1] for r in _rows(session)] == [b.id]
    assert undo(session, "zoe", source_id=a.id) is None  # nothing else in source a
    assert redo(session, "zoe", source_id=b.id) is None  # the undo was in a
    assert (
        redo(session, "zoe", source_id=a.id) == f"re-applied {_named(session, code, 5, 16, ca.id)}"
    )
    assert sorted(r[1] for r in _rows(session)) == [a.id, b.id]


def test_a_new_step_ends_the_redo_chain_and_redo_follows_undo_order(two):
    session, a, _b, code = two
    c1 = apply_code(session, source_id=a.id, code_id=code, start=0, end=3, coder="zoe")
    c2 = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    undo(session, "zoe")
    undo(session, "zoe")
    assert _rows(session) == []
    assert redo(session, "zoe") == f"re-applied {_named(session, code, 0, 3, c1.id)}"
    assert [r[0] for r in _rows(session)] == [c1.id]  # the one undone last comes back first
    apply_code(session, source_id=a.id, code_id=code, start=17, end=20, coder="zoe")
    assert redo(session, "zoe") is None  # c2's undo was before this new step
    assert c2.id not in [r[0] for r in _rows(session)]


def test_undo_redo_remove_and_accept(two):
    session, a, _b, code = two
    c = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    remove_coding(session, c.id, "zoe")
    assert undo(session, "zoe") == f"restored {_named(session, code, 5, 16, c.id)}"
    assert redo(session, "zoe") == f"removed {_named(session, code, 5, 16, c.id)} again"
    assert _rows(session) == []
    sug = m.Suggestion(
        source_id=a.id, code_id=code, start=5, end=16, quote=TEXT[5:16], trigger=["volunteer"]
    )
    session.add(sug)
    session.flush()
    accept_suggestion(session, sug.id, "zoe")
    assert "un-accepted" in undo(session, "zoe")
    assert session.get(m.Suggestion, sug.id).status == "pending"
    assert "re-accepted" in redo(session, "zoe")
    session.refresh(sug)
    assert sug.status == "accepted" and session.get(m.Coding, sug.coding_id) is not None
