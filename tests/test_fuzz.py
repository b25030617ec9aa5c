"""Issue 15, items 2 and 7: a seeded mutation fuzzer over real files (tests/fuzz_helpers.py);
the only outcomes are an import or reported problems. A few seconds in the suite;
`REVIEW_FUZZ_SECONDS=600 REVIEW_FUZZ_SEED=7` (or `bench/fuzz_import.py`) runs it longer."""

from __future__ import annotations

import os

from tests.fuzz_helpers import fuzz, seed_files

SECONDS = float(os.environ.get("REVIEW_FUZZ_SECONDS", "8"))
SEED = int(os.environ.get("REVIEW_FUZZ_SEED", "15"))


def test_fuzzed_real_files_import_or_report_problems(tmp_path, db_backend):
    if db_backend != "sqlite":
        import pytest

        pytest.skip("the parsers are the same on every database")
    from review.store.workspace import init

    assert len(seed_files()) >= 10
    ws, _ = init(tmp_path / "ws")
    try:
        outcome = fuzz(ws.engine, tmp_path, SECONDS, SEED, slow_after=20)
    finally:
        ws.close()
    assert sum(outcome.runs.values()) > 0
    assert outcome.bugs == []
    assert outcome.slow == []
