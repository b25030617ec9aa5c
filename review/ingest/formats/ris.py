"""RIS (`TY  - JOUR` ... `ER  -`) from Scopus, Zotero, EndNote, Mendeley, Ovid and others.

Our own line parser rather than rispy, because real exports need things rispy rejects or
loses: line numbers for every record, continuation lines, tags run together on one line
(`PY  - 2019DA  - 2019/01/01`, a Web of Science RIS quirk), tags before `TY`, and junk
outside records (Ovid/Embase search strategies, `1.` counters, stray `C1  - Database:`
lines) which is skipped and reported once rather than glued onto a record.

`Source.record` keeps every tag with all its values in file order: `{"TY": ["JOUR"], "AU":
[...], ...}`, so an RIS export can write back exactly what came in; an abstract that is exactly
the `abstract` column is stored once, there (`review.store.records`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from string import ascii_lowercase, ascii_uppercase, digits

from review.ingest.formats.tagged import head_for_detect
from review.ingest.literature import (
    any_value,
    clean,
    join_pages,
    normalise_doi,
    parse_year,
    split_keywords,
    thin_record,
    tidy_names,
    unquote_title,
)
from review.ingest.literature.kinds import RIS_KINDS
from review.ingest.pipeline import Format, ImportContext, ImportFailed, NoRecords
from review.ingest.sources import store_records
from review.store.records import refer_to_abstract

KNOWN_TAGS = frozenset(
    "TY ER ID T1 TI CT BT T2 T3 ST A1 AU A2 A3 A4 ED Y1 PY Y2 DA N1 N2 AB KW RP JF JO JA J1 J2 "
    "VL IS CP SP EP CY PB SN AD AV M1 M2 M3 U1 U2 U3 U4 U5 UR L1 L2 L3 L4 DO DB DP LA LB "
    "C1 C2 C3 C4 C5 C6 C7 C8 CA CN ET NV OP RI RN SE TA TT SV".split()
)
# Tags whose continuation lines are further values (one keyword / author per line).
LIST_TAGS = frozenset("KW AU A1 A2 A3 A4 ED AD SN UR L1 L2 L3 L4 N1".split())
# Ordinary tags for the parser's fast path: what its full check accepts, minus TY and ER.
_FAST_TAGS = frozenset(
    a + b for a in ascii_uppercase for b in ascii_uppercase + ascii_lowercase + digits
) - {"TY", "ER"}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,3}-(?: (.*)|\s*)$")
_RUN_TOGETHER = re.compile(r"([A-Z][A-Z0-9])  - ")
_COUNTER = re.compile(r"^\s*\d+\.?\s*$")
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")  # a BibTeX entry pasted in
_DETECT = re.compile(rb"(?m)^(?:\xef\xbb\xbf)?TY {1,2}- ")
PROGRESS_EVERY = 2000
LINES_BLOCK = 1 << 20  # characters of the text split into lines at a time

DATABASES = (
    ("scopus", "Scopus"),
    ("web of science", "Web of Science"),
    ("web of knowledge", "Web of Science"),
    ("clarivate", "Web of Science"),
    ("isi web", "Web of Science"),
    ("pubmed", "PubMed"),
    ("medline", "MEDLINE"),  # Ovid's or EBSCO's MEDLINE: another interface than PubMed
    ("embase", "Embase"),
    ("cinahl", "CINAHL"),
    ("cochrane", "Cochrane Library"),
    ("psycinfo", "PsycINFO"),
    ("eric", "ERIC"),
    ("proquest", "ProQuest"),
    ("ebsco", "EBSCO"),
    ("google scholar", "Google Scholar"),
    ("jstor", "JSTOR"),
)


def known_database(*texts: str | None) -> str | None:
    """Scopus, Web of Science, PubMed, ... named in a DB/DP tag, a note or a URL (the first
    text that names one counts). PRISMA reports each database with its interface, so MEDLINE
    searched through Ovid or EBSCO is MEDLINE, not PubMed."""
    for text in texts:
        if not text:
            continue
        low = text.lower()
        if "scopus.com" in low:
            return "Scopus"
        if "webofscience" in low or "webofknowledge" in low:
            return "Web of Science"
        if "pubmed" in low or "ncbi.nlm.nih.gov" in low:
            return "PubMed"
        for needle, name in DATABASES:
            if needle in low:
                return name
    return None


def detect(path: Path, data: bytes) -> int:
    """Sure when a line starts with `TY  - ` (any encoding); the extension only adds weight."""
    if _DETECT.search(head_for_detect(data)):
        return 95 if path.suffix.lower() in (".ris", ".txt", ".enw", "") else 90
    return 0


def _split_line(line: str) -> list[tuple[str, str]] | None:
    """`[(tag, value), ...]` for a tag line (several if tags run together), else None."""
    if line[2:5] == "  -" and line[0].isupper() and (len(line) == 5 or line[5] == " "):
        tag, value = line[:2], line[6:]
    else:
        m = _TAG_LINE.match(line)
        if m is None:
            return None
        tag, value = m.group(1), m.group(2) or ""
    if tag not in KNOWN_TAGS and not tag[1].isdigit() and not tag.isalpha():
        return None
    if "  - " not in value:
        return [(tag, value.strip())]
    pairs: list[tuple[str, str]] = []
    pos = 0
    for m in _RUN_TOGETHER.finditer(value):
        if m.group(1) in KNOWN_TAGS:
            pairs.append((tag, value[pos : m.start()].strip()))
            tag, pos = m.group(1), m.end()
    pairs.append((tag, value[pos:].strip()))
    return pairs


def _lines(text: str, block: int) -> Iterator[str]:
    """`text.split("\\n")`, one block of about `block` characters at a time: the same lines,
    without a list of all of them beside the text (20,000 records: ~55 MB less at the peak)."""
    return chain.from_iterable(part.split("\n") for part in _blocks(text, block))


def _blocks(text: str, block: int) -> Iterator[str]:
    """`text` cut at the first line break after every `block` characters (breaks dropped)."""
    pos = 0
    while True:
        end = text.find("\n", pos + block)
        if end < 0:
            yield text[pos:]
            return
        yield text[pos:end]
        pos = end + 1


def parse(text: str, ctx: ImportContext | None = None) -> tuple[list[dict], list[tuple]]:
    """RIS text to (records, problems); each record is `{"line": n, "tags": {tag: [values]}}`.

    Problems are (line, message, severity, record).
    """
    records: list[dict] = []
    problems: list[tuple] = []
    junk_lines: list[int] = []
    bibtex_lines: list[int] = []  # junk lines that start a BibTeX entry
    current: dict | None = None
    pending: list[tuple[int, str, str]] = []  # tags seen after ER and before the next TY
    last_tag: str | None = None

    def close(rec: dict) -> None:
        records.append(rec)
        if ctx is not None and len(records) % PROGRESS_EVERY == 0:
            ctx.progress(len(records), None)

    tags: dict = {}  # the current record's tags (bound to `current["tags"]`)
    fast = _FAST_TAGS
    for number, line in enumerate(_lines(text, LINES_BLOCK), 1):
        # Fast path: an ordinary `XX  - value` line (most lines of a file): one slice, one
        # set lookup, no regex; anything unusual takes the full path below.
        pairs: list[tuple[str, str]] | None = None
        if line[2:6] == "  - " and line.find("  - ", 6) < 0:
            tag = line[:2]
            if current is not None:
                if tag in fast or (
                    tag != "TY" and tag != "ER" and tag.isalnum() and tag[0].isupper()
                ):
                    value = line[6:].strip()
                    if tag in tags:
                        tags[tag].append(value)
                    else:
                        tags[tag] = [value]
                    last_tag = tag
                    continue
                if tag == "ER":
                    close(current)
                    current, last_tag = None, None
                    continue
            if tag == "TY":
                pairs = [("TY", line[6:].strip())]  # what `_split_line` makes of it
        if pairs is None:
            if not line.strip():
                if pending:  # stray tags (Ovid's `C1  - Database: ...`) not leading into a TY
                    junk_lines.extend(pline for pline, _, _ in pending)
                    pending.clear()
                continue
            pairs = _split_line(line.rstrip())
            if pairs is None:
                if current is not None and last_tag is not None:
                    value = line.strip()
                    values = current["tags"][last_tag]
                    if last_tag in LIST_TAGS:
                        values.append(value)
                    else:
                        values[-1] = f"{values[-1]}\n{value}" if values[-1] else value
                elif not _COUNTER.match(line):
                    junk_lines.append(number)
                    if _BIBTEX_ENTRY.match(line):
                        bibtex_lines.append(number)
                    junk_lines.extend(pline for pline, _, _ in pending)
                    pending.clear()
                continue
        for tag, value in pairs:
            if tag == "TY":
                if current is not None:
                    problems.append(
                        (
                            current["line"],
                            "record has no ER line; ended at the next TY",
                            "warning",
                            None,
                        )
                    )
                    close(current)
                tags = {}
                current = {"line": number, "tags": tags}
                for pline, ptag, pvalue in pending:
                    current["line"] = min(current["line"], pline)
                    current["tags"].setdefault(ptag, []).append(pvalue)
                pending.clear()
                current["tags"].setdefault("TY", []).append(value)
                last_tag = "TY"
            elif tag == "ER":
                if current is None:
                    junk_lines.append(number)
                else:
                    close(current)
                current, last_tag = None, None
            elif current is None:
                pending.append((number, tag, value))
            else:
                current["tags"].setdefault(tag, []).append(value)
                last_tag = tag
    if current is not None:
        problems.append(
            (current["line"], "last record has no ER line; imported anyway", "warning", None)
        )
        close(current)
    junk_lines.extend(pline for pline, _, _ in pending)
    if bibtex_lines:  # records, not notes: an error, and they count as not imported
        first, n = bibtex_lines[0], len(bibtex_lines)
        last = max(number for number in junk_lines if number >= first)
        problems.append(
            (
                first,
                f"lines {first}-{last} hold {n} BibTeX entr{'y' if n == 1 else 'ies'}, not RIS "
                "(outside any record): not imported; save them as a file of their own and "
                "import that",
                "error",
                None,
                n,
            )
        )
        junk_lines = [number for number in junk_lines if number < first]
    if junk_lines:
        first = min(junk_lines)
        problems.append(
            (
                first,
                f"{len(junk_lines)} line(s) outside any record ignored (first "
                f"at line {first}; e.g. a search strategy or notes)",
                "warning",
                None,
            )
        )
    return records, problems


def _first(tags: dict, *names: str) -> str | None:
    """The first non-empty value of the first of `names` present (whitespace tidied)."""
    for name in names:
        values = tags.get(name)
        if values:
            for value in values:
                if value:
                    return clean(value)
    return None


def _one(values: list[str] | None) -> str | None:
    """`_first` for one tag's values, without the name lookup (most tags are asked alone)."""
    if values:
        for value in values:
            if value:
                return clean(value)
    return None


