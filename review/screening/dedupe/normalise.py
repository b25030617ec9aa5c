"""Normalisation of the fields duplicate detection compares: DOI, title, authors, venue, pages.

Exports from Scopus, Web of Science and PubMed spell one paper differently: `DOI:10.1/ABC` vs
`https://doi.org/10.1%2Fabc`, `AIR VERSUS OXYGEN` vs `Air versus oxygen [Review].`,
`Abrahao, Bruno` vs `B. Abrahao` vs PubMed's run-together `Tan A.Schulze A.`, `Curr Opin
Lipidol` vs `Current Opinion in Lipidology`. Everything here is pure (strings in, strings out)
so it can be tested on its own and reused by the benchmark.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

# --- text folding -------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]{1,40}>")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\*?\s*|\\.")
_NON_WORD = re.compile(r"[\W_]+")
_TRAILING_TAG = re.compile(r"\s*[\[(][^\[\]()]{1,60}[\])]\s*\.?\s*$")
_PLACEHOLDERS = {"", "unknown", "untitled", "no title", "na", "n a", "none", "null", "title"}


def fold(text: str | None) -> str:
    """Lower-case ASCII-ish words: no accents, HTML, LaTeX or punctuation, single spaces."""
    if not text:
        return ""
    return _fold(str(text))


@lru_cache(maxsize=262_144)  # names and venues repeat across a library
def _fold(s: str) -> str:
    if "&" in s:
        s = html.unescape(s)
    if "<" in s:
        s = _TAG.sub(" ", s)
    if "\\" in s or "{" in s or "$" in s:
        s = _LATEX_CMD.sub("", s).replace("{", "").replace("}", "").replace("$", "")
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = unicodedata.normalize("NFKD", s.casefold())  # casefold can recompose: again
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = s.replace("æ", "ae").replace("ø", "o").replace("ł", "l").replace("œ", "oe")
        s = s.replace("’", "")
    s = s.casefold().replace("'", "")
    return _NON_WORD.sub(" ", s).strip()


def title_key(title: str | None, venue: str | None = None) -> str:
    """The normalised title, or "" when there is none worth comparing.

    Trailing database tags ("[Review]", "[Article in French]") go; placeholders such as
    "UNKNOWN" and titles that only repeat the venue (CAIS landing pages) count as missing.
    """
    if not title:
        return ""
    raw = _TAG.sub(" ", html.unescape(str(title))).strip()
    for _ in range(3):  # "[Review] [Article in German]."
        stripped = _TRAILING_TAG.sub("", raw)
        if stripped == raw or len(stripped) < 8:
            break
        raw = stripped
    t = fold(raw)
    if t in _PLACEHOLDERS:
        return ""
    v = fold(venue)
    if v and len(v) > 10 and t.startswith(v) and t.count(v) >= 1:
        rest = t.replace(v, " ")
        if not re.sub(r"\b(volume|vol|paper|issue|no|number|article|\d+)\b", "", rest).strip():
            return ""
    return t


_NOTICE = re.compile(
    r"\b(erratum|errata|corrigendum|corrigenda|correction|retraction|retracted|"
    r"expression of concern|in reply|authors reply|reply to|response to|comment on|"
    r"commentary on|letter to the editor)\b"
)


def notice_kind(title_norm: str) -> str | None:
    """'erratum', 'reply', ... when the title announces a notice rather than a paper."""
    m = _NOTICE.search(title_norm)
    if not m:
        return None
    word = m.group(1)
    if word.startswith(("errat", "corrig", "correction")):
        return "erratum"
    if word.startswith("retract") or word == "expression of concern":
        return "retraction"
    if word.startswith(("comment", "letter")):
        return "comment"
    return "reply"


def numbers(title_norm: str) -> frozenset[str]:
    """Numbers in a title: "Part 1" and "Part 2" (or "Paper 41" vs "Paper 45") differ."""
    return frozenset(re.findall(r"\b\d+\b", title_norm))


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


# --- authors -------------------------------------------------------------------------------

_RUN_TOGETHER = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z'’])")
_SPLIT = re.compile(r"\s+and\s+|\s*;\s*|\s*&\s*", re.IGNORECASE)
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,3}")


@dataclass(frozen=True)
class Author:
    """One author: the tokens that may be the surname, and an initial when known."""

    surnames: frozenset[str]
    initial: str = ""

    @property
    def key(self) -> str:
        """`surname initial`, the form the report shows (first candidate surname)."""
        name = sorted(self.surnames)[0] if self.surnames else "?"
        return f"{name} {self.initial}".strip()


def split_authors(authors: list[str] | str | None) -> list[str]:
    """One string per author, whatever the export packed together."""
    if not authors:
        return []
    items = [authors] if isinstance(authors, str) else list(authors)
    out: list[str] = []
    for item in items:
        if not item:
            continue
        item = str(item)
        for part in _SPLIT.split(item):
            for name in _RUN_TOGETHER.split(part):
                name = name.strip(" ,.")
                if name:
                    out.append(name)
    return out


@lru_cache(maxsize=262_144)
def parse_author(name: str) -> Author | None:
    """`Surname, Given`, `G. Surname`, `Surname G.` or `Given Surname` (ambiguous: both)."""
    if "," in name:
        surname, _, given = name.partition(",")
        sur = _words(surname)
        giv = fold(given)
        if not sur:  # ", John": nothing to go on
            return None
        return Author(frozenset(sur), giv[:1])
    tokens = name.replace(".", ". ").split()
    initials = [bool(_INITIALS.fullmatch(t.strip())) for t in tokens]
    words = [t for t, ini in zip(tokens, initials, strict=True) if not ini]
    if not words:
        return None
    if initials and initials[0] and not initials[-1]:  # "B. Abrahao", "K. S. Cook"
        return Author(frozenset(_words(words[-1]) or _words(" ".join(words))), fold(tokens[0])[:1])
    if initials and initials[-1]:  # "Tan A.", "O'Donnell C. P."
        ini = next((fold(t)[:1] for t, i in zip(tokens, initials, strict=True) if i), "")
        return Author(frozenset(_words(" ".join(words))), ini)
    # "Omulo Sylvia" (PubMed order) or "Sylvia Omulo" (BibTeX order): both ends are candidates.
    cands = _words(words[0]) | _words(words[-1])
    return Author(frozenset(cands), "")


def _words(text: str) -> set[str]:
    return {w for w in fold(text).split() if len(w) >= 2}


def parse_authors(authors: list[str] | str | None) -> tuple[Author, ...]:
    """Authors of a record, dropping placeholders such as `UNKNOWN` or `et al.`."""
    out = []
    for name in split_authors(authors):
        if fold(name) in {"unknown", "anonymous", "et al", "others", "anon"}:
            continue
        a = parse_author(name)
        if a is not None and a.surnames:
            out.append(a)
    return tuple(out)


def author_similarity(a: tuple[Author, ...], b: tuple[Author, ...]) -> float:
    """Share of the shorter author list found in the other (surname candidates overlap)."""
    if not a or not b:
        return -1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pool = [x.surnames for x in long_]
    hits = 0
    for author in short:
        for i, cands in enumerate(pool):
            if cands and author.surnames & cands:
                hits += 1
                pool[i] = frozenset()
                break
    return hits / len(short)


# --- venue ---------------------------------------------------------------------------------

_VENUE_STOP = {"of", "the", "and", "in", "on", "for", "de", "la", "du", "des", "der", "und"}
_CONFERENCE = re.compile(
    r"\b(conference|conf|proceedings|proc|symposium|workshop|congress|meeting|colloquium|"
    r"convention|summit|hicss|amcis|icis|ecis|pacis)\b"
)
_JOURNAL = re.compile(r"\b(journal|j|review|rev|transactions|trans|quarterly|letters|annals)\b")
CONFERENCE_KINDS = {"inproceedings", "conference", "proceedings", "conference paper", "cpaper"}


def venue_tokens(venue: str | None) -> tuple[str, ...]:
    return tuple(w for w in fold(venue).split() if w not in _VENUE_STOP)


OTHER_KINDS = {
    "book": "book",
    "chapter": "book",
    "inbook": "book",
    "incollection": "book",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "report": "report",
    "techreport": "report",
}


def venue_type(kind: str | None, venue: str | None) -> str:
    """'conference', 'journal', 'book', 'thesis', 'report' or '' (unknown), from the entry
    type and the venue's words: a thesis and the article drawn from it are two records."""
    v = fold(venue)
    other = OTHER_KINDS.get((kind or "").lower())
    if other:
        return other
    if (kind or "").lower() in CONFERENCE_KINDS or (v and _CONFERENCE.search(v)):
        return "conference"
    if v and (_JOURNAL.search(v) or (kind or "").lower() == "article"):
        return "journal"
    return ""


