"""Shared fixtures: real workspaces on disk, real SQLite files, the real CLI in-process.

Third-party test files (written by other projects, listed in ../shared/testdata/MANIFEST.md):
- `testdata`: the ones whose licence lets us ship them, vendored in tests/data/vendor/ (same
  layout as the shared folder, attribution in its ATTRIBUTION.md): always there.
- `shared` / `shared_file(rel)`: the others, read from ../shared/testdata/. When that folder
  is absent (a clean clone with nothing beside it) their tests skip with a one-line reason;
  with REVIEW_REQUIRE_SHARED=1 (what .ci/run sets) the absence is a failure instead.
- `data_file(rel)`: the vendored copy if there is one, else the shared file.
"""

from __future__ import annotations

import json
import os
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


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace in a temp folder, with the environment cleared of overrides."""
    for var in ("REVIEW_WORKSPACE", "REVIEW_DATABASE_URL", "REVIEW_CODER"):
        monkeypatch.delenv(var, raising=False)
    workspace, _ = init(tmp_path / "ws")
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
    """Run `review ARGS...` in-process; returns exit code, stdout and stderr."""
    for var in ("REVIEW_WORKSPACE", "REVIEW_DATABASE_URL", "REVIEW_CODER"):
        monkeypatch.delenv(var, raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
