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


# (0002 and 0009 make the full-text index, outside the models: 0009 only on PostgreSQL, where
# tests/test_postgres.py checks it.)
SEARCH_INDEX = ("0002_passage_fts", "0009_passage_search_postgres", "0011_search_log")
# migrations that change rows only (tests/test_screening_status.py checks 0014,
# tests/test_source_keys.py 0015), and those a
# left-out migration takes with it (0014 works out the statuses 0012's column holds)
DATA_ONLY = ("0014_screening_status_rule", "0015_source_key_nfc")
NEEDS = {"0012_source_status": ("0014_screening_status_rule",)}
LATER = [
    mid
    for mid, _ in available()
    if mid != "0001_initial" and mid not in SEARCH_INDEX and mid not in DATA_ONLY
]


@pytest.mark.parametrize("left_out", LATER)
def test_leaving_out_any_migration_leaves_a_difference(tmp_path, monkeypatch, left_out):
    """The comparison has teeth: without any one migration the upgraded file is not the
    models' schema (so a model change without its migration fails the test above)."""
    everything = available()
    gone = {left_out, *NEEDS.get(left_out, ())}
    monkeypatch.setattr(migrate, "available", lambda: [x for x in everything if x[0] not in gone])
    engine = _v1_copy(tmp_path)
    upgrade(engine)
    with engine.connect() as conn:
        assert schema_diff(conn) != []
    engine.dispose()


def test_old_rows_that_break_the_new_rules_are_resolved_and_reported(tmp_path):
    """A v1 file with the states the old model allowed: memos on gone or reused ids, links
    to nothing or repeated, a key hidden in a note, scopes hidden in names, twin codes."""
    db = tmp_path / "old.db"
    shutil.copy(DATA / "schema_v1.db", db)
    con = sqlite3.connect(db)
    now = "2026-11-29 10:00:00"
    con.executescript(
        f"""
        INSERT INTO code (id, name, keywords, position, codable, shortcut)
          VALUES (2, 'co-delivery', '[]', 1, 1, 'd'), (3, 'Trust', '[]', 2, 1, 'd');
        INSERT INTO memo (id, target, target_id, coder_id, text, created, updated) VALUES
          (1, 'code', 1, 1, 'on code 1', '{now}', '{now}'),
          (2, 'code', 99, 1, 'on a code since deleted', '{now}', '{now}'),
          (3, 'source', 1, 1, 'on the source', '{now}', '{now}'),
          (4, 'project', NULL, 1, 'on the project', '{now}', '{now}'),
          (5, 'coding', 1, 1, 'on the coding', '{now}', '{now}');
        INSERT INTO indicator (id, name, value, note) VALUES
          (1, 'Recycling', 61, 'weighted; source: smith2020 (not in workspace)'),
          (2, 'Volunteering', 20, NULL);
        INSERT INTO evidencelink (id, indicator_id, code_id, coding_id, relation, note, created)
          VALUES (1, 1, 1, NULL, 'supports', 'first', '{now}'),
                 (2, 1, 1, NULL, 'supports', 'second', '{now}'),
                 (3, 1, NULL, NULL, 'explains', 'its coding was removed', '{now}'),
                 (4, 2, 1, 1, 'context', NULL, '{now}');
        INSERT INTO participant (id, name, role, created) VALUES
          (1, 'P1 @ bovaird2015', 'participant', '{now}'),
          (2, 'P2 @ ghost', 'participant', '{now}'),
          (3, 'Ann Smith', 'participant', '{now}');
        INSERT INTO participantalias (id, alias, participant_id) VALUES
          (1, 'Ann @ bovaird2015', 3);
        """
    )
    con.commit()
    con.close()
    engine = make_engine(sqlite_url(db))
    upgrade(engine)
    with engine.connect() as conn:
        assert schema_diff(conn) == []
        q = lambda sql: [tuple(r) for r in conn.execute(text(sql)).all()]  # noqa: E731
        assert q("SELECT id, source_id, code_id, text FROM memo ORDER BY id") == [
            (1, None, 1, "on code 1"),
            (2, None, None, "on a code since deleted"),  # kept, as a project memo
            (3, 1, None, "on the source"),
            (4, None, None, "on the project"),
        ]
        assert q("SELECT memo FROM coding WHERE id = 1") == [("on the coding",)]
        assert q("SELECT id, indicator_id, code_id, coding_id, note FROM evidencelink") == [
            (1, 1, 1, None, "first; second"),
            (4, 2, None, 1, None),
        ]
        assert q("SELECT id, note, pending_source FROM indicator ORDER BY id") == [
            (1, "weighted", "smith2020"),
            (2, None, None),
        ]
        assert q("SELECT id, name, scope_id FROM participant ORDER BY id") == [
            (1, "P1", 1),
            (2, "P2 @ ghost", None),
            (3, "Ann Smith", None),
        ]
        assert q("SELECT alias, scope_id FROM participantalias") == [("Ann", 1)]
        assert q("SELECT id, name, shortcut FROM code ORDER BY id") == [
            (1, "Co-delivery", None),
            (2, "co-delivery (2)", "d"),
            (3, "Trust", None),
        ]
        said = notes(conn)
        text_of = "\n".join(f"{mid}: {note}" for mid, note in said)
        for expected in (
            "0004_memo_targets: memo 2 was on code 99, which no longer exists",
            "0004_memo_targets: memo 5 on coding 1 moved into that coding's memo",
            "0005_evidence_links: evidence link 4 named a code and a coding: kept the coding",
            "0005_evidence_links: evidence link 3 pointed at nothing and was removed: ",
            '"note": "its coding was removed"',
            "0005_evidence_links: evidence link(s) 2 repeated link 1: merged into it",
            "0007_participant_scope: participant 2 'P2 @ ghost': no source 'ghost'",
            "0008_code_names: code 2 'co-delivery' had the name of its sibling code 1",
            "0008_code_names: code 3 'Trust' lost shortcut 'd', already code 2's",
        ):
            assert expected in text_of, (expected, text_of)
        assert len(said) == 8
    engine.dispose()


def test_ids_are_not_reused_after_the_upgrade(tmp_path):
    """The v1 file's coding 1 is its last row: deleted, its id is not given to the next one."""
    engine = _v1_copy(tmp_path)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM coding WHERE id = 1"))
        conn.execute(
            text(
                'INSERT INTO coding (source_id, code_id, start, "end", quote, origin, created) '
                "VALUES (1, 1, 30, 36, 'We all', 'manual', '2026-12-01')"
            )
        )
        assert conn.execute(text("SELECT id FROM coding")).scalars().all() == [2]
    engine.dispose()
