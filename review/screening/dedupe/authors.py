"""Authors as duplicate detection compares them: surnames (and an initial) in any export's form.

Each class of difference has its rule:

- name order and punctuation: "Abrahao, Bruno", "B. Abrahao", "Abrahao B", PubMed's run
  together "Tan A.Schulze A.", Embase's "Omulo Sylvia" (which end is the surname is ambiguous,
  so both are candidates);
- initials vs full given names: only the surname and the first initial are compared;
- given name and surname swapped by one database ("Parry, Dilworth H" / "Dilworth, H P"):
  the given names written out are second-choice candidates;
- diacritics and characters an export could not encode ("Ekmekçioğlu", "Ekmekçio?lu",
  "Ekmekcioglu"), typos and truncated surnames ("Chen" / "Che", "Mulić" / "Muli"): surnames
  match when equal, when one is the other cut short by one or two letters, or when they are
  one edit apart (two for long names);
- "et al." and truncated author lists: the shorter list is compared with the longer one;
- corporate authors ("ALTS Group", "European Lung Cancer Working Party", "Anonymous") are not
  persons: they are left out, so a record listing only a group has no authors to compare.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from review.ingest.literature.names import CORPORATE as _CORPORATE
from review.screening.dedupe.text import fold

_RUN_TOGETHER = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z'’])")
_SPLIT = re.compile(r"\s+and\s+|\s*;\s*|\s*&\s*", re.IGNORECASE)
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,3}")
_ET_AL = re.compile(r"[,\s]*\bet\.?\s*al\b\.?.*$", re.IGNORECASE)
_PLACEHOLDER = {"unknown", "anonymous", "et al", "others", "anon", "n a", "na", "no author"}


class Author(NamedTuple):
    """One author: the tokens that may be the surname, given names written out, an initial.
    (A named tuple: tens of thousands are made per library, and it is the cheapest.)"""

    surnames: frozenset[str]
    initial: str = ""
    given: frozenset[str] = frozenset()
    initials: str = ""  # the first letters of every given name ("H P" → "hp")

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
    if ("al" in name or "AL" in name) and ("et" in name or "ET" in name):
        name = _ET_AL.sub("", name).strip(" ,.")
        if not name:
            return None
    folded = fold(name)
    if folded in _PLACEHOLDER or (" " in folded and len(folded) > 7 and _CORPORATE.search(folded)):
        return None
    if "," in name:
        surname, _, given = name.partition(",")
        sur = _words(surname)
        if not sur:  # ", John": nothing to go on
            return None
        giv = fold(given).split()
        initials = "".join(w[0] for w in giv)
        full = frozenset(w for w in giv if len(w) >= 2 and w not in sur)
        return Author(frozenset(sur), initials[:1], full, initials)
    tokens = name.replace(".", ". ").split()
    is_initial = [bool(_INITIALS.fullmatch(t.strip())) for t in tokens]
    words = [t for t, ini in zip(tokens, is_initial, strict=True) if not ini]
    if not words:
        return None
    if is_initial and is_initial[0] and not is_initial[-1]:  # "B. Abrahao", "K. S. Cook"
        return Author(frozenset(_words(words[-1]) or _words(" ".join(words))), fold(tokens[0])[:1])
    if is_initial and is_initial[-1]:  # "Tan A.", "O'Donnell C. P."
        ini = next((fold(t)[:1] for t, i in zip(tokens, is_initial, strict=True) if i), "")
        return Author(frozenset(_words(" ".join(words))), ini)
    # "Omulo Sylvia" (PubMed order) or "Sylvia Omulo" (BibTeX order): both ends are candidates.
    cands = _words(words[0]) | _words(words[-1])
    return Author(frozenset(cands), "")


def _words(text: str) -> set[str]:
    return {w for w in fold(text).split() if len(w) >= 2}


def parse_authors(authors: list[str] | str | None) -> tuple[Author, ...]:
    """Persons among a record's authors (placeholders and corporate authors left out)."""
    out = []
    for name in split_authors(authors):
        a = parse_author(name)
        if a is not None and a.surnames:
            out.append(a)
    return tuple(out)


@lru_cache(maxsize=262_144)
def same_surname(x: str, y: str) -> bool:
    """Equal, or one cut short by one or two letters, or one or two edits apart (see notes)."""
    if x == y:
        return True
    if x[0] != y[0]:
        return False
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 3 and long_.startswith(short) and len(long_) - len(short) <= 2:
        return True
    if len(short) < 5:
        return False
    limit = 2 if len(short) >= 8 else 1
    return Levenshtein.distance(x, y, score_cutoff=limit) <= limit


def _matches(a: Author, b: Author) -> bool:
    if a.surnames & b.surnames:
        return True
    for x in a.surnames:
        for y in b.surnames:
            if same_surname(x, y):
                return True
    # given name and surname swapped by one of the databases: "Parry, Dilworth H" is
    # "Dilworth, H P" when the other's initials hold the first letter of this surname
    return _swapped(a, b) or _swapped(b, a)


def _swapped(a: Author, b: Author) -> bool:
    return bool(b.surnames & a.given) and any(s[0] in b.initials for s in a.surnames)


def author_similarity(a: tuple[Author, ...], b: tuple[Author, ...]) -> float:
    """Share of the shorter author list found in the other; -1 when either has none."""
    if not a or not b:
        return -1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pool: list[Author | None] = list(long_)
    hits = 0
    for author in short:
        for i, other in enumerate(pool):
            if other is not None and _matches(author, other):
                hits += 1
                pool[i] = None
                break
    return hits / len(short)