def _abbreviates(short: str, full: str) -> bool:
    """`natl` abbreviates `national`: same first letter, letters in order."""
    if short == full:
        return True
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    it = iter(full)
    return all(ch in it for ch in short)


def venues_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same venue, allowing ISO-4 abbreviations (`Proc Natl Acad Sci` = PNAS spelled out)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, full = (a, b) if sum(map(len, a)) <= sum(map(len, b)) else (b, a)
    i = 0
    skipped = 0
    for tok in short:
        while i < len(full) and not _abbreviates(tok, full[i]):
            i += 1
            skipped += 1
        if i == len(full):
            return False
        i += 1
    skipped += len(full) - i
    return skipped <= 1


# --- numbers ------------------------------------------------------------------------------


def volume_key(volume: str | None) -> str:
    m = re.match(r"\s*(\d+)", str(volume or ""))
    return m.group(1) if m else ""


def first_page(pages: str | None) -> str:
    """The first page as written without leading zeros or letters (`Cd002273` → `2273`)."""
    m = re.search(r"(\d+)", str(pages or ""))
    return m.group(1).lstrip("0") if m else ""


def year_key(year: int | str | None) -> int | None:
    m = re.search(r"\d{4}", str(year or ""))
    return int(m.group(0)) if m else None


# --- the record as compared -----------------------------------------------------------------


@dataclass
class Prepared:
    """A record's fields once normalised; what blocking and scoring work on."""

    index: int
    key: str
    title: str
    doi: str
    doi_stem: str
    authors: tuple[Author, ...]
    year: int | None
    venue: tuple[str, ...]
    venue_type: str
    volume: str
    page: str
    notice: str | None
    numbers: frozenset[str] = field(default_factory=frozenset)


def prepare(index: int, rec: dict) -> Prepared:
    """Normalise one plain record (keys: key, title, authors, year, venue, volume, pages,
    doi, kind)."""
    venue = rec.get("venue")
    title = title_key(rec.get("title"), venue)
    doi = doi_key(rec.get("doi"))
    return Prepared(
        index=index,
        key=str(rec.get("key")),
        title=title,
        doi=doi,
        doi_stem=doi_stem(doi),
        authors=parse_authors(rec.get("authors")),
        year=year_key(rec.get("year")),
        venue=venue_tokens(venue),
        venue_type=venue_type(rec.get("kind"), venue),
        volume=volume_key(rec.get("volume")),
        page=first_page(rec.get("pages")),
        notice=notice_kind(title),
        numbers=numbers(title),
    )
