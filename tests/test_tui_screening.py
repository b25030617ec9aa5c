"""The Screening screen with a colleague at work on the same workspace: their decisions show
up at the workbench's two-second check, and a conflict they resolved a moment before is never
resolved over by accident. Found by a tester with root and bob each in their own workbench."""

from __future__ import annotations

from textual.widgets import DataTable

from review.screening import decisions as screening
from review.store.db import session_scope
from tests.tui_helpers import add_literature, running, screen_text, settle, until

KEY = "rec0001"


def _decide(ws, coder: str, key: str, decision: str, reason: str | None = None, **kw) -> None:
    """A decision by another process (a colleague's workbench, `review screen decide`)."""
    with session_scope(ws.engine, write=True) as s:
        screening.decide(s, coder, key, decision, reason=reason, **kw)


def _resolution(ws, key: str) -> dict | None:
    with session_scope(ws.engine) as s:
        return next(it for it in screening.queue(s, "root") if it["key"] == key)["resolution"]


def _record(screen) -> str:
    return " ".join(screen_text(screen.query_one("#screen-record")).split())


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _poll(app, pilot) -> None:
    """What the two-second timer does: look for writes by others, and refresh."""
    app._poll()
    await settle(app, pilot)
    await settle(app, pilot)


async def test_resolving_a_conflict_a_colleague_resolved_since_is_refused_first(ws):
    add_literature(ws, 3)
    _decide(ws, "root", KEY, "include")
    _decide(ws, "bob", KEY, "exclude", "wrong outcome")
    ws.coder = "root"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        app._changed_elsewhere = lambda: None  # no refresh: root's screen as the tester's
        screen = app.screen
        await pilot.press("c")
        await settle(app, pilot)
        assert screen.current()["key"] == KEY and screen.current()["status"] == "conflict"
        # meanwhile bob, in his workbench, resolves it as an exclusion
        _decide(ws, "bob", KEY, "exclude", "wrong outcome", final=True)
        await pilot.press("i")  # root, from a screen still showing the conflict
        await settle(app, pilot)
        bobs = {"coder": "bob", "decision": "exclude", "reason": "wrong outcome"}
        assert _resolution(ws, KEY) == bobs  # refused: bob's resolution stands
        assert _toasts(app)[-1] == (
            f"{KEY} is already resolved by bob: exclude (wrong outcome) — press i again to "
            "change it"
        )
        # the record stays on view (no longer a conflict), as it is now
        assert screen.current()["key"] == KEY
        assert f"{KEY} · status exclude" in _record(screen)
        assert "final: bob: exclude (wrong outcome)" in _record(screen)
        await pilot.press("i")  # again, having seen it: deliberately replaced
        await settle(app, pilot)
        assert _resolution(ws, KEY) == {"coder": "root", "decision": "include", "reason": None}
        assert screen.items == []  # no conflict left
        assert "resolving 0 conflict(s)" in screen_text(screen.query_one("#screen-progress"))


async def test_the_screen_follows_a_colleagues_decisions_at_the_two_second_check(ws):
    add_literature(ws, 3)
    _decide(ws, "bob", KEY, "exclude", "wrong outcome")
    ws.coder = "root"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        screen = app.screen
        await pilot.press("down")  # the record bob decided
        await settle(app, pilot)
        assert screen.current()["key"] == KEY
        top = screen.query_one("#screen-progress")
        assert screen_text(top).rstrip().endswith("0 conflict(s)")
        assert f"{KEY} · status pending" in _record(screen)
        # ann decides it the other way, in her workbench: a conflict root has not decided
        _decide(ws, "ann", KEY, "include")
        await _poll(app, pilot)
        await until(pilot, lambda: "1 conflict(s)" in screen_text(top))
        assert screen_text(top).rstrip().endswith("1 conflict(s)")
        assert screen.query_one("#screen-conflicts", DataTable).row_count == 1
        assert screen.current()["key"] == KEY  # the same record on view, its status now
        assert f"{KEY} · status conflict" in _record(screen)
        assert "others: bob: exclude (wrong outcome); ann: include" in _record(screen)
        # root resolves the conflicts; bob resolves the one on view in his workbench
        await pilot.press("c")
        await settle(app, pilot)
        assert screen.current()["key"] == KEY
        _decide(ws, "bob", KEY, "exclude", "wrong outcome", final=True)
        await _poll(app, pilot)
        await until(pilot, lambda: "resolving 0 conflict(s)" in screen_text(top))
        assert screen.query_one("#screen-conflicts", DataTable).row_count == 0
        # the record stays on view (not the next conflict under root's next key), resolved
        assert screen.current()["key"] == KEY
        assert f"{KEY} · status exclude" in _record(screen)
        assert "final: bob: exclude (wrong outcome)" in _record(screen)
        assert _toasts(app)[-1] == f"{KEY} was just resolved by bob: exclude (wrong outcome)"
        # shown by the refresh, not yet by root's own doing: the key already on its way
        # does not replace it; the next one does
        await pilot.press("i")
        await settle(app, pilot)
        assert _resolution(ws, KEY)["coder"] == "bob"
        assert "press i again to change it" in _toasts(app)[-1]
        await pilot.press("i")
        await settle(app, pilot)
        assert _resolution(ws, KEY) == {"coder": "root", "decision": "include", "reason": None}
