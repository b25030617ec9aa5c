"""Mending sources: edit a source's title, date, group and metadata; delete sources with
everything that hangs off them; undo an import batch.

The one home for removing a source. A source is referenced from many tables (passages and
their search index, speakers scoped to it, codings with their evidence links, suggestions,
memos, screening decisions, duplicate links, indicators that cite it), and a delete must leave
no row pointing at nothing: `delete_sources` removes or detaches each in dependency order,
in the caller's transaction, the same way on SQLite and PostgreSQL.

What a delete takes with it is counted first (`dependents`): the interfaces show it before
asking, and `undo_batch` refuses while the batch's sources carry later work (codings, memos,
screening decisions, evidence links, merges of other records into them) unless forced.

A source's text is immutable (offsets point into it), so it cannot be edited here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import cast

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from review.errors import NotFound, ReviewError, UsageError
from review.store import models as m
from review.store.db import in_chunks, is_sqlite

# Columns `edit_source` may set from `--set field=value` (anything else goes to `meta`).
EDITABLE = {
    "title": str,
    "year": int,
    "venue": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "doi": str,
    "url": str,
    "abstract": str,
    "language": str,
    "country": str,
    "method": str,
    "kind": str,
    "authors": list,
    "keywords": list,
}
# Never editable: identity, provenance and the immutable text.
FIXED = {
    "id",
    "key",
    "text",
    "text_hash",
    "record",
    "record_format",
    "batch_id",
    "origin_file",
    "origin_line",
    "merged_into_id",
    "created",
    "database",
    "meta",
}
_CHUNK = 500
# Attributes the transcript import itself writes on a speaker (ingest/participants.py): a
# speaker with only these is known from the transcripts alone.
IMPORT_ATTRIBUTES = ("group", "transcript")


# --- editing ----------------------------------------------------------------------------------


def _year_of(value: str) -> int | None:
    import re

    found = re.search(r"\b(1[5-9]|20)\d{2}\b", value)
    return int(found.group(0)) if found else None


def edit_source(
    session: Session,
    source_id: int,
    *,
    title: str | None = None,
    date: str | None = None,
    group: str | None = None,
    fields: dict[str, str] | None = None,
) -> dict:
    """Change a source's title, date (`meta.date`, and the year it names), group (`meta.group`)
    and any other field: a `Source` column in `EDITABLE` (authors and keywords separated by
    ";") or, for any other name, a metadata entry (`meta[name]`). An empty value clears the
    field. Returns {field: [old, new]} of what changed."""
    source = session.get(m.Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    wanted: dict[str, str] = {}
    if title is not None:
        wanted["title"] = title
    if date is not None:
        wanted["date"] = date
    if group is not None:
        wanted["group"] = group
    for name, value in (fields or {}).items():
        name = name.strip()
        if not name:
            raise UsageError("a field name is needed: --set NAME=VALUE")
        wanted[name] = value
    if not wanted:
        raise UsageError("nothing to change: give --title, --date, --group or --set NAME=VALUE")
    changed: dict[str, list] = {}
    meta = dict(source.meta or {})
    for name, raw in wanted.items():
        value = raw.strip()
        if name in FIXED:
            why = "the text is immutable" if name in ("text", "text_hash") else "it is fixed"
            raise UsageError(f"{name!r} cannot be edited ({why})")
        if name in EDITABLE:
            kind = EDITABLE[name]
            new: object
            if kind is list:
                new = [p.strip() for p in value.split(";") if p.strip()]
            elif kind is int:
                if value and not value.lstrip("-").isdigit():
                    raise UsageError(f"{name} must be a whole number, not {value!r}")
                new = int(value) if value else None
            else:
                new = value or None
            if name == "title" and not new:
                raise UsageError("a source needs a title")
            old = getattr(source, name)
            if old != new:
                setattr(source, name, new)
                changed[name] = [old, new]
                if name == "title" and meta.get("group") == old and "group" not in wanted:
                    meta["group"] = new  # a group the import took from the title follows it
                    changed["group"] = [old, new]
            continue
        old = meta.get(name)
        if value:
            meta[name] = value
        else:
            meta.pop(name, None)
        if old != meta.get(name):
            changed[name] = [old, meta.get(name)]
        if name == "date" and "year" not in wanted:
            year = _year_of(value) if value else None
            if year is not None and year != source.year:
                changed["year"] = [source.year, year]
                source.year = year
    if meta != (source.meta or {}):
        source.meta = meta
    session.add(source)
    session.flush()
    return changed


# --- what goes with a source ------------------------------------------------------------------


@dataclass
class Dependents:
    """What deleting some sources removes (or detaches) besides the sources themselves."""

    sources: int = 0
    passages: int = 0
    participants: int = 0  # speakers known only from these sources
    codings: int = 0
    coding_memos: int = 0
    memos: int = 0
    suggestions: int = 0
    evidence_links: int = 0
    screening_decisions: int = 0
    duplicate_links: int = 0
    unmerged: int = 0  # other records merged into these, which stand alone afterwards
    indicators_detached: int = 0  # indicators citing these, which keep the key as pending

    def work(self) -> dict[str, int]:
        """The later work on the sources (what a person did, not what the import made)."""
        names = ("codings", "memos", "coding_memos", "evidence_links", "screening_decisions")
        out = {name: getattr(self, name) for name in names}
        out["records merged into them"] = self.unmerged
        return {k: v for k, v in out.items() if v}

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def describe(self) -> str:
        parts = [
            plural(n, name)
            for name, n in self.to_dict().items()
            if n and name not in ("sources", "unmerged", "indicators_detached")
        ]
        if self.unmerged:
            parts.append(f"{self.unmerged} duplicate record(s) merged into them stand alone")
        if self.indicators_detached:
            parts.append(f"{self.indicators_detached} indicator(s) lose their source link")
        return ", ".join(parts) or "nothing else"


def plural(n: int, name: str) -> str:
    """'1 coding memo', '2 coding memos' from a field name such as `coding_memos`."""
    words = name.replace("_", " ")
    return f"{n} {words[:-1] if n == 1 and words.endswith('s') else words}"


def _count(session: Session, table, *where) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _speakers_only_here(session: Session, ids: list[int]) -> list[int]:
    """Participants that would be left with nothing: scoped to these sources, or unscoped
    speakers whose every passage is in them and who have no attributes (a speaker a
    participants table described stays: that is the team's data)."""
    scoped = cast(  # primary keys
        "set[int]",
        set(
            session.scalars(
                select(col(m.Participant.id)).where(col(m.Participant.scope_id).in_(ids))
            )
        ),
    )
    speaking = cast(  # the query's filter: no None
        "set[int]",
        set(
            session.scalars(
                select(col(m.Passage.participant_id))
                .where(
                    col(m.Passage.source_id).in_(ids), col(m.Passage.participant_id).is_not(None)
                )
                .distinct()
            )
        ),
    )
    loose = speaking - scoped
    if loose:
        elsewhere = set(
            session.scalars(
                select(col(m.Passage.participant_id))
                .where(
                    col(m.Passage.participant_id).in_(loose), col(m.Passage.source_id).not_in(ids)
                )
                .distinct()
            )
        )
        described = set(
            session.scalars(
                select(col(m.ParticipantAttribute.participant_id))
                .where(
                    col(m.ParticipantAttribute.participant_id).in_(loose),
                    col(m.ParticipantAttribute.name).not_in(IMPORT_ATTRIBUTES),
                )
                .distinct()
            )
        )
        loose -= elsewhere | described
    return sorted(scoped | loose)


def dependents(session: Session, source_ids: Iterable[int]) -> Dependents:
    """Count what `delete_sources(source_ids)` would remove or detach."""
    ids = sorted(set(source_ids))
    if not ids:
        return Dependents()
    coding_ids = select(col(m.Coding.id)).where(col(m.Coding.source_id).in_(ids))
    return Dependents(
        sources=_count(session, m.Source, col(m.Source.id).in_(ids)),
        passages=_count(session, m.Passage, col(m.Passage.source_id).in_(ids)),
        participants=len(_speakers_only_here(session, ids)),
        codings=_count(session, m.Coding, col(m.Coding.source_id).in_(ids)),
        coding_memos=_count(
            session, m.Coding, col(m.Coding.source_id).in_(ids), col(m.Coding.memo).is_not(None)
        ),
        memos=_count(session, m.Memo, col(m.Memo.source_id).in_(ids)),
        suggestions=_count(session, m.Suggestion, col(m.Suggestion.source_id).in_(ids)),
        evidence_links=_count(
            session, m.EvidenceLink, col(m.EvidenceLink.coding_id).in_(coding_ids)
        ),
        screening_decisions=_count(
            session, m.ScreeningDecision, col(m.ScreeningDecision.source_id).in_(ids)
        ),
        duplicate_links=_count(
            session,
            m.DuplicateLink,
            col(m.DuplicateLink.survivor_id).in_(ids) | col(m.DuplicateLink.merged_id).in_(ids),
        ),
        unmerged=_count(
            session, m.Source, col(m.Source.merged_into_id).in_(ids), col(m.Source.id).not_in(ids)
        ),
        indicators_detached=_count(session, m.Indicator, col(m.Indicator.source_id).in_(ids)),
    )


# --- deleting ---------------------------------------------------------------------------------


def delete_sources(session: Session, source_ids: Iterable[int]) -> Dependents:
    """Delete sources with their passages (and search index rows), the speakers known only
    from them, their codings (with those codings' memos and evidence links), suggestions,
    memos, screening decisions and duplicate links. Records merged into them stand alone
    again; indicators citing them keep the key in `pending_source` (`indicators relink`).
    The undo/redo records of steps in them are deleted (`_retire_actions`). Returns the counts."""
    ids = sorted(set(source_ids))
    counts = dependents(session, ids)
    if not ids:
        return counts
    found = set(session.scalars(select(col(m.Source.id)).where(col(m.Source.id).in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise NotFound(f"no source with id {missing[0]}")
    speakers = _speakers_only_here(session, ids)
    keys = dict(
        session.execute(
            select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(ids))
        ).all()
    )
    _retire_actions(session, set(ids))  # first: it reads the codings and suggestions
    for chunk in in_chunks(ids, _CHUNK):
        coding_ids = cast(  # primary keys
            "list[int]",
            list(
                session.scalars(select(col(m.Coding.id)).where(col(m.Coding.source_id).in_(chunk)))
            ),
        )
        session.execute(delete(m.Suggestion).where(col(m.Suggestion.source_id).in_(chunk)))
        for cchunk in in_chunks(coding_ids, _CHUNK):
            session.execute(
                update(m.Suggestion)  # a suggestion elsewhere accepted as one of these codings
                .where(col(m.Suggestion.coding_id).in_(cchunk))
                .values(coding_id=None, status="pending")
            )
            session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.coding_id).in_(cchunk)))
        session.execute(delete(m.Coding).where(col(m.Coding.source_id).in_(chunk)))
        session.execute(delete(m.Memo).where(col(m.Memo.source_id).in_(chunk)))
        session.execute(
            delete(m.ScreeningDecision).where(col(m.ScreeningDecision.source_id).in_(chunk))
        )
        session.execute(
            delete(m.DuplicateLink).where(
                col(m.DuplicateLink.survivor_id).in_(chunk)
                | col(m.DuplicateLink.merged_id).in_(chunk)
            )
        )
        session.execute(
            update(m.Source)
            .where(col(m.Source.merged_into_id).in_(chunk))
            .values(merged_into_id=None)
        )
        for sid in chunk:
            session.execute(
                update(m.Indicator)
                .where(col(m.Indicator.source_id) == sid)
                .values(source_id=None, pending_source=keys[sid])
            )
        _delete_passages(session, chunk)
    for chunk in in_chunks(speakers, _CHUNK):
        session.execute(
            update(m.Passage)
            .where(col(m.Passage.participant_id).in_(chunk))
            .values(participant_id=None)
        )
        session.execute(
            delete(m.ParticipantAttribute).where(
                col(m.ParticipantAttribute.participant_id).in_(chunk)
            )
        )
        session.execute(
            delete(m.ParticipantAlias).where(col(m.ParticipantAlias.participant_id).in_(chunk))
        )
    for chunk in in_chunks(ids, _CHUNK):  # aliases of other people scoped to these sources
        session.execute(
            delete(m.ParticipantAlias).where(col(m.ParticipantAlias.scope_id).in_(chunk))
        )
    for chunk in in_chunks(speakers, _CHUNK):
        session.execute(delete(m.Participant).where(col(m.Participant.id).in_(chunk)))
    _forget_transcripts(session, set(keys.values()))
    for chunk in in_chunks(ids, _CHUNK):
        session.execute(delete(m.Source).where(col(m.Source.id).in_(chunk)))
    session.flush()
    session.expire_all()
    return counts


