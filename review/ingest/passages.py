"""Passages: the spans of a source's text that people read, code and search.

Transcripts are split into speaker turns and every text into sentences (spaCy's rule-based
`sentencizer` on `spacy.blank("en")`: no model download); documents also into paragraphs.
Sentences never cross a blank line, so a heading or a new paragraph starts a new sentence.
A passage is only offsets (code points into the immutable `Source.text`); its text is
`text[start:end]`, which `passage_text` returns and the tests check for every passage.

`store_passages` bulk-inserts the rows in the caller's transaction and fills the full-text
index `passage_fts(rowid = passage.id, text)` (FTS5 on SQLite, m0009 on PostgreSQL).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from review.ingest.transcripts.model import Parsed
from review.store import models as m
from review.store import search_index

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
BATCH = 256
MAX_PIECE = 100_000  # characters handed to spaCy at once (see _pieces)
# spaCy's tokenizer is quadratic in the length of a run without whitespace that it can keep
# splitting (2,000 commas: 1.4 s; 4,000: 6 s; a line of 50,000 "(" did not finish in 60 s):
# such runs reach it masked (see _masked), so segmenting costs at most ~1 s per MB.
MAX_RUN = 64
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


@dataclass(frozen=True, slots=True)
class Segment:
    """A passage before it is stored."""

    start: int
    end: int
    kind: str  # turn, sentence, paragraph
    speaker: str | None = None
    timestamp: float | None = None


@lru_cache(maxsize=1)
def nlp():
    """The sentence splitter, built once per process (blank English + sentencizer)."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Blank-line-separated blocks of `text[start:end]`, trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    for gap in _BLANK_LINE.finditer(text, start, end):
        spans.append((pos, gap.start()))
        pos = gap.end()
    spans.append((pos, end))
    return [t for t in (_trim(text, s, e) for s, e in spans) if t[0] < t[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str, spans: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Sentence spans (absolute offsets) within each of `spans`, via one `nlp.pipe` run."""
    out: list[list[tuple[int, int]]] = [[] for _ in spans]
    pieces = list(_pieces(text, spans))
    docs = nlp().pipe((_masked(text[s:e]) for _, s, e in pieces), batch_size=BATCH)
    for (owner, base, _), doc in zip(pieces, docs, strict=True):
        found = out[owner]
        for sent in doc.sents:
            s, e = _trim(text, base + sent.start_char, base + sent.end_char)
            if s < e:
                found.append((s, e))
    return out


def _masked(piece: str) -> str:
    """`piece` with each run of more than MAX_RUN non-space characters replaced by as many
    "x" (its last character kept, so "….)." still ends a sentence): the same length, so
    spaCy's offsets are the text's, and a run is one cheap token whatever it holds."""
    if _LONG_RUN.search(piece) is None:
        return piece
    return _LONG_RUN.sub(lambda m: "x" * (len(m.group()) - 1) + m.group()[-1], piece)


def _pieces(text: str, spans: Sequence[tuple[int, int]]) -> Iterable[tuple[int, int, int]]:
    """(index of span, start, end): each span, cut at whitespace into pieces of at most
    MAX_PIECE characters. spaCy refuses a text over its `max_length` (1,000,000), and a PDF
    or a transcript with no line breaks can be one paragraph that long; a sentence running
    over a cut is split there."""
    for i, (s, e) in enumerate(spans):
        while e - s > MAX_PIECE:
            cut = text.rfind(" ", s + MAX_PIECE // 2, s + MAX_PIECE)
            cut = cut + 1 if cut > s else s + MAX_PIECE
            yield i, s, cut
            s = cut
        yield i, s, e


def segment(parsed: Parsed) -> list[Segment]:
    """Turns and their sentences for a transcript; paragraphs and sentences otherwise."""
    text = parsed.text
    if not parsed.turns:
        return segment_document(text, parsed.body_start)
    blocks: list[tuple[int, int]] = []
    owners: list[int] = []
    for i, turn in enumerate(parsed.turns):
        for span in paragraphs(text, turn.start, turn.end):
            blocks.append(span)
            owners.append(i)
    cue_starts = [c[0] for c in parsed.cue_times]
    result: list[Segment] = []
    split = sentences(text, blocks)
    by_turn: dict[int, list[tuple[int, int]]] = {}
    for owner, sents in zip(owners, split, strict=True):
        by_turn.setdefault(owner, []).extend(sents)
    for i, turn in enumerate(parsed.turns):
        result.append(Segment(turn.start, turn.end, "turn", turn.speaker, turn.timestamp))
        for s, e in by_turn.get(i, ()):
            stamp = turn.timestamp
            if cue_starts:
                at = bisect.bisect_right(cue_starts, s) - 1
                if at >= 0:
                    stamp = parsed.cue_times[at][1]
            result.append(Segment(s, e, "sentence", turn.speaker, stamp))
    return result


def segment_document(text: str, start: int = 0) -> list[Segment]:
    """Paragraphs and sentences of a text without speakers."""
    blocks = paragraphs(text, start)
    result: list[Segment] = []
    for (s, e), sents in zip(blocks, sentences(text, blocks), strict=True):
        result.append(Segment(s, e, "paragraph"))
        result.extend(Segment(a, b, "sentence") for a, b in sents)
    return result


def passage_text(source_text: str, passage: m.Passage | Segment) -> str:
    """The words of a passage: exactly `source_text[start:end]`."""
    return source_text[passage.start : passage.end]


def store_passages(
    session: Session,
    source: m.Source,
    passages: Iterable[Segment],
    participants: dict[str, int] | None = None,
) -> int:
    """Bulk-insert passages of `source` (flushed, with its text) and index them for search.

    `participants` maps a speaker label to its participant id. Returns the number stored.
    """
    if source.id is None:
        session.flush()
    body = source.text or ""
    participants = participants or {}
    rows: list[dict[str, Any]] = [
        {
            "source_id": source.id,
            "start": p.start,
            "end": p.end,
            "kind": p.kind,
            "speaker": p.speaker,
            "participant_id": participants.get(p.speaker) if p.speaker else None,
            "timestamp": p.timestamp,
        }
        for p in passages
    ]
    if not rows:
        return 0
    for row in rows:
        if not 0 <= row["start"] <= row["end"] <= len(body):
            raise ValueError(f"passage {row['start']}:{row['end']} outside the text")
    # Both databases have `passage_fts(rowid, text)` (FTS5 on SQLite, m0009 on PostgreSQL).
    # Each new row's id comes back with its span, in whatever order: a passage's indexed text
    # is its span of the source's text, so no order is needed. (Asking for the parameters'
    # order, `sort_by_parameter_order`, makes SQLAlchemy insert one row a statement on
    # SQLite: 32,000 statements for a 32,000-sentence transcript.)
    spans = session.execute(
        insert(m.Passage).returning(col(m.Passage.id), col(m.Passage.start), col(m.Passage.end)),
        rows,
    ).all()
    session.execute(
        text("INSERT INTO passage_fts(rowid, text) VALUES (:id, :text)"),
        [{"id": pid, "text": body[a:z]} for pid, a, z in spans],
    )
    search_index.sync_after_commit(session)  # the search index catches up on commit
    return len(rows)


class Speakers:
    """Who speaks at an offset: the turn passages of each transcript, searched by bisect."""

    def __init__(self, session: Session, source_ids: set[int] | None = None):
        q = select(
            col(m.Passage.source_id),
            col(m.Passage.start),
            col(m.Passage.speaker),
            col(m.Passage.participant_id),
        ).where(col(m.Passage.speaker).is_not(None))
        self._by: dict[int, list[tuple[int, str, int | None]]] = {}
        self._starts: dict[int, list[int]] = {}
        if source_ids is not None:
            if not source_ids:
                return
            q = q.where(col(m.Passage.source_id).in_(sorted(source_ids)))
        by: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
        for sid, start, speaker, pid in session.exec(q).all():
            assert speaker is not None  # the query's filter
            by[sid].append((start, speaker, pid))
        self._by = {sid: sorted(v, key=lambda t: t[0]) for sid, v in by.items()}
        self._starts = {sid: [t[0] for t in v] for sid, v in self._by.items()}

    def _turn(self, source_id: int, offset: int) -> tuple[int, str, int | None] | None:
        turns = self._by.get(source_id)
        if not turns:
            return None
        i = bisect.bisect_right(self._starts[source_id], offset) - 1
        return turns[i] if i >= 0 else None

    def at(self, source_id: int, offset: int) -> str | None:
        turn = self._turn(source_id, offset)
        return turn[1] if turn else None

    def participant_at(self, source_id: int, offset: int) -> int | None:
        turn = self._turn(source_id, offset)
        return turn[2] if turn else None


PASSAGE_KINDS = ("turn", "sentence", "paragraph")


def passage_spans(session: Session, source_id: int) -> list[tuple]:
    """(id, start, end, kind, speaker, timestamp) of a source's passages in text order."""
    return list(
        session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
                col(m.Passage.id),
                col(m.Passage.start),
                col(m.Passage.end),
                col(m.Passage.kind),
                col(m.Passage.speaker),
                col(m.Passage.timestamp),
            )
            .where(col(m.Passage.source_id) == source_id)
            .order_by(col(m.Passage.start), col(m.Passage.end))
        ).all()
    )


