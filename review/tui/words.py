"""Word boundaries for the reader's word-level selection: pure Python, no Textual.

Coders select a few words of a sentence, so the reader needs to know where words start and
end in the source text. A word here is what a coder would want to step over in one key press:

- a run of letters, digits and combining marks ("café", "naïve" in decomposed form, "2024");
- joined across an apostrophe, hyphen, underscore or full stop between word characters
  ("don't", "don’t", "co-production", "U.K", "snake_case"), and across a comma between
  digits ("1,000");
- one emoji cluster (a pictograph with its skin tone, variation selector and zero-width-joined
  partners such as 👩‍👩‍👧, or a pair of regional indicators making a flag).

Punctuation and spaces are never part of a word, so a selection grown or shrunk word by word
never starts or ends on a comma or a space. Offsets are Python str indices (code points), the
same as every stored coding. Scripts without spaces (CJK) come out as one word per run of
letters: there is no dictionary segmentation here.
"""

from __future__ import annotations

import unicodedata

WORD, JOIN, EMOJI, EXTEND, OTHER = range(5)

_APOSTROPHES_HYPHENS = frozenset("'’ʼ-‐‑")  # join letters: don't, co-production
_NUMBER_JOINERS = frozenset(",")  # join digits: 1,000
_EXTENDERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")  # ZWJ, variation selectors, keycap


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def char_kind(ch: str) -> int:
    """WORD (letter, digit), EXTEND (combining mark, emoji modifier, ZWJ), EMOJI
    (a pictograph), JOIN (apostrophe or hyphen) or OTHER (space, punctuation, symbol)."""
    if ch in _EXTENDERS:
        return EXTEND
    if ch in _APOSTROPHES_HYPHENS:
        return JOIN
    cat = unicodedata.category(ch)
    first = cat[0]
    if first in "LN":
        return WORD
    if first == "M" or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f":
        return EXTEND  # combining marks, skin tones, emoji tag sequences (flags of regions)
    if cat == "So" and ord(ch) >= 0x2190:  # arrows onward: dingbats, pictographs, emoji
        return EMOJI
    return OTHER


def word_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The [start, end) offsets of every word in text[start:end], in text order."""
    end = len(text) if end is None else min(end, len(text))
    out: list[tuple[int, int]] = []
    i = max(0, start)
    while i < end:
        kind = char_kind(text[i])
        if kind == WORD:
            j = _word_end(text, i + 1, end)
        elif kind == EMOJI:
            j = _emoji_end(text, i, end)
        else:
            i += 1  # spaces, punctuation and marks with nothing to attach to
            continue
        out.append((i, j))
        i = j
    return out


def _word_end(text: str, j: int, end: int) -> int:
    """Where a word that started before j ends (its last character + 1)."""
    while j < end:
        kind = char_kind(text[j])
        if kind in (WORD, EXTEND):
            j += 1
        elif j + 1 < end and char_kind(text[j + 1]) == WORD and _joins(text, j):
            j += 2
        else:
            break
    return j


def _joins(text: str, j: int) -> bool:
    """Does text[j] join the word characters on either side of it into one word?"""
    ch = text[j]
    if ch in _APOSTROPHES_HYPHENS or ch == "." or unicodedata.category(ch) == "Pc":
        return True
    return ch in _NUMBER_JOINERS and text[j - 1].isdigit() and text[j + 1].isdigit()


def _emoji_end(text: str, i: int, end: int) -> int:
    """Where the emoji cluster starting at i ends: modifiers, ZWJ sequences, flag pairs."""
    j = i + 1
    if _regional(text[i]) and j < end and _regional(text[j]):
        return j + 1
    while j < end:
        ch = text[j]
        if ch == "\u200d" and j + 1 < end and char_kind(text[j + 1]) == EMOJI:
            j += 2
        elif char_kind(ch) == EXTEND:
            j += 1
        else:
            break
    return j


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without surrounding whitespace (an all-space span collapses at start)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
