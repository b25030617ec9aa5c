"""Opening a workspace made by an older version upgrades it to exactly today's schema.

"Exactly" is Alembic's `compare_metadata` (tables, columns, types, nullability, indexes,
unique and check constraints, foreign keys with their ON DELETE rule) plus what it cannot see
(`tests/schema_compare.py`): after upgrading the first-version file the difference from the
models must be empty, a new database must equal the models too, and leaving any migration out
must leave a difference, so a missing or wrong migration fails here.
"""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from review.store import migrate
from review.store.db import make_engine, open_engine, sqlite_url
from review.store.migrate import applied, available, notes, upgrade
from review.store.migrations import m0001_initial

from .conftest import DATA
from .schema_compare import schema_diff


def _v1_copy(tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(DATA / "schema_v1.db", db)
    return make_engine(sqlite_url(db))


def _ddl(path) -> dict:
    """Every table's and index's CREATE statement (spaces normalised) in a SQLite file."""
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE sql IS NOT NULL AND name <> 'review_migrations'"
    ).fetchall()
    con.close()
    return {(t, n): re.sub(r"\s+", " ", s).strip() for t, n, s in rows}


def test_first_migration_is_a_literal_snapshot_of_the_v1_file(tmp_path):
    """m0001 writes, statement for statement, the schema the first version wrote."""
    engine = make_engine(sqlite_url(tmp_path / "m0001.db"))
    with engine.begin() as conn:
        m0001_initial.upgrade(Operations(MigrationContext.configure(conn)), conn)
    engine.dispose()
    want = _ddl(DATA / "schema_v1.db")
    assert len(want) == 55  # 20 tables and 35 indexes in the v1 file
    assert _ddl(tmp_path / "m0001.db") == want


def test_v1_database_upgrades_to_exactly_the_models_and_keeps_rows(tmp_path):
    engine = _v1_copy(tmp_path)
    with engine.connect() as conn:
        assert applied(conn) == {"0001_initial"}
    ran = upgrade(engine)
    assert ran == [mid for mid, _ in available() if mid != "0001_initial"]
    with engine.connect() as conn:
        assert schema_diff(conn) == []
        assert applied(conn) == {mid for mid, _ in available()}
        assert notes(conn) == []  # the v1 rows fit every new rule as they are
        assert conn.execute(text("select count(*) from source")).scalar() == 1
        quote, start, end, body, coder = conn.execute(
            text(
                'select c.quote, c.start, c."end", s.text, d.name from coding c '
                "join source s on s.id = c.source_id join coder d on d.id = c.coder_id"
            )
        ).one()
        assert body[start:end] == quote and coder == "alice"
        # the FTS index was back-filled from the existing passage
        hits = (
            conn.execute(text("select rowid from passage_fts where passage_fts match 'together'"))
            .scalars()
            .all()
        )
        assert hits == [1]
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # set back after
    assert upgrade(engine) == []  # idempotent
    engine.dispose()


def test_a_new_database_equals_the_models(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "fresh.db"))
    with engine.connect() as conn:
        assert schema_diff(conn) == []
        assert applied(conn) == {mid for mid, _ in available()}
    engine.dispose()


LATER = [mid for mid, _ in available() if mid not in ("0001_initial", "0002_passage_fts")]


@pytest.mark.parametrize("left_out", LATER)
def test_leaving_out_any_migration_leaves_a_difference(tmp_path, monkeypatch, left_out):
    """The comparison has teeth: without any one migration the upgraded file is not the
    models' schema (so a model change without its migration fails the test above)."""
    everything = available()
    monkeypatch.setattr(migrate, "available", lambda: [x for x in everything if x[0] != left_out])
    engine = _v1_copy(tmp_path)
    upgrade(engine)
    with engine.connect() as conn:
        assert schema_diff(conn) != []
    engine.dispose()
