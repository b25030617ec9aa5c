"""Full-text search over N passages (default 1,000,000): `review.coding.search` (tantivy,
exact bm25) against FTS5's full `ORDER BY rank` over every match, in the same run.

Builds a throw-away SQLite workspace with synthetic focus-group text (deterministic seed; a
Zipf-like vocabulary so some words are in a third of all passages and some in a handful),
stores the passages and their FTS5 rows the way the import pipeline does, builds the search
index from the database (timed), then times a fixed mix of queries in three classes by the
share of passages they match: rare (< 0.1 %), topic (0.1-5 %) and common (5-40 %, the
case a windowed or exhaustive FTS5 ranking cannot serve fast). For every query it checks the
top 20 against FTS5's `ORDER BY rank` over all matches (the same query; a prefix spelt out as
the OR of its words, which is how both rank it): overlap@20 of the passage sets, and whether
every score agrees (ties may be ordered differently; `overlap_tie_aware` counts a hit whose
FTS5 score equals the 20th best as agreeing). Prints JSON: build and index times, p50/p95 per
class and overall, FTS5's time for the same ranking, overlap, index size and peak memory.

    .venv/bin/python bench/coding_search.py --n 1000000
"""

from __future__ import annotations

import argparse
import json
import os
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

from review.coding.search import count, fts_query, search  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store import search_index  # noqa: E402
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
    # common: 5-40 % of all passages
    "council",
    "the",
    "people",
    "we think",
    '"the council"',
    "council OR people",
    "know*",
    "really just",
    # topic words: 0.1-5 %
    "recycling",
    "neighbourhood watch",
    '"neighbourhood watch"',
    "volunteer*",
    "park OR garden",
    "consult*",
    "trust police",
    "budget priority residents",
    '"litter pick"',
    "crime safety",
    "health walk",
    # rare
    "word17",
    "word123 word999",
    "word4242*",
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


