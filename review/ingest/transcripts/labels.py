"""Speaker labels at the start of a line, in the conventions transcription services use.

`Name:`, `NAME:`, `[Name]`, `[id1]`, `Name (00:01:23):`, `[00:01:23] Name:`, `00:01:23 Name`,
`Name  0:03` (Otter), `P1:`, `R1:`, `Interviewer:`, with optional Markdown bold around the
label. A label is accepted only if what it names looks like a name (short, capitalised or an
id, no sentence punctuation) and is not a heading word such as `Note:` or `Date:`; this is what
keeps prose like "Here is what I think:" from becoming a speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TS = r"(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_TS_RE = re.compile(rf"\[?({TS})\]?")
_MD = re.compile(r"(?:\*\*|__)")

# Words that begin header lines (metadata), never speakers. Mapped to the meta key they fill.
META_KEYS = {
    "date": "date",
    "time": "time",
    "duration": "duration",
    "length": "duration",
    "group": "group",
    "focus group": "group",
    "session": "group",
    "place": "place",
    "location": "place",
    "venue": "place",
    "title": "title",
    "project": "project",
    "participants": "participants",
    "present": "participants",
    "attendees": "participants",
    "transcript": "transcript",
    "transcribed by": "transcriber",
    "transcriber": "transcriber",
    "recorded": "recorded",
    "recording": "recorded",
    "note": "note",
    "notes": "note",
    "status": "status",
    "language": "language",
    "topic": "topic",
}
# Roles that may be a header key ("Moderator: Sarah Jones") or a speaker ("Moderator: Welcome").
ROLE_KEYS = {"moderator": "moderator", "facilitator": "moderator", "interviewer": "moderator"}
MODERATOR_WORDS = {
    "interviewer",
    "moderator",
    "facilitator",
    "int",
    "mod",
    "fac",
    "i",
    "q",
    "chair",
    "host",
}
_NOT_SPEAKERS = {
    "nb",
    "n.b.",
    "update",
    "example",
    "e.g.",
    "i.e.",
    "summary",
    "subject",
    "re",
    "warning",
    "tip",
    "source",
    "sources",
    "see",
    "ps",
    "p.s.",
    "edit",
    "yes",
    "no",
    "ok",
    "okay",
    "well",
    "so",
    "and",
    "but",
    "also",
    "however",
    "question",
    "questions",
    "theme",
    "section",
    "part",
    "chapter",
    "step",
    "agenda",
    "aim",
    "aims",
    "purpose",
    "background",
    "introduction",
    "conclusion",
    "conclusions",
    "result",
    "results",
    "total",
    "important",
    "remember",
    "quote",
    "end",
    "start",
    "http",
    "https",
    "www",
    "tel",
    "email",
    "phone",
    "url",
    "doi",
    "abstract",
    "keywords",
    "figure",
    "table",
    "prompt",
    "probe",
    "instructions",
}
# Bracketed stage directions: "[laughter] yes" is the current speaker laughing, not a speaker.
_ANNOTATIONS = {
    "laughter",
    "laughs",
    "laughing",
    "inaudible",
    "crosstalk",
    "cross talk",
    "pause",
    "long pause",
    "silence",
    "break",
    "music",
    "applause",
    "unclear",
    "overlapping",
    "noise",
    "indistinct",
    "cough",
    "coughs",
    "sighs",
    "redacted",
    "name",
    "name redacted",
    "place",
    "background noise",
    "all",
    "several",
    "multiple",
    "group",
    "end",
    "start",
}
_PARTICLES = {"de", "da", "di", "do", "van", "von", "der", "den", "du", "la", "le", "al", "el"}
_PARTICLES |= {"bin", "binti", "ibn", "of", "the", "y", "st"}
_NAME_CHARS = re.compile(r"^[\w.'’&-]+$")


@dataclass
class Label:
    """A speaker label found at the start of a line."""

    name: str
    content: int  # column where what was said begins (== len(line) if it starts next line)
    timestamp: float | None = None
    role: str | None = None
    bracketed: bool = False


def seconds(ts: str) -> float:
    """`1:02:03.5`, `02:03,5` or `0:0:0.570` as seconds."""
    parts = ts.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def is_name(name: str) -> bool:
    """Could this be a speaker's name or id (not a heading, not the start of a sentence)?"""
    name = name.strip()
    if not name or len(name) > 50:
        return False
    words = name.split()
    low = name.lower()
    if len(words) > 5 or low in _NOT_SPEAKERS or low in META_KEYS:
        return False
    if name.isupper() and all(_NAME_CHARS.match(w) for w in words):
        return True
    for i, word in enumerate(words):
        if not _NAME_CHARS.match(word):
            return False
        first = word[0]
        if first.isupper() or any(c.isdigit() for c in word):
            continue
        if first.isalpha() and not first.islower() and len(word) <= 10:
            continue  # a script without capitals: '李华', '田中太郎' (a short word, not a clause)
        if i > 0 and word.lower() in _PARTICLES:
            continue
        return False
    return not name[0].isdigit()


