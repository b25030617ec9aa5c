"""Inter-coder agreement over D documents (default 100) through `review.coding.agreement.agreement`,
against its peer: the textbook way, one 0/1 vector per coder per code per document, every
character compared (what a per-character implementation costs), on the same codings.

Two coders code each document with every codable code (deterministic seed): coder B copies
most of A's segments with jittered ends and adds some of their own.

    .venv/bin/python bench/coding_agreement.py --docs 100
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coding_common import peak_rss_mb, transcript_row  # noqa: E402

from review.coding.agreement import Table, agreement, cohen_kappa  # noqa: E402
from review.coding.codebook import ensure_codebook  # noqa: E402
from review.coding.codings import bulk_apply  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store.db import session_scope  # noqa: E402
from review.store.workspace import init  # noqa: E402


def per_character(texts: dict, codings: list) -> dict:
    """The peer: kappa per code from explicit per-character vectors."""
    vec = defaultdict(lambda: defaultdict(dict))
    for sid, code, coder, a, b in codings:
        v = vec[code][sid].setdefault(coder, bytearray(texts[sid]))
        v[a:b] = b"\x01" * (b - a)
    out = {}
    for code, by_source in vec.items():
        t = Table()
        for sid, length in texts.items():
            va = by_source.get(sid, {}).get("A", bytearray(length))
            vb = by_source.get(sid, {}).get("B", bytearray(length))
            for x, y in zip(va, vb, strict=True):
                if x and y:
                    t.both += 1
                elif x:
                    t.a_only += 1
                elif y:
                    t.b_only += 1
                else:
                    t.neither += 1
        out[code] = cohen_kappa(t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="agreement over many documents")
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--chars", type=int, default=20_000, help="characters per document")
    ap.add_argument("--segments", type=int, default=60, help="segments per coder per document")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        with session_scope(ws.engine) as s:
            ensure_codebook(s, ws.codebook_path)
            codes = list(s.scalars(select(m.Code.id).where(m.Code.codable.is_(True))))
            s.execute(
                insert(m.Source),
                [transcript_row(f"d{i}", "x" * args.chars) for i in range(args.docs)],
            )
            sources = list(s.scalars(select(m.Source.id)))
            rows = {"A": [], "B": []}
            for sid in sources:
                for _ in range(args.segments):
                    a = rng.randrange(0, args.chars - 600)
                    b = a + rng.randint(50, 500)
                    code = rng.choice(codes)
                    rows["A"].append(dict(source_id=sid, code_id=code, start=a, end=b))
                    if rng.random() < 0.8:
                        a2 = max(0, a + rng.randint(-30, 30))
                        b2 = min(args.chars, max(a2 + 1, b + rng.randint(-30, 30)))
                        rows["B"].append(dict(source_id=sid, code_id=code, start=a2, end=b2))
                    if rng.random() < 0.2:
                        c = rng.randrange(0, args.chars - 300)
                        rows["B"].append(
                            dict(
                                source_id=sid,
                                code_id=rng.choice(codes),
                                start=c,
                                end=c + rng.randint(50, 300),
                            )
                        )
            bulk_apply(s, rows["A"], coder="A")
            bulk_apply(s, rows["B"], coder="B")
        t0 = time.perf_counter()
        with session_scope(ws.engine) as s:
            doc = agreement(s, "A", "B")
        service_s = time.perf_counter() - t0
        texts = {sid: args.chars for sid in sources}
        flat = [
            (r["source_id"], r["code_id"], who, r["start"], r["end"])
            for who in ("A", "B")
            for r in rows[who]
        ]
        t0 = time.perf_counter()
        peer = per_character(texts, flat)
        peer_s = time.perf_counter() - t0
        ws.close()
    mismatches = [
        c["code"]
        for c in doc["codes"]
        if c["character"]["kappa"] is not None
        and abs(c["character"]["kappa"] - round(peer[c["code_id"]], 4)) > 1e-4
    ]
    print(
        json.dumps(
            {
                "documents": args.docs,
                "characters": doc["characters"],
                "codings": len(flat),
                "codes": len(doc["codes"]),
                "overall_kappa": doc["overall"]["character"]["kappa"],
                "overall_segment_agreement": doc["overall"]["segment"]["percent_agreement"],
                "service_seconds": round(service_s, 3),
                "per_character_peer_seconds": round(peer_s, 2),
                "peer_over_service_time": round(peer_s / service_s, 1),
                "kappa_mismatches_vs_peer": mismatches,
                "peak_rss_mb": peak_rss_mb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
