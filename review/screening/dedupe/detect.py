"""The pure detection pipeline: plain records in, clusters and a "maybe" queue out.

No database here, so the benchmark and the tests run exactly what `review dedupe` runs:
normalise → block → score candidate pairs → union-find clusters (every pair inside a
cluster passes the vetoes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from review.screening.dedupe.blocking import candidate_pairs
from review.screening.dedupe.cluster import build_clusters, cluster_id
from review.screening.dedupe.normalise import Prepared, prepare
from review.screening.dedupe.score import DUPLICATE, MAYBE, TITLE_MAYBE, score_pair, veto

FIELDS = ("key", "title", "authors", "year", "venue", "volume", "issue", "pages", "doi", "kind")


@dataclass
class Pair:
    a: str
    b: str
    score: float
    reasons: list[str]

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": self.reasons}


@dataclass
class Cluster:
    id: str
    keys: list[str]
    pairs: list[Pair] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why its pairs matched, each reason once, without the per-pair percentages."""
        return sorted({r for p in self.pairs for r in p.reasons if "%" not in r})

    @property
    def score(self) -> float | None:
        """The weakest pair's score: the cluster holds together at least this well."""
        return min((p.score for p in self.pairs), default=None)

    def to_dict(self) -> dict:
        return {"id": self.id, "keys": self.keys, "pairs": [p.to_dict() for p in self.pairs]}


@dataclass
class Detection:
    records: int
    candidates: int
    clusters: list[Cluster]
    maybe: list[Pair]
    shared_dois: list[str] = field(default_factory=list)  # not used: several works carry them

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "candidate_pairs": self.candidates,
            "clusters": [c.to_dict() for c in self.clusters],
            "maybe": [p.to_dict() for p in self.maybe],
            "shared_dois": self.shared_dois,
        }


def detect(
    records: list[dict],
    apart: Iterable[frozenset[str]] = (),
    progress: Callable[[int], None] | None = None,
    merged: dict[str, list[dict]] | None = None,
) -> Detection:
    """Find duplicates among plain records (dicts with the keys in `FIELDS`).

    `apart` holds key pairs a reviewer already kept apart: never proposed again.
    `progress(n)` is told as records are normalised (the bulk of the work).
    `merged` gives, by a record's key, the records already merged into it (a workspace after
    an earlier `--apply`): a join must pass the vetoes against them too, since the survivor
    took the best of their fields and now matches records they do not (no chain through an
    earlier merge either).
    """
    prepared: list[Prepared] = []
    for i, r in enumerate(records):
        prepared.append(prepare(i, r))
        if progress is not None and i % 1000 == 999:
            progress(1000)
    if progress is not None and len(records) % 1000:
        progress(len(records) % 1000)
    shared = drop_shared_dois(prepared)
    kept_apart = {frozenset(p) for p in apart}
    index = {p.key: p.index for p in prepared}
    apart_idx = [
        (index[a], index[b])
        for a, b in (tuple(p) for p in kept_apart if len(p) == 2)
        if a in index and b in index
    ]
    hidden = _Hidden(merged or {}, shared)
    if hidden:  # a pair kept apart with a merged record keeps its survivor apart too
        for survivor, keys in hidden.keys.items():
            if survivor in index:
                for k in keys:
                    index.setdefault(k, index[survivor])
        apart_idx = [
            (index[a], index[b])
            for a, b in (tuple(p) for p in kept_apart if len(p) == 2)
            if a in index and b in index and index[a] != index[b]
        ]
    pairs = candidate_pairs(prepared)
    dup: list[tuple[int, int, float]] = []
    why: dict[tuple[int, int], Pair] = {}
    maybe: list[Pair] = []
    for i, j in sorted(pairs):
        a, b = prepared[i], prepared[j]
        if kept_apart and frozenset((a.key, b.key)) in kept_apart:
            continue
        v = score_pair(a, b)
        if v.decision == DUPLICATE and hidden:
            stop = hidden.conflict(a, b)
            if stop:
                stop = f"would join records that differ: {stop}"  # (as `build_clusters` says)
                maybe.append(Pair(a.key, b.key, v.score, [stop, *v.reasons]))
                continue
        if v.decision == DUPLICATE:
            dup.append((i, j, v.score))
            why[(i, j)] = Pair(a.key, b.key, v.score, v.reasons)
        elif v.decision == MAYBE:
            maybe.append(Pair(a.key, b.key, v.score, v.reasons))

    def conflict(x: int, y: int) -> str | None:
        stop = veto(prepared[x], prepared[y])
        if stop:
            return f"{prepared[x].key} and {prepared[y].key}, {stop[1]}"
        if hidden:
            return hidden.conflict(prepared[x], prepared[y])
        return None

    groups, refused = build_clusters(len(prepared), dup, conflict, apart_idx)
    for i, j, reason in refused:
        p = why.pop((i, j))
        if frozenset((p.a, p.b)) not in kept_apart:
            maybe.append(Pair(p.a, p.b, p.score, [reason, *p.reasons]))
    member = {i: n for n, g in enumerate(groups) for i in g}
    by_group: dict[int, list[Pair]] = {}
    for (i, _j), p in why.items():
        by_group.setdefault(member[i], []).append(p)
    clusters = []
    for n, g in enumerate(groups):
        keys = [prepared[i].key for i in g]
        clusters.append(Cluster(cluster_id(keys), keys, by_group.get(n, [])))
    maybe = [p for p in maybe if member.get(index[p.a], -1) != member.get(index[p.b], -2)]
    maybe.sort(key=lambda p: (-p.score, p.a, p.b))
    return Detection(len(records), len(pairs), clusters, maybe, shared)


