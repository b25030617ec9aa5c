"""Find in a source's text, ignoring case and accents ("cafe" finds "Café", "STRASSE" finds
"Straße"); hits are offsets into the original text, so the Reader can select and code them.

Pure Python (no Textual), built once per text: the folded text and, for each of its
characters, the offset of the original character it came from.
"""

from __future__ import annotations

import bisect
import unicodedata


def fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


class Finder:
    """Case- and accent-insensitive search over one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        if text.isascii():
            self.folded = text.lower()
            self.origin: list[int] | None = None  # the identity
            return
        parts: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            f = ch.lower() if ch.isascii() else fold_char(ch)
            parts.append(f)
            origin.extend([i] * len(f))
        self.folded = "".join(parts)
        self.origin = origin

    def _orig(self, i: int) -> int:
        return i if self.origin is None else self.origin[i]

    def find(self, query: str) -> list[tuple[int, int]]:
        """Every non-overlapping occurrence of `query` as (start, end) in the original text;
        runs of whitespace in the query match any run of whitespace."""
        words = fold(query).split()
        if not words:
            return []
        import re

        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        out = []
        for mt in pattern.finditer(self.folded):
            a, z = mt.span()
            out.append((self._orig(a), self._orig(z - 1) + 1))
        return out


def next_hit(hits: list[tuple[int, int]], offset: int, step: int) -> int | None:
    """Index of the hit after (step 1) or before (-1) `offset`, wrapping round; None if none."""
    if not hits:
        return None
    starts = [h[0] for h in hits]
    if step > 0:
        i = bisect.bisect_right(starts, offset)
        return i if i < len(hits) else 0
    i = bisect.bisect_left(starts, offset) - 1
    return i if i >= 0 else len(hits) - 1
