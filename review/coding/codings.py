"""Coding: applying codes to exact spans of a source's text, removing them, undo, and memos.

Offsets are Python `str` indices (code points) into the immutable `Source.text`; every coding
stores `quote = text[start:end]` so drift can be detected. Every change is recorded as an
`Action` so a coder can undo their own last steps (not someone else's). Overlapping codings,
even of the same code, are allowed: coders disagree and both views are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlmodel import Session, SQLModel, col

from review.coding.codebook import find_code
from review.coding.memos import MemoView, label_memos
from review.errors import NotFound, ReviewError, UsageError
from review.ingest.sources import normal_key, source_by_key
from review.store import models as m
from review.store import settings
from review.store.actions import record_action
from review.store.coders import ensure_coder
from review.store.db import in_chunks
from review.store.models import utcnow

MEMO_TARGETS = ("project", "source", "code", "coding")


T = TypeVar("T")


def excerpt_groups(items: Iterable[T], span: Callable[[T], tuple]) -> list[list[T]]:
    """`items` (codings, or rows about codings) gathered by excerpt, in first-seen order.

    An excerpt is a coded span: one code on one span of one source, whoever coded it, so
    `span(item)` is (source, code, start, end). Two coders applying a code to the same span
    are one excerpt to count, quote and link (each coder is still a coder; agreement is
    reported on its own). The briefing's scan counts the same way, over arrays."""
    groups: dict[tuple, list[T]] = {}
    for item in items:
        groups.setdefault(span(item), []).append(item)
    return list(groups.values())


# --- look-ups ---------------------------------------------------------------------------------


def find_source(session: Session, ref: str | int, *, follow_merged: bool = True) -> m.Source:
    """A source by id, key (cite key; file stem of a transcript) or a unique key ignoring case.

    Merged duplicates resolve to the record they were merged into (unless `follow_merged` is
    False: editing or deleting a record means that very record)."""
    text = normal_key(str(ref).strip())
    source = source_by_key(session, text)  # a key wins over an id
    if source is None and text.isdigit():
        source = session.get(m.Source, int(text))
    if source is None:
        stem = text.rsplit("/", 1)[-1]
        for suffix in (".txt", ".docx", ".vtt", ".srt", ".pdf", ".md"):
            stem = stem.removesuffix(suffix)
        found = session.scalars(
            select(m.Source).where(func.lower(col(m.Source.key)) == stem.casefold()).limit(2)
        ).all()
        if len(found) > 1:
            raise UsageError(f"source {text!r} is ambiguous; use its id")
        source = found[0] if found else None
    if source is None:
        raise NotFound(f"no source {text!r} (give its key or id)")
    seen = set()
    while follow_merged and source.merged_into_id is not None and source.id not in seen:
        seen.add(source.id)
        survivor = session.get(m.Source, source.merged_into_id)
        assert survivor is not None  # merged_into_id is a foreign key
        source = survivor
    return source


def check_span(source: m.Source, start: int, end: int) -> str:
    if source.text is None:
        raise ReviewError(f"source {source.key!r} has no text to code")
    n = len(source.text)
    if not (0 <= start < end <= n):
        raise UsageError(
            f"span {start}:{end} is outside {source.key!r} (text has {n} characters; "
            "end is exclusive and must be greater than start)"
        )
    return source.text[start:end]


def _codable(session: Session, code_id: int) -> m.Code:
    code = session.get(m.Code, code_id)
    if code is None:
        raise NotFound(f"no code with id {code_id}")
    if not code.codable:
        raise UsageError(f"code {code.name!r} groups other codes and is not applied itself")
    return code


def parse_span(text: str) -> tuple[int, int]:
    """ "120:245" -> (120, 245)."""
    try:
        a, b = text.split(":")
        return int(a), int(b)
    except ValueError:
        raise UsageError(f"bad span {text!r}: expected START:END, e.g. 120:245") from None


# --- applying and removing --------------------------------------------------------------------


