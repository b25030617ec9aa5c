"""Scoring one candidate pair: duplicate, maybe (a person decides) or different.

The verdict is rule-based on purpose: reviewers distrust a number they cannot explain, so each
pair carries the reasons that decided it. The score (0-1) orders pairs for review; the rules
decide. Two kinds of rule:

**Vetoes** (`veto`) say two records cannot be one work, whatever else agrees: years more than
one apart; two different DOIs (not versions of one, such as Cochrane `.pub2`/`.pub3`); no
author in common; titles that differ; an erratum, reply or retraction against the paper itself;
different numbers in the titles ("Part 1"/"Part 2", "Phase I"/"Phase II"); different volumes
or first pages; a conference, book or thesis version against a journal article (unless the
pages agree); a recurring title (editorial, letter, abstracts, errata) or a notice about a
paper ("Erratum: …", "Re: …", "Withdrawn: …", "Reply to …": `titles.notice_kind`) from
another issue or year — even when both carry one DOI, as the items of one supplement often
do. Vetoes are checked for
every pair inside a cluster, not only the pairs that linked it (`cluster.build_clusters`).

**Evidence** decides among the pairs no veto stopped:

1. the same DOI, with titles and authors that do not contradict it;
2. the same title (in any of its forms: a translation, the title without its subtitle) with
   the authors agreeing and the same year, confirmed by the venue (in any of its forms and
   abbreviations) or by the same volume and first page — the volume and page outweigh a venue
   written in a way no rule recognises ("Aizheng" / "Chinese Journal of Cancer");
3. a year apart (online first) only when the venue, volume or page confirms;
4. partly differing authors (typos, truncated lists) or a title without its subtitle only with
   the same volume and first page;
5. a title that is recurring (a notice among them) or too short to identify a work only with
   its volume, issue and first page.

Anything else that looks alike goes to "maybe".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from review.screening.dedupe.authors import author_similarity
from review.screening.dedupe.normalise import Prepared
from review.screening.dedupe.pages import pages_agree
from review.screening.dedupe.titles import numbers_conflict
from review.screening.dedupe.venues import venues_match

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


@dataclass(frozen=True)
class Comparison:
    """What two records share, field by field (computed once per pair)."""

    title: float  # 0-100; -1 when a title is missing
    title_how: str  # "title", "translation" or "subtitle"
    authors: float  # 0-1; -1 when a record has no authors
    venue: bool | None
    year_gap: int | None
    volume: bool | None
    pages: bool | None
    issue: bool | None
    same_doi: bool

    @property
    def located(self) -> bool:
        """The same volume and first page: the citation's own coordinates agree."""
        return self.volume is True and self.pages is True


def _translated_alike(a: Prepared, b: Prepared, c: Comparison) -> bool:
    """A title one database translated (MEDLINE's "[...]") and another translated or gave in
    the original, worded differently: the same article when the year, venue, volume, first
    page and authors all agree."""
    return (
        (a.titles.translated or b.titles.translated)
        and c.located
        and c.year_gap == 0
        and c.venue is True
        and c.authors >= 0.67
    )


def _agree(x: str, y: str) -> bool | None:
    return None if not x or not y else x == y


def title_similarity(a: Prepared, b: Prepared) -> tuple[float, str]:
    """The best match of the two titles' forms: the titles themselves, a translation or an
    original-language title, or one title without its subtitle, or two subtitles after one
    title (see `titles`)."""
    if not a.title or not b.title:
        return -1.0, ""
    best = fuzz.ratio(a.title, b.title)
    if best >= TITLE_SAME:
        return best, "title"
    how = "title"
    if a.titles.forms or b.titles.forms:
        for x in (a.title, *a.titles.forms):
            for y in (b.title, *b.titles.forms):
                s = fuzz.ratio(x, y)
                if s > best:
                    best, how = s, "translation"
        if best >= TITLE_SAME:
            return best, how
    for heads, others in (
        (a.titles.heads, (b.title, *b.titles.forms, *b.titles.heads)),
        (b.titles.heads, (a.title, *a.titles.forms)),
    ):
        for x in heads:
            for y in others:
                s = fuzz.ratio(x, y)
                if s >= TITLE_SAME:
                    return s, "subtitle"
    return best, how


