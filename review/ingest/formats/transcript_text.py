"""Plain-text and Markdown transcripts (and plain documents) — `.txt`, `.md`.

Detected modestly (score 10) so the literature formats' RIS / Web of Science / PubMed `.txt`
files win; a text with speaker labels becomes a transcript, one without a document.
"""

from __future__ import annotations

from pathlib import Path

from review.ingest.formats.qualitative import refuse_binary, store_parsed
from review.ingest.pipeline import Format, ImportContext, markup
from review.ingest.transcripts.text import parse_text

EXTENSIONS = {".txt", ".text", ".md", ".markdown"}


def detect(path: Path, data: bytes) -> int:
    if path.suffix.lower() not in EXTENSIONS or not data.strip() or markup(data):
        return 0  # (a web page or XML saved as .txt is neither: the import says what it is)
    return 10


def load(ctx: ImportContext) -> None:
    refuse_binary(ctx, "a text transcript")
    decoded = ctx.read_text()
    parsed = parse_text(decoded.text)
    parsed.meta["encoding"] = decoded.encoding
    store_parsed(ctx, parsed)


FORMAT = Format(
    name="transcript-text",
    detect=detect,
    load=load,
    order=20,
    description="plain-text / Markdown transcript (speaker turns) or document",
)
