"""What keeps `review status` fast stays correct: the schema stamp and the Core counts.

An up-to-date SQLite file is recognised by its `user_version` stamp and not checked again; a
file without the stamp (made by an older version, or by other schema code) gets the full
upgrade. `review.store.status` counts by table name, so its names are checked against the
models, and its counts against the ORM's.
"""

from __future__ import annotations

from sqlalchemy import func, inspect, text
from sqlmodel import SQLModel, select

from review.store import models as m
from review.store.db import make_engine, open_engine, session_scope, sqlite_url
from review.store.migrate import schema_stamp, upgrade
from review.store.status import COUNTED, counts


def _user_version(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("PRAGMA user_version")).scalar()


def test_an_upgraded_file_is_stamped_and_the_stamp_skips_the_check(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "a.db"))
    assert _user_version(engine) == schema_stamp() > 0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE memo"))
    upgrade(engine)  # stamped: nothing is looked at
    assert "memo" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_file_without_the_stamp_gets_the_full_upgrade(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "a.db"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE memo"))
        conn.execute(text("PRAGMA user_version = 0"))  # as an older version leaves it
    engine.dispose()
    engine = make_engine(sqlite_url(tmp_path / "a.db"))
    upgrade(engine)
    assert "memo" in inspect(engine).get_table_names()
    assert _user_version(engine) == schema_stamp()
    engine.dispose()


def test_status_counts_name_real_tables():
    assert set(COUNTED.values()) <= set(SQLModel.metadata.tables)


def test_status_counts_agree_with_the_orm(ws):
    with session_scope(ws.engine) as s:
        batch = m.ImportBatch(path="x.bib", format="bibtex")
        s.add(batch)
        s.flush()
        a = m.Source(kind="article", title="A", key="a", text="", batch_id=batch.id)
        b = m.Source(kind="article", title="A again", key="b", text="", batch_id=batch.id)
        c = m.Source(kind="transcript", title="Group", key="c", text="", batch_id=batch.id)
        s.add_all([a, b, c])
        s.flush()
        b.merged_into_id = a.id
    with session_scope(ws.engine) as s:
        got = counts(s)
        for key, name in COUNTED.items():
            model = next(t for t in vars(m).values() if getattr(t, "__tablename__", None) == name)
            expected = s.exec(select(func.count()).select_from(model)).one()
            if key == "sources":
                expected -= 1  # the merged duplicate
            assert got[key] == expected, key
    assert got["sources"] == 2 and got["sources_by_kind"] == {"article": 1, "transcript": 1}
