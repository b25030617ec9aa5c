"""Venues (journal and conference names) as duplicate detection compares them.

One journal is written many ways, and each class has a rule here rather than a list of
journals:

- case, punctuation, "&" for "and", a leading "The", articles and prepositions in several
  languages ("Annales françaises d'anesthésie et de réanimation");
- medium designations and place qualifiers: "PLoS ONE [Electronic Resource]", "BMJ (Clinical
  research ed.)", "Lung cancer (Amsterdam, Netherlands)", "Medizinische Klinik (Munich,
  Germany : 1983)" — NLM adds them to tell title twins apart, other databases leave them out;
- subtitles and parallel titles: "Journal of clinical oncology : official journal of the
  American Society of Clinical Oncology", "International journal of cancer. Journal
  international du cancer", "Ai zheng = Aizheng = Chinese journal of cancer", "Texas Heart
  Institute journal / from the Texas Heart Institute ...", "[Chinese Journal of Oncology]":
  each part is a form of the name, and two venues match when any forms match;
- abbreviations by ISO 4 / NLM word truncation and contraction: each word of the short form
  abbreviates one word of the long form (same first letter, its letters in order: "Natl" for
  "National", "Anesth" for "Anesthesie", "Dtsch" for "Deutsche"), or one written-together
  token covers several words ("Cardiothorac" for "Cardio-thoracic", "Jthoraccardiovascsurg"
  for "Journal of thoracic and cardiovascular surgery", the acronyms "JPEN" and "AMCIS");
  every word of both must be accounted for, so "Journal of Cancer" is not "Journal of Cancer
  Research";
- years and edition numbers ("Amcis 2017 Proceedings") and filler words such as
  "Proceedings" and "Annual" may be left out by either side.
"""

from __future__ import annotations

import re
from functools import lru_cache

from review.screening.dedupe.text import fold, strip_markup

_STOP = frozenset(
    "of the and in on for at to an a de la le les du des der die das und d l y e et el los "
    "las di da do del della dei degli van voor en fur fuer i och og zur zum am im".split()
)
_FILLER = frozenset("proceedings proc annual official".split())
_MEDIUM = re.compile(
    r"\[\s*(?:electronic resource|electronic|online|internet|print|computer file|microform|"
    r"cd-rom|serial)\s*\]",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\([^()]*\)")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_STRONG_SEP = re.compile(r"\s*[:=/;]\s*|\s+[-–—]\s+")
_DOT_SEP = re.compile(r"\.\s+|(?<=[^\W\d_]{5})\.(?=[^\W\d_])")
_ELISION = re.compile(r"\b([dlDL])['’]")
_CONFERENCE = re.compile(
    r"\b(conference|conf|proceedings|proc|symposium|workshop|congress|meeting|colloquium|"
    r"convention|summit|hicss|amcis|icis|ecis|pacis)\b"
)
_JOURNAL = re.compile(r"\b(journal|j|review|rev|transactions|trans|quarterly|letters|annals)\b")
CONFERENCE_KINDS = {"inproceedings", "conference", "proceedings", "conference paper", "cpaper"}
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
    # an unpublished manuscript (BibTeX @unpublished, @manual; stored as a 'document'): the
    # conference paper or article it became is another report of the work, not the same one
    "document": "manuscript",
    "unpublished": "manuscript",
    "manuscript": "manuscript",
}

Form = tuple[str, ...]


_OPTIONAL = _STOP | _FILLER


def tokens(text: str) -> Form:
    """The words of a venue's name, folded, without numbers (years, editions)."""
    return tuple(w for w in fold(text).split() if not w.isdigit())


def content(form: Form) -> Form:
    """The words that name the venue: without articles, prepositions and filler words."""
    return tuple(w for w in form if w not in _OPTIONAL)


