"""Benchmark: literature import (parse + normalise + store) against the bare parser alone.

Generates N realistic BibTeX entries and N RIS records (deterministic seed: authors with
LaTeX accents, @string journals, month macros, page ranges, DOIs, abstracts, keywords), then
times, each in its own subprocess so peak memory (VmHWM) is per phase:

- bibtex-bare: `bibtexparser.parse_string(text)` (the library with its default middleware,
  as shipped: Python's garbage collector on)
- bibtex-bare-nogc: the same with the garbage collector off, for reference: our import
  pauses the collector while a file loads (see `review.collector.paused`), so this shows
  how much of the gap that pause alone explains
- bibtex-parse: our parse + normalise alone (no database), to show where the time goes
- bibtex-ours: `review.importers.import_file` into a fresh SQLite workspace database
- ris-bare, ris-bare-nogc: `rispy.loads(text)`, likewise
- ris-parse:   our RIS parse + normalise alone
- bibtex-store, ris-store: the floor under any import of these rows: JSON encoding plus the
  driver's executemany and COMMIT of the final rows, prepared outside the timing
- ris-ours:    `import_file` of the RIS file
- bibtex-shell-bare, bibtex-shell-ours, ris-shell-bare, ris-shell-ours: the whole process as
  a user starts it from the shell, interpreter start-up and every module import included:
  `python -c "import bibtexparser; bibtexparser.parse_file(F)"` (and `... import rispy;
  rispy.load(F)`) against `review -w WS import F` into a workspace made beforehand with
  `review init` (outside the timing); wall time, the child's CPU time and peak RSS from
  `os.wait4`. Our package is byte-compiled first (`compileall`), as an installed copy is and
  as the peers' are (`--no-compile`: a checkout that has never written its bytecode)

Every timed region starts from the file on disk (read and decoded inside the timing). Module
imports are outside it on both sides (`import bibtexparser` / `import rispy` for the peer;
our format modules, found once per process by `review.importers.formats()`, for ours).
Prints one JSON document: wall and CPU seconds, records/s, peak RSS (MiB) per phase (the
fastest of `--repeat` interleaved runs, plus the median CPU and wall seconds of all of them),
and the ratios ours/bare on CPU time (robust when other processes share the machine) and wall
time (target <= 1.5); for the whole-process phases also the ratio of the medians and the
median and spread of the per-repeat ratios (ours against the bare run just before it).
Run: `.venv/bin/python bench/import_literature.py --n 50000 --repeat 1` (in-process phases)
and `.venv/bin/python bench/import_literature.py --n 20000 --repeat 5 --phases shell`
(whole process, issue 14's target: ours <= 1.5x the bare parser's process).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import chain
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAST = [
    "Bovaird",
    "Loeffler",
    "Van Ryzin",
    "Parrado",
    "Magno",
    "Cassia",
    "Osborne",
    "Brandsen",
    "Pestoff",
    "Ostrom",
    "Alford",
    "Needham",
    "Voorberg",
    "Nabatchi",
]
LAST_TEX = [
    'L{\\"o}ffler',
    "Garc{\\'\\i}a",
    'M{\\"u}ller',
    "Jens{\\o}n",
    "Fran{\\c c}ois",
    "Dvo{\\v r}{\\'a}k",
    "{\\O}stergaard",
    "Erd{\\H o}s",
]
LAST_UTF = ["Löffler", "García", "Müller", "Jensøn", "François", "Dvořák", "Østergaard", "Erdős"]
# Real libraries have thousands of distinct surnames; a few hundred made from syllables keep
# generated cite keys (authorYEARword) from colliding far more often than real ones do.
_SYL = [
    "ba",
    "ro",
    "ken",
    "li",
    "mar",
    "tin",
    "sch",
    "ul",
    "ver",
    "dal",
    "ny",
    "ha",
    "gu",
    "pe",
    "stor",
    "vik",
    "an",
    "do",
]
LAST = LAST + [
    (a + b + c).capitalize() for a in _SYL[:9] for b in _SYL[9:] for c in ("n", "s", "er")
]
FIRST = [
    "Tony",
    "Elke",
    "Gregg",
    "Salvador",
    "Francesca",
    "Fabio",
    "Stephen",
    "Taco",
    "Victor",
    "Elinor",
    "John",
    "Catherine",
    "William",
    "Tina",
    "Anna",
    "Jürgen",
]
WORDS = (
    "co-production public services citizens collective individual participation "
    "governance local authorities health safety environment survey evidence outcomes "
    "engagement community policy professional user design delivery assessment "
    "commissioning trust efficacy volunteering neighbourhood welfare reform"
).split()
JOURNALS = {
    "par": "Public Administration Review",
    "pmr": "Public Management Review",
    "jsp": "Journal of Social Policy",
    "iras": "International Review of Administrative Sciences",
    "voluntas": "Voluntas",
}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_bibtex(n: int, seed: int) -> str:
    rng = random.Random(seed)
    out = [f"@string{{{k} = {{{v}}}}}\n" for k, v in JOURNALS.items()]
    out.append('@preamble{ "\\newcommand{\\noopsort}[1]{}" }\n\n')
    for i in range(n):
        names = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.15:
                last = rng.choice(LAST_TEX)
            else:
                last = rng.choice(LAST)
            names.append(
                f"{last}, {rng.choice(FIRST)}"
                if rng.random() < 0.6
                else f"{rng.choice(FIRST)} {last}"
            )
        title = _sentence(rng, rng.randint(6, 14)).capitalize()
        if rng.random() < 0.2:
            title = "{" + title.split()[0] + "} " + " ".join(title.split()[1:]) + " in {UK}"
        year = rng.randint(1978, 2024)
        sp = rng.randint(1, 900)
        journal = (
            rng.choice(list(JOURNALS))
            if rng.random() < 0.5
            else "{" + rng.choice(list(JOURNALS.values())) + "}"
        )
        authors = " and\n    ".join(names)
        out.append(
            f"@article{{key{i},\n"
            f"  author = {{{authors}}},\n"
            f"  title = {{{title}}},\n"
            f"  journal = {journal},\n"
            f"  year = {{{year}}},\n"
            f"  month = {rng.choice(MONTHS)},\n"
            f"  volume = {{{rng.randint(1, 80)}}},\n"
            f"  number = {{{rng.randint(1, 12)}}},\n"
            f"  pages = {{{sp}--{sp + rng.randint(5, 30)}}},\n"
            f"  doi = {{10.{rng.randint(1000, 9999)}/bench.{i}}},\n"
            f"  abstract = {{{_sentence(rng, rng.randint(60, 160))}.}},\n"
            f"  keywords = {{{', '.join(rng.sample(WORDS, 4))}}},\n"
            "}\n\n"
        )
    return "".join(out)


def make_ris(n: int, seed: int) -> str:
    rng = random.Random(seed + 1)
    out = []
    for i in range(n):
        lines = ["TY  - JOUR"]
        for _ in range(rng.randint(1, 6)):
            last = rng.choice(LAST_UTF) if rng.random() < 0.15 else rng.choice(LAST)
            lines.append(f"AU  - {last}, {rng.choice(FIRST)}")
        sp = rng.randint(1, 900)
        lines += [
            f"TI  - {_sentence(rng, rng.randint(6, 14)).capitalize()} {i}",
            f"T2  - {rng.choice(list(JOURNALS.values()))}",
            f"PY  - {rng.randint(1978, 2024)}",
            f"VL  - {rng.randint(1, 80)}",
            f"IS  - {rng.randint(1, 12)}",
            f"SP  - {sp}",
            f"EP  - {sp + rng.randint(5, 30)}",
            f"DO  - https://doi.org/10.{rng.randint(1000, 9999)}/BENCH.{i}",
            f"AB  - {_sentence(rng, rng.randint(60, 160))}.",
        ]
        lines += [f"KW  - {w}" for w in rng.sample(WORDS, 4)]
        lines += ["DB  - Scopus", "N1  - Export Date: 1 April 2024", "ER  - ", ""]
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def _peak_mib() -> float:
    """This process's peak RSS. Linux `VmHWM` (ru_maxrss survives exec, so a child would
    report the parent's peak when that is higher); ru_maxrss elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _store_floor(fmt: str, path: Path) -> tuple[float, float, int]:
    """What storing alone costs: the rows `import_file` would store, prepared outside the
    timing (parsed, normalised, keyed, all other columns filled); timed: encoding their JSON
    columns, then the driver's executemany of the compiled multi-row `insert(Source)` (as
    `review.ingest.sources._execute_rows` stores them) and the COMMIT
    into a fresh workspace database (same pragmas: WAL, synchronous=NORMAL), no per-row
    Python besides. No import can store for less; it is the floor under our ratio."""
    from review.ingest.formats import bibtex, ris
    from review.ingest.literature import make_key
    from review.ingest.sources import (
        _ENCODE,
        _ROW_DEFAULTS,
        ROWS_PER_STATEMENT,
        _compiled_insert,
        _compiled_multi_insert,
        _encode_names,
    )
    from review.ingest.textio import read_text
    from review.store.models import utcnow
    from review.store.records import refer_to_abstract
    from review.store.workspace import init

    text = read_text(path.read_bytes()).text
    if fmt == "bibtex":
        records, _ = bibtex.parse(text)
    else:
        parsed, _ = ris.parse(text)
        records = []
        for p in parsed:
            row = ris.normalise(p["tags"])
            record = refer_to_abstract(p["tags"], row["abstract"])  # as the import stores it
            records.append(
                row | {"record": record, "record_format": "ris", "origin_line": p["line"]}
            )
    del text
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init(Path(tmp) / "ws")
        sql, columns, processors = _compiled_insert(ws.engine.dialect)
        created = processors["created"](utcnow())
        rows = []
        for i, rec in enumerate(records):
            row = {**_ROW_DEFAULTS, **rec, "origin_file": str(path), "created": created}
            key = row["key"] or make_key(row["authors"], row["year"], row["title"], row["doi"])
            row["key"] = f"{key}-{i}"  # unique, as the clash resolution makes them
            rows.append(row)
        del records
        raw = ws.engine.raw_connection()
        cur = raw.cursor()
        cur.execute(
            "INSERT INTO importbatch (path, format, strict, status, n_records, "
            "n_imported, n_skipped, problems, started) "
            "VALUES ('x', 'x', 0, 'x', 0, 0, 0, '[]', '2000-01-01')"
        )
        batch_id = cur.lastrowid
        as_tuple = itemgetter(*columns)
        t, c = time.perf_counter(), time.process_time()
        params = []
        for row in rows:
            row["authors"] = _encode_names(row["authors"])
            row["keywords"] = _encode_names(row["keywords"])
            row["record"] = _ENCODE(row["record"])
            row["meta"] = "{}"
            row["batch_id"] = batch_id
            params.append(as_tuple(row))
        # as `_execute_rows` stores them: multi-row INSERTs of ROWS_PER_STATEMENT rows
        per = ROWS_PER_STATEMENT
        whole = len(params) - len(params) % per
        multi = _compiled_multi_insert(ws.engine.dialect, per)
        cur.execute("BEGIN")
        cur.executemany(
            multi, [tuple(chain.from_iterable(params[i : i + per])) for i in range(0, whole, per)]
        )
        if whole < len(params):
            rest = _compiled_multi_insert(ws.engine.dialect, len(params) - whole)
            cur.execute(rest, tuple(chain.from_iterable(params[whole:])))
        cur.execute("COMMIT")
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        n = cur.execute("SELECT count(*) FROM source").fetchone()[0]
        raw.close()
        ws.close()
    return secs, cpu, n