VENUE_TAGS = ("T2", "JF", "JO", "JA", "J1", "J2", "T3")
CHAPTER_VENUE_TAGS = ("T2", "BT", "T3")


def normalise(tags: dict) -> dict:
    """The `Source` columns of one RIS record."""
    get = tags.get
    ty = (_one(get("TY")) or "GEN").upper()
    kind = RIS_KINDS.get(ty, "misc")
    # AU and A1 are synonyms; an export uses one (two co-authors may share a name, so no
    # de-duplication).
    authors = tidy_names(get("AU") or get("A1") or ())
    title = _first(tags, "TI", "T1", "CT")
    if title is None and kind == "book":
        title = _one(get("BT"))
    if title and title[0] in '"\u201c':  # (the check inline: this runs once a record)
        title = unquote_title(title)
    venue = _first(tags, *(VENUE_TAGS if kind != "chapter" else CHAPTER_VENUE_TAGS)) or (
        _one(get("BT")) if kind != "book" else None
    )
    sp, ep = _one(get("SP")), _one(get("EP"))
    if sp is None and kind == "article":  # EndNote's and Scopus's article number (C7), as
        sp = _one(get("C7"))  # the BibTeX reader takes `art_number` where there are no pages
    url = _first(tags, "UR", "L2")
    doi = normalise_doi(_one(get("DO"))) or normalise_doi(
        next((u for u in get("UR", ()) if "doi.org/" in u), None)
    )
    db = _one(get("DB"))
    # DB names the database, DP only its provider: CINAHL and Academic Search searched through
    # EBSCOhost are two databases, not one "EBSCO"
    database = known_database(db) or db
    if not database:
        database = known_database(_one(get("DP")), url, " ".join(get("N1", ())))
    keywords = get("KW")
    return {
        "kind": kind,
        "title": title,
        "authors": authors,
        "year": parse_year(_first(tags, "PY", "Y1", "DA", "Y2")),
        "venue": venue,
        "volume": _one(get("VL")),
        "issue": _first(tags, "IS", "CP"),
        "pages": join_pages(sp, ep) if not (sp and "-" in sp and not ep) else sp,
        "doi": doi,
        "url": url,
        "abstract": _first(tags, "AB", "N2"),
        "keywords": split_keywords([v for v in keywords if v.strip()]) if keywords else [],
        "language": _one(get("LA")),
        "database": database,
    }


