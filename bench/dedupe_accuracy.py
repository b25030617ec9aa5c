"""Duplicate detection: precision, recall, F1, wall time and peak memory, against bib-dedupe.

Generates a synthetic library (deterministic seed) in which papers come back two to five times
with the variations real exports show (capitalisation, DOI spelled as URL / `doi:` / URL-encoded
or missing, abbreviated journals, other author formats, typos, HTML/LaTeX remnants, "[Review]"
tags, online-first year and pages), plus hard negatives that must NOT be merged (errata,
conference vs journal versions, "Part 1"/"Part 2", annual editorials with the same title).
The ground truth is kept; both tools see the same records, each in its own subprocess so peak
memory (ru_maxrss growth) is measured per tool.

    .venv/bin/python bench/dedupe_accuracy.py --n 100000            # ours and bib-dedupe
    .venv/bin/python bench/dedupe_accuracy.py --n 2000 --tools ours  # smoke run
    .venv/bin/python bench/dedupe_accuracy.py --n 100000 --tools ours,ours-db  # via SQLite

bib-dedupe (PyPI, not a project dependency): `.venv/bin/pip install bib-dedupe`; when it is
missing its column says so and the run goes on. It runs offline (no downloads needed).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20260411
STOP = ["of", "the", "and", "in", "for", "on", "a", "to", "with"]


def _word(rng: random.Random) -> str:
    syll = [
        "co",
        "pro",
        "duc",
        "tion",
        "ser",
        "vice",
        "pub",
        "lic",
        "ci",
        "ti",
        "zen",
        "com",
        "mu",
        "ni",
        "ty",
        "gov",
        "ern",
        "ance",
        "val",
        "ue",
        "par",
        "tic",
        "i",
        "pa",
        "ry",
        "lo",
        "cal",
        "health",
        "care",
        "man",
        "age",
        "ment",
        "pol",
        "icy",
        "net",
        "work",
        "de",
        "sign",
        "as",
        "sess",
        "de",
        "liv",
        "er",
        "trust",
        "reg",
        "ion",
        "al",
        "ur",
    ]
    return "".join(rng.choice(syll) for _ in range(rng.randint(2, 4)))


class Library:
    """Pools of words, names and venues from which papers are drawn."""

    def __init__(self, rng: random.Random) -> None:
        self.words = sorted({_word(rng) for _ in range(9000)})
        self.weights = [1 / (i + 10) for i in range(len(self.words))]  # Zipf-like reuse
        self.surnames = sorted({_word(rng).capitalize() for _ in range(6000)})
        self.given = sorted({_word(rng).capitalize() for _ in range(400)})
        heads = ["Journal of", "Review of", "International Journal of", "Annals of"]
        self.journals = sorted(
            {
                f"{rng.choice(heads)} {_word(rng).capitalize()} {_word(rng).capitalize()}"
                for _ in range(700)
            }
        )
        self.conferences = sorted(
            {
                f"Proceedings of the {_word(rng).capitalize()} Conference on "
                f"{_word(rng).capitalize()}"
                for _ in range(150)
            }
        )

    def title(self, rng: random.Random) -> str:
        n = rng.randint(6, 14)
        words = rng.choices(self.words, weights=self.weights, k=n)
        for i in range(1, n - 1, 3):
            words.insert(i, rng.choice(STOP))
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def authors(self, rng: random.Random) -> list[tuple[str, str]]:
        return [
            (rng.choice(self.surnames), rng.choice(self.given))
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5, 6]))
        ]


def abbreviate(venue: str) -> str:
    words = [w for w in venue.split() if w.lower() not in STOP]
    return " ".join(w if len(w) <= 4 else w[: max(3, len(w) // 2)] for w in words)


def author_string(authors: list[tuple[str, str]], style: str) -> list[str]:
    if style == "initials-first":
        return [f"{g[0]}. {s}" for s, g in authors]
    if style == "pubmed":
        return ["".join(f"{s} {g[0]}." for s, g in authors)]
    if style == "surname-initial":
        return [f"{s} {g[0]}" for s, g in authors]
    return [f"{s}, {g}" for s, g in authors]


def typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, max(2, len(text) - 1))
    op = rng.choice("sdi")
    if op == "s":
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]
    if op == "d":
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i:]


def paper(lib: Library, rng: random.Random, n: int) -> dict:
    conference = rng.random() < 0.15
    first = rng.randint(1, 900)
    return {
        "title": lib.title(rng),
        "authors": lib.authors(rng),
        "year": rng.randint(1990, 2025),
        "venue": rng.choice(lib.conferences if conference else lib.journals),
        "kind": "conference" if conference else "article",
        "volume": str(rng.randint(1, 80)),
        "pages": f"{first}-{first + rng.randint(5, 30)}",
        "doi": f"10.{rng.randint(1000, 9999)}/x{n:07d}" if rng.random() < 0.7 else None,
    }


def render(p: dict, rng: random.Random, variant: bool) -> dict:
    """One database's record of paper `p`; `variant` applies export differences."""
    rec = {
        "title": p["title"],
        "venue": p["venue"],
        "kind": p["kind"],
        "year": p["year"],
        "volume": p["volume"],
        "pages": p["pages"],
        "doi": p["doi"],
        "authors": author_string(p["authors"], "comma"),
    }
    if not variant:
        return rec
    r = rng.random
    if r() < 0.3:
        rec["title"] = rec["title"].upper()
    elif r() < 0.2:
        rec["title"] = rec["title"].lower()
    if r() < 0.35:
        for _ in range(rng.choice([1, 1, 2])):
            rec["title"] = typo(rng, rec["title"])
    if r() < 0.1:
        rec["title"] += rng.choice([" [Review]", ". [Article in German]", "."])
    if r() < 0.1:
        rec["title"] = rec["title"].replace(" and ", " &amp; ", 1)
        w = rec["title"].split()
        w[-1] = "<i>" + w[-1] + "</i>"
        rec["title"] = " ".join(w)
    if rec["doi"]:
        x = r()
        if x < 0.25:
            rec["doi"] = None
        elif x < 0.4:
            rec["doi"] = "https://doi.org/" + rec["doi"].upper()
        elif x < 0.5:
            rec["doi"] = "doi:" + rec["doi"]
        elif x < 0.55:
            rec["doi"] = "http://dx.doi.org/" + rec["doi"].replace("/", "%2F")
    if r() < 0.4:
        rec["venue"] = abbreviate(rec["venue"])
    elif r() < 0.1:
        rec["venue"] = None
    rec["authors"] = author_string(
        p["authors"], rng.choice(["comma", "initials-first", "pubmed", "surname-initial"])
    )
    if r() < 0.1 and rec["venue"]:  # online first: a year earlier, pages 1-n
        rec["year"] = p["year"] - 1
        rec["pages"] = f"1-{rng.randint(10, 30)}"
        rec["volume"] = None
    elif r() < 0.15:
        rec["pages"] = None
    return rec


