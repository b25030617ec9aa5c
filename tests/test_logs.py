"""Errors you can trace: a bug becomes one line for the user and a traceback in the workspace's
log (`.review/review.log`); a user error is not logged as a bug; --debug prints the traceback.

Bugs are provoked by making a real service raise (monkeypatch), then the real CLI, the real
import pipeline and the real workbench under `App.run_test()` handle it.
"""

from __future__ import annotations

import logging

from review import logs
from review.importers import import_file
from review.ingest.pipeline import Format

from .tui_helpers import running, settle


def _bug(*args, **kwargs):
    raise RuntimeError("the service fell over\n(second line)")


def _log_text(ws) -> str:
    path = logs.log_path(ws.root)
    assert path.is_file(), f"no log at {path}"
    return path.read_text("utf-8")


def test_a_bug_in_a_command_is_one_line_naming_the_log_which_has_the_traceback(
    cli, ws, monkeypatch
):
    monkeypatch.setattr("review.store.status.counts", _bug)
    res = cli("-w", ws.root, "status")
    where = ws.root.resolve() / ".review" / "review.log"
    assert res.code == 1 and res.out == ""
    assert res.err == (
        "review: internal error: RuntimeError: the service fell over (second line) "
        f"(details in {where})\n"
    )
    text = _log_text(ws)
    assert "ERROR review.cli" in text and "internal error while review -w" in text
    assert "Traceback (most recent call last)" in text
    assert 'in _bug\n    raise RuntimeError("the service fell over' in text
    assert text.rstrip().endswith("RuntimeError: the service fell over\n(second line)")


def test_debug_prints_the_traceback_on_stderr(cli, ws, monkeypatch):
    monkeypatch.setattr("review.store.status.counts", _bug)
    res = cli("--debug", "-w", ws.root, "status")
    assert res.code == 1
    assert "Traceback (most recent call last)" in res.err and "in _bug" in res.err
    assert res.err.rstrip().splitlines()[-1].startswith("review: internal error: RuntimeError")
    assert "Traceback" in _log_text(ws)  # the log gets it too


def test_a_user_error_is_not_logged_as_a_bug(cli, ws):
    res = cli("-w", ws.root, "screen", "kappa")
    assert res.code == 1 and res.err.startswith("review: error: kappa needs two screeners")
    log = logs.log_path(ws.root)
    assert not log.exists() or "Traceback" not in log.read_text("utf-8")
    res = cli("-w", ws.root, "--debug", "screen", "kappa")  # --debug still shows its traceback
    assert "Traceback (most recent call last)" in res.err and "ReviewError" in res.err


def test_an_unwritable_workspace_gets_no_log_and_no_crash(cli, ws, monkeypatch):
    (ws.root / ".review").write_text("a file where the log folder would go")  # (root ignores
    monkeypatch.setattr("review.store.status.counts", _bug)  # chmod; this fails for anyone)
    res = cli("-w", ws.root, "status")
    assert res.code == 1 and res.err.count("\n") == 1
    assert res.err.endswith(
        "RuntimeError: the service fell over (second line) "
        "(no log written; run with --debug for details)\n"
    )


def test_the_log_rotates(ws, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    logs.configure(ws.root)
    log = logging.getLogger("review.test")
    for n in range(200):  # ≈ 20 KB of records: more than the file and its backups hold
        logs.log_bug(log, RuntimeError(f"bug {n}"), "testing rotation")
    folder = ws.root / ".review"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["review.log"] + [f"review.log.{i}" for i in range(1, logs.BACKUPS + 1)]
    assert all(p.stat().st_size <= 2_000 for p in folder.iterdir())
    assert "bug 199" in (folder / "review.log").read_text("utf-8")


def test_the_import_pipelines_per_file_catch_logs_the_traceback(ws, tmp_path):
    logs.configure(ws.root)
    path = tmp_path / "x.dat"
    path.write_text("anything")

    def load(ctx):
        raise ValueError("a format's bug")

    report = import_file(ws.engine, path, fmt=Format("boom", lambda p, d: 100, load))
    (problem,) = report.problems
    where = ws.root.resolve() / ".review" / "review.log"
    assert report.status == "failed"
    assert problem.message == (f"internal error: ValueError: a format's bug (details in {where})")
    text = _log_text(ws)
    assert (
        "ERROR review.ingest.pipeline [pid" in text and f"could not import {path} as boom" in text
    )
    assert 'in load\n    raise ValueError("a format\'s bug")' in text


async def test_a_bug_behind_a_toast_is_logged_and_the_toast_names_the_log(ws, monkeypatch):
    monkeypatch.setattr("review.screening.decisions.queue", _bug)
    async with running(ws) as (app, pilot):
        await pilot.press("f8")  # the screening screen asks the service for its queue
        await settle(app, pilot)
        toasts = [n.message for n in app._notifications]
    where = ws.root.resolve() / ".review" / "review.log"
    assert any(
        t.startswith("internal error: RuntimeError: the service fell over")
        and t.endswith(f"(details in {where})")
        for t in toasts
    ), toasts
    text = _log_text(ws)
    assert "ERROR review.tui.screens.base" in text and "on the screening screen" in text
    assert "Traceback (most recent call last)" in text and "in _bug" in text
