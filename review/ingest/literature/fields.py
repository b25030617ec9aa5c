"""Field helpers shared by every literature format: the normalised columns of `Source`.

Each parser produces plain dicts keyed by `Source` column names (`title`, `authors`, `year`,
`venue`, `volume`, `issue`, `pages`, `doi`, `url`, `abstract`, `keywords`, `kind`, `database`,
`record`, `record_format`, `origin_line`, `key`) and uses these helpers so every format
normalises the same way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

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


# What a database writes in place of a value it does not have: Scopus's "[No author name
# available]", "[No abstract available]", "[No title available]"; Web of Science's
# "[Anonymous]"; PubMed's "[No authors listed]". Stored, they read as an author named so (a
# cite key "noauthornameavailable2018erratum", a reference list entry) or an abstract to screen.
_PLACEHOLDER = re.compile(r"\[\s*(?:no [a-z ]{1,40}(?:available|listed)|anonymous)\s*\]", re.I)


def is_placeholder(value: str) -> bool:
    """Whether a (stripped) value is a database's note that it has none (`_PLACEHOLDER`)."""
    return value[:1] == "[" and value[-1:] == "]" and _PLACEHOLDER.fullmatch(value) is not None


# Inline markup some exports leave in titles and abstracts: Scopus's "CO<inf>2</inf>" and
# "<sup>", publishers' and Crossref's "<i>Helicobacter pylori</i>", "<scp>", MathML; and the
# HTML entities beside them ("&amp;", "&#8211;"). Only these tags, so "p < 0.05 and q > 1"
# stays as written.
_MARKUP = re.compile(
    r"</?(?:i|b|em|strong|sup|sub|inf|scp|sc|u|small|span|mml:[a-z]{1,20})(?:\s[^<>]{0,200})?/?>",
    re.I,
)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|nbsp|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


def plain_text(value: str) -> str:
    """A value without inline markup (`_MARKUP`) and with its HTML entities as characters."""
    if "<" in value:
        value = _MARKUP.sub("", value)
    if "&" in value:
        value = _ENTITY.sub(lambda m: html.unescape(m.group()), value)
    return value


def clean(value: str | None) -> str | None:
    """Whitespace collapsed; None for empty values (exports write empty tags) and for a
    database's placeholder for a missing one ("[No abstract available]": `is_placeholder`);
    inline HTML markup gone (`plain_text`: the record keeps the file's text)."""
    if value is None:
        return None
    if "<" in value or "&" in value:
        value = " ".join(plain_text(value).split())  # (a &nbsp; is a space)
    elif "\n" in value or "  " in value or "\t" in value or "\r" in value:
        value = " ".join(value.split())
    else:
        value = value.strip()
    if value[:1] == "[" and is_placeholder(value):
        return None
    return value or None


_OPENING = ('"', "\u201c")  # " and “
_QUOTE_MARKS = frozenset('"\u201c\u201d')


def unquote_title(title: str | None) -> str | None:
    """A title the export wrapped in double quotes, without them: `"Corticosteroids in the
    treatment of tuberculous pleurisy"` (203 of the respiratory search's titles) and its cut
    form without the closing one (41 more). A title with any other quote mark inside (a
    quotation in it) is left as it is."""
    if not title or title[0] not in _OPENING:
        return title
    inner = title[1:]
    if inner and inner[-1] in _QUOTE_MARKS:
        inner = inner[:-1]
    if not inner.strip() or any(c in _QUOTE_MARKS for c in inner):
        return title
    return inner.strip()


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
        parts: Sequence[str]
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


THIN_RECORD = (
    "no title, authors, DOI or venue: imported so that nothing is lost (complete it, or delete it)"
)
EMPTY_RECORD = "an empty record (no fields at all): skipped"


def thin_record(row: dict, has_content: bool) -> tuple[bool, str] | None:
    """(keep, warning) for a record that names no work, or None when it names one.

    A record with a title, authors, DOI or venue is an ordinary record. One with other
    content only (a note, an abstract, a year: Zotero and JabRef keep such items) is kept with
    a warning, so nothing a user had is lost; only a record with no fields at all is skipped,
    with a warning too."""
    if row.get("title") or row.get("authors") or row.get("doi") or row.get("venue"):
        return None
    if has_content:
        return True, THIN_RECORD
    return False, EMPTY_RECORD


def any_value(values) -> bool:
    """Whether any of the values (strings or lists of strings) holds something."""
    for value in values:
        if isinstance(value, str):
            if value.strip(" \t\r\n{}\"'"):
                return True
        elif isinstance(value, (list, tuple)):
            if any_value(value):
                return True
        elif value is not None:
            return True
    return False
