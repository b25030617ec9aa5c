"""Web of Science tagged text (`FN Clarivate Analytics Web of Science` ... `ER` ... `EF`).

The "Plain text" / "Other file format" export of Web of Science, often saved as `.txt` or even
`.ris` though it is not RIS: two-letter tags, one space, values continued on lines indented by
three spaces, `ER` closing each record. Recognised from content, so it is never read as RIS
garbage. `Source.record` keeps every tag with its values (one per line) in file order.
"""

from __future__ import annotations

import re
from pathlib import Path

from review.ingest.formats.tagged import first_value as _first
from review.ingest.formats.tagged import head_for_detect, store_parsed
from review.ingest.literature import (
    group_names,
    join_pages,
    normalise_doi,
    parse_year,
    split_keywords,
    tidy_names,
    unquote_title,
)
from review.ingest.literature.kinds import WOS_KINDS, from_label
from review.ingest.pipeline import Format, ImportContext

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?(?:FN |VR |PT [A-Z]\r?\n)")
# Fields whose continuation lines are separate values rather than one wrapped value.
LIST_TAGS = frozenset("AU AF BA BF BE CA C1 CR RI OI EM".split())
PROGRESS_EVERY = 2000


def detect(path: Path, data: bytes) -> int:
    """`FN`/`VR` header or a first `PT J` line, plus a `ER` record end."""
    head = head_for_detect(data)
    if not _HEAD.match(head.lstrip(b"\r\n")):
        return 0
    if re.search(rb"(?m)^ER\s*$", head) or b"Web of Science" in head[:200]:
        return 98
    return 60


def parse(text: str, ctx: ImportContext | None = None) -> tuple[list[dict], list[tuple]]:
    """Tagged text to (records, problems); a record is `{"line": n, "tags": {tag: [..]}}`."""
    records: list[dict] = []
    problems: list[tuple] = []
    current: dict | None = None
    last: str | None = None
    stray = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("   ") or line.startswith("\t"):
            if current is None or last is None:
                stray += 1
                continue
            values = current["tags"][last]
            value = line.strip()
            if last in LIST_TAGS:
                values.append(value)
            else:
                values[-1] = f"{values[-1]} {value}"
            continue
        m = _TAG.match(line.rstrip())
        if m is None:
            stray += 1
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag in ("FN", "VR", "EF") and current is None:
            continue
        if tag == "ER":
            if current is not None:
                records.append(current)
                if ctx is not None and len(records) % PROGRESS_EVERY == 0:
                    ctx.progress(len(records), None)
            current, last = None, None
            continue
        if current is None:
            current = {"line": number, "tags": {}}
        elif tag == "PT" and "PT" in current["tags"]:
            problems.append(
                (current["line"], "record has no ER line; ended at the next PT", "warning", None)
            )
            records.append(current)
            current = {"line": number, "tags": {}}
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if current is not None:
        problems.append(
            (current["line"], "last record has no ER line; imported anyway", "warning", None)
        )
        records.append(current)
    if stray:
        problems.append((None, f"{stray} line(s) outside any record ignored", "warning", None))
    return records, problems


def normalise(tags: dict) -> dict:
    """The `Source` columns of one Web of Science record."""
    label = _first(tags, "DT")
    kind = WOS_KINDS.get((_first(tags, "PT") or "J").upper(), "article")
    if label and kind == "article":  # a journal's item: its first document type says what
        kind = from_label(label.split(";")[0])  # ("Article; Proceedings Paper": an article)
    # persons, then the group authors (CA, a book's GP: "ALTS Group"), which were dropped;
    # the editors (BE) only for a work with no author of either kind
    groups = group_names([*tags.get("CA", ()), *tags.get("GP", ())])
    names = tags.get("AF") or tags.get("AU") or tags.get("BA") or []
    authors = tidy_names(names or ([] if groups else tags.get("BE", []))) + groups
    keywords = split_keywords([*tags.get("DE", ()), *tags.get("ID", ())])
    return {
        "kind": kind,
        "title": unquote_title(_first(tags, "TI")),
        "authors": authors,
        "year": parse_year(_first(tags, "PY", "PD", "EA")),
        "venue": _first(tags, "SO", "SE", "CT", "BS"),
        "volume": _first(tags, "VL"),
        "issue": _first(tags, "IS"),
        "pages": join_pages(_first(tags, "BP"), _first(tags, "EP")) or _first(tags, "AR"),
        "doi": normalise_doi(_first(tags, "DI", "D2")),
        "url": None,
        "abstract": _first(tags, "AB"),
        "keywords": keywords,
        "language": _first(tags, "LA"),
        "database": "Web of Science",
    }


def load(ctx: ImportContext) -> None:
    parsed, problems = parse(ctx.read_text().text, ctx)
    store_parsed(
        ctx,
        parsed,
        problems,
        normalise,
        "wos",
        "no Web of Science records (no `PT` ... `ER` block)",
    )


FORMAT = Format(
    name="wos",
    detect=detect,
    load=load,
    order=10,
    description="Web of Science tagged text (FN/VR/PT ... ER/EF), saved as .txt, .ciw or .ris",
)
