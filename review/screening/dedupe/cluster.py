"""Clusters of duplicates through union-find, with every pair inside a cluster checked.

Pairs are joined strongest first. A chain A~B~C joins A and C although they were never
compared as a pair, and single linkage would merge two errata of different years through the
paper between them, or two editorials through a third. So a join of two clusters is made only
when *every* pair across them passes the vetoes (`score.veto`: different DOIs, years apart,
another volume or page, an erratum against the paper, ...) and no pair was kept apart by a
reviewer — complete linkage on the vetoes. A refused join goes to the "maybe" queue with the
reason, so transitivity never merges two distinct papers silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from review.ingest.sources import cluster_id  # noqa: F401 - one home: import links use it too


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra

    def groups(self) -> list[list[int]]:
        """Sets with more than one member, each sorted, in order of their smallest member."""
        found: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            found.setdefault(self.find(x), []).append(x)
        return sorted((g for g in found.values() if len(g) > 1), key=lambda g: g[0])


def build_clusters(
    n: int,
    pairs: list[tuple[int, int, float]],
    conflict: Callable[[int, int], str | None],
    apart: Iterable[tuple[int, int]] = (),
) -> tuple[list[list[int]], list[tuple[int, int, str]]]:
    """Join `pairs` (i, j, score), best first; return the clusters and the refused pairs
    (i, j, why). `conflict(x, y)` is the veto between two records (None when they may be one
    work); it is asked for every pair across two clusters before they are joined."""
    uf = UnionFind(n)
    never: dict[int, set[int]] = {}
    for i, j in apart:
        never.setdefault(i, set()).add(j)
        never.setdefault(j, set()).add(i)
    members: dict[int, list[int]] = {}
    refused: list[tuple[int, int, str]] = []
    linked = {(i, j) for i, j, _s in pairs}
    for i, j, _score in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        mi, mj = members.get(ri, [ri]), members.get(rj, [rj])
        why = None
        if never and _kept_apart(never, mi, mj):
            why = "a reviewer kept two of these records apart"
        else:
            for x in mi:
                for y in mj:
                    key = (x, y) if x < y else (y, x)
                    if key in linked:
                        continue  # scored as a duplicate pair: it passed the vetoes
                    reason = conflict(x, y)
                    if reason:
                        why = f"would join records that differ: {reason}"
                        break
                if why:
                    break
        if why:
            refused.append((i, j, why))
            continue
        root = uf.union(i, j)
        members[root] = mi + mj
    return uf.groups(), refused


def _kept_apart(never: dict[int, set[int]], a: list[int], b: list[int]) -> bool:
    small, other = (a, set(b)) if len(a) <= len(b) else (b, set(a))
    return any(never.get(x, set()) & other for x in small)
