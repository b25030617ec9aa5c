"""Ovid tagged text (MEDLINE, Embase, PsycINFO, … searched through Ovid): `<1. >` record
numbers, then `VN  - Ovid Technologies`, `DB  - Ovid MEDLINE(R) ALL` and two- to four-letter
tags; values continued on indented lines.

Ovid's "Citavi", "Reprint/Medlars" and "BRS/Tagged" exports, the files many systematic
reviews start from. Without this reader such a file was taken for a plain-text transcript (a
"document" titled `<1>`): every record lost to the review. The tags are Ovid's, not PubMed's
even where they look alike: `UI` is the PubMed id, `IS` the ISSN, `YR` the year, `SO` the
whole citation ("BMJ Open. 9(6):e026755, 2019 06 04."), which gives the venue, volume, issue
and pages when no tag of their own does. `DB` names the database (MEDLINE through Ovid is
`MEDLINE`, not PubMed: see `ris.known_database`). `Source.record` keeps every tag with its
values in file order, as the other tagged formats do.
"""

from __future__ import annotations

import re
from pathlib import Path

from review.ingest.formats.ris import known_database
from review.ingest.formats.tagged import citation_parts, first_value, head_for_detect, store_parsed
from review.ingest.literature import (
    normalise_doi,
    parse_year,
    split_keywords,
    tidy_names,
    unquote_title,
)
from review.ingest.literature.kinds import from_labels
from review.ingest.pipeline import Format, ImportContext

_DETECT = re.compile(rb"(?m)^[ \t]*VN {1,2}- ?Ovid Technologies")
_RIS = re.compile(rb"(?m)^TY  - ")
_NUMBER = re.compile(r"^\s*<\s*\d+\s*\.?\s*>\s*$")  # `<1. >`, `<12>`
_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_AUTHOR_NOTE = re.compile(r"\s*\[.*$")  # "Werner, S. M. [Author, Reprint Author; E-mail: …]"
_TITLE_NOTE = re.compile(r"\s*\[(?:Article|Report|Miscellaneous|References)\]\.?\s*$")


def detect(path: Path, data: bytes) -> int:
    """Every Ovid tagged export carries `VN  - Ovid Technologies` near each record's top; an
    RIS file (Ovid's RIS export, `TY  - JOUR`) is RIS's, whatever else it holds."""
    head = head_for_detect(data)
    return 98 if _DETECT.search(head) and not _RIS.search(head) else 0


def parse(text: str) -> tuple[list[dict], list[tuple]]:
    """Ovid tagged text to (records, problems): `{"line": n, "tags": {tag: [values]}}` each.

    A record starts at a `<n. >` line, or at a `VN` tag when the record before already has
    tags (an export without the numbers); a line that starts with white space continues the
    value before it."""
    records: list[dict] = []
    problems: list[tuple] = []
    current: dict | None = None
    last: str | None = None
    fresh = False  # a `<n. >` line opened a record that has no tag yet
    stray = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if _NUMBER.match(line):
            current = {"line": number, "tags": {}}
            records.append(current)
            last, fresh = None, True
            continue
        if line[0] in " \t":
            if current is not None and last is not None:
                values = current["tags"][last]
                values[-1] = f"{values[-1]} {line.strip()}".strip()
            else:
                stray += 1
            continue
        m = _TAG.match(line.rstrip())
        if m is None:
            stray += 1
            continue
        tag, value = m.group(1), m.group(2).strip()
        if current is None or (tag == "VN" and not fresh and current["tags"]):
            current = {"line": number, "tags": {}}
            records.append(current)
        fresh = False
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if stray:
        problems.append((None, f"{stray} line(s) outside any record ignored", "warning", None))
    return [r for r in records if r["tags"]], problems


def normalise(tags: dict) -> dict:
    """The `Source` columns of one Ovid record."""

    def first(*names: str) -> str | None:
        return first_value(tags, *names)

    source = first("SO") or ""
    cited = citation_parts(source)
    doi = None
    for value in [*tags.get("DO", ()), *tags.get("DI", ())]:
        if "10." in value:
            doi = normalise_doi(value)
            break
    authors = tags.get("FA") or tags.get("AU") or []
    authors = [_AUTHOR_NOTE.sub("", a) if "[" in a else a for a in authors]
    title = first("TI")
    if title:
        title = _TITLE_NOTE.sub("", title)
    ui = first("UI")
    keywords = split_keywords([*tags.get("KW", ()), *tags.get("MH", ())])
    return {
        "kind": from_labels(tags.get("PT") or tags.get("DT") or []),
        "title": unquote_title(title),
        "authors": tidy_names(authors),
        "year": parse_year(first("YR", "DP", "PY")) or parse_year(source or None),
        "venue": first("JN", "JT", "JX", "BT") or cited["venue"],
        "volume": first("VI", "VO") or cited["volume"],
        "issue": first("IP") or cited["issue"],
        "pages": first("PG") or cited["pages"],
        "doi": doi,
        "url": first("XL", "UR") or (f"https://pubmed.ncbi.nlm.nih.gov/{ui}/" if ui else None),
        "abstract": first("AB"),
        "keywords": keywords,
        "language": first("LG", "LA"),
        "database": known_database(first("DB")) or first("DB") or "Ovid",
    }


def load(ctx: ImportContext) -> None:
    parsed, problems = parse(ctx.read_text().text)
    store_parsed(
        ctx,
        parsed,
        problems,
        normalise,
        "ovid",
        "no Ovid records (no `VN  - Ovid Technologies` record)",
    )


FORMAT = Format(
    name="ovid",
    detect=detect,
    load=load,
    order=10,
    description="Ovid tagged text (MEDLINE, Embase, PsycINFO … through Ovid: .txt, .ovd)",
)
