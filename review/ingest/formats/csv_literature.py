"""Literature tables as CSV: Scopus CSV exports, Zotero/EndNote CSV, and home-made lists.

Any CSV (comma, semicolon or tab separated) whose header has a title column and at least
one of author(s), year or DOI is a literature list; header names are matched flexibly
(`Title`, `Article Title`, `Document Title`, `TI`, ...). An `ID`/`id`/`key` column becomes
the record key. The database is read from tell-tale columns — Scopus (`EID`), Web of Science
tab-delimited (`PT` ... `UT`), PubMed CSV (`PMID`) — or from a `Source`/`Database` cell.
`Source.record` keeps every non-empty cell under its header.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from review.ingest.formats.ris import known_database
from review.ingest.literature import (
    clean,
    join_pages,
    normalise_doi,
    parse_year,
    split_keywords,
    split_name_list,
    thin_record,
    unquote_title,
)
from review.ingest.literature.kinds import BIBTEX_KINDS, RIS_KINDS, WOS_KINDS, from_label
from review.ingest.pipeline import Format, ImportContext, ImportFailed, NoRecords
from review.ingest.sources import store_records
from review.ingest.textio import allow_csv_fields, looks_binary, read_text

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SCOPUS_ID = re.compile(r"\s*\(\d+\)")
# PubMed's citation: "Journal. DATE;VOLUME(ISSUE):PAGES." (issue and volume may be missing)
_PUBMED_CITATION = re.compile(
    r";\s*(?P<volume>[^;:()\s][^;:()]*?)?\s*(?:\((?P<issue>[^()]+)\))?\s*:\s*"
    r"(?P<pages>[A-Za-z]*\d[\w\-\u2013]*)"
)

# Column roles and the (normalised) header names that fill them, in order of preference.
ROLES: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "documenttitle", "ti", "primarytitle", "papertitle"),
    "authors": (
        "authorfullnames",
        "authors",
        "author",
        "authorsfullnames",
        "au",
        "creators",
        "creator",
        "authorname",
        "authornames",
        "af",
    ),
    "year": (
        "year",
        "publicationyear",
        "py",
        "pubyear",
        "yearpublished",
        "date",
        "publicationdate",
        "issued",
        "dp",
    ),
    "venue": (
        "sourcetitle",
        "journal",
        "journaltitle",
        "publicationtitle",
        "venue",
        "containertitle",
        "booktitle",
        "so",
        "jt",
        "publication",
        "secondarytitle",
        "journalbook",
    ),
    "volume": ("volume", "vol", "vl"),
    "issue": ("issue", "number", "is", "no"),
    "pages": ("pages", "page", "pp", "pagination", "pg"),
    "page_start": ("pagestart", "startpage", "firstpage", "bp", "sp"),
    "page_end": ("pageend", "endpage", "lastpage", "ep"),
    "article_no": ("artno", "articlenumber", "ar"),
    "doi": ("doi", "di"),
    "url": ("link", "url", "links"),
    "abstract": ("abstract", "ab", "abstractnote", "summary"),
    "keywords": ("authorkeywords", "keywords", "keyword", "manualtags", "de", "tags"),
    "keywords2": ("indexkeywords", "automatictags", "id_keywords", "keywordsplus"),
    "kind": (
        "documenttype",
        "dt",
        "entrytype",
        "type",
        "itemtype",
        "publicationtype",
        "pt",
        "referencetype",
        "bibtextype",
    ),
    "language": ("languageoforiginaldocument", "language", "la"),
    "key": ("id", "key", "citekey", "citationkey", "bibtexkey", "citationid"),
    "database": ("database", "db", "source", "sourcedatabase"),
    "citation": ("citation",),  # PubMed CSV: "BMJ Open. 2019 Jun 4;9(6):e026755. doi: ..."
}
TITLE_ROLE, NEED_ONE_OF = "title", ("authors", "year", "doi")


def _norm(header: str) -> str:
    return _NON_ALNUM.sub("", header.strip().lstrip("\ufeff").lower())


def _sniff(text: str) -> str:
    """The delimiter of the header line: the most frequent of `,`, `;` and tab."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def roles(header: list[str]) -> dict[str, list[int]]:
    """Column indexes for each role found in the header, best first (first non-empty wins)."""
    normed = [_norm(h) for h in header]
    found: dict[str, list[int]] = {}
    for role, names in ROLES.items():
        cols = [normed.index(name) for name in names if name in normed]
        if cols:
            found[role] = cols
    return found


def detect(path: Path, data: bytes) -> int:
    """A header with a title column and an author, year or DOI column."""
    head = data[:16384]
    if looks_binary(head):  # (NULs are binary only outside UTF-16, BOM or not: Excel's and
        return 0  # Web of Science's "Unicode" tab-delimited text is UTF-16)
    try:
        text = read_text(head).text
    except Exception:
        return 0
    if not text.strip():
        return 0
    delim = _sniff(text)
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=delim))
    except (csv.Error, StopIteration):
        return 0
    found = roles(header)
    if TITLE_ROLE not in found or not any(r in found for r in NEED_ONE_OF):
        return 0
    score = 70
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        score += 10
    if "eid" in {_norm(h) for h in header}:
        score += 5
    return score


