"""How good are keyword suggestions? Precision and recall per code against hand coding.

The gold standard is `bench/coding_gold.csv`: the three sample focus groups in
`corpus/transcripts/` coded by hand (a person reading the text and choosing the quote; the
offsets were then located in the imported text). This script imports the transcripts into a
throw-away workspace, runs the suggester (exact lemma matching, then with fuzzy matching), and
compares at passage level: a (passage, code) pair is gold-positive when a gold coding of that
code overlaps the passage, and suggested when a suggestion of that code overlaps it.
Passages are speaker turns by default (`--unit sentence` for sentences).

    .venv/bin/python bench/suggest_quality.py [--unit turn|sentence]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review.coding.codebook import code_paths, ensure_codebook  # noqa: E402
from review.coding.suggest import suggest  # noqa: E402
from review.importers import import_paths  # noqa: E402
from review.store import models as m  # noqa: E402
from review.store.db import session_scope  # noqa: E402
from review.store.workspace import init  # noqa: E402

GOLD = ROOT / "bench" / "coding_gold.csv"
TRANSCRIPTS = ROOT / "corpus" / "transcripts"


def overlaps(spans, a, b) -> bool:
    return any(s < b and a < e for s, e in spans)


def pairs(units, spans_by_key) -> set[tuple[int, str]]:
    """(unit index, code path) for every unit overlapped by a span of that code."""
    out = set()
    for i, (sid, a, b) in enumerate(units):
        for (src, code), spans in spans_by_key.items():
            if src == sid and overlaps(spans, a, b):
                out.add((i, code))
    return out


def score(gold: set, found: set, codes: list[str]) -> dict:
    per_code = {}
    for code in codes:
        g = {p for p in gold if p[1] == code}
        f = {p for p in found if p[1] == code}
        tp = len(g & f)
        per_code[code] = {
            "gold": len(g),
            "suggested": len(f),
            "true_positives": tp,
            "precision": round(tp / len(f), 3) if f else None,
            "recall": round(tp / len(g), 3) if g else None,
        }
    tp = len(gold & found)
    precisions = [v["precision"] for v in per_code.values() if v["precision"] is not None]
    recalls = [v["recall"] for v in per_code.values() if v["recall"] is not None]
    return {
        "micro": {
            "gold": len(gold),
            "suggested": len(found),
            "true_positives": tp,
            "precision": round(tp / len(found), 3) if found else None,
            "recall": round(tp / len(gold), 3) if gold else None,
        },
        "macro": {
            "precision": round(sum(precisions) / len(precisions), 3) if precisions else None,
            "recall": round(sum(recalls) / len(recalls), 3) if recalls else None,
        },
        "per_code": per_code,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", choices=("turn", "sentence"), default="turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        reports = import_paths(ws.engine, [TRANSCRIPTS])
        failed = [r.file for r in reports if r.status not in ("imported", "unchanged")]
        with session_scope(ws.engine) as s:
            ensure_codebook(s, ws.codebook_path)
            keys = {k: i for i, k in s.execute(select(m.Source.id, m.Source.key)).all()}
            gold_spans: dict = defaultdict(list)
            for row in csv.DictReader(GOLD.open(encoding="utf-8")):
                sid = keys[row["source"]]
                text = s.get(m.Source, sid).text
                a, b = int(row["start"]), int(row["end"])
                assert text[a:b] == row["quote"], f"gold drifted: {row['source']} {a}:{b}"
                gold_spans[(sid, row["code"])].append((a, b))
            units = s.execute(
                select(m.Passage.source_id, m.Passage.start, m.Passage.end)
                .where(m.Passage.kind == args.unit)
                .order_by(m.Passage.source_id, m.Passage.start)
            ).all()
            codes = sorted(p for c, p in code_paths(s).items() if s.get(m.Code, c).codable)
            gold = pairs(units, gold_spans)
            results = {}
            for mode in ("exact", "fuzzy"):
                s.execute(delete(m.Suggestion))
                n = suggest(s, fuzzy=(mode == "fuzzy"))
                paths = code_paths(s)
                found_spans: dict = defaultdict(list)
                for sug in s.scalars(select(m.Suggestion)):
                    found_spans[(sug.source_id, paths[sug.code_id])].append((sug.start, sug.end))
                results[mode] = {"suggestions": n, **score(gold, pairs(units, found_spans), codes)}
        ws.close()
    print(
        json.dumps(
            {
                "gold_file": str(GOLD.relative_to(ROOT)),
                "unit": args.unit,
                "units": len(units),
                "import_failures": failed,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
