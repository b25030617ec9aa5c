"""Opening a workspace made by an older version upgrades it without losing rows."""

from __future__ import annotations

import shutil

from sqlalchemy import inspect, text

from review.store.db import make_engine, open_engine, sqlite_url
from review.store.migrate import applied, available, upgrade

from .conftest import DATA


def _schema(engine):
    insp = inspect(engine)
    return {
        t: sorted(c["name"] for c in insp.get_columns(t))
        for t in insp.get_table_names()
        if not t.startswith("passage_fts")
    }


def test_v1_database_upgrades_and_keeps_rows(tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(DATA / "schema_v1.db", db)
    engine = make_engine(sqlite_url(db))
    with engine.connect() as conn:
        assert applied(conn) == {"0001_initial"}
    ran = upgrade(engine)
    assert ran == [mid for mid, _ in available() if mid != "0001_initial"]
    assert ran, "there is at least one migration after the first version"
    with engine.connect() as conn:
        assert applied(conn) == {mid for mid, _ in available()}
        assert conn.execute(text("select count(*) from source")).scalar() == 1
        quote, start, end, body = conn.execute(
            text(
                'select c.quote, c.start, c."end", s.text from coding c '
                "join source s on s.id = c.source_id"
            )
        ).one()
        assert body[start:end] == quote
        # the FTS index was back-filled from the existing passage
        hits = (
            conn.execute(text("select rowid from passage_fts where passage_fts match 'together'"))
            .scalars()
            .all()
        )
        assert hits == [1]
    fresh = open_engine(sqlite_url(tmp_path / "fresh.db"))
    assert _schema(engine) == _schema(fresh)
    assert upgrade(engine) == []  # idempotent
    engine.dispose()
    fresh.dispose()
