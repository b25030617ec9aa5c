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

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from sqlalchemy import select
from sqlmodel import Session, col

from review.coding.codebook import code_paths
from review.screening.decisions import included_source_ids
from review.store import models as m
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


def _participant_turns(session: Session) -> dict[int, tuple[list[int], list[int]]]:
    """source id -> (turn starts, participant ids) for passages tied to a participant."""
    rows = session.execute(
        select(col(m.Passage.source_id), col(m.Passage.start), col(m.Passage.participant_id))
        .where(col(m.Passage.participant_id).is_not(None))
        .order_by(col(m.Passage.source_id), col(m.Passage.start))
    ).all()
    out: dict[int, tuple[list[int], list[int]]] = {}
    for sid, start, pid in rows:
        starts, pids = out.setdefault(sid, ([], []))
        starts.append(start)
        pids.append(pid)
    return out


def scan(session: Session, tree: CodeTree, batch: int = 20_000) -> ScanResult:
    """Count excerpts and sources by code × sector × evidence kind, and by code × attribute."""
    res = ScanResult(sectors=sorted(set(tree.sector_ids.values())))
    res.included = set(included_source_ids(session, literature_only=False))
    kinds = {
        sid: source_class(kind, fmt)
        for sid, kind, fmt in session.execute(
            select(col(m.Source.id), col(m.Source.kind), col(m.Source.record_format))
        ).all()
    }
    qualitative = [sid for sid, k in kinds.items() if k != "literature"]
    for i in range(0, len(qualitative), 500):
        for sid, meta, title, key in session.execute(
            select(
                col(m.Source.id), col(m.Source.meta), col(m.Source.title), col(m.Source.key)
            ).where(col(m.Source.id).in_(qualitative[i : i + 500]))
        ).all():
            res.groups[sid] = str((meta or {}).get("group") or title or key)
    attrs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, name, value in session.execute(
        select(col(m.ParticipantAttribute.participant_id), col(m.ParticipantAttribute.name),
               col(m.ParticipantAttribute.value))
    ).all():  # fmt: skip
        attrs[pid].append((name, value or ""))
    turns = _participant_turns(session) if attrs else {}
    evidence = set(tree.evidence_ids)
    stmt = select(
        col(m.Coding.source_id),
        col(m.Coding.code_id),
        col(m.Coding.start),
        col(m.Coding.end),
        col(m.Coding.coder_id),
    ).order_by(col(m.Coding.source_id), col(m.Coding.start))
    coders = res.coders
    included = res.included
    for sid, group in groupby(_rows(session, stmt, batch), key=itemgetter(0)):
        if sid not in included:
            continue  # groupby skips the rest of the group
        grp = list(group)
        coders.update(map(itemgetter(4), grp))
        res.source_coders[sid] = set(map(itemgetter(4), grp))
        _flush(res, tree, evidence, sid, [r[1:4] for r in grp], kinds, turns, attrs)
    return res


def _rows(session: Session, stmt, batch: int):
    """The coding rows, streamed. On SQLite straight from the driver's cursor (SQLAlchemy's
    per-row result processing costs more than the counting); elsewhere as a server-side
    stream (`yield_per`), so memory stays flat either way."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield from conn.execute(stmt.execution_options(yield_per=batch))
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None  # an open connection's
    cur = dbapi.cursor()
    try:
        cur.execute(str(stmt.compile(dialect=conn.dialect)))
        while chunk := cur.fetchmany(batch):
            yield from chunk
    finally:
        cur.close()


def _main_sectors(spans: list[tuple[int, int, str]]) -> list[str]:
    """The sector(s) coded most often in a source (ties: all of them), else Unassigned.

    Why not every sector coded in it: keyword coding tags a stray sector here and there, and
    counting each uncovered excerpt once per such sector multiplied a focus group's excerpts
    across five sectors (a 10-excerpt code showed 33 in the matrix).
    """
    counts = Counter(name for _, _, name in spans)
    if not counts:
        return [UNASSIGNED]
    top = max(counts.values())
    return sorted(n for n, k in counts.items() if k == top)


def _flush(res, tree, evidence, sid, rows, kinds, turns, attrs) -> None:
    """Count one source's codings (code, start, end), in text order."""
    if not rows:
        return
    rows = list(dict.fromkeys(rows))  # one span coded by two coders is one excerpt
    sector_ids = tree.sector_ids
    spans = [(s, e, sector_ids[c]) for c, s, e in rows if c in sector_ids]
    whole = tuple(_main_sectors(spans))
    transcript = kinds.get(sid, "literature") != "literature"  # the team's own data
    res.per_source[sid].update(c for c, _, _ in rows)
    ev = [r for r in rows if r[0] in evidence]
    if not ev:
        return
    per_code = Counter(c for c, _, _ in ev)
    for cid, n in per_code.items():
        res.per_code[(cid, transcript)] += n
    res.excerpts_total[transcript] += len(ev)
    local: Counter = Counter()  # (code, sector) -> excerpts in this source
    if spans:
        spans.sort()
        starts = [a for a, _, _ in spans]
        for cid, start, end in ev:
            k = bisect.bisect_left(starts, end)  # spans starting before this excerpt ends
            here = {n for a, b, n in spans[:k] if b > start}
            for sector in here or whole:
                local[(cid, sector)] += 1
    else:
        for sector in whole:
            for cid, n in per_code.items():
                local[(cid, sector)] += n
    excerpts, sources = res.excerpts, res.sources
    for (cid, sector), n in local.items():
        excerpts[(cid, sector, transcript)] += n
        sources[(cid, sector, transcript)] += 1
    turn = turns.get(sid)
    if turn is not None:
        starts_t, people = turn
        by_attribute, group = res.by_attribute, res.groups.get(sid)
        for cid, start, _ in ev:
            i = bisect.bisect_right(starts_t, start) - 1
            if i >= 0:
                for name, value in attrs.get(people[i], ()):
                    if group is not None and name.lower() in GROUP_ATTRIBUTES:
                        value = group
                    by_attribute[name][(cid, value)] += 1
