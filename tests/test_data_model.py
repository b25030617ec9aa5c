"""The data model tells the truth: ids are never reused, memos and evidence links are foreign
keys with a stated rule for when their target goes, and uniqueness rules are constraints the
database itself enforces (raw SQL included), on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from review.coding.codebook import add_code, delete_code, merge_codes
from review.coding.codings import add_memo, apply_code, memos
from tests.test_coding_helpers import make_source


def _raw(session, sql: str, **params):
    """Raw SQL inside a savepoint, so a refused statement leaves the session usable."""
    with session.begin_nested():
        return session.execute(text(sql), params)


# --- ids -------------------------------------------------------------------------------------


def test_id_of_a_deleted_last_row_is_not_handed_out_again(session):
    first = add_code(session, "Alpha")
    last = add_code(session, "Beta")
    delete_code(session, last.id)
    again = add_code(session, "Gamma")
    assert again.id > last.id > first.id
    # the same through raw SQL: the database, not the application, hands out ids
    _raw(session, "DELETE FROM code WHERE id = :i", i=again.id)
    _raw(session, "INSERT INTO code (name, keywords, position, codable) VALUES ('D', '[]', 9, 1)")
    newest = session.execute(text("SELECT max(id) FROM code")).scalar()
    assert newest > again.id


# --- memos -----------------------------------------------------------------------------------


def test_a_deleted_codes_memo_never_turns_up_on_a_new_code(session):
    gone = add_code(session, "Trust")
    add_memo(session, target="code", target_id=gone.id, text="about trust", coder="ann")
    add_memo(session, target="project", target_id=None, text="the project", coder="ann")
    delete_code(session, gone.id)
    # rule: a memo goes with the code it is about (ON DELETE CASCADE)
    assert [v.text for v in memos(session)] == ["the project"]
    fresh = add_code(session, "Distrust")
    assert memos(session, "code", fresh.id) == []
    assert session.execute(text("SELECT count(*) FROM memo")).scalar() == 1


def test_a_deleted_codes_memo_goes_even_when_deleted_by_raw_sql(session):
    code = add_code(session, "Trust")
    add_memo(session, target="code", target_id=code.id, text="about trust", coder="ann")
    _raw(session, "DELETE FROM code WHERE id = :i", i=code.id)
    assert session.execute(text("SELECT count(*) FROM memo")).scalar() == 0


def test_a_memo_cannot_point_at_nothing_or_at_two_things(session):
    src = make_source(session, "fg1", "Ann: hello there.")
    code = add_code(session, "Trust")
    stamp = "'2026-01-01', '2026-01-01'"
    with pytest.raises(IntegrityError):  # a code that does not exist
        _raw(
            session,
            f"INSERT INTO memo (code_id, text, created, updated) VALUES (999, 'x', {stamp})",
        )
    with pytest.raises(IntegrityError):  # a source and a code at once
        _raw(
            session,
            "INSERT INTO memo (code_id, source_id, text, created, updated) "
            f"VALUES (:c, :s, 'x', {stamp})",
            c=code.id,
            s=src.id,
        )


def test_merging_codes_moves_their_memos_to_the_survivor(session):
    gone, keep = add_code(session, "Trust"), add_code(session, "Confidence")
    add_memo(session, target="code", target_id=gone.id, text="about trust", coder="ann")
    merge_codes(session, gone.id, keep.id)
    assert [(v.target, v.target_id, v.text) for v in memos(session, "code")] == [
        ("code", keep.id, "about trust")
    ]


def test_memo_views_keep_their_target_names(session):
    src = make_source(session, "fg1", "Ann: hello there.")
    code = add_code(session, "Trust")
    coding = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=3, coder="ann")
    add_memo(session, target="source", target_id=src.id, text="on the source", coder="ann")
    add_memo(session, target="code", target_id=code.id, text="on the code", coder="ann")
    add_memo(session, target="coding", target_id=coding.id, text="on the coding", coder="ann")
    add_memo(session, target="project", target_id=None, text="on the project", coder="ann")
    got = {(v.target, v.target_id, v.text) for v in memos(session)}
    assert got == {
        ("source", src.id, "on the source"),
        ("code", code.id, "on the code"),
        ("coding", coding.id, "on the coding"),
        ("project", None, "on the project"),
    }
    assert [v.text for v in memos(session, "source", src.id)] == ["on the source"]
    assert [v.text for v in memos(session, "project")] == ["on the project"]
