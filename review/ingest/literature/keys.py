"""Cite keys in the authorYEARword style (`bovaird2008user`) for records that come without one.

RIS, Web of Science, PubMed and most CSV exports carry no cite key, but `Source.key` is unique
and shown everywhere; a readable, deterministic key means re-importing the same file produces
the same keys (and so adds nothing).
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    "a an the of on in at to for and or with from by is are be as into about its their "
    "what why how when does do if you your we our it this that not can".split()
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII with accents stripped (`Løffler` -> `loffler`)."""
    if text.isascii():
        return text.lower()
    text = text.replace("ø", "o").replace("Ø", "O").replace("ß", "ss").replace("ł", "l")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def make_key(
    authors: list[str], year: int | None, title: str | None, doi: str | None = None
) -> str:
    """authorYEARword: first author's last name, the year, the first significant title word.

    A record with neither authors nor title (a bare DOI) is keyed by its DOI instead.
    """
    if not authors and not title and doi:
        return "doi:" + _NON_ALNUM.sub("-", doi.lower()).strip("-")
    last = ""
    if authors:
        last = _NON_ALNUM.sub("", ascii_fold(authors[0].split(",")[0]))
    word = ""
    for m in _ALNUM_RUN.finditer(ascii_fold((title or "")[:200])):  # stops at the first word
        w = m.group()
        if w not in STOPWORDS and not w.isdigit():
            word = w
            break
    key = f"{last or 'anon'}{year or ''}{word}"
    return key[:80]
