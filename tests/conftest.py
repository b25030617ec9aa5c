"""Shared fixtures: real workspaces on disk, real SQLite files, the real CLI in-process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from review import logs
from review.cli import main
from review.store.db import session_scope
from review.store.workspace import Workspace, init

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TESTDATA = SHARED / "testdata"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def testdata() -> Path:
    assert TESTDATA.is_dir(), f"shared test data missing at {TESTDATA}"
    return TESTDATA


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
