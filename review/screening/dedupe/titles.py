"""Titles as duplicate detection compares them, and what a title says about the record.

Databases write one title many ways; each class of difference has its rule here:

- markup and case: HTML/LaTeX, capitals, punctuation (`text.fold`);
- database annotations anywhere in the title: "[Review] [33 refs]", "[Article in German]",
  "[Erratum appears in Chest 1993 May;103(5):1640]", "[Abstract]", "[corrected]" — they are
  the database's notes, not the title (and an erratum *note* does not make a paper an erratum);
- translated titles: MEDLINE puts an English translation in brackets ("[Pleuritis
  carcinomatosa]"); Scopus puts the original-language title in brackets after the English
  one ("Quality of life after lobectomy [Qualité de vie après lobectomie]"); Embase adds the
  original after "<ORIGINAL>" or "TO:", others join both with "; " or " = " — every part is a
  form the other record may have;
- subtitles and appended group names dropped by one database ("... lung cancer. Surgical
  considerations", "... trial. European Lung Cancer Working Party"): the title's heads
  (the text before a ". ", ": " or " - ") are forms too, used only with other evidence;
- trailing punctuation and trailing tags ("(author's transl)", ".");
- British and American spelling (tumour/tumor, haematology/hematology, randomised/randomized,
  centre/center, oesophagus/esophagus, catalogue/catalog, modelled/modeled);
- placeholders ("UNKNOWN") and titles that only repeat the venue count as missing.

`notice_kind` says when a title announces a notice about a paper rather than a paper (an
erratum, addendum, comment, reply, retraction or withdrawal, by its words or by the heading
before the paper's title: "Re: …", "WITHDRAWN: …"); a notice recurs too (`normalise.prepare`);
`recurring` when the same title comes back issue after issue (editorials, "Editor's
comments", letters, abstracts, book reviews), so the title alone can never identify the item;
`numbers` keeps "Part 1" apart from "Part 2" and "Phase I" from "Phase II".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from review.screening.dedupe.text import fold, strip_markup

# Notes that run on ("[Erratum appears in Chest 1993 May;103(5):1640]") and notes that are
# the whole bracket ("[Review]"); a bracket that starts "[Review of ...]" is a title.
_LONG_NOTES = (
    r"erratum|errata|corrigendum|corrigenda|published erratum|retraction (?:in|of)|retracted|"
    r"comment (?:in|on)|comments? see|see comments?|see also|update (?:in|of)|updated in|"
    r"republished|duplicate publication|article in|original report|original article|reprinted|"
    r"corrected to|abstract (?:no|number|nr)"
)
_SHORT_NOTES = (
    r"review|reviews|abstract|abstr|abst|ab|english abstract|corrected|editorial|letter|news|"
    r"in process|meeting abstract|conference abstract|poster|authors? transl|"
    r"summary for patients|comment|\d+\s*refs?|\d+\s*references|see comments?|published"
)
# One level of nested brackets allowed; a note cut off by an export's length limit counts too.
_ANNOTATION = re.compile(
    r"\s*\.?\s*\[\s*(?:(?:" + _LONG_NOTES + r")\b[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*"
    r"|(?:" + _SHORT_NOTES + r")\s*\.?\s*)(?:\]|$)",
    re.IGNORECASE,
)
# Embase's marker is "TO:" in capitals; "to:" is English ("Reply to: …", "Response to: …",
# "Correction to: …"), which split there made the notice's subject a translated form of it
_ORIGINAL = re.compile(r"\s*(?:(?i:<\s*original\s*>)|\bTO:)\s*")
_TRAILING_TAG = re.compile(r"\s*[\[(][^\[\]()]{1,60}[\])]\s*\.?\s*$")
# Scopus's "English title [Original title]": a bracket of a title's length at the end
_BRACKETED_ORIGINAL = re.compile(r"^(.*?\S)\s*\[([^\[\]]+)\]\s*\.?\s*$")
_PARALLEL = re.compile(r"\s+=\s+|\s*;\s+")
_HEAD = re.compile(r"[.:?!]\s+|\s+[-–—]\s+|\s-(?=[A-Z])")
_PLACEHOLDERS = {"", "unknown", "untitled", "no title", "na", "n a", "none", "null", "title"}
MIN_FORM_WORDS = 4  # a part or head shorter than this is too common to identify a work

# --- spelling -------------------------------------------------------------------------------

_SPELLING = [
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|able|ably|ite|ites|ful|less)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})([tb])re(s?)$"), r"\1er\2"),
    (re.compile(r"(?<=[a-z]{3})ogue(s?)$"), r"og\1"),
    (re.compile(r"(?<=[a-z]{2}[aeiou])ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"(?<=[a-z]{3})mme(s?)$"), r"m\1"),
    (re.compile(r"(?<=[a-z]{2})ence$"), "ense"),
]


@lru_cache(maxsize=131_072)
def spelling(word: str) -> str:
    """One spelling for British and American forms of a word (both map to the same key)."""
    if len(word) < 5 or not word.isalpha():
        return word
    if "ae" in word:
        word = word.replace("ae", "e")
    if "oe" in word:
        word = word.replace("oe", "e")
    for pattern, repl in _SPELLING:
        if pattern.search(word):
            word = pattern.sub(repl, word)
    return word


def canonical(text: str) -> str:
    """Folded words with one spelling each."""
    return " ".join(map(spelling, fold(text).split()))


# --- the title ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    """A record's title as compared: the main form, full alternatives, heads and numbers."""

    main: str  # "" when there is no title worth comparing
    forms: tuple[str, ...] = ()  # other full titles: translations, original-language titles
    heads: tuple[str, ...] = ()  # the title without a subtitle or an appended group name
    numbers: frozenset[str] = frozenset()
    translated: bool = False  # bracketed (a database's translation) or given in two languages

    @property
    def words(self) -> int:
        return len(self.main.split())


