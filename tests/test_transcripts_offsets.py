"""Property: passage offsets always slice back to the passage's text — with emoji, accents,
combining marks, CJK and CRLF input — in Python and in SQLite (substr counts code points)."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from review.ingest.passages import segment, segment_document, store_passages
from review.ingest.textio import normalise, read_text
from review.ingest.transcripts.captions import parse_vtt
from review.ingest.transcripts.text import parse_text
from review.store import models as m
from review.store.db import session_scope

SPEAKERS = ["Zoë", "José Núñez", "P1", "Interviewer", "ÅSA", "Renée O'Brien", "id2"]
CHARS = st.sampled_from(
    list("abcdefghij ABCDE .,!?;'\"-")
    + ["é", "e\u0301", "ñ", "ß", "ø", "😀", "👩🏽‍🚀", "🇬🇧", "中", "文", "\u00a0", "…", "’", "€"]
)
UTTERANCE = st.lists(CHARS, min_size=1, max_size=40).map("".join).filter(lambda s: s.strip())
TURNS = st.lists(st.tuples(st.sampled_from(SPEAKERS), UTTERANCE), min_size=2, max_size=8)
EOL = st.sampled_from(["\n", "\r\n", "\r"])

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _assert_slices(body: str, segments) -> None:
    for seg in segments:
        assert 0 <= seg.start < seg.end <= len(body)
        piece = body[seg.start : seg.end]
        assert piece == piece.strip() and piece


@FAST
@given(turns=TURNS, eol=EOL, bom=st.booleans())
def test_turn_offsets_slice_back_exactly(turns, eol, bom):
    turns = [(who, said + ".") for who, said in turns]  # speech, not a header's "Name: X Y"
    raw = eol.join(f"{who}: {said}" for who, said in turns) + eol
    data = (b"\xef\xbb\xbf" if bom else b"") + raw.encode("utf-8")
    body = read_text(data).text
    assert "\r" not in body and unicodedata.is_normalized("NFC", body)
    parsed = parse_text(body)
    assert [t.speaker for t in parsed.turns] == [who for who, _ in turns]
    for turn, (_, said) in zip(parsed.turns, turns, strict=True):
        assert body[turn.start : turn.end] == normalise(said).strip()
    segments = segment(parsed)
    _assert_slices(body, segments)
    spans = [(t.start, t.end) for t in parsed.turns]
    for seg in segments:
        if seg.kind == "sentence":
            assert any(a <= seg.start and seg.end <= b for a, b in spans)


@FAST
@given(paragraphs=st.lists(UTTERANCE, min_size=1, max_size=6), eol=EOL)
def test_document_offsets_slice_back_exactly(paragraphs, eol):
    body = read_text((eol * 2).join(paragraphs).encode("utf-16")).text
    segments = segment_document(body)
    _assert_slices(body, segments)
    assert [body[s.start : s.end] for s in segments if s.kind == "paragraph"] == [
        p.strip() for p in normalise("\n\n".join(paragraphs)).split("\n\n") if p.strip()
    ]


@FAST
@given(turns=TURNS)
def test_caption_offsets_slice_back_exactly(turns):
    cues = [
        f"{i}\n00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n<v {who}>{said.strip()}"
        for i, (who, said) in enumerate(turns)
    ]
    parsed = parse_vtt(normalise("WEBVTT\r\n\r\n" + "\r\n\r\n".join(cues) + "\r\n"))
    _assert_slices(parsed.text, segment(parsed))
    words = [normalise(said).strip() for _, said in turns]
    joined = [parsed.text[t.start : t.end] for t in parsed.turns]
    assert "\n".join(joined).split("\n") == [w for w in words if w]


def test_sqlite_substr_agrees_with_python_slices(ws):
    """The FTS index and SQL readers see the same passage text as Python does."""
    body = normalise(
        "Zoë: Café 😀 au lait, s’il vous plaît.\r\nP1: 👩🏽‍🚀 in orbit! e\u0301te\u0301.\r\n"
    )
    parsed = parse_text(body)
    with session_scope(ws.engine) as s:
        source = m.Source(key="emoji", kind="transcript", text=body, meta={})
        s.add(source)
        s.flush()
        n = store_passages(s, source, segment(parsed))
        assert n >= 4
        rows = s.exec(select(m.Passage).where(m.Passage.source_id == source.id)).all()
        for p in rows:
            sql = s.execute(
                text("SELECT substr(text, :a + 1, :n) FROM source WHERE id = :id"),
                {"a": p.start, "n": p.end - p.start, "id": source.id},
            ).scalar_one()
            assert sql == body[p.start : p.end]
        hits = s.execute(text("SELECT rowid FROM passage_fts WHERE passage_fts MATCH 'cafe'")).all()
        assert hits and all(body[s.get(m.Passage, h[0]).start :].startswith("Café") for h in hits)
