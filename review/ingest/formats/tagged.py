"""Pieces shared by the tagged-line literature formats (PubMed/MEDLINE, Web of Science, Ovid,
EndNote/Refer, RIS).

Each of these formats parses a file into records `{"line": n, "tags": {tag: [values]}}`; the
helpers here are the parts that do not depend on the tag dialect: sniffing the head of a file
that may be UTF-16, picking the first usable value of a field, turning parsed records into
`Source` rows while reporting those too thin to identify (kept, with a warning), and storing
them (`store_parsed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from review.ingest.literature import any_value, clean, thin_record
from review.ingest.pipeline import ImportContext, ImportFailed
from review.ingest.sources import store_records
from review.ingest.textio import read_text
from review.store.records import refer_to_abstract

DETECT_BYTES = 65536


def head_for_detect(data: bytes) -> bytes:
    """The first 64 KiB as UTF-8 bytes: a UTF-16 export (NULs near the start) is decoded first,
    so byte patterns such as `^PMID- ` match whatever the file's encoding."""
    head = data[:DETECT_BYTES]
    if b"\x00" in head[:200]:
        head = read_text(head).text.encode("utf-8", "replace")
    return head


# A citation in MEDLINE's or Embase's form, which Ovid's SO and the Cochrane Library's
# EndNote export (%B) carry in place of the journal's own fields:
# "BMJ Open. 9(6):e026755, 2019 06 04." / "Journal of Public Health. 40(2):210-219, 2018 Mar"
# / "American Journal of Dermatopathology December 2011;33(8):845-849"
_SO_VOLUME = re.compile(r"(\d{1,9})\s*\(([^()]{1,40})\)")
_SO_PAGES = re.compile(r"\)\s*:\s*([A-Za-z]{0,8}\d[\w-]*)")  # (a supplement's "viii100")
# Embase's own citation form: "Journal of Advanced Nursing. 75 (1) (pp 1-2), 2019." and, for
# an article number, "BMJ Open. 9 (6) (no pagination), 2019. Article Number: e026755."
_SO_EMBASE_PAGES = re.compile(
    r"\(pp\.?\s*([A-Za-z]{0,8}\d[\w-]{0,40})\)|Article Number:\s*([A-Za-z]{0,8}\d[\w-]{0,40})"
)
# the journal, before the volume or, for Embase's conference abstracts, before ". Conference:"
# ("Journal of Clinical Oncology. Conference: 2019 Annual Meeting of … United States. 37 (15
# Supplement 1) (no pagination), 2019.")
_SO_VENUE = re.compile(r"^(.+?)\.\s+(?=\S*\d|Conference:)")
SO_CHARS = 1000  # of a citation read for its parts (real ones: under 300; bounded regexes)


def citation_parts(citation: str) -> dict[str, str | None]:
    """The venue, volume, issue and pages a citation string names (None for what it does
    not): "Journal of Advanced Nursing. 75 (1) (pp 1-2), 2019." → "Journal of Advanced
    Nursing", "75", "1", "1-2"."""
    source = citation[:SO_CHARS]
    volume = _SO_VOLUME.search(source)
    pages = _SO_PAGES.search(source) or _SO_EMBASE_PAGES.search(source)
    venue = _SO_VENUE.match(source)
    return {
        "venue": venue.group(1) if venue else None,
        "volume": volume.group(1) if volume else None,
        "issue": volume.group(2) if volume else None,
        "pages": pages.group(pages.lastindex or 1) if pages else None,
    }


def first_value(tags: dict, *names: str) -> str | None:
    """The first value, tidied and non-empty, of the first of `names` that has one."""
    for name in names:
        for value in tags.get(name, ()):
            value = clean(value)
            if value:
                return value
    return None


def identified_rows(
    parsed: list[dict],
    normalise: Callable[[dict], dict],
    record_format: str,
    problems: list[tuple],
) -> list[dict]:
    """`Source` rows for the parsed records; a record without a title, authors, DOI or venue
    is kept with a warning appended to `problems` (its line, why), an empty one is skipped
    with a warning (see `review.ingest.literature.fields.thin_record`)."""
    rows = []
    for rec in parsed:
        row = normalise(rec["tags"])
        thin = thin_record(row, any_value(rec["tags"].values()))
        if thin is not None:
            keep, why = thin
            problems.append((rec["line"], why, "warning", None))
            if not keep:
                continue
        elif not row.get("title"):  # as the BibTeX and RIS readers say it
            problems.append((rec["line"], "no title", "warning", None))
        record = refer_to_abstract(rec["tags"], row.get("abstract"))  # (stored once)
        row.update(record=record, record_format=record_format, origin_line=rec["line"])
        rows.append(row)
    return rows


def store_parsed(
    ctx: ImportContext,
    parsed: list[dict],
    problems: list[tuple],
    normalise: Callable[[dict], dict],
    record_format: str,
    none_found: str,
) -> None:
    """Store a tagged file's parsed records: `ImportFailed(none_found)` when there are none,
    else their rows (`identified_rows`), every problem reported (the parser's, then those
    of records too thin to identify), and the progress made whole: the steps the PubMed,
    Web of Science, Ovid and EndNote readers shared, word for word, in four copies."""
    if not parsed:
        raise ImportFailed(none_found)
    rows = identified_rows(parsed, normalise, record_format, problems)
    for line, message, severity, key in problems:
        ctx.problem(line, message, severity, key)
    store_records(ctx, rows, total=len(parsed))
    ctx.progress(len(parsed), len(parsed))
