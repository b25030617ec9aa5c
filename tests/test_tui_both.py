"""The workbench on both databases: the same pilot on a SQLite file and on PostgreSQL — every
screen opens on the coded sample project, a code key codes the sentence under the cursor (in
the database), undo takes it back, and no screen raised an error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review.store import models as m
from review.store.db import session_scope
from tests.test_tui_reader import _code_with_shortcut
from tests.tui_helpers import add_transcript, running, sentences, settle

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _codings(ws) -> int:
    with session_scope(ws.engine) as s:
        return s.execute(select(func.count()).select_from(m.Coding)).scalar_one()


async def test_every_screen_and_a_coding_on_either_database(ws):
    sid = add_transcript(ws)
    errors: list[str] = []
    async with running(ws, size=(120, 40)) as (app, pilot):
        original = app.notify

        def notify(message, *args, **kwargs):  # every error toast is the test's failure
            if kwargs.get("severity") == "error":
                errors.append(str(message))
            return original(message, *args, **kwargs)

        app.notify = notify
        for spec in app.specs:
            await app.action_go(spec.name)
            await settle(app, pilot)
            assert app.current_mode == spec.name
        app.open_source(sid)
        await settle(app, pilot)
        before = _codings(ws)
        await pilot.press("down", "2")
        await settle(app, pilot)
        assert _codings(ws) == before + 1
        with session_scope(ws.engine) as s:
            coding = s.execute(select(m.Coding).order_by(m.Coding.id.desc())).scalars().first()
            assert (coding.start, coding.end) == sentences(ws, sid)[1]
            assert coding.code_id == _code_with_shortcut(ws, "2")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert _codings(ws) == before
    assert errors == []