def apply_code(
    session: Session,
    *,
    source_id: int,
    code_id: int,
    start: int,
    end: int,
    coder: str,
    memo: str | None = None,
    origin: str = "manual",
) -> m.Coding:
    """Code text[start:end] of a source; the quote is stored with the coding."""
    source = session.get(m.Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    quote = check_span(source, start, end)
    _codable(session, code_id)
    who = ensure_coder(session, coder)
    refuse_repeat(session, source_id, code_id, start, end, who)
    coding = m.Coding(
        source_id=source_id,
        code_id=code_id,
        start=start,
        end=end,
        quote=quote,
        coder_id=who.id,
        memo=memo,
        origin=origin,
    )
    session.add(coding)
    session.flush()
    payload = {"coding_ids": [coding.id], "source_ids": [source_id], "code_ids": [code_id]}
    record_action(session, who, "apply", payload)
    session.flush()
    return coding


def refuse_repeat(
    session: Session, source_id: int, code_id: int, start: int, end: int, who: m.Coder
) -> None:
    """Refuse a coding that is already there — same source, code, span and coder (the same
    key pressed twice) — rather than store a second, identical excerpt."""
    same = session.scalar(
        select(col(m.Coding.id)).where(
            col(m.Coding.source_id) == source_id,
            col(m.Coding.code_id) == code_id,
            col(m.Coding.start) == start,
            col(m.Coding.end) == end,
            col(m.Coding.coder_id) == who.id,
        )
    )
    if same is not None:
        from review.coding.codebook import code_path

        path = code_path(session, code_id)
        raise ReviewError(f"{start}:{end} is already coded as {path} by {who.name} (coding {same})")


def apply_to_passages(
    session: Session,
    *,
    passage_ids: Sequence[int],
    code_id: int,
    coder: str,
    memo=None,
    source: m.Source | None = None,
) -> list[int]:
    """Code whole passages (turns, sentences): one coding per passage, one undo step; the new
    codings' ids. With `source`, every passage must belong to it (checked before any write)."""
    out = []
    for pid in passage_ids:
        passage = session.get(m.Passage, pid)
        if passage is None:
            raise NotFound(f"no passage with id {pid}")
        if source is not None and passage.source_id != source.id:
            raise UsageError(f"passage {pid} is not in source {source.key!r}")
        out.append((passage.source_id, passage.start, passage.end))
    who = ensure_coder(session, coder)
    for source_id, start, end in out:
        refuse_repeat(session, source_id, code_id, start, end, who)
    return bulk_apply(
        session,
        [dict(source_id=s, code_id=code_id, start=a, end=b, memo=memo) for s, a, b in out],
        coder=coder,
    )


def get_codings(session: Session, ids: Iterable[int]) -> list[m.Coding]:
    """Codings by id, in the order given (missing ids are left out)."""
    rows = [session.get(m.Coding, cid) for cid in ids]
    return [r for r in rows if r is not None]


def bulk_apply(
    session: Session, rows: Iterable[dict], *, coder: str, origin: str = "manual"
) -> list[int]:
    """Apply many codings in one statement (scripts, imports, benchmarks); one undo step.

    Each row needs source_id, code_id, start, end (memo optional). Spans are checked against
    each source's text; the quote is sliced here, so it always matches the offsets."""
    rows = list(rows)
    if not rows:
        return []
    who = ensure_coder(session, coder)
    texts = dict(
        session.execute(
            select(col(m.Source.id), col(m.Source.text)).where(
                col(m.Source.id).in_({r["source_id"] for r in rows})
            )
        ).all()
    )
    codable = dict(
        session.execute(
            select(col(m.Code.id), col(m.Code.codable)).where(
                col(m.Code.id).in_({r["code_id"] for r in rows})
            )
        ).all()
    )
    now = utcnow()
    values = []
    for i, r in enumerate(rows):
        text = texts.get(r["source_id"])
        start, end = int(r["start"]), int(r["end"])
        if text is None:
            raise NotFound(f"row {i + 1}: no source {r['source_id']} with text")
        if not (0 <= start < end <= len(text)):
            raise UsageError(f"row {i + 1}: span {start}:{end} outside source {r['source_id']}")
        if not codable.get(r["code_id"]):
            raise UsageError(f"row {i + 1}: code {r['code_id']} missing or not codable")
        values.append(
            dict(
                source_id=r["source_id"],
                code_id=r["code_id"],
                start=start,
                end=end,
                quote=text[start:end],
                coder_id=who.id,
                memo=r.get("memo"),
                origin=origin,
                created=now,
            )
        )
    # Core insert: no ORM bookkeeping per row (SQLModel's types leave out __table__)
    table = m.Coding.__table__  # type: ignore[attr-defined]
    # The new ids come back in any order, with what tells each row apart, and are put in the
    # rows' order here: asking SQLAlchemy for the parameters' order (`sort_by_parameter_order`)
    # makes it insert one row a statement on SQLite. Rows alike in all of these are alike in
    # every column, so which of them gets which id does not matter.
    fields = ("source_id", "code_id", "start", "end", "memo")
    back = session.execute(
        insert(table).returning(table.c.id, *(table.c[f] for f in fields)), values
    ).all()
    waiting: dict[tuple, list[int]] = {}
    for row in back:
        waiting.setdefault(tuple(row[1:]), []).append(row[0])
    ids = [waiting[tuple(v[f] for f in fields)].pop() for v in values]
    sources = sorted({r["source_id"] for r in rows})
    codes = sorted({r["code_id"] for r in rows})
    payload = {"coding_ids": ids, "source_ids": sources, "code_ids": codes}
    record_action(session, who, "apply", payload)
    session.flush()
    return ids


def coding_snapshot(coding: m.Coding) -> dict:
    """A coding as a JSON-able row (undo and redo put it back with the same id)."""
    return {
        "id": coding.id,
        "source_id": coding.source_id,
        "code_id": coding.code_id,
        "start": coding.start,
        "end": coding.end,
        "quote": coding.quote,
        "coder_id": coding.coder_id,
        "memo": coding.memo,
        "origin": coding.origin,
        "created": coding.created.isoformat() if coding.created else None,
    }


def delete_codings(session: Session, ids: Sequence[int]) -> None:
    """Delete codings, detaching what points at them (suggestions go back to pending).

    Evidence links to a deleted coding go too: with the coding id cleared they were links to
    nothing ("← None" in `indicators list`). `remove_coding` keeps them for its undo.
    """
    for chunk in in_chunks(ids, 5000):
        session.execute(
            update(m.Suggestion)
            .where(col(m.Suggestion.coding_id).in_(chunk))
            .values(coding_id=None, status="pending")
        )
        session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.coding_id).in_(chunk)))
        session.execute(delete(m.Coding).where(col(m.Coding.id).in_(chunk)))


