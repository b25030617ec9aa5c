"""Plain-text and Markdown transcripts: header metadata, then speaker turns.

Lines before the first speaker label are the header (group name, date, place, moderator,
duration) and go into metadata, not into turns. A line without a label continues the current
turn, so a long answer over several paragraphs stays one turn. The text itself is never
changed: turns are offsets into it.
"""

from __future__ import annotations

import re
from collections import Counter

from review.ingest.transcripts.labels import (
    Label,
    find_label,
    header_field,
    is_name,
    moderator_role,
)
from review.ingest.transcripts.model import Parsed, Turn

_DATE = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
    r"\s+\d{4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4})\b"
)
_DURATION = re.compile(
    r"\b\d+\s*(?:h|hr|hrs|hours?)\b(?:\s*\d+\s*(?:m|min|mins|minutes?)\b)?"
    r"|\b\d+\s*(?:min|mins|minutes)\b",
    re.IGNORECASE,
)


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# One piece of a stamp line such as "12-May-2023 - 10:36 - 1h09m31s – Ana".
_STAMP_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[\s-]*{_MONTH}[\s,-]*\d{{2,4}}"
    rf"|(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
    re.IGNORECASE,
)
_STAMP_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
_STAMP_DURATION = re.compile(
    r"(?:\d+\s*h(?:ours?|rs?)?\s*)?(?:\d+\s*m(?:in(?:utes?|s)?)?\s*)?(?:\d+\s*s(?:ec(?:onds?|s)?)?)?"
    r"|\d+\s*(?:h|hours?)|\d+\s*(?:min|mins|minutes)",
    re.IGNORECASE,
)
_STAMP_SPLIT = re.compile(r"\s+[-–—|·]\s+|\s*[|·;]\s*|\s+[–—]\s*|\s*[–—]\s+")


def stamp_line(line: str) -> dict[str, str] | None:
    """The date, time, duration and person of a line made only of them, such as a recording
    app's first line "12-May-2023 - 10:36 - 1h09m31s – Ana"; None for any other line. Such a
    line is metadata, never a title (the title then falls back to the file name)."""
    bare = line.strip().lstrip("#*_ ").rstrip("*_ ").strip()
    if not bare or len(bare) > 160:
        return None
    found: dict[str, str] = {}
    if not all(_stamp_part(part.strip(), found) for part in _STAMP_SPLIT.split(bare)):
        return None
    if not found.keys() & {"date", "time", "duration"}:
        return None
    if set(found) == {"time"}:  # a bare "10:36" is not a header
        return None
    return found


def _stamp_part(part: str, found: dict[str, str], depth: int = 0) -> bool:
    """Classify one piece of a stamp line into `found`; False if it is none of them. A piece
    that is not one as a whole is tried split at commas, then at spaces ("2023-05-12 10:36")."""
    if not part:
        return True
    if "date" not in found and _STAMP_DATE.fullmatch(part):
        found["date"] = part
    elif "time" not in found and _STAMP_TIME.fullmatch(part):
        found["time"] = part
    elif (
        "duration" not in found
        and any(c.isdigit() for c in part)
        and _STAMP_DURATION.fullmatch(part)
    ):
        found["duration"] = part
    elif "interviewee" not in found and is_name(part) and len(part.split()) <= 4:
        found["interviewee"] = part
    elif depth == 0 and "," in part:
        return all(_stamp_part(p.strip(), found, 1) for p in part.split(","))
    elif depth <= 1 and " " in part:
        return all(_stamp_part(p, found, 2) for p in part.split())
    else:
        return False
    return True


def lines_with_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, line) for every line of a `\\n`-separated text."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def parse_text(text: str, bold: dict[int, int] | None = None) -> Parsed:
    """Split a normalised text into header metadata and speaker turns.

    `bold` (from .docx) maps a line index to the length of a bold run at its start: a bold
    name that recurs is taken as a speaker label even without a colon.
    """
    lines = lines_with_offsets(text)
    labels = _labels(lines, bold or {})
    if len(labels) < 2 and not any(lab.role for lab in labels.values()):
        labels = {}  # one stray "Name:" in a document does not make it a transcript
    parsed = Parsed(text=text)
    turns: list[Turn] = []
    header: list[str] = []
    current: Turn | None = None
    uses = Counter(lab.name for lab in labels.values())
    recurring = any(n >= 2 for n in uses.values())
    for index, (offset, line) in enumerate(lines):
        label = labels.get(index)
        if label is not None and current is None:
            once = (
                recurring
                and uses[label.name] == 1
                and not label.role
                and label.name.isupper()
                and len(label.name.split()) >= 2
                and not all(lab.name.isupper() for lab in labels.values() if lab is not label)
            )  # "ILLUSTRATIVE TRANSCRIPT: ..." above turns labelled in another style
            if _header_line(line, parsed.meta) or once:
                header.append(line.strip())  # "CONFIDENTIAL: ..." above the first real turn
                continue
        if label is not None:
            current = Turn(label.name, -1, -1, index + 1, label.timestamp, label.role)
            turns.append(current)
            rest = line[label.content :]
            if rest.strip():
                current.start = offset + label.content
                current.end = offset + len(line.rstrip())
            continue
        if current is None:
            if line.strip() and not _header_line(line, parsed.meta):
                header.append(line.strip())
            continue
        if line.strip():
            if current.start < 0:
                current.start = offset + len(line) - len(line.lstrip())
            current.end = offset + len(line.rstrip())
    for turn in turns:
        if turn.start >= 0:
            while turn.start < turn.end and text[turn.start].isspace():
                turn.start += 1
            while turn.end > turn.start and text[turn.end - 1].isspace():
                turn.end -= 1
    parsed.turns = [t for t in turns if 0 <= t.start < t.end]
    if not parsed.turns:
        return _document(parsed)
    parsed.body_start = lines[parsed.turns[0].line - 1][0]
    _free_header(header, parsed.meta)
    if header:
        parsed.meta["header"] = header
    moderator = parsed.meta.get("moderator")
    for turn in parsed.turns:
        if moderator and _same_person(turn.speaker, moderator):
            turn.role = "moderator"
    return parsed


