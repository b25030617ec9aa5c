"""Merging a cluster of duplicate sources into one, and undoing it exactly.

The survivor takes the most complete value of each citation field and the union of the
keywords; the other records stay in the database with `merged_into_id` set (nothing is
deleted, PRISMA still counts them). Codings, screening decisions, suggestions, passages and
indicators move to the survivor (evidence links follow their codings). One `DuplicateLink` per
merged record stores what undo needs in `snapshot`: the survivor's fields before the merge and
the ids of every row that moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from review.errors import NotFound, ReviewError, UsageError
from review.ingest.formats.bibtex import COLUMN_FIELDS
from review.screening.decisions import store_status
from review.screening.dedupe.cluster import cluster_id
from review.store import models as m
from review.store.records import own_fields

# Rows tied to a source that follow it into the survivor (and back on undo).
Movable = (
    type[m.Coding]
    | type[m.ScreeningDecision]
    | type[m.Suggestion]
    | type[m.Passage]
    | type[m.Indicator]
)
MOVABLE: dict[str, Movable] = {
    "coding": m.Coding,
    "screeningdecision": m.ScreeningDecision,
    "suggestion": m.Suggestion,
    "passage": m.Passage,
    "indicator": m.Indicator,
}
ANCHORED = ("coding", "suggestion", "passage")  # offsets into Source.text
TEXT_FIELDS: tuple[str, ...] = ("title", "venue", "volume", "issue", "pages", "url", "abstract")
TEXT_FIELDS += ("language", "country", "method")
MERGE_FIELDS = (*TEXT_FIELDS, "authors", "year", "doi", "keywords", "text", "text_hash")
CHUNK = 5000  # ids per IN (...) list, well under every backend's parameter limit
UNDONE = "undone"  # a link's snapshot key: when its merge was undone, and by whom


@dataclass
class MergeResult:
    cluster: str
    survivor: str
    merged: list[str]
    moved: dict[str, int] = field(default_factory=dict)
    kind: str = "merge"  # or "apart": an undone keep-apart (its keys, nothing moved)

    def undone_line(self) -> str:
        """What undoing this merge did, as a sentence for a person (the TUI's toast and
        `review dedupe --undo`): every record named, the survivor first."""
        keys = [self.survivor, *self.merged]
        named = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
        if self.kind == "apart":
            return f"Undone: {named} are no longer kept apart (they may be proposed again)"
        return f"Undone: {named} are separate records again"

    def to_dict(self) -> dict:
        return {
            "cluster": self.cluster,
            "survivor": self.survivor,
            "merged": self.merged,
            "moved": self.moved,
        }


def _filled(value) -> bool:
    return value not in (None, "", [], {})


def completeness(src: m.Source) -> int:
    """How much the record says: its filled citation columns, or the fields its file gave it
    (BibTeX fields, RIS tags, CSV columns), whichever are more. The columns are read from those
    fields, so a thesis's `type`, `address`, `month` and `note` count although no column holds
    them (pybtex's xampl: `phdthesis-full` over `phdthesis-minimal`)."""
    columns = sum(_filled(getattr(src, f)) for f in MERGE_FIELDS)
    own = sum(_filled(v) for v in own_fields(src.record).values())
    return max(columns, own)


Attached = dict[int, dict[str, list[int]]]  # source id → table name → row ids


def attached_rows(session: Session, source_ids: list[int]) -> Attached:
    """The rows of every movable table that belong to these sources (a few queries in all)."""
    out: Attached = {}
    ids = sorted(set(source_ids))
    for name, model in MOVABLE.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = session.execute(
                select(col(model.id), col(model.source_id))
                .where(col(model.source_id).in_(chunk))
                .order_by(col(model.id))
            ).all()
            for rid, sid in rows:
                out.setdefault(sid, {}).setdefault(name, []).append(rid)
    return out


def _anchored(attached: Attached, source_id: int) -> int:
    rows = attached.get(source_id, {})
    return sum(len(rows.get(name, ())) for name in ANCHORED)


def choose_survivor(sources: list[m.Source], attached: Attached) -> m.Source:
    """The record that keeps its key: the one with coded text, else the most complete (see
    `completeness`), then the one with a DOI, then the earliest stored."""
    return max(
        sources,
        key=lambda s: (
            _anchored(attached, cast(int, s.id)) > 0,  # stored rows: primary keys are set
            completeness(s),
            bool(s.doi),
            -cast(int, s.id),
        ),
    )


def _best_text(values: list[str | None]) -> str | None:
    """Prefer a value that is not SHOUTED, then the longest."""
    filled = [v for v in values if _filled(v)]
    if not filled:
        return None
    return max(filled, key=lambda v: (not _shouted(str(v)), len(str(v))))


def _shouted(text: str) -> bool:
    """Mostly capitals ("AIR VERSUS OXYGEN [Review]"): the database's style, not the title's."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def merged_fields(survivor: m.Source, others: list[m.Source]) -> dict:
    """The survivor's field values after the merge (only the fields that change)."""
    members = [survivor, *others]
    out: dict = {}
    for name in TEXT_FIELDS:
        best = _best_text([getattr(s, name) for s in members])
        if best != getattr(survivor, name):
            out[name] = best
    authors = max((list(s.authors or []) for s in members), key=lambda a: (len(a), len(str(a))))
    if authors != list(survivor.authors or []):
        out["authors"] = authors
    for name in ("year", "doi"):
        if not _filled(getattr(survivor, name)):
            value = next((getattr(s, name) for s in others if _filled(getattr(s, name))), None)
            if value is not None:
                out[name] = value
    seen: set[str] = set()
    keywords: list[str] = []
    for s in members:
        for kw in s.keywords or []:
            if kw and kw.casefold() not in seen:
                seen.add(kw.casefold())
                keywords.append(kw)
    if keywords != list(survivor.keywords or []):
        out["keywords"] = keywords
    if not survivor.text:
        donor = next((s for s in others if s.text), None)
        if donor is not None:
            out["text"], out["text_hash"] = donor.text, donor.text_hash
    record = _merged_record(survivor, others)
    if record is not None:
        out["record"] = record
    return out


def _bibtex_fields(src: m.Source) -> dict | None:
    rec = src.record
    if (src.record_format or "").lower() != "bibtex" or not isinstance(rec, dict):
        return None
    fields = rec.get("fields")
    return fields if isinstance(fields, dict) else None


LINKS = frozenset(("crossref", "xref"))  # how the other record got its fields: not the survivor's


def _raw_filled(value: object) -> bool:
    """A raw BibTeX value that says something (not `""` or `{}`)."""
    return _filled(value) and bool(str(value).strip().strip('{}"').strip())


def _merged_record(survivor: m.Source, others: list[m.Source]) -> dict | None:
    """The survivor's BibTeX record with the fields only another BibTeX record of the cluster
    has (an `address`, a `note`, a thesis `type`; first record first) and the `@string` macros
    they use, so the export written back from the record loses none of them; None if nothing
    is added. Fields read into citation columns are left to the columns (the best value of
    each, written in place of the field on export); other formats' tags have no BibTeX form."""
    fields = _bibtex_fields(survivor)
    if fields is None:
        return None
    have = {str(k).lower() for k, v in fields.items() if _filled(v)}
    added: dict = {}
    macros: dict = {}
    for other in others:
        taken = False
        for name, value in (_bibtex_fields(other) or {}).items():
            low = str(name).lower()
            if low in have or low in COLUMN_FIELDS or low in LINKS or not _raw_filled(value):
                continue
            have.add(low)
            added[name] = value
            taken = True
        if taken:  # the @string macros it used (one too many is an unused @string)
            for k, v in (other.record.get("macros") or {}).items():
                macros.setdefault(k, v)
    if not added:
        return None
    record = dict(survivor.record)
    record["fields"] = {**fields, **added}
    if macros:
        record["macros"] = {**macros, **(record.get("macros") or {})}
    return record


def merge_sources(
    session: Session,
    sources: list[m.Source],
    *,
    score: float | None = None,
    reasons: list[str] | None = None,
    attached: Attached | None = None,
    links: list[dict] | None = None,
    coder_id: int | None = None,
) -> MergeResult:
    """Merge `sources` (two or more live records) into one survivor, in the session.

    Everything is checked before anything changes, so a refused merge leaves no trace. Bulk
    callers pass `attached` (from `attached_rows`) and a `links` list that they insert at once.
    `coder_id` is who merged (the history shows it).
    """
    if len(sources) < 2:
        raise UsageError("a merge needs at least two records")
    for s in sources:
        if s.merged_into_id is not None:  # (name the survivor: that is the key to use)
            survivor = session.get(m.Source, s.merged_into_id)
            if survivor is None:
                raise ReviewError(f"record {s.key} is already merged into another record")
            raise ReviewError(
                f"record {s.key} is already merged into {survivor.key}; "
                f"merge {survivor.key} instead"
            )
    if attached is None:  # stored rows: primary keys are set
        attached = attached_rows(session, [cast(int, s.id) for s in sources])
    texts = {
        s.text_hash or s.text for s in sources if s.text and _anchored(attached, cast(int, s.id))
    }
    if len(texts) > 1:
        raise ReviewError(
            "records "
            + ", ".join(s.key for s in sources)
            + " each have coded text that differs; merge them by hand"
        )
    survivor = choose_survivor(sources, attached)
    others = [s for s in sources if s.id != survivor.id]
    members = [cast(int, s.id) for s in sources]
    if any("screeningdecision" in attached.get(i, {}) for i in members):
        # decisions move: no reviewer decides on these records meanwhile (PostgreSQL; see
        # `decisions.decide`), so the statuses stored after the move count every decision
        lock = select(col(m.Source.id)).where(col(m.Source.id).in_(members)).with_for_update()
        session.execute(lock)
    changes = merged_fields(survivor, others)
    before = {name: getattr(survivor, name) for name in changes}
    if changes and survivor.record and "record" not in before:
        before["record"] = survivor.record  # undo puts back its list of edited columns too
    if "record" in changes:  # first: each column set below names itself in the new record
        survivor.record = changes.pop("record")
    for name, value in changes.items():
        setattr(survivor, name, value)
    cid = cluster_id(s.key for s in sources)
    result = MergeResult(cid, survivor.key, [s.key for s in others])
    new_links = []
    stay = _decisions_that_stay(session, cast(int, survivor.id), members, attached)
    for loser in others:
        assert loser.id is not None  # a stored row's primary key
        moved = {
            name: [i for i in ids if name != "screeningdecision" or i not in stay]
            for name, ids in attached.get(loser.id, {}).items()
        }
        moved = {name: ids for name, ids in moved.items() if ids}
        for name, ids in moved.items():
            model = MOVABLE[name]
            for start in range(0, len(ids), CHUNK):
                session.exec(
                    update(model)
                    .where(col(model.id).in_(ids[start : start + CHUNK]))
                    .values(source_id=survivor.id)
                )
            result.moved[name] = result.moved.get(name, 0) + len(ids)
        loser.merged_into_id = survivor.id
        session.add(loser)
        new_links.append(
            {
                "cluster": cid,
                "survivor_id": survivor.id,
                "merged_id": loser.id,
                "score": score,
                "reasons": list(reasons or []),
                "status": "merged",
                "snapshot": {"survivor_before": _jsonable(before), "moved": moved},
                "coder_id": coder_id,
                "created": m.utcnow(),
            }
        )
    session.add(survivor)
    if "screeningdecision" in result.moved:  # the decisions moved: so did the statuses
        store_status(session, members)
    if links is None:
        session.flush()
        session.exec(insert(m.DuplicateLink), params=new_links)
    else:
        links.extend(new_links)
    return result


def _decisions_that_stay(
    session: Session, survivor_id: int, members: list[int], attached: Attached
) -> set[int]:
    """The merged records' screening decisions that do not move: a reviewer has one decision
    per record and stage (and one resolution), so where the same reviewer decided two copies
    the survivor keeps its own (else the latest of the copies') and the others stay with
    their record, where undo finds them. Moving both gave one reviewer an include and an
    exclude on one record, which the outcome and the stored status read differently."""
    if not any("screeningdecision" in attached.get(i, {}) for i in members):
        return set()
    sd = m.ScreeningDecision
    rows = session.execute(
        select(col(sd.id), col(sd.source_id), col(sd.coder_id), col(sd.stage), col(sd.final))
        .where(col(sd.source_id).in_(members))
        .order_by(col(sd.created).desc(), col(sd.id).desc())
    ).all()
    kept: dict[tuple, int] = {}
    stay: set[int] = set()
    for rid, _sid, coder, stage, final in sorted(rows, key=lambda r: r[1] != survivor_id):
        slot = (coder, stage, bool(final))
        if slot in kept:
            stay.add(rid)
        else:
            kept[slot] = rid
    return stay


def _jsonable(fields: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in fields.items()}


def undo_merge(session: Session, cluster: str, coder_id: int | None = None) -> MergeResult:
    """Put every record of a merged cluster back exactly as it was before the merge.

    Each link keeps its merge (status `undone`) and records the undo in its snapshot
    (`UNDONE`: when, and `coder_id`, who), which the history lists as its own dated entry."""
    links = (
        session.execute(
            select(m.DuplicateLink).where(
                col(m.DuplicateLink.cluster) == cluster, col(m.DuplicateLink.status) == "merged"
            )
        )
        .scalars()
        .all()
    )
    if not links:
        undone = (
            session.execute(
                select(col(m.DuplicateLink.snapshot)).where(
                    col(m.DuplicateLink.cluster) == cluster, col(m.DuplicateLink.status) == "undone"
                )
            )
            .scalars()
            .first()
        )
        at = undone.get(UNDONE, {}).get("at") if isinstance(undone, dict) else None
        if undone is not None:
            when = f" on {at[:16].replace('T', ' ')}" if at else ""
            raise NotFound(f"cluster {cluster!r} was undone already{when} (see `review "
                           "dedupe --history`)")  # fmt: skip
        raise NotFound(f"no merged cluster {cluster!r} (see `review dedupe --history`)")
    survivor = session.get(m.Source, links[0].survivor_id)
    assert survivor is not None  # survivor_id is a foreign key
    if survivor.merged_into_id is not None:
        later = (
            session.execute(
                select(col(m.DuplicateLink.cluster)).where(
                    col(m.DuplicateLink.merged_id) == survivor.id,
                    col(m.DuplicateLink.status) == "merged",
                )
            )
            .scalars()
            .first()
        )
        raise ReviewError(f"{survivor.key} was merged again later: undo cluster {later} first")
    result = MergeResult(cluster, survivor.key, [])
    for link in links:
        loser = session.get(m.Source, link.merged_id)
        assert loser is not None  # merged_id is a foreign key
        for name, ids in (link.snapshot.get("moved") or {}).items():
            model = MOVABLE[name]
            session.exec(
                update(model)
                .where(col(model.id).in_(ids), col(model.source_id) == survivor.id)
                .values(source_id=loser.id)
            )
            result.moved[name] = result.moved.get(name, 0) + len(ids)
        loser.merged_into_id = None
        session.add(loser)
        result.merged.append(loser.key)
        link.status = "undone"
        undone = {"at": m.utcnow().isoformat(), "coder_id": coder_id}
        link.snapshot = {**(link.snapshot or {}), UNDONE: undone}  # a new dict: the ORM sees it
        session.add(link)
    before = dict(links[0].snapshot.get("survivor_before") or {})
    record = before.pop("record", None)
    for name, value in before.items():
        setattr(survivor, name, value)
    if record is not None:  # last: setting the columns back named them as edited again
        survivor.record = record
    session.add(survivor)
    session.flush()
    if "screeningdecision" in result.moved:
        store_status(session, [cast(int, survivor.id), *(link.merged_id for link in links)])
    return result
