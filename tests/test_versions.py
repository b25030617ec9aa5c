"""A stale edit of a code or a memo is a conflict that names who changed it, never a silent
overwrite; every change bumps the version and records who made it (on both databases)."""

from __future__ import annotations

import pytest

from review.coding.codebook import add_code, find_code, move_code, rename_code
from review.coding.codings import add_memo
from review.coding.memos import edit_memo, memos
from review.errors import ConflictError
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


def as_coder(ws, name):
    """A write session for `name`, as the CLI's and the workbench's sessions are."""
    scope = session_scope(ws.engine, write=True)
    s = scope.__enter__()
    s.info["coder"] = name
    return scope, s


def test_a_stale_code_edit_names_who_changed_it(ws):
    with session_scope(ws.engine, write=True) as s:
        add_code(s, "Barriers")
        code = add_code(s, "Barriers/Red tape")
        seen = code.version  # what ann's form was opened with
        assert seen == 1
    scope, bob = as_coder(ws, "bob")
    rename_code(bob, "Barriers/Red tape", "Bureaucracy")
    scope.__exit__(None, None, None)
    with session_scope(ws.engine, write=True) as s:
        s.info["coder"] = "ann"
        with pytest.raises(ConflictError, match=r"changed by bob at \d\d:\d\d.*reload"):
            rename_code(s, "Barriers/Bureaucracy", "Paperwork", expected_version=seen)
        with pytest.raises(ConflictError, match="changed by bob"):
            move_code(s, "Barriers/Bureaucracy", None, expected_version=seen)
        code = find_code(s, "Barriers/Bureaucracy")
        assert (code.version, code.updated_by) == (2, "bob")  # refused edits changed nothing
        rename_code(s, "Barriers/Bureaucracy", "Paperwork", expected_version=code.version)
    with session_scope(ws.engine) as s:
        code = find_code(s, "Barriers/Paperwork")
        assert (code.version, code.updated_by) == (3, "ann")
        assert code.updated is not None


def test_a_stale_memo_edit_is_refused_and_a_fresh_one_goes_through(ws):
    with session_scope(ws.engine, write=True) as s:
        src = m.Source(key="fg1", kind="transcript", title="FG 1", text="Ann: hello")
        s.add(src)
        s.flush()
        memo = add_memo(s, target="source", target_id=src.id, text="first", coder="ann")
    assert memo.version == 1
    with session_scope(ws.engine, write=True) as s:
        s.info["coder"] = "bob"
        edit_memo(s, "source", memo.id, "bob's\nsecond line", expected_version=1)
    with session_scope(ws.engine, write=True) as s:
        with pytest.raises(ConflictError, match="memo .* changed by bob"):
            edit_memo(s, "source", memo.id, "ann's overwrite", expected_version=1)
    with session_scope(ws.engine) as s:
        (view,) = memos(s, "source", src.id)
        assert (view.text, view.version) == ("bob's\nsecond line", 2)


def test_only_real_changes_bump_the_version(ws):
    with session_scope(ws.engine, write=True) as s:
        ind = m.Indicator(name="Recycling", value=61)
        s.add(ind)
        s.flush()
        iid = ind.id
    with session_scope(ws.engine, write=True) as s:
        ind = s.get(m.Indicator, iid)
        ind.value = 61  # the same value: no change
        s.flush()
        assert ind.version == 1
        ind.value = 62
        s.flush()
        assert ind.version == 2
