"""Word `.docx` transcripts and documents (python-docx), bold speaker names included."""

from __future__ import annotations

from pathlib import Path

from review.ingest.formats.qualitative import store_parsed
from review.ingest.pipeline import Format, ImportContext, ImportFailed
from review.ingest.transcripts.docx_text import DocxError, read_docx
from review.ingest.transcripts.text import parse_text


def detect(path: Path, data: bytes) -> int:
    if path.suffix.lower() == ".docx":
        return 60  # claimed even when it is not a zip, so the user hears why it failed
    if data.startswith(b"PK\x03\x04") and b"word/document.xml" in data:
        return 40
    return 0


def load(ctx: ImportContext) -> None:
    try:
        text, bold = read_docx(ctx.data)
    except DocxError as exc:
        raise ImportFailed(str(exc)) from None
    store_parsed(ctx, parse_text(text, bold))


FORMAT = Format(
    name="docx",
    detect=detect,
    load=load,
    order=20,
    archives=True,
    description="Word .docx transcript or document",
)