def _forget_transcripts(session: Session, keys: set[str]) -> None:
    """Drop deleted sources' keys from the speakers' `transcript` attribute ("fg1; fg2")."""
    rows = session.scalars(
        select(m.ParticipantAttribute).where(col(m.ParticipantAttribute.name) == "transcript")
    ).all()
    for row in rows:
        seen = [k for k in (row.value or "").split("; ") if k]
        kept = [k for k in seen if k not in keys]
        if kept != seen:
            row.value = "; ".join(kept) or None
            session.add(row)
    session.flush()


def _delete_passages(session: Session, source_ids: list[int]) -> None:
    if is_sqlite(cast(Engine, session.get_bind())):  # sessions are bound to an engine
        placeholders = ",".join(str(int(i)) for i in source_ids)
        session.execute(
            text(
                "DELETE FROM passage_fts WHERE rowid IN "
                f"(SELECT id FROM passage WHERE source_id IN ({placeholders}))"
            )
        )
    session.execute(delete(m.Passage).where(col(m.Passage.source_id).in_(source_ids)))


def _retire_actions(session: Session, source_ids: set[int]) -> None:
    """Delete the undo/redo records of steps in these sources (call before their codings and
    suggestions go): undoing or redoing one would re-create a coding of a source that is no
    longer there. A step is in a source when its payload names it (`source_ids`), holds a
    snapshot of one of its codings (a removal, or an undone step's `redo`), or lists one of its
    codings or suggestions by id. A step that also touched other sources goes too: it could
    not be undone whole."""
    ids = sorted(source_ids)
    codings: set[int] = set()
    suggestions: set[int] = set()
    for chunk in in_chunks(ids, _CHUNK):
        codings.update(
            session.scalars(select(col(m.Coding.id)).where(col(m.Coding.source_id).in_(chunk)))
        )
        suggestions.update(
            session.scalars(
                select(col(m.Suggestion.id)).where(col(m.Suggestion.source_id).in_(chunk))
            )
        )
    stale = []
    for aid, payload in session.execute(select(col(m.Action.id), col(m.Action.payload))).all():
        payload = payload or {}
        snaps = [*payload.get("codings", []), *(payload.get("redo") or {}).get("codings", [])]
        if (
            source_ids.intersection(payload.get("source_ids", []))
            or any(isinstance(c, dict) and c.get("source_id") in source_ids for c in snaps)
            or codings.intersection(payload.get("coding_ids", []))
            or suggestions.intersection(payload.get("suggestion_ids", []))
        ):
            stale.append(aid)
    for chunk in in_chunks(stale, _CHUNK):
        session.execute(delete(m.Action).where(col(m.Action.id).in_(chunk)))


