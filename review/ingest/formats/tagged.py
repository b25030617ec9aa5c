"""Pieces shared by the tagged-line literature formats (PubMed/MEDLINE, Web of Science, Ovid,
EndNote/Refer, RIS).

Each of these formats parses a file into records `{"line": n, "tags": {tag: [values]}}`; the
helpers here are the parts that do not depend on the tag dialect: sniffing the head of a file
that may be UTF-16, picking the first usable value of a field, turning parsed records into
`Source` rows while reporting those too thin to identify (kept, with a warning), and storing
them (`store_parsed`).
"""

from __future__ import annotations

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