@lru_cache(maxsize=65_536)
def venue_forms(venue: str | None) -> tuple[Form, ...]:
    """Every form of a venue's name (see the module notes); the full name first."""
    if not venue:
        return ()
    raw = _ELISION.sub(r"\1 ", _MEDIUM.sub(" ", strip_markup(str(venue))))
    extra = [m.group(1) for m in _BRACKET.finditer(raw)]
    raw = _BRACKET.sub(" ", raw)
    for _ in range(3):  # nested: "(S?o Carlos (S?o Paulo, Brazil))"
        stripped = _PAREN.sub(" ", raw)
        if stripped == raw:
            break
        raw = stripped
    raw = raw.replace("(", " ").replace(")", " ")
    forms: list[Form] = []
    full = tokens(raw)
    if full:
        forms.append(full)
    parts = _STRONG_SEP.split(raw)
    for part in [*parts, *(d for p in parts for d in _DOT_SEP.split(p)), *extra]:
        form = tokens(part)
        named = content(form)
        if named and form not in forms and (len(named) >= 2 or len(named[0]) >= 5):
            forms.append(form)
    return tuple(forms)


def _abbreviates(piece: str, word: str) -> bool:
    """`natl` abbreviates `national`: same first letter, its letters in order."""
    if piece == word:
        return True
    if not piece or piece[0] != word[0] or len(piece) > len(word):
        return False
    it = iter(word)
    return all(ch in it for ch in piece)


def _covers(token: str, full: Form, j: int) -> set[int]:
    """Ends k such that `token` split into pieces abbreviates full[j:k] word by word.

    A token that abbreviates the next word by itself covers only that word ("Cancer" is not
    "Cance-r" for "Cancer Research"); written-together tokens and acronyms cover several."""
    if _abbreviates(token, full[j]):
        return {j + 1}
    # reach[p]: indexes of the next full word once token[:p] is consumed; an article or
    # filler word inside an acronym may be passed over ("AMCIS": Americas Conference *on* ...)
    reach: dict[int, set[int]] = {0: {j}}
    for p in range(len(token)):
        todo = list(reach.get(p, ()))
        seen = set(todo)
        while todo:
            idx = todo.pop()
            if idx >= len(full):
                continue
            word = full[idx]
            if p and word in _OPTIONAL and idx + 1 not in seen:
                seen.add(idx + 1)
                todo.append(idx + 1)
            for q in range(p + 1, len(token) + 1):
                if _abbreviates(token[p:q], word):
                    reach.setdefault(q, set()).add(idx + 1)
    ends = set(reach.get(len(token), set()))
    ends.discard(j)
    return ends


def abbreviates(short: Form, full: Form) -> bool:
    """Whether every word of `short` abbreviates one or more consecutive words of `full`,
    accounting for all of `full`. Articles, prepositions and filler words may be skipped on
    either side, or abbreviate a word themselves ("Des" for "Desess")."""
    memo: dict[tuple[int, int], bool] = {}

    def rec(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(short):
            ok = all(t in _OPTIONAL for t in full[j:])
        elif j == len(full):
            ok = all(t in _OPTIONAL for t in short[i:])
        else:
            ok = (
                (short[i] in _OPTIONAL and rec(i + 1, j))
                or (full[j] in _OPTIONAL and rec(i, j + 1))
                or any(rec(i + 1, k) for k in _covers(short[i], full, j))
            )
        memo[key] = ok
        return ok

    return rec(0, 0)


@lru_cache(maxsize=262_144)
def venues_match(a: str | None, b: str | None) -> bool | None:
    """True when the venues are one (some form of each abbreviates the other), False when
    they differ, None when either is missing."""
    fa, fb = venue_forms(a), venue_forms(b)
    if not fa or not fb:
        return None
    named_a, named_b = [content(x) for x in fa], [content(y) for y in fb]
    if set(named_a) & set(named_b):
        return True
    for x, nx in zip(fa, named_a, strict=True):
        for y, ny in zip(fb, named_b, strict=True):
            short, full = (x, y) if sum(map(len, nx)) <= sum(map(len, ny)) else (y, x)
            if abbreviates(short, full):
                return True
    return False


def venue_type(kind: str | None, venue: str | None) -> str:
    """'conference', 'journal', 'book', 'thesis', 'report', 'manuscript' or '' (unknown), from
    the entry type and the venue's words: a thesis and the article drawn from it are two
    records, as are a manuscript and the paper it became."""
    v = fold(venue)
    other = OTHER_KINDS.get((kind or "").lower())
    if other:
        return other
    if (kind or "").lower() in CONFERENCE_KINDS or (v and _CONFERENCE.search(v)):
        return "conference"
    if v and (_JOURNAL.search(v) or (kind or "").lower() == "article"):
        return "journal"
    return ""