class _Hidden:
    """The records merged into each survivor, prepared only when the survivor is compared."""

    def __init__(self, merged: dict[str, list[dict]], shared: list[str]) -> None:
        self.records = {k: v for k, v in merged.items() if v}
        self.keys = {k: [str(r["key"]) for r in v] for k, v in self.records.items()}
        self.shared = set(shared)
        self._prepared: dict[str, list[Prepared]] = {}

    def __bool__(self) -> bool:
        return bool(self.records)

    def of(self, p: Prepared) -> list[Prepared]:
        if p.key not in self.records:
            return []
        if p.key not in self._prepared:
            out = [prepare(-1, r) for r in self.records[p.key]]
            for h in out:
                if h.doi in self.shared:
                    h.doi = h.doi_stem = ""
            self._prepared[p.key] = out
        return self._prepared[p.key]

    def conflict(self, a: Prepared, b: Prepared) -> str | None:
        """Why `a` and `b` may not be joined through the records merged into either, or
        None: every record of one side (itself and its merged ones) against the other's."""
        ha, hb = self.of(a), self.of(b)
        if not (ha or hb):
            return None
        for x in (a, *ha):
            for y in (b, *hb):
                if x is a and y is b:
                    continue  # the pair itself: scored by the caller
                stop = veto(x, y)
                if stop:
                    where = [f"{h.key} (merged into {s.key})" if h is not s else h.key
                             for h, s in ((x, a), (y, b))]  # fmt: skip
                    return f"{where[0]} and {where[1]}, {stop[1]}"
        return None


SHARED_DOI_TITLES = 3  # a DOI on this many different titles names an issue, not a paper


def drop_shared_dois(prepared: list[Prepared]) -> list[str]:
    """Forget DOIs that several different works carry: the abstracts of one supplement, the
    items of an issue or a proceedings volume often share one DOI, and it says nothing about
    which item a record is. Those records are then compared like records without a DOI
    (title, authors, volume, pages). Returns the DOIs dropped."""
    titles: dict[str, list[str]] = defaultdict(list)
    for p in prepared:
        if p.doi and p.title:
            seen = titles[p.doi]
            if len(seen) < SHARED_DOI_TITLES and all(
                fuzz.ratio(p.title, t) < TITLE_MAYBE for t in seen
            ):
                seen.append(p.title)
    shared = {d for d, seen in titles.items() if len(seen) >= SHARED_DOI_TITLES}
    for p in prepared:
        if p.doi in shared:
            p.doi = p.doi_stem = ""
    return sorted(shared)


def plain_from_bibtex(entry: dict) -> dict:
    """A BibTeX-style dict (`ID`, `ENTRYTYPE`, `author`, `journal`/`booktitle`, `number`, ...)
    as the plain record `detect` takes."""

    def get(name: str):
        value = entry.get(name)
        return None if value is None or value != value else value  # NaN from pandas

    return {
        "key": str(get("ID")),
        "kind": get("ENTRYTYPE"),
        "title": get("title"),
        "authors": get("author"),
        "year": get("year"),
        "venue": get("journal") or get("booktitle"),
        "volume": get("volume"),
        "issue": get("number") or get("issue"),
        "pages": get("pages"),
        "doi": get("doi"),
    }
