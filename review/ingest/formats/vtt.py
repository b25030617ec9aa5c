"""WebVTT captions (Teams, Zoom, `<v Speaker>` voice tags, NOTE blocks) as transcripts."""

from __future__ import annotations

from pathlib import Path

from review.ingest.formats.qualitative import refuse_binary, store_parsed
from review.ingest.pipeline import Format, ImportContext
from review.ingest.transcripts.captions import parse_vtt


def detect(path: Path, data: bytes) -> int:
    head = data[:64].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"WEBVTT"):
        return 95
    return 50 if path.suffix.lower() == ".vtt" else 0


def load(ctx: ImportContext) -> None:
    refuse_binary(ctx, "WebVTT captions")
    store_parsed(ctx, parse_vtt(ctx.read_text().text), kind="transcript")


FORMAT = Format(
    name="webvtt",
    detect=detect,
    load=load,
    order=20,
    description="WebVTT captions / Teams or Zoom transcript",
)
