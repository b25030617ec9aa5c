"""Author lists into names: BibTeX `and` lists, RIS/WoS/PubMed one-name-per-tag, CSV cells.

Every name is stored as "Last, First" (the form RIS, Web of Science and PubMed already use),
so deduplication and cite keys compare like with like. Braces protect corporate names
(`{World Health Organization}`) from being split or inverted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from review.ingest.literature.fields import is_placeholder
from review.ingest.literature.latex import decode, needs_decoding

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r",")
OTHERS = {"others", "et al.", "et al", "{others}"}
# words that make a name an organisation's, not a person's (on lower-case words): a trial
# group is no person for duplicate detection, and a reference names "Local Government
# Association" whole, not as "Association, L. G."
CORPORATE = re.compile(
    r"\b(group|groups|party|investigators|investigator|consortium|collaboration|collaborative|"
    r"committee|society|association|council|network|team|trialists|organisation|organization|"
    r"institute|department|university|foundation|agency|ministry|taskforce|study|studies|"
    r"trial|program|programme|project|initiative|alliance|writing|members|centre|center|"
    r"hospital|registry|panel|board|commission|office|government|authority|nations)\b"
)


def is_corporate(name: str) -> bool:
    """An organisation's name as stored: no comma (a person is "Last, First", a BibTeX
    `{Corporate Author}` loses its braces), more than one word, one of them CORPORATE's."""
    a = name.strip().strip("{}")
    return "," not in a and " " in a and bool(CORPORATE.search(a.casefold()))


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split on `pattern` only outside braces (BibTeX protects `{Barnes and Noble}`)."""
    if "{" not in text:
        return pattern.split(text)
    parts: list[str] = []
    depth = 0
    start = 0
    counted = 0  # depth is kept for text[:counted], one pass over the text in all
    for m in pattern.finditer(text):
        at = m.start()
        depth += text.count("{", counted, at) - text.count("}", counted, at)
        counted = at
        if depth == 0:
            parts.append(text[start:at])
            start = m.end()
    parts.append(text[start:])
    return parts


def _words(text: str) -> list[str]:
    """Words of a name (spaces already single), keeping braced groups with spaces whole."""
    if "{" not in text:
        return text.split()
    words: list[str] = []
    current: str | None = None
    depth = 0
    for token in text.split():
        current = token if current is None else f"{current} {token}"
        depth += token.count("{") - token.count("}")
        if depth == 0:  # a space at brace depth 0 ends a word
            words.append(current)
            current = None
    if current is not None:
        words.append(current)
    return words


def bibtex_name(raw: str) -> str:
    """One BibTeX name ("First von Last", "von Last, First", "Last, Jr, First") as "Last, First"."""
    plain = "{" not in raw and "\\" not in raw
    commas = raw.count(",")
    if commas == 1:  # the common "Last, First" (the comma outside braces, not "{Corp, Inc}")
        cut = raw.index(",")
        if plain or (
            raw.count("{", 0, cut) == raw.count("}", 0, cut) and not raw.lstrip().startswith("{")
        ):
            last, first = " ".join(raw[:cut].split()), " ".join(raw[cut + 1 :].split())
            name = f"{last}, {first}" if first else last
            if plain:
                return decode(name) if "~" in name or "$" in name else name
            return _finish(name)
    elif commas == 0 and plain:  # the other common form, "First von Last": no regex needed
        words = raw.split()
        return _finish(_first_last(words, " ".join(words)))
    raw = " ".join(raw.split())  # (the same as a `\s+` regex: both use str.isspace)
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return decode(raw)  # {Corporate Author}
    if "," in raw:
        parts = [p.strip() for p in _split_top(raw, _COMMA)]
        if len(parts) >= 3:
            last, jr, first = parts[0], parts[1], ", ".join(parts[2:])
            name = f"{last}, {first}, {jr}" if first else f"{last}, {jr}"
        else:
            last, first = parts[0], parts[1] if len(parts) > 1 else ""
            name = f"{last}, {first}" if first else last
    else:
        name = _first_last(_words(raw), raw)
    return _finish(name)


def _first_last(words: list[str], raw: str) -> str:
    """Words of "First von Last" as "von Last, First" (`raw`: the whole name, spaces tidied)."""
    if len(words) <= 1:
        return raw
    # "von" particles are the lower-case words before the last name.
    i = len(words) - 1
    while i > 1 and words[i - 1][:1].islower():
        i -= 1
    first, last = " ".join(words[:i]), " ".join(words[i:])
    if i == 1 and words[0][:1].islower():
        first, last = "", raw
    return f"{last}, {first}" if first else last


def _finish(name: str) -> str:
    return decode(name) if needs_decoding(name) else name


def split_bibtex_authors(value: str) -> list[str]:
    """A BibTeX author/editor field into names; `and others` dropped (kept in the record)."""
    value = value.strip()
    if not value:
        return []
    parts = _split_top(value, _AND) if "{" in value else _AND.split(value)
    names = []
    for part in parts:
        part = part.strip()
        if not part or part.lower() in OTHERS:
            continue
        names.append(bibtex_name(part))
    return names


_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")  # "GG", "J.", "A.B.", "J.-P."
_LAST_INITIALS = re.compile(r"^\S+(?: \S+)* (?:[A-Z]\.?-?){1,4}$")


def tidy_name(name: str) -> str:
    """A name in "Last, First" or "Last FM" (PubMed, WoS) form as "Last, First"/"Last, FM"."""
    name = " ".join(name.split())  # (the same as a `\s+` regex: both use str.isspace)
    if ";" in name:
        name = name.strip(";").strip()
    if "," not in name and " " in name:
        last, _, initials = name.rpartition(" ")
        if _INITIALS.match(initials):  # "Van Ryzin GG" -> "Van Ryzin, GG"
            return f"{last}, {initials}"
    return name


def tidy_names(values: Iterable[str]) -> list[str]:
    """One tag's names (RIS `AU`, PubMed `FAU`, WoS `AF`, Ovid, EndNote `%A`), each `tidy_name`d;
    empty values and a database's placeholder ("[Anonymous]", Scopus's "[No author name
    available]": `fields.is_placeholder`) are no names. A value holding several names
    between semicolons ("AU  - Kim, J.; Park, S.", CNKI's "王磊;李明;") is those names: no
    one person's name has a semicolon in it."""
    names = []
    for value in values:
        value = value.strip()
        if ";" in value.rstrip(";"):
            names.extend(tidy_names(value.split(";")))
        elif value and not is_placeholder(value):
            names.append(tidy_name(value))
    return names


def group_names(values: Iterable[str]) -> list[str]:
    """A group-author tag's names (PubMed `CN`, Web of Science `CA`/`GP`) as written: a group
    is no "Last FM" ("Working Group on Asthma GINA" is not "Working Group on Asthma, GINA")."""
    names = []
    for value in values:
        value = " ".join(value.split())
        if value and not is_placeholder(value):
            names.append(value)
    return names


def split_name_list(value: str) -> list[str]:
    """A CSV cell of names: "A, B; C, D" (Scopus, ';' between) or "A and B" or one per line."""
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        parts = value.split(";")
    elif "\n" in value:
        parts = value.splitlines()
    elif _AND.search(value):
        return split_bibtex_authors(value)
    elif "," in value and all(_LAST_INITIALS.match(p.strip()) for p in value.split(",")):
        parts = value.split(",")  # PubMed CSV "Bovaird T, Van Ryzin GG, Loeffler E."
    elif value.count(",") >= 2 and "." in value:
        # Scopus "Smith J., Doe A.B." (commas between names, initials with dots)
        parts = re.split(r"(?<=\.),\s*", value)
    else:
        parts = [value]
    out = tidy_names(parts)
    return [p for p in out if p.lower() not in OTHERS]