def _cell(row: list[str], found: dict[str, list[int]], role: str) -> str | None:
    for i in found.get(role, ()):
        if i < len(row):
            value = clean(row[i])
            if value:
                return value
    return None


def file_database(normed_header: list[str]) -> str | None:
    """The database an export comes from, read from its tell-tale columns."""
    cols = set(normed_header)
    if "eid" in cols:
        return "Scopus"
    if {"ut", "pt"} <= cols:  # Web of Science tab-delimited export (tags as headers)
        return "Web of Science"
    if "pmid" in cols:
        return "PubMed"
    return None


def _kind(label: str | None) -> str:
    """A type cell as `Source.kind`: a WoS PT code, a BibTeX entry type (bib-dedupe's and
    pandas-bibtex `ENTRYTYPE` column), a RIS type, or a free-text label."""
    if label and len(label) == 1 and label.upper() in WOS_KINDS:  # WoS PT codes J, B, S, ...
        return WOS_KINDS[label.upper()]
    if label:
        word = label.strip().lstrip("@")
        squashed = _NON_ALNUM.sub("", word.lower())
        if squashed in _TYPE_NAMES:
            return _TYPE_NAMES[squashed]
        if word.upper() in RIS_KINDS:
            return RIS_KINDS[word.upper()]
    return from_label(label)


# BibTeX and Mendeley entry types and Zotero item types ("bookSection", "book_section"),
# compared without case and separators.
_TYPE_NAMES = {_NON_ALNUM.sub("", k): v for k, v in BIBTEX_KINDS.items()}
_TYPE_NAMES.update(journalarticle="article", conferencepaper="conference", webpage="web")


def normalise(row: list[str], found: dict[str, list[int]], database: str | None) -> dict:
    """The `Source` columns of one CSV row (`database`: the file's, when its header tells)."""
    cell = lambda role: _cell(row, found, role)  # noqa: E731
    names = cell("authors") or ""
    if "(" in names:
        names = _SCOPUS_ID.sub("", names)
    pages = cell("pages") or join_pages(cell("page_start"), cell("page_end")) or cell("article_no")
    db_cell = cell("database")
    database = database or known_database(db_cell)
    venue = cell("venue")
    if venue is None and db_cell and database is None:
        venue = db_cell  # a "Source" column that names the journal, not a database
    url = cell("url")
    volume, issue = cell("volume"), cell("issue")
    citation = cell("citation") if not (volume or issue or pages) else None
    if citation:  # PubMed CSV has no volume, issue or pages columns: they are in here
        m = _PUBMED_CITATION.search(citation.split(" doi:", 1)[0])  # (not inside a DOI)
        if m:
            volume, issue, pages = m.group("volume"), m.group("issue"), m.group("pages")
    return {
        "kind": _kind(cell("kind")),
        "title": unquote_title(cell("title")),
        "authors": split_name_list(names),
        "year": parse_year(cell("year")),
        "venue": venue,
        "volume": volume,
        "issue": issue,
        "pages": pages,
        "doi": normalise_doi(cell("doi"))
        or (normalise_doi(url) if url and "doi.org" in url else None),
        "url": url,
        "abstract": cell("abstract"),
        "keywords": split_keywords([k for k in (cell("keywords"), cell("keywords2")) if k]),
        "language": cell("language"),
        "database": database,
    }


def load(ctx: ImportContext) -> None:
    text = ctx.read_text().text
    if not text.strip():
        raise ImportFailed("empty file")
    allow_csv_fields(len(text))
    reader = csv.reader(io.StringIO(text), delimiter=_sniff(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportFailed(f"cannot read the header: {exc}", 1) from exc
    found = roles(header)
    if TITLE_ROLE not in found:
        raise NoRecords(
            "literature table", "no title column in its header: Title, Article Title, ...", 1
        )
    database = file_database([_norm(h) for h in header])
    rows: list[dict] = []
    total = 0
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            ctx.problem(line, f"unreadable CSV row, not imported: {exc}")
            total += 1
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        total += 1
        if len(cells) != len(header):
            ctx.warn(start, f"{len(cells)} cells where the header has {len(header)}")
        rec = normalise(cells, found, database)
        thin = thin_record(rec, True)  # (a row with no cell filled was passed over above)
        if thin is not None:
            ctx.warn(start, thin[1])
        record = {h: c for h, c in zip(header, cells, strict=False) if c.strip()}
        key = _cell(cells, found, "key")
        rec.update(record=record, record_format="csv", origin_line=start)
        if key:
            rec["key"] = key
        rows.append(rec)
        if total % 2000 == 0:
            ctx.progress(total, None)
    if not total:  # (said nothing at all, as if a header-only export were a success)
        ctx.warn(None, "no records: the file has a header but no rows")
    store_records(ctx, rows, total=total)


FORMAT = Format(
    name="csv-literature",
    detect=detect,
    load=load,
    order=10,
    description="Literature lists as CSV: Scopus CSV, Zotero/EndNote CSV, any title/author table",
)
