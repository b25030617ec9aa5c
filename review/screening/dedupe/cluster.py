"""Clusters of duplicates through union-find, refusing joins that would merge distinct papers.

Pairs are joined strongest first. A chain A~B~C can join records that were never compared;
when a join would put two different DOIs (not versions of one) into one cluster, or two
records a reviewer kept apart, the pair is refused and goes to the "maybe" queue instead, so
transitivity never merges two distinct papers silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


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
    doi_stems: list[str],
    apart: Iterable[tuple[int, int]] = (),
) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Join `pairs` (i, j, score), best first; return the clusters and the refused pairs."""
    uf = UnionFind(n)
    dois: dict[int, set[str]] = {i: {d} for i, d in enumerate(doi_stems) if d}
    never: dict[int, set[int]] = {}
    for i, j in apart:
        never.setdefault(i, set()).add(j)
        never.setdefault(j, set()).add(i)
    members: dict[int, list[int]] = {}
    refused: list[tuple[int, int]] = []
    for i, j, _score in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        di, dj = dois.get(ri, set()), dois.get(rj, set())
        mi, mj = members.get(ri, [ri]), members.get(rj, [rj])
        if (di and dj and di != dj) or (never and _kept_apart(never, mi, mj)):
            refused.append((i, j))
            continue
        root = uf.union(i, j)
        members[root] = mi + mj
        merged = di | dj
        if merged:
            dois[root] = merged
    return uf.groups(), refused


def _kept_apart(never: dict[int, set[int]], a: list[int], b: list[int]) -> bool:
    small, other = (a, set(b)) if len(a) <= len(b) else (b, set(a))
    return any(never.get(x, set()) & other for x in small)


def cluster_id(keys: Iterable[str]) -> str:
    """A stable id for a set of record keys: the same cluster gets the same id every run."""
    digest = hashlib.sha1("\x1f".join(sorted(keys)).encode("utf-8")).hexdigest()
    return "c" + digest[:10]
