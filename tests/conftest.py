"""Shared fixtures: real workspaces on disk, real SQLite files, the real CLI in-process.

Third-party test files (written by other projects, listed in ../shared/testdata/MANIFEST.md):
- `testdata`: the ones whose licence lets us ship them, vendored in tests/data/vendor/ (same
  layout as the shared folder, attribution in its ATTRIBUTION.md): always there.
- `shared` / `shared_file(rel)`: the others, read from ../shared/testdata/. When that folder
  is absent (a clean clone with nothing beside it) their tests skip with a one-line reason;
  with REVIEW_REQUIRE_SHARED=1 (what .ci/run sets) the absence is a failure instead.
- `data_file(rel)`: the vendored copy if there is one, else the shared file.

Both databases: a module marked `pytestmark = pytest.mark.backends("sqlite", "postgres")`
runs each test that uses `ws`, `cli` or `db_url` once per database. The PostgreSQL run gets a
new database of the server named by REVIEW_TEST_POSTGRES_URL (made from a template that already
holds the schema, dropped afterwards); without that variable it skips with a one-line reason,
and with REVIEW_REQUIRE_POSTGRES=1 (what .ci/run sets) the absence is a failure instead.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from review import logs
from review.cli import main
from review.store.db import session_scope
from review.store.workspace import Workspace, init

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_TESTDATA = SHARED / "testdata"
DATA = Path(__file__).resolve().parent / "data"
VENDORED = DATA / "vendor"
REQUIRE_SHARED = "REVIEW_REQUIRE_SHARED"
PG_ADMIN_URL = os.environ.get("REVIEW_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = "REVIEW_REQUIRE_POSTGRES"


def shared_file(rel: str = "") -> Path:
    """A file (or folder) of ../shared/testdata that we may not vendor: skip without it."""
    if not SHARED_TESTDATA.is_dir():
        reason = f"needs {Path('../shared/testdata', rel)} (not vendored: licence), absent"
        if os.environ.get(REQUIRE_SHARED) == "1":
            pytest.fail(f"{reason}; {REQUIRE_SHARED}=1 requires it")
        pytest.skip(reason)
    path = SHARED_TESTDATA / rel
    assert path.exists(), f"{path} is missing from the shared test data"
    return path


def data_file(rel: str) -> Path:
    """A third-party test file by its path in the shared layout: vendored copy first."""
    vendored = VENDORED / rel
    return vendored if vendored.exists() else shared_file(rel)


@pytest.fixture
def testdata() -> Path:
    """The vendored third-party files (tests/data/vendor/, laid out like ../shared/testdata)."""
    return VENDORED


@pytest.fixture
def shared() -> Path:
    """../shared/testdata, for the files we may not vendor (skips when it is absent)."""
    return shared_file()


@pytest.fixture(autouse=True)
def _no_workspace_log_left_behind():
    """The workspace log is process state (the workbench sets it, the CLI resets it when a
    command ends): no test's log may catch another test's records."""
    yield
    logs.reset()


@pytest.fixture(autouse=True)
def _nothing_frozen_left_behind():
    """The workbench freezes what is alive (`review.tui.app.settle_heap`) for its own long
    life; in one test process that would keep every finished test's app from the collector."""
    import gc

    yield
    gc.unfreeze()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "backends(*names): run the module's workspace tests on these databases"
    )


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        if marker:  # (unmarked tests keep their ids: one run, on SQLite)
            metafunc.parametrize("db_backend", list(marker.args), ids=list(marker.args))


@pytest.fixture
def db_backend() -> str:
    """Overridden by `pytest_generate_tests`: the database this run of the test uses."""
    return "sqlite"


class _PostgresServer:
    """Throw-away databases on the test server, each a copy of a template with the schema."""

    def __init__(self, admin_url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(admin_url)
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.template = f"review_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._run(f'CREATE DATABASE "{self.template}"')
        from review.store.db import open_engine

        open_engine(self._url(self.template)).dispose()

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def new(self) -> tuple[str, str]:
        name = f"review_t_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name, self._url(name)

    def new_empty(self) -> tuple[str, str]:
        """A database with nothing in it (no schema): what a team's administrator creates."""
        name = f"review_e_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}"')
        return name, self._url(name)

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    """The test server (skips, or fails under REVIEW_REQUIRE_POSTGRES=1, without one)."""
    reason = None
    if not PG_ADMIN_URL:
        reason = "REVIEW_TEST_POSTGRES_URL is not set (no PostgreSQL server)"
    else:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            reason = "no PostgreSQL driver (pip install 'psycopg[binary]')"
    if reason:
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(f"{reason}; {REQUIRE_POSTGRES}=1 requires it")
        pytest.skip(reason)
    server = _PostgresServer(PG_ADMIN_URL)
    yield server
    server.close()


@pytest.fixture
def db_url(db_backend: str, request) -> str | None:
    """None for SQLite (the workspace's own review.db), else a fresh PostgreSQL database."""
    if db_backend == "sqlite":
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    name, url = server.new()
    yield url
    server.drop(name)  # WITH (FORCE): connections a command left in its pool go too


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str | None) -> Workspace:
    """A fresh workspace in a temp folder (on the test's database), with the environment
    cleared of overrides."""
    for var in ("REVIEW_WORKSPACE", "REVIEW_DATABASE_URL", "REVIEW_CODER"):
        monkeypatch.delenv(var, raising=False)
    workspace, _ = init(tmp_path / "ws", db=db_url)
    workspace.coder = "tester"
    yield workspace
    workspace.close()


@pytest.fixture
def sample_codes(ws: Workspace) -> int:
    """How many codes the workspace's codebook file holds, read with tomllib (not with the
    code under test), so no test hard-codes the size of the sample codebook."""
    import tomllib

    return len(tomllib.loads(ws.codebook_path.read_text("utf-8"))["codes"])


@pytest.fixture
def session(ws: Workspace):
    with session_scope(ws.engine) as s:
        yield s


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """Run `review ARGS...` in-process; returns exit code, stdout and stderr. (On the
    PostgreSQL run the `ws` workspace remembers its database, as `review init --db` does.)"""
    for var in ("REVIEW_WORKSPACE", "REVIEW_DATABASE_URL", "REVIEW_CODER"):
        monkeypatch.delenv(var, raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