def link_snapshots(session: Session, coding_id: int) -> list[dict]:
    """The evidence links of a coding as JSON-able rows."""
    links = session.scalars(
        select(m.EvidenceLink).where(col(m.EvidenceLink.coding_id) == coding_id)
    )
    return [
        link.model_dump(mode="json", exclude={"created"})
        | {"created": link.created.isoformat() if link.created else None}
        for link in links
    ]


class Coded(Protocol):
    """What `removable_by` asks of a coding: the name of its coder (None: none recorded).
    The Reader's marks (`review.tui.document.Mark`) are such; a stored coding is through
    `owner`."""

    @property
    def coder(self) -> str | None: ...


@dataclass(frozen=True)
class Owner:
    """A coding's coder by name, for `removable_by` (`owner` makes one of a stored coding)."""

    coder: str | None


def owner(session: Session, coding: m.Coding) -> Owner:
    """Who coded a stored coding, by name."""
    row = session.get(m.Coder, coding.coder_id) if coding.coder_id is not None else None
    return Owner(row.name if row is not None else None)


def removable_by(coding: Coded, coder: str) -> bool:
    """May `coder` remove this coding? Their own, or one that names no coder: another coder's
    coding is their judgement, and only they can undo its removal. The one home of the rule:
    `remove_coding` refuses by it, and the Reader's side panel and `]` say it ("del: yours
    only") by it. (A memo on a coding follows `add_memo`'s rule, not this one.)"""
    return coding.coder is None or coding.coder == coder.strip()


def remove_coding(session: Session, coding_id: int, coder: str) -> None:
    """Remove one of your own codings (or one that names no coder); undo restores it. Another
    coder's coding is refused: it is their judgement, and only they can undo its removal (a
    memo on it follows `add_memo`'s rule). With blind coding on, the refusal does not say
    whose or of what code it is."""
    coding = session.get(m.Coding, coding_id)
    if coding is None:
        raise NotFound(f"no coding with id {coding_id}")
    who = ensure_coder(session, coder)
    by = owner(session, coding)
    if not removable_by(by, who.name):
        mine = blind_coder(session, coder)
        if mine is not None:
            raise UsageError(f"{blind_note(mine)}; coding {coding_id} is another coder's")
        from review.coding.codebook import code_path

        name = by.coder or "another coder"
        raise UsageError(
            f"coding {coding_id} ({code_path(session, coding.code_id)}) is {name}'s: you "
            f"({who.name}) can remove only your own codings"
        )
    snap = coding_snapshot(coding)
    links = link_snapshots(session, coding_id)
    payload = {"codings": [snap], "links": links, "source_ids": [coding.source_id]}
    record_action(session, who, "remove", payload)
    session.expunge(coding)
    delete_codings(session, [coding_id])
    session.flush()


BLIND = "coding.blind"


def is_blind(session: Session) -> bool:
    """Blind coding: each coder sees only their own codings until the team compares
    (`review agreement`) and turns it off. Off by default (one coder, or coders who code
    together). Whose codings a viewer may see is `blind_coder`."""
    return settings.flag(session, BLIND, False)


def set_blind(session: Session, on: bool) -> None:
    settings.set_flag(session, BLIND, on)


def blind_coder(session: Session, viewer: str | None) -> str | None:
    """Whose codings `viewer` may see: None when everyone's (blind coding off, or no viewer:
    the team's own outputs, such as the brief and agreement), else `viewer` itself, the one
    coder whose codings alone may be shown. The one home of the rule: the Reader, the Excerpts
    screen, `review code list`, `review excerpts`, the excerpt and REFI-QDA exports and the
    Indicators screen's excerpt picker all ask it."""
    viewer = (viewer or "").strip() or None
    if viewer is None or not is_blind(session):
        return None
    return viewer


