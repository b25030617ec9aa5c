"""WebVTT and SRT captions (Teams, Zoom, subtitle files) as transcripts.

Our own small parser, because caption files in the wild bend the spec: Teams writes
`0:0:0.570`, Zoom puts `Name: text` in the cue instead of a `<v Name>` voice tag, subtitle
files use `- ` for a change of speaker. Consecutive cues of one speaker become one turn with
the first cue's start time; cues without a speaker stay one turn each. The stored text is
written from the cues, one turn per paragraph, `[hh:mm:ss] Speaker: what was said`, so it
reads like a transcript (and re-imports as one) while the turns point at the words only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from review.ingest.textio import normalise
from review.ingest.transcripts.labels import find_label, header_field
from review.ingest.transcripts.model import Parsed, Problem, Turn

_TIME = r"\d+(?::\d+){1,2}(?:[.,]\d+)?"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?P<settings>.*)$")
# (a tag never contains "<": each match attempt stops at the next one, so a line of 20,000
# "<" is one linear scan; "[^>\n]*" rescanned the rest of the line from every "<")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?\s+(?P<name>[^<>]+?)\s*>")
_TAG = re.compile(r"<[^<>\n]*>")


@dataclass
class Cue:
    line: int  # 1-based line of the timing line
    start: float
    speaker: str | None
    text: str


def seconds(stamp: str) -> float:
    """`0:0:0.570`, `00:01.000` or `00:00:07,000` as seconds."""
    total = 0.0
    for part in stamp.replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return total


def clock(value: float) -> str:
    """Seconds as `hh:mm:ss` for the transcript text."""
    whole = int(value)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line-separated block."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _payload(lines: list[str]) -> tuple[str | None, str]:
    """Speaker and plain text of a cue's payload (voice tag, or a `Name:` label)."""
    raw = "\n".join(lines)
    speaker = None
    m = _VOICE.search(raw)
    if m:
        speaker = m.group("name").strip()[:200]
    plain = html.unescape(_TAG.sub("", raw))
    plain = "\n".join(line.strip() for line in plain.split("\n")).strip()
    if speaker is None:
        label = find_label(plain.split("\n", 1)[0])
        if label is not None and not label.bracketed and label.content > 0:
            speaker = label.name
            plain = plain[label.content :].strip()
    return speaker, plain


def parse_vtt(text: str) -> Parsed:
    """Parse a normalised WebVTT text."""
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        return Parsed(text="", problems=[Problem(1, "not a WebVTT file (no WEBVTT line)", True)])
    meta: dict = {}
    head = blocks[0][1]
    title = head[0][6:].strip(" -\t")
    if title:
        meta["title"] = title
    for line in head[1:]:
        _meta_line(line, meta)
    cues: list[Cue] = []
    problems: list[Problem] = []
    for first, lines in blocks[1:]:
        tag = lines[0].split(None, 1)[0] if lines[0].split() else ""
        if tag in ("NOTE", "STYLE", "REGION"):
            if tag == "NOTE":
                note = [lines[0][4:].strip(), *lines[1:]]
                for line in note:
                    _meta_line(line, meta)
                meta.setdefault("notes", []).append("\n".join(x for x in note if x).strip())
            continue
        cue = _cue(first, lines, problems)
        if cue:
            cues.append(cue)
    return _build(cues, meta, problems)


def parse_srt(text: str) -> Parsed:
    """Parse a normalised SRT text (numbered cues, `00:00:07,000 --> ...` timings)."""
    cues: list[Cue] = []
    problems: list[Problem] = []
    for first, lines in _blocks(text):
        cue = _cue(first, lines, problems)
        if cue:
            cues.append(cue)
    if not cues and not problems:
        problems.append(Problem(1, "no subtitle cues found", True))
    return _build(cues, {}, problems)


def _cue(first: int, lines: list[str], problems: list[Problem]) -> Cue | None:
    """One cue block: optional identifier line, the timing line, the payload."""
    at = 0
    if "-->" not in lines[0] and len(lines) > 1:
        at = 1  # a cue identifier (SRT's number, or a WebVTT id)
    m = _TIMING.match(lines[at]) if at < len(lines) else None
    if m is None:
        problems.append(
            Problem(first, "not a cue (no `start --> end` timing line): its text is not imported")
        )
        return None
    speaker, plain = _payload(lines[at + 1 :])
    if not plain:
        return None
    return Cue(first + at, seconds(m.group("start")), speaker, plain)


def _meta_line(line: str, meta: dict) -> None:
    field = header_field(line)
    if field:
        meta.setdefault(field[0], field[1])


def _build(cues: list[Cue], meta: dict, problems: list[Problem]) -> Parsed:
    """Merge consecutive cues of one speaker and write the transcript text."""
    parts: list[str] = []
    turns: list[Turn] = []
    cue_times: list[tuple[int, float]] = []
    pos = 0
    previous: Turn | None = None
    for cue in cues:
        body = normalise(cue.text)
        if previous is not None and cue.speaker and cue.speaker == previous.speaker:
            parts.append("\n")
            pos += 1
            cue_times.append((pos, cue.start))
            parts.append(body)
            pos += len(body)
            previous.end = pos
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        prefix = f"[{clock(cue.start)}] " + (f"{cue.speaker}: " if cue.speaker else "")
        parts.append(prefix)
        pos += len(prefix)
        cue_times.append((pos, cue.start))
        parts.append(body)
        previous = Turn(cue.speaker, pos, pos + len(body), cue.line, cue.start)
        pos += len(body)
        turns.append(previous)
    text = "".join(parts) + ("\n" if parts else "")
    return Parsed(text=text, turns=turns, meta=meta, cue_times=cue_times, problems=problems)
