"""A seeded mutation fuzzer over real files: the only outcomes an import may have are an import
(with or without reported problems) or a failed file with a reason — never an exception, never
"internal error", never minutes.

`tests/test_fuzz.py` runs it for a few seconds in the suite; `bench/fuzz_import.py` runs it for
as long as you like (`--seconds`, `--seed`) and prints the counts the README quotes.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "testdata"

# (file, format forced or None to detect): real files written by other projects, and the
# sample workspace's own corpus
SEEDS = [
    "tests/data/vendor/bibtex/bibtexparser_traps.bib",
    "tests/data/vendor/bibtex/pybtex_xampl.bib",
    "tests/data/vendor/ris/jabref_RisImporterTestScopus.ris",
    "tests/data/vendor/ris/rispy_example_wos.ris",
    "tests/data/vendor/ris/rispy_example_bom.ris",
    "tests/data/exports/ovid_medline_embase.txt",
    "tests/data/exports/scholar.enw",
    "tests/data/vendor/transcripts/vttjs_spec-example.vtt",
    "tests/data/vendor/survey/csps2013_benchmarks_20131125.csv",
    "tests/data/vendor/qdpx/skyloom_TestProject_ATLASti_standard.qdpx",
    "corpus/literature/co-production.bib",
    "corpus/transcripts/fg1_community_safety.txt",
    "corpus/transcripts/fg2_local_environment.vtt",
    "corpus/transcripts/fg3_public_health.docx",
    "corpus/transcripts/participants.csv",
    "corpus/indicators/five-country-survey-2008.csv",
]
SHARED_SEEDS = [
    "transcripts/webvttpy_sample.srt",
    "transcripts/qualcoder_transcript.txt",
    "transcripts/qualcoder_ID1.docx",
    "survey/qualcoder_survey456.csv",
    "ris/qualcoder_bibliography_zotero.ris",
    "dedup/bibdedupe/special_cases/records_pre_merged.csv",
]

PUNCTUATION = [b",", b"(", b'"', b"{", b"\\", b"-", b".", b"<", b"\x00", b"\xff", b"\x1b["]


def seed_files() -> list[Path]:
    files = [REPO / s for s in SEEDS]
    files += [SHARED / s for s in SHARED_SEEDS if (SHARED / s).is_file()]
    return [f for f in files if f.is_file()]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four of: flip, insert, delete, duplicate, truncate, a run of punctuation."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        n = len(out)
        op = rng.randrange(7)
        at = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(n)] = rng.randrange(256)
        elif op == 1:  # insert random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2 and n:  # delete a range
            out[at : at + rng.randint(1, max(1, n // 8))] = b""
        elif op == 3 and n:  # duplicate a range
            end = min(n, at + rng.randint(1, 4096))
            out[at:at] = out[at:end] * rng.randint(1, 8)
        elif op == 4 and n:  # truncate
            del out[at:]
        elif op == 5:  # a run of punctuation (the spaCy / csv.Sniffer killers)
            out[at:at] = rng.choice(PUNCTUATION) * rng.randint(100, 20_000)
        else:  # a line or field made very long
            out[at:at] = b"x" * rng.randint(1_000, 200_000)
    return bytes(out)


@dataclass
class Outcome:
    runs: Counter = field(default_factory=Counter)  # by seed file suffix
    statuses: Counter = field(default_factory=Counter)
    bugs: list[str] = field(default_factory=list)  # "internal error" or an exception
    slow: list[tuple[float, str]] = field(default_factory=list)
    slowest: float = 0.0


def fuzz(engine, folder: Path, seconds: float, seed: int, slow_after: float = 10.0) -> Outcome:
    """Mutate the seed files round-robin for `seconds`; import each mutant into `engine`."""
    from review.importers import import_file

    rng = random.Random(seed)
    seeds = [(p, p.read_bytes()) for p in seed_files()]
    outcome = Outcome()
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        path, data = seeds[i % len(seeds)]
        mutant = mutate(data, rng)
        target = folder / f"m{i}{path.suffix}"
        target.write_bytes(mutant)
        start = time.monotonic()
        try:
            report = import_file(engine, target)
        except Exception as exc:  # the pipeline must never raise for input
            outcome.bugs.append(f"{path.name} #{i}: raised {type(exc).__name__}: {exc}")
        else:
            outcome.statuses[report.status] += 1
            for p in report.problems:
                if "internal error" in p.message:
                    outcome.bugs.append(f"{path.name} #{i}: {p.message}")
        took = time.monotonic() - start
        outcome.slowest = max(outcome.slowest, took)
        if took > slow_after:
            outcome.slow.append((took, f"{path.name} #{i}"))
        outcome.runs[path.suffix] += 1
        target.unlink()
        i += 1
    return outcome
