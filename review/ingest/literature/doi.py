"""DOIs in one form: lower-case, no resolver prefix, no `doi:`, URL-decoded.

Exports write DOIs as `https://doi.org/10.1000/XYZ`, `doi:10.1000/xyz`, `DOI 10.1000/xyz`,
`http://dx.doi.org/10.1000%2Fxyz` or with a trailing `[doi]` (PubMed). Deduplication compares
DOIs exactly, so each is reduced to the bare, lower-case `10.prefix/suffix`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_DOI = re.compile(r"10\.\d{3,9}/\S+", re.IGNORECASE)
_TRAIL = ".,;)]}>\"'"


def normalise_doi(value: str | None) -> str | None:
    """The bare lower-case DOI in `value`, or None when there is none."""
    if not value:
        return None
    text = value.strip()
    if "%" in text:
        text = unquote(text)
    m = _DOI.search(text)
    if m is None:
        return None
    doi = m.group(0).rstrip(_TRAIL)
    if doi.endswith("[doi]"):
        doi = doi[:-5]
    return doi.lower() or None
