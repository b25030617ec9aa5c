"""Finding coded text again: excerpts by code (with its children), by source, by coder or by a
participant attribute; code frequencies; and a code co-occurrence matrix.

All of it is SQL over the `coding` table (indexed by code and by source/start), so it pages
through a million codings without loading them. An excerpt's speaker (as shown and exported) is
the speaker of the passage that contains its first character; "by speaker" and "by participant
attribute" mean the coding overlaps a passage of that speaker, or of a participant with that
attribute value, so an excerpt running over two turns is found under either speaker. Speakers,
attribute names and values are matched as `review passages --speaker` matches a speaker
(`review.ingest.passages.same_name`: NFC, any case), and a name nobody has is refused with the
names that exist rather than matching nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from review.coding.codebook import code_paths, descendants
from review.coding.codings import coded_by
from review.errors import UsageError
from review.ingest.participants import attribute_names
from review.ingest.passages import listed, same_name, speakers_named
from review.store import models as m


@dataclass
class Excerpt:
    coding_id: int
    source_id: int
    source_key: str
    code_id: int
    code_path: str
    start: int
    end: int
    quote: str
    coder: str | None
    memo: str | None
    origin: str
    speaker: str | None
    created: datetime | None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def excerpts(
    session: Session,
    code_id: int | None = None,
    include_children: bool = True,
    *,
    source_id: int | None = None,
    coder: str | None = None,
    attribute: tuple[str, str] | None = None,
    speakers: Sequence[str] = (),
    limit: int | None = None,
    offset: int = 0,
) -> list[Excerpt]:
    """Coded excerpts in source order, filtered by code (and descendants), source, coder, a
    participant attribute (name, value) and/or speakers (any of them). The Excerpts screen and
    `review excerpts` both page through it, so a filter means the same in each. A speaker or
    an attribute name no one has is a UsageError naming those that exist (a typo, not an
    empty result); an attribute value no participant has matches nothing here
    (`check_attribute` refuses it too, for the interfaces)."""
    speaker = (
        select(col(m.Passage.speaker))
        .where(
            col(m.Passage.source_id) == col(m.Coding.source_id),
            col(m.Passage.start) <= col(m.Coding.start),
            col(m.Passage.end) > col(m.Coding.start),
            col(m.Passage.speaker).is_not(None),
        )
        .order_by(col(m.Passage.start).desc())
        .limit(1)
        .correlate(m.Coding)
        .scalar_subquery()
    )
    q = (
        select(m.Coding, col(m.Source.key), col(m.Coder.name), speaker)
        .join(m.Source, col(m.Source.id) == col(m.Coding.source_id))
        .join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id), isouter=True)
        .where(*_filters(session, code_id, include_children, source_id, coder))
    )
    if speakers:
        q = q.where(_spoken_by(speaker_labels(session, speakers, source_id)))
    if attribute is not None:
        names, values = _attribute_matches(session, *attribute)
        p, a = aliased(m.Passage), aliased(m.ParticipantAttribute)
        q = q.where(
            exists(
                select(col(p.id))
                .join(a, col(a.participant_id) == col(p.participant_id))
                .where(
                    col(p.source_id) == col(m.Coding.source_id),
                    col(p.start) < col(m.Coding.end),
                    col(p.end) > col(m.Coding.start),
                    col(a.name).in_(names),
                    col(a.value).in_(values),
                )
            )
        )
    q = q.order_by(
        col(m.Coding.source_id), col(m.Coding.start), col(m.Coding.end), col(m.Coding.id)
    ).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    paths = code_paths(session)
    return [
        Excerpt(
            coding_id=c.id,
            source_id=c.source_id,
            source_key=key,
            code_id=c.code_id,
            code_path=paths.get(c.code_id, "?"),
            start=c.start,
            end=c.end,
            quote=c.quote,
            coder=coder_name,
            memo=c.memo,
            origin=c.origin,
            speaker=spk,
            created=c.created,
        )
        for c, key, coder_name, spk in session.execute(q).all()
    ]


def excerpt_speakers(
    session: Session,
    code_id: int | None = None,
    include_children: bool = True,
    *,
    source_id: int | None = None,
    coder: str | None = None,
) -> list[tuple[str, int]]:
    """(speaker, excerpts) for each speaker of the excerpts `excerpts` finds with these
    filters, by name: what the Excerpts screen's speaker picker offers, so it lists only
    speakers who have excerpts there. Two coders' codings of one span are one excerpt (as the
    screen's status line counts them); an excerpt over two turns counts for both speakers,
    as the `speakers` filter finds it under both."""
    p = aliased(m.Passage)
    spans = (
        select(
            col(p.speaker).label("speaker"),
            col(m.Coding.source_id),
            col(m.Coding.code_id),
            col(m.Coding.start),
            col(m.Coding.end),
        )
        .join(
            p,
            and_(
                col(p.source_id) == col(m.Coding.source_id),
                col(p.start) < col(m.Coding.end),
                col(p.end) > col(m.Coding.start),
            ),
        )
        .where(col(p.speaker).is_not(None))
        .where(*_filters(session, code_id, include_children, source_id, coder))
        .distinct()
        .subquery()
    )
    q = select(spans.c.speaker, func.count()).group_by(spans.c.speaker)
    rows = [(name, n) for name, n in session.execute(q).all() if name]
    return sorted(rows, key=lambda r: (r[0].casefold(), r[0]))


def speaker_labels(
    session: Session, typed: Sequence[str], source_id: int | None = None
) -> list[str]:
    """The stored speaker labels `typed` names (each as `review passages --speaker` finds it:
    `speakers_named`, within `source_id` when given); one no passage has is a UsageError."""
    source = session.get(m.Source, source_id) if source_id is not None else None
    return sorted({label for name in typed for label in speakers_named(session, name, source)})


def check_attribute(session: Session, name: str, value: str) -> None:
    """Refuse a participant attribute filter that can match nothing: a NAME no participant
    has, naming those that exist (as `excerpts` does), or a VALUE none has for it, naming its
    values. The CLI asks before `excerpts`, so `--attribute area=Nort` is a typo said as one
    line, not "no excerpts"."""
    names, values = _attribute_matches(session, name, value)
    if not values:
        known = _values(session, names)
        raise UsageError(
            f"--attribute: no participant has {name.strip()}={value.strip()!r} "
            f"({names[0]} values: {listed(set(known), 20)})"
        )


def _attribute_matches(session: Session, name: str, value: str) -> tuple[list[str], list[str]]:
    """(attribute names, values) as stored that `name` and `value` are (`same_name`); a name
    no participant has is a UsageError listing the names that exist."""
    known = attribute_names(session)
    names = same_name(known, name)
    if not names:
        hint = (
            "; a speaker is chosen with --speaker NAME"
            if name.strip().casefold() in ("speaker", "participant", "name")
            else ""
        )
        raise UsageError(
            f"--attribute: no participant has an attribute {name.strip()!r} "
            f"(attributes: {listed(known)}){hint}"
        )
    return names, same_name(_values(session, names), value)


def _values(session: Session, names: Sequence[str]) -> list[str]:
    """The values participants have for the attributes `names` (as stored)."""
    q = select(col(m.ParticipantAttribute.value)).where(
        col(m.ParticipantAttribute.name).in_(list(names)),
        col(m.ParticipantAttribute.value).is_not(None),
    )
    return [v for v in session.scalars(q.distinct()).all() if v]


def _filters(
    session: Session,
    code_id: int | None,
    include_children: bool,
    source_id: int | None,
    coder: str | None,
) -> list[ColumnElement[bool]]:
    """The code, source and coder conditions on `m.Coding` that the excerpt listing and its
    speaker picker share, so the picker offers exactly the speakers of what is listed."""
    where: list[ColumnElement[bool]] = []
    if code_id is not None:
        ids = descendants(session, code_id) if include_children else [code_id]
        where.append(col(m.Coding.code_id).in_(ids))
    if source_id is not None:
        where.append(col(m.Coding.source_id) == source_id)
    if coder is not None:
        where.append(coded_by(coder))
    return where


def _spoken_by(labels: Sequence[str]) -> ColumnElement[bool]:
    """A coding that overlaps a passage spoken under one of `labels`."""
    p = aliased(m.Passage)
    return exists(
        select(col(p.id)).where(
            col(p.source_id) == col(m.Coding.source_id),
            col(p.start) < col(m.Coding.end),
            col(p.end) > col(m.Coding.start),
            col(p.speaker).in_(list(labels)),
        )
    )


@dataclass
class Frequency:
    code_id: int
    code_path: str
    codings: int
    sources: int
    characters: int


def code_frequencies(
    session: Session, source_ids: Sequence[int] | None = None, coder: str | None = None
) -> list[Frequency]:
    """Per code: number of codings, of sources coded, and of characters coded."""
    q = select(
        col(m.Coding.code_id),
        func.count(),
        func.count(func.distinct(col(m.Coding.source_id))),
        func.sum(col(m.Coding.end) - col(m.Coding.start)),
    ).group_by(col(m.Coding.code_id))
    if source_ids is not None:
        q = q.where(col(m.Coding.source_id).in_(list(source_ids)))
    if coder is not None:
        q = q.join(m.Coder, col(m.Coder.id) == col(m.Coding.coder_id)).where(
            col(m.Coder.name) == coder
        )
    paths = code_paths(session)
    rows = [
        Frequency(cid, paths.get(cid, "?"), n, ns, int(chars or 0))
        for cid, n, ns, chars in session.execute(q).all()
    ]
    return sorted(rows, key=lambda f: (-f.codings, f.code_path))


def cooccurrence(
    session: Session, code_ids: Sequence[int] | None = None, unit: str = "overlap"
) -> dict[tuple[int, int], int]:
    """How often two codes meet: `overlap` counts pairs of overlapping codings; `passage`
    counts passages touched by both codes. Keys are (lower id, higher id)."""
    if unit not in ("overlap", "passage"):
        raise ValueError("unit must be 'overlap' or 'passage'")
    a, b = aliased(m.Coding), aliased(m.Coding)
    if unit == "overlap":
        q = (
            select(col(a.code_id), col(b.code_id), func.count())
            .join(
                b,
                and_(
                    col(b.source_id) == col(a.source_id),
                    col(b.code_id) > col(a.code_id),
                    col(b.start) < col(a.end),
                    col(a.start) < col(b.end),
                ),
            )
            .group_by(col(a.code_id), col(b.code_id))
        )
    else:
        p = aliased(m.Passage)
        touched = (
            select(col(p.id).label("pid"), col(a.code_id).label("code_id"))
            .join(
                a,
                and_(
                    col(a.source_id) == col(p.source_id),
                    col(a.start) < col(p.end),
                    col(a.end) > col(p.start),
                ),
            )
            .distinct()
            .subquery()
        )
        t1, t2 = aliased(touched), aliased(touched)
        q = (
            select(t1.c.code_id, t2.c.code_id, func.count())
            .join(t2, and_(t2.c.pid == t1.c.pid, t2.c.code_id > t1.c.code_id))
            .group_by(t1.c.code_id, t2.c.code_id)
        )
    wanted = set(code_ids) if code_ids is not None else None
    out = {}
    for x, y, n in session.execute(q).all():
        if wanted is None or (x in wanted and y in wanted):
            out[(x, y)] = n
    return out


def cooccurrence_matrix(
    session: Session, code_ids: Sequence[int] | None = None, unit: str = "overlap"
) -> dict:
    """The co-occurrence counts as a labelled symmetric matrix (for JSON and tables)."""
    pairs = cooccurrence(session, code_ids, unit)
    paths = code_paths(session)
    ids = sorted(set(code_ids) if code_ids is not None else {i for p in pairs for i in p})
    index = {cid: i for i, cid in enumerate(ids)}
    matrix = [[0] * len(ids) for _ in ids]
    for (x, y), n in pairs.items():
        if x in index and y in index:
            matrix[index[x]][index[y]] = matrix[index[y]][index[x]] = n
    return {"unit": unit, "codes": [paths.get(i, "?") for i in ids], "matrix": matrix}