# --- undoing an import ------------------------------------------------------------------------


@dataclass
class BatchUndo:
    """What undoing an import batch removed (or, refused, would remove)."""

    batch_id: int
    path: str
    format: str
    sources: list[str]
    indicators: int
    removed: Dependents
    fulltexts: list[str]  # literature records whose attached PDF text was removed
    note: str | None = None  # what such an import added that stays

    def to_dict(self) -> dict:
        return {
            "note": self.note,
            "batch_id": self.batch_id,
            "path": self.path,
            "format": self.format,
            "sources": self.sources,
            "indicators": self.indicators,
            "fulltexts": self.fulltexts,
            "removed": self.removed.to_dict(),
        }


class DependsOn(ReviewError):
    """Later work stands on what an import added; `--force` removes it too."""


# What an undo leaves of an import that also changed shared things.
KEPT = {
    "qdpx": "the project's codes and project memos stay in the codebook "
    "(`review codebook delete CODE` removes a code)",
}
# Formats whose import only adds rows this module finds by batch: sources (with their
# passages and speakers), a PDF's text attached to a record, indicators. Any other format is
# refused rather than "undone" with its rows left behind: a participants table changes
# existing speakers, a coding file adds codings, memos and links to sources already there.
UNDOABLE = frozenset(
    {
        "bibtex",
        "csv-literature",
        "docx",
        "endnote",
        "ovid",
        "pdf",
        "pubmed",
        "ris",
        "srt",
        "transcript-text",
        "webvtt",
        "wos",
        "qdpx",
        "indicators",
    }
)
NOT_UNDOABLE = {
    "participants": "a participants table changes existing speakers",
    "review-coding": "its codings, memos and links were added to sources already there "
    "(remove codings with `review code remove`)",
}