def negative(p: dict, rng: random.Random, lib: Library, n: int) -> dict:
    """A different record that looks like `p`: it must not be merged with it."""
    rec = render(p, rng, variant=False)
    kind = rng.choice(["erratum", "conference", "part", "annual"])
    if kind == "erratum":
        rec["title"] = "Erratum: " + p["title"]
        rec["doi"] = f"10.{rng.randint(1000, 9999)}/err{n:07d}"
        rec["pages"] = str(rng.randint(1, 900))
    elif kind == "conference":
        rec["venue"] = rng.choice(lib.conferences)
        rec["kind"] = "conference"
        rec["year"] = p["year"] - 1
        rec["doi"] = None
        rec["volume"] = rec["pages"] = None
    elif kind == "part":
        rec["title"] = p["title"] + ": Part 2"
        rec["doi"] = None
    else:
        rec["year"] = p["year"] + rng.choice([2, 3, 5])
        rec["doi"] = f"10.{rng.randint(1000, 9999)}/ann{n:07d}"
    return rec


def generate(n: int, seed: int = SEED) -> tuple[list[dict], list[int]]:
    """About `n` records and each one's ground-truth paper id."""
    rng = random.Random(seed)
    lib = Library(rng)
    records: list[dict] = []
    truth: list[int] = []
    pid = 0
    while len(records) < n:
        p = paper(lib, rng, pid)
        copies = rng.choice([2, 2, 2, 3, 3, 4, 5]) if rng.random() < 0.25 else 1
        for c in range(copies):
            records.append(render(p, rng, variant=c > 0))
            truth.append(pid)
        pid += 1
        if rng.random() < 0.04:  # a hard negative: its own paper id
            records.append(negative(p, rng, lib, pid))
            truth.append(pid)
            pid += 1
    records, truth = records[:n], truth[:n]
    order = list(range(len(records)))
    rng.shuffle(order)
    out = []
    for new, old in enumerate(order):
        rec = records[old]
        rec["key"] = f"r{new:07d}"
        out.append(rec)
    return out, [truth[i] for i in order]


