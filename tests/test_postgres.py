"""The same models and migrations on PostgreSQL: upgrade from the first schema, a new database,
and the rules of the data model, on a throw-away database of a real server.

Runs when REVIEW_TEST_POSTGRES_URL names a server database to connect to for creating others
(e.g. postgresql+psycopg://postgres@127.0.0.1/postgres) and a driver is installed; skipped
otherwise. On PostgreSQL ids come from sequences (SERIAL), so nothing is ever reused.
"""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from review.store.db import make_engine, open_engine, session_scope
from review.store.migrate import applied, applied_table, available, notes, upgrade
from review.store.migrations import m0001_initial

from .schema_compare import schema_diff

URL = os.environ.get("REVIEW_TEST_POSTGRES_URL")
if not URL:
    pytest.skip(
        "REVIEW_TEST_POSTGRES_URL is not set (no PostgreSQL server)", allow_module_level=True
    )
pytest.importorskip("psycopg", reason="no PostgreSQL driver (pip install 'psycopg[binary]')")


@pytest.fixture
def pg_url():
    """A new, empty database; dropped afterwards."""
    name = f"review_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


V1_ROWS = """
INSERT INTO coder (name, created) VALUES ('alice', now());
INSERT INTO source ("key", kind, title, authors, year, keywords, record, meta, text, created)
VALUES ('bovaird2015', 'article', 'Activating collective co-production', '[]', 2015, '[]',
  '{}', '{}', 'Moderator: Who recycles?' || chr(10) || 'Ann: We all do it together.', now());
INSERT INTO code (name, keywords, position, codable, shortcut)
  VALUES ('Co-delivery', '[]', 0, true, 'd'), ('co-delivery', '[]', 1, true, 'd');
INSERT INTO passage (source_id, start, "end", kind, speaker)
VALUES (1, 0, 24, 'turn', 'Moderator'), (1, 30, 52, 'turn', 'Ann');
INSERT INTO coding (source_id, code_id, start, "end", quote, coder_id, origin, created)
VALUES (1, 1, 30, 52, 'We all do it together.', 1, 'manual', now());
INSERT INTO memo (target, target_id, coder_id, text, created, updated)
VALUES ('code', 1, 1, 'on the code', now(), now()), ('code', 99, 1, 'orphan', now(), now());
INSERT INTO indicator (name, value, note) VALUES ('Recycling', 61,
  'source: smith2020 (not in workspace)');
INSERT INTO evidencelink (indicator_id, code_id, relation, created)
VALUES (1, 1, 'supports', now()), (1, 1, 'supports', now());
INSERT INTO participant (name, role, created) VALUES ('P1 @ bovaird2015', 'participant', now());
"""


def test_first_schema_upgrades_to_exactly_the_models(pg_url):
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        m0001_initial.upgrade(Operations(MigrationContext.configure(conn)), conn)
        applied_table.create(conn)
        conn.execute(applied_table.insert().values(id="0001_initial", applied=text("now()")))
        for statement in filter(str.strip, V1_ROWS.split(";\n")):
            conn.execute(text(statement))
    assert upgrade(engine) == [mid for mid, _ in available() if mid != "0001_initial"]
    with engine.connect() as conn:
        assert schema_diff(conn) == []
        assert applied(conn) == {mid for mid, _ in available()}
        q = lambda sql: [tuple(r) for r in conn.execute(text(sql)).all()]  # noqa: E731
        assert q("SELECT code_id, text FROM memo ORDER BY id") == [
            (1, "on the code"),
            (None, "orphan"),
        ]
        assert q("SELECT name, shortcut FROM code ORDER BY id") == [
            ("Co-delivery", "d"),
            ("co-delivery (2)", None),
        ]
        assert q("SELECT pending_source, note FROM indicator") == [("smith2020", None)]
        assert q("SELECT count(*) FROM evidencelink") == [(1,)]
        assert q("SELECT name, scope_id FROM participant") == [("P1", 1)]
        assert len(notes(conn)) == 4  # orphan memo, repeated link, twin code, shared key
        # m0009 indexed the passages already there, so the search finds them
        assert q("SELECT rowid, text FROM passage_fts ORDER BY rowid") == [
            (1, "Moderator: Who recycles?"[:24]),
            (2, "We all do it together."),
        ]
    with session_scope(engine) as s:
        from review.coding.search import search

        assert [h.passage_id for h in search(s, "TOGETHER")] == [2]
    assert upgrade(engine) == []
    engine.dispose()


def test_a_new_database_equals_the_models(pg_url):
    engine = open_engine(pg_url)
    with engine.connect() as conn:
        assert schema_diff(conn) == []
    engine.dispose()


def test_services_and_rules_on_postgresql(pg_url, tmp_path):
    from review.coding.codebook import add_code, delete_code
    from review.coding.codings import add_memo, apply_code
    from review.coding.memos import memos
    from review.evidence.links import link, list_links
    from review.ingest.participants import listing, resolve_speakers
    from review.store import models as m

    engine = open_engine(pg_url)
    with session_scope(engine) as s:
        src = m.Source(key="fg1", kind="transcript", text="P1: We all recycle on our street.")
        s.add(src)
        s.flush()
        resolve_speakers(s, src, [("P1", None)])
        trust = add_code(s, "Trust")
        add_memo(s, target="code", target_id=trust.id, text="about trust", coder="ann")
        code = add_code(s, "Co-delivery")
        coding = apply_code(s, source_id=src.id, code_id=code.id, start=4, end=20, coder="ann")
        ind = m.Indicator(name="Recycling", value=61.0)
        s.add(ind)
        s.flush()
        link(s, ind.id, coding_id=coding.id)
        link(s, ind.id, coding_id=coding.id, relation="explains")  # updates, one row
        assert [ln["relation"] for ln in list_links(s)] == ["explains"]
        last = trust.id
        delete_code(s, trust.id)
        assert memos(s, "code") == []  # cascaded with its code
        assert add_code(s, "Distrust").id > last  # a sequence never goes back
        assert [p["name"] for p in listing(s)] == ["P1 @ fg1"]
    with session_scope(engine) as s:
        with pytest.raises(IntegrityError):
            with s.begin_nested():
                s.execute(
                    text(
                        "INSERT INTO code (name, keywords, position, codable) "
                        "VALUES ('DISTRUST', '[]', 0, true)"
                    )
                )
        s.execute(text("DELETE FROM coding"))
        assert list_links(s) == []  # the link went with its coding
    engine.dispose()


def test_a_newer_schema_on_the_server_is_refused_with_the_versions(pg_url):
    """A team member on an older build must not "upgrade" what a newer build wrote."""
    from review.errors import ReviewError

    engine = open_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(applied_table.insert().values(id="9999_future", applied=text("now()")))
        conn.execute(text("DELETE FROM review_schema_stamp"))
    engine.dispose()
    engine = make_engine(pg_url)
    with pytest.raises(ReviewError, match="newer version of review .*9999_future"):
        upgrade(engine)
    with engine.connect() as conn:  # nothing changed
        assert "9999_future" in applied(conn)
    engine.dispose()
