"""One streaming pass over the codings that feeds the evidence matrix and the attribute table.

Why a single ordered pass: a briefing on 1,000,000 codings must not hold them all in memory.
Codings arrive ordered by source (the `ix_coding_source_start` index), so each source's
sector spans and speaker turns are in hand while its codings are counted, then dropped.

A coding's sector is the sector code(s) whose codings overlap it in the same source; failing
that, the sector(s) coded most often in that source; failing that, "Unassigned".

An excerpt is a coded span: two coders applying one code to the same span are one excerpt
(each coder is still counted as a coder; agreement is reported on its own).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import BigInteger, ColumnElement, Table, and_, case, distinct, func, literal, select
from sqlmodel import Session, col

from review.coding.codebook import code_paths
from review.screening.decisions import included_source_ids
from review.store import models as m
from review.store.db import in_chunks
from review.store.kinds import source_class

UNASSIGNED = "Unassigned"
# participant attributes that name the focus group: an excerpt counts under the group of the
# transcript it comes from (a participant who spoke in two groups has one attribute value)
GROUP_ATTRIBUTES = ("group", "focus group", "focus_group")
SECTOR_ROOTS = ("sector", "sectors")


@dataclass
class CodeTree:
    paths: dict[int, str]
    sector_ids: dict[int, str]  # sector code id -> sector name
    evidence_ids: list[int]  # codable codes outside the sector subtree, by path

    @classmethod
    def load(cls, session: Session) -> CodeTree:
        paths = code_paths(session)
        rows = session.execute(
            select(col(m.Code.id), col(m.Code.parent_id), col(m.Code.codable))
        ).all()
        roots = {cid for cid, pid, _ in rows if pid is None and paths[cid].lower() in SECTOR_ROOTS}
        sector = {}
        for cid, _, _ in rows:
            top = paths[cid].split("/", 1)[0]
            if cid not in roots and any(paths[r] == top for r in roots):
                sector[cid] = paths[cid].split("/", 1)[1]
        evidence = [
            cid for cid, _, codable in rows if codable and cid not in sector and cid not in roots
        ]
        return cls(paths, sector, sorted(evidence, key=lambda c: (paths[c], c)))


@dataclass
class ScanResult:
    sectors: list[str] = field(default_factory=list)
    # (code id, sector, transcript?) -> excerpts / sources
    excerpts: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    # source id -> Counter(code id -> excerpts), for the source-characteristics table
    per_source: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # attribute name -> (code id, value) -> excerpts
    by_attribute: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    included: set[int] = field(default_factory=set)
    # (code id, transcript?) -> excerpts, each span once whatever sectors it falls in
    per_code: Counter = field(default_factory=Counter)
    coders: Counter = field(default_factory=Counter)  # coder id -> codings of included sources
    excerpts_total: Counter = field(default_factory=Counter)  # transcript? -> excerpts
    groups: dict[int, str] = field(default_factory=dict)  # transcript id -> its group
    source_coders: dict[int, set] = field(default_factory=dict)  # source id -> coder ids
    code_totals: Counter = field(default_factory=Counter)  # code id -> excerpts, any code


def scan(session: Session, tree: CodeTree, batch: int = 20_000) -> ScanResult:
    """Count excerpts and sources by code × sector × evidence kind, and by code × attribute.

    The database does the counting (GROUP BY over the `ix_coding_source_code` index); Python
    sees one row per source and code, never one per coding."""
    res = ScanResult(sectors=sorted(set(tree.sector_ids.values())))
    res.included = set(included_source_ids(session, literature_only=False))
    kinds = {
        sid: source_class(kind, fmt)
        for sid, kind, fmt in session.execute(
            select(col(m.Source.id), col(m.Source.kind), col(m.Source.record_format))
        ).all()
    }
    qualitative = [sid for sid, k in kinds.items() if k != "literature"]
    for chunk in in_chunks(qualitative, 500):
        for sid, meta, title, key in session.execute(
            select(
                col(m.Source.id), col(m.Source.meta), col(m.Source.title), col(m.Source.key)
            ).where(col(m.Source.id).in_(chunk))
        ).all():
            res.groups[sid] = str((meta or {}).get("group") or title or key)
    included = res.included
    c = _CODING.c
    # each source's excerpts per code: a span coded by two coders is one excerpt
    per_source = res.per_source
    for sid, cid, n in _rows(
        session,
        select(c.source_id, c.code_id, func.count(distinct(_span(c))))
        .group_by(c.source_id, c.code_id)
        .order_by(c.source_id, c.code_id),
        batch,
    ):
        if sid in included:
            per_source[sid][cid] = n
            res.code_totals[cid] += n
    hits = _sector_hits(session, tree, res.sectors, batch)
    sector_ids = tree.sector_ids
    evidence = set(tree.evidence_ids)
    excerpts, sources = res.excerpts, res.sources
    for sid, counts in per_source.items():
        transcript = kinds.get(sid, "literature") != "literature"  # the team's own data
        whole: list[str] | None = None
        for cid, total in counts.items():
            if cid not in evidence:
                continue
            res.per_code[(cid, transcript)] += total
            res.excerpts_total[transcript] += total
            hit = hits.get((sid, cid))
            here: dict[str, int] = {}
            unhit = total
            if hit is not None:
                unhit -= hit[0]
                here = {res.sectors[k]: n for k, n in enumerate(hit[1:]) if n}
            if unhit:
                if whole is None:
                    named: Counter = Counter()
                    for k, n in counts.items():
                        if k in sector_ids:
                            named[sector_ids[k]] += n
                    whole = _top(named)
                for sector in whole:
                    here[sector] = here.get(sector, 0) + unhit
            for sector, n in here.items():
                excerpts[(cid, sector, transcript)] += n
                sources[(cid, sector, transcript)] += 1
    _coder_counts(session, res)
    _attribute_counts(session, tree, res, batch)
    return res


def table(model) -> Table:
    """A model's Core table (SQLModel's classes leave `__table__` out of their types)."""
    return cast(Table, model.__table__)


_CODING = table(m.Coding)
_SHIFT = literal(1 << 32, BigInteger)  # text offsets are below 2**31: (start, end) as one number


def _span(c) -> ColumnElement:
    """(start, end) as one integer, for COUNT(DISTINCT ...) on SQLite and PostgreSQL alike."""
    return c.start * _SHIFT + c.end


def _sector_hits(session: Session, tree: CodeTree, sectors: list[str], batch: int) -> dict:
    """(source id, code id) -> (excerpts overlapping any sector span, excerpts overlapping
    sector 0, sector 1, ...), for evidence codes; sectors by name, each span once."""
    if not tree.sector_ids or not tree.evidence_ids:
        return {}
    c = _CODING.c
    index = {name: k for k, name in enumerate(sectors)}
    longest = session.execute(select(func.max(c.end - c.start))).scalar() or 0
    sp = (
        select(
            c.source_id,
            case({cid: index[n] for cid, n in tree.sector_ids.items()}, value=c.code_id).label(
                "sx"
            ),
            c.start.label("ss"),
            c.end.label("se"),
        )
        .where(c.code_id.in_(sorted(tree.sector_ids)))
        .distinct()
        .cte("sp")
    )
    e = _CODING.alias("e")
    # an excerpt overlaps a span when it starts before the span ends and ends after it
    # starts; no coding is longer than `longest`, so only excerpts starting at most that far
    # before the span can (a range on the (source_id, start) index)
    h = (
        select(e.c.source_id, e.c.code_id, e.c.start, e.c.end, sp.c.sx)
        .select_from(
            sp.join(
                e,
                and_(
                    e.c.source_id == sp.c.source_id,
                    e.c.start < sp.c.se,
                    e.c.start >= sp.c.ss - longest,
                    e.c.end > sp.c.ss,
                ),
            )
        )
        .where(e.c.code_id.in_(tree.evidence_ids))
        .distinct()
        .subquery("h")
    )
    stmt = select(
        h.c.source_id,
        h.c.code_id,
        func.count(distinct(_span(h.c))),
        *(func.sum(case((h.c.sx == k, 1), else_=0)) for k in range(len(sectors))),
    ).group_by(h.c.source_id, h.c.code_id)
    return {(r[0], r[1]): tuple(int(x) for x in r[2:]) for r in _rows(session, stmt, batch)}


def _coder_counts(session: Session, res: ScanResult) -> None:
    """Codings per coder over the included sources, and who coded each source: one count per
    source and coder, on the covering index (`coder_id + 0` keeps the coder index out)."""
    c = _CODING.c
    coders = session.execute(select(c.coder_id).distinct()).scalars().all()
    s = table(m.Source).alias("s")
    for coder in coders:
        who = (c.coder_id + 0).is_(None) if coder is None else (c.coder_id + 0) == coder
        n = (
            select(func.count())
            .select_from(_CODING)
            .where(c.source_id == s.c.id, who)
            .scalar_subquery()
        )
        for sid, k in session.execute(select(s.c.id, n)).all():
            if k and sid in res.included:
                res.coders[coder] += k
                res.source_coders.setdefault(sid, set()).add(coder)


def _attribute_counts(session: Session, tree: CodeTree, res: ScanResult, batch: int) -> None:
    """Excerpts of each code by the attributes of the participant speaking where it starts
    (the turn tied to a participant that starts last at or before it); a group attribute
    counts under the transcript's group."""
    if (
        not tree.evidence_ids
        or session.execute(select(col(m.ParticipantAttribute.id)).limit(1)).first() is None
    ):
        return
    p = table(m.Passage)
    a = table(m.ParticipantAttribute)
    spoken = session.execute(
        select(p.c.source_id).where(p.c.participant_id.is_not(None)).distinct()
    ).scalars()
    sids = sorted(set(spoken) & res.included)
    c = _CODING.c
    group_attr = func.lower(a.c.name).in_(GROUP_ATTRIBUTES)
    for chunk in in_chunks(sids, 500):
        ex = (
            select(c.source_id, c.code_id, c.start, c.end)
            .where(c.code_id.in_(tree.evidence_ids), c.source_id.in_(chunk))
            .distinct()
            .subquery("ex")
        )
        speaker = (
            select(p.c.participant_id)
            .where(
                p.c.source_id == ex.c.source_id,
                p.c.participant_id.is_not(None),
                p.c.start <= ex.c.start,
            )
            .order_by(p.c.start.desc(), p.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        x = select(ex.c.source_id, ex.c.code_id, speaker.label("pid")).subquery("x")
        in_group = case((group_attr, x.c.source_id), else_=None)
        stmt = (
            select(x.c.code_id, a.c.name, a.c.value, in_group, func.count())
            .select_from(x.join(a, a.c.participant_id == x.c.pid))
            .group_by(x.c.code_id, a.c.name, a.c.value, in_group)
        )
        for cid, name, value, gsid, n in _rows(session, stmt, batch):
            value = value or ""
            if gsid is not None and gsid in res.groups:
                value = res.groups[gsid]
            res.by_attribute[name][(cid, value)] += n


def _rows(session: Session, stmt, batch: int):
    """The rows, streamed. On SQLite straight from the driver's cursor (SQLAlchemy's
    per-row result processing costs more than the counting; the statements here bind only
    numbers and fixed names, inlined); elsewhere as a server-side stream (`yield_per`)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield from conn.execute(stmt.execution_options(yield_per=batch))
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None  # an open connection's
    cur = dbapi.cursor()
    try:
        sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        cur.execute(str(sql))
        while chunk := cur.fetchmany(batch):
            yield from chunk
    finally:
        cur.close()


def _top(counts: Counter) -> list[str]:
    """The name(s) counted most often (ties: all of them), else Unassigned."""
    if not counts:
        return [UNASSIGNED]
    top = max(counts.values())
    return sorted(n for n, k in counts.items() if k == top)


def _main_sectors(spans: list[tuple[int, int, str]]) -> list[str]:
    """The sector(s) coded most often in a source (ties: all of them), else Unassigned.

    Why not every sector coded in it: keyword coding tags a stray sector here and there, and
    counting each uncovered excerpt once per such sector multiplied a focus group's excerpts
    across five sectors (a 10-excerpt code showed 33 in the matrix).
    """
    return _top(Counter(name for _, _, name in spans))