def coded_by(name: str) -> ColumnElement[bool]:
    """A filter on `m.Coding`: the codings of the coder called `name` (none if no such coder)."""
    return col(m.Coding.coder_id).in_(select(col(m.Coder.id)).where(col(m.Coder.name) == name))


def blind_note(coder: str, what: str = "codings") -> str:
    """What an interface says while it shows only `coder`'s own work (blind coding)."""
    return f"blind coding is on: only your {what} ({coder}'s)"


def blind_hidden(n: int | None = None, what: str = "excerpt") -> str:
    """What an interface says in place of another coder's coding it lists but may not show
    (blind coding), such as an excerpt linked to an indicator: of one ("an excerpt by another
    coder, …"), or of `n` ("2 excerpts by other coders, …")."""
    if n is None:
        head = f"an {what}" if what[:1] in "aeiou" else f"a {what}"
        return f"{head} by another coder, hidden while blind coding is on"
    by = "another coder" if n == 1 else "other coders"
    return f"{n} {what}{'' if n == 1 else 's'} by {by}, hidden while blind coding is on"


def codings_for_source(
    session: Session, source_id: int, viewer: str | None = None
) -> list[m.Coding]:
    """A source's codings in text order; with blind coding on, only `viewer`'s."""
    q = (
        select(m.Coding)
        .where(col(m.Coding.source_id) == source_id)
        .order_by(col(m.Coding.start), col(m.Coding.end), col(m.Coding.id))
    )
    mine = blind_coder(session, viewer)
    if mine is not None:
        q = q.where(coded_by(mine))
    return list(session.scalars(q))


def codings_at(session: Session, source_id: int, offset: int) -> list[m.Coding]:
    """Codings covering one character (what the coder shows under the cursor)."""
    return list(
        session.scalars(
            select(m.Coding).where(
                col(m.Coding.source_id) == source_id,
                col(m.Coding.start) <= offset,
                col(m.Coding.end) > offset,
            )
        )
    )


# --- undo -------------------------------------------------------------------------------------


def undo(session: Session, coder: str, source_id: int | None = None) -> str | None:
    """Undo this coder's most recent coding step (in one source, with `source_id`); see
    `review.coding.history` (redo lives there too)."""
    from review.coding.history import undo as undo_step

    return undo_step(session, coder, source_id=source_id)


def parse_time(value):
    from datetime import datetime

    return datetime.fromisoformat(value) if value else utcnow()


# --- memos ------------------------------------------------------------------------------------


def add_memo(
    session: Session, *, target: str, target_id: int | None, text: str, coder: str
) -> MemoView:
    """A memo on the project, a source, a code or a coding. A coding's memo lives on the coding
    itself (one per coding, replaced), the others are notes that accumulate."""
    if target not in MEMO_TARGETS:
        raise UsageError(f"memo target must be one of {', '.join(MEMO_TARGETS)}")
    text = (text or "").strip()
    if not text:
        raise UsageError("a memo needs some text")
    who = ensure_coder(session, coder)
    tables: dict[str, type[SQLModel]] = {"source": m.Source, "code": m.Code, "coding": m.Coding}
    table = tables.get(target)
    if table is not None and (target_id is None or session.get(table, target_id) is None):
        raise NotFound(f"no {target} with id {target_id}")
    if target == "coding":
        coding = session.get(m.Coding, target_id)
        assert coding is not None  # checked above
        mine = blind_coder(session, coder)  # the Reader offers only yours; by id, refused
        if mine is not None and not session.scalar(
            select(func.count()).where(col(m.Coding.id) == target_id, coded_by(mine))
        ):
            raise UsageError(f"{blind_note(mine)}; coding {target_id} is another coder's")
        coding.memo = text
        session.flush()
        view = MemoView(None, "coding", target_id, coder, text, coding.created)
    else:
        memo = m.Memo(coder_id=who.id, text=text, **memo_target(target, target_id))
        session.add(memo)
        session.flush()
        view = MemoView(memo.id, target, target_id, coder, text, memo.created, memo.version)
    label_memos(session, [view])
    return view


def memo_target(target: str, target_id: int | None) -> dict:
    """The foreign-key columns of a memo on `target` (project, source or code)."""
    if target == "source":
        return {"source_id": target_id}
    if target == "code":
        return {"code_id": target_id}
    return {}


__all__ = [
    "apply_code",
    "apply_to_passages",
    "blind_coder",
    "blind_hidden",
    "blind_note",
    "bulk_apply",
    "codings_for_source",
    "find_source",
    "remove_coding",
    "removable_by",
    "undo",
    "add_memo",
    "find_code",
]