def remove_annotations(raw: str) -> str:
    """The title without the database's bracketed notes ("[Review] [33 refs]")."""
    if "[" not in raw:
        return raw
    return _ANNOTATION.sub("", raw).strip()


@lru_cache(maxsize=131_072)
def parse_title(title: str | None, venue: str | None = None) -> Title:
    """The comparable forms of a title (see the module notes)."""
    if not title:
        return Title("")
    raw = str(title).strip().strip('"').strip()
    if "<" in raw or "TO:" in raw:  # "<ORIGINAL>", "TO:"
        parts = [p for p in _ORIGINAL.split(raw) if p.strip()]
    else:
        parts = [raw]
    parts = [strip_markup(remove_annotations(p)) for p in parts]
    parts = [p for p in parts if p.strip()]
    if not parts:
        return Title("")
    first = parts[0].strip()
    numbers = title_numbers(" ".join(parts))
    alts: list[str] = []
    translated = len(parts) > 1 or first.startswith("[")
    if first.startswith("[") and "]" in first:  # MEDLINE's translated title, maybe + more
        inner, _, rest = first[1:].partition("]")
        if rest.strip(" .;"):
            alts.append(rest)
        first = inner
    elif first.startswith("[") and len(first) > 10:  # cut off before its closing bracket
        first = first[1:]
    elif first.endswith(("]", "].")):  # Scopus's "English title [Original title]"
        m = _BRACKETED_ORIGINAL.match(first)
        if m and len(canonical(m.group(2)).split()) >= MIN_FORM_WORDS:
            first = m.group(1)
            alts.append(m.group(2))
            translated = True
    for _ in range(3):  # "... [Review] [Article in German]."
        stripped = _TRAILING_TAG.sub("", first)
        if stripped == first or len(stripped) < 8:
            break
        first = stripped
    main = canonical(first)
    if main in _PLACEHOLDERS or _only_venue(main, venue):
        return Title("")
    alts.extend(parts[1:])
    pieces = _PARALLEL.split(first) if (";" in first or "=" in first) else ()
    if len(pieces) > 1:
        alts.extend(pieces)
        translated = True
    forms = []
    for alt in alts:
        alt = alt.strip(" []")
        form = canonical(alt)
        if form and form != main and len(form.split()) >= MIN_FORM_WORDS and form not in forms:
            forms.append(form)
    heads = []
    for m in _HEAD.finditer(first):
        head = canonical(first[: m.start()])
        if len(head.split()) >= MIN_FORM_WORDS and head != main and head not in heads:
            heads.append(head)
    return Title(main, tuple(forms), tuple(heads), numbers, translated)


