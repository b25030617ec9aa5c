"""REFI-QDA projects (.qdpx) in `review import`: codes, text sources, codings, cases.

Sources missing from the archive, non-text selections (picture, PDF region, audio, video)
and codings that point at unknown codes are reported and skipped; `::` in a code name is
hierarchy. The archive is read through `review.ingest.refi.archive` (no traversal, size caps) and
the XML through defusedxml.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import col, select

from review.coding.codings import memo_target
from review.ingest.participants import split_scoped
from review.ingest.pipeline import Format, ImportContext, ImportFailed
from review.ingest.refi.archive import SafeArchive, UnsafeArchive
from review.ingest.refi.qde import RefiProject, RefiSource, parse_qde
from review.ingest.sources import normal_key, source_by_key
from review.ingest.textio import decode, normalise
from review.store import models as m
from review.store.coders import ensure_coder
from review.store.models import utcnow


def detect(path: Path, data: bytes) -> int:
    if data[:2] != b"PK":  # a .qdpx that is not a zip is claimed, so the user hears why
        return 30 if path.suffix.lower() == ".qdpx" and data.strip() else 0
    if path.suffix.lower() == ".qdpx":
        return 100
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return 0
    return 90 if any(n.lower().endswith(".qde") for n in names) else 0


def _qde_name(arch: SafeArchive) -> str:
    if arch.find("project.qde") is not None:
        return "project.qde"
    found = sorted(n for n in arch.names if n.endswith(".qde") and "/" not in n)
    if not found:
        raise ImportFailed("no project.qde in the archive")
    return found[0]


def member_for(text_path: str | None) -> str | None:
    """'internal://X.txt' -> 'sources/X.txt'; other schemes point outside the archive."""
    if not text_path or not text_path.startswith("internal://"):
        return None
    return "sources/" + text_path[len("internal://") :]


def offset_map(raw: str, text: str):
    """raw offset -> offset in the normalised text (identity when normalising changed nothing)."""
    if raw == text:
        return lambda i: i
    crlf = [k for k in range(len(raw) - 1) if raw[k] == "\r" and raw[k + 1] == "\n"]
    if len(raw) - len(crlf) == len(text):  # only CRLF -> LF (and lone CR -> LF) changed
        return lambda i: i - bisect.bisect_left(crlf, i)
    return lambda i: len(normalise(raw[: max(0, i)]))  # NFC changed lengths: exact but slow


def _parse_time(value: str | None) -> datetime:
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return utcnow()


def _slug(name: str) -> str:
    stem = re.sub(r"\.(txt|docx?|pdf|rtf|odt)$", "", normal_key(name.strip()), flags=re.I)
    return re.sub(r"[^\w.-]+", "-", stem).strip("-").lower() or "source"


def load(ctx: ImportContext) -> None:
    try:
        arch = SafeArchive.open(ctx.data)
        proj = parse_qde(arch.read(_qde_name(arch)))
    except (UnsafeArchive, ValueError) as exc:
        raise ImportFailed(str(exc)) from exc
    for name in arch.unsafe:
        ctx.problem(None, f"archive member {name!r} points outside the archive: ignored")
    s = ctx.session
    code_ids = _codes(ctx, proj)
    users = {g: ensure_coder(s, n).id for g, n in proj.users.items() if n and n.strip()}
    default_coder = ctx.options.get("coder")
    default_id = ensure_coder(s, default_coder).id if default_coder else None
    keys = set(s.exec(select(col(m.Source.key))).all())
    n_sources = n_codings = 0
    source_ids: dict[str, int] = {}
    codings: list[dict] = []
    for src in proj.sources:
        raw = _text_of(ctx, arch, src)
        if raw is None:
            continue
        text = normalise(raw)
        sid = _store_source(ctx, src, text, keys)
        source_ids[src.guid] = sid
        n_sources += 1
        at = offset_map(raw, text)
        for sel in src.selections:
            if not (0 <= sel.start < sel.end <= len(raw)):
                ctx.problem(None, f"{src.name}: selection {sel.start}-{sel.end} is outside the "
                            f"text ({len(raw)} characters): skipped", record=sel.guid)  # fmt: skip
                continue
            start, end = at(sel.start), at(sel.end)
            for c in sel.codings:
                if c.code_guid not in code_ids:
                    ctx.problem(None, f"{src.name}: coding refers to unknown code "
                                f"{c.code_guid}: skipped", record=sel.guid)  # fmt: skip
                    continue
                codings.append(
                    dict(source_id=sid, code_id=code_ids[c.code_guid], start=start, end=end,
                         quote=text[start:end],
                         coder_id=users.get(c.user_guid or "")
                         or default_id,
                         memo=sel.description, origin="import",
                         created=_parse_time(c.created))
                )  # fmt: skip
    codings = _new_codings(ctx, codings)
    if codings:
        s.execute(insert(m.Coding), codings)
        n_codings = len(codings)
    n_cases = _cases(ctx, proj, source_ids)
    _link_speakers(ctx, list(source_ids.values()))
    n_memos = _memos(ctx, proj, code_ids, source_ids, users)
    for what, count in sorted(proj.skipped.items()):
        ctx.warn(None, f"not imported: {count} × {what}")
    ctx.report.records = (
        len(proj.codes) + len(proj.sources) + sum(len(x.selections) for x in proj.sources)
    )
    ctx.report.imported = len(code_ids) + n_sources + n_codings
    ctx.report.skipped = len(ctx.report.errors)
    ctx.report.message = (
        f"{len(code_ids)} codes, {n_sources} of {len(proj.sources)} text sources, "
        f"{n_codings} codings, {n_cases} cases, {n_memos} memos"
    )
    ctx.progress(ctx.report.imported, ctx.report.imported)


def _text_of(ctx: ImportContext, arch: SafeArchive, src: RefiSource) -> str | None:
    if src.text is not None and not src.text_path:
        return src.text
    member = member_for(src.text_path)
    n = len(src.selections)
    if member is None or arch.find(member) is None:
        ctx.problem(None, f"source {src.name!r} ({src.text_path}) is missing from the archive: "
                    f"skipped with its {n} selection(s)", record=src.guid)  # fmt: skip
        return None
    try:
        return decode(arch.read(member)).text.lstrip("\ufeff")
    except UnsafeArchive as exc:
        ctx.problem(None, f"source {src.name!r}: {exc}", record=src.guid)
        return None


def _store_source(ctx: ImportContext, src: RefiSource, text: str, keys: set[str]) -> int:
    """Reuse a live source with the same text (a project re-imported); else add one."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    live = col(m.Source.merged_into_id).is_(None)
    same = ctx.session.exec(
        select(col(m.Source.id)).where(col(m.Source.text_hash) == digest, live)
    ).first()
    key = normal_key(src.variables.get("review:key") or "")
    if same is None and key:  # our own export: the same key with the same text
        row = source_by_key(ctx.session, key, live)
        same = row.id if row is not None and row.text == text else None
    if same is not None:
        ctx.warn(None, f"source {src.name!r} has the same text as source {same}: codings added "
                 "to it")  # fmt: skip
        return same
    base = key or _slug(src.name)
    key, i = base, 2
    while key in keys:
        key, i = f"{base}-{i}", i + 1
    keys.add(key)
    extra = {k: v for k, v in src.variables.items() if not k.startswith("review:")}
    meta: dict[str, Any] = {"refi_guid": src.guid, "qdpx": ctx.path.name}
    if src.variables.get("review:group"):
        meta["group"] = src.variables["review:group"]
    if extra:
        meta["variables"] = extra
    row = m.Source(
        key=key, kind=src.variables.get("review:kind") or "document", title=src.name, text=text,
        text_hash=digest, meta=meta, batch_id=ctx.batch.id, origin_file=ctx.file,
        abstract=src.description, record_format="qdpx",
    )  # fmt: skip
    ctx.session.add(row)
    ctx.session.flush()
    _passages(ctx, row)
    assert row.id is not None  # flushed above
    return row.id


