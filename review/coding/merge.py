"""Merge another workspace's coding into this one: two coders, two copies, no server.

Two coders far apart code copies of one workspace blind, then one of them runs `review merge
OTHER`. Sources are matched by the hash of their text (the text is never edited after import,
so equal hashes mean equal offsets); codes by their path. What comes over:

- codes the other copy has and this one does not (created with their definitions, under
  their parents); a code both have but define differently (definition, include, exclude,
  example, keywords, codable) is a *conflict*: this copy's definition is kept and the
  difference reported;
- every coding of a matched source, with its coder, quote, memo, origin and time — except
  exact repeats (same source, code, span and coder), which are not doubled;
- memos on matched sources and codes, and project memos, unless the same text is there;
- what cannot come over is reported: sources missing here (their codings are not merged),
  codings whose quote no longer matches the text.

The merge is one transaction: it lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from review.coding.codebook import CodeSpec, code_paths, specs_from_db, upsert_specs
from review.store import models as m
from review.store.coders import coder_names, ensure_coder
from review.store.db import session_scope

COMPARED = ("definition", "include", "exclude", "example", "keywords", "codable")


@dataclass
class MergeReport:
    """What `review merge` did and what it could not do."""

    sources_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_repeated: int = 0
    memos_added: int = 0
    coders: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    missing_sources: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _differences(ours: CodeSpec, theirs: CodeSpec) -> list[str]:
    out = []
    for name in COMPARED:
        a, b = getattr(ours, name), getattr(theirs, name)
        if name == "keywords":
            a, b = sorted(a or []), sorted(b or [])
        if (a or None) != (b or None):
            out.append(name)
    return out


def _merge_codes(here: Session, there: Session, report: MergeReport) -> dict[int, int]:
    """Their code id -> our code id, adding the codes we lack."""
    ours = {s.path.casefold(): s for s in specs_from_db(here)}
    guids = {s.guid for s in ours.values() if s.guid}
    theirs = specs_from_db(there)
    for spec in sorted(theirs, key=lambda s: s.path.count("/")):  # parents first
        mine = ours.get(spec.path.casefold())
        if mine is None:
            if spec.guid in guids:
                spec.guid = None  # the GUID names another code here: the newcomer gets its own
            upsert_specs(here, [spec])
            report.codes_added.append(spec.path)
        else:
            diff = _differences(mine, spec)
            if diff:
                report.conflicts.append(
                    f"code {spec.path!r} is defined differently there ({', '.join(diff)}): "
                    "this copy's definition kept"
                )
    our_paths = {p.casefold(): cid for cid, p in code_paths(here).items()}
    return {cid: our_paths[p.casefold()] for cid, p in code_paths(there).items()}


def _match_sources(here: Session, there: Session, report: MergeReport) -> dict[int, int]:
    """Their source id -> our source id, by text hash (texts only: codings need a text)."""
    ours: dict[str, int] = {}
    for sid, digest in here.execute(
        select(col(m.Source.id), col(m.Source.text_hash)).where(
            col(m.Source.text_hash).is_not(None), col(m.Source.merged_into_id).is_(None)
        )
    ).all():
        ours.setdefault(digest, sid)
    out = {}
    for sid, key, title, digest in there.execute(
        select(
            col(m.Source.id), col(m.Source.key), col(m.Source.title), col(m.Source.text_hash)
        ).where(col(m.Source.text_hash).is_not(None))
    ).all():
        if digest in ours:
            out[sid] = ours[digest]
        else:
            report.missing_sources.append(f"{key} ({title or 'untitled'})")
    report.sources_matched = len(out)
    return out


def _coders_here(here: Session, there: Session) -> dict[int | None, int | None]:
    """Their coder ids -> ours (each of their coders created here once, on first merge)."""
    ids: dict[int | None, int | None] = {None: None}
    for cid, name in coder_names(there).items():
        ids[cid] = ensure_coder(here, name).id
    return ids


def _merge_codings(
    here: Session,
    there: Session,
    sources: dict[int, int],
    codes: dict[int, int],
    report: MergeReport,
) -> None:
    coder_ids = _coders_here(here, there)
    report.coders = sorted(coder_names(there).values())
    matched = set(sources.values())
    texts = {
        sid: text
        for sid, text in here.execute(
            select(col(m.Source.id), col(m.Source.text)).where(col(m.Source.id).in_(matched))
        ).all()
    }
    cd = m.Coding
    spans = select(col(cd.source_id), col(cd.code_id), col(cd.start), col(cd.end), col(cd.coder_id))
    have = {tuple(r) for r in here.execute(spans.where(col(cd.source_id).in_(matched))).all()}
    rows = []
    for c in there.scalars(
        select(m.Coding).where(col(m.Coding.source_id).in_(set(sources))).order_by(col(m.Coding.id))
    ):
        sid, code, who = sources[c.source_id], codes[c.code_id], coder_ids.get(c.coder_id)
        key = (sid, code, c.start, c.end, who)
        if key in have:
            report.codings_repeated += 1
            continue
        text = texts.get(sid) or ""
        if text[c.start : c.end] != c.quote:
            report.skipped.append(f"coding {c.id}: its quote no longer matches the text")
            continue
        have.add(key)
        rows.append(
            m.Coding(
                source_id=sid,
                code_id=code,
                start=c.start,
                end=c.end,
                quote=c.quote,
                coder_id=who,
                memo=c.memo,
                origin=c.origin,
                created=c.created,
            )  # fmt: skip
        )
    here.add_all(rows)
    report.codings_added = len(rows)


def _merge_memos(
    here: Session,
    there: Session,
    sources: dict[int, int],
    codes: dict[int, int],
    report: MergeReport,
) -> None:
    coder_ids = _coders_here(here, there)
    seen = {
        (r.source_id, r.code_id, r.text)
        for r in here.scalars(select(m.Memo))  # (memos are few: a project's notes)
    }
    for memo in there.scalars(select(m.Memo).order_by(col(m.Memo.id))):
        if memo.source_id is not None and memo.source_id not in sources:
            continue  # about a source this copy does not have (reported with the sources)
        target = (
            sources.get(memo.source_id) if memo.source_id else None,
            codes.get(memo.code_id) if memo.code_id else None,
            memo.text,
        )
        if target in seen:
            continue
        seen.add(target)
        here.add(
            m.Memo(
                source_id=target[0],
                code_id=target[1],
                text=memo.text,
                coder_id=coder_ids.get(memo.coder_id),
                created=memo.created,
                updated=memo.updated,
            )  # fmt: skip
        )
        report.memos_added += 1


def merge_workspace(here: Engine, other: Engine) -> MergeReport:
    """Bring `other`'s codes, codings and memos of the same sources into `here`."""
    report = MergeReport()
    with session_scope(here, write=True) as mine, Session(other) as theirs:
        codes = _merge_codes(mine, theirs, report)
        sources = _match_sources(mine, theirs, report)
        _merge_codings(mine, theirs, sources, codes, report)
        _merge_memos(mine, theirs, sources, codes, report)
    return report


def summary(report: MergeReport) -> Iterable[str]:
    """The report as lines for a person."""
    yield (
        f"merged {report.codings_added} coding(s) and {report.memos_added} memo(s) from "
        f"{report.sources_matched} matching source(s); {report.codings_repeated} already here"
    )
    if report.codes_added:
        yield f"new codes: {', '.join(report.codes_added)}"
    if report.coders:
        yield f"coders there: {', '.join(report.coders)}"
    for line in report.conflicts:
        yield f"conflict: {line}"
    for key in report.missing_sources:
        yield f"not here (its codings not merged): {key}"
    for line in report.skipped:
        yield f"skipped: {line}"
