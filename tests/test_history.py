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


def test_undo_and_redo_put_a_coding_back_without_links_whose_indicator_has_gone(two):
    """Walk: a linked coding removed, the indicators' import then undone (`review import
    --undo`), and `review code undo` ended in "internal error: IntegrityError" with nothing
    restored. The coding comes back; the link to an indicator no longer there does not, and
    the message says so. The same for the redo of an undone apply."""
    from sqlalchemy import delete

    session, a, _b, code = two

    def linked(start: int, end: int) -> m.Coding:
        c = apply_code(session, source_id=a.id, code_id=code, start=start, end=end, coder="zoe")
        ind = m.Indicator(name=f"Indicator {start}", value=23.0)
        session.add(ind)
        session.flush()
        session.add(m.EvidenceLink(indicator_id=ind.id, coding_id=c.id, relation="supports"))
        session.flush()
        return c

    c = linked(5, 16)
    remove_coding(session, c.id, "zoe")
    session.execute(delete(m.Indicator))  # what the import's undo does
    what = undo(session, "zoe")
    named = _named(session, code, 5, 16, c.id)
    gone = "(1 evidence link not restored: its indicator was removed since)"
    assert what == f"restored {named} {gone}"
    assert [r[:4] for r in _rows(session)] == [(c.id, a.id, 5, 16)] and _links(session) == []
    d = linked(20, 30)
    assert undo(session, "zoe").startswith("removed ")  # the apply undone, its link with it
    session.execute(delete(m.Indicator))
    what = redo(session, "zoe")
    assert what.endswith("(1 evidence link not restored: its indicator was removed since)")
    assert d.id in [r[0] for r in _rows(session)] and _links(session) == []


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


# --- screening steps: the same history, never mixed with the coding steps -----------------


def _stored(session, key):
    return session.scalars(select(m.Source.screening_status).where(m.Source.key == key)).one()


def _decisions(session):
    return [
        (d.source_id, d.stage, d.decision, d.reason, d.final)
        for d in session.scalars(select(m.ScreeningDecision).order_by(m.ScreeningDecision.id))
    ]


@pytest.fixture
def paper(two):
    """A literature record with text: screened, and coded in the Reader, by the same coder."""
    session, a, _b, code = two
    rec = make_source(session, "bovaird2007", "We co-deliver the service. Users help.", "article")
    return session, rec, a, code


def test_undo_a_screening_decision_then_redo_it_with_the_stored_status(paper):
    from review.coding.history import SCREENING
    from review.screening.decisions import decide, set_required_reviewers

    session, rec, _a, _code = paper
    set_required_reviewers(session, 1)
    decide(session, "zoe", "bovaird2007", "include")
    assert _stored(session, "bovaird2007") == "include"
    decided = _decisions(session)
    what = undo(session, "zoe", kinds=SCREENING, stage="title-abstract")
    assert what == "bovaird2007: include taken back at title-abstract (status unscreened)"
    assert _decisions(session) == [] and _stored(session, "bovaird2007") == "unscreened"
    what = redo(session, "zoe", kinds=SCREENING, stage="title-abstract")
    assert what == "bovaird2007: include again at title-abstract (status include)"
    assert _decisions(session) == decided and _stored(session, "bovaird2007") == "include"
    # a changed decision: undo puts the earlier one back, with its reason
    decide(session, "zoe", "bovaird2007", "exclude", reason="wrong population")
    decide(session, "zoe", "bovaird2007", "maybe")
    assert undo(session, "zoe", kinds=SCREENING, stage="title-abstract") == (
        "bovaird2007: maybe taken back, exclude (wrong population) again at title-abstract "
        "(status exclude)"
    )
    assert _decisions(session) == [(rec.id, "title-abstract", "exclude", "wrong population", False)]
    assert _stored(session, "bovaird2007") == "exclude"
    # the same decision again is no step: undo takes back the include, not a no-op
    decide(session, "zoe", "bovaird2007", "include")
    decide(session, "zoe", "bovaird2007", "include")
    assert undo(session, "zoe", kinds=SCREENING, stage="title-abstract").startswith(
        "bovaird2007: include taken back, exclude (wrong population) again"
    )
    assert undo(session, "zoe", kinds=SCREENING, stage="full-text") is None  # another stage
    assert undo(session, "ann", kinds=SCREENING) is None  # another reviewer's: none


