"""PubMed / MEDLINE (`.nbib`, `.txt`): `PMID- 123` records, four-character tags, six-space
continuation lines, records separated by blank lines.

`Source.record` keeps every tag with all its values; authors come from `FAU` (full names)
or `AU`, the DOI from `LID`/`AID` values tagged `[doi]`, the year from `DP`.
"""

from __future__ import annotations

import re
from pathlib import Path

from review.ingest.formats.tagged import first_value, head_for_detect, store_parsed
from review.ingest.literature import (
    group_names,
    normalise_doi,
    parse_year,
    tidy_names,
    unquote_title,
)
from review.ingest.literature.kinds import from_labels
from review.ingest.pipeline import Format, ImportContext

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- (.*)$")
_DETECT = re.compile(rb"(?m)^PMID- ?\d+")
LIST_TAGS = frozenset("FAU AU AD AID LID MH OT PT IS GR PHST LA SI AUID".split())


def detect(path: Path, data: bytes) -> int:
    return 97 if _DETECT.search(head_for_detect(data)) else 0


def parse(text: str) -> tuple[list[dict], list[tuple]]:
    """MEDLINE text to (records, problems): `{"line": n, "tags": {tag: [values]}}` each."""
    records: list[dict] = []
    problems: list[tuple] = []
    current: dict | None = None
    last: str | None = None
    stray = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("      ") and current is not None and last is not None:
            values = current["tags"][last]
            values[-1] = f"{values[-1]} {line.strip()}"
            continue
        m = _TAG.match(line.rstrip())
        if m is None:
            stray += 1
            continue
        tag, value = m.group(1), m.group(2).strip()
        if tag == "PMID":
            current = {"line": number, "tags": {}}
            records.append(current)
        elif current is None:
            stray += 1
            continue
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if stray:
        problems.append((None, f"{stray} line(s) outside any record ignored", "warning", None))
    # PubMed ends every record with its citation (SO): a download cut short ends without one
    if len(records) > 1 and "SO" not in records[-1]["tags"]:
        if all("SO" in r["tags"] for r in records[:-1]):
            problems.append((records[-1]["line"], CUT_SHORT, "warning", None))
    return records, problems


CUT_SHORT = (
    "the last record has no SO line, which ends every other record: was the file cut short? "
    "imported as it is (download the export again to be sure)"
)


def normalise(tags: dict) -> dict:
    def first(*names: str) -> str | None:
        return first_value(tags, *names)

    doi = None
    for value in [*tags.get("LID", ()), *tags.get("AID", ())]:
        if value.endswith("[doi]"):
            doi = normalise_doi(value[: -len("[doi]")])
            break
    pmid = first("PMID")
    kind = from_labels(tags.get("PT", []))
    if "BTI" in tags:
        kind = "book"
    return {
        "kind": kind,
        "title": unquote_title(first("TI", "BTI")),
        # persons, then the group authors (CN: "ALTS Group"), which were dropped
        "authors": tidy_names(tags.get("FAU") or tags.get("AU") or [])
        + group_names(tags.get("CN", ())),
        "year": parse_year(first("DP", "DEP", "EDAT")),
        "venue": first("JT", "TA"),
        "volume": first("VI"),
        "issue": first("IP"),
        "pages": first("PG"),
        "doi": doi,
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        "abstract": first("AB"),
        "keywords": [*tags.get("OT", ()), *tags.get("MH", ())],
        "language": first("LA"),
        "database": "PubMed",
    }


def load(ctx: ImportContext) -> None:
    parsed, problems = parse(ctx.read_text().text)
    store_parsed(ctx, parsed, problems, normalise, "pubmed", "no PubMed records (no `PMID- ` line)")


FORMAT = Format(
    name="pubmed",
    detect=detect,
    load=load,
    order=10,
    description="PubMed / MEDLINE (.nbib, .txt)",
)