def _has_content(tags: dict) -> bool:
    """Any tag but the record's type and end holds a value."""
    return any_value(v for t, v in tags.items() if t not in ("TY", "ER"))


def load(ctx: ImportContext) -> None:
    text = ctx.read_text().text
    if not text or text.isspace():  # (`not text.strip()` without copying the whole file)
        raise ImportFailed("empty file")
    parsed, problems = parse(text, ctx)
    del text  # (the whole file as text: not needed while storing)
    if not parsed:
        raise NoRecords("RIS record", "no `TY  - ` line starts a record")
    rows = []
    for rec in parsed:
        row = normalise(rec["tags"])
        thin = thin_record(row, _has_content(rec["tags"])) if not row["title"] else None
        if thin is not None:
            keep, why = thin
            problems.append((rec["line"], why, "warning", None))
            if not keep:
                continue
        elif not row["title"]:
            problems.append((rec["line"], "no title", "warning", None))
        row["record"] = refer_to_abstract(rec["tags"], row["abstract"])  # (stored once)
        row["record_format"] = "ris"
        row["origin_line"] = rec["line"]
        id_ = _one(rec["tags"].get("ID"))
        if id_ and not id_.isdigit() and " " not in id_:
            row["key"] = id_
        rows.append(row)
    for line, message, severity, key, *_n in sorted(problems, key=lambda p: p[0] or 0):
        ctx.problem(line, message, severity, key)
    lost = sum(p[4] for p in problems if len(p) > 4)  # records of another format in the file
    store_records(ctx, rows, total=len(parsed) + lost)
    ctx.progress(len(parsed), len(parsed))


FORMAT = Format(
    name="ris",
    detect=detect,
    load=load,
    order=10,
    description="RIS (.ris): Scopus, Zotero, EndNote, Mendeley, Ovid/Embase, Web of Science RIS",
)