def test_screening_and_coding_undo_never_take_back_each_others_steps(paper):
    """The Reader's undo (a source open) and `review code undo` take back codings only; the
    Screening screen's only decisions — even on one record, by one coder, interleaved."""
    from review.coding.history import SCREENING
    from review.screening.decisions import decide

    session, rec, _a, code = paper
    c = apply_code(session, source_id=rec.id, code_id=code, start=0, end=25, coder="zoe")
    decide(session, "zoe", "bovaird2007", "include")  # the newer step
    assert undo(session, "zoe", source_id=rec.id) == (
        f"removed {_named(session, code, 0, 25, c.id)}"
    )  # the coding, not the newer decision
    assert [d[2] for d in _decisions(session)] == ["include"]
    decide(session, "zoe", "bovaird2007", "exclude", reason="wrong outcome")  # after the undo
    assert redo(session, "zoe", source_id=rec.id) is not None  # a decision ends no coding chain
    assert _rows(session) != []
    c2 = apply_code(session, source_id=rec.id, code_id=code, start=27, end=38, coder="zoe")
    assert undo(session, "zoe", kinds=SCREENING).startswith("bovaird2007: exclude (wrong")
    assert [r[0] for r in _rows(session)] == [c.id, c2.id]  # both codings stay
    assert undo(session, "zoe", None) is not None  # `review code undo`: the last coding
    assert [r[0] for r in _rows(session)] == [c.id]
    assert [d[2] for d in _decisions(session)] == ["include"]  # the decision stays undone


def test_undo_and_redo_of_a_decision_a_duplicate_merge_moved(paper):
    """The decision is found where the merge put it (the survivor), whose stored status
    follows; a decision to put back on a record merged since is refused, naming the
    survivor."""
    from review.coding.history import SCREENING
    from review.errors import ReviewError
    from review.screening.decisions import decide
    from review.screening.dedupe.service import merge_keys

    session, rec, _a, _code = paper
    rec.title, rec.year = "Co-production of public services", 2007
    copy = m.Source(key="bovaird2007b", kind="article", title=rec.title, year=2007)
    session.add(copy)
    session.flush()
    decide(session, "zoe", "bovaird2007b", "include")
    decide(session, "zoe", "bovaird2007b", "exclude", reason="wrong outcome")
    survivor = merge_keys(session, ["bovaird2007", "bovaird2007b"]).survivor
    assert survivor == "bovaird2007"  # the record with text
    assert _stored(session, survivor) == "pending"
    what = undo(session, "zoe", kinds=SCREENING)
    assert what.startswith("bovaird2007b: exclude (wrong outcome) taken back, include again")
    assert _decisions(session) == [(rec.id, "title-abstract", "include", None, False)]
    undo(session, "zoe", kinds=SCREENING)  # the first decision: gone from the survivor
    assert _decisions(session) == [] and _stored(session, survivor) == "unscreened"
    with pytest.raises(ReviewError, match="merged into bovaird2007:"):
        redo(session, "zoe", kinds=SCREENING)


# --- steps whose code was merged or deleted since (review.store.actions.codes_gone) -------


@pytest.fixture
def spare(two):
    """`two`, with a code of its own to merge or delete ("Spare", no shortcut)."""
    from review.coding.codebook import add_code

    session, a, b, code = two
    return session, a, b, code, add_code(session, "Spare").id


def _code_gone_rows(session):
    return session.scalars(select(m.Action).where(m.Action.kind == "code-gone")).all()


def test_undo_a_removal_after_a_merge_puts_the_coding_on_the_survivor(spare):
    from review.coding.codebook import merge_codes

    session, a, _b, code, gone = spare
    c = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    remove_coding(session, c.id, "zoe")
    merge_codes(session, gone, code)
    assert len(_code_gone_rows(session)) == 1  # the history knows
    what = undo(session, "zoe", source_id=a.id)
    assert what == (
        f"restored {_named(session, code, 5, 16, c.id)}; coded Spare then, merged into "
        f"{code_path(session, code)} since"
    )
    assert [(r.id, r.code_id) for r in session.scalars(select(m.Coding))] == [(c.id, code)]
    assert redo(session, "zoe", source_id=a.id).startswith("removed")  # and again
    assert _rows(session) == []


