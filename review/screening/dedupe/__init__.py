"""Duplicate detection and merging of literature records (issue 8).

`detect` is the pure pipeline (normalise → block → score → cluster); `service` runs it over
the workspace database and merges, keeps apart or undoes; `merge` holds the reversible merge.
"""

from review.screening.dedupe.detect import Cluster, Detection, Pair, detect, plain_from_bibtex

__all__ = ["Cluster", "Detection", "Pair", "detect", "plain_from_bibtex"]
