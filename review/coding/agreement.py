"""Inter-coder agreement between two coders, per code and overall, on explicit units.

Three views, because each answers a different question and the tools disagree on which to show:

* **Character level over the whole text** (NVivo): every character of every chosen source is a
  unit, coded or not coded by each coder. Percent agreement, Cohen's kappa and Krippendorff's
  alpha (nominal) from the 2x2 table. Cohen's chance agreement is
  ``Pe = P_A(yes)·P_B(yes) + P_A(no)·P_B(no)`` — the two terms are *added* (QualCoder multiplies
  them, which is wrong). Worked example: 1,000 characters, each coder codes 100 of them, 80 in
  common: Po = 0.96, Pe = 0.82, kappa = 0.778.
* **Coded text only**: the same characters, but only those at least one coder coded
  (both / either) — the agreement that the sea of uncoded text cannot inflate.
* **Segments** (MAXQDA): each coder's segment "agrees" when the other coder coded the same code
  in the same source with an overlap of at least `threshold` (intersection / union of the two
  spans); counted from both coders' side. Percent = agreeing / all segments.

Krippendorff's alpha here is the general nominal formula over a coincidence matrix (any number
of coders, missing values allowed); the 2x2 case is a fast path of the same formula.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, select
from sqlmodel import Session, col

from review.coding.codebook import code_paths, descendants, find_code
from review.errors import NotFound, UsageError
from review.stats import kappa_from_counts
from review.store import models as m
from review.store.coders import coder_id

Interval = tuple[int, int]


# --- interval arithmetic ------------------------------------------------------------------------


def merge(spans: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-adjacent-merged intervals covering the same characters."""
    out: list[list[int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def covered(spans: Sequence[Interval]) -> int:
    return sum(b - a for a, b in merge(spans))


def intersection(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """Characters covered by both sets of intervals (two-pointer sweep over merged lists)."""
    a, b = merge(a), merge(b)
    i = j = n = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            n += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return n


# --- statistics on a 2x2 table ----------------------------------------------------------------


@dataclass
class Table:
    """Character counts: coded by both, by A only, by B only, by neither."""

    both: int = 0
    a_only: int = 0
    b_only: int = 0
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    def add(self, other: Table) -> None:
        self.both += other.both
        self.a_only += other.a_only
        self.b_only += other.b_only
        self.neither += other.neither


def percent_agreement(t: Table) -> float | None:
    return (t.both + t.neither) / t.n if t.n else None


def cohen_kappa(t: Table) -> float | None:
    """Cohen's kappa of the coded / not-coded table (`review.stats`): None when undefined —
    no units, or both coders made the same choice for every unit (chance agreement 1)."""
    table: dict[tuple[Hashable, Hashable], int] = {
        (1, 1): t.both,
        (1, 0): t.a_only,
        (0, 1): t.b_only,
        (0, 0): t.neither,
    }
    return kappa_from_counts(table).kappa


def alpha_from_table(t: Table) -> float | None:
    """Krippendorff's alpha (nominal) for two coders, no missing values, binary coded/not:
    alpha = 1 - (n-1)·(disagreeing units) / (n_coded·n_uncoded), with n = 2 × units."""
    n = 2 * t.n
    n1 = 2 * t.both + t.a_only + t.b_only
    n0 = 2 * t.neither + t.a_only + t.b_only
    if n < 2:
        return None
    if n1 == 0 or n0 == 0:
        return None  # one value throughout: no variation, alpha is 0/0 (undefined)
    return 1 - (n - 1) * (t.a_only + t.b_only) / (n0 * n1)


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data. `data[coder][unit]` is a value or None (missing).

    Units with fewer than two values are not pairable and are dropped, as the method says."""
    if not data:
        return None
    n_units = max(len(row) for row in data)
    # a Counter of fractions (typeshed types a Counter's counts as int)
    coincidence = cast("dict[tuple[Any, Any], float]", Counter())
    for u in range(n_units):
        values = [row[u] for row in data if u < len(row) and row[u] is not None]
        mu = len(values)
        if mu < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                coincidence[(c, k)] += pairs / (mu - 1)
    n_c = cast("dict[Any, float]", Counter())  # (as coincidence)
    for (c, _k), v in coincidence.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1)
    if expected == 0:
        return 1.0 if observed == 0 else None
    return 1 - observed / expected


def overlap_ratio(a: Interval, b: Interval) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def segment_counts(a: Sequence[Interval], b: Sequence[Interval], threshold: float) -> tuple:
    """(agreeing, disagreeing) segments of both coders for one code in one source."""
    a, b = sorted(set(a)), sorted(set(b))
    agree = disagree = 0
    for mine, theirs in ((a, b), (b, a)):
        for seg in mine:
            if any(overlap_ratio(seg, other) >= threshold for other in theirs):
                agree += 1
            else:
                disagree += 1
    return agree, disagree


# --- the service ------------------------------------------------------------------------------


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _report(table: Table, seg: tuple[int, int], threshold: float) -> dict:
    union = table.both + table.a_only + table.b_only
    agree, disagree = seg
    return {
        "character": {
            "unit": "character of the chosen sources' text (coded / not coded)",
            "n": table.n,
            "both": table.both,
            "a_only": table.a_only,
            "b_only": table.b_only,
            "neither": table.neither,
            "percent_agreement": _rounded(percent_agreement(table)),
            "kappa": _rounded(cohen_kappa(table)),
            "alpha": _rounded(alpha_from_table(table)),
        },
        "coded_text": {
            "unit": "character coded by at least one coder",
            "n": union,
            "percent_agreement": _rounded(table.both / union) if union else None,
        },
        "segment": {
            "unit": "coded segment of either coder",
            "threshold": threshold,
            "n": agree + disagree,
            "agree": agree,
            "disagree": disagree,
            "percent_agreement": _rounded(agree / (agree + disagree)) if agree + disagree else None,
        },
    }


def agreement(
    session: Session,
    coder_a: str,
    coder_b: str,
    *,
    source_ids: Sequence[int] | None = None,
    code_ids: Sequence[int] | None = None,
    threshold: float = 0.9,
    by_source: bool = False,
) -> dict:
    """Agreement between two coders per code and overall (pooled over codes: every
    character × code is a unit). Sources default to those either coder coded; codes to those
    either coder used. `by_source` adds each code's figures per source (NVivo's table)."""
    if coder_a == coder_b:
        raise UsageError("give two different coders")
    if not 0 < threshold <= 1:
        raise UsageError("the overlap threshold must be in (0, 1]")
    ids = {}
    for name in (coder_a, coder_b):
        cid = coder_id(session, name)
        if cid is None:
            raise NotFound(f"no coder {name!r}")
        ids[name] = cid
    q = select(
        col(m.Coding.source_id),
        col(m.Coding.code_id),
        col(m.Coding.coder_id),
        col(m.Coding.start),
        col(m.Coding.end),
    ).where(col(m.Coding.coder_id).in_(list(ids.values())))
    if source_ids is not None:
        q = q.where(col(m.Coding.source_id).in_(list(source_ids)))
    if code_ids is not None:
        q = q.where(col(m.Coding.code_id).in_(list(code_ids)))
    spans: dict[tuple[int, int], dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    used_sources, used_codes = set(), set()
    for sid, code, coder, a, b in session.execute(q):
        spans[(sid, code)][coder].append((a, b))
        used_sources.add(sid)
        used_codes.add(code)
    sources = sorted(set(source_ids) if source_ids is not None else used_sources)
    codes = sorted(set(code_ids) if code_ids is not None else used_codes)
    lengths = dict(
        session.execute(
            select(col(m.Source.id), func.coalesce(func.length(col(m.Source.text)), 0)).where(
                col(m.Source.id).in_(sources)
            )
        ).all()
    )
    missing = set(sources) - set(lengths)
    if missing:
        raise NotFound(f"no source with id {sorted(missing)[0]}")
    ca, cb = ids[coder_a], ids[coder_b]
    paths = code_paths(session)
    keys = {}
    if by_source:
        keys = dict(
            session.execute(
                select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(sources))
            ).all()
        )
    per_code, total, total_seg = [], Table(), [0, 0]
    for code in codes:
        table, seg, rows = Table(), [0, 0], []
        for sid in sources:
            by = spans.get((sid, code), {})
            a_sp, b_sp = by.get(ca, []), by.get(cb, [])
            both = intersection(a_sp, b_sp)
            na, nb = covered(a_sp), covered(b_sp)
            union = na + nb - both
            one = Table(both, na - both, nb - both, lengths[sid] - union)
            table.add(one)
            agree, disagree = segment_counts(a_sp, b_sp, threshold)
            seg[0] += agree
            seg[1] += disagree
            if by_source:
                rows.append(
                    {
                        "source": keys.get(sid, str(sid)),
                        "source_id": sid,
                        "characters": one.n,
                        "percent_agreement": _rounded(percent_agreement(one)),
                        "kappa": _rounded(cohen_kappa(one)),
                    }
                )
        total.add(table)
        total_seg[0] += seg[0]
        total_seg[1] += seg[1]
        entry = {
            "code": paths.get(code, str(code)),
            "code_id": code,
            **_report(table, cast("tuple[int, int]", tuple(seg)), threshold),
        }
        if by_source:
            entry["by_source"] = rows
        per_code.append(entry)
    overall = _report(total, cast("tuple[int, int]", tuple(total_seg)), threshold)
    overall["character"]["unit"] = "character × code (pooled over codes)"
    kappas = [c["character"]["kappa"] for c in per_code if c["character"]["kappa"] is not None]
    overall["character"]["mean_kappa"] = _rounded(sum(kappas) / len(kappas)) if kappas else None
    return {
        "coders": [coder_a, coder_b],
        "sources": len(sources),
        "characters": sum(lengths.values()),
        "codes": per_code,
        "overall": overall,
    }


def coded_codes_under(session: Session, refs: list[str]) -> list[int] | None:
    """The codes to compare for `--code` references: each codable code named, and a group
    code (never applied itself, e.g. "Sector") stands for the codes under it that have
    codings. None for no references (every code); a usage error if nothing is coded there."""
    if not refs:
        return None
    codable = set(session.execute(select(col(m.Code.id)).where(col(m.Code.codable))).scalars())
    used = set(session.execute(select(col(m.Coding.code_id)).distinct()).scalars())
    ids: list[int] = []
    for ref in refs:
        top = find_code(session, ref).id
        assert top is not None  # a stored code's primary key
        ids += [top] if top in codable else []
        ids += [d for d in descendants(session, top)[1:] if d in codable and d in used]
    if not ids:
        raise UsageError(f"no codings under {', '.join(map(repr, refs))}")
    return list(dict.fromkeys(ids))