def source_passages(
    session: Session,
    key: str,
    kind: str | None = None,
    speaker: str | None = None,
    limit: int = 0,
) -> list[dict]:
    """The passages of the source called `key`, in text order, with their text."""
    from review.errors import NotFound, UsageError
    from review.ingest.sources import source_by_key

    if kind and kind not in PASSAGE_KINDS:
        raise UsageError(f"--kind must be turn, sentence or paragraph, not {kind!r}")
    source = source_by_key(session, key)
    if source is None:
        raise NotFound(f"no source with key {key!r} (see `review transcripts`)")
    query = select(m.Passage).where(col(m.Passage.source_id) == source.id)
    if kind:
        query = query.where(col(m.Passage.kind) == kind)
    if speaker:
        query = query.where(col(m.Passage.speaker).in_(speakers_named(session, speaker, source)))
    query = query.order_by(col(m.Passage.start), col(m.Passage.end).desc())
    if limit:
        query = query.limit(limit)
    text = source.text or ""
    return [
        {
            "id": p.id,
            "kind": p.kind,
            "start": p.start,
            "end": p.end,
            "speaker": p.speaker,
            "participant_id": p.participant_id,
            "timestamp": p.timestamp,
            "text": text[p.start : p.end],
        }
        for p in session.exec(query).all()
    ]


