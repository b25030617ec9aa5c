"""The storage layer: models round-trip, pragmas are really on, transactions hold."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from review.store import models as m
from review.store.db import make_engine, session_scope, sqlite_url

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.mark.backends("sqlite")  # the SQLite file itself
def test_pragmas_are_on(ws):
    with ws.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA page_size")).scalar() == 8192


def test_models_round_trip(ws):
    with session_scope(ws.engine) as s:
        coder = m.Coder(name="alice")
        src = m.Source(
            key="bovaird2015",
            title="Activating collective co-production",
            authors=["Bovaird, Tony", "Loeffler, Elke"],
            year=2015,
            keywords=["co-production", "nudge"],
            record={"ENTRYTYPE": "article", "title": "{Activating} collective"},
            text="Café 😀 together\nline two",
        )
        parent = m.Code(name="Four Cs", codable=False)
        s.add_all([coder, src, parent])
        s.flush()
        child = m.Code(name="Co-design", parent_id=parent.id, keywords=["design"])
        s.add(child)
        s.flush()
        s.add(
            m.Coding(
                source_id=src.id, code_id=child.id, start=5, end=6, quote="😀", coder_id=coder.id
            )
        )
    with session_scope(ws.engine) as s:
        got = s.exec(select(m.Source)).one()
        assert got.authors == ["Bovaird, Tony", "Loeffler, Elke"]
        assert got.record["title"] == "{Activating} collective"
        coding = s.exec(select(m.Coding)).one()
        assert got.text[coding.start : coding.end] == coding.quote == "😀"
        code = s.get(m.Code, coding.code_id)
        assert s.get(m.Code, code.parent_id).name == "Four Cs"


def test_foreign_keys_enforced(ws):
    with pytest.raises(IntegrityError):
        with session_scope(ws.engine) as s:
            s.add(m.Coding(source_id=999, code_id=999, start=0, end=1, quote="x"))


def test_failed_transaction_leaves_nothing(ws):
    with pytest.raises(RuntimeError):
        with session_scope(ws.engine) as s:
            s.add(m.Source(key="a", title="A"))
            s.flush()
            raise RuntimeError("crash mid-import")
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source)).all() == []


def test_savepoint_rolls_back_one_record(ws):
    """Per-record savepoints (how imports keep good records) work on SQLite."""
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="good", title="Good"))
        s.flush()
        try:
            with s.begin_nested():
                s.add(m.Source(key="good", title="duplicate key"))
                s.flush()
        except IntegrityError:
            pass
        s.add(m.Source(key="also-good", title="Also good"))
    with session_scope(ws.engine) as s:
        assert sorted(x.key for x in s.exec(select(m.Source))) == ["also-good", "good"]


@pytest.mark.backends("sqlite")  # the SQLite file itself
def test_second_process_writes_are_not_lost(ws, tmp_path):
    """Two engines on one file (CLI while the TUI is open): both writes land."""
    other = make_engine(sqlite_url(ws.root / "review.db"))
    with session_scope(ws.engine) as s1:
        s1.add(m.Coder(name="one"))
        s1.flush()
        with session_scope(other) as s2:
            assert s2.exec(select(m.Coder)).all() == []  # not yet committed: isolation
    with session_scope(other) as s2:
        s2.add(m.Coder(name="two"))
    with session_scope(ws.engine) as s:
        assert sorted(c.name for c in s.exec(select(m.Coder))) == ["one", "two"]
    other.dispose()
