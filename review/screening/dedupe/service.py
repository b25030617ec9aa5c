"""Duplicate detection over the workspace database: what `review dedupe` and the TUI call.

Loads the live (not yet merged) records as plain dicts, runs the pure pipeline in
`review.screening.dedupe.detect`, and applies or undoes merges through
`review.screening.dedupe.merge`. Pairs a reviewer kept apart are stored as
`DuplicateLink(status="apart")` and never proposed again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import func, insert, or_, select
from sqlmodel import Session, col

from review.errors import NotFound, ReviewError, UsageError
from review.ingest.sources import normal_key
from review.screening.dedupe.cluster import cluster_id
from review.screening.dedupe.detect import Detection, detect
from review.screening.dedupe.merge import (
    CHUNK,
    UNDONE,
    MergeResult,
    attached_rows,
    merge_sources,
    undo_merge,
)
from review.store import models as m
from review.store.coders import ensure_coder
from review.store.kinds import is_literature, literature_clause

_COLUMNS = (
    col(m.Source.key),
    col(m.Source.title),
    col(m.Source.authors),
    col(m.Source.year),
    col(m.Source.venue),
    col(m.Source.volume),
    col(m.Source.issue),
    col(m.Source.pages),
    col(m.Source.doi),
    col(m.Source.kind),
)
_NAMES = ("key", "title", "authors", "year", "venue", "volume", "issue", "pages", "doi", "kind")


def live_records(session: Session) -> list[dict]:
    """Every record still standing on its own, as the plain dicts `detect` takes."""
    rows = session.execute(
        select(*_COLUMNS)
        .where(col(m.Source.merged_into_id).is_(None), literature_clause())
        .order_by(col(m.Source.id))
    ).all()
    return [dict(zip(_NAMES, row, strict=True)) for row in rows]


def merged_records(session: Session) -> dict[str, list[dict]]:
    """The records merged into each live record (by its key), as plain dicts: a new join must
    pass the vetoes against them too (`detect`'s `merged`). Followed down a chain of merges
    (a survivor merged again later), so each live record gets every record it stands for."""
    survivor = m.Source.__table__.alias("survivor")  # type: ignore[attr-defined]  # (as below)
    rows = session.execute(
        select(survivor.c.key, col(m.Source.merged_into_id), col(m.Source.id), *_COLUMNS)
        .join(survivor, survivor.c.id == col(m.Source.merged_into_id))
        .where(literature_clause())
        .order_by(col(m.Source.id))
    ).all()
    if not rows:
        return {}
    into = {r[2]: (r[0], r[1]) for r in rows}  # merged id -> (survivor key, survivor id)
    out: dict[str, list[dict]] = {}
    for row in rows:
        key, at = row[0], row[1]
        seen = {row[2]}
        while at in into and at not in seen:  # the survivor was merged again: its survivor
            seen.add(at)
            key, at = into[at]
        out.setdefault(key, []).append(dict(zip(_NAMES, row[3:], strict=True)))
    return out


def kept_apart(session: Session) -> list[frozenset[str]]:
    """Key pairs a reviewer said are different records."""
    a = m.Source.__table__.alias("a")  # type: ignore[attr-defined]  # SQLModel leaves out __table__
    b = m.Source.__table__.alias("b")  # type: ignore[attr-defined]  # SQLModel leaves out __table__
    rows = session.execute(
        select(a.c.key, b.c.key)
        .select_from(m.DuplicateLink)
        .join(a, a.c.id == col(m.DuplicateLink.survivor_id))
        .join(b, b.c.id == col(m.DuplicateLink.merged_id))
        .where(col(m.DuplicateLink.status) == "apart")
    ).all()
    return [frozenset(r) for r in rows]


def find_duplicates(session: Session, progress: Callable[[int], None] | None = None) -> Detection:
    """Clusters to merge and pairs for a person to decide, among the live records."""
    return detect(live_records(session), kept_apart(session), progress, merged_records(session))


def count_live(session: Session) -> int:
    """How many records `find_duplicates` will look at (for a progress bar)."""
    return session.execute(
        select(func.count())
        .select_from(m.Source)
        .where(col(m.Source.merged_into_id).is_(None), literature_clause())
    ).one()[0]


def _sources(session: Session, keys: list[str]) -> list[m.Source]:
    found = session.execute(select(m.Source).where(col(m.Source.key).in_(keys))).scalars().all()
    missing = sorted(set(keys) - {s.key for s in found})
    if missing:
        raise NotFound(f"no record with key {', '.join(missing)}")
    return sorted(found, key=lambda s: s.id)


def _coder(session: Session, coder: str | None) -> int | None:
    """The id of the reviewer making a dedupe call (recorded on its links), if named."""
    return ensure_coder(session, coder).id if coder else None


def merge_keys(session: Session, keys: list[str], coder: str | None = None) -> MergeResult:
    """Merge records a reviewer says are the same (e.g. from the maybe queue)."""
    keys = list(dict.fromkeys(normal_key(k.strip()) for k in keys if k.strip()))
    if len(keys) < 2:
        raise UsageError("give at least two record keys to merge, e.g. --merge KEY1,KEY2")
    sources = _sources(session, keys)
    others = [s.key for s in sources if not is_literature(s)]
    if others:  # a transcript or document took a report's title and citation when merged
        raise UsageError(
            f"only literature records are merged; not {', '.join(others)} (transcript/document)"
        )
    return merge_sources(
        session, sources, reasons=["merged by a reviewer"], coder_id=_coder(session, coder)
    )


def apply(
    session: Session,
    detection: Detection,
    progress: Callable[[int], None] | None = None,
    coder: str | None = None,
) -> tuple[list[MergeResult], list[str]]:
    """Merge every cluster; return the merges and the clusters refused (with why).

    Sources and their attached rows are loaded in a few bulk queries and the duplicate links
    inserted at once, so merging thousands of clusters is one short transaction.
    """
    keys = [k for c in detection.clusters for k in c.keys]
    by_key: dict[str, m.Source] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for src in session.execute(select(m.Source).where(col(m.Source.key).in_(chunk))).scalars():
            by_key[src.key] = src
    attached = attached_rows(session, [cast(int, s.id) for s in by_key.values()])  # stored rows
    done: list[MergeResult] = []
    refused: list[str] = []
    links: list[dict] = []
    who = _coder(session, coder)
    for cluster in detection.clusters:
        try:
            missing = [k for k in cluster.keys if k not in by_key]
            if missing:
                raise NotFound(f"no record with key {', '.join(missing)}")
            sources = sorted((by_key[k] for k in cluster.keys), key=lambda s: cast(int, s.id))
            done.append(
                merge_sources(
                    session,
                    sources,
                    score=cluster.score,
                    reasons=cluster.reasons,
                    attached=attached,
                    links=links,
                    coder_id=who,
                )
            )
        except ReviewError as exc:
            refused.append(f"{cluster.id}: {exc}")
        if progress:
            progress(1)
    session.flush()
    for start in range(0, len(links), CHUNK):
        session.exec(insert(m.DuplicateLink), params=links[start : start + CHUNK])
    return done, refused


def keep_apart(session: Session, key_a: str, key_b: str, coder: str | None = None) -> str:
    """Record that two records are different; they are not proposed again."""
    if key_a == key_b:
        raise UsageError("keep apart needs two different keys")
    a, b = _sources(session, [key_a, key_b])
    assert a.id is not None and b.id is not None  # stored rows' primary keys
    cid = cluster_id([a.key, b.key])
    exists = session.execute(
        select(col(m.DuplicateLink.id)).where(
            col(m.DuplicateLink.status) == "apart",
            or_(
                (col(m.DuplicateLink.survivor_id) == a.id)
                & (col(m.DuplicateLink.merged_id) == b.id),
                (col(m.DuplicateLink.survivor_id) == b.id)
                & (col(m.DuplicateLink.merged_id) == a.id),
            ),
        )
    ).first()
    if exists is None:
        session.add(
            m.DuplicateLink(
                cluster=cid,
                survivor_id=a.id,
                merged_id=b.id,
                status="apart",
                reasons=["kept apart by a reviewer"],
                coder_id=_coder(session, coder),
            )
        )
        session.flush()
    return cid


def undo(session: Session, cluster: str, coder: str | None = None) -> MergeResult:
    """Undo a merge (see `review.screening.dedupe.merge.undo_merge`) or a keep-apart
    (`undo_apart`); `coder` is who."""
    apart = (
        session.execute(
            select(m.DuplicateLink).where(
                col(m.DuplicateLink.cluster) == cluster, col(m.DuplicateLink.status) == "apart"
            )
        )
        .scalars()
        .all()
    )
    if apart:
        return undo_apart(session, list(apart), _coder(session, coder))
    return undo_merge(session, cluster, _coder(session, coder))


def undo_apart(session: Session, links: list[m.DuplicateLink], coder_id: int | None) -> MergeResult:
    """Take back a keep-apart: the pair may be proposed again. One stray `a` on the
    Duplicates screen meant "never proposed again", with no way back but a merge by hand.
    The link stays in the audit trail (status `undone`, its snapshot saying when and who,
    `apart` marking it a keep-apart's), as an undone merge's does."""
    keys = []
    for link in links:
        link.status = "undone"
        undone = {"at": m.utcnow().isoformat(), "coder_id": coder_id, "apart": True}
        link.snapshot = {**(link.snapshot or {}), UNDONE: undone}  # a new dict: the ORM sees it
        session.add(link)
        for sid in (link.survivor_id, link.merged_id):
            src = session.get(m.Source, sid)
            if src is not None and src.key not in keys:
                keys.append(src.key)
    session.flush()
    return MergeResult(links[0].cluster, keys[0], keys[1:], kind="apart")


def history(session: Session) -> list[dict]:
    """Every merge, undo and keep-apart decision, newest first.

    An undo is its own entry (status `undo`, with its date and who), read from the undone
    link's snapshot (`merge.UNDONE`); the merge it undid stays listed as `undone`."""
    s1 = m.Source.__table__.alias("s1")  # type: ignore[attr-defined]  # SQLModel leaves out __table__
    s2 = m.Source.__table__.alias("s2")  # type: ignore[attr-defined]  # SQLModel leaves out __table__
    rows = session.execute(
        select(
            col(m.DuplicateLink.cluster),
            col(m.DuplicateLink.status),
            s1.c.key,
            s2.c.key,
            col(m.DuplicateLink.score),
            col(m.DuplicateLink.reasons),
            col(m.DuplicateLink.created),
            col(m.Coder.name),
            col(m.DuplicateLink.snapshot)[UNDONE],  # only this key: snapshots can be large
        )
        .join(s1, s1.c.id == col(m.DuplicateLink.survivor_id))
        .join(s2, s2.c.id == col(m.DuplicateLink.merged_id))
        .outerjoin(m.Coder, col(m.Coder.id) == col(m.DuplicateLink.coder_id))
        .order_by(col(m.DuplicateLink.id).desc())
    ).all()
    undoers = {u["coder_id"] for *_, u in rows if isinstance(u, dict) and u.get("coder_id")}
    names = dict(
        session.execute(
            select(col(m.Coder.id), col(m.Coder.name)).where(col(m.Coder.id).in_(undoers))
        ).all()
        if undoers
        else ()
    )
    out = []
    for c, st, sk, mk, sc, rs, cr, who, undone in rows:
        entry = {"cluster": c, "status": st, "survivor": sk, "merged": mk, "score": sc}
        if isinstance(undone, dict) and undone.get("at"):
            out.append(
                {
                    **entry,
                    "status": "undo-apart" if undone.get("apart") else "undo",
                    "score": None,
                    "reasons": [],
                    "created": datetime.fromisoformat(undone["at"]),
                    "coder": names.get(undone.get("coder_id")),
                }
            )
        out.append({**entry, "reasons": rs, "created": cr, "coder": who})
    # newest first (a stable sort: entries of one moment keep the newest link first); calls
    # made before dates were recorded come last
    out.sort(key=lambda e: _when(e["created"]), reverse=True)
    return out


def _when(value: datetime | None) -> datetime:
    """A comparable moment: naive datetimes (as SQLite may return them) are UTC."""
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


COMPARE_FIELDS = (
    "key",
    "database",
    "kind",
    "title",
    "authors",
    "year",
    "venue",
    "volume",
    "pages",
    "doi",
    "keywords",
    "abstract",
)


def compare(session: Session, keys: list[str]) -> list[dict]:
    """The records of a cluster side by side: field → value per record (for the TUI)."""
    rows = []
    for src in _sources(session, keys):
        rows.append({f: getattr(src, f) for f in COMPARE_FIELDS})
    order = {k: n for n, k in enumerate(keys)}
    return sorted(rows, key=lambda r: order.get(r["key"], len(order)))
