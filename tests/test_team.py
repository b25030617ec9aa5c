"""Team mode: push a workspace to a server and pull it back, losslessly and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import add_memo, apply_code
from review.store import models as m
from review.store.db import open_engine, session_scope
from review.store.transfer import checksum, copy_database, row_counts, tables
from review.store.workspace import init

REPO = Path(__file__).resolve().parents[1]


def _filled(ws, cli) -> None:
    """The sample corpus, the codebook, codings by two coders, a memo, a merged record."""
    assert cli("-w", ws.root, "import", REPO / "corpus").code in (0, 1)
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
        src = s.exec(select(m.Source).where(m.Source.kind == "transcript")).first()
        code = find_code(s, "Four Cs/Co-design")
        for who in ("ann", "bob"):
            apply_code(s, source_id=src.id, code_id=code.id, start=0, end=40, coder=who)
        add_memo(s, target="code", target_id=code.id, text="first line\nsecond line", coder="ann")
    bib = ws.root / "dup.bib"
    entry = "title={Same work}, author={Doe, J}, year={2010}, journal={J}, doi={10.1/x}"
    bib.write_text(f"@article{{a1, {entry}}}\n@article{{a2, {entry}}}\n", "utf-8")
    assert cli("-w", ws.root, "import", bib).code in (0, 1)
    assert cli("-w", ws.root, "dedupe", "--apply").code == 0


def _fingerprint(engine) -> dict[str, tuple[int, str]]:
    with engine.connect() as conn:
        return {t.name: checksum(conn, t) for t in tables()}


def test_copy_is_checked_table_by_table_and_ids_are_kept(ws, cli, tmp_path):
    _filled(ws, cli)
    target = open_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    checks = copy_database(ws.engine, target)
    assert all(c.ok for c in checks) and {c.table for c in checks} == {t.name for t in tables()}
    assert _fingerprint(ws.engine) == _fingerprint(target)
    with session_scope(target) as s:  # the copy is a working workspace: ids continue after
        merged = s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all()
        assert merged and all(s.get(m.Source, x.merged_into_id) for x in merged)
        before = s.exec(select(m.Coder.id)).all()
        s.add(m.Coder(name="new person"))
        s.flush()
        assert s.exec(select(m.Coder.id).where(m.Coder.name == "new person")).one() > max(before)
    target.dispose()


def test_a_target_with_rows_is_refused(ws, cli, tmp_path):
    _filled(ws, cli)
    other, _ = init(tmp_path / "other")
    assert cli("-w", other.root, "import", REPO / "corpus" / "literature").code == 0
    res = cli("-w", ws.root, "push", f"sqlite:///{other.root / 'review.db'}")
    assert res.code == 1 and "is not empty" in res.err
    res = cli("-w", other.root, "pull", f"sqlite:///{ws.root / 'review.db'}")
    assert res.code == 1 and "this workspace's database is not empty" in res.err
    other.close()


def test_a_failed_copy_leaves_the_target_without_rows(ws, cli, tmp_path, monkeypatch):
    _filled(ws, cli)
    import review.store.transfer as transfer

    target = open_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    real = transfer.checksum

    def damaged(conn, table):  # the target's copy of one table reads back differently
        n, digest = real(conn, table)
        if table.name == "coding" and conn.engine is target:
            return n, "0" * 64
        return n, digest

    monkeypatch.setattr(transfer, "checksum", damaged)
    with pytest.raises(Exception, match="differs from the original in coding"):
        copy_database(ws.engine, target)
    with target.connect() as conn:
        assert not any(row_counts(conn).values())
    target.dispose()


def test_push_then_pull_through_postgresql_is_identical(ws, cli, tmp_path, postgres_server):
    _filled(ws, cli)
    name, url = postgres_server.new_empty()
    try:
        res = cli("-w", ws.root, "push", url, "--json")
        assert res.code == 0, res.err
        report = res.json()["tables"]
        assert all(t["ok"] for t in report) and sum(t["rows"] for t in report) > 900
        back, _ = init(tmp_path / "back")
        res = cli("-w", back.root, "pull", url, "--json")
        assert res.code == 0, res.err
        assert _fingerprint(ws.engine) == _fingerprint(back.engine)
        # and the pulled workspace works: search, a new coding gets a new id
        assert cli("-w", back.root, "search", "bins").code == 0
        engine = create_engine(url)
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM coding")).scalar_one()
        engine.dispose()
        with ws.engine.connect() as conn:  # the sample coding and the test's two
            assert n == conn.execute(text("SELECT count(*) FROM coding")).scalar_one() > 2
        back.close()
    finally:
        postgres_server.drop(name)


def test_merge_brings_the_other_coders_work_once(ws, cli, tmp_path):
    other, _ = init(tmp_path / "bob")  # a second coder's copy of the same corpus
    for w in (ws, other):
        assert cli("-w", w.root, "import", REPO / "corpus" / "transcripts").code in (0, 1)
    key = "fg1_community_safety"
    assert cli("-w", ws.root, "--coder", "ann", "code", "apply", key, "Co-design",
               "--span", "0:40").code == 0  # fmt: skip
    assert cli("-w", other.root, "--coder", "bob", "code", "apply", key, "Co-design",
               "--span", "0:40").code == 0  # fmt: skip
    assert cli("-w", other.root, "codebook", "add", "Drivers/Neighbourliness").code == 0
    assert cli("-w", other.root, "--coder", "bob", "code", "apply", key, "Neighbourliness",
               "--span", "10:60", "--memo", "bob's note").code == 0  # fmt: skip
    # a project memo, a code the two copies define differently, a source only Bob has
    with session_scope(other.engine) as s:
        add_memo(s, target="project", target_id=None, text="line one\nline two", coder="bob")
        find_code(s, "Four Cs/Co-design").definition = "Bob's own wording"
    extra = tmp_path / "extra.txt"
    extra.write_text("Moderator: Hello?\nZed: Only in Bob's copy.\n", "utf-8")
    assert cli("-w", other.root, "import", extra).code == 0

    res = cli("-w", ws.root, "merge", other.root, "--json")
    assert res.code == 0, res.err
    report = res.json()
    assert report["codings_added"] == 2 and report["codings_repeated"] == 0
    assert report["memos_added"] == 1
    assert report["codes_added"] == ["Drivers/Neighbourliness"]
    assert any("Four Cs/Co-design" in c and "definition" in c for c in report["conflicts"])
    assert any(k.startswith("extra ") for k in report["missing_sources"])
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Coding, m.Coder.name).join(m.Coder)).all()
        by = sorted((name, c.start, c.end, c.memo) for c, name in rows)
        assert by == [("ann", 0, 40, None), ("bob", 0, 40, None), ("bob", 10, 60, "bob's note")]
        assert find_code(s, "Four Cs/Co-design").definition != "Bob's own wording"
        memo = s.exec(select(m.Memo).where(m.Memo.text == "line one\nline two")).one()
        assert memo.source_id is None and memo.code_id is None
    again = cli("-w", ws.root, "merge", other.root, "--json").json()
    assert again["codings_added"] == 0 and again["codings_repeated"] == 2
    assert again["memos_added"] == 0 and again["codes_added"] == []
    agreement = cli("-w", ws.root, "agreement", "--coders", "ann", "bob", "--json").json()
    assert agreement["sources"] == 1
    other.close()


def test_blind_coding_shows_each_coder_only_their_own(ws, cli):
    assert cli("-w", ws.root, "import", REPO / "corpus" / "transcripts").code in (0, 1)
    key = "fg1_community_safety"
    for who, span in (("ann", "0:40"), ("bob", "50:90")):
        res = cli("-w", ws.root, "--coder", who, "code", "apply", key, "Co-design", "--span", span)
        assert res.code == 0, res.err

    def seen(who: str) -> list[tuple[int, int]]:
        res = cli("-w", ws.root, "--coder", who, "code", "list", key, "--json")
        return [(c["start"], c["end"]) for c in res.json()["codings"]]

    assert seen("ann") == [(0, 40), (50, 90)]  # off by default
    assert cli("-w", ws.root, "code", "blind", "on").code == 0
    assert seen("ann") == [(0, 40)] and seen("bob") == [(50, 90)]
    # the team compares: agreement sees both coders' work whatever the setting
    res = cli("-w", ws.root, "agreement", "--coders", "ann", "bob", "--json")
    assert res.code == 0 and res.json()["sources"] == 1
    assert cli("-w", ws.root, "code", "blind", "off").code == 0
    assert seen("bob") == [(0, 40), (50, 90)]


async def test_the_reader_hides_other_coders_when_blind(ws, cli):
    from review.tui import document

    assert cli("-w", ws.root, "import", REPO / "corpus" / "transcripts").code in (0, 1)
    key = "fg1_community_safety"
    for who, span in (("ann", "0:40"), ("bob", "50:90")):
        assert cli("-w", ws.root, "--coder", who, "code", "apply", key, "Co-design",
                   "--span", span).code == 0  # fmt: skip
    assert cli("-w", ws.root, "code", "blind", "on").code == 0
    with session_scope(ws.engine) as s:
        sid = s.exec(select(m.Source.id).where(m.Source.key == key)).one()
        ann = document.load(s, sid, viewer="ann")
        assert [(c.start, c.end, c.coder) for c in ann.codings] == [(0, 40, "ann")]
        everyone = document.load(s, sid)
        assert len(everyone.codings) == 2


def test_on_a_server_the_role_is_the_coder(tmp_path, monkeypatch):
    from review.store.workspace import Workspace, server_role

    monkeypatch.delenv("REVIEW_CODER", raising=False)
    assert server_role("postgresql+psycopg://ann:pw@db.example/review") == "ann"
    assert server_role(f"sqlite:///{tmp_path}/x.db") is None
    (tmp_path / "corpus").mkdir()
    url = "postgresql+psycopg://bob@db.example/review"
    assert Workspace.open(tmp_path, db=url).coder == "bob"
    assert Workspace.open(tmp_path, db=url, coder="carol").coder == "carol"
    monkeypatch.setenv("REVIEW_CODER", "dave")
    assert Workspace.open(tmp_path, db=url).coder == "dave"


def test_every_coder_of_the_team_role_uses_and_upgrades_the_tables(cli, tmp_path, postgres_server):
    """The README's server set-up: a group role owns the database, ann and bob are members.
    ann's `review init` makes the tables as the group role, so bob's first command works (it
    failed: "permission denied for table review_migrations", the tables were ann's) and bob
    can run a later upgrade too. A database set up the old way (tables ann's) gives bob a
    message naming the repair, and after it (REASSIGN OWNED BY ann TO the group) bob's
    command works."""
    import uuid

    tag = uuid.uuid4().hex[:8]
    team, ann, bob = f"review_team_{tag}", f"ann_{tag}", f"bob_{tag}"
    run = postgres_server._run
    made: list[str] = []

    def url(role: str, db: str) -> str:
        return postgres_server.url.set(username=role, password=None, database=db).render_as_string(
            hide_password=False
        )

    def owners(db: str) -> set[str]:
        engine = create_engine(url(postgres_server.url.username, db))
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            )
            names = set(found.scalars())
        engine.dispose()
        return names

    run(f'CREATE ROLE "{team}" NOLOGIN')
    run(f'CREATE ROLE "{ann}" LOGIN IN ROLE "{team}"')
    run(f'CREATE ROLE "{bob}" LOGIN IN ROLE "{team}"')
    try:
        db = f"review_r_{tag}"
        run(f'CREATE DATABASE "{db}" OWNER "{team}"')
        made.append(db)
        res = cli("init", tmp_path / "ann", "--db", url(ann, db))
        assert res.code == 0, res.err
        assert owners(db) == {team}
        res = cli("init", tmp_path / "bob", "--db", url(bob, db))
        assert res.code == 0, res.err
        res = cli("-w", tmp_path / "bob", "codebook", "add", "Drivers/Street lighting", "--json")
        assert res.code == 0, res.err
        res = cli("-w", tmp_path / "ann", "codebook", "list")
        assert "Street lighting" in res.out
        # an upgrade run by bob that makes a table: the table is the team's, not bob's
        engine = create_engine(url(postgres_server.url.username, db), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP TABLE review_migration_note"))
            conn.execute(text("DELETE FROM review_schema_stamp"))
        engine.dispose()
        assert cli("-w", tmp_path / "bob", "status").code == 0
        assert owners(db) == {team}
        assert cli("-w", tmp_path / "ann", "status").code == 0

        old = f"review_o_{tag}"  # the old set-up: the schema granted, the tables ann's
        run(f'CREATE DATABASE "{old}"')
        made.append(old)
        engine = create_engine(url(postgres_server.url.username, old), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'GRANT ALL ON SCHEMA public TO "{ann}", "{bob}"'))
        assert cli("init", tmp_path / "ann-old", "--db", url(ann, old)).code == 0
        assert owners(old) == {ann}
        res = cli("init", tmp_path / "bob-old", "--db", url(bob, old))
        assert res.code != 0
        assert "permission denied" in res.err and f"so {bob} may not use them" in res.err
        assert "REASSIGN OWNED BY" in res.err and "Traceback" not in res.err
        with engine.connect() as conn:
            conn.execute(text(f'REASSIGN OWNED BY "{ann}" TO "{team}"'))
        engine.dispose()
        res = cli("init", tmp_path / "bob-old", "--db", url(bob, old))
        assert res.code == 0, res.err
    finally:
        for name in made:
            postgres_server.drop(name)
        for role in (ann, bob, team):
            run(f'DROP ROLE IF EXISTS "{role}"')
