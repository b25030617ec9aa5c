"""Export the workspace as a REFI-QDA project (.qdpx) that NVivo, ATLAS.ti, MAXQDA and
QualCoder open: users (coders), the codebook, sources with text, codings as
`PlainTextSelection`s with code-point offsets, cases (participants) and variables.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from review import __version__
from review.coding.codebook import code_paths
from review.coding.codings import blind_coder, coded_by
from review.ingest.citation import source_author_year
from review.ingest.participants import scope_keys, scoped
from review.ingest.refi.qde import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiSelection,
    RefiSource,
)
from review.ingest.refi.write import ExportProject, guid, write_qdpx
from review.store import models as m
from review.store.kinds import is_literature


def describe(code: m.Code, path: str) -> str | None:
    """The Description of a code: its definition plus labelled lines for when to use, when not
    to, example, keywords and shortcut — the codebook exchange's own convention
    (`review.coding.codebook_files`), so a .qdpx and a .qdc carry a code the same way."""
    try:
        from review.coding.codebook import CodeSpec
        from review.coding.codebook_files import describe
    except ImportError:  # pragma: no cover - the codebook feature is part of the package
        return code.definition
    spec = CodeSpec(path=path, definition=code.definition, include=code.include,
                    exclude=code.exclude, example=code.example,
                    keywords=list(code.keywords or []), colour=code.colour,
                    shortcut=code.shortcut, codable=bool(code.codable))  # fmt: skip
    return describe(spec) or None


def _when(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_project(
    session: Session,
    name: str = "review",
    source_ids: list[int] | None = None,
    *,
    viewer: str | None = None,
) -> ExportProject:
    """Collect the workspace into plain REFI records (sources: those with text, or `source_ids`);
    with blind coding on, only `viewer`'s codings (`blind_coder`); no viewer: every coder's."""
    coders = dict(session.exec(select(col(m.Coder.id), col(m.Coder.name))).all())
    user_guid = {cid: guid("coder", n) for cid, n in coders.items()}
    proj = ExportProject(name=name, origin=f"review {__version__}")
    proj.users = {user_guid[cid]: n for cid, n in coders.items()}
    paths = code_paths(session)
    code_guid: dict[int, str] = {}
    codes = session.exec(
        select(m.Code).order_by(col(m.Code.position), col(m.Code.name), col(m.Code.id))
    ).all()
    for c in codes:
        assert c.id is not None  # a stored row's primary key
        code_guid[c.id] = c.guid or guid("code", paths[c.id])
        proj.codes.append(
            RefiCode(
                code_guid[c.id],
                tuple(paths[c.id].split("/")),
                bool(c.codable),
                c.colour,
                describe(c, paths[c.id]),
            )
        )
    q = select(m.Source).where(
        col(m.Source.text).is_not(None), col(m.Source.merged_into_id).is_(None)
    )
    if source_ids is not None:
        q = q.where(col(m.Source.id).in_(source_ids))
    sources = session.exec(q.order_by(col(m.Source.key))).all()
    by_source: dict[int, list[m.Coding]] = defaultdict(list)
    ids = [s.id for s in sources]
    mine = blind_coder(session, viewer)
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        cq = select(m.Coding).where(col(m.Coding.source_id).in_(part))
        if mine is not None:
            cq = cq.where(coded_by(mine))
        for cd in session.exec(cq).all():
            by_source[cd.source_id].append(cd)
    source_guid: dict[int, str] = {}
    for s in sources:
        assert s.id is not None and s.text is not None  # a stored row; the query's filter
        g = guid("source", s.key)
        source_guid[s.id] = g
        variables = {"review:key": s.key, "review:kind": s.kind}
        if is_literature(s):
            variables["review:citation"] = source_author_year(s)
        if (s.meta or {}).get("group"):
            variables["review:group"] = str(s.meta["group"])
        src = RefiSource(g, s.title or s.key, "TextSource", f"internal://{g}.txt",
                         variables=variables)  # fmt: skip
        for cd in sorted(by_source[s.id], key=lambda c: (c.start, c.end, paths[c.code_id], c.id)):
            sel_guid = guid("coding", cd.id, s.key)
            src.selections.append(
                RefiSelection(
                    sel_guid, cd.start, cd.end, user_guid.get(cd.coder_id), _when(cd.created),
                    cd.memo,
                    [RefiCoding(code_guid[cd.code_id], user_guid.get(cd.coder_id),
                                _when(cd.created))],
                )
            )  # fmt: skip
        proj.sources.append(src)
        proj.texts[g] = s.text
    proj.cases = _cases(session, source_guid)
    _notes(session, proj, user_guid, code_guid, source_guid)
    if mine is not None:
        # blind: the users the file names are the exporter and the authors of what it holds
        # (everyone's memos on the project, sources and codes), not every coder of the team
        named = {sel.user_guid for src in proj.sources for sel in src.selections}
        named |= {note.user_guid for note in proj.notes}
        named.add(guid("coder", mine))
        proj.users = {g: n for g, n in proj.users.items() if g in named}
    if proj.users:
        proj.creating_user = sorted(proj.users)[0]
    return proj


def _notes(session, proj: ExportProject, user_guid, code_guid, source_guid) -> None:
    """Project, source and code memos as Notes, referenced from what they are about."""
    codes = {c.guid: c for c in proj.codes}
    sources = {s.guid: s for s in proj.sources}
    for memo in session.exec(select(m.Memo).order_by(col(m.Memo.id))).all():
        if memo.target == "project":
            owner = None
        elif memo.code_id in code_guid:
            owner = codes[code_guid[memo.code_id]].notes
        elif memo.source_id in source_guid:
            owner = sources[source_guid[memo.source_id]].notes
        else:
            continue  # a memo on something not exported
        g = guid("memo", memo.id, memo.target)
        proj.notes.append(
            RefiNote(
                g,
                f"Memo on {memo.target}",
                memo.text,
                user_guid.get(memo.coder_id),
                _when(memo.created),
            )  # fmt: skip
        )
        (proj.project_notes if owner is None else owner).append(g)


def _cases(session: Session, source_guid: dict[int, str]) -> list[RefiCase]:
    """Participants as cases, with their attributes as variables and the sources they speak in."""
    attrs: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, name, value in session.exec(
        select(col(m.ParticipantAttribute.participant_id), col(m.ParticipantAttribute.name),
               col(m.ParticipantAttribute.value))
    ).all():  # fmt: skip
        attrs[pid][name] = value or ""
    speaks: dict[int, set[str]] = defaultdict(set)
    for speaker, sid in session.exec(
        select(col(m.Passage.participant_id), col(m.Passage.source_id))
        .where(col(m.Passage.participant_id).is_not(None))
        .distinct()
    ).all():
        assert speaker is not None  # the query's filter
        if sid in source_guid:
            speaks[speaker].add(source_guid[sid])
    keys = scope_keys(session)
    out = []
    for p in session.exec(select(m.Participant)).all():
        assert p.id is not None  # a stored row's primary key
        variables = dict(attrs.get(p.id, {}))
        if p.role:
            variables.setdefault("role", p.role)
        name = p.name if p.scope_id is None else scoped(p.name, keys[p.scope_id])
        out.append(RefiCase(guid("case", name), name, variables, sorted(speaks[p.id])))
    return sorted(out, key=lambda case: case.name)


def export_qdpx(
    session: Session,
    name: str = "review",
    source_ids: list[int] | None = None,
    *,
    viewer: str | None = None,
):
    """The .qdpx bytes and counts (sources, codes, codings, cases); `viewer` as in
    `build_project`."""
    proj = build_project(session, name, source_ids, viewer=viewer)
    counts = {
        "sources": len(proj.sources),
        "codes": len(proj.codes),
        "codings": sum(len(s.selections) for s in proj.sources),
        "cases": len(proj.cases),
        "users": len(proj.users),
    }
    return write_qdpx(proj), counts