def _only_venue(main: str, venue: str | None) -> bool:
    """A landing page's title: the venue's name, maybe twice, plus "Volume 52 Paper 45"."""
    v = canonical(venue) if venue else ""
    if not v or len(v) <= 10 or not main.startswith(v):
        return False
    rest = main.replace(v, " ")
    return not re.sub(r"\b(volume|vol|paper|issue|no|number|article|\d+)\b", "", rest).strip()


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
_ROMAN |= {"viii": "8", "ix": "9", "x": "10", "a": "a", "b": "b", "c": "c"}
_NUMBERED = re.compile(r"\b(part|phase|stage|type|grade|study|trial|volume|vol|series)\s+(\w+)")
_NUMBERED_WORD = re.compile(r"\b(?:part|phase|stage|type|grade|study|trial|volume|vol|series)\b")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d{3}\b)")


def title_numbers(raw: str) -> frozenset[str]:
    """Numbers in a title: "Part 1" and "Part 2", "Phase I" and "Phase II", "Paper 41" and
    "Paper 45" are different works. Digit groups written apart ("10 000") count as one number;
    numbers run into words ("HPV16", "p16INK4a") count too, marked with a leading "~" (see
    `numbers_conflict`)."""
    text = fold(raw)
    found: set[str] = set()
    if _DIGIT.search(text):
        found = _numbers_in(_DIGIT_GROUPS.sub("", text))
    if _NUMBERED_WORD.search(text):
        for _word, value in _NUMBERED.findall(text):
            if not value.isdigit() and value in _ROMAN:
                found.add(_ROMAN[value])
    return frozenset(found)


def _numbers_in(text: str) -> set[str]:
    found: set[str] = set()
    for token in text.split():
        if token.isdigit():
            found.add(token.lstrip("0") or "0")
        else:
            found.update("~" + (n.lstrip("0") or "0") for n in _DIGITS.findall(token))
    return found


def numbers_conflict(a: frozenset[str], b: frozenset[str]) -> str | None:
    """ "standalone" when the titles' own numbers differ (Part 1 / Part 2), "embedded" when
    only numbers inside words differ (a typo "p6INK4a" for "p16INK4a", or HPV16 / HPV18),
    None when they agree ("HPV16/18" and "HPV 16/18" hold the same numbers)."""
    if a == b:
        return None
    plain_a = {n.lstrip("~") for n in a}
    plain_b = {n.lstrip("~") for n in b}
    if plain_a == plain_b:
        return None
    standalone_a = {n for n in a if not n.startswith("~")}
    standalone_b = {n for n in b if not n.startswith("~")}
    if standalone_a - plain_b or standalone_b - plain_a:
        return "standalone"
    return "embedded"


# --- what the title says --------------------------------------------------------------------

# Words that make a title a notice wherever they stand. Words that are also medicine's
# ("surgical correction", "response to chemotherapy", "lid retraction") count only in a
# notice's own form: at the start and followed by a colon (below), or as "response to the
# letter", "retraction notice".
_NOTICE = re.compile(
    r"\b(erratum|errata|corrigendum|corrigenda|addendum|addenda|expression of concern|"
    r"notice of retraction|retraction (?:note|notice)|retracted article|in reply|authors reply|"
    r"reply to|response to (?:the |a |an )?(?:letters?|comments?|commentary|correspondence|"
    r"editorial|editor|readers?|critique)|comment on|commentary on|letter to the editor)\b"
)
# Notices as journals head them (on the title as written: the colon is the sign): "Re: …",
# "Addendum: …", "Letter: …", "WITHDRAWN: …" (a Cochrane review withdrawn), "Retraction: …",
# "Retraction of: …",
# "RETRACTED: …", "Correction: …", "Correction to …", "Response to: …", "Response to
# 'Title'", "Response to Smith et al."
_NOTICE_HEAD = re.compile(
    r"^\W*(?:(re|addendum|letter|withdrawn|retraction|retracted|erratum|corrigendum|"
    r"correction|comment|commentary|reply|response|in response)"
    r"(?:\s+(?:note\s+)?(?:to|of|on|for))?\s*:"
    r"|(correction) to\b|(response) to\s*(?::|[\"“‘'«]|.{0,80}\bet al\b))",
    re.IGNORECASE,
)
_NOTICE_KINDS = (
    (("errat", "corrig", "correction"), "erratum"),
    (("addend",), "addendum"),
    (("retract", "notice of retraction", "expression of concern"), "retraction"),
    (("withdrawn",), "withdrawal"),
    (("comment", "letter"), "comment"),
)


