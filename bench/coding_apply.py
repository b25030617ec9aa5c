"""Applying N codings in bulk (default 100,000) through `review.coding.codings.bulk_apply`, against
its peer: the same rows written with the bare `sqlite3` driver's `executemany` in one transaction
(no validation, no quotes sliced, no undo record). Also times `apply_code` one call at a time
for a sample, to show why scripts should use the bulk path.

    .venv/bin/python bench/coding_apply.py --n 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coding_common import peak_rss_mb, transcript_row  # noqa: E402

from review.coding.codebook import ensure_codebook  # noqa: E402
from review.coding.codings import apply_code, bulk_apply  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store.coders import ensure_coder  # noqa: E402
from review.store.db import session_scope  # noqa: E402
from review.store.models import utcnow  # noqa: E402
from review.store.workspace import init  # noqa: E402

N_SOURCES = 1000
TEXT_LEN = 5000


def main() -> None:
    ap = argparse.ArgumentParser(description="bulk coding throughput")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--single", type=int, default=1000, help="apply_code calls to time")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        with session_scope(ws.engine) as s:
            ensure_codebook(s, ws.codebook_path)
            code_ids = list(s.scalars(select(m.Code.id).where(m.Code.codable.is_(True))))
            words = "we volunteer at the park and report litter to the council every week ".split()
            rows = []
            for i in range(N_SOURCES):
                body = " ".join(rng.choice(words) for _ in range(TEXT_LEN // 4))[:TEXT_LEN]
                rows.append(transcript_row(f"doc{i}", body))
            s.execute(insert(m.Source), rows)
            source_ids = list(s.scalars(select(m.Source.id)))
            coder_id = ensure_coder(s, "peer").id

        def spans(n):
            out = []
            for _ in range(n):
                a = rng.randrange(0, TEXT_LEN - 300)
                out.append(
                    dict(
                        source_id=rng.choice(source_ids),
                        code_id=rng.choice(code_ids),
                        start=a,
                        end=a + rng.randint(20, 300),
                    )
                )
            return out

        work = spans(args.n)
        t0 = time.perf_counter()
        with session_scope(ws.engine) as s:
            ids = bulk_apply(s, work, coder="bench")
        bulk_s = time.perf_counter() - t0

        # the peer: raw driver, same rows (quotes pre-sliced outside the timing)
        con = sqlite3.connect(str(Path(tmp) / "ws" / "review.db"))
        texts = dict(con.execute("SELECT id, text FROM source"))
        now = utcnow().isoformat()
        raw = [
            (
                r["source_id"],
                r["code_id"],
                r["start"],
                r["end"],
                texts[r["source_id"]][r["start"] : r["end"]],
                coder_id,
                "manual",
                now,
            )
            for r in spans(args.n)
        ]
        t0 = time.perf_counter()
        with con:
            con.executemany(
                'INSERT INTO coding (source_id, code_id, start, "end", quote, coder_id, origin, '
                "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                raw,
            )
        raw_s = time.perf_counter() - t0
        con.close()

        one = spans(args.single)
        t0 = time.perf_counter()
        with session_scope(ws.engine) as s:
            for r in one:
                apply_code(s, coder="single", **r)
        single_s = time.perf_counter() - t0
        with session_scope(ws.engine) as s:
            total = s.scalar(select(func.count()).select_from(m.Coding))
        ws.close()
    print(
        json.dumps(
            {
                "codings": len(ids),
                "bulk_seconds": round(bulk_s, 2),
                "bulk_per_s": round(len(ids) / bulk_s),
                "raw_sqlite3_seconds": round(raw_s, 2),
                "bulk_over_raw_time": round(bulk_s / raw_s, 2),
                "single_calls": args.single,
                "single_per_s": round(args.single / single_s),
                "bulk_speedup_over_single": round(single_s / args.single * len(ids) / bulk_s, 1),
                "rows_in_table": total,
                "peak_rss_mb": peak_rss_mb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
