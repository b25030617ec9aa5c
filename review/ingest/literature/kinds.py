"""Record types of each format mapped to `Source.kind` (article, book, chapter, report, ...),
and each kind's name as a reader is shown it (`kind_name`)."""

from __future__ import annotations

BIBTEX_KINDS = {
    "article": "article",
    "book": "book",
    "booklet": "book",
    "mvbook": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "suppbook": "chapter",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "conference",
    "inproceedings": "conference",
    "conference": "conference",
    "manual": "document",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "misc": "misc",
    "online": "web",
    "electronic": "web",
    "www": "web",
    "unpublished": "document",
    "patent": "patent",
    "periodical": "article",
    "dataset": "dataset",
    "software": "software",
    # Mendeley writes its own document types as entry types
    "book_section": "chapter",
    "web_page": "web",
    "generic": "misc",
    "journal_article": "article",
    "magazine_article": "article",
    "newspaper_article": "article",
    "conference_proceedings": "conference",
    "working_paper": "report",
    "encyclopedia_article": "chapter",
    "computer_program": "software",
    "hearing": "document",
    "statute": "document",
    "bill": "document",
    "case": "document",
    "television_broadcast": "misc",
    "film": "misc",
}

RIS_KINDS = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "ABST": "article",
    "INPR": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "conference",
    "CPAPER": "conference",
    "RPRT": "report",
    "GOVDOC": "report",
    "THES": "thesis",
    "ELEC": "web",
    "WEB": "web",
    "BLOG": "web",
    "GEN": "misc",
    "UNPB": "document",
    "MANSCPT": "document",
    "PAT": "patent",
    "DATA": "dataset",
    "COMP": "software",
    "STAT": "document",
    "BILL": "document",
    "CASE": "document",
}

WOS_KINDS = {"J": "article", "B": "book", "S": "chapter", "P": "patent", "C": "conference"}

# Each kind as a reader is shown it (the briefing note's Table 3): a policy analyst reads
# "Conference paper" and "Other", not the stored "conference" and "misc".
KIND_NAMES = {
    "article": "Journal article",
    "book": "Book",
    "chapter": "Book chapter",
    "conference": "Conference paper",
    "report": "Report",
    "thesis": "Thesis",
    "web": "Web page",
    "document": "Document",
    "patent": "Patent",
    "dataset": "Dataset",
    "software": "Software",
    "transcript": "Transcript",
    "misc": "Other",
}
PROCEEDINGS_NAME = "Conference proceedings"  # a whole volume (`citation.proceedings_volume`)


def kind_name(kind: str | None, *, volume: bool = False) -> str:
    """A kind's name for a reader: 'conference' is "Conference paper" ("Conference
    proceedings" for a whole `volume`), 'misc' "Other". A kind set by hand (`review sources
    mend --set kind=...`, a REFI-QDA project's) that is a BibTeX or RIS type is named as the
    importer would have stored it ('techreport' "Report", 'THES' "Thesis"); any other is
    shown as written, capitalised."""
    text = (kind or "").strip()
    known = text.lower()
    if known not in KIND_NAMES:
        known = BIBTEX_KINDS.get(known) or RIS_KINDS.get(text.upper(), "")
    if volume and known == "conference":
        return PROCEEDINGS_NAME
    if known:
        return KIND_NAMES[known]
    return text[:1].upper() + text[1:] if text else KIND_NAMES["misc"]


def from_labels(labels: list[str]) -> str:
    """The kind of a record that lists several publication types, as PubMed's and Ovid's
    `PT` tags do in alphabetical order: "Case Reports", "Comparative Study" or "English
    Abstract" come before "Journal Article", and the first alone made a journal article a
    report or a misc. A journal article is one; else the first type that names a kind."""
    if not labels or any(label.strip().lower() == "journal article" for label in labels):
        return "article"
    kinds = [from_label(label) for label in labels]
    return next((k for k in kinds if k != "misc"), "misc")


def from_label(label: str | None) -> str:
    """A free-text document type (Scopus "Article", "Book Chapter", PubMed "Review")."""
    text = (label or "").strip().lower()
    if not text:
        return "article"
    for needle, kind in (
        ("book review", "article"),  # (Web of Science): a journal's review of a book
        ("chapter", "chapter"),
        ("conference", "conference"),
        ("proceeding", "conference"),
        ("book", "book"),
        ("thesis", "thesis"),
        ("dissertation", "thesis"),
        ("case report", "article"),  # PubMed's "Case Reports": a journal's, not a report
        ("report", "report"),
        ("article", "article"),
        ("review", "article"),
        ("letter", "article"),
        ("editorial", "article"),
        ("note", "article"),
        ("journal", "article"),
        ("web", "web"),
        ("data", "dataset"),
    ):
        if needle in text:
            return kind
    return "misc"
