"""What the reader shows of one source: its text cut into blocks (turns or paragraphs) and
cursor units (sentences), laid out as wrapped lines that remember their text offsets.

Only reading happens here: rows of the source, its passages, codings and pending suggestions.
The layout is plain Python (no Textual), computed once per width, so rendering a screen of a
50,000-word transcript touches only the 30-odd lines in view. Widths count one cell per code
point (wide CJK characters would overflow a line; the offsets stay right regardless).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session

from review.store.models import pk
from review.tui.words import word_spans


@dataclass
class Span:
    """A passage (or a fallback paragraph): [start, end) in the source text."""

    start: int
    end: int
    id: int | None = None
    speaker: str | None = None
    timestamp: float | None = None


@dataclass
class Mark:
    """A coloured span: a coding or a pending suggestion."""

    id: int
    code_id: int
    start: int
    end: int
    kind: str  # coding, suggestion
    coder: str | None = None
    memo: str | None = None
    trigger: list[str] = field(default_factory=list)
    score: float = 1.0


@dataclass
class Document:
    source_id: int
    title: str
    kind: str
    text: str
    blocks: list[Span]
    units: list[Span]
    codings: list[Mark] = field(default_factory=list)
    suggestions: list[Mark] = field(default_factory=list)
    codable: bool = True  # False: a citation shown for reading, not the source's text
    viewer: str | None = None  # the coder reading: with blind coding on, only their codings
    _starts: list[int] | None = field(default=None, repr=False)
    _ends: list[int] | None = field(default=None, repr=False)
    _words: dict[int, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    # the mark `]` stepped to, by kind: (start, end, mark id); it is the target on that span
    _chosen: dict[str, tuple[int, int, int]] = field(default_factory=dict, repr=False)

    def unit_at(self, offset: int) -> int:
        """Index of the unit containing (or nearest before) a text offset."""
        return max(0, bisect.bisect_right(self.unit_bounds()[0], offset) - 1)

    def unit_bounds(self) -> tuple[list[int], list[int]]:
        """The units' starts and (sorted) ends, computed once: the units never change."""
        if self._starts is None or self._ends is None:
            self._starts = [u.start for u in self.units]
            self._ends = sorted(u.end for u in self.units)
        return self._starts, self._ends

    def marks_over(self, start: int, end: int, kind: str = "coding") -> list[Mark]:
        marks = self.codings if kind == "coding" else self.suggestions
        return [mk for mk in marks if mk.start < end and mk.end > start]

    def target(
        self, start: int, end: int, kind: str = "coding", coder: str | None = None
    ) -> Mark | None:
        """The coding (or suggestion) over [start, end) that the Reader's keys act on —
        `delete` and `M` (a coding), `A` and `X` (a suggestion) — and that its side panel
        marks: the one `]` stepped to on this span (`step_target`) while it is still here and
        this span stays highlighted (asked about another span, the choice is dropped); else
        one on exactly this span (an excerpt opened from the Excerpts or Memos screen is
        selected exactly), then for a coding the reader's own (`coder`), then the most recent;
        for a suggestion the first in text order. None: nothing here."""
        here = self.marks_over(start, end, kind)
        chosen = self._chosen.get(kind)
        if chosen is not None and chosen[:2] != (start, end):
            del self._chosen[kind]  # another span is highlighted now: the choice is over
        elif chosen is not None:
            mark = next((mk for mk in here if mk.id == chosen[2]), None)
            if mark is not None:
                return mark
        if not here:
            return None
        if kind == "coding":
            return max(
                here,
                key=lambda mk: ((mk.start, mk.end) == (start, end), mk.coder == coder, mk.id),
            )
        return next((mk for mk in here if (mk.start, mk.end) == (start, end)), here[0])

    def step_target(
        self, start: int, end: int, kind: str = "coding", coder: str | None = None
    ) -> Mark | None:
        """`]` in the Reader: the target moves to the next mark over [start, end) in the side
        panel's order (after the last, the first again) and stays there while this span is the
        one highlighted. The new target (None: nothing here)."""
        here = self.marks_over(start, end, kind)
        now = self.target(start, end, kind, coder)
        if now is None or len(here) < 2:
            return now
        mark = here[(here.index(now) + 1) % len(here)]
        self._chosen[kind] = (start, end, mark.id)
        return mark

    # --- words and selections (pure: the reader's keys call these, tests call them too) ------

    def words(self, unit: int) -> list[tuple[int, int]]:
        """The words of one unit (sentence), computed when first asked for."""
        out = self._words.get(unit)
        if out is None:
            u = self.units[unit]
            out = self._words[unit] = word_spans(self.text, u.start, u.end)
        return out

    def _walk(self, offset: int, forward: bool) -> Iterator[tuple[int, int]]:
        """Words in text order (or reverse) from the unit at `offset` on, across units; words
        outside units (a speaker's name before a turn) are never stepped on."""
        if not self.units:
            return
        i = self.unit_at(offset)
        while 0 <= i < len(self.units):
            yield from self.words(i) if forward else reversed(self.words(i))
            i += 1 if forward else -1

    def word_step(self, word: tuple[int, int] | None, step: int, unit: int):
        """The word cursor's next position: from `word` one word on (step 1) or back (-1),
        crossing into the next or previous sentence; with no word yet, the first (last) word
        of `unit` (or of the nearest sentence that has one). None: no word that way."""
        if word is None:
            if not self.units:
                return None
            return next(self._walk(self.units[unit].start, step > 0), None)
        if step > 0:
            return next((w for w in self._walk(word[0], True) if w[0] > word[0]), None)
        return next((w for w in self._walk(word[0], False) if w[0] < word[0]), None)

    def end_step(self, start: int, end: int, step: int):
        """The word the selection [start, end) ends on after growing (step 1) or shrinking (-1)
        its end by one word. Shrinking keeps at least one word; None: nothing to do."""
        words = self._walk(max(start, end - 1), step > 0)
        if step > 0:
            return next((w for w in words if w[1] > end), None)
        inside = (w for w in words if w[1] <= end)
        next(inside, None)  # the last word in the selection goes
        before = next(inside, None)
        return before if before is not None and before[1] > start else None

    def start_step(self, start: int, end: int, step: int):
        """The word the selection [start, end) starts on after moving its start one word right
        (step 1, shrinking; at least one word stays) or left (-1, growing); None: no move."""
        if step < 0:
            return next((w for w in self._walk(start, False) if w[0] < start), None)
        inside = (w for w in self._walk(start, True) if w[0] >= start)
        next(inside, None)  # the first word in the selection goes
        after = next(inside, None)
        return after if after is not None and after[0] < end else None

    def unit_step(self, start: int, end: int, step: int, side: str) -> tuple[int, int, str]:
        """Grow or shrink [start, end) by one sentence. `side` is the edge that moved last: a
        selection grown upwards shrinks from the top when going down again, and the other way
        round, as if anchored at the sentence it started on. Returns (start, end, side)."""
        starts, ends = self.unit_bounds()
        if step > 0:
            i = bisect.bisect_right(starts, start)
            if side == "start" and i < len(starts) and starts[i] < end:
                return starts[i], end, "start"
            i = bisect.bisect_right(ends, end)
            return (start, ends[i], "end") if i < len(ends) else (start, end, "end")
        i = bisect.bisect_left(ends, end) - 1
        if side == "end" and i >= 0 and ends[i] > start:
            return start, ends[i], "end"
        i = bisect.bisect_left(starts, start) - 1
        return (starts[i], end, "start") if i >= 0 else (start, end, "start")


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def load(session: Session, source_id: int, viewer: str | None = None) -> Document:
    """The source with its passages, codings and pending suggestions, in text order."""
    from review.ingest.citation import summary_text
    from review.ingest.passages import passage_spans
    from review.ingest.sources import get_source

    src = get_source(session, source_id)
    text = src.text or ""
    title = src.title or src.key
    if not text:
        shown = summary_text(src)
        blocks = _paragraphs(shown)
        return Document(pk(src), title, src.kind, shown, blocks, blocks, codable=False)
    by_kind: dict[str, list[Span]] = {}
    for pid, start, end, kind, speaker, ts in passage_spans(session, source_id):
        by_kind.setdefault(kind, []).append(Span(start, end, pid, speaker, ts))
    blocks = by_kind.get("turn") or by_kind.get("paragraph") or _paragraphs(text)
    units = by_kind.get("sentence") or blocks
    doc = Document(pk(src), title, src.kind, text, blocks, units, viewer=viewer)
    reload_marks(session, doc)
    return doc


