"""Which sources are literature, transcripts or documents: one rule for every stage.

A review holds two kinds of evidence. *Literature* is what the searches found — every record
of a citation export (BibTeX, RIS, PubMed, Web of Science, CSV), whatever its entry type: an
`@unpublished` manuscript or a `@manual` is still a record to deduplicate, screen and count in
PRISMA. The team's own *qualitative data* is never screened: *transcripts* (speaker turns) and
*documents* (a PDF, DOCX or text without speakers, or a REFI-QDA project's text, that matched no
literature record). A PDF attached to a literature record stays literature.

Deduplication, screening, PRISMA, the library, the briefing tables and the exports all ask
here, in Python (`source_class`) or in SQL (`literature_clause` and friends), so they cannot
disagree about a record.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import and_, func, not_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from review.store import models as m

SourceClass = Literal["literature", "transcript", "document"]
LITERATURE: SourceClass = "literature"
TRANSCRIPT: SourceClass = "transcript"
DOCUMENT: SourceClass = "document"
CLASSES: tuple[SourceClass, ...] = (LITERATURE, TRANSCRIPT, DOCUMENT)

# Formats whose records are citations (literature) whatever their kind.
CITATION_FORMATS = ("bibtex", "ris", "pubmed", "wos", "csv", "ovid", "endnote")


def source_class(kind: str | None, record_format: str | None) -> SourceClass:
    """Literature, transcript or document (see the module docstring for the rule)."""
    if kind == "transcript":
        return TRANSCRIPT
    if kind == "document" and (record_format or "") not in CITATION_FORMATS:
        return DOCUMENT
    return LITERATURE


def class_of(source: m.Source) -> SourceClass:
    """`source_class` of a loaded source."""
    return source_class(source.kind, source.record_format)


def is_literature(source: m.Source) -> bool:
    return class_of(source) == LITERATURE


def is_qualitative(source: m.Source) -> bool:
    """The team's own data (transcripts and documents): never screened or deduplicated."""
    return class_of(source) != LITERATURE


def _document_sql() -> ColumnElement[bool]:
    fmt = func.coalesce(m.Source.record_format, "")
    return and_(col(m.Source.kind) == "document", fmt.not_in(CITATION_FORMATS))


def literature_clause() -> ColumnElement[bool]:
    """SQL: the source is literature."""
    return and_(col(m.Source.kind) != "transcript", not_(_document_sql()))


def qualitative_clause() -> ColumnElement[bool]:
    """SQL: the source is a transcript or a document."""
    return or_(col(m.Source.kind) == "transcript", _document_sql())


def class_clause(cls: SourceClass) -> ColumnElement[bool]:
    """SQL for one class."""
    if cls == LITERATURE:
        return literature_clause()
    if cls == TRANSCRIPT:
        return col(m.Source.kind) == "transcript"
    return _document_sql()
