"""Pages, volume and issue as duplicate detection compares them.

Each class of difference has its rule:

- range forms: "23-35", "23--35", "23-5" (the last page shortened), "233-8, 230-5, 246-51"
  and "233-238+230-235+246-251" (several ranges, in any order), "2243-5; author reply 2243-5",
  "106-11; discussion 111": what is compared is the set of first pages;
- page systems: a print page ("945") and an article number or e-locator ("e12724", "a1754",
  "CD006828") are different numberings of one paper, never a contradiction; two of the same
  system are compared by their digits;
- supplement pages: the supplement's mark before the page, "S" or its number in roman
  numerals as Oxford journals print it ("viii108", "iii53-iii59", "viii-108": supplement 8,
  page 108), and "Suppl 1:S12-S14" are one numbering, "s": "viii108", "viii-108" and "S108"
  are one page, "S12-S14" and "S15-S17" differ. Against a page without the mark the same
  number agrees ("S12-S14" / "12-14": one database dropped the "S") and another number says
  nothing, since a supplement has its own pagination and a paper can be cited by either
  (Leukemia 10 Suppl 2:S33-8 and 10:1262-8 in a labelled set);
- front matter in roman numerals alone ("iii-iv", "vi") is its own numbering, compared only
  with roman pages ("63-71, vi" and "63-71" agree by their print range);
- online-first pagination "1-6" says nothing about the print pages;
- garbage: spreadsheet dates made from ranges ("13-May", "01-Jun"), "Suppl-29", "t-8",
  "no pagination" carry no first page;
- volume "4 (1) (no pagination)" is volume 4; "29A" and "29a" are one volume; a missing
  volume or issue never contradicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_MONTHS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\b", re.I)
_RANGE_SPLIT = re.compile(r"[,;+&]|\band\b", re.I)
_RANGE = re.compile(
    r"^\s*([A-Za-z]{0,5})\s?0*(\d{1,9})[A-Za-z]?(?![0-9A-Za-z])"  # first page
    r"(?:\s*[-–—]+\s*(?:[A-Za-z]{0,5})0*(\d{1,9}))?"  # last page
)
# A supplement's own mark before its pages: "S", or its number in roman numerals ("viii108")
_SUPPLEMENT = re.compile(r"s|[ivx]{1,5}")
SUPPLEMENT = "s"  # the numbering of supplement pages
# "viii-108": the roman supplement number and the page written apart (a page, not a range)
_ROMAN_SUPPLEMENT_PAGE = re.compile(r"^\s*([ivx]{1,5})\s*[-–]\s*0*(\d{1,9})\s*$", re.I)
# "Suppl 1:S12-S14", "Suppl. 2, 12-14": the supplement named before its pages
_SUPPLEMENT_LEAD = re.compile(r"^\s*suppl(?:ement)?\.?\s*\w{0,4}\s*:\s*", re.I)
# Front matter: "iii-iv", "vi", "xii-xiv" (roman numerals only)
_ROMAN_RANGE = re.compile(r"^\s*([ivxlc]{1,7})\s*(?:[-–—]+\s*([ivxlc]{1,7}))?\s*\.?\s*$", re.I)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
FRONT_MATTER = "r"  # the numbering of roman front-matter pages
_VOLUME = re.compile(r"\s*(?:vol(?:ume)?\.?\s*)?0*(\d+)", re.I)
_DIGITS = re.compile(r"\d+")
_LEAD_WORDS = re.compile(r"^\s*(?:author reply|reply|discussion|disscussion|erratum)\s*", re.I)

Range = tuple[str, int, int | None]  # numbering ("" print, "s", "e", "cd", "r"...), first, last


@dataclass(frozen=True)
class Pages:
    """The page ranges a pages field names, each in its numbering (print pages, supplement
    pages, article numbers / e-locators with their letter, roman front matter)."""

    ranges: frozenset[Range] = frozenset()
    online_first: bool = False  # "1-6": an online-first paper's own pagination

    def __bool__(self) -> bool:
        return bool(self.ranges)

    @property
    def first(self) -> str:
        """One first page for display and blocking ("" when none); a supplement page is its
        number, so "S108" meets the "108" it may be written as."""
        if not self.ranges:
            return ""
        system, start, _end = min(self.ranges, key=lambda r: (r[0] not in ("", SUPPLEMENT), r[1]))
        return f"{'' if system == SUPPLEMENT else system}{start}"


@lru_cache(maxsize=131_072)
def parse_pages(pages: str | None) -> Pages:
    """The page ranges of a pages field (see the module notes)."""
    text = str(pages or "").strip()
    if not text or _MONTHS.search(text):
        return Pages()
    ranges: set[Range] = set()
    online_first = False
    for part in _RANGE_SPLIT.split(text):
        part = _SUPPLEMENT_LEAD.sub("", _LEAD_WORDS.sub("", part))
        roman = _ROMAN_RANGE.match(part)
        if roman:
            first, last = (roman_value(g) for g in roman.groups())
            if first:
                ranges.add((FRONT_MATTER, first, last if last and last >= first else None))
            continue
        m = _ROMAN_SUPPLEMENT_PAGE.match(part) or _RANGE.match(part)
        if not m:
            continue  # "Suppl-29", "t-8", "no pagination": no page
        system, start = m.group(1).lower(), int(m.group(2))
        end = _last_page(m.group(2), m.group(3)) if m.re is _RANGE else None
        if system and _SUPPLEMENT.fullmatch(system):
            system = SUPPLEMENT  # "viii108", "iii53-iii59", "S53-S59": supplement pages
        elif system and len(system) > 2 and system != "cd":
            continue
        if not system and start == 1 and end is not None:
            online_first = True  # "1-6" says nothing about the print pages
            continue
        ranges.add((system, start, end))
    return Pages(frozenset(ranges), online_first)


def roman_value(numeral: str | None) -> int | None:
    """The value of a roman numeral ("xiv" → 14), None when it is not one."""
    if not numeral:
        return None
    values = [_ROMAN_VALUES.get(ch) for ch in numeral.lower()]
    if None in values:
        return None
    total = 0
    for i, v in enumerate(values):
        assert v is not None
        nxt = values[i + 1] if i + 1 < len(values) else None
        total += -v if nxt is not None and nxt > v else v
    return total if total > 0 else None


def _last_page(first: str, last: str | None) -> int | None:
    """ "23-5" is 23-25 and "1324-7" is 1324-1327; a last page before the first is dropped."""
    if not last:
        return None
    first = first.lstrip("0") or "0"
    last = last.lstrip("0") or "0"
    if int(last) < int(first) and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    end = int(last)
    return end if end >= int(first) else None


def _range_agrees(x: Range, y: Range) -> bool:
    _s, a0, a1 = x
    _t, b0, b1 = y
    if a0 == b0:
        return True
    if a1 is not None and b1 is not None:
        return a1 == b1  # one database cut the first page ("S3-89" for "S78-89")
    if a1 is None and b1 is not None:
        return b0 <= a0 <= b1  # "569" for "567-569": some exports keep one page
    if b1 is None and a1 is not None:
        return a0 <= b0 <= a1
    return False


def pages_agree(a: Pages, b: Pages) -> bool | None:
    """True when a range agrees (same first page, same last page, or a single page inside
    the other's range), False when both use one numbering and no range agrees, None when the
    records use different numberings or either has no pages."""
    if not a.ranges or not b.ranges:
        return None
    shared_system = False
    for x in a.ranges:
        for y in b.ranges:
            if x[0] == y[0]:
                shared_system = True
                if _range_agrees(x, y):
                    return True
            elif x[1] == y[1] and FRONT_MATTER not in (x[0], y[0]):
                return True  # "e123" and "123": one number written two ways
    return False if shared_system else None


def volume_key(volume: str | None) -> str:
    """The volume's number ("4 (1) (no pagination)" → "4", "29A" → "29")."""
    if not volume:
        return ""
    m = _VOLUME.match(str(volume))
    return m.group(1) if m else ""


def issue_key(issue: str | None) -> str:
    """The issue as compared: digits, with "S" for a supplement ("Suppl 2" → "s2")."""
    text = str(issue or "").strip().lower()
    if not text:
        return ""
    supplement = "sup" in text or text.startswith("s")
    m = _DIGITS.search(text)
    digits = m.group(0).lstrip("0") if m else ""
    return ("s" if supplement else "") + digits if digits or supplement else ""
