"""Finding coded text again: excerpts by code (with its children), by source, by coder or by a
participant attribute; code frequencies; and a code co-occurrence matrix.

All of it is SQL over the `coding` table (indexed by code and by source/start), so it pages
through a million codings without loading them. An excerpt's speaker is the passage that
contains its first character; "by participant attribute" means the coding overlaps a passage
spoken by a participant with that attribute value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from review.coding.codebook import code_paths, descendants
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
    limit: int | None = None,
    offset: int = 0,
) -> list[Excerpt]:
    """Coded excerpts in source order, filtered by code (and descendants), source, coder and/or
    a participant attribute (name, value)."""
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
    )
    if code_id is not None:
        ids = descendants(session, code_id) if include_children else [code_id]
        q = q.where(col(m.Coding.code_id).in_(ids))
    if source_id is not None:
        q = q.where(col(m.Coding.source_id) == source_id)
    if coder is not None:
        q = q.where(col(m.Coder.name) == coder)
    if attribute is not None:
        name, value = attribute
        p, a = aliased(m.Passage), aliased(m.ParticipantAttribute)
        q = q.where(
            exists(
                select(col(p.id))
                .join(a, col(a.participant_id) == col(p.participant_id))
                .where(
                    col(p.source_id) == col(m.Coding.source_id),
                    col(p.start) < col(m.Coding.end),
                    col(p.end) > col(m.Coding.start),
                    func.lower(col(a.name)) == name.lower(),
                    func.lower(col(a.value)) == value.lower(),
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
