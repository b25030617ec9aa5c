"""review: an evidence-review manager for literature, transcripts and survey indicators."""

__version__ = "0.1.0"
