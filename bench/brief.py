"""`review brief` at scale: seconds and peak memory per format, against a bare SQL scan.

Builds a synthetic workspace (deterministic seed): N sources (80 % literature, 20 % focus-group
transcripts with speaker turns and participant attributes), the co-production code tree,
M codings spread over the sources (sector codings included), the three 2008 indicators with
evidence links, and include/exclude screening decisions. Then, each in its own subprocess so
peak memory (ru_maxrss) belongs to one measurement:

- peer: a bare `SELECT source_id, code_id, start, end FROM coding ORDER BY source_id, start`
  through sqlite3, every row fetched (the least any briefing must read);
- build: the five tables as data (`review.outputs.brief.tables.build`);
- md, csv, html, docx: build plus rendering and writing that format with its figures (what
  `review brief --format X` does: SVG figures with md and html, PNG with docx).

Each measurement runs twice a round (`--imports both`, the default): with the modules it
imports timed too, as a user's `review brief` process pays them (`md`, ...), and with them
imported before the timing starts (`md/imports-outside`), as the peer's own module (sqlite3)
is imported at the top of this script, outside its timing: the work alone, the same way on
both sides. Each result lists the modules still imported while it was timed
(`packages_imported_while_timed`: empty when `MODULES` covers them).

Each round runs every measurement once, the peer first; `--repeat N` rounds, and each
measurement's fastest round counts (the machine is shared). Wall and CPU seconds (user +
system of the child, from wait4) are both reported; the ratios are CPU against the peer's CPU
(fastest against fastest), and also per round against that round's peer, with their median
(`x_peer_cpu_rounds`, `x_peer_cpu_median`).

    .venv/bin/python bench/brief.py --sources 10000 --codings 1000000   # the target
    .venv/bin/python bench/brief.py --sources 200 --codings 5000         # smoke run
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261129
CODES = {
    "Four Cs": ["Co-commissioning", "Co-design", "Co-delivery", "Co-assessment"],
    "Mode": ["Individual co-production", "Collective co-production"],
    "Sector": ["Community safety", "Local environment", "Public health"],
    "Drivers": ["Trust", "Ease of action", "Community ties"],
    "Barriers": ["Lack of time", "Distrust", "Lack of information"],
}
AREAS = ["North", "South", "East", "West", "Centre"]
WORDS = ("citizens residents council volunteers recycling litter police health clinic park "
         "together neighbours budget design deliver assess report trust time").split()  # fmt: skip


def generate(db: Path, n_sources: int, n_codings: int) -> dict:
    """Write the synthetic workspace with bulk inserts in one transaction."""
    from sqlalchemy import insert

    from review.store import models as m
    from review.store.db import open_engine, session_scope
    from review.store.models import utcnow

    rng = random.Random(SEED)
    engine = open_engine(f"sqlite:///{db}")
    now = utcnow()
    with session_scope(engine) as s:
        s.add(m.Coder(name="bench"))
        s.flush()
        code_ids: dict[str, int] = {}
        for root, kids in CODES.items():
            r = m.Code(name=root, codable=False)
            s.add(r)
            s.flush()
            for k in kids:
                c = m.Code(name=k, parent_id=r.id)
                s.add(c)
                s.flush()
                code_ids[f"{root}/{k}"] = c.id
        sector_ids = [code_ids[f"Sector/{k}"] for k in CODES["Sector"]]
        other_ids = [v for k, v in code_ids.items() if not k.startswith("Sector/")]
        n_tr = n_sources // 5
        text = " ".join(rng.choice(WORDS) for _ in range(400))  # ~3,000 characters
        sources = []
        for i in range(n_sources):
            tr = i < n_tr
            sources.append(dict(
                id=i + 1, key=f"s{i:06d}", kind="transcript" if tr else "article",
                title=f"Study {i} of co-production", authors=[f"Author{i % 997}, A."],
                year=1990 + i % 35, text=text, database=None if tr else rng.choice(
                    ["Scopus", "Web of Science"]), record={}, keywords=[], meta=(
                    {"group": f"Group {i}"} if tr else {}), created=now,
            ))  # fmt: skip
        s.execute(insert(m.Source), sources)
        people = [dict(id=p + 1, name=f"P{p}", role="participant", created=now) for p in range(200)]
        s.execute(insert(m.Participant), people)
        s.execute(
            insert(m.ParticipantAttribute),
            [dict(participant_id=p + 1, name="area", value=AREAS[p % 5]) for p in range(200)],
        )
        passages = []
        for sid in range(1, n_tr + 1):
            for t in range(10):
                pid = rng.randrange(200) + 1
                passages.append(dict(source_id=sid, start=t * 300, end=t * 300 + 299, kind="turn",
                                     speaker=f"P{pid - 1}", participant_id=pid))  # fmt: skip
        s.execute(insert(m.Passage), passages)
        per = max(1, n_codings // n_sources)
        batch = []
        for i in range(n_codings):
            sid = (i // per) % n_sources + 1
            start = rng.randrange(0, 2900)
            end = start + rng.randrange(20, 100)
            cid = rng.choice(sector_ids) if i % 10 == 0 else rng.choice(other_ids)
            batch.append(dict(source_id=sid, code_id=cid, start=start, end=end,
                              quote=text[start:end], coder_id=1, origin="manual",
                              created=now))  # fmt: skip
            if len(batch) == 50_000:
                s.execute(insert(m.Coding), batch)
                batch = []
        if batch:
            s.execute(insert(m.Coding), batch)
        for k, (sector, value) in enumerate(
            (("Local environment", 61), ("Public health", 52), ("Community safety", 45)), 1
        ):
            s.add(m.Indicator(id=k, name="Citizen co-production index", sector=sector,
                              year=2008, value=value, value_text=str(value), n=4951))  # fmt: skip
        s.flush()
        s.add(m.EvidenceLink(indicator_id=1, code_id=code_ids["Four Cs/Co-delivery"]))
        s.add(m.EvidenceLink(indicator_id=2, code_id=code_ids["Four Cs/Co-design"]))
        s.add(m.EvidenceLink(indicator_id=3, code_id=code_ids["Mode/Collective co-production"]))
        decisions = []
        for sid in range(n_tr + 1, n_sources + 1):
            decision = "exclude" if rng.random() < 0.2 else "include"
            for stage in ("title-abstract", "full-text"):
                decisions.append(dict(source_id=sid, coder_id=1, stage=stage, final=True,
                                      decision=decision if stage == "full-text" else "include",
                                      reason="wrong population" if decision == "exclude" else None,
                                      created=now))  # fmt: skip
        s.execute(insert(m.ScreeningDecision), decisions)
        from review.screening.decisions import store_status

        store_status(s)  # rows written around the service: their stored status (m0012)
    engine.dispose()
    return {"sources": n_sources, "codings": n_codings, "transcripts": n_tr}


# The modules each measurement imports, for `--imports outside`: the peer's own module
# (sqlite3) is imported at the top of this script, before its timing starts.
BRIEF_MODULES = [
    "review.outputs.brief.render", "review.outputs.brief.tables", "review.store.db",
    "review.store.migrate", "review.store.migrations", "review.screening.prisma",
    "review.coding.agreement", "review.evidence.indicators", "review.ingest.textio",
    "review.ingest.zipcheck", "review.outputs.brief.docx_note", "review.outputs.brief.plots",
    "numpy", "numpy.ma", "pkgutil", "encodings.cp1252", "encodings.cp437", "encodings.utf_8_sig",
]  # fmt: skip
FIGURE_MODULES = [
    "matplotlib", "matplotlib.figure",
    "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg", "matplotlib.patches",
    "matplotlib.ticker", "matplotlib.transforms",
]  # fmt: skip
DOCX_MODULES = ["docx", "lxml.etree"]
MODULES = {
    "peer": [],
    "build": BRIEF_MODULES,
    "csv": BRIEF_MODULES,
    "md": BRIEF_MODULES + FIGURE_MODULES,
    "html": BRIEF_MODULES + FIGURE_MODULES,
    "docx": BRIEF_MODULES + FIGURE_MODULES + DOCX_MODULES,
}


def measure(db: Path, what: str, out: Path, imports: str = "inside") -> dict:
    """One measurement in this (fresh) process. `imports`: 'inside' times the modules'
    import too (what a user's `review brief` process pays); 'outside' imports them first,
    as the peer's sqlite3 is, and times the work alone."""
    import importlib

    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ru_import = resource.getrusage(resource.RUSAGE_SELF)
    if imports == "outside":
        for name in MODULES[what]:
            importlib.import_module(name)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    imports_cpu = ru0.ru_utime + ru0.ru_stime - ru_import.ru_utime - ru_import.ru_stime
    before = set(sys.modules)
    t0 = time.perf_counter()
    if what == "peer":
        con = sqlite3.connect(db)
        n = 0
        for _ in con.execute(
            "SELECT source_id, code_id, start, end FROM coding ORDER BY source_id, start"
        ):
            n += 1
        con.close()
        extra = {"rows": n}
    else:
        from review.outputs.brief.render import write
        from review.outputs.brief.tables import build
        from review.store.db import open_engine, session_scope

        engine = open_engine(f"sqlite:///{db}")
        with session_scope(engine) as s:
            note = build(s)
        built = time.perf_counter() - t0
        files = [] if what == "build" else write(note, out / what, [what])
        extra = {"build_seconds": round(built, 3), "bytes": sum(f.stat().st_size for f in files)}
        if what == "build":
            extra = {"tables": {t.id: len(t.rows) for t in note.tables}}
    seconds = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    # what the timing still imported (with imports outside: only modules the list misses)
    late = sorted(set(sys.modules) - before)
    peak_kib = ru.ru_maxrss
    cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_mib": round(peak_kib / 1024, 1),
        "peak_growth_mib": round((peak_kib - base_kib) / 1024, 1),
        "imports": imports,
        "imports_cpu_seconds": round(imports_cpu, 3),
        "packages_imported_while_timed": late,
        **extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--codings", type=int, default=1_000_000)
    ap.add_argument("--formats", default="md,csv,html,docx")
    ap.add_argument("--repeat", type=int, default=1, help="Rounds; the fastest counts.")
    ap.add_argument(
        "--imports",
        choices=["inside", "outside", "both"],
        default="both",
        help="Time the modules' import with the work (inside: what a user's process pays), "
        "import them first as the peer's sqlite3 is (outside), or measure both ways.",
    )
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        imports = "inside" if args.imports == "both" else args.imports
        print(json.dumps(measure(Path(args.db), args.measure, Path(args.out), imports)))
        return
    if args.generate:
        print(json.dumps(generate(Path(args.db), args.sources, args.codings)))
        return
    from import_literature import compile_ours  # (this script's folder is on sys.path)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        # as an installed copy is; with PYTHONDONTWRITEBYTECODE set (the shared machine) every
        # child would otherwise compile the modules changed since the last bytecode was written
        bytecode = compile_ours(skip=False)
        t0 = time.perf_counter()
        # in a child too, so no measurement inherits the generator's memory high-water mark
        gen = [sys.executable, __file__, "--generate", "--db", str(db),
               "--sources", str(args.sources), "--codings", str(args.codings)]  # fmt: skip
        info = json.loads(subprocess.run(gen, capture_output=True, text=True, check=True).stdout)
        info["generate_seconds"] = round(time.perf_counter() - t0, 1)
        info["bytecode"] = bytecode
        results: dict[str, dict] = {}
        rounds: dict[str, list[float]] = {}
        ratios: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            peer_now = None
            modes = ["inside", "outside"] if args.imports == "both" else [args.imports]
            runs = [("peer", "inside")]
            runs += [(w, mode) for w in ["build", *args.formats.split(",")] for mode in modes]
            for what, mode in runs:
                cmd = [sys.executable, __file__, "--measure", what, "--db", str(db), "--out", tmp,
                       "--imports", mode]  # fmt: skip
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                what = what if mode == "inside" or what == "peer" else f"{what}/imports-outside"
                r = json.loads(done.stdout)
                rounds.setdefault(what, []).append(r["cpu_seconds"])
                if what == "peer":
                    peer_now = r["cpu_seconds"]
                else:  # the ratio to this round's own peer
                    ratios.setdefault(what, []).append(round(r["cpu_seconds"] / peer_now, 2))
                best = results.get(what)
                if best is None or r["cpu_seconds"] < best["cpu_seconds"]:
                    results[what] = r
        peer, peer_wall = results["peer"]["cpu_seconds"], results["peer"]["seconds"]
        for what, r in results.items():
            r["cpu_rounds"] = rounds[what]
            if what != "peer":
                r["x_peer_cpu"] = round(r["cpu_seconds"] / peer, 2)
                r["x_peer_wall"] = round(r["seconds"] / peer_wall, 2)
                # per round against that round's peer: the median and the spread
                r["x_peer_cpu_rounds"] = ratios[what]
                r["x_peer_cpu_median"] = statistics.median(ratios[what])
        info["load_average"] = [round(x, 2) for x in __import__("os").getloadavg()]
    print(json.dumps({"workspace": info, "results": results}, indent=2))


if __name__ == "__main__":
    main()
