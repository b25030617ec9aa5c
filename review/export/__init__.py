"""Exports: BibTeX/RIS of sources, coded excerpts, REFI-QDA projects."""
