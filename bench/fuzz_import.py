"""The mutation fuzzer of `tests/fuzz_helpers.py` for as long as you like, with the counts the
README's Reliability section quotes.

    .venv/bin/python bench/fuzz_import.py --seconds 600 --seed 7
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review.store.workspace import init  # noqa: E402
from tests.fuzz_helpers import fuzz  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--slow", type=float, default=3.0, help="report imports slower than this")
    args = ap.parse_args()
    logging.getLogger().addHandler(logging.NullHandler())  # (parsers' warnings: reported)
    folder = Path(tempfile.mkdtemp())
    ws, _ = init(folder / "ws")
    out = fuzz(ws.engine, folder, args.seconds, args.seed, slow_after=args.slow)
    print("runs by seed suffix:", dict(out.runs), "total", sum(out.runs.values()))
    print("outcomes:", dict(out.statuses))
    print("bugs (exceptions or 'internal error'):", len(out.bugs))
    for bug in out.bugs[:40]:
        print("  BUG", bug[:300])
    print(f"slowest import: {out.slowest:.1f} s; over {args.slow} s: {len(out.slow)}")
    for took, what in sorted(out.slow, reverse=True)[:20]:
        print(f"  SLOW {took:.1f} s {what}")


if __name__ == "__main__":
    main()
