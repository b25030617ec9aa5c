"""Pathological inputs built from real files: one very long line, deep nesting, one line repeated
— each importer must finish or refuse within seconds (issue 15, item 3).

`tests/test_pathological.py` runs them at 1 MB in the suite; `bench/pathological.py --mb 10`
runs them at 10 MB and prints each one's time and peak memory for the README.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# one real file per text format: (name, file)
SEEDS = {
    "bibtex": "corpus/literature/co-production.bib",
    "ris": "tests/data/vendor/ris/jabref_RisImporterTestScopus.ris",
    "wos": "tests/data/vendor/ris/rispy_example_wos.ris",
    "ovid": "tests/data/exports/ovid_medline_embase.txt",
    "endnote": "tests/data/exports/scholar.enw",
    "transcript": "corpus/transcripts/fg1_community_safety.txt",
    "vtt": "corpus/transcripts/fg2_local_environment.vtt",
    "participants": "corpus/transcripts/participants.csv",
    "indicators": "corpus/indicators/five-country-survey-2008.csv",
    "csv": "tests/data/vendor/survey/csps2013_benchmarks_20131125.csv",
}

KINDS = ("one-line", "nesting", "repeated", "commas")


def _insert_at(data: bytes) -> int:
    """Inside the first record: after the first line break past a fifth of the file, then
    after the first separator on that line (a field's value)."""
    nl = data.find(b"\n", len(data) // 5)
    nl = nl + 1 if nl >= 0 else len(data)
    line_end = data.find(b"\n", nl)
    line_end = len(data) if line_end < 0 else line_end
    for sep in (b"= {", b"={", b"  - ", b": ", b","):
        at = data.find(sep, nl, line_end)
        if at >= 0:
            return at + len(sep)
    return nl


def build(name: str, kind: str, size: int) -> tuple[str, bytes]:
    """(file name, bytes) of one pathological variant of the seed of `name`."""
    seed_path = REPO / SEEDS[name]
    seed = seed_path.read_bytes()
    at = _insert_at(seed)
    if kind == "one-line":  # a single line of `size` bytes of words and punctuation
        payload = (b"word, (more) [text] {here}; " * (size // 28 + 1))[:size]
    elif kind == "nesting":  # brackets, braces and parentheses opened and never closed
        third = size // 3
        payload = b"{" * third + b"(" * third + b"[" * (size - 2 * third)
    elif kind == "commas":
        payload = b"," * size
    else:  # the seed's lines repeated to `size`
        payload = b""
        lines = seed.splitlines(keepends=True) or [seed]
        body = b"".join(lines[1:]) or seed
        payload = (body * (size // max(len(body), 1) + 1))[:size]
        return seed_path.name, seed + b"\n" + payload
    return seed_path.name, seed[:at] + payload + seed[at:]
