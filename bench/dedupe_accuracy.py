"""Duplicate detection: TP / FP / FN, precision, recall, F1, time and peak memory, ours
against bib-dedupe, on real labelled searches first and on a synthetic library second.

Real sets (`../shared/testdata/dedup/`, read its README): `cytology_screening` (1,856 records)
and `respiratory` (1,988) are real review searches with person-confirmed duplicate clusters;
`special_cases` is bib-dedupe's set of hard cases (its "maybe" pair is not a duplicate);
`test_cases` is bib-dedupe's 25 curated pairs, each run on its own as bib-dedupe's own tests
do. Scored as bib-dedupe scores: a cluster of k records is k(k-1)/2 predicted pairs; a pair
left in a "maybe" queue is not predicted.

`synthetic` is a seeded generated library (papers repeated two to five times with the
variations exports show, plus hard negatives: errata, conference versions, "Part 2", annual
editorials). The same people wrote its generator and our rules, so its F1 is an upper bound.

Every tool runs on every set in its own subprocess: the clock and the peak-memory reading
(ru_maxrss growth) cover detection only; records are loaded and the tool's modules imported
before the clock starts.

    .venv/bin/python bench/dedupe_accuracy.py                      # real sets, ours + bib-dedupe
    .venv/bin/python bench/dedupe_accuracy.py --sets synthetic --n 20000
    .venv/bin/python bench/dedupe_accuracy.py --sets respiratory --tools ours,ours-db
    .venv/bin/python bench/dedupe_accuracy.py --sets synthetic --n 100000 --tools ours,ours-db

`ours` is the pure pipeline on the rows; `ours-db` is what `review import` + `review dedupe
--json` do: the set's CSV imported by our CSV importer into a SQLite workspace (before the
clock), then detection from the database. bib-dedupe (PyPI, not a project dependency:
`.venv/bin/pip install 'bib-dedupe==0.11.*'`) runs with `cpu=1`, its fastest setting on the
2-core machine (all cores measured slower); when it is missing its rows say so.
"""

from __future__ import annotations

import argparse
import csv
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

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "dedup"
REAL_SETS = ("cytology_screening", "respiratory", "special_cases", "test_cases")
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


# --- the real sets --------------------------------------------------------------------------


def real_set(name: str) -> tuple[list[list[dict]], set[tuple[str, str]]]:
    """The set's BibTeX-style rows, in groups that are deduplicated separately (one group for
    a search; one per case for the curated pairs), and the true duplicate pairs of IDs."""
    if name == "test_cases":
        doc = json.loads((TESTDATA / "bibdedupe_test_cases.json").read_text("utf-8"))
        groups, truth = [], set()
        for n, case in enumerate(doc["cases"]):
            a, b = dict(case["record_a"]), dict(case["record_b"])
            a["ID"], b["ID"] = f"c{n:02d}a", f"c{n:02d}b"  # some cases reuse one ID
            groups.append([a, b])
            if case["expected_duplicate"]:
                truth.add((a["ID"], b["ID"]))
        return groups, truth
    folder = TESTDATA / "bibdedupe" / name
    with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as fh:
        rows = [{k: v for k, v in r.items() if v not in ("", None)} for r in csv.DictReader(fh)]
    with open(folder / "merged_record_ids.csv", encoding="utf-8", newline="") as fh:
        clusters = [r["merged_ids"].split(";") for r in csv.DictReader(fh)]
    return [rows], pairs_of_keys(clusters)


def pairs_of_keys(groups) -> set[tuple[str, str]]:
    return {(a, b) if a < b else (b, a) for g in groups for a, b in combinations(sorted(g), 2)}