def same_name(names: Iterable[str | None], typed: str) -> list[str]:
    """The `names` (as stored) that are `typed`: the same letters however they were typed
    (NFC, as every source's text is, and in any case: "moderator" finds "Moderator"). The one
    home of that rule, so a speaker or a participant attribute is found alike by every
    command (`review passages --speaker`, `review excerpts --speaker/--attribute`)."""
    import unicodedata

    want = unicodedata.normalize("NFC", typed.strip()).casefold()
    return sorted({n for n in names if n and unicodedata.normalize("NFC", n).casefold() == want})


def listed(names: Iterable[str], most: int = 40) -> str:
    """`names` for a one-line message: sorted, the first `most` of them ("none" for none),
    so a refusal naming what exists stays one line however many there are."""
    shown = sorted(names, key=lambda n: (n.casefold(), n))
    more = f", … ({len(shown) - most} more)" if len(shown) > most else ""
    return ", ".join(shown[:most]) + more if shown else "none"


def speakers_named(session: Session, typed: str, source: m.Source | None = None) -> list[str]:
    """The speaker labels of `source` (None: of every source) that are `typed`, as stored
    (`same_name`; across sources "moderator" may be stored more than one way). A name no
    passage has is a usage error that lists the speakers, not an empty listing."""
    from review.errors import UsageError

    query = select(col(m.Passage.speaker)).where(col(m.Passage.speaker).is_not(None))
    if source is not None:
        query = query.where(col(m.Passage.source_id) == source.id)
    names = [n for n in session.exec(query.distinct()).all() if n]
    found = same_name(names, typed)
    if not found:
        where = f" in {source.key}" if source is not None else ""
        raise UsageError(f"--speaker: no speaker {typed!r}{where} (speakers: {listed(set(names))})")
    return found


HEADER_KEYS = ("group", "date", "time", "place", "moderator", "interviewee", "duration", "format")


def qualitative_sources(session: Session) -> list[dict]:
    """The team's transcripts and documents: speakers, turns, passages and header metadata."""
    from sqlalchemy import func

    from review.store.kinds import qualitative_clause

    counts: dict[int | None, int] = dict(
        session.exec(
            select(col(m.Passage.source_id), func.count()).group_by(col(m.Passage.source_id))
        ).all()
    )
    rows = session.exec(
        select(m.Source).where(qualitative_clause()).order_by(col(m.Source.key))
    ).all()
    return [
        {
            "key": r.key,
            "kind": r.kind,
            "title": r.title,
            "speakers": (r.meta or {}).get("speakers", []),
            "turns": (r.meta or {}).get("turns", 0),
            "passages": counts.get(r.id, 0),
            "meta": {k: v for k, v in (r.meta or {}).items() if k in HEADER_KEYS},
            "file": r.origin_file,
        }
        for r in rows
    ]
