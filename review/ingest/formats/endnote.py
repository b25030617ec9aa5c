"""EndNote tagged text, the "Refer" format (`.enw`, `.txt`): `%0 Journal Article`, `%A Smith,
Jane`, `%T …`, one tag a line, records apart by a blank line or the next `%0`.

What Google Scholar's and many publishers' "EndNote" links download, and what EndNote and
Zotero export as "EndNote tagged". Without this reader such a `.txt` was imported as one
plain-text document and an `.enw` was "format not recognised": the records lost to screening.
A line without a tag continues the value before it (a long abstract). `Source.record` keeps
every tag with its values in file order, as the other tagged formats do.
"""

from __future__ import annotations

import re
from pathlib import Path

from review.ingest.formats.ris import known_database
from review.ingest.formats.tagged import citation_parts, first_value, head_for_detect, store_parsed
from review.ingest.literature import (
    join_pages,
    normalise_doi,
    parse_year,
    split_keywords,
    tidy_names,
    unquote_title,
)
from review.ingest.literature.kinds import from_label
from review.ingest.pipeline import Format, ImportContext

_TAG = re.compile(r"^%([0-9A-Z@~!#$&()*+^>|?\[\]])(?: (.*))?$")
# A record's type line near the top, and a title or author tag after it: the two together
# are no sentence of a transcript.
_DETECT_TYPE = re.compile(rb"(?m)^%0 \S")
_DETECT_FIELD = re.compile(rb"(?m)^%[TA] \S")
# A venue that is a whole citation: the journal, ". ", then a volume and its issue
_CITED = re.compile(r"\.\s+\d{1,9}\s*\([^()]{1,40}\)")
# EndNote's reference types whose names `from_label` would read otherwise.
KINDS = {
    "book section": "chapter",
    "edited book": "book",
    "electronic book section": "chapter",
    "conference paper": "conference",
    "conference proceedings": "conference",
    "electronic article": "article",
    "magazine article": "article",
    "newspaper article": "article",
    "web page": "web",
    "generic": "misc",
}


def detect(path: Path, data: bytes) -> int:
    """A `%0 Type` line and a `%T`/`%A` line in the head of the file."""
    head = head_for_detect(data)
    if _DETECT_TYPE.search(head) and _DETECT_FIELD.search(head):
        return 95
    return 0


def parse(text: str) -> tuple[list[dict], list[tuple]]:
    """Tagged text to (records, problems): `{"line": n, "tags": {tag: [values]}}` each."""
    records: list[dict] = []
    problems: list[tuple] = []
    current: dict | None = None
    last: str | None = None
    stray = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            current, last = None, None  # a blank line ends a record
            continue
        m = _TAG.match(line.rstrip())
        if m is None:
            if current is not None and last is not None:  # a value's next line
                values = current["tags"][last]
                values[-1] = f"{values[-1]}\n{line.strip()}" if values[-1] else line.strip()
            else:
                stray += 1
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if current is None or (tag == "0" and current["tags"]):
            current = {"line": number, "tags": {}}
            records.append(current)
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if stray:
        problems.append((None, f"{stray} line(s) outside any record ignored", "warning", None))
    return records, problems


def normalise(tags: dict) -> dict:
    """The `Source` columns of one EndNote record."""

    def first(*names: str) -> str | None:
        return first_value(tags, *names)

    label = (first("0") or "").lower()
    kind = KINDS.get(label) or from_label(label)
    authors = tags.get("A") or tags.get("E") or []
    pages = first("P")
    start, _, end = (pages or "").partition("-")
    doi = normalise_doi(first("R")) or normalise_doi(
        next((u for u in tags.get("U", ()) if "doi.org/" in u), None)
    )
    venue = first("J", "B") if kind != "book" else first("B")
    volume, issue = first("V"), first("N")
    pages = join_pages(start, end) if end else pages
    if venue and not (volume or issue or pages) and _CITED.search(venue):
        # the Cochrane Library's export: the whole Embase or MEDLINE citation in %B ("BMJ
        # Open. 6 (7) (no pagination), 2016. Article Number: e010197."), no %V, %N or %P
        cited = citation_parts(venue)
        venue = cited["venue"] or venue
        volume, issue, pages = cited["volume"], cited["issue"], cited["pages"]
    return {
        "kind": kind,
        "title": unquote_title(first("T")),
        "authors": tidy_names(authors),
        "year": parse_year(first("D", "8")),
        "venue": venue,
        "volume": volume,
        "issue": issue,
        "pages": pages,
        "doi": doi,
        "url": first("U"),
        "abstract": first("X"),
        "keywords": split_keywords([v for v in tags.get("K", ()) if v.strip()]),
        "language": first("G"),
        "database": known_database(first("~"), first("W")) or first("~"),
    }


def load(ctx: ImportContext) -> None:
    parsed, problems = parse(ctx.read_text().text)
    store_parsed(ctx, parsed, problems, normalise, "endnote", "no EndNote records (no `%0` record)")


FORMAT = Format(
    name="endnote",
    detect=detect,
    load=load,
    order=10,
    description="EndNote tagged / Refer (.enw, .txt): Google Scholar, publishers, EndNote",
)
