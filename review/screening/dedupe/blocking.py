"""Blocking: which pairs of records are worth scoring, without comparing every pair.

Each record gets a few cheap keys (its DOI; its year, volume and first page; the start and
the end of its title and of its translated titles; its first author with the year); only
records sharing a key are compared, and inside a block
`rapidfuzz.process.cdist` scores all titles at once in C. A typo in the first words of a
title still meets its twin through the title's end or the author key. Blocks that grow huge
(a common surname, an "Introduction" title) are cut into sorted windows, so the cost stays
near-linear in the number of records instead of quadratic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from review.screening.dedupe.normalise import Prepared

TITLE_CUTOFF = 80  # a title pair scoring below this (0-100) is not a candidate
BIG_BLOCK = 400  # larger blocks are compared in sorted windows of WINDOW records
WINDOW = 60
KEY_CHARS = 14


def keys(rec: Prepared) -> set[str]:
    """The blocking keys of one record."""
    out: set[str] = set()
    if rec.doi:
        out.add("d:" + rec.doi_stem)
    if rec.volume and rec.page and rec.year:  # one citation, whatever the titles say
        out.add(f"c:{rec.year}:{rec.volume}:{rec.page}")
    if rec.title:
        compact = rec.title.replace(" ", "")
        if len(compact) >= 6:
            out.add("t:" + compact[:KEY_CHARS])
            out.add("e:" + compact[-KEY_CHARS:])
        for form in rec.titles.forms:  # a translated title meets its original
            compact = form.replace(" ", "")
            out.add("f:" + compact[:KEY_CHARS])
            out.add("f:" + compact[-KEY_CHARS:])
        if rec.authors:  # year and year+1: an online-first record meets its print twin
            for surname in rec.authors[0].surnames:
                out.add(f"a:{surname}:{rec.year or ''}")
                if rec.year:
                    out.add(f"a:{surname}:{rec.year + 1}")
    return out


def candidate_pairs(records: list[Prepared]) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of record indexes that share a block and look alike enough."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for rec in records:
        for k in keys(rec):
            blocks[k].append(rec.index)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if key.startswith(("d:", "c:", "f:")):
            pairs.update(_all_pairs(members))  # same DOI, citation or translation: scored
        else:
            pairs.update(_similar_titles(records, members))
    return pairs


def _all_pairs(members: list[int]) -> Iterable[tuple[int, int]]:
    ms = sorted(set(members))
    if len(ms) > BIG_BLOCK:  # a DOI shared by hundreds of records is a placeholder
        return ()
    return ((a, b) for n, a in enumerate(ms) for b in ms[n + 1 :])


def _similar_titles(records: list[Prepared], members: list[int]) -> Iterable[tuple[int, int]]:
    if len(members) == 2:
        a, b = sorted(members)
        if fuzz.ratio(records[a].title, records[b].title) >= TITLE_CUTOFF:
            return ((a, b),)
        return ()
    if len(members) > BIG_BLOCK:
        members = sorted(members, key=lambda i: records[i].title)
        out: list[tuple[int, int]] = []
        step = WINDOW // 2
        for start in range(0, len(members), step):
            out.extend(_cdist_pairs(records, members[start : start + WINDOW]))
        return out
    return _cdist_pairs(records, members)


def _cdist_pairs(records: list[Prepared], members: list[int]) -> list[tuple[int, int]]:
    titles = [records[i].title for i in members]
    scores = process.cdist(
        titles, titles, scorer=fuzz.ratio, score_cutoff=TITLE_CUTOFF, dtype=np.uint8
    )
    rows, cols = np.nonzero(np.triu(scores, k=1))
    out = []
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = members[r], members[c]
        out.append((a, b) if a < b else (b, a))
    return out
