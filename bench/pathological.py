"""Each text importer given the pathological inputs of `tests/pathological_inputs.py` (one very
long line, unclosed brackets, a run of commas, one file repeated) at a chosen size; prints the
time, outcome and peak memory of each.

    .venv/bin/python bench/pathological.py --mb 10 [NAME ...]
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review.importers import import_file  # noqa: E402
from review.store.workspace import init  # noqa: E402
from tests.pathological_inputs import KINDS, SEEDS, build  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10)
    ap.add_argument("names", nargs="*", default=list(SEEDS))
    args = ap.parse_args()
    logging.getLogger().addHandler(logging.NullHandler())
    folder = Path(tempfile.mkdtemp())
    ws, _ = init(folder / "ws")
    size = int(args.mb * 1024 * 1024)
    for name in args.names:
        for kind in KINDS:
            filename, data = build(name, kind, size)
            path = folder / f"{kind}-{filename}"
            path.write_bytes(data)
            start = time.monotonic()
            r = import_file(ws.engine, path)
            took = time.monotonic() - start
            first = r.problems[0].message[:80] if r.problems else ""
            print(f"{name:12} {kind:9} {took:7.2f} s  {r.format} {r.status} "
                  f"{r.imported}/{r.records}  {first}", flush=True)  # fmt: skip
            path.unlink()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak memory: {peak} MiB")


if __name__ == "__main__":
    main()
