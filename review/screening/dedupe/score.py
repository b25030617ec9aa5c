"""Scoring one candidate pair: duplicate, maybe (a person decides) or different.

The verdict is rule-based on purpose: reviewers distrust a number they cannot explain, so each
pair carries the reasons that decided it. The score (0-1) orders pairs for review; the rules
decide. The order of the rules matters:

1. The same DOI is a duplicate unless the titles disagree (a DOI pasted onto the wrong record).
2. A year more than one apart vetoes (a later edition, an annual minitrack introduction).
3. Different DOIs are never merged automatically, except versions of one DOI (`.pub2`/`.pub3`).
4. Missing titles, disjoint authors or dissimilar titles mean different records.
5. Notices (erratum, reply, retraction), conference vs journal versions, different numbers in
   the title, disagreeing venues or pages, and uncorroborated one-year gaps go to "maybe".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from review.screening.dedupe.normalise import Prepared, author_similarity, venues_match

DUPLICATE = "duplicate"
MAYBE = "maybe"
DIFFERENT = "different"

TITLE_SAME = 93  # fuzz.ratio on normalised titles: typos and punctuation, not new words
TITLE_MAYBE = 85
SHORT_TITLE_WORDS = 4  # "Book review", "Introduction": never enough on their own


@dataclass
class Verdict:
    decision: str
    score: float
    reasons: list[str] = field(default_factory=list)


def score_pair(a: Prepared, b: Prepared) -> Verdict:
    """Compare two prepared records and say why they are (or are not) the same."""
    title = fuzz.ratio(a.title, b.title) if a.title and b.title else -1.0
    authors = author_similarity(a.authors, b.authors)
    venue = venues_match(a.venue, b.venue) if a.venue and b.venue else None
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    score = _score(title, authors, venue, year_gap, a, b)
    reasons: list[str] = []

    if title >= 0:
        reasons.append(f"title {title:.0f}%")
    if authors >= 0:
        reasons.append(f"authors {authors:.0%}")

    def verdict(decision: str, *why: str) -> Verdict:
        return Verdict(decision, round(score, 3), [*why, *reasons])

    if a.doi and a.doi == b.doi:
        if title >= 0 and title < 70 and fuzz.token_set_ratio(a.title, b.title) < 85:
            return verdict(MAYBE, "same DOI but different titles")
        if authors >= 0 and authors < 0.34 and title < TITLE_SAME:
            return verdict(MAYBE, "same DOI but different authors")
        return verdict(DUPLICATE, "same DOI")

    if year_gap is not None and year_gap > 1:
        return verdict(DIFFERENT, f"years {year_gap} apart")

    if a.doi and b.doi:  # both have a DOI, and they differ
        versions = a.doi_stem == b.doi_stem
        if versions and title >= TITLE_SAME and authors != 0:
            return verdict(DUPLICATE, "versions of one DOI")
        if title >= TITLE_SAME:
            return verdict(MAYBE, "different DOIs")
        return verdict(DIFFERENT, "different DOIs")

    if title < 0:
        return verdict(DIFFERENT, "a title is missing")
    if authors == 0:
        return verdict(DIFFERENT, "no author in common")
    if title < TITLE_MAYBE:
        return verdict(DIFFERENT, "titles differ")

    maybe: list[str] = []
    if a.notice != b.notice:
        maybe.append(f"{a.notice or b.notice} vs the paper itself")
    same_pages = bool(a.page) and a.page == b.page and a.page != "1"
    if a.venue_type and b.venue_type and a.venue_type != b.venue_type and not same_pages:
        maybe.append(" vs ".join(sorted((a.venue_type, b.venue_type))) + " version")
    if a.numbers != b.numbers:
        maybe.append("numbers in the titles differ")
    if title < TITLE_SAME and not _corroborated(a, b, authors, venue, year_gap):
        maybe.append("titles similar, not the same")
    if 0 <= authors < 0.67:
        maybe.append("authors partly differ")
    if venue is False:
        maybe.append("venues differ")
    if a.volume and b.volume and a.volume != b.volume and not year_gap:
        maybe.append("volumes differ")
    if a.page and b.page and a.page != b.page and "1" not in (a.page, b.page):
        maybe.append("pages differ")  # page 1 is an online-first pagination
    if year_gap == 1 and not (venue or _same(a.volume, b.volume) or _same(a.page, b.page)):
        maybe.append("one year apart, nothing else confirms")
    if len(a.title.split()) < SHORT_TITLE_WORDS and not (authors > 0.5 and venue):
        maybe.append("title too short to decide")
    if authors < 0 and not venue and year_gap is None:
        maybe.append("no authors, venue or year to confirm")
    if maybe:
        return verdict(MAYBE, *maybe)
    if year_gap == 1:
        return verdict(DUPLICATE, "same title and authors, one year apart (venue confirms)")
    if year_gap is None:
        return verdict(DUPLICATE, "same title and authors (a year is missing)")
    return verdict(DUPLICATE, "same title, authors and year")


def _corroborated(a: Prepared, b: Prepared, authors: float, venue, year_gap) -> bool:
    """Typos make titles differ more: accept them when everything else agrees."""
    pages_ok = not (a.page and b.page) or a.page == b.page
    return authors >= 0.8 and venue is True and year_gap == 0 and pages_ok


def _same(x: str, y: str) -> bool:
    return bool(x) and x == y


def _score(title, authors, venue, year_gap, a: Prepared, b: Prepared) -> float:
    """A 0-1 similarity for ordering and reporting (the rules decide, not this number)."""
    parts = [(0.55, max(title, 0) / 100)]
    if authors >= 0:
        parts.append((0.2, authors))
    if venue is not None:
        parts.append((0.1, 1.0 if venue else 0.0))
    if year_gap is not None:
        parts.append((0.1, {0: 1.0, 1: 0.6}.get(year_gap, 0.0)))
    if a.doi and b.doi:
        parts.append((0.3, 1.0 if a.doi == b.doi else 0.0))
    total = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / total
