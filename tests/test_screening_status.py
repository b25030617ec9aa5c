"""The stored screening status (`source.screening_status`, m0012) always equals the status the
decisions give, whatever changed them: decisions and re-decisions, conflicts and their
resolution, full text, the number of reviewers, a duplicate merge and its undo, deleting a
source. Runs on SQLite and, with REVIEW_TEST_POSTGRES_URL, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from review.coding import library
from review.coding.library import LibraryFilter
from review.ingest.mend import delete_sources
from review.screening import decisions as d
from review.screening.dedupe import service as dedupe
from review.store import models as m
from review.store.db import session_scope
from review.store.migrations import m0012_source_status
from tests.tui_helpers import add_literature, add_transcript

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _stored(s) -> dict[str, str]:
    return dict(s.exec(select(m.Source.key, m.Source.screening_status)).all())


def _computed(s) -> dict[str, str]:
    """The status from the decisions, by the rule in Python (`outcomes`)."""
    ft, ta = d.outcomes(s, "full-text"), d.outcomes(s, "title-abstract")
    out = {}
    for sid, key in s.exec(select(m.Source.id, m.Source.key)).all():
        out[key] = d.latest_status(ta.get(sid), ft.get(sid))
    return out


def _check(ws) -> dict[str, str]:
    with session_scope(ws.engine) as s:
        stored = _stored(s)
        assert stored == _computed(s)
        by_sql = dict(s.exec(select(m.Source.key, d.computed_status_sql(s))).all())
        assert stored == by_sql
        return stored


def test_stored_status_follows_every_change(ws):
    add_literature(ws, 8)  # rec0000 … rec0007
    add_transcript(ws)
    seen: set[str] = set()
    with session_scope(ws.engine) as s:
        d.decide(s, "ann", "rec0000", "include")
        d.decide(s, "bob", "rec0000", "include")  # agreed
        d.decide(s, "ann", "rec0001", "include")
        d.decide(s, "bob", "rec0001", "exclude")  # conflict
        d.decide(s, "ann", "rec0002", "maybe")  # pending (one of two)
        d.decide(s, "ann", "rec0003", "exclude", reason="wrong population")
        d.decide(s, "bob", "rec0003", "exclude", reason="wrong outcome")  # reasons differ
        d.decide(s, "ann", "rec0004", "maybe")
        d.decide(s, "bob", "rec0004", "maybe")
    seen |= set(_check(ws).values())
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source.screening_status).where(m.Source.key == "rec0001")).one() == (
            "conflict"
        )
        d.resolve(s, "cat", "rec0001", "include", "title-abstract")  # conflict settled
        d.decide(s, "bob", "rec0002", "exclude")  # changed from pending to conflict
        d.decide(s, "ann", "rec0002", "exclude")  # re-decided: now agreed
        d.decide(s, "ann", "rec0000", "include", stage="full-text")  # full text: pending
        d.decide(s, "ann", "rec0004", "maybe", stage="full-text")
        d.decide(s, "bob", "rec0004", "maybe", stage="full-text")  # maybe at full text: conflict
    seen |= set(_check(ws).values())
    with session_scope(ws.engine) as s:
        d.set_required_reviewers(s, 1)  # one reviewer: what was pending is decided
    seen |= set(_check(ws).values())
    assert seen >= {"unscreened", "pending", "include", "exclude", "maybe", "conflict"}
    with session_scope(ws.engine) as s:
        d.set_required_reviewers(s, 2)
        d.decide(s, "ann", "rec0005", "include")
        d.decide(s, "bob", "rec0006", "exclude")
    _check(ws)

    # A merge moves the decisions to the survivor; its undo moves them back.
    with session_scope(ws.engine) as s:
        merge = dedupe.merge_keys(s, ["rec0005", "rec0006"], coder="ann")
    stored = _check(ws)
    assert stored[merge.survivor] == "conflict"  # ann's include and bob's exclude
    assert stored[merge.merged[0]] == "unscreened"  # its decision went with the merge
    with session_scope(ws.engine) as s:
        dedupe.undo(s, merge.cluster)
    stored = _check(ws)
    assert stored["rec0005"] == stored["rec0006"] == "pending"

    # Deleting a survivor leaves the records merged into it standing alone, unscreened.
    with session_scope(ws.engine) as s:
        merge = dedupe.merge_keys(s, ["rec0005", "rec0007"], coder="ann")
        survivor = s.exec(select(m.Source).where(m.Source.key == merge.survivor)).one()
        delete_sources(s, [survivor.id])
    stored = _check(ws)
    assert merge.survivor not in stored
    assert stored[merge.merged[0]] == "unscreened"


def test_library_filters_by_the_stored_status(ws):
    add_literature(ws, 4)
    add_transcript(ws)
    with session_scope(ws.engine) as s:
        for coder in ("ann", "bob"):
            d.decide(s, coder, "rec0000", "include")
        d.decide(s, "ann", "rec0001", "include")
        d.decide(s, "bob", "rec0001", "exclude")
    with session_scope(ws.engine) as s:

        def keys(status):
            return [r.key for r in library.page(s, LibraryFilter(status=status)).rows]

        assert keys("include") == ["rec0000"]
        assert keys("conflict") == ["rec0001"]
        assert keys("unscreened") == ["rec0002", "rec0003"]  # never the transcript
        rows = library.page(s).rows
        assert {r.key: r.status for r in rows if r.kind == "transcript"} == {"fg-north": ""}
        d.resolve(s, "cat", "rec0001", "exclude", "title-abstract")
        assert keys("conflict") == [] and keys("exclude") == ["rec0001"]


def test_the_migration_fills_the_status_from_the_decisions(ws):
    """m0012's frozen copy of the rule gives what today's rule gives."""
    add_literature(ws, 6)
    with session_scope(ws.engine) as s:
        d.decide(s, "ann", "rec0000", "include")
        d.decide(s, "bob", "rec0000", "include")
        d.decide(s, "ann", "rec0001", "include")
        d.decide(s, "bob", "rec0001", "exclude")
        d.decide(s, "ann", "rec0002", "exclude", reason="wrong population")
        d.decide(s, "bob", "rec0002", "exclude", reason="wrong outcome")
        d.decide(s, "ann", "rec0003", "maybe")
        d.resolve(s, "cat", "rec0001", "exclude", "title-abstract")
        d.decide(s, "ann", "rec0000", "include", stage="full-text")
        d.decide(s, "bob", "rec0000", "maybe", stage="full-text")
        expected = _stored(s)
    assert set(expected.values()) >= {"conflict", "exclude", "pending", "unscreened"}
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE source SET screening_status = 'unscreened'"))
        assert m0012_source_status.backfill(conn) == 4
    with session_scope(ws.engine) as s:
        assert _stored(s) == expected
        d.set_required_reviewers(s, 1)
        expected = _stored(s)
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE source SET screening_status = 'unscreened'"))
        m0012_source_status.backfill(conn)
    with session_scope(ws.engine) as s:
        assert _stored(s) == expected == _computed(s)


def test_two_reviewers_deciding_at_once_leave_the_right_status(ws, db_backend):
    """On the team's server two reviewers decide the same record at the same moment: the
    second waits for the first (a row lock on the record), so the status stored last is
    worked out from both decisions, not from its own alone."""
    import threading

    from sqlmodel import Session

    if db_backend != "postgres":
        pytest.skip("SQLite has one writer at a time: nothing runs at once")
    add_literature(ws, 1)
    with session_scope(ws.engine) as s:
        d.decide(s, "ann", "rec0000", "maybe")  # both coders exist before the race
        d.decide(s, "bob", "rec0000", "maybe")
    first = Session(ws.engine)
    d.decide(first, "ann", "rec0000", "include")  # not committed yet

    def second() -> None:
        with session_scope(ws.engine) as s:
            d.decide(s, "bob", "rec0000", "include")

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)  # it waits on the record's lock while the first is open
    first.commit()
    first.close()
    thread.join(10)
    assert not thread.is_alive()
    assert _check(ws)["rec0000"] == "include"


def test_a_merge_keeps_one_decision_per_reviewer(ws):
    """Two copies of one work, each screened by both reviewers, merged: the survivor keeps one
    decision per reviewer and stage (its own), and the copy's stay with the copy, so the
    outcome and the stored status read the same decisions; undo puts every one back.
    Before, both moved: ann had an include and an exclude on one record, the stored status
    counted two kinds ("conflict") while `outcomes` took the later one ("exclude")."""
    add_literature(ws, 2)
    with session_scope(ws.engine) as s:
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0000", "include")
            d.decide(s, who, "rec0001", "exclude", reason="wrong outcome")
        merge = dedupe.merge_keys(s, ["rec0000", "rec0001"], coder="ann")
    stored = _check(ws)
    with session_scope(ws.engine) as s:
        survivor = s.exec(select(m.Source).where(m.Source.key == merge.survivor)).one()
        rows = s.exec(
            select(m.ScreeningDecision.coder_id, m.ScreeningDecision.decision).where(
                m.ScreeningDecision.source_id == survivor.id
            )
        ).all()
        own = "include" if merge.survivor == "rec0000" else "exclude"
        assert sorted(r[1] for r in rows) == [own, own]  # one each, the survivor's own
    assert stored[merge.survivor] == own
    with session_scope(ws.engine) as s:
        dedupe.undo(s, merge.cluster)
    stored = _check(ws)
    assert stored == {"rec0000": "include", "rec0001": "exclude"}


def test_a_full_text_outcome_counts_only_while_title_abstract_passes(ws):
    """Reviewers who re-decide a record at title/abstract after reading it in full take it
    out: its full-text decisions no longer count (it is not eligible there), so the Library's
    status, the included rule and PRISMA all say excluded. Before, the stored status kept the
    full-text 'include' of a record excluded at title/abstract. Likewise a record whose
    title/abstract outcome is open again (a second reviewer now required) awaits that
    decision: a full-text exclusion made meanwhile does not take it out."""
    from review.screening.prisma import prisma

    add_literature(ws, 2)
    with session_scope(ws.engine) as s:
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0000", "include")
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0000", "include", stage="full-text")
        for who in ("ann", "bob"):  # both change their minds at title/abstract
            d.decide(s, who, "rec0000", "exclude", reason="wrong outcome")
        d.set_required_reviewers(s, 1)
        d.decide(s, "ann", "rec0001", "include")
        d.decide(s, "ann", "rec0001", "exclude", stage="full-text", reason="wrong outcome")
        d.set_required_reviewers(s, 2)  # rec0001 waits for bob at title/abstract again
    stored = _check(ws)
    assert stored == {"rec0000": "exclude", "rec0001": "pending"}
    with session_scope(ws.engine) as s:
        ids = dict(s.exec(select(m.Source.key, m.Source.id)).all())
        assert d.included_source_ids(s) == [ids["rec0001"]]  # awaiting: in provisionally
        doc = prisma(s)
    assert doc["screening"]["records_excluded"] == 1
    assert doc["screening"]["awaiting_screening"] == 1
    assert doc["eligibility"]["reports_sought"] == 0
    assert doc["included"]["studies"] == 0
    assert all(doc["checks"].values())


def test_an_older_database_gets_its_stale_statuses_worked_out_again(ws):
    """A workspace written before the rule above kept the statuses the old rule gave (the
    full-text 'include' of a record since excluded at title/abstract; a status on a record
    whose decisions a merge moved away). Opening it with this version runs m0014, which sets
    every status by today's rule and notes each change; opening it again changes nothing."""
    from review.store.migrate import upgrade

    add_literature(ws, 5)
    add_transcript(ws)
    with session_scope(ws.engine) as s:
        for stage, decision in (("title-abstract", "include"), ("full-text", "include")):
            for who in ("ann", "bob"):
                d.decide(s, who, "rec0000", decision, stage=stage)
                d.decide(s, who, "rec0001", "include", stage="title-abstract")
        for who in ("ann", "bob"):
            d.decide(s, who, "rec0000", "exclude", reason="wrong outcome")  # taken out
            d.decide(s, who, "rec0001", "exclude", stage="full-text", reason="wrong outcome")
        d.decide(s, "ann", "rec0002", "maybe")
        d.decide(s, "ann", "rec0003", "exclude", reason="wrong population")
        d.decide(s, "bob", "rec0003", "exclude", reason="Wrong  population")  # one reason
    expected = _check(ws)
    assert expected["rec0000"] == "exclude" and expected["rec0001"] == "exclude"
    assert expected["rec0003"] == "exclude"  # the reason is stored as the list names it
    old = {"rec0000": "include", "rec0004": "exclude"}  # what the old rule left stored
    with ws.engine.begin() as conn:
        for key, status in old.items():
            conn.execute(
                text("UPDATE source SET screening_status = :s WHERE key = :k"),
                {"s": status, "k": key},
            )
        conn.execute(text("DELETE FROM review_migrations WHERE id = '0014_screening_status_rule'"))
        if ws.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA user_version = 0")
        else:
            conn.execute(text("DELETE FROM review_schema_stamp"))
    assert upgrade(ws.engine) == ["0014_screening_status_rule"]
    assert _check(ws) == expected
    with ws.engine.connect() as conn:
        notes = conn.execute(
            text("SELECT note FROM review_migration_note WHERE migration = :m ORDER BY id"),
            {"m": "0014_screening_status_rule"},
        ).scalars()
        assert list(notes) == [
            "screening status of 1 record worked out again from the decisions: "
            "exclude -> unscreened (rec0004)",
            "screening status of 1 record worked out again from the decisions: "
            "include -> exclude (rec0000)",
        ]
    assert upgrade(ws.engine) == []
