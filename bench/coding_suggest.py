"""Suggestion throughput in words per second, against its peer: spaCy's bare tokenizer on the
same text (the floor any spaCy-based matcher pays).

Builds a throw-away workspace with synthetic focus-group turns (deterministic seed) mixing
everyday words with the codebook's keywords in inflected forms, loads the default codebook,
and times `review.coding.suggest.suggest` end to end (passages read from SQLite, lemmas,
PhraseMatcher, suggestions written back), then the matcher alone, then the tokenizer alone.

    .venv/bin/python bench/coding_suggest.py --words 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coding_common import peak_rss_mb, transcript_row  # noqa: E402

from review.coding.codebook import ensure_codebook  # noqa: E402
from review.coding.suggest import Unit, blank_nlp, build_matcher, find_suggestions, suggest  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store.db import session_scope  # noqa: E402
from review.store.workspace import init  # noqa: E402

EVERYDAY = (
    "the and we I it to of a that was they in you people council honestly just so there "
    "what do like know think really went said got because when would could about our"
).split()
INFLECTED = (
    "volunteered volunteering recycled recycles budgets prioritised designing workshops "
    "complained reported monitoring patrolled neighbours organised trusted listened "
    "surveys planning consulted litter park police crime doctors health schools carers"
).split()


def turn(rng: random.Random) -> str:
    n = rng.randint(10, 40)
    words = [
        rng.choice(INFLECTED) if rng.random() < 0.08 else rng.choice(EVERYDAY) for _ in range(n)
    ]
    return "Speaker: " + " ".join(words) + "."


def main() -> None:
    ap = argparse.ArgumentParser(description="suggestion throughput (words/s)")
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts, total = [], 0
    while total < args.words:
        t = turn(rng)
        texts.append(t)
        total += len(t.split())
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        with session_scope(ws.engine) as s:
            ensure_codebook(s, ws.codebook_path)
            per_source = 200
            for first in range(0, len(texts), per_source):
                chunk = texts[first : first + per_source]
                body = "\n".join(chunk)
                sid = s.execute(
                    insert(m.Source).returning(m.Source.id),
                    [transcript_row(f"fg{first}", body)],
                ).scalar_one()
                pos, rows = 0, []
                for t in chunk:
                    rows.append(dict(source_id=sid, start=pos, end=pos + len(t), kind="sentence"))
                    pos += len(t) + 1
                s.execute(insert(m.Passage), rows)
        blank_nlp()  # load spaCy and the lemma table outside the timings
        with session_scope(ws.engine) as s:
            km = build_matcher(s.scalars(select(m.Code)).all())
            t0 = time.perf_counter()
            n = suggest(s)
            service_s = time.perf_counter() - t0
            stored = s.scalar(select(func.count()).select_from(m.Suggestion))
        units = [Unit(0, 0, len(t), t) for t in texts]
        t0 = time.perf_counter()
        found = find_suggestions(km, units)
        matcher_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _doc in blank_nlp().tokenizer.pipe(texts, batch_size=256):
            pass
        tokenizer_s = time.perf_counter() - t0
        ws.close()
    print(
        json.dumps(
            {
                "words": total,
                "passages": len(texts),
                "suggestions": n,
                "stored": stored,
                "matched_in_memory": len(found),
                "service_seconds": round(service_s, 2),
                "service_words_per_s": round(total / service_s),
                "matcher_words_per_s": round(total / matcher_s),
                "tokenizer_words_per_s": round(total / tokenizer_s),
                "service_over_tokenizer_time": round(service_s / tokenizer_s, 2),
                "matcher_over_tokenizer_time": round(matcher_s / tokenizer_s, 2),
                "peak_rss_mb": peak_rss_mb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
