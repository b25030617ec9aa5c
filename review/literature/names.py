"""Author lists into names: BibTeX `and` lists, RIS/WoS/PubMed one-name-per-tag, CSV cells.

Every name is stored as "Last, First" (the form RIS, Web of Science and PubMed already use),
so deduplication and cite keys compare like with like. Braces protect corporate names
(`{World Health Organization}`) from being split or inverted.
"""

from __future__ import annotations

import re

from review.literature.latex import decode, needs_decoding

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
OTHERS = {"others", "et al.", "et al", "{others}"}


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split on `pattern` only outside braces (BibTeX protects `{Barnes and Noble}`)."""
    if "{" not in text:
        return pattern.split(text)
    parts: list[str] = []
    depth = 0
    start = 0
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            break
        depth = text.count("{", 0, m.start()) - text.count("}", 0, m.start())
        if depth == 0:
            parts.append(text[start : m.start()])
            start = m.end()
        pos = m.end()
    parts.append(text[start:])
    return parts


def _words(text: str) -> list[str]:
    """Whitespace-separated words, keeping braced groups (with spaces inside) whole."""
    if "{" not in text:
        return text.split()
    words, buf, depth = [], [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch.isspace() and depth == 0:
            if buf:
                words.append("".join(buf))
                buf = []
        else:
            buf.append(ch)
    if buf:
        words.append("".join(buf))
    return words


def bibtex_name(raw: str) -> str:
    """One BibTeX name ("First von Last", "von Last, First", "Last, Jr, First") as "Last, First"."""
    if "{" not in raw and "\\" not in raw and raw.count(",") == 1:  # the common "Last, First"
        last, first = raw.split(",")
        last, first = " ".join(last.split()), " ".join(first.split())
        name = f"{last}, {first}" if first else last
        return decode(name) if "~" in name or "$" in name else name
    raw = _SPACES.sub(" ", raw).strip()
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return decode(raw)  # {Corporate Author}
    if "," in raw:
        parts = [p.strip() for p in _split_top(raw, re.compile(r","))]
        if len(parts) >= 3:
            last, jr, first = parts[0], parts[1], ", ".join(parts[2:])
            name = f"{last}, {first}, {jr}" if first else f"{last}, {jr}"
        else:
            last, first = parts[0], parts[1] if len(parts) > 1 else ""
            name = f"{last}, {first}" if first else last
    else:
        words = _words(raw)
        if len(words) <= 1:
            name = raw
        else:
            # "von" particles are the lower-case words before the last name.
            i = len(words) - 1
            while i > 1 and words[i - 1][:1].islower():
                i -= 1
            first, last = " ".join(words[:i]), " ".join(words[i:])
            if i == 1 and words[0][:1].islower():
                first, last = "", raw
            name = f"{last}, {first}" if first else last
    return decode(name) if needs_decoding(name) else name


def split_bibtex_authors(value: str) -> list[str]:
    """A BibTeX author/editor field into names; `and others` dropped (kept in the record)."""
    value = value.strip()
    if not value:
        return []
    names = []
    for part in _split_top(value, _AND):
        part = part.strip()
        if not part or part.lower() in OTHERS:
            continue
        names.append(bibtex_name(part))
    return names


_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")  # "GG", "J.", "A.B.", "J.-P."
_LAST_INITIALS = re.compile(r"^\S+(?: \S+)* (?:[A-Z]\.?-?){1,4}$")


def tidy_name(name: str) -> str:
    """A name in "Last, First" or "Last FM" (PubMed, WoS) form as "Last, First"/"Last, FM"."""
    name = _SPACES.sub(" ", name).strip().strip(";").strip()
    if "," not in name and " " in name:
        last, _, initials = name.rpartition(" ")
        if _INITIALS.match(initials):  # "Van Ryzin GG" -> "Van Ryzin, GG"
            return f"{last}, {initials}"
    return name


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
    out = [tidy_name(p) for p in parts]
    return [p for p in out if p and p.lower() not in OTHERS]
