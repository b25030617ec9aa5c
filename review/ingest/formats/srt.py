"""SRT subtitles as transcripts (speaker labels in the cue text when present)."""

from __future__ import annotations

import re
from pathlib import Path

from review.ingest.formats.qualitative import refuse_binary, store_parsed
from review.ingest.pipeline import Format, ImportContext
from review.ingest.transcripts.captions import parse_srt

_FIRST_CUE = re.compile(rb"^\s*\d+\s*\r?\n\s*\d+:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def detect(path: Path, data: bytes) -> int:
    if _FIRST_CUE.match(data[:200].lstrip(b"\xef\xbb\xbf")):
        return 90
    return 50 if path.suffix.lower() == ".srt" else 0


def load(ctx: ImportContext) -> None:
    refuse_binary(ctx, "SRT subtitles")
    store_parsed(ctx, parse_srt(ctx.read_text().text), kind="transcript")


FORMAT = Format(
    name="srt",
    detect=detect,
    load=load,
    order=20,
    description="SRT subtitles as a transcript",
)