def score_pairs(pred: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict:
    tp, fp, fn = len(pred & truth), len(pred - truth), len(truth - pred)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "true_pairs": len(truth),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def ours_on_rows(groups: list[list[dict]]) -> tuple[list[list[str]], int]:
    from review.screening.dedupe import detect, plain_from_bibtex

    clusters, maybe = [], 0
    for rows in groups:
        result = detect([plain_from_bibtex(r) for r in rows])
        clusters += [c.keys for c in result.clusters]
        maybe += len(result.maybe)
    return clusters, maybe


def ours_db_on_set(name: str):
    """Import the set's CSV with our CSV importer (before the clock), then detect from the
    workspace exactly as `review dedupe --json` does. Returns a callable that detects."""
    import tempfile

    from sqlalchemy import select

    from review.importers import import_paths
    from review.screening.dedupe.service import find_duplicates
    from review.store import models as m
    from review.store.db import session_scope
    from review.store.workspace import init

    survivor = m.Source.__table__.alias("survivor")  # type: ignore[attr-defined]

    ws, _ = init(Path(tempfile.mkdtemp(prefix="dedupe-bench-")) / "ws")
    csv_file = TESTDATA / "bibdedupe" / name / "records_pre_merged.csv"
    (report,) = import_paths(ws.engine, [csv_file])
    if report.imported != report.records:
        raise SystemExit(f"{name}: imported {report.imported} of {report.records}")

    def run() -> tuple[list[list[str]], int]:
        with session_scope(ws.engine) as s:
            result = find_duplicates(s)
            # rows the import already marked (identical apart from their ID) join the
            # cluster of the record they repeat, as `review dedupe --history` shows them
            linked = s.execute(
                select(m.Source.key, survivor.c.key).join(
                    survivor, survivor.c.id == m.Source.merged_into_id
                )
            ).all()
        group = {k: c.keys for c in result.clusters for k in c.keys}
        for key, first in linked:
            cluster = group.get(first) or [first]
            cluster.append(key)
            group[first] = group[key] = cluster
        clusters = list({id(c): c for c in group.values()}.values())
        return clusters, len(result.maybe)

    return run


def bib_dedupe_on_rows(groups: list[list[dict]]) -> tuple[list[list[str]], int]:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    columns = ["ID", "ENTRYTYPE", "author", "title", "year", "journal", "booktitle"]
    columns += ["volume", "number", "pages", "doi", "abstract"]
    clusters, maybe = [], 0
    for rows in groups:
        df = pd.DataFrame(rows)
        for col in columns:
            if col not in df:
                df[col] = ""
        df = df.fillna("").astype(str)
        p = prep(df, verbosity_level=0, cpu=1)
        b = block(p, verbosity_level=0, cpu=1)
        m = match(b, verbosity_level=0, cpu=1)
        if not len(m):
            continue
        dup = m[m["duplicate_label"] == "duplicate"]
        clusters += [list(g) for g in cluster(dup, verbosity_level=0) if len(g) > 1]
        maybe += int((m["duplicate_label"] == "maybe").sum())
    return clusters, maybe


def _preload(tool: str) -> None:
    """Import the tool's modules before the clock (both tools alike)."""
    if tool == "bib-dedupe":
        import bib_dedupe.bib_dedupe  # noqa: F401
        import pandas  # noqa: F401
    else:
        import review.screening.dedupe.detect  # noqa: F401
        import review.screening.dedupe.service  # noqa: F401


def child_real(tool: str, name: str) -> dict:
    groups, truth = real_set(name)
    _preload(tool)
    if tool == "ours-db":
        if name == "test_cases":
            return {"tool": tool, "set": name, "error": "per-pair cases: run `ours`"}
        runner = ours_db_on_set(name)
    elif tool == "ours":

        def runner():
            return ours_on_rows(groups)

    else:

        def runner():
            return bib_dedupe_on_rows(groups)

    before = _rss_now_kb()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    clusters, maybe = runner()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "tool": tool,
        "set": name,
        "records": sum(len(g) for g in groups),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mem_mb": round(max(peak - max(before, base), 0) / 1024, 1),
        "maybe_pairs": maybe,
        **score_pairs(pairs_of_keys(clusters), truth),
    }