SHELL_BARE = {
    "bibtex": "import bibtexparser, sys; bibtexparser.parse_file(sys.argv[1])",
    "ris": "import rispy, sys, pathlib; rispy.load(pathlib.Path(sys.argv[1]))",
}


def compile_ours(skip: bool) -> str:
    """Byte-compile our package before the whole-process phases, as an installed package is.

    The peers' modules come from site-packages with the bytecode `pip` wrote; ours, an
    editable checkout, has bytecode only once a run has written it, and never when
    `PYTHONDONTWRITEBYTECODE` is set (as on the shared machine): every `review` process would
    then compile ~60 modules from source (~0.15 s CPU) that no user's installed copy compiles.
    """
    if skip:
        return "not compiled beforehand (--no-compile)"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "review")],
        check=True,
        capture_output=True,
    )
    return "our package byte-compiled beforehand (compileall), as pip installs it"


def run_shell(phase: str, path: Path) -> dict:
    """One whole process, as started from a shell, timed from outside (see the notes)."""
    import os

    fmt = phase.split("-")[0]
    with tempfile.TemporaryDirectory() as tmp:
        if phase.endswith("-ours"):
            review = str(Path(sys.executable).with_name("review"))
            ws = Path(tmp) / "ws"
            subprocess.run([review, "init", str(ws)], check=True, capture_output=True)
            argv = [review, "-w", str(ws), "import", str(path)]
        else:
            argv = [sys.executable, "-c", SHELL_BARE[fmt], str(path)]
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err[-500:]}")
    return {
        "seconds": round(secs, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "records": None,
        "records_per_s": None,
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "rss_before_mib": 0.0,
    }


def run_phase(phase: str, path: Path) -> dict:
    """One measurement in this (fresh) process."""
    import gc

    base = _peak_mib()
    if "-bare" in phase:  # file read and decoded inside the timing, as ours is
        if phase.endswith("-nogc"):
            gc.disable()
        if phase.startswith("bibtex"):
            import bibtexparser

            t, c = time.perf_counter(), time.process_time()
            lib = bibtexparser.parse_string(path.read_text("utf-8"))
            secs, cpu = time.perf_counter() - t, time.process_time() - c
            n = len(lib.entries)
        else:
            import rispy

            t, c = time.perf_counter(), time.process_time()
            n = len(rispy.loads(path.read_text("utf-8")))
            secs, cpu = time.perf_counter() - t, time.process_time() - c
    elif phase.endswith("-parse"):  # ours without the database: parse + normalise only
        from review import collector
        from review.ingest.formats import bibtex, ris
        from review.ingest.textio import read_text

        t, c = time.perf_counter(), time.process_time()
        with collector.paused():  # as in `import_file`
            text = read_text(path.read_bytes()).text
            if phase.startswith("bibtex"):
                rows, _ = bibtex.parse(text)
            else:
                parsed, _ = ris.parse(text)
                rows = [ris.normalise(rec["tags"]) for rec in parsed]
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        n = len(rows)
    elif phase.endswith("-store"):  # the floor: only encoding + SQLite for the final rows
        secs, cpu, n = _store_floor(phase.split("-")[0], path)
    else:
        from review.importers import formats, import_file
        from review.store.workspace import init

        formats()  # every format module imported once, outside the timing (as the peer's)
        with tempfile.TemporaryDirectory() as tmp:
            ws, _ = init(Path(tmp) / "ws")
            engine = ws.engine
            import review.ingest.literature.bibtex_splitter  # noqa: F401  (and bibtexparser)

            t, c = time.perf_counter(), time.process_time()
            report = import_file(engine, path)
            secs, cpu = time.perf_counter() - t, time.process_time() - c
            n = report.imported
            assert report.status == "imported", (report.status, report.problems[:3])
            ws.close()
    return {
        "seconds": round(secs, 3),
        "cpu_seconds": round(cpu, 3),
        "records": n,
        "records_per_s": round(n / secs),
        "peak_rss_mib": round(_peak_mib(), 1),
        "rss_before_mib": round(base, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=50_000, help="records per format")
    ap.add_argument("--seed", type=int, default=20081)
    ap.add_argument("--repeat", type=int, default=3, help="runs per phase; the fastest counts")
    ap.add_argument(
        "--phases",
        default="in-process,shell",
        help="in-process (parser, parse, store, ours), shell (whole processes), or both",
    )
    ap.add_argument(
        "--no-compile",
        action="store_true",
        help="shell phases: do not byte-compile our package first (see compile_ours)",
    )
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, Path(args.file))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "bench.bib"
        ris = Path(tmp) / "bench.ris"
        bib.write_text(make_bibtex(args.n, args.seed), "utf-8")
        ris.write_text(make_ris(args.n, args.seed), "utf-8")
        results: dict = {
            "n": args.n,
            "seed": args.seed,
            "repeat": args.repeat,
            "bytes": {"bibtex": bib.stat().st_size, "ris": ris.stat().st_size},
        }
        kinds = args.phases.split(",")
        whats = []
        if "in-process" in kinds:
            whats += ["bare", "bare-nogc", "parse", "store", "ours"]
        if "shell" in kinds:
            whats += ["shell-bare", "shell-ours"]
            results["bytecode"] = compile_ours(args.no_compile)
        phases = tuple(f"{fmt}-{what}" for fmt in ("bibtex", "ris") for what in whats)
        runs: dict[str, list[dict]] = {p: [] for p in phases}
        for _ in range(args.repeat):  # interleaved, so load from other processes hits all
            for phase in phases:
                path = bib if phase.startswith("bibtex") else ris
                if "-shell-" in phase:
                    runs[phase].append(run_shell(phase, path))
                    continue
                out = subprocess.run(
                    [sys.executable, __file__, "--phase", phase, "--file", str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                runs[phase].append(json.loads(out.stdout))
        for phase in phases:  # the fastest run of each phase (least disturbed by others)
            results[phase] = dict(min(runs[phase], key=lambda r: r["cpu_seconds"]))
            results[phase]["median_cpu_seconds"] = round(
                statistics.median(r["cpu_seconds"] for r in runs[phase]), 3
            )
            results[phase]["median_seconds"] = round(
                statistics.median(r["seconds"] for r in runs[phase]), 3
            )
    for fmt in ("bibtex", "ris"):
        if f"{fmt}-shell-ours" in results:
            ours, bare = results[f"{fmt}-shell-ours"], results[f"{fmt}-shell-bare"]
            # each repeat ran ours right after the bare parser: the ratio of each such pair
            paired = sorted(
                o["cpu_seconds"] / b["cpu_seconds"]
                for o, b in zip(runs[f"{fmt}-shell-ours"], runs[f"{fmt}-shell-bare"], strict=True)
            )
            results[f"{fmt}_ratio_whole_process_ours_to_bare"] = {
                "cpu": round(ours["cpu_seconds"] / bare["cpu_seconds"], 2),
                "wall": round(ours["seconds"] / bare["seconds"], 2),
                "cpu_of_medians": round(ours["median_cpu_seconds"] / bare["median_cpu_seconds"], 2),
                "cpu_paired_median": round(statistics.median(paired), 2),
                "cpu_paired_spread": [round(paired[0], 2), round(paired[-1], 2)],
            }
        if f"{fmt}-bare" not in results:
            continue
        bare = results[f"{fmt}-bare"]
        for what, phase in (("ours", f"{fmt}-ours"), ("parse_normalise", f"{fmt}-parse")):
            mine = results[phase]
            results[f"{fmt}_ratio_{what}_to_bare"] = {
                "cpu": round(mine["cpu_seconds"] / bare["cpu_seconds"], 2),
                "wall": round(mine["seconds"] / bare["seconds"], 2),
            }
        results[f"{fmt}_ratio_store_floor_to_bare"] = {
            "cpu": round(results[f"{fmt}-store"]["cpu_seconds"] / bare["cpu_seconds"], 2),
            "wall": round(results[f"{fmt}-store"]["seconds"] / bare["seconds"], 2),
        }
        nogc = results[f"{fmt}-bare-nogc"]
        results[f"{fmt}_ratio_ours_to_bare_nogc"] = {
            "cpu": round(results[f"{fmt}-ours"]["cpu_seconds"] / nogc["cpu_seconds"], 2),
            "wall": round(results[f"{fmt}-ours"]["seconds"] / nogc["seconds"], 2),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
