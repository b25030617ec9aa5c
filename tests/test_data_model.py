"""The data model tells the truth: ids are never reused, memos and evidence links are foreign
keys with a stated rule for when their target goes, and uniqueness rules are constraints the
database itself enforces (raw SQL included), on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from review.coding.codebook import add_code, delete_code, merge_codes
from review.coding.codings import add_memo, apply_code
from review.coding.memos import memos
from review.store import models as m
from tests.test_coding_helpers import make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")


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
    _raw(
        session,
        "INSERT INTO code (name, keywords, position, codable) VALUES ('D', '[]', 9, true)",
    )
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


def test_own_memo_is_the_coders_newest_on_that_code_only(session):
    from review.coding.memos import own_memo

    trust, other = add_code(session, "Trust"), add_code(session, "Confidence")
    assert own_memo(session, "code", trust.id, "ann") is None
    add_memo(session, target="code", target_id=trust.id, text="ann's first", coder="ann")
    add_memo(session, target="code", target_id=trust.id, text="ann's second", coder="ann")
    add_memo(session, target="code", target_id=trust.id, text="bob's", coder="bob")
    add_memo(session, target="code", target_id=other.id, text="ann elsewhere", coder="ann")
    assert own_memo(session, "code", trust.id, "ann").text == "ann's second"
    assert own_memo(session, "code", trust.id, "bob").text == "bob's"
    assert own_memo(session, "code", trust.id, "cy") is None


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


# --- evidence links --------------------------------------------------------------------------


def _indicator(session, name="Share who recycle") -> m.Indicator:
    ind = m.Indicator(name=name, sector="Local environment", value=61.0)
    session.add(ind)
    session.flush()
    return ind


def _coded(session):
    src = make_source(session, "fg1", "Ann: we all recycle on our street.")
    code = add_code(session, "Co-delivery")
    coding = apply_code(session, source_id=src.id, code_id=code.id, start=5, end=20, coder="ann")
    return src, code, coding


def test_links_go_with_the_coding_code_or_indicator_they_tie(session):
    from review.evidence.links import link, list_links

    _, code, coding = _coded(session)
    ind, other = _indicator(session), _indicator(session, "Share who volunteer")
    link(session, ind.id, coding_id=coding.id)
    link(session, ind.id, code=code.id)
    link(session, other.id, code=code.id)
    # rule: ON DELETE CASCADE from each end, even when the row goes by raw SQL
    _raw(session, "DELETE FROM coding WHERE id = :i", i=coding.id)
    assert [(ln["indicator_id"], ln["coding_id"]) for ln in list_links(session)] == [
        (ind.id, None),
        (other.id, None),
    ]
    _raw(session, "DELETE FROM indicator WHERE id = :i", i=other.id)
    assert [ln["indicator_id"] for ln in list_links(session)] == [ind.id]
    _raw(session, "DELETE FROM code WHERE id = :i", i=code.id)
    assert list_links(session) == []


def test_a_link_needs_exactly_one_target_and_exists_once(session):
    _, code, coding = _coded(session)
    ind = _indicator(session)
    insert = (
        "INSERT INTO evidencelink (indicator_id, code_id, coding_id, relation, created) "
        "VALUES (:i, :c, :d, 'supports', '2026-01-01')"
    )
    with pytest.raises(IntegrityError):  # neither a code nor a coding
        _raw(session, insert, i=ind.id, c=None, d=None)
    with pytest.raises(IntegrityError):  # both
        _raw(session, insert, i=ind.id, c=code.id, d=coding.id)
    _raw(session, insert, i=ind.id, c=code.id, d=None)
    with pytest.raises(IntegrityError):  # the same tie twice
        _raw(session, insert, i=ind.id, c=code.id, d=None)
    _raw(session, insert, i=ind.id, c=None, d=coding.id)
    with pytest.raises(IntegrityError):
        _raw(session, insert, i=ind.id, c=None, d=coding.id)


# --- indicators ------------------------------------------------------------------------------


def test_a_pending_source_key_is_a_column_not_a_pattern_in_the_note(session):
    from review.evidence.indicators import parse_rows, relink_sources, store_rows

    parsed = parse_rows(
        [
            ["Indicator", "Value", "Source", "Note"],
            ["Recycling", "61", "loeffler2008", "weighted"],
            # a note a person wrote that only looks like the old hidden marker
            ["Volunteering", "20", "", "source: bovaird2015 (not in workspace)"],
        ]
    )
    store_rows(session, parsed.rows, None)
    rows = session.exec(select(m.Indicator).order_by(m.Indicator.id)).all()
    assert [(i.pending_source, i.note) for i in rows] == [
        ("loeffler2008", "weighted"),
        (None, "source: bovaird2015 (not in workspace)"),
    ]
    for key in ("loeffler2008", "bovaird2015"):
        session.add(m.Source(key=key, kind="report"))
    session.flush()
    assert [key for _, key in relink_sources(session)] == ["loeffler2008"]
    session.expire_all()
    rows = session.exec(select(m.Indicator).order_by(m.Indicator.id)).all()
    assert [(i.source_id is not None, i.pending_source, i.note) for i in rows] == [
        (True, None, "weighted"),
        (False, None, "source: bovaird2015 (not in workspace)"),
    ]


# --- participants ----------------------------------------------------------------------------


def test_a_participants_scope_is_a_column_and_names_are_unique_within_it(cli, ws, tmp_path):
    for key in ("fg-a", "fg-b"):
        (tmp_path / f"{key}.txt").write_text(f"P1: Hello from {key}.\nJane Smith: Hi.\n", "utf-8")
    res = cli("-w", ws.root, "import", tmp_path / "fg-a.txt", tmp_path / "fg-b.txt", "--json")
    assert res.code == 0, res.err
    from review.store.db import session_scope

    with session_scope(ws.engine) as s:
        rows = s.execute(
            text(
                "SELECT p.name, s.key FROM participant p LEFT JOIN source s ON s.id = p.scope_id "
                "ORDER BY p.name, s.key"
            )
        ).all()
        assert [tuple(r) for r in rows] == [("Jane Smith", None), ("P1", "fg-a"), ("P1", "fg-b")]
        a = s.execute(text("SELECT id FROM source WHERE key = 'fg-a'")).scalar()
        insert = "INSERT INTO participant (name, scope_id, created) VALUES (:n, :s, '2026-01-01')"
        with pytest.raises(IntegrityError):  # a second P1 in fg-a
            _raw(s, insert, n="P1", s=a)
        with pytest.raises(IntegrityError):  # a second unscoped Jane Smith (NULL scope)
            _raw(s, insert, n="Jane Smith", s=None)
        with pytest.raises(IntegrityError):  # a source with speakers cannot just vanish
            _raw(s, "DELETE FROM source WHERE id = :i", i=a)
    # people see and type scoped participants as before
    shown = [p["name"] for p in cli("-w", ws.root, "participants", "--json").json()["participants"]]
    assert shown == ["Jane Smith", "P1 @ fg-a", "P1 @ fg-b"]
    done = cli("-w", ws.root, "participants", "set", "P1 @ fg-b", "area=Eastbridge", "--json")
    assert done.code == 0 and done.json()["participant"] == "P1 @ fg-b"
    done = cli("-w", ws.root, "participants", "alias", "Speaker 9 @ fg-b", "P1 @ fg-b", "--json")
    assert done.code == 0, done.err
    people = {
        p["name"]: p for p in cli("-w", ws.root, "participants", "--json").json()["participants"]
    }
    assert people["P1 @ fg-b"]["attributes"]["area"] == "Eastbridge"
    assert people["P1 @ fg-b"]["aliases"] == ["Speaker 9 @ fg-b"]
    assert "area" not in people["P1 @ fg-a"]["attributes"]
    with session_scope(ws.engine) as s:
        alias = s.execute(
            text("SELECT a.alias, s.key FROM participantalias a JOIN source s ON s.id = a.scope_id")
        ).all()
        assert [tuple(r) for r in alias] == [("Speaker 9", "fg-b")]


# --- codes -----------------------------------------------------------------------------------

CODE = "INSERT INTO code (parent_id, name, shortcut, keywords, position, codable) "
CODE += "VALUES (:p, :n, :k, '[]', 0, true)"


def test_sibling_codes_never_share_a_name_even_by_raw_sql(session):
    top = add_code(session, "Trust")
    with pytest.raises(IntegrityError):  # top level: a NULL parent still collides
        _raw(session, CODE, p=None, n="Trust", k=None)
    with pytest.raises(IntegrityError):  # ignoring case, as `rename` and `move` always did
        _raw(session, CODE, p=None, n="TRUST", k=None)
    _raw(session, CODE, p=top.id, n="Trust", k=None)  # a child may share its parent's name
    with pytest.raises(IntegrityError):
        _raw(session, CODE, p=top.id, n="trust", k=None)
    other = add_code(session, "Barriers")
    _raw(session, CODE, p=other.id, n="Trust", k=None)  # another parent: fine


def test_one_shortcut_names_one_code_even_by_raw_sql(session):
    add_code(session, "Trust", shortcut="t")
    _raw(session, CODE, p=None, n="Cost", k=None)
    _raw(session, CODE, p=None, n="Fear", k=None)  # many codes without a key
    with pytest.raises(IntegrityError):
        _raw(session, CODE, p=None, n="Time", k="t")


def test_the_services_refuse_what_the_constraints_forbid_with_a_message(session):
    from review.coding.codebook import CodebookError, parse_toml
    from review.errors import UsageError

    drivers = add_code(session, "Drivers")
    add_code(session, "Drivers/Trust")
    with pytest.raises(UsageError, match="already exists"):
        add_code(session, "drivers/TRUST")
    barriers = add_code(session, "Barriers")
    add_code(session, "Barriers/trust")
    with pytest.raises(UsageError, match="already has a child named 'trust'"):
        merge_codes(session, barriers.id, drivers.id)
    with pytest.raises(CodebookError, match="duplicate path"):
        parse_toml('[[codes]]\npath = "A"\n[[codes]]\npath = "a"\n')
