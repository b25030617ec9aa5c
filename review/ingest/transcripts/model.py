"""The plain records the transcript parsers return.

Offsets are Python `str` indices (code points) into `Parsed.text`, end exclusive; the text is
already normalised (NFC, `\\n` line ends), so these offsets are the ones stored in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Turn:
    """One speaker turn: `text[start:end]` is what was said (the label is outside the span)."""

    speaker: str | None
    start: int
    end: int
    line: int  # 1-based line of the label in the normalised text (the cue line for captions)
    timestamp: float | None = None  # seconds from the start of the recording
    role: str | None = None  # "moderator" when the label or header says so


@dataclass
class Problem:
    """Something the parser could not take as it was (a warning unless `fatal`)."""

    line: int | None
    message: str
    fatal: bool = False


@dataclass
class Parsed:
    """A parsed transcript or document, ready to be stored."""

    text: str
    turns: list[Turn] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    # (offset, seconds) of each caption cue, so sentences can carry the time they were said
    cue_times: list[tuple[int, float]] = field(default_factory=list)
    body_start: int = 0  # where the header (metadata lines) ends
    problems: list[Problem] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker:
                seen.setdefault(t.speaker, None)
        return list(seen)

    @property
    def is_transcript(self) -> bool:
        return bool(self.turns)
