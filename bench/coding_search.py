"""Full-text search latency over N passages (default 1,000,000): FTS5 through `review.coding.search`
against its peer, a LIKE scan over the same passages (what a database without FTS does).

Builds a throw-away SQLite workspace with synthetic focus-group text (deterministic seed; a
Zipf-like vocabulary so some words are common and some rare), indexes it the way the import
pipeline does, then times a fixed mix of queries (common and rare words, phrases, prefixes,
OR). Prints JSON: build time, FTS median/p95 in ms, the LIKE median on a few queries, the
ratio, and peak memory (RSS of this process).

    .venv/bin/python bench/coding_search.py --n 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coding_common import peak_rss_mb, transcript_row  # noqa: E402

from review.coding.search import search  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store.db import session_scope  # noqa: E402
from review.store.workspace import init  # noqa: E402

COMMON = (
    "the and we i it to of a that was they in you people council "
    "it's just so there what do like know think really"
).split()
TOPIC = (
    "recycling park litter police panel budget volunteer neighbourhood watch "
    "survey report consultation workshop priority trust meeting street bins crime "
    "health walk garden school carers safety design commissioning residents group"
).split()
RARE = [f"word{i}" for i in range(20000)]
PASSAGES_PER_SOURCE = 100
QUERIES = [
    "council",
    "recycling",
    "neighbourhood watch",
    '"neighbourhood watch"',
    "volunteer*",
    "word17",
    "word123 word999",
    '"the council"',
    "park OR garden",
    "consult*",
    "trust police",
    "word4242*",
    "budget priority residents",
    '"litter pick"',
    "crime safety",
    "health walk",
]


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 18)):
        r = rng.random()
        if r < 0.6:
            words.append(rng.choice(COMMON))
        elif r < 0.9:
            words.append(rng.choice(TOPIC))
        else:
            words.append(rng.choice(RARE))
    return " ".join(words).capitalize() + "."


def build(engine, n: int, seed: int) -> None:
    rng = random.Random(seed)
    n_sources = max(1, n // PASSAGES_PER_SOURCE)
    with session_scope(engine) as s:
        for first in range(0, n_sources, 500):
            sources, passages = [], []
            for sid in range(first + 1, min(first + 500, n_sources) + 1):
                parts, spans, pos = [], [], 0
                for _ in range(PASSAGES_PER_SOURCE):
                    line = f"P{rng.randint(1, 8)}: {sentence(rng)}"
                    parts.append(line)
                    spans.append((pos, pos + len(line)))
                    pos += len(line) + 1
                body = "\n".join(parts)
                sources.append(transcript_row(f"fg{sid}", body, id=sid))
                passages += [dict(source_id=sid, start=a, end=b, kind="turn") for a, b in spans]
            s.execute(insert(m.Source), sources)
            s.execute(insert(m.Passage), passages)
        s.execute(
            text(
                "INSERT INTO passage_fts(rowid, text) SELECT p.id, "
                "substr(s.text, p.start + 1, p.end - p.start) FROM passage p "
                "JOIN source s ON s.id = p.source_id"
            )
        )
        s.execute(text("INSERT INTO passage_fts(passage_fts) VALUES('optimize')"))


def like_query(s, words: list[str]) -> int:
    cond = " AND ".join(
        f"lower(substr(s.text, p.start + 1, p.end - p.start)) LIKE :w{i}" for i in range(len(words))
    )
    params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
    sql = (
        "SELECT p.id FROM passage p JOIN source s ON s.id = p.source_id "
        f"WHERE {cond} ORDER BY p.source_id, p.start LIMIT 20"
    )
    return len(s.execute(text(sql), params).all())


def main() -> None:
    ap = argparse.ArgumentParser(description="FTS5 search latency vs a LIKE scan")
    ap.add_argument("--n", type=int, default=1_000_000, help="number of passages")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        t0 = time.perf_counter()
        build(ws.engine, args.n, args.seed)
        build_s = time.perf_counter() - t0
        times, hits, per_query = [], {}, {}
        with session_scope(ws.engine) as s:
            for q in QUERIES:  # warm the page cache once
                hits[q] = len(search(s, q, limit=20))
            for _ in range(args.repeat):
                for q in QUERIES:
                    t = time.perf_counter()
                    search(s, q, limit=20)
                    ms = (time.perf_counter() - t) * 1000
                    times.append(ms)
                    per_query.setdefault(q, []).append(ms)
            # the peer: the same rare-word look-ups as a LIKE scan (no index can help it)
            like_times, fts_same = [], []
            for words, q in ((["word17"], "word17"), (["word123", "word999"], "word123 word999")):
                t = time.perf_counter()
                like_query(s, words)
                like_times.append((time.perf_counter() - t) * 1000)
                fts_same.append(statistics.median(per_query[q]))
            n_pass = s.execute(text("SELECT count(*) FROM passage")).scalar_one()
        ws.close()
        db_mb = sum(f.stat().st_size for f in (Path(tmp) / "ws").glob("review.db*")) / 2**20
    times.sort()
    fts_median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    like_median = statistics.median(like_times)
    print(
        json.dumps(
            {
                "passages": n_pass,
                "queries": len(QUERIES),
                "timed_runs": len(times),
                "build_seconds": round(build_s, 1),
                "database_mb": round(db_mb, 1),
                "fts_median_ms": round(fts_median, 2),
                "fts_p95_ms": round(p95, 2),
                "fts_max_ms": round(times[-1], 2),
                "per_query_median_ms": {
                    q: round(statistics.median(v), 2) for q, v in per_query.items()
                },
                "like_scan_median_ms": round(like_median, 1),
                "like_over_fts_same_queries": round(like_median / statistics.median(fts_same), 1),
                "hits_per_query": hits,
                "peak_rss_mb": peak_rss_mb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