def test_redo_an_undone_apply_after_a_merge_codes_the_survivor(spare):
    from review.coding.codebook import merge_codes

    session, a, _b, code, gone = spare
    c = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    assert undo(session, "zoe") == f"removed Spare at 5–16 (coding {c.id})"
    merge_codes(session, "Spare", code)
    what = redo(session, "zoe")
    assert what.startswith(f"re-applied {_named(session, code, 5, 16, c.id)}; coded Spare then")
    assert [(r.id, r.code_id) for r in session.scalars(select(m.Coding))] == [(c.id, code)]


def test_undo_of_an_apply_after_a_merge_removes_the_moved_coding_and_says_so(spare):
    from review.coding.codebook import merge_codes

    session, a, _b, code, gone = spare
    c = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    merge_codes(session, gone, code)
    assert undo(session, "zoe") == (
        f"removed {_named(session, code, 5, 16, c.id)}; coded Spare then, merged into "
        f"{code_path(session, code)} since"
    )
    assert _rows(session) == []


def test_steps_whose_code_was_deleted_are_refused_naming_it_and_leave_no_row(spare):
    from review.coding.codebook import delete_code
    from review.coding.history import Refused

    session, a, _b, code, gone = spare
    first = apply_code(session, source_id=a.id, code_id=code, start=0, end=3, coder="zoe")
    c = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    remove_coding(session, c.id, "zoe")
    delete_code(session, gone)  # no codings left: no --force needed
    what = undo(session, "zoe", source_id=a.id)
    assert isinstance(what, Refused)
    assert what.startswith(
        f"nothing restored: code Spare was deleted from the codebook since coding {c.id} "
        "(Spare at 5–16) was removed; the step is dropped from your history"
    )
    assert [r[0] for r in _rows(session)] == [first.id]  # no coding of a code that is no more
    # the refused step is gone: the next undo takes the one before it, the apply of c (whose
    # code is gone too: refused), then the first coding
    what = undo(session, "zoe", source_id=a.id)
    assert what == (
        "nothing undone: code Spare was deleted from the codebook since you applied it; the "
        "step is dropped from your history (undo again for the one before)"
    )
    assert (
        undo(session, "zoe", source_id=a.id) == f"removed {_named(session, code, 0, 3, first.id)}"
    )
    assert _rows(session) == []


def test_an_apply_whose_code_was_force_deleted_is_refused_and_redo_puts_nothing_back(spare):
    from review.coding.codebook import delete_code
    from review.coding.history import Refused

    session, a, _b, _code, gone = spare
    apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    delete_code(session, gone, force=True)
    what = undo(session, "zoe")
    assert isinstance(what, Refused) and "code Spare was deleted from the codebook" in what
    assert redo(session, "zoe") is None  # nothing was undone: nothing to redo ("0 codings")
    assert undo(session, "zoe") is None
    # undone first, then the code deleted: the redo is refused, not a coding of nothing
    c = apply_code(session, source_id=a.id, code_id=_code, start=5, end=16, coder="zoe")
    assert undo(session, "zoe").startswith("removed")
    delete_code(session, _code, force=True)
    what = redo(session, "zoe")
    assert isinstance(what, Refused) and what.startswith("nothing redone: code ")
    assert f"coding {c.id}" in what and _rows(session) == []


def test_an_apply_a_merge_folded_into_another_coding_is_refused_naming_both(spare):
    from review.coding.codebook import merge_codes
    from review.coding.history import Refused

    session, a, _b, code, gone = spare
    kept = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    folded = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    assert merge_codes(session, gone, code)["duplicates"] == 1
    what = undo(session, "zoe")
    assert isinstance(what, Refused)
    assert f"coding {folded.id} was folded into coding {kept.id} ({code_path(session, code)})" in (
        what
    )
    assert [r[0] for r in _rows(session)] == [kept.id]  # the survivor stays
    assert undo(session, "zoe") == f"removed {_named(session, code, 5, 16, kept.id)}"


def test_a_removal_that_would_repeat_a_coding_after_a_merge_is_refused(spare):
    from review.coding.codebook import merge_codes
    from review.coding.history import Refused

    session, a, _b, code, gone = spare
    other = apply_code(session, source_id=a.id, code_id=code, start=5, end=16, coder="zoe")
    c = apply_code(session, source_id=a.id, code_id=gone, start=5, end=16, coder="zoe")
    remove_coding(session, c.id, "zoe")
    merge_codes(session, gone, code)  # c, put back, would be `other` a second time
    what = undo(session, "zoe")
    assert isinstance(what, Refused) and f"would repeat coding {other.id}" in what
    assert "now that Spare is merged into" in what
    assert [r[0] for r in _rows(session)] == [other.id]