# --- the synthetic library ------------------------------------------------------------------


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
        "tp": tp,
        "fp": fp,
        "fn": fn,
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


def child_synthetic(tool: str, n: int) -> dict:
    records, truth = generate(n)
    _preload(tool)
    before = _rss_now_kb()
    runner = {"ours": run_ours, "ours-db": run_ours_db}.get(tool, run_bib_dedupe)
    t0, c0 = time.perf_counter(), time.process_time()
    groups, extra = runner(records)
    wall = (_T_END or time.perf_counter()) - (_T0 or t0)  # detection only
    cpu = (_C_END or time.process_time()) - (_C0 or c0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "tool": tool,
        "set": "synthetic",
        "records": len(records),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mem_mb": round(max(peak - before, 0) / 1024, 1),
        **extra,
        **score(groups, truth),
    }


def child(tool: str, name: str, n: int) -> None:
    try:
        doc = child_synthetic(tool, n) if name == "synthetic" else child_real(tool, name)
    except ImportError as exc:
        doc = {"tool": tool, "set": name, "error": f"not installed: {exc}"}
    print(json.dumps(doc))


def table(results: list[dict]) -> str:
    """The figures as the README's table (one row per set and tool)."""
    head = "| set | tool | TP | FP | FN | precision | recall | F1 | maybe | wall s | peak MB |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['set']} | {r['tool']} | {r['error']} |")
            continue
        lines.append(
            f"| {r['set']} | {r['tool']} | {r['tp']} | {r['fp']} | {r['fn']} | "
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r.get('maybe_pairs', '')} | {r['wall_s']:.2f} | {r['peak_mem_mb']:.0f} |"
        )
    return "\n".join(lines)


def verdicts(results: list[dict]) -> dict:
    """Per set: F1 above bib-dedupe's, no more false pairs, at most a third of its time."""
    out = {}
    for name in dict.fromkeys(r["set"] for r in results):
        ours = next((r for r in results if r["set"] == name and r["tool"] == "ours"), None)
        peer = next((r for r in results if r["set"] == name and r["tool"] == "bib-dedupe"), None)
        if not ours or not peer or "error" in ours or "error" in peer:
            continue
        out[name] = {
            "f1_ours_minus_bib_dedupe": round(ours["f1"] - peer["f1"], 4),
            "fp_ours_minus_bib_dedupe": ours["fp"] - peer["fp"],
            "time_ours_over_bib_dedupe": round(ours["wall_s"] / peer["wall_s"], 3)
            if peer["wall_s"]
            else None,
            "memory_ours_over_bib_dedupe": round(ours["peak_mem_mb"] / peer["peak_mem_mb"], 3)
            if peer["peak_mem_mb"]
            else None,
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(REAL_SETS), help="real sets and/or synthetic")
    ap.add_argument("--n", type=int, default=20_000, help="records of the synthetic library")
    ap.add_argument("--tools", default="ours,bib-dedupe", help="ours, ours-db, bib-dedupe")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--set", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.set, args.n)
        return
    results = []
    for name in args.sets.split(","):
        for tool in args.tools.split(","):
            proc = subprocess.run(
                [sys.executable, __file__, "--n", str(args.n), "--child", tool, "--set", name],
                capture_output=True,
                text=True,
            )
            out = proc.stdout.strip().splitlines()
            doc = json.loads(out[-1]) if out else {"set": name, "tool": tool}
            if not out:
                doc["error"] = proc.stderr.strip().splitlines()[-1][:300] if proc.stderr else "?"
            results.append(doc)
            print(table([doc]).splitlines()[-1], file=sys.stderr)
    doc = {"benchmark": "dedupe_accuracy", "results": results, "ratios": verdicts(results)}
    if "synthetic" in args.sets:
        doc["synthetic"] = {"seed": SEED, "records": args.n}
    print(json.dumps(doc, indent=2))
    print(table(results), file=sys.stderr)


if __name__ == "__main__":
    main()
