"""Two resolvers on one conflict: a resolution made from an older view of the record is
refused, never a silent overwrite of a colleague's resolution (a stale-write check in
`review.screening.decisions.decide`, used by the Screening screen and `review screen
resolve`). Found by a tester: root and bob each resolved `briefing2008fad` in their own
workbench, bob a moment before root, and bob's resolution was gone without a word."""

from __future__ import annotations

import pytest

from review.errors import ConflictError
from review.screening import decisions as d
from review.store.db import session_scope
from tests.tui_helpers import add_literature

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _conflict(ws, key: str = "rec0000") -> str:
    """`key` in conflict at title/abstract: root includes, bob excludes (wrong outcome)."""
    with session_scope(ws.engine, write=True) as s:
        d.decide(s, "root", key, "include")
        d.decide(s, "bob", key, "exclude", reason="wrong outcome")
    return key


def _item(ws, viewer: str, key: str) -> dict:
    """`key` as `viewer`'s screen shows it now."""
    with session_scope(ws.engine) as s:
        return next(it for it in d.queue(s, viewer) if it["key"] == key)


def _seen(ws, viewer: str, key: str) -> d.Resolution | None:
    """The resolution `viewer`'s screen shows on `key` now (what they would decide from)."""
    return d.resolution_of(_item(ws, viewer, key))


def _final(ws, key: str) -> tuple[str, dict | None]:
    """The record's status and its resolution (who, what, why)."""
    item = _item(ws, "root", key)
    return (item["status"], item["resolution"])


def test_a_resolution_from_an_older_view_is_refused_naming_who_resolved_it(ws):
    add_literature(ws, 3)
    key = _conflict(ws)
    # root's and bob's screens list the conflict, unresolved (what a resolution is made from
    # unless the caller says otherwise)
    assert _final(ws, key) == ("conflict", None)
    with session_scope(ws.engine, write=True) as s:  # bob resolves first
        d.decide(s, "bob", key, "exclude", reason="wrong outcome", final=True)
    with pytest.raises(ConflictError) as refused, session_scope(ws.engine, write=True) as s:
        d.decide(s, "root", key, "include", final=True)  # root, from the conflict he saw
    assert str(refused.value) == f"{key} is already resolved by bob: exclude (wrong outcome)"
    assert refused.value.exit_code == 1  # the CLI's "input" exit code
    assert isinstance(refused.value, d.AlreadyResolved)
    bobs = {"coder": "bob", "decision": "exclude", "reason": "wrong outcome"}
    assert _final(ws, key) == ("exclude", bobs)  # nothing written: bob's resolution stands
    # root has now seen bob's resolution: replacing it is deliberate, and allowed
    root_saw = _seen(ws, "root", key)
    assert root_saw == ("bob", "exclude", "wrong outcome")
    with session_scope(ws.engine, write=True) as s:
        d.decide(s, "root", key, "include", final=True, seen_final=root_saw)
    assert _final(ws, key) == ("include", {"coder": "root", "decision": "include", "reason": None})
    # bob, changing his resolution from his screen before that, is refused in turn (the
    # message says what he saw there)
    with pytest.raises(d.AlreadyResolved) as refused, session_scope(ws.engine, write=True) as s:
        d.resolve(s, "bob", key, "maybe", "title-abstract",
                  seen_final=("bob", "exclude", "wrong outcome"))  # fmt: skip
    assert str(refused.value) == (
        f"{key} is already resolved by root: include (you saw bob: exclude (wrong outcome))"
    )
    # asked for explicitly (`review screen resolve --force`): whatever stands is replaced
    with session_scope(ws.engine, write=True) as s:
        d.resolve(s, "bob", key, "maybe", "title-abstract", seen_final=d.ANY_RESOLUTION)
    assert _final(ws, key)[0] == "maybe"


def test_only_someone_elses_resolution_is_guarded(ws):
    """One's own resolution may be changed from any view (it is one's own work that goes),
    and a reviewer's own (non-final) decision is never checked: it replaces only their row,
    whatever happened to the record meanwhile."""
    add_literature(ws, 3)
    key = _conflict(ws)
    with session_scope(ws.engine, write=True) as s:
        d.resolve(s, "cat", key, "include", "title-abstract")
    with session_scope(ws.engine, write=True) as s:  # cat again, from the same old view
        d.resolve(s, "cat", key, "exclude", "title-abstract", "wrong outcome", seen_final=None)
    assert _final(ws, key) == (
        "exclude",
        {"coder": "cat", "decision": "exclude", "reason": "wrong outcome"},
    )
    with session_scope(ws.engine, write=True) as s:  # bob re-decides his side: not checked
        d.decide(s, "bob", key, "include")
        d.decide(s, "ann", "rec0001", "include")
        d.decide(s, "bob", "rec0001", "exclude")  # a status that changed under bob: no loss
    assert _final(ws, key)[0] == "exclude"  # cat's resolution still settles it


def test_review_screen_resolve_refuses_a_colleagues_resolution_unless_forced(ws, cli):
    add_literature(ws, 3)
    key = _conflict(ws)
    other = _conflict(ws, "rec0001")
    w = ("-w", ws.root)
    res = cli(*w, "--coder", "bob", "screen", "resolve", "exclude", key, "-r", "wrong outcome")
    assert res.code == 0, res.err
    # root resolves both from the conflict list read before: all or none, and none it is
    res = cli(*w, "--coder", "root", "screen", "resolve", "include", other, key)
    assert res.code == 1
    assert res.err.strip() == (
        f"review: error: {key} is already resolved by bob: exclude (wrong outcome); "
        "--force replaces their resolution"
    ), res.err
    assert _final(ws, other) == ("conflict", None)  # the other key was not resolved either
    assert _final(ws, key)[1]["coder"] == "bob"
    res = cli(*w, "--coder", "root", "screen", "resolve", "include", other, key, "--force")
    assert res.code == 0, res.err
    assert _final(ws, key) == ("include", {"coder": "root", "decision": "include", "reason": None})
    assert _final(ws, other)[0] == "include"
    # changing one's own resolution needs no --force
    res = cli(*w, "--coder", "root", "screen", "resolve", "exclude", key, "-r", "wrong outcome")
    assert res.code == 0, res.err