def test_a_rejection_whose_code_was_deleted_is_refused(spare):
    from review.coding.codebook import delete_code
    from review.coding.history import Refused
    from review.coding.suggest import reject_suggestion

    session, a, _b, _code, gone = spare
    sug = m.Suggestion(
        source_id=a.id, code_id=gone, start=5, end=16, quote=TEXT[5:16], trigger=["volunteer"]
    )
    session.add(sug)
    session.flush()
    reject_suggestion(session, sug.id, "zoe")
    delete_code(session, gone)
    what = undo(session, "zoe")
    assert isinstance(what, Refused) and "code Spare was deleted" in what
    assert what.startswith("nothing undone: code Spare was deleted from the codebook since you ")
    assert session.get(m.Suggestion, sug.id) is None


def test_review_code_undo_refuses_a_step_whose_code_was_deleted(ws, cli):
    src = make_source_cli(ws)
    assert cli("-w", ws.root, "codebook", "add", "Spare").code == 0
    r = cli("-w", ws.root, "--coder", "zoe", "code", "apply", src, "Spare", "--span", "5:16")
    assert r.code == 0, r.err
    cid = cli("-w", ws.root, "code", "list", src, "--json").json()["codings"][0]["id"]
    assert cli("-w", ws.root, "--coder", "zoe", "code", "remove", cid).code == 0
    assert cli("-w", ws.root, "codebook", "delete", "Spare").code == 0
    r = cli("-w", ws.root, "--coder", "zoe", "code", "undo")
    assert r.code == 1
    assert r.out.startswith("nothing restored: code Spare was deleted from the codebook")
    r = cli("-w", ws.root, "--coder", "zoe", "code", "undo", "--json")  # the apply: its
    assert r.code == 1 and r.json()["undone"] is None  # code is gone too (refused steps go)
    assert r.json()["refused"].startswith("nothing undone: code Spare was deleted")
    r = cli("-w", ws.root, "--coder", "zoe", "code", "undo", "--json")
    assert r.code == 0 and r.json() == {"undone": None}  # each refused step left the history


def test_review_code_redo_puts_back_what_undo_took_until_a_new_step(ws, cli):
    src = make_source_cli(ws)
    assert cli("-w", ws.root, "codebook", "add", "Spare").code == 0
    r = cli("-w", ws.root, "--coder", "zoe", "code", "apply", src, "Spare", "--span", "5:16")
    assert r.code == 0, r.err

    def listed() -> list[tuple[int, int]]:
        rows = cli("-w", ws.root, "code", "list", src, "--json").json()["codings"]
        return [(c["start"], c["end"]) for c in rows]

    assert cli("-w", ws.root, "--coder", "zoe", "code", "undo").code == 0
    assert listed() == []
    r = cli("-w", ws.root, "--coder", "zoe", "code", "redo", "--json")
    assert r.code == 0 and r.json()["redone"].startswith("re-applied")
    assert listed() == [(5, 16)]
    r = cli("-w", ws.root, "--coder", "zoe", "code", "redo")
    assert r.code == 0 and r.out.strip() == "nothing to redo"
    # an undo, then a new step: the new step ends the redo chain
    assert cli("-w", ws.root, "--coder", "zoe", "code", "undo").code == 0
    r = cli("-w", ws.root, "--coder", "zoe", "code", "apply", src, "Spare", "--span", "0:4")
    assert r.code == 0, r.err
    assert cli("-w", ws.root, "--coder", "zoe", "code", "redo").out.strip() == "nothing to redo"
    assert listed() == [(0, 4)]
    # a redo whose code was deleted since is refused, exit 1, naming the code
    assert cli("-w", ws.root, "--coder", "zoe", "code", "undo").code == 0
    assert cli("-w", ws.root, "codebook", "delete", "Spare").code == 0
    r = cli("-w", ws.root, "--coder", "zoe", "code", "redo", "--json")
    assert r.code == 1 and r.json()["redone"] is None and "Spare" in r.json()["refused"]
    assert "Traceback" not in r.err


def make_source_cli(ws):
    from review.store.db import session_scope

    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
        make_source(s, "fg-a", TEXT)
    return "fg-a"
