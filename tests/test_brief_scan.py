"""The briefing scan (numpy over whole columns) against a plain per-coding reference.

`scan` counts a million codings with array operations; this test keeps the rules in their
plainest form — one source at a time, one excerpt at a time, as the scan was first written —
and checks that both give the same counts on random workspaces with the awkward cases: two
coders on one span, codings without a coder, two sector codes of one sector name, excerpts
overlapping two spans of one sector, sources with no sector code, a tie between main sectors,
turns sharing a start, an excluded source, a group attribute.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter, defaultdict

import pytest
from sqlalchemy import insert, select

from review.outputs.brief.scan import GROUP_ATTRIBUTES, CodeTree, _main_sectors, scan
from review.screening.decisions import included_source_ids
from review.store import models as m
from review.store.db import session_scope
from review.store.kinds import source_class

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _workspace(s, seed: int) -> None:
    rng = random.Random(seed)
    coders = []
    for name in ("ann", "bob"):
        c = m.Coder(name=name)
        s.add(c)
        s.flush()
        coders.append(c.id)
    codes = []
    for root, kids, codable in (
        ("Sector", ["Health", "Safety", "Parks"], True),
        ("Sectors", ["Health"], True),  # the same sector name under a second root
        ("Themes", ["Trust", "Time", "Design"], True),
        ("Loose", [], False),  # a root that is not codable
    ):
        r = m.Code(name=root, codable=codable and not kids)
        s.add(r)
        s.flush()
        codes.append(r.id)
        for k in kids:
            c = m.Code(name=k, parent_id=r.id)
            s.add(c)
            s.flush()
            codes.append(c.id)
    people = []
    for p in range(6):
        person = m.Participant(name=f"P{p}", role="participant")
        s.add(person)
        s.flush()
        people.append(person.id)
        s.add(m.ParticipantAttribute(participant_id=person.id, name="area", value="NS"[p % 2]))
        if p % 3:
            s.add(m.ParticipantAttribute(participant_id=person.id, name="Group", value="x"))
    sources = []
    for i in range(14):
        tr = i < 5
        src = m.Source(
            key=f"s{i}", kind="transcript" if tr else "article", title=f"Source {i}",
            meta={"group": f"Group {i}"} if tr and i % 2 else {}, text="x" * 400,
        )  # fmt: skip
        s.add(src)
        s.flush()
        sources.append(src.id)
        if tr:
            for t in range(6):
                start = rng.choice([t * 60, t * 60, max(0, t * 60 - 60)])  # shared starts too
                s.add(m.Passage(source_id=src.id, start=start, end=start + 59, kind="turn",
                                participant_id=rng.choice(people + [None])))  # fmt: skip
    # one article excluded at title/abstract, the rest included
    for sid in sources[5:]:
        out = sid == sources[6]
        s.add(m.ScreeningDecision(source_id=sid, coder_id=coders[0], stage="title-abstract",
                                  final=True, decision="exclude" if out else "include",
                                  reason="off topic" if out else None))  # fmt: skip
    rows = []
    for sid in sources:
        if sid == sources[7]:
            continue  # a source with no codings
        no_sector = sid == sources[8]
        for _ in range(rng.randrange(5, 40)):
            code = rng.choice(codes)
            if no_sector and code <= codes[6]:
                continue
            start = rng.randrange(0, 360)
            end = start + rng.choice([1, 5, 20, 40, 300])
            for who in rng.choice([[coders[0]], [coders[1]], coders, [None]]):
                rows.append(dict(source_id=sid, code_id=code, start=start, end=end,
                                 quote="q", coder_id=who, origin="manual"))  # fmt: skip
    s.execute(insert(m.Coding), rows)
    s.flush()


def _reference(s, tree: CodeTree) -> dict:
    """The counts one coding at a time (the scan's rules, written plainly)."""
    included = set(included_source_ids(s, literature_only=False))
    kinds = {i: source_class(k, f) for i, k, f in s.execute(
        select(m.Source.id, m.Source.kind, m.Source.record_format)).all()}  # fmt: skip
    groups = {
        i: str((meta or {}).get("group") or title or key)
        for i, meta, title, key in s.execute(
            select(m.Source.id, m.Source.meta, m.Source.title, m.Source.key)
        ).all()
        if kinds[i] != "literature"
    }
    attrs = defaultdict(list)
    for pid, name, value in s.execute(
        select(m.ParticipantAttribute.participant_id, m.ParticipantAttribute.name,
               m.ParticipantAttribute.value)).all():  # fmt: skip
        attrs[pid].append((name, value or ""))
    turns: dict = {}
    for sid, start, pid in s.execute(
        select(m.Passage.source_id, m.Passage.start, m.Passage.participant_id)
        .where(m.Passage.participant_id.is_not(None))
        .order_by(m.Passage.source_id, m.Passage.start, m.Passage.id)
    ).all():
        turns.setdefault(sid, ([], []))
        turns[sid][0].append(start)
        turns[sid][1].append(pid)
    out: dict = {k: Counter() for k in ("excerpts", "sources", "per_code", "coders", "total")}
    out["per_source"], out["by_attribute"], out["source_coders"] = {}, defaultdict(Counter), {}
    out["main"] = {}
    codings = defaultdict(list)
    for sid, cid, start, end, who in s.execute(
        select(m.Coding.source_id, m.Coding.code_id, m.Coding.start, m.Coding.end,
               m.Coding.coder_id)).all():  # fmt: skip
        codings[sid].append((cid, start, end, who))
    evidence = set(tree.evidence_ids)
    for sid, rows in codings.items():
        if sid not in included:
            continue
        out["coders"].update(w for *_, w in rows)
        out["source_coders"][sid] = {w for *_, w in rows}
        spans_set = {(c, a, b) for c, a, b, _ in rows}
        out["per_source"][sid] = Counter(c for c, _, _ in spans_set)
        spans = [(a, b, tree.sector_ids[c]) for c, a, b in spans_set if c in tree.sector_ids]
        whole = _main_sectors(spans)
        if spans:
            out["main"][sid] = whole
        tr = kinds[sid] != "literature"
        local: Counter = Counter()
        for cid, start, end in sorted(x for x in spans_set if x[0] in evidence):
            out["per_code"][(cid, tr)] += 1
            out["total"][tr] += 1
            here = {n for a, b, n in spans if a < end and b > start}
            for sector in here or whole:
                local[(cid, sector)] += 1
            if sid in turns:
                i = bisect.bisect_right(turns[sid][0], start) - 1
                if i >= 0:
                    for name, value in attrs.get(turns[sid][1][i], ()):
                        if name.lower() in GROUP_ATTRIBUTES and sid in groups:
                            value = groups[sid]
                        out["by_attribute"][name][(cid, value)] += 1
        for (cid, sector), n in local.items():
            out["excerpts"][(cid, sector, tr)] += n
            out["sources"][(cid, sector, tr)] += 1
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_scan_agrees_with_the_per_coding_reference(ws, seed, monkeypatch):
    from review.outputs.brief import scan as scan_module

    # a few sources at a time (the parts must add up) and small batches of candidate pairs
    monkeypatch.setattr(scan_module, "SOURCES_AT_ONCE", 1 + seed)
    with session_scope(ws.engine) as s:
        _workspace(s, seed)
    with session_scope(ws.engine) as s:
        tree = CodeTree.load(s)
        want = _reference(s, tree)
        got = scan(s, tree, batch=3)
    assert +got.excerpts == +want["excerpts"]
    assert +got.sources == +want["sources"]
    assert +got.per_code == +want["per_code"]
    assert +got.excerpts_total == +want["total"]
    assert dict(got.per_source) == want["per_source"]
    assert +got.code_totals == sum(want["per_source"].values(), Counter())
    assert {k: +v for k, v in got.by_attribute.items()} == dict(want["by_attribute"])
    assert +got.coders == +want["coders"]
    assert got.source_coders == want["source_coders"]
    assert {k: sorted(v) for k, v in got.main_sectors.items()} == want["main"]
    # the awkward cases are there: a source with no sector code, a coding without a coder
    assert any(k[1] == "Unassigned" for k in got.excerpts)
    assert None in got.coders and got.by_attribute["Group"]


def test_rows_in_index_order_skip_the_sort_and_others_are_sorted():
    """The scan sorts only rows that are not in (source, code, start, end) order already —
    SQLite's index scan gives them in order, PostgreSQL's string_agg in table order."""
    import numpy as np

    from review.outputs.brief.scan import _in_order

    a, b, c = np.array([1, 1, 2, 2]), np.array([5, 6, 1, 1]), np.array([0, 0, 3, 2])
    assert _in_order(a, b) and not _in_order(a, b, c)  # the tie on (2, 1) breaks by c
    assert not _in_order(a, c) and not _in_order(np.array([2, 1]))
    assert _in_order(np.array([], dtype=np.int64))


def test_packed_coding_columns_are_the_five_columns(ws):
    """The scan reads each coding's five integers packed into two (`_coding_columns`); they
    unpack to exactly what the five columns hold — a coding without a coder, the largest
    code id, offsets near 2**31 — and ids too large to pack fall back to the five columns."""
    from review.outputs.brief.scan import _coding_columns, _pack_widths

    with session_scope(ws.engine) as s:
        coder = m.Coder(name="ann")
        s.add(coder)
        src = m.Source(kind="article", title="A", key="a")
        s.add(src)
        s.flush()
        codes = []
        for k in range(40):  # code ids need six bits
            c = m.Code(name=f"C{k}")
            s.add(c)
            s.flush()
            codes.append(c.id)
        big = 2**31 - 10
        rows = [
            (codes[0], 0, 5, coder.id),
            (codes[-1], 7, big, None),
            (codes[3], big - 1, big, coder.id),
        ]
        for cid, start, end, who in rows:
            s.add(
                m.Coding(
                    source_id=src.id, code_id=cid, start=start, end=end, quote="q", coder_id=who
                )
            )
    with session_scope(ws.engine) as s:
        widths = _pack_widths(s, src.id)
        assert widths is not None and widths[0] >= 6
        packed = [a.tolist() for a in _coding_columns(s, src.id, src.id, widths)]
        plain = [a.tolist() for a in _coding_columns(s, src.id, src.id, None)]
        assert packed == plain
        want = sorted((src.id, cid, a, b, -1 if who is None else who) for cid, a, b, who in rows)
        assert sorted(zip(*plain, strict=True)) == want
        assert _pack_widths(s, 2**60) is None  # no room left for the source id
