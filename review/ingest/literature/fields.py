"""Field helpers shared by every literature format: the normalised columns of `Source`.

Each parser produces plain dicts keyed by `Source` column names (`title`, `authors`, `year`,
`venue`, `volume`, `issue`, `pages`, `doi`, `url`, `abstract`, `keywords`, `kind`, `database`,
`record`, `record_format`, `origin_line`, `key`) and uses these helpers so every format
normalises the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_YEAR = re.compile(r"(?<![0-9A-Za-z])(1[5-9]\d\d|20\d\d|21\d\d)(?![0-9A-Za-z])")
_YEAR_LOOSE = re.compile(r"(1[5-9]\d\d|20\d\d|21\d\d)")
_KW_SPLIT = re.compile(r"\s*[;,]\s*|\s*\n\s*")
_DASHES = re.compile(r"\s*-+\s*")

LITERATURE_COLUMNS = (
    "key",
    "kind",
    "title",
    "authors",
    "year",
    "venue",
    "volume",
    "issue",
    "pages",
    "doi",
    "url",
    "abstract",
    "keywords",
    "language",
    "database",
    "record",
    "record_format",
    "origin_line",
)


def clean(value: str | None) -> str | None:
    """Whitespace collapsed; None for empty values (exports write empty tags)."""
    if value is None:
        return None
    if "\n" in value or "  " in value or "\t" in value or "\r" in value:
        value = " ".join(value.split())
    else:
        value = value.strip()
    return value or None


def parse_year(value: str | int | None) -> int | None:
    """The year in "2011///", "2014//", "{\\noopsort{1973b}}1973", "May 2008", "2008-05-01"."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if len(value) == 4 and value.isascii() and value.isdigit() and "1500" <= value < "2200":
        return int(value)  # the common case, without a regex
    m = _YEAR.search(value) or _YEAR_LOOSE.search(value)
    return int(m.group(1)) if m else None


def join_pages(start: str | None, end: str | None) -> str | None:
    """SP/EP (RIS), BP/EP (WoS) or Page start/Page end (Scopus) as "start-end"."""
    start, end = clean(start), clean(end)
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end


def tidy_pages(value: str | None) -> str | None:
    """BibTeX "12--23" and "12 - 23" to "12-23"; anything else as written."""
    value = clean(value)
    if value and "-" in value:
        value = _DASHES.sub("-", value)
    return value


def split_keywords(values: str | Iterable[str] | None) -> list[str]:
    """Keywords from one delimited string or many tags; duplicates (case-blind) dropped."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if ";" in item or "\n" in item:
            parts = _KW_SPLIT.split(item)
        elif "," in item:
            parts = item.split(",")  # the same parts once stripped, without a regex
        else:
            parts = (item,)
        for kw in parts:
            kw = kw.strip()
            if kw:
                low = kw.lower()
                if low not in seen:
                    seen.add(low)
                    out.append(kw)
    return out


def missing_identity(row: dict) -> str | None:
    """Why a record cannot be kept (nothing identifies the work), or None if it can."""
    if row.get("title") or row.get("authors") or row.get("doi") or row.get("venue"):
        return None
    if row.get("url") or (row.get("record") or {}).get("editor"):
        return None
    return "no title, authors, DOI or venue: nothing identifies the work"
