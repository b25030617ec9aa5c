"""Pure parsers for qualitative sources: transcripts (text, Markdown, .docx, WebVTT, SRT) and
document text (PDF). Bytes or text in; a `Parsed` record out (the normalised text, speaker
turns as offsets into it, header metadata, problems as values). Nothing here touches the
database, so every parser is testable on a file alone.
"""

from review.ingest.transcripts.model import Parsed, Problem, Turn

__all__ = ["Parsed", "Problem", "Turn"]
