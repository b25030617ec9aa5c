"""Pieces the coding benchmarks share (imported by `bench/coding_*.py`, which run as scripts
with this folder first on sys.path): a synthetic transcript row for a bulk `insert(Source)`,
and the process's peak memory in the same unit every coding benchmark prints."""

from __future__ import annotations

import resource


def transcript_row(key: str, text: str, **columns) -> dict:
    """A `Source` row of kind transcript for Core `insert()`: the JSON columns a bulk insert
    does not default (authors, keywords, record, meta) set empty."""
    return dict(
        key=key,
        kind="transcript",
        text=text,
        authors=[],
        keywords=[],
        record={},
        meta={},
        **columns,
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