def compare(a: Prepared, b: Prepared) -> Comparison:
    title, how = title_similarity(a, b)
    return Comparison(
        title=title,
        title_how=how,
        authors=author_similarity(a.authors, b.authors),
        venue=venues_match(a.venue, b.venue) if a.venue and b.venue else None,
        year_gap=abs(a.year - b.year) if a.year and b.year else None,
        volume=_agree(a.volume, b.volume),
        pages=pages_agree(a.pages, b.pages),
        issue=_agree(a.issue, b.issue),
        same_doi=bool(a.doi) and a.doi == b.doi,
    )


def veto(a: Prepared, b: Prepared, c: Comparison | None = None) -> tuple[str, str] | None:
    """(decision, reason) when the two records cannot be one work, else None.

    The decision is DIFFERENT when they plainly differ and MAYBE when a person should look
    (an erratum of the paper, a numbered part, another volume)."""
    c = c or compare(a, b)
    if c.year_gap is not None and c.year_gap > 1:
        if c.same_doi:
            return MAYBE, f"same DOI but years {c.year_gap} apart"
        return DIFFERENT, f"years {c.year_gap} apart"
    if a.doi and b.doi and not c.same_doi:
        if a.doi_stem == b.doi_stem:
            pass  # versions of one DOI: the evidence decides
        elif c.title >= TITLE_SAME:
            return MAYBE, "different DOIs"
        else:
            return DIFFERENT, "different DOIs"
    if c.same_doi and 0 <= c.title < 70 and c.title_how != "subtitle":
        if fuzz.token_set_ratio(a.title, b.title) < 85:
            return MAYBE, "same DOI but different titles"
    if not c.same_doi:
        if c.title < 0:
            return DIFFERENT, "a title is missing"
        if c.authors == 0:
            return DIFFERENT, "no author in common"
        if c.title < TITLE_MAYBE and c.title_how != "subtitle" and not _translated_alike(a, b, c):
            return DIFFERENT, "titles differ"
    if a.notice != b.notice:
        if a.notice and b.notice:  # a letter and the reply to it, an erratum and a retraction
            return MAYBE, f"{a.notice} vs {b.notice}"
        return MAYBE, f"{a.notice or b.notice} vs the paper itself"
    numbers = numbers_conflict(a.numbers, b.numbers) if a.title and b.title else None
    if numbers == "standalone" or (numbers == "embedded" and not c.located):
        return MAYBE, "numbers in the titles differ"  # a typo inside a word, on one page: one
    if c.volume is False:
        return MAYBE, "volumes differ"
    if c.pages is False:
        return MAYBE, "pages differ"
    if (a.recurring or b.recurring) and (c.issue is False or c.year_gap):
        return MAYBE, "a recurring title from another issue or year"
    if (
        not c.same_doi
        and a.venue_type
        and b.venue_type
        and a.venue_type != b.venue_type
        and c.pages is not True
    ):
        return MAYBE, " vs ".join(sorted((a.venue_type, b.venue_type))) + " version"
    return None


