"""A source's original record without the abstract stored twice, and which of its citation
columns were changed after import.

`Source.record` keeps every field of the record as the file had it, for a lossless export;
an RIS (or other tagged) record's abstract — about 1 KB of a ~2.6 KB row, and 40 % of a
database of search exports — is also the `abstract` column. When a tag's values are exactly
the column's value (one value, nothing tidied), the record holds `{"column": "abstract"}` in
their place and the text is stored once.

Reading: `original_record(record, abstract)` puts the value back (what every reader of the
tags uses: the RIS export, content fingerprints). Writing: a change of a source's abstract
through the ORM (`review sources edit`, a merge of duplicates that takes a longer abstract,
its undo) first writes the abstract the record referred to back into the record (the ORM
event below), so the record stays what the file said, as before.

Edited columns: an export written back from the record (BibTeX fields, RIS tags) would drop
an analyst's later change of a title, year or abstract, or what a merge of duplicates took
from the other record. So a change of a citation column through the ORM names that column in
the record under `_edited` (`EDITED`); exporters write those columns from the source, the
rest as the file had it. `original_record` leaves the key out.

Imported values: the columns that identify a record (`IDENTITY`: what the import's content
fingerprint reads, `review.ingest.sources.fingerprint`) keep the value they were imported
with under `_imported` the first time they change (`IMPORTED`, `imported_columns`). A merge
gives the survivor the other record's longer author list or its DOI; without the file's own
values a later export of the same search from the same database no longer matched the
survivor, and its record was imported again as a new one (PRISMA counted it twice).
`original_record` leaves this key out too.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from review.store import models as m

ABSTRACT = "abstract"
ABSTRACT_REF: dict[str, str] = {"column": ABSTRACT}  # a tag's values: the abstract column's
ABSTRACT_TAGS = ("AB", "N2")  # the tags an abstract is read from (RIS; AB in PubMed and WoS)
EDITED = "_edited"  # the record's own key: the citation columns changed since import
IMPORTED = "_imported"  # the record's own key: identity columns' values as imported
INHERITED = "_inherited"  # a BibTeX record's own key: the fields its crossref parents lent it
# The columns a re-import recognises a record by (`review.ingest.sources.fingerprint`)
IDENTITY = ("title", "authors", "year", "doi", "volume", "issue", "pages")
CITATION_COLUMNS = ("title", "authors", "year", "venue", "volume", "issue", "pages", "doi",
                    "url", "abstract", "keywords")  # fmt: skip


def is_ref(value: Any) -> bool:
    """Whether a record's value stands for the abstract column (never a real tag value:
    those are lists of strings)."""
    return type(value) is dict and value.get("column") == ABSTRACT


def refer_to_abstract(tags: dict, abstract: str | None) -> dict:
    """`tags` (changed in place and returned) with each abstract tag whose values are
    exactly `[abstract]` replaced by the reference to the column."""
    if abstract:
        for tag in ABSTRACT_TAGS:
            values = tags.get(tag)
            if values is not None and len(values) == 1 and values[0] == abstract:
                tags[tag] = ABSTRACT_REF
    return tags


def edited(record: dict | None) -> set[str]:
    """The citation columns changed since the record was imported (see the module)."""
    return set(record.get(EDITED) or ()) if record else set()


def imported_columns(record: dict | None) -> dict:
    """The identity columns that changed since import, with the values they were imported
    with (see the module); empty for a record never edited."""
    value = record.get(IMPORTED) if record else None
    return value if isinstance(value, dict) else {}


def own_fields(record: dict | None) -> dict:
    """The fields the file gave the record: a BibTeX entry's `fields`, else the record's tags
    or columns (RIS, PubMed, WoS, CSV), without our own keys (`_edited`, `_line`)."""
    if not record:
        return {}
    fields = record.get("fields")
    if isinstance(fields, dict):
        return fields
    return {k: v for k, v in record.items() if not str(k).startswith("_")}


def bibtex_fields(record: dict | None) -> dict[str, str]:
    """A BibTeX record's fields by lower-case name, as BibTeX reads them (`PUBLISHER`,
    `Editor` are `publisher`, `editor`: biber's and older JabRef files write them in capitals,
    and their publishers and editors were missing from the references; the first spelling
    wins), then the fields its crossref parents lent it (`INHERITED`: braced values) where it
    has none of its own. Values as written; {} for a record that is not BibTeX."""
    fields = record.get("fields") if isinstance(record, dict) else None
    if not isinstance(fields, dict):
        return {}
    out: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            out.setdefault(str(name).lower(), value)
    lent = cast(dict, record).get(INHERITED)
    for name, value in lent.items() if isinstance(lent, dict) else ():
        if isinstance(value, str):
            out.setdefault(str(name).lower(), value)
    return out


def original_record(record: dict | None, abstract: str | None) -> dict:
    """The record as the file had it: references replaced by the abstract (`[abstract]`),
    without the list of edited columns."""
    if not record:
        return {} if record is None else record
    if EDITED in record or IMPORTED in record:
        record = {k: v for k, v in record.items() if k not in (EDITED, IMPORTED)}
    if not any(type(v) is dict for v in record.values()):
        return record  # (the usual case for a record without one: no copy)
    return {k: ([abstract or ""] if is_ref(v) else v) for k, v in record.items()}


@event.listens_for(m.Source.abstract, "set", active_history=True)
def _keep_original(target: m.Source, value: Any, oldvalue: Any, _initiator: Any) -> None:
    """Before a stored source's abstract changes, its record gets the old one back in place
    of any reference (the record is the file's, whatever the column becomes)."""
    if value == oldvalue or not isinstance(oldvalue, str):
        return  # unchanged, or a new object being built (no old value yet)
    record = target.record
    if record and any(is_ref(v) for v in record.values()):
        restored = original_record(record, oldvalue)
        for own in (EDITED, IMPORTED):  # (kept: `original_record` is the file's record alone)
            if own in record:
                restored[own] = record[own]
        target.record = restored


def _mark_edited(name: str):
    def listener(target: m.Source, value: Any, oldvalue: Any, _initiator: Any) -> None:
        """A stored source's citation column changes: its record names the column."""
        if oldvalue is NO_VALUE or oldvalue is NEVER_SET or value == oldvalue:
            return  # a new object being built, or no change
        record = target.record
        if not record or name in (record.get(EDITED) or ()):
            return  # no record to write back from, or already named
        changed = {**record, EDITED: sorted({*(record.get(EDITED) or ()), name})}
        if name in IDENTITY and name not in imported_columns(record):
            before = list(oldvalue) if isinstance(oldvalue, tuple) else oldvalue
            changed[IMPORTED] = {**imported_columns(record), name: before}
        target.record = changed

    return listener


for _name in CITATION_COLUMNS:  # after `_keep_original`: it may replace the record first
    event.listen(getattr(m.Source, _name), "set", _mark_edited(_name), active_history=True)