def reference_match(s, q: str) -> str:
    """The FTS5 query both engines rank: prefixes spelt out as the OR of their words."""
    match = fts_query(q)
    if "*" not in match:
        return match
    s.execute(
        text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, passage_fts, row)")
    )

    def expand(hit):
        stem = hit.group(1)
        words = s.execute(
            text("SELECT term FROM temp.v WHERE term >= :a AND term < :b"),
            {"a": stem, "b": stem + "\U0010ffff"},
        ).scalars()
        return "(" + " OR ".join(f'"{w}"' for w in words) + ")"

    import re

    return re.sub(r'"([^" ]+)"\*', expand, match)


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p * len(v))) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description="search latency and exactness vs FTS5's full rank")
    ap.add_argument("--n", type=int, default=1_000_000, help="number of passages")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    ap.add_argument(
        "--keep",
        type=Path,
        help="build the workspace in this folder and keep it; if it is there already, reuse "
        "it (and its search index) instead of building",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = args.keep or Path(tmp_)
        reuse = (tmp / "ws" / "review.db").exists()
        if reuse:
            from review.store.workspace import Workspace

            ws = Workspace.open(tmp / "ws")
        else:
            ws, _ = init(Path(tmp) / "ws")
        t0 = time.perf_counter()
        if not reuse:
            build(ws.engine, args.n, args.seed)
        build_s = time.perf_counter() - t0
        rss_before_index = peak_rss_mb()
        with session_scope(ws.engine) as s:
            t0 = time.perf_counter()
            search_index.current(s)  # the index catches up on the log: a full build here
            index_s = time.perf_counter() - t0
        per_query: dict[str, dict] = {}
        with session_scope(ws.engine) as s:
            n_pass = s.execute(text("SELECT count(*) FROM passage")).scalar_one()
            for q in QUERIES:  # warm up once
                search(s, q, limit=20)
            times: dict[str, list[float]] = {q: [] for q in QUERIES}
            cpu: dict[str, list[float]] = {q: [] for q in QUERIES}
            for _ in range(args.repeat):
                for q in QUERIES:
                    t, c = time.perf_counter(), time.process_time()
                    search(s, q, limit=20)
                    times[q].append((time.perf_counter() - t) * 1000)
                    cpu[q].append((time.process_time() - c) * 1000)
            for q in QUERIES:
                hits = search(s, q, limit=20)
                matches = count(s, q)
                ref_q = reference_match(s, q)
                t = time.perf_counter()
                ref = s.execute(
                    text(
                        "SELECT rowid, rank FROM passage_fts WHERE passage_fts MATCH :q "
                        "ORDER BY rank, rowid LIMIT 20"
                    ),
                    {"q": ref_q},
                ).all()
                fts_ms = (time.perf_counter() - t) * 1000
                ours = [h.passage_id for h in hits]
                refs = [r[0] for r in ref]
                # FTS5's own score for each of our hits, and its 20th best score
                ours_fts = dict(
                    s.execute(
                        text(
                            "SELECT rowid, rank FROM passage_fts WHERE passage_fts MATCH :q "
                            "AND rowid IN ({})".format(",".join(map(str, ours)) or "0")
                        ),
                        {"q": ref_q},
                    ).all()
                )
                worst = ref[-1][1] if ref else 0.0
                tie_ok = sum(1 for p in ours if ours_fts.get(p, 1) <= worst + 1e-6 * abs(worst))
                share = matches / n_pass
                cls = "common" if share >= 0.05 else "topic" if share >= 0.001 else "rare"
                per_query[q] = {
                    "class": cls,
                    "matches": matches,
                    "share": round(share, 4),
                    "p50_ms": round(statistics.median(times[q]), 2),
                    "cpu_p50_ms": round(statistics.median(cpu[q]), 2),
                    "max_ms": round(max(times[q]), 2),
                    "fts5_full_rank_ms": round(fts_ms, 1),
                    "overlap_at_20": round(len(set(ours) & set(refs)) / len(refs), 3)
                    if refs
                    else (1.0 if not ours else 0.0),
                    "overlap_tie_aware": round(tie_ok / len(refs), 3) if refs else 1.0,
                    "scores_agree": bool(refs)
                    and len(ours) == len(refs)
                    and all(
                        abs(h.rank - r[1]) <= 1e-5 * max(1.0, abs(r[1]))
                        for h, r in zip(hits, ref, strict=True)
                    )
                    or (not refs and not ours),
                }
        ws.close()
        db_mb = sum(f.stat().st_size for f in (Path(tmp) / "ws").glob("review.db*") if f.is_file())
        idx_dir = Path(tmp) / "ws" / "review.db.search"
        idx_mb = sum(f.stat().st_size for f in idx_dir.iterdir() if f.is_file())
    classes: dict[str, list[float]] = {}
    classes_cpu: dict[str, list[float]] = {}
    for q, d in per_query.items():
        classes.setdefault(d["class"], []).extend(times[q])
        classes_cpu.setdefault(d["class"], []).extend(cpu[q])
    every = [t for v in times.values() for t in v]
    every_cpu = [t for v in cpu.values() for t in v]
    print(
        json.dumps(
            {
                "passages": n_pass,
                "queries": len(QUERIES),
                "timed_runs": len(every),
                "build_seconds": round(build_s, 1),
                "search_index_build_seconds": round(index_s, 1),
                "database_mb": round(db_mb / 2**20, 1),
                "search_index_mb": round(idx_mb / 2**20, 1),
                "by_class_ms": {
                    c: {
                        "queries": sum(1 for d in per_query.values() if d["class"] == c),
                        "p50": round(statistics.median(v), 2),
                        "p95": round(pct(v, 0.95), 2),
                    }
                    for c, v in sorted(classes.items())
                },
                "cpu_by_class_ms": {
                    c: {"p50": round(statistics.median(v), 2), "p95": round(pct(v, 0.95), 2)}
                    for c, v in sorted(classes_cpu.items())
                },
                "cpu_p50_ms": round(statistics.median(every_cpu), 2),
                "cpu_p95_ms": round(pct(every_cpu, 0.95), 2),
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "p50_ms": round(statistics.median(every), 2),
                "p95_ms": round(pct(every, 0.95), 2),
                "max_ms": round(max(every), 2),
                "overlap_at_20_min": min(d["overlap_at_20"] for d in per_query.values()),
                "overlap_tie_aware_min": min(d["overlap_tie_aware"] for d in per_query.values()),
                "scores_agree_all": all(d["scores_agree"] for d in per_query.values()),
                "per_query": per_query,
                "peak_rss_mb_before_search_index": rss_before_index,
                "peak_rss_mb": peak_rss_mb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