def _passages(ctx: ImportContext, row: m.Source) -> None:
    """Turns (when the text has speaker labels) and sentences, as for any imported text, so
    the source can be searched; speakers are tied to the project's cases afterwards."""
    from review.ingest.passages import segment, segment_document, store_passages
    from review.ingest.transcripts.text import parse_text

    text = row.text or ""
    parsed = parse_text(text)
    if parsed.turns and parsed.text == text:
        store_passages(ctx.session, row, segment(parsed))
    else:
        store_passages(ctx.session, row, segment_document(text))


def _link_speakers(ctx: ImportContext, source_ids: list[int]) -> None:
    """Passages whose speaker is a participant's name (or alias) get that participant."""
    s = ctx.session
    names: dict[tuple[str, int | None], int] = {
        (name, scope): cast(int, pid)  # primary keys
        for pid, name, scope in s.exec(
            select(col(m.Participant.id), col(m.Participant.name), col(m.Participant.scope_id))
        ).all()
    }
    for alias, scope, pid in s.exec(
        select(col(m.ParticipantAlias.alias), col(m.ParticipantAlias.scope_id),
               col(m.ParticipantAlias.participant_id))
    ).all():  # fmt: skip
        names[(alias, scope)] = pid
    rows = s.exec(
        select(m.Passage).where(
            col(m.Passage.source_id).in_(sorted(set(source_ids))),
            col(m.Passage.speaker).is_not(None),
            col(m.Passage.participant_id).is_(None),
        )
    ).all()
    for p in rows:  # a label scoped to this source first, then one that holds everywhere
        assert p.speaker is not None  # the query's filter
        who = names.get((p.speaker, p.source_id)) or names.get((p.speaker, None))
        if who is not None:
            p.participant_id = who
            s.add(p)