def _document(parsed: Parsed) -> Parsed:
    """A text without speakers: no header split, a title only from a short first line."""
    parsed.turns = []
    keep = ("date", "title", "place", "time", "duration", "interviewee")
    parsed.meta = {k: v for k, v in parsed.meta.items() if k in keep}
    lines = [line.strip() for line in parsed.text.split("\n") if line.strip()]
    first = lines[0] if lines else ""
    stamp = stamp_line(first)
    if stamp:  # "12-May-2023 - 10:36 - 1h09m31s – Ana": metadata, and no title from it
        for key, value in stamp.items():
            parsed.meta.setdefault(key, value)
        return parsed
    bare = first.lstrip("#*_ ").rstrip("*_ ")
    if "title" not in parsed.meta and bare and len(bare) <= 120 and bare[-1] not in ".?!,;:":
        parsed.meta["title"] = bare
    return parsed


def _labels(lines: list[tuple[int, str]], bold: dict[int, int]) -> dict[int, Label]:
    found: dict[int, Label] = {}
    bold_only: dict[int, Label] = {}
    for index, (_, line) in enumerate(lines):
        if not line.strip():
            continue
        label = find_label(line)
        if label is not None:
            found[index] = label
            continue
        width = bold.get(index, 0)
        if width:
            name = line[:width].strip().rstrip(":").strip()
            if is_name(name) and len(name.split()) <= 4:
                content = width
                while content < len(line) and line[content] in " \t:-–—":
                    content += 1
                bold_only[index] = Label(name, content, None, moderator_role(name))
    counts = Counter(lab.name for lab in bold_only.values())
    known = {lab.name for lab in found.values()}
    sure = {
        index
        for index, label in bold_only.items()
        if counts[label.name] >= 2
        or label.name in known
        or label.role
        or re.fullmatch(r"[A-Za-z]{1,3} ?\d{1,3}", label.name)
    }
    # A document whose turns are bold names (two or more different ones for sure) also
    # gives a turn to someone who speaks once: a bold name followed by words on its line.
    convention = len({bold_only[i].name for i in sure}) >= 2
    for index, label in bold_only.items():
        said = label.content < len(lines[index][1].rstrip())
        if index in sure or (convention and said):
            found[index] = label
    return found


def _header_line(line: str, meta: dict) -> bool:
    """Record `Key: value` header lines in `meta`; True if the line was one."""
    field = header_field(line)
    if field is None:
        return False
    key, value = field
    meta.setdefault(key, value)
    if key == "participants":
        meta["participant_list"] = [p.strip() for p in re.split(r"[,;]", value) if p.strip()]
    return True


def _free_header(header: list[str], meta: dict) -> None:
    """Dates, durations and a title from header lines that are not `Key: value`."""
    stamps = set()
    for line in header:
        stamp = stamp_line(line)
        if stamp:  # date, time, duration, interviewee: metadata, never the title
            stamps.add(line)
            for key, value in stamp.items():
                meta.setdefault(key, value)
    for line in header:
        if line in stamps:
            continue
        bare = line.lstrip("#*_ ").rstrip("*_ ")
        if "date" not in meta and (m := _DATE.search(bare)):
            meta["date"] = m.group(0)
        if "duration" not in meta and (m := _DURATION.search(bare)):
            meta["duration"] = m.group(0)
        if "title" not in meta and line.startswith("#"):
            meta["title"] = bare
    if "title" not in meta:
        for line in header:
            bare = line.lstrip("#*_ ").rstrip("*_ ")
            if (
                line in stamps or header_field(line) is not None
            ):  # `Moderator: Jane Roe` went to meta: no title
                continue
            if bare and not _DATE.fullmatch(bare) and not bare.upper().startswith("ILLUSTRATIVE"):
                meta["title"] = bare
                break
    if "title" not in meta and meta.get("group"):
        meta["title"] = meta["group"]
    if "group" not in meta and "title" in meta:
        meta["group"] = meta["title"]


def _same_person(speaker: str | None, moderator: str) -> bool:
    if not speaker:
        return False
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", moderator).strip().lower()
    s = speaker.lower()
    return s == bare or (len(s.split()) == 1 and bool(bare) and s == bare.split()[0])