def pairs_of(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {(a, b) if a < b else (b, a) for g in groups for a, b in combinations(g, 2)}


def score(pred_groups: list[list[int]], truth: list[int]) -> dict:
    by_paper: dict[int, list[int]] = {}
    for i, t in enumerate(truth):
        by_paper.setdefault(t, []).append(i)
    true_pairs = pairs_of([g for g in by_paper.values() if len(g) > 1])
    pred = pairs_of(pred_groups)
    tp = len(pred & true_pairs)
    fp = len(pred - true_pairs)
    fn = len(true_pairs - pred)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "true_pairs": len(true_pairs),
        "predicted_pairs": len(pred),
        "tp": tp,
        "false_merges": fp,
        "missed": fn,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
    }


def _rss_now_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() // 1024


def run_ours(records: list[dict]) -> tuple[list[list[int]], dict]:
    from review.screening.dedupe.detect import detect

    index = {r["key"]: i for i, r in enumerate(records)}
    result = detect(records)
    groups = [[index[k] for k in c.keys] for c in result.clusters]
    return groups, {"maybe_pairs": len(result.maybe), "candidate_pairs": result.candidates}


def run_ours_db(records: list[dict]) -> tuple[list[list[int]], dict]:
    """The same detection as `review dedupe --json`: records loaded from a SQLite workspace
    (bulk-inserted before the clock starts), then detected."""
    import tempfile

    from sqlalchemy import insert

    from review.screening.dedupe.service import apply, find_duplicates
    from review.store import models as m
    from review.store.db import session_scope
    from review.store.workspace import init

    tmp = tempfile.mkdtemp(prefix="dedupe-bench-")
    ws, _ = init(Path(tmp) / "ws")
    rows = [
        {
            "key": r["key"],
            "kind": r["kind"],
            "title": r["title"],
            "authors": r["authors"],
            "year": r["year"],
            "venue": r["venue"],
            "volume": r["volume"],
            "pages": r["pages"],
            "doi": r["doi"],
            "keywords": [],
            "record": {},
            "meta": {},
            "created": m.utcnow(),
        }
        for r in records
    ]
    with session_scope(ws.engine) as s:
        s.execute(insert(m.Source), rows)
    global _T0, _C0
    _T0, _C0 = time.perf_counter(), time.process_time()  # the clocks start after the inserts
    with session_scope(ws.engine) as s:
        result = find_duplicates(s)
    index = {r["key"]: i for i, r in enumerate(records)}
    groups = [[index[k] for k in c.keys] for c in result.clusters]
    t_apply, c_apply = time.perf_counter(), time.process_time()  # then `--apply`: one commit
    with session_scope(ws.engine) as s:
        merged, refused = apply(s, result)
    apply_s = round(time.perf_counter() - t_apply, 2)
    global _T_END, _C_END
    _T_END, _C_END = t_apply, c_apply
    return groups, {
        "maybe_pairs": len(result.maybe),
        "candidate_pairs": result.candidates,
        "apply_s": apply_s,
        "clusters_merged": len(merged),
        "clusters_refused": len(refused),
    }