def undescribe(text: str | None) -> dict:
    """A code Description back into definition, include, exclude, example, keywords and
    shortcut (the labelled-lines convention of `review.coding.codebook_files`)."""
    if not text:
        return {}
    try:
        from review.coding.codebook import CodeSpec
        from review.coding.codebook_files import undescribe
    except ImportError:  # pragma: no cover - the codebook feature is part of the package
        return {"definition": text}
    spec = CodeSpec(path="x")
    undescribe(text, spec)
    return {
        "definition": spec.definition, "include": spec.include, "exclude": spec.exclude,
        "example": spec.example, "keywords": list(spec.keywords), "shortcut": spec.shortcut,
    }  # fmt: skip


def _codes(ctx: ImportContext, proj: RefiProject) -> dict[str, int]:
    """Code GUID -> code id; a code is matched by GUID, then by path, else created."""
    s = ctx.session
    by_guid = {
        g: cast(int, cid)  # primary keys
        for cid, g in s.exec(select(col(m.Code.id), col(m.Code.guid))).all()
        if g
    }
    # sibling names are unique ignoring case (ux_code_sibling_name), so match them so too
    children: dict[tuple[int | None, str], m.Code] = {
        (c.parent_id, c.name.casefold()): c for c in s.exec(select(m.Code)).all()
    }
    keys = {c.shortcut for c in children.values() if c.shortcut}
    made: set[int] = set()
    out: dict[str, int] = {}
    for rc in proj.codes:
        if rc.guid in by_guid:
            out[rc.guid] = by_guid[rc.guid]
            continue
        parent: int | None = None
        node: m.Code | None = None
        for depth, name in enumerate(rc.path):
            node = children.get((parent, name.casefold()))
            if node is None:
                leaf = depth == len(rc.path) - 1
                node = m.Code(parent_id=parent, name=name, codable=not leaf or rc.codable)
                s.add(node)
                s.flush()
                children[(parent, name.casefold())] = node
                assert node.id is not None  # flushed just above
                made.add(node.id)
            parent = node.id
        # a code path has at least one name; every node is stored (read, or flushed above)
        assert node is not None and node.id is not None
        if node.id in made or not node.guid:  # fill what we created (or never had a GUID)
            node.guid = node.guid or rc.guid
            node.colour = node.colour or rc.color
            for name, value in undescribe(rc.description).items():
                if name == "shortcut" and value in keys:
                    continue  # one key, one code: the code that has it keeps it
                if value and not getattr(node, name):
                    setattr(node, name, value)
                    if name == "shortcut":
                        keys.add(value)
            node.codable = rc.codable if node.id in made else node.codable
            s.add(node)
        out[rc.guid] = node.id
    s.flush()
    return out