def reload_marks(session: Session, doc: Document) -> None:
    """Re-read codings and pending suggestions (after applying, undoing, accepting...)."""
    from review.coding.codings import codings_for_source
    from review.coding.suggest import list_suggestions
    from review.store.coders import coder_names

    coders = coder_names(session)
    doc.codings = [
        Mark(pk(c), c.code_id, c.start, c.end, "coding", _name(coders, c.coder_id), c.memo)
        for c in codings_for_source(session, doc.source_id, doc.viewer)
    ]
    doc.suggestions = [
        Mark(
            pk(s),
            s.code_id,
            s.start,
            s.end,
            "suggestion",
            trigger=list(s.trigger or []),
            score=s.score,
        )
        for s in list_suggestions(session, status="pending", source_id=doc.source_id)
    ]


def _name(coders: dict[int, str], coder_id: int | None) -> str | None:
    """The coder's name (None: a coding with no coder recorded)."""
    return coders.get(coder_id) if coder_id is not None else None


def _paragraphs(text: str) -> list[Span]:
    """Fallback blocks when a text has no passages: its non-empty lines."""
    out, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append(Span(pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return out or [Span(0, len(text))]


# --- layout ----------------------------------------------------------------------------------

HEADER, TEXT, BLANK = 0, 1, 2


@dataclass
class Layout:
    """Wrapped lines: kind (HEADER/TEXT/BLANK), text offsets [start, end), and block index."""

    width: int
    kinds: list[int]
    starts: list[int]
    ends: list[int]
    block_of: list[int]
    text_line_starts: list[int] = field(default_factory=list)  # starts of TEXT lines
    text_line_index: list[int] = field(default_factory=list)  # their line numbers

    def __len__(self) -> int:
        return len(self.kinds)

    def line_of(self, offset: int) -> int:
        """The line showing `offset` (the TEXT line that starts at or before it)."""
        i = bisect.bisect_right(self.text_line_starts, offset) - 1
        return self.text_line_index[max(0, i)] if self.text_line_index else 0


def layout(doc: Document, width: int) -> Layout:
    """Wrap every block to `width` cells; a block with a speaker or time gets a header line."""
    width = max(10, width)
    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    block_of: list[int] = []
    text = doc.text
    for b, block in enumerate(doc.blocks):
        if b:
            kinds.append(BLANK)
            starts.append(block.start)
            ends.append(block.start)
            block_of.append(b)
        if block.speaker or block.timestamp is not None:
            kinds.append(HEADER)
            starts.append(block.start)
            ends.append(block.start)
            block_of.append(b)
        for a, z in _wrap(text, block.start, block.end, width):
            kinds.append(TEXT)
            starts.append(a)
            ends.append(z)
            block_of.append(b)
    out = Layout(width, kinds, starts, ends, block_of)
    for i, k in enumerate(kinds):
        if k == TEXT:
            out.text_line_starts.append(starts[i])
            out.text_line_index.append(i)
    return out


def _wrap(text: str, start: int, end: int, width: int):
    """(start, end) offsets of wrapped lines of text[start:end], breaking at spaces."""
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        stop = end if newline < 0 else newline
        while stop - pos > width:
            cut = text.rfind(" ", pos, pos + width + 1)
            if cut <= pos:
                cut = pos + width
                yield pos, cut
                pos = cut
            else:
                yield pos, cut
                pos = cut + 1
        yield pos, stop
        pos = stop + 1