_T0: float | None = None
_T_END: float | None = None
_C_END: float | None = None
_C0: float | None = None


def run_bib_dedupe(records: list[dict]) -> tuple[list[list[int]], dict]:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    rows = []
    for r in records:
        row = {
            "ID": r["key"],
            "ENTRYTYPE": "inproceedings" if r["kind"] == "conference" else "article",
            "title": r["title"],
            "author": " and ".join(r["authors"]),
            "year": str(r["year"]),
            "volume": r["volume"] or "",
            "pages": r["pages"] or "",
            "doi": r["doi"] or "",
            "number": "",
            "abstract": "",
        }
        row["booktitle" if r["kind"] == "conference" else "journal"] = r["venue"] or ""
        rows.append(row)
    df = pd.DataFrame(rows).fillna("")
    cpu = 1
    p = prep(df, verbosity_level=0, cpu=cpu)
    b = block(p, verbosity_level=0, cpu=cpu)
    m = match(b, verbosity_level=0, cpu=cpu)
    duplicates = m[m["duplicate_label"] == "duplicate"] if len(m) else m
    index = {r["key"]: i for i, r in enumerate(records)}
    groups = [[index[k] for k in g] for g in cluster(duplicates, verbosity_level=0) if len(g) > 1]
    maybe = int((m["duplicate_label"] == "maybe").sum()) if len(m) else 0
    return groups, {"maybe_pairs": maybe, "candidate_pairs": len(b)}


def child(tool: str, n: int) -> None:
    records, truth = generate(n)
    before = _rss_now_kb()
    try:
        runner = {"ours": run_ours, "ours-db": run_ours_db}.get(tool, run_bib_dedupe)
        t0, c0 = time.perf_counter(), time.process_time()
        groups, extra = runner(records)
        wall = (_T_END or time.perf_counter()) - (_T0 or t0)  # detection only
        cpu = (_C_END or time.process_time()) - (
            _C0 or c0
        )  # less sensitive than wall time to a shared machine
    except ImportError as exc:
        print(json.dumps({"tool": tool, "error": f"not installed: {exc}"}))
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    doc = {
        "tool": tool,
        "records": len(records),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mem_mb": round(max(peak - before, 0) / 1024, 1),
        **extra,
        **score(groups, truth),
    }
    print(json.dumps(doc))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="records to generate")
    ap.add_argument("--tools", default="ours,bib-dedupe", help="ours, ours-db, bib-dedupe")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.n)
        return
    records, truth = generate(args.n)
    planted = args.n - len(set(truth))
    results = []
    for tool in args.tools.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--n", str(args.n), "--child", tool],
            capture_output=True,
            text=True,
        )
        line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        results.append(json.loads(line) if line else {"tool": tool, "error": proc.stderr[-500:]})
    doc = {
        "benchmark": "dedupe_accuracy",
        "seed": SEED,
        "records": len(records),
        "planted_duplicate_records": planted,
        "results": results,
    }
    ours = next((r for r in results if r["tool"] == "ours" and "wall_s" in r), None)
    peer = next((r for r in results if r["tool"] == "bib-dedupe" and "wall_s" in r), None)
    if ours and peer:
        doc["ratios"] = {
            "time_ours_over_bib_dedupe": round(ours["wall_s"] / peer["wall_s"], 3),
            "memory_ours_over_bib_dedupe": round(ours["peak_mem_mb"] / peer["peak_mem_mb"], 3)
            if peer["peak_mem_mb"]
            else None,
            "f1_ours_minus_bib_dedupe": round(ours["f1"] - peer["f1"], 4),
            "false_merges_ours_minus_bib_dedupe": ours["false_merges"] - peer["false_merges"],
        }
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
