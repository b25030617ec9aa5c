"""Issue 15, item 3: each importer given a very long line, deep nesting, a run of commas and
one line repeated (built from real files) finishes or refuses within seconds. The suite runs
them at 256 KB; `REVIEW_PATHOLOGICAL_MB=10` runs them at 10 MB (see the README's Reliability)."""

from __future__ import annotations

import os
import time

import pytest

from review.importers import import_file
from tests.pathological_inputs import KINDS, SEEDS, build

SIZE = int(float(os.environ.get("REVIEW_PATHOLOGICAL_MB", "0.25")) * 1024 * 1024)
LIMIT = float(os.environ.get("REVIEW_PATHOLOGICAL_SECONDS", "20"))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_pathological_inputs_finish_or_are_refused_quickly(name, tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("the parsers are the same on every database")
    from review.store.workspace import init

    ws, _ = init(tmp_path / "ws")
    try:
        for kind in KINDS:
            filename, data = build(name, kind, SIZE)
            path = tmp_path / f"{kind}-{filename}"
            path.write_bytes(data)
            start = time.monotonic()
            report = import_file(ws.engine, path)
            took = time.monotonic() - start
            assert took < LIMIT, f"{name} {kind}: {took:.1f} s"
            assert report.status in ("imported", "partial", "failed", "unchanged")
            assert all("internal error" not in p.message for p in report.problems), kind
            if report.status == "failed":
                assert report.problems, f"{name} {kind}: failed without a reason"
    finally:
        ws.close()
