"""PDF full text via pypdf, de-hyphenated at line ends, plus what can identify the work.

An encrypted PDF is tried with the empty password (owner-only restrictions are common in
publishers' PDFs); if that fails it is refused with one line. A PDF without a text layer
(a scan) is refused too: there is nothing to code.
"""

from __future__ import annotations

import io
import re
from typing import Any

from review.ingest.textio import normalise

# "co-\nproduction" keeps its hyphen: these prefixes make real compounds in this literature.
_KEEP_HYPHEN = {
    "co",
    "self",
    "non",
    "cross",
    "well",
    "multi",
    "long",
    "short",
    "semi",
    "anti",
    "ex",
    "quasi",
    "pseudo",
    "low",
    "high",
    "mid",
    "full",
    "part",
    "face",
    "user",
    "citizen",
    "state",
    "public",
    "so",
    "e",
    "decision",
    "policy",
    "evidence",
    "community",
    "place",
    "top",
    "bottom",
    "follow",
    "one",
    "two",
    "three",
    "five",
}
_HYPHEN_BREAK = re.compile(r"(\w+)-\n[ \t]*([a-z][^\s]*)[ \t]?")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PdfError(ValueError):
    """The PDF cannot be used; the message says why, in one line."""


def dehyphenate(text: str) -> str:
    """Join words split across lines ("partici-\\npation" -> "participation\\n"), keeping real
    compounds ("co-\\nproduction" stays hyphenated, and moves to one line)."""

    def join(m: re.Match) -> str:
        head, tail = m.group(1), m.group(2)
        if head.lower() in _KEEP_HYPHEN or head[-1].isdigit():
            return f"{head}-{tail}\n"
        return f"{head}{tail}\n"

    return _HYPHEN_BREAK.sub(join, text)


def find_doi(text: str) -> str | None:
    """The first DOI in the text, without trailing punctuation."""
    m = _DOI.search(text)
    return m.group(1).rstrip(".,;:)]}").lower() if m else None


def read_pdf(data: bytes) -> tuple[str, dict]:
    """(normalised de-hyphenated text, meta) of a PDF; raises PdfError with a clear reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5] == b"%PDF-":
        raise PdfError("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            ok: object
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise PdfError("encrypted PDF (password protected): remove the password first")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[Any, Any] = reader.metadata or {}
    except PdfError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on damaged files
        raise PdfError(f"cannot read the PDF: {type(exc).__name__}: {exc}") from None
    text = normalise("\n\n".join(p.strip("\n") for p in pages))
    text = _CONTROL.sub("", dehyphenate(text))
    text = normalise(re.sub(r"[ \t]+\n", "\n", text).strip()) + "\n"
    if not text.strip():
        raise PdfError("the PDF has no text layer (a scan?): nothing to import")
    meta: dict[str, object] = {"pages": len(pages)}
    for key, name in (("/Title", "title"), ("/Author", "author"), ("/Subject", "subject")):
        value = info.get(key) if hasattr(info, "get") else None
        if value and str(value).strip():
            meta[name] = str(value).strip()
    return text, meta