def score_pair(a: Prepared, b: Prepared) -> Verdict:
    """Compare two prepared records and say why they are (or are not) the same."""
    c = compare(a, b)
    score = _score(c, a, b)
    reasons: list[str] = []
    if c.title >= 0:
        reasons.append(f"title {c.title:.0f}%")
    if c.authors >= 0:
        reasons.append(f"authors {c.authors:.0%}")

    def verdict(decision: str, *why: str) -> Verdict:
        return Verdict(decision, round(score, 3), [*why, *reasons])

    stop = veto(a, b, c)
    if stop is not None:
        decision, why = stop
        return verdict(decision, why)
    notes = []
    if c.title_how == "translation":
        notes.append("title matches in translation")
    elif c.title_how == "subtitle":
        notes.append("one title lacks the other's subtitle")

    if c.same_doi:
        if c.authors >= 0 and c.authors < 0.34 and c.title < TITLE_SAME:
            return verdict(MAYBE, "same DOI but different authors")
        return verdict(DUPLICATE, "same DOI", *notes)
    if a.doi and b.doi:  # versions of one DOI (the veto let only those through)
        if c.title >= TITLE_SAME and c.authors != 0:
            return verdict(DUPLICATE, "versions of one DOI", *notes)
        return verdict(MAYBE, "versions of one DOI, titles or authors differ")

    located = c.located
    maybe: list[str] = []
    if a.recurring or b.recurring:
        if not (located and c.year_gap == 0):
            maybe.append(
                "a recurring title (editorial, letter, abstract, notice) needs volume and page"
            )
    elif min(a.titles.words, b.titles.words) < SHORT_TITLE_WORDS:
        if not (located or (c.authors > 0.5 and c.venue)):
            maybe.append("title too short to decide")
    if c.title_how == "subtitle" and not located:
        maybe.append("one title lacks the other's subtitle, nothing else confirms")
    elif c.title < TITLE_SAME and not (located or _corroborated(c)):
        maybe.append("titles similar, not the same")
    if 0 <= c.authors < 0.67 and not _authors_enough(c):
        maybe.append("authors partly differ")
    if c.venue is False and not located:
        maybe.append("venues differ")
    if c.year_gap == 1 and not (
        c.volume or c.pages or (c.venue and (a.pages.online_first or b.pages.online_first))
    ):
        maybe.append("one year apart, nothing else confirms")
    if c.authors < 0 and not c.venue and not located and c.year_gap is None:
        maybe.append("no authors, venue or year to confirm")
    if maybe:
        return verdict(MAYBE, *maybe)
    if c.title < TITLE_MAYBE and c.title_how != "subtitle":  # let through by the veto
        return verdict(
            DUPLICATE, "same authors, year, venue, volume and first page; title translated"
        )
    if located:
        notes.append("volume and first page agree")
        if c.venue is False:
            notes.append("venue written another way")
    if c.year_gap == 1:
        return verdict(DUPLICATE, "same title and authors, one year apart (venue confirms)", *notes)
    if c.year_gap is None:
        return verdict(DUPLICATE, "same title and authors (a year is missing)", *notes)
    return verdict(DUPLICATE, "same title, authors and year", *notes)


def _authors_enough(c: Comparison) -> bool:
    """Partly differing author lists (typos, lists cut short, names garbled) are enough when
    the citation itself agrees: the same title, volume and first page (and a third of the
    authors), or all that and the venue (then any author in common)."""
    if not (c.located and c.title >= TITLE_SAME):
        return False
    return c.authors >= 0.34 or (c.venue is True and c.authors > 0)


def _corroborated(c: Comparison) -> bool:
    """Typos make titles differ more: accept them when everything else agrees."""
    return c.authors >= 0.8 and c.venue is True and c.year_gap == 0 and c.pages is not False


def _score(c: Comparison, a: Prepared, b: Prepared) -> float:
    """A 0-1 similarity for ordering and reporting (the rules decide, not this number)."""
    parts = [(0.55, max(c.title, 0) / 100)]
    if c.authors >= 0:
        parts.append((0.2, c.authors))
    if c.venue is not None:
        parts.append((0.1, 1.0 if c.venue else 0.0))
    if c.year_gap is not None:
        parts.append((0.1, {0: 1.0, 1: 0.6}.get(c.year_gap, 0.0)))
    if c.volume is not None and c.pages is not None:
        parts.append((0.1, 1.0 if c.located else 0.0))
    if a.doi and b.doi:
        parts.append((0.3, 1.0 if c.same_doi else 0.0))
    total = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / total
