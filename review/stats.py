"""Agreement statistics, pure: one Cohen's kappa for screening and for coding.

Cohen's kappa is (Po − Pe) / (1 − Pe), with chance agreement Pe = Σ_k pA(k)·pB(k) summed over
the categories (for coded/not coded: pA·pB + (1−pA)(1−pB); QualCoder multiplies the two terms,
which is wrong). When Pe is 1 — both raters used one and the same category for every unit —
kappa is 0/0: *undefined*, reported as None ("undefined") everywhere, never as 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Kappa:
    """Observed agreement, chance agreement and kappa over `n` units (None: undefined)."""

    n: int
    observed: float | None
    chance: float | None
    kappa: float | None


def kappa_from_counts(table: Mapping[tuple[Hashable, Hashable], int]) -> Kappa:
    """Kappa from a confusion table: (category by A, category by B) -> number of units."""
    n = sum(table.values())
    if n == 0:
        return Kappa(0, None, None, None)
    agree = sum(c for (a, b), c in table.items() if a == b)
    by_a: Counter = Counter()
    by_b: Counter = Counter()
    for (a, b), c in table.items():
        by_a[a] += c
        by_b[b] += c
    po = agree / n
    pe = sum(by_a[k] * by_b[k] for k in set(by_a) | set(by_b)) / (n * n)
    if pe >= 1.0:
        return Kappa(n, po, pe, None)
    return Kappa(n, po, pe, (po - pe) / (1 - pe))


def kappa_from_pairs(pairs: Iterable[tuple[Hashable, Hashable]]) -> Kappa:
    """Kappa from paired labels, one pair per unit."""
    return kappa_from_counts(Counter(pairs))


def describe(value: float | None, digits: int = 3) -> str:
    """A statistic for a person: the rounded value, or 'undefined'."""
    return "undefined" if value is None else f"{value:.{digits}f}"
