"""Code suggestions: spaCy `PhraseMatcher` on lemmas of each code's keywords, optionally fuzzy.

No model download: a blank English tokenizer plus the lookup lemma table from
`spacy-lookups-data`, applied to the lower-cased token, so "Volunteered" and "volunteering"
both match the keyword "volunteer". A suggestion covers the passage (speaker turn or sentence)
where the keyword occurs, names the words that triggered it, and stays in the `suggestion`
table until a person accepts it (it then becomes a coding with origin "suggestion") or rejects
it. With `fuzzy=True`, single-word keywords also match misspellings (rapidfuzz ratio >= 90,
words of five letters or more), scored below exact matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from review.coding.codings import check_span
from review.errors import NotFound, UsageError
from review.store import models as m
from review.store.actions import record_action
from review.store.coders import ensure_coder
from review.store.db import in_chunks
from review.store.models import utcnow

FUZZY_MIN_LEN = 5
FUZZY_CUTOFF = 90.0
# what the moderator or note-taker says frames the talk; it is not the data being coded
SKIP_ROLES = ("moderator", "facilitator", "interviewer", "researcher")


@lru_cache(maxsize=1)
def _lemma_table():
    """spaCy's English lookup lemmas (a `Table`: keys are hashed, so use `.get(word)`)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def blank_nlp():
    """A blank English pipeline with a sentencizer (no downloads)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass
class KeywordMatcher:
    """Compiled keywords of a codebook: one PhraseMatcher over lemmas, plus fuzzy single words."""

    nlp: Any  # a spaCy Language (spaCy is imported only when needed)
    matcher: Any  # a spaCy PhraseMatcher
    labels: dict[int, int]  # matcher label hash -> code id
    single: dict[str, set[int]] = field(default_factory=dict)  # lemma -> code ids (for fuzzy)
    _lemma_ids: dict[int, int] = field(default_factory=dict)
    _fuzzy_cache: dict[str, list[tuple[int, str, float]]] = field(default_factory=dict)

    def lemmatise(self, doc) -> object:
        """Set each token's lemma to the lookup lemma of its lower-cased form: read the LOWER
        ids as one array, map them through a cache, write LEMMA back as one array (setting
        token by token from Python costs several times more)."""
        import numpy
        from spacy.attrs import LEMMA, LOWER

        if not len(doc):
            return doc
        cache = self._lemma_ids
        lowers = doc.to_array(LOWER)
        try:
            lemmas = [cache[x] for x in lowers.tolist()]
        except KeyError:
            table, strings = _lemma_table(), self.nlp.vocab.strings
            for x in set(lowers.tolist()) - cache.keys():
                low = strings[x]
                cache[x] = strings.add(table.get(low, low))
            lemmas = [cache[x] for x in lowers.tolist()]
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc

    def docs(self, texts: Iterable[str]):
        for doc in self.nlp.tokenizer.pipe(texts, batch_size=256):
            yield self.lemmatise(doc)

    def matches(
        self, doc, fuzzy: bool = False, text: str | None = None
    ) -> list[tuple[int, int, int, str, float]]:
        """(code_id, start_char, end_char, matched words, score) in document order. Pass the
        text the doc was made from: `doc.text` rebuilds it token by token."""
        out = []
        covered: set[int] = set()
        text = doc.text if text is None else text
        for label, s, e in self.matcher(doc):
            last = doc[e - 1]
            a, b = doc[s].idx, last.idx + len(last)
            out.append((self.labels[label], a, b, text[a:b], 1.0))
            if fuzzy:
                covered.update(range(s, e))
        if fuzzy and self.single:
            for tok in doc:
                if tok.i in covered or not tok.is_alpha or len(tok) < FUZZY_MIN_LEN:
                    continue
                for code_id, _kw, score in self._fuzzy(tok.lower_):
                    out.append((code_id, tok.idx, tok.idx + len(tok), tok.text, score / 100))
        out.sort(key=lambda x: (x[1], x[0]))
        return out

    def _fuzzy(self, word: str) -> list[tuple[int, str, float]]:
        hit = self._fuzzy_cache.get(word)
        if hit is None:
            from rapidfuzz import fuzz, process

            best: dict[int, tuple[str, float]] = {}
            lemma = _lemma_table().get(word, word)
            if word not in self.single and lemma not in self.single:
                for kw, score, _ in process.extract(
                    word, list(self.single), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                ):
                    for cid in self.single[kw]:
                        if score > best.get(cid, ("", 0.0))[1]:
                            best[cid] = (kw, score)
            hit = [(cid, kw, score) for cid, (kw, score) in best.items()]
            self._fuzzy_cache[word] = hit
        return hit


def build_matcher(codes: Sequence[m.Code]) -> KeywordMatcher:
    """Compile the keywords of the codable codes given."""
    from spacy.matcher import PhraseMatcher

    nlp = blank_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    km = KeywordMatcher(nlp=nlp, matcher=matcher, labels={})
    for code in codes:
        keywords = [k for k in (code.keywords or []) if k.strip()]
        if not code.codable or not keywords:
            continue
        assert code.id is not None  # a stored code's primary key
        key = f"code:{code.id}"
        patterns = list(km.docs(keywords))
        matcher.add(key, patterns)
        km.labels[nlp.vocab.strings[key]] = code.id
        for doc in patterns:
            if len(doc) != 1:
                continue
            for form in {doc[0].lemma_, doc[0].lower_}:  # "recycling" and its lemma "recycle"
                if len(form) >= FUZZY_MIN_LEN:
                    km.single.setdefault(form, set()).add(code.id)
    return km


@dataclass
class Unit:
    """A span suggestions attach to: a sentence passage (else any passage), or a sentence
    found by the sentencizer when a source has no passages yet."""

    source_id: int
    start: int
    end: int
    text: str


def units_for_sources(
    session: Session, source_ids: Sequence[int], skip_roles: Sequence[str] = SKIP_ROLES
) -> Iterable[Unit]:
    """Spans to match in: sentences (else any passages) not spoken by a moderator."""
    skip = {r.casefold() for r in skip_roles}
    for sid in source_ids:
        text = session.scalar(select(col(m.Source.text)).where(col(m.Source.id) == sid))
        if not text:
            continue
        rows = session.execute(
            select(
                col(m.Passage.kind),
                col(m.Passage.start),
                col(m.Passage.end),
                col(m.Participant.role),
            )
            .join(
                m.Participant, col(m.Participant.id) == col(m.Passage.participant_id), isouter=True
            )
            .where(col(m.Passage.source_id) == sid)
            .order_by(col(m.Passage.start))
        ).all()
        if rows:
            rows = [r for r in rows if (r.role or "").casefold() not in skip]
            if not rows:
                continue
        # sentences when the source has them (precise), else whatever passages it has
        spans = [(a, b) for k, a, b, _ in rows if k == "sentence"] or [
            (a, b) for _, a, b, _ in rows
        ]
        if not spans:
            doc = blank_nlp()(text)
            spans = [(s.start_char, s.end_char) for s in doc.sents]
        for a, b in spans:
            if b > a:
                yield Unit(sid, a, b, text[a:b])


def find_suggestions(km: KeywordMatcher, units: Iterable[Unit], fuzzy: bool = False) -> list[dict]:
    """Pure matching: one suggestion per (unit, code) with its trigger words and a score."""
    units = list(units)
    out = []
    for unit, doc in zip(units, km.docs(u.text for u in units), strict=True):
        grouped: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for code_id, _a, _b, words, score in km.matches(doc, fuzzy=fuzzy, text=unit.text):
            grouped[code_id].append((words, score))
        for code_id, hits in grouped.items():
            triggers = list(dict.fromkeys(w for w, _ in hits))
            out.append(
                dict(
                    source_id=unit.source_id,
                    code_id=code_id,
                    start=unit.start,
                    end=unit.end,
                    quote=unit.text,
                    trigger=triggers,
                    score=round(sum(s for _, s in hits), 3),
                )
            )
    return out


def suggest(
    session: Session,
    source_ids: Sequence[int] | None = None,
    *,
    code_ids: Sequence[int] | None = None,
    fuzzy: bool = False,
    skip_roles: Sequence[str] = SKIP_ROLES,
) -> int:
    """Store new suggestions for the given sources (default: all with text); returns how many.

    A (source, code, span) that already has a suggestion (any status) or a coding of that code
    overlapping it is not suggested again, so re-running never re-asks a rejected question.
    Passages spoken by participants whose role is in `skip_roles` (moderators) are skipped."""
    codes = list(session.scalars(select(m.Code)))
    if code_ids is not None:
        codes = [c for c in codes if c.id in set(code_ids)]
    km = build_matcher(codes)
    if not km.labels:
        return 0
    if source_ids is None:
        source_ids = list(
            session.scalars(
                select(col(m.Source.id)).where(
                    col(m.Source.text).is_not(None), col(m.Source.merged_into_id).is_(None)
                )
            )
        )
    total = 0
    now = utcnow()
    for chunk in in_chunks(list(source_ids), 200):
        found = find_suggestions(km, units_for_sources(session, chunk, skip_roles), fuzzy=fuzzy)
        if not found:
            continue
        seen = {
            (r.source_id, r.code_id, r.start, r.end)
            for r in session.execute(
                select(
                    col(m.Suggestion.source_id),
                    col(m.Suggestion.code_id),
                    col(m.Suggestion.start),
                    col(m.Suggestion.end),
                ).where(col(m.Suggestion.source_id).in_(chunk))
            )
        }
        coded: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for r in session.execute(
            select(
                col(m.Coding.source_id),
                col(m.Coding.code_id),
                col(m.Coding.start),
                col(m.Coding.end),
            ).where(col(m.Coding.source_id).in_(chunk))
        ):
            coded[(r.source_id, r.code_id)].append((r.start, r.end))
        rows = []
        for row in found:
            key = (row["source_id"], row["code_id"], row["start"], row["end"])
            spans = coded.get((row["source_id"], row["code_id"]), [])
            if key in seen or any(a < row["end"] and row["start"] < b for a, b in spans):
                continue
            seen.add(key)
            rows.append({**row, "status": "pending", "created": now})
        if rows:
            # Core: no per-row ORM work (SQLModel's types leave out __table__)
            session.execute(insert(m.Suggestion.__table__), rows)  # type: ignore[attr-defined]
            total += len(rows)
    session.flush()
    return total


# --- review of suggestions ----------------------------------------------------------------


STATUSES = ("pending", "accepted", "rejected")


def list_suggestions(
    session: Session,
    *,
    status: str | None = "pending",
    source_id: int | None = None,
    code_id: int | None = None,
    limit: int | None = None,
) -> list[m.Suggestion]:
    if status and status not in STATUSES:  # a typo listed nothing, as if all were done
        raise UsageError(f"unknown status {status!r}: use {', '.join(STATUSES)} or all")
    q = select(m.Suggestion)
    if status:
        q = q.where(col(m.Suggestion.status) == status)
    if source_id is not None:
        q = q.where(col(m.Suggestion.source_id) == source_id)
    if code_id is not None:
        q = q.where(col(m.Suggestion.code_id) == code_id)
    q = q.order_by(col(m.Suggestion.source_id), col(m.Suggestion.start), col(m.Suggestion.code_id))
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def _pending(session: Session, sid: int) -> m.Suggestion:
    """The suggestion `sid`, refused if missing or already accepted/rejected."""
    sug = session.get(m.Suggestion, sid)
    if sug is None:
        raise NotFound(f"no suggestion with id {sid}")
    if sug.status != "pending":
        raise UsageError(f"suggestion {sid} is already {sug.status}")
    return sug


def accept_suggestions(session: Session, ids: Sequence[int], coder: str) -> list[int]:
    """Turn pending suggestions into codings (origin "suggestion"); one undo step."""
    who = ensure_coder(session, coder)
    coding_ids: list[int] = []
    accepted, sources, codes = [], set(), set()
    for sid in ids:
        sug = _pending(session, sid)
        sources.add(sug.source_id)
        codes.add(sug.code_id)
        source = session.get(m.Source, sug.source_id)
        assert source is not None  # source_id is a foreign key
        quote = check_span(source, sug.start, sug.end)
        coding = m.Coding(
            source_id=sug.source_id,
            code_id=sug.code_id,
            start=sug.start,
            end=sug.end,
            quote=quote,
            coder_id=who.id,
            origin="suggestion",
        )
        session.add(coding)
        session.flush()
        assert coding.id is not None  # flushed just above
        sug.status, sug.coding_id = "accepted", coding.id
        coding_ids.append(coding.id)
        accepted.append(sid)
    if accepted:
        record_action(
            session,
            who,
            "accept",
            {
                "coding_ids": coding_ids,
                "suggestion_ids": accepted,
                "source_ids": sorted(sources),
                "code_ids": sorted(codes),
            },
        )
    session.flush()
    return coding_ids


def accept_suggestion(session: Session, suggestion_id: int, coder: str) -> m.Coding:
    (cid,) = accept_suggestions(session, [suggestion_id], coder)
    return cast(m.Coding, session.get(m.Coding, cid))  # made just now


def reject_suggestions(session: Session, ids: Sequence[int], coder: str) -> int:
    who = ensure_coder(session, coder)
    done, sources, codes = [], set(), set()
    for sid in ids:
        sug = _pending(session, sid)  # (refuses a missing or settled one before any change)
        done.append(sid)
        sources.add(sug.source_id)
        codes.add(sug.code_id)
    if done:
        session.execute(
            update(m.Suggestion).where(col(m.Suggestion.id).in_(done)).values(status="rejected")
        )
        payload = {"suggestion_ids": done, "source_ids": sorted(sources), "code_ids": sorted(codes)}
        record_action(session, who, "reject", payload)
        session.flush()
    return len(done)


def reject_suggestion(session: Session, suggestion_id: int, coder: str) -> None:
    reject_suggestions(session, [suggestion_id], coder)