def _new_codings(ctx: ImportContext, rows: list[dict]) -> list[dict]:
    """Drop codings the workspace already has (same source, code, span and coder): two coders
    who coded the same span both keep their coding, which agreement needs."""
    sids = sorted({r["source_id"] for r in rows})
    have = set()
    if sids:
        have = set(
            ctx.session.exec(
                select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
                    col(m.Coding.source_id),
                    col(m.Coding.code_id),
                    col(m.Coding.start),
                    col(m.Coding.end),
                    col(m.Coding.coder_id),
                ).where(col(m.Coding.source_id).in_(sids))
            ).all()
        )
    out, seen = [], set()
    for r in rows:
        k = (r["source_id"], r["code_id"], r["start"], r["end"], r.get("coder_id"))
        if k not in have and k not in seen:
            seen.add(k)
            out.append(r)
    return out


def _memos(ctx: ImportContext, proj: RefiProject, code_ids, source_ids, users) -> int:
    """Notes become memos on the project, a code or a source (the same memo is not repeated)."""
    s = ctx.session
    where: dict[str, tuple[str, int | None]] = {}
    for g in proj.project_notes:
        where[g] = ("project", None)
    for rc in proj.codes:
        for g in rc.notes:
            if rc.guid in code_ids:
                where[g] = ("code", code_ids[rc.guid])
    for src in proj.sources:
        for g in src.notes:
            if src.guid in source_ids:
                where[g] = ("source", source_ids[src.guid])
    n = 0
    for note in proj.notes:
        if not note.text.strip():
            continue
        target, target_id = where.get(note.guid, ("project", None))
        about = memo_target(target, target_id)
        same = s.exec(
            select(col(m.Memo.id)).where(
                col(m.Memo.source_id) == about.get("source_id"),
                col(m.Memo.code_id) == about.get("code_id"),
                col(m.Memo.text) == note.text,
            )
        ).first()
        if same is not None:
            continue
        s.add(m.Memo(**about, text=note.text,
                     coder_id=users.get(note.user_guid or ""),
                     created=_parse_time(note.created)))  # fmt: skip
        n += 1
    s.flush()
    return n


def _cases(ctx: ImportContext, proj: RefiProject, source_ids: dict[str, int]) -> int:
    """Cases become participants (matched by name) with their variables as attributes."""
    s = ctx.session
    n = 0
    for case in proj.cases:
        name, scope = split_scoped(s, case.name)  # a case exported as "P1 @ fg1"
        p = s.exec(
            select(m.Participant).where(
                col(m.Participant.name) == name, col(m.Participant.scope_id) == scope
            )
        ).first()
        if p is None:
            p = m.Participant(name=name, scope_id=scope, role=case.variables.get("role"))
            s.add(p)
            s.flush()
        assert p.id is not None  # read, or flushed just above
        have = set(
            s.exec(
                select(col(m.ParticipantAttribute.name)).where(
                    col(m.ParticipantAttribute.participant_id) == p.id
                )
            ).all()
        )
        for name, value in sorted(case.variables.items()):
            if name not in have and name != "role":
                s.add(m.ParticipantAttribute(participant_id=p.id, name=name, value=value))
        n += 1
    s.flush()
    return n


FORMAT = Format(
    "qdpx",
    detect,
    load,
    order=25,
    archives=True,
    description="REFI-QDA project (.qdpx): codes, text sources, codings, cases",
)
