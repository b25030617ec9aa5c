"""Folding text for comparison: no case, accents, HTML, LaTeX or punctuation, single spaces.

Every field duplicate detection compares (titles, names, venues) goes through `fold` first,
so "Caf{\\'e} <i>society</i> &amp; co-production" and "CAFÉ SOCIETY & CO-PRODUCTION" meet.
A `?` standing between two letters is a character the export could not encode ("Ekmekçi?lu",
"toracostom?a"): it is dropped so the word stays one word and differs by one letter at most.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"<[^>]{1,40}>")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\*?\s*|\\.")
_NON_WORD = re.compile(r"[\W_]+")
_LOST_CHAR = re.compile(r"(?<=[^\W\d_])\?+(?=[^\W\d_])")


def fold(text: str | None) -> str:
    """Lower-case ASCII-ish words: no accents, HTML, LaTeX or punctuation, single spaces."""
    if not text:
        return ""
    return _fold(text if type(text) is str else str(text))


@lru_cache(maxsize=262_144)  # names and venues repeat across a library
def _fold(s: str) -> str:
    if "&" in s:
        s = html.unescape(s)
    if "<" in s:
        s = _TAG.sub(" ", s)
    if "\\" in s or "{" in s or "$" in s:
        s = _LATEX_CMD.sub("", s).replace("{", "").replace("}", "").replace("$", "")
    if "?" in s:
        s = _LOST_CHAR.sub("", s)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = unicodedata.normalize("NFKD", s.casefold())  # casefold can recompose: again
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = s.replace("æ", "ae").replace("ø", "o").replace("ł", "l").replace("œ", "oe")
        s = s.replace("ß", "ss").replace("’", "")
    s = s.casefold().replace("'", "")
    return _NON_WORD.sub(" ", s).strip()


def strip_markup(text: str) -> str:
    """HTML entities and tags gone, the rest as written (for splitting before folding)."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return text