def batches(session: Session, limit: int = 50) -> list[m.ImportBatch]:
    """The most recent import batches, newest first."""
    return list(
        session.scalars(select(m.ImportBatch).order_by(col(m.ImportBatch.id).desc()).limit(limit))
    )


def _fulltext_sources(session: Session, batch_id: int) -> list[m.Source]:
    """Literature records whose text came from a PDF of this batch (`meta.fulltext.batch`)."""
    rows = session.scalars(select(m.Source).where(col(m.Source.text).is_not(None)))
    return [
        s
        for s in rows
        if isinstance((s.meta or {}).get("fulltext"), dict)
        and s.meta["fulltext"].get("batch") == batch_id
        and s.batch_id != batch_id
    ]


def undo_batch(session: Session, batch_id: int, *, force: bool = False) -> BatchUndo:
    """Remove exactly what import batch `batch_id` added: its sources (with everything
    `delete_sources` removes), its indicators, and PDF text it attached to existing records
    (with their passages). Refused (`DependsOn`, naming the work) while codings, memos,
    screening decisions, evidence links or merges stand on them, unless `force`. The batch
    row stays as the audit trail, with status `undone`, so the file can be imported again."""
    batch = session.get(m.ImportBatch, batch_id)
    if batch is None:
        raise NotFound(f"no import batch {batch_id} (see `review import --batches`)")
    if batch.status == "undone":
        raise ReviewError(f"import batch {batch_id} ({batch.path}) was already undone")
    if batch.format not in UNDOABLE:
        why = NOT_UNDOABLE.get(batch.format, "what it added is not recorded by batch")
        raise ReviewError(f"import batch {batch_id} ({batch.format}) cannot be undone: {why}")
    ids = cast(  # primary keys
        "list[int]",
        list(session.scalars(select(col(m.Source.id)).where(col(m.Source.batch_id) == batch_id))),
    )
    keys = list(
        session.scalars(select(col(m.Source.key)).where(col(m.Source.batch_id) == batch_id))
    )
    attached = _fulltext_sources(session, batch_id)
    counts = dependents(session, ids)
    extra = Dependents()
    for src in attached:  # codings on an attached text hang on that text
        extra.codings += _count(session, m.Coding, col(m.Coding.source_id) == src.id)
        extra.passages += _count(session, m.Passage, col(m.Passage.source_id) == src.id)
    work = counts.work()
    own = _count(
        session, m.Coding, col(m.Coding.source_id).in_(ids), col(m.Coding.origin) == "import"
    )
    if own and work.get("codings"):  # a REFI-QDA project's own codings came with the batch
        work["codings"] -= own
        work["coding_memos"] = _count(
            session,
            m.Coding,
            col(m.Coding.source_id).in_(ids),
            col(m.Coding.origin) != "import",
            col(m.Coding.memo).is_not(None),
        )
        work = {k: v for k, v in work.items() if v}
    if extra.codings:
        work["codings"] = work.get("codings", 0) + extra.codings
    batch_indicators = select(col(m.Indicator.id)).where(col(m.Indicator.batch_id) == batch_id)
    n_linked = _count(
        session, m.EvidenceLink, col(m.EvidenceLink.indicator_id).in_(batch_indicators)
    )
    if n_linked:
        work["indicator_links"] = n_linked  # evidence linked to its indicators
    if work and not force:
        what = ", ".join(plural(n, name) for name, n in work.items())
        raise DependsOn(
            f"import batch {batch_id} ({batch.path}): later work stands on what it added: "
            f"{what}; undo with --force to remove it too"
        )
    n_indicators = _count(session, m.Indicator, col(m.Indicator.batch_id) == batch_id)
    indicator_ids = cast(  # primary keys
        "list[int]",
        list(
            session.scalars(
                select(col(m.Indicator.id)).where(col(m.Indicator.batch_id) == batch_id)
            )
        ),
    )
    for chunk in in_chunks(indicator_ids, _CHUNK):
        session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.indicator_id).in_(chunk)))
        session.execute(delete(m.Indicator).where(col(m.Indicator.id).in_(chunk)))
    removed = delete_sources(session, ids)
    for src in attached:
        _detach_fulltext(session, src)
    removed.passages += extra.passages
    removed.codings += extra.codings
    removed.evidence_links += n_linked
    batch.status = "undone"
    session.add(batch)
    session.flush()
    return BatchUndo(
        batch_id,
        batch.path,
        batch.format,
        keys,
        n_indicators,
        removed,
        [s.key for s in attached],
        KEPT.get(batch.format),
    )


def _detach_fulltext(session: Session, source: m.Source) -> None:
    """Take a PDF's text off the literature record it was attached to (codings on it go)."""
    sid = source.id
    assert sid is not None  # a stored row's primary key
    _retire_actions(session, {sid})
    coding_ids = cast(  # primary keys
        "list[int]",
        list(session.scalars(select(col(m.Coding.id)).where(col(m.Coding.source_id) == sid))),
    )
    session.execute(delete(m.Suggestion).where(col(m.Suggestion.source_id) == sid))
    for chunk in in_chunks(coding_ids, _CHUNK):
        session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.coding_id).in_(chunk)))
    session.execute(delete(m.Coding).where(col(m.Coding.source_id) == sid))
    _delete_passages(session, [sid])
    found = session.get(m.Source, sid)
    assert found is not None  # still there: only its codings and passages went
    source = found
    meta = dict(source.meta or {})
    meta.pop("fulltext", None)
    source.meta = meta
    source.text = None
    source.text_hash = None
    session.add(source)
