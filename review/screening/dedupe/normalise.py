"""A record as duplicate detection compares it: every field normalised once, up front.

Exports from Scopus, Web of Science, PubMed, Embase and the rest spell one paper differently;
each field has a module with its rules (`titles`, `authors`, `venues`, `pages`; text folding
in `text`). DOIs and years are normalised here. Everything is pure (strings in, values out) so
it can be tested on its own and reused by the benchmark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from review.screening.dedupe.authors import Author, parse_authors
from review.screening.dedupe.pages import Pages, issue_key, parse_pages, volume_key
from review.screening.dedupe.titles import Title, notice_kind, parse_title, recurring
from review.screening.dedupe.venues import venue_type

# --- DOI -----------------------------------------------------------------------------------

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_VERSION = re.compile(r"(\.pub\d+|[./]v\d+)$")


def doi_key(doi: str | None) -> str:
    """Canonical DOI: lower case, no resolver prefix, URL-decoded; "" when not a DOI."""
    if not doi:
        return ""
    s = unquote(unquote(str(doi).strip())).lower()
    m = _DOI.search(s)
    if not m:
        return ""
    s = m.group(0).rstrip(".,;)]}>\"'")
    prefix, _, suffix = s.partition("/")
    return s if len(suffix) >= 2 else ""


def doi_stem(doi: str) -> str:
    """The DOI without a version suffix (Cochrane `.pub3`, preprint `v2`)."""
    return _DOI_VERSION.sub("", doi) if doi else ""


_YEAR = re.compile(r"\d{4}")


def year_key(year: int | str | None) -> int | None:
    if type(year) is int:
        return year if year > 999 else None
    m = _YEAR.search(str(year or ""))
    return int(m.group(0)) if m else None


# --- the record as compared -----------------------------------------------------------------


@dataclass
class Prepared:
    """A record's fields once normalised; what blocking and scoring work on."""

    index: int
    key: str
    title: str  # the main title form ("" when none worth comparing)
    doi: str
    doi_stem: str
    authors: tuple[Author, ...]
    year: int | None
    venue: str  # as written: `venues.venues_match` compares (and caches) the raw names
    venue_type: str
    volume: str
    issue: str
    pages: Pages
    notice: str | None
    recurring: bool = False
    titles: Title = field(default_factory=lambda: Title(""))

    @property
    def numbers(self) -> frozenset[str]:
        return self.titles.numbers

    @property
    def page(self) -> str:
        return self.pages.first


def prepare(index: int, rec: dict) -> Prepared:
    """Normalise one plain record (keys: key, title, authors, year, venue, volume, issue,
    pages, doi, kind)."""
    venue = rec.get("venue")
    titles = parse_title(rec.get("title"), venue)
    doi = doi_key(rec.get("doi"))
    notice = notice_kind(titles.main, rec.get("title"))
    return Prepared(
        index=index,
        key=str(rec.get("key")),
        title=titles.main,
        doi=doi,
        doi_stem=doi_stem(doi),
        authors=parse_authors(rec.get("authors")),
        year=year_key(rec.get("year")),
        venue=str(venue).strip() if venue else "",
        venue_type=venue_type(rec.get("kind"), venue),
        volume=volume_key(rec.get("volume")),
        issue=issue_key(rec.get("issue")),
        pages=parse_pages(rec.get("pages")),
        notice=notice,
        # a notice recurs as a furniture title does: "Erratum: <the paper's title>" comes back
        # with every correction of it, "Reply to Smith et al." with every reply
        recurring=notice is not None or recurring(titles.main),
        titles=titles,
    )