def moderator_role(name: str, paren: str | None = None) -> str | None:
    """`moderator` for interviewer/moderator/facilitator labels (`Interviewer 2`, `Jo (Mod)`)."""
    for candidate in (name, paren or ""):
        base = re.sub(r"[\d\s.]+$", "", candidate.strip().lower())
        if base in MODERATOR_WORDS:
            return "moderator"
        if base in ("researcher", "res"):
            return "researcher"
    return None


_COLON = re.compile(
    r"(?P<name>[^:\[\]()\t\n*_]{1,50}?)[ \t]*"
    r"(?:\((?P<paren>[^)\n]{1,40})\))?[ \t]*(?:\*\*|__)?[ \t]*:(?!//)(?:[ \t]*(?:\*\*|__))?"
    r"(?=[ \t]|$)"
)
_PAREN_TS = re.compile(rf"(?P<name>[^:\[\]()\t\n*_]{{1,50}}?)[ \t]*\((?P<ts>{TS})\)(?=[ \t]|$)")
_OTTER = re.compile(rf"(?P<name>[^:\[\]()\t\n*_]{{1,50}}?)(?:\t|[ \t]{{2,}})(?P<ts>{TS})[ \t]*$")
_ALONE = re.compile(r"(?P<name>[^:\[\]()\t\n*_]{1,50}?)[ \t]*(?:\*\*|__)?[ \t]*$")
_AFTER_TS = re.compile(r"(?P<name>[^:\[\]()\t\n*_]{1,50}?)(?:\t|[ \t]{2,}|[ \t]+[-–—][ \t]+)")


def find_label(line: str) -> Label | None:
    """The speaker label at the start of `line`, or None."""
    pos = len(line) - len(line.lstrip(" \t"))
    md = _MD.match(line, pos)
    if md:
        pos = md.end()
    lead_ts = None
    m = re.compile(rf"\[?({TS})\]?[ \t]+(?:[-–—][ \t]+)?").match(line, pos)
    if m:
        lead_ts = seconds(m.group(1))
        pos = m.end()
        md = _MD.match(line, pos)
        if md:
            pos = md.end()
    if pos < len(line) and line[pos] == "[":
        return _bracketed(line, pos, lead_ts)
    for pattern in (_COLON, _PAREN_TS, _OTTER):
        m = pattern.match(line, pos)
        if m and is_name(m.group("name")):
            label = _make(line, m, lead_ts)
            if label:
                return label
    if lead_ts is not None:  # `00:01:23 Name` alone, or followed by a tab / dash
        for pattern in (_ALONE, _AFTER_TS):
            m = pattern.match(line, pos)
            if m and is_name(m.group("name")):
                return Label(m.group("name").strip(), _skip(line, m.end()), lead_ts)
    return None


def _make(line: str, m: re.Match, lead_ts: float | None) -> Label | None:
    name = m.group("name").strip()
    groups = m.groupdict()
    ts = lead_ts
    paren = groups.get("paren")
    if groups.get("ts"):
        ts = seconds(groups["ts"])
    elif paren and re.fullmatch(TS, paren.strip()):
        ts, paren = seconds(paren.strip()), None
    return Label(name, _skip(line, m.end()), ts, moderator_role(name, paren))


def _bracketed(line: str, pos: int, lead_ts: float | None) -> Label | None:
    close = line.find("]", pos)
    if close < 0:
        return None
    name = line[pos + 1 : close].strip()
    if re.fullmatch(TS, name) or name.lower() in _ANNOTATIONS or not is_name(name):
        return None
    end = close + 1
    m = re.compile(r"[ \t]*(?:\*\*|__)?[ \t]*:?").match(line, end)
    if m:
        end = m.end()
    return Label(name, _skip(line, end), lead_ts, moderator_role(name), bracketed=True)


def _skip(line: str, pos: int) -> int:
    """Past whitespace and a closing Markdown bold marker after a label."""
    while True:
        while pos < len(line) and line[pos] in " \t":
            pos += 1
        md = _MD.match(line, pos)
        if not md:
            return pos
        pos = md.end()


_HEADER_KEY = re.compile(
    r"^[ \t#*_>-]*(?P<key>[A-Za-z][A-Za-z /]{0,29}?)[ \t*_]*:[ \t*_]*(?P<v>.*)$"
)


def header_field(line: str) -> tuple[str, str] | None:
    """(`meta key`, value) for a header line such as `Date: 12 March 2024`, else None."""
    m = _HEADER_KEY.match(line)
    if not m:
        return None
    key = re.sub(r"\s+", " ", m.group("key").strip().lower())
    value = m.group("v").strip().strip("*_").strip()
    if key in META_KEYS and value:
        return META_KEYS[key], value
    if key in ROLE_KEYS and value and _names_a_person(value):
        return ROLE_KEYS[key], value
    return None


def _names_a_person(value: str) -> bool:
    """`Sarah Jones (council officer)` yes; `Welcome everyone, thanks for coming.` no."""
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", value).strip()
    if not bare or bare[-1] in ".!?,;:" or len(bare.split()) > 4:
        return False  # "Interviewer: Right." is speech, not the interviewer's name
    return is_name(bare)