def notice_kind(title_main: str, raw: str | None = None) -> str | None:
    """'erratum', 'addendum', 'retraction', 'withdrawal', 'comment' or 'reply' when the
    title announces a notice about a paper rather than a paper; `raw`, the title as
    written, is read for the headings ("Re: …", "Withdrawn: …") that folding loses."""
    m = _NOTICE.search(title_main)
    word = m.group(1) if m else None
    if word is None and raw:
        head = _NOTICE_HEAD.match(str(raw).strip().strip('"'))
        if head:
            word = next(g for g in head.groups() if g).lower()
    if word is None:
        return None
    if word == "re":  # "Re: <the paper's title>": a letter about it
        return "comment"
    for starts, kind in _NOTICE_KINDS:
        if word.startswith(starts):
            return kind
    return "reply"


_RECURRING = re.compile(
    r"^(?:(?:guest |invited )?editorials?|editors? (?:comments?|notes?|choice|introduction|"
    r"preface|column|message|summary)|editors comments?|from the editors?|a note from the editors?|"
    r"letters? (?:to|from) the editors?|letters?|correspondence|in this issue|this issue|"
    r"introduction|preface|foreword|prologue|epilogue|book reviews?|reviews?|news|"
    r"news and views|obituary|in memoriam|announcements?|abstracts?|selected abstracts|"
    r"(?:conference|meeting|congress|symposium) abstracts?|poster (?:session|abstracts?)|"
    r"oral presentations?|erratum|errata|corrigendum|corrigenda|correction|corrections|"
    r"retraction|reply|response|in reply|authors? reply|reply to the letter|comment|"
    r"commentary|acknowledge?ments?|thanks to reviewers|reviewers|index|subject index|"
    r"author index|contents|table of contents|calendar|events|editorial board|masthead|"
    r"highlights|issue information|front matter|back matter|cover|erratum to)"
    r"(?: (?:\d+|\w+ \d+|volume \d+|issue \d+))?$"
)


# The words of a journal's furniture: a title made of these alone has no subject ("Response
# to letter", "Acknowledgement of reviewers", "Call for papers", "Notes on contributors",
# "Retraction notice", "A message from the editor", "Report of the meeting") and recurs like
# the forms above, however its words are combined.
_FURNITURE = frozenset(  # (as `canonical` spells them: "conference" is compared so too)
    canonical(
        "editor editors editorial editorials guest invited letter letters reply replies response "
        "responses comment comments commentary correspondence author authors reader readers "
        "message note notes notice concern expression retraction erratum errata corrigendum "
        "correction corrections abstract abstracts paper papers poster posters summary summaries "
        "review reviews reviewer reviewers acknowledgement acknowledgements acknowledgment "
        "acknowledgments thanks call contributors contributor cover image news report reports "
        "meeting meetings conference congress symposium proceedings session president presidents "
        "chair calendar events event announcement announcements issue information contents index "
        "board masthead highlights front back matter introduction preface foreword "
        "obituary memoriam"
    ).split()
)
_FURNITURE_GLUE = frozenset("a an the of to for from on in and this our by with".split())


def recurring(title_main: str) -> bool:
    """A title journals reuse for different items (editorials, letters, abstracts, errata
    without a subject, book reviews): by itself it never identifies one item."""
    if not title_main:
        return False
    if _RECURRING.match(title_main):
        return True
    words = title_main.split()
    return (
        len(words) <= 6
        and all(w in _FURNITURE or w in _FURNITURE_GLUE for w in words)
        and any(w in _FURNITURE for w in words)
    )
