"""BibTeX and RIS of the included (or chosen) sources.

A record imported from BibTeX is written back from its original fields (`Source.record`), so
a round trip loses nothing, and one from RIS from its tags; other sources are written from
the citation columns. A column changed since import (`review sources edit`, a merge of
duplicates) is written from the source, in place of its fields or tags (`records.edited`):
the file's own text for the rest, the analyst's for what they changed. Cite keys are made
safe for BibTeX and unique.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from sqlmodel import Session, col, select

from review import safetext
from review.errors import NotFound
from review.ingest.sources import normal_key
from review.screening.decisions import included_source_ids
from review.store import models as m
from review.store.kinds import literature_clause
from review.store.records import edited, original_record

_KIND_TO_BIB = {
    "article": "article", "report": "techreport", "book": "book", "chapter": "incollection",
    "conference": "inproceedings", "thesis": "phdthesis", "document": "misc", "web": "misc",
}  # fmt: skip
_KIND_TO_RIS = {
    "article": "JOUR", "report": "RPRT", "book": "BOOK", "chapter": "CHAP",
    "conference": "CONF", "thesis": "THES", "transcript": "GEN", "document": "GEN",
}  # fmt: skip
_META = {"ENTRYTYPE", "ID", "entry_type", "key", "type", "fields", "_line", "_file"}


def select_sources(
    session: Session, keys: Iterable[str] | None = None, include_all: bool = False
) -> list[m.Source]:
    """The sources to write: named keys, every live literature source, or the included ones."""
    q = select(m.Source).where(col(m.Source.merged_into_id).is_(None))
    keys = [normal_key(k) for k in keys or []]
    if keys:
        rows = session.exec(q.where(col(m.Source.key).in_(keys))).all()
        missing = sorted(set(keys) - {r.key for r in rows})
        if missing:
            raise NotFound(f"no source with key {', '.join(missing)}")
    elif include_all:
        rows = session.exec(q.where(literature_clause())).all()
    else:
        ids = included_source_ids(session)
        rows = session.exec(q.where(col(m.Source.id).in_(ids))).all() if ids else []
    return sorted(rows, key=lambda s: s.key)


def safe_key(key: str) -> str:
    """A BibTeX-safe cite key: no spaces, commas, braces, quotes or '#%~'."""
    k = re.sub(r"[\s,{}()\"'#%~\\=]+", "_", key.strip()).strip("_")
    return k or "ref"


def unique_keys(sources: list[m.Source]) -> dict[int, str]:
    """Source id -> a cite key unique in the output (a, b, c suffixes on collision)."""
    out: dict[int, str] = {}
    used: set[str] = set()
    for s in sources:
        base = safe_key(s.key)
        key, n = base, 0
        while key.lower() in used:
            n += 1
            key = f"{base}{chr(ord('a') + (n - 1) % 26)}{'' if n <= 26 else n}"
        used.add(key.lower())
        assert s.id is not None  # a stored row's primary key
        out[s.id] = key
    return out


def original_fields(source: m.Source) -> tuple[str | None, dict[str, str], dict[str, str]]:
    """(entry type, raw fields as written, raw @string macros used) of a BibTeX-born source.

    The BibTeX importer keeps `{"type", "key", "fields": {name: raw value}, "macros": {...}}`
    with values exactly as written (braces, quotes, `#`), so they are written back verbatim.
    """
    rec = source.record or {}
    if (source.record_format or "").lower() not in ("bibtex", "bib", "biblatex") or not rec:
        return None, {}, {}
    etype = rec.get("type") or rec.get("ENTRYTYPE") or rec.get("entry_type")
    fields = rec.get("fields") if isinstance(rec.get("fields"), dict) else None
    if fields is None:  # a flat record (bibtexparser 1 style): values are not raw
        fields = {
            k: _braced(str(v)) for k, v in rec.items() if k not in _META and not k.startswith("_")
        }
    macros = cast(dict, rec.get("macros")) if isinstance(rec.get("macros"), dict) else {}
    return (
        (str(etype).lower() if etype else None),
        {str(k): str(v) for k, v in fields.items() if v is not None},
        {str(k): str(v) for k, v in macros.items()},
    )


def _column_fields(s: m.Source) -> dict[str, str]:
    f: dict[str, str] = {}
    if s.authors:
        f["author"] = " and ".join(s.authors)
    if s.title:
        f["title"] = s.title
    if s.year:
        f["year"] = str(s.year)
    if s.venue:
        f["booktitle" if s.kind in ("chapter", "conference") else "journal"] = s.venue
        if s.kind == "report":
            f["institution"] = f.pop("journal")
    for name, value in (("volume", s.volume), ("number", s.issue), ("pages", s.pages),
                        ("doi", s.doi), ("url", s.url), ("abstract", s.abstract)):  # fmt: skip
        if value:
            f[name] = value
    if s.keywords:
        f["keywords"] = ", ".join(s.keywords)
    return f


# column -> the BibTeX fields it is read from (the first present is replaced)
_BIB_FIELDS = {
    "title": ("title",), "authors": ("author",), "year": ("year", "date"),
    "venue": ("journal", "journaltitle", "booktitle", "institution"), "volume": ("volume",),
    "issue": ("number", "issue"), "pages": ("pages",), "doi": ("doi",), "url": ("url",),
    "abstract": ("abstract",), "keywords": ("keywords",),
}  # fmt: skip


def _bib_edits(fields: dict[str, str], s: m.Source, names: set[str]) -> dict[str, str]:
    """Raw fields with each edited column written from the source: in the place of the
    field it was read from (other fields of the same column dropped: a `date` beside an
    edited `year` would contradict it), else added; an emptied column drops its field."""
    columns = _column_fields(s)  # field -> value, as a source without a record is written
    for column in sorted(names & _BIB_FIELDS.keys()):
        read_from = _BIB_FIELDS[column]
        value = next((v for k, v in columns.items() if k in read_from), None)
        present = [k for k in fields if k.lower() in read_from]
        name = present[0] if present else next((k for k in columns if k in read_from), None)
        out = {k: v for k, v in fields.items() if k not in present or k == name}
        if name is not None and value is not None:
            out[name] = _braced(value)
        else:
            out.pop(name or "", None)
        fields = out
    return fields


def _braced(value: str) -> str:
    """A value from outside (RIS, CSV, a column) as a braced BibTeX field, made safe:
    file- and shell-touching commands neutralised, unmatched braces escaped."""
    return "{" + safetext.bibtex(value) + "}"


def _raw(value: str) -> str:
    """A raw BibTeX value written back as it was read (its braces were balanced for the
    parser), except for commands that would read or write files or run programs."""
    return safetext.bibtex_commands(safetext.terminal(value))


def _word(name: str) -> str:
    """An entry type or field name as BibTeX reads one (letters, digits, `-_:.`)."""
    return re.sub(r"[^A-Za-z0-9_:.\-]", "", name) or "x"


def to_bibtex(sources: list[m.Source]) -> str:
    """BibTeX text, one entry per source in key order, after the @string macros they use."""
    keys = unique_keys(sources)
    macros: dict[str, str] = {}
    out = []
    for s in sources:
        assert s.id is not None  # a stored row's primary key
        etype, fields, used = original_fields(s)
        if not fields:
            etype = _KIND_TO_BIB.get(s.kind, "misc")
            fields = {k: _braced(v) for k, v in _column_fields(s).items()}
        else:
            fields = _bib_edits({k: _raw(v) for k, v in fields.items()}, s, edited(s.record))
        for name, raw in used.items():
            macros.setdefault(name, _raw(raw))
        lines = [f"@{_word(etype or 'misc')}{{{keys[s.id]},"]
        for name, value in fields.items():
            lines.append(f"  {_word(name)} = {value},")
        lines[-1] = lines[-1].rstrip(",")
        out.append("\n".join(lines) + "\n}\n")
    head = [f"@string{{{_word(name)} = {raw}}}\n" for name, raw in sorted(macros.items())]
    return "\n".join(head + out)


def to_ris(sources: list[m.Source]) -> str:
    """RIS text via rispy (original RIS fields kept when the source came from RIS)."""
    import rispy

    keys = unique_keys(sources)
    entries, raw_ris = [], []
    for s in sources:
        assert s.id is not None  # a stored row's primary key
        rec = s.record or {}
        if (s.record_format or "").lower() == "ris" and rec.get("TY"):
            tags = _ris_edits(original_record(rec, s.abstract), s, edited(rec))
            raw_ris.append(_raw_ris(tags, keys[s.id]))
            continue
        if (s.record_format or "").lower() == "ris" and rec.get("type_of_reference"):
            entry = {k: v for k, v in rec.items() if not k.startswith("_")}
        else:
            entry = {"type_of_reference": _KIND_TO_RIS.get(s.kind, "GEN")}
            if s.authors:
                entry["authors"] = list(s.authors)
            year = str(s.year) if s.year else None
            for k, v in (("primary_title", s.title), ("year", year), ("secondary_title", s.venue),
                         ("volume", s.volume), ("number", s.issue), ("doi", s.doi),
                         ("abstract", s.abstract)):  # fmt: skip
                if v:
                    entry[k] = v
            if s.pages:
                sp, _, ep = s.pages.replace("--", "-").partition("-")
                entry["start_page"] = sp.strip()
                if ep.strip():
                    entry["end_page"] = ep.strip()
            if s.url:
                entry["urls"] = [s.url]
            if s.keywords:
                entry["keywords"] = list(s.keywords)
        entry["id"] = keys[s.id]
        entries.append(entry)
    text = rispy.dumps(entries, implementation=_PlainRisWriter()) if entries else ""
    return "".join(raw_ris) + text


def _PlainRisWriter():  # noqa: N802 - a class made on first use (rispy is imported lazily)
    """rispy's writer without its '1.', '2.' lines before each record: they are not RIS and
    some reference managers read them as garbage or reject the file."""
    import rispy

    class Plain(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    return Plain


# column -> the RIS tags it is read from (the first present is replaced) and the tag written
_RIS_TAGS = {
    "title": (("TI", "T1"), "TI"), "authors": (("AU", "A1"), "AU"),
    "year": (("PY", "Y1", "DA"), "PY"), "venue": (("T2", "JF", "JO", "BT"), "T2"),
    "volume": (("VL",), "VL"), "issue": (("IS", "CP"), "IS"), "pages": (("SP", "EP"), "SP"),
    "doi": (("DO",), "DO"), "url": (("UR", "L2"), "UR"), "abstract": (("AB", "N2"), "AB"),
    "keywords": (("KW",), "KW"),
}  # fmt: skip


def _ris_values(column: str, s: m.Source, tag: str | None = None) -> dict[str, list[str]]:
    """The RIS tags of one citation column of a source (none when it is empty), under `tag`
    (the file's own synonym, T1 say) or the column's usual tag."""
    value = getattr(s, column)
    if value in (None, "", []):
        return {}
    if column == "pages":
        sp, _, ep = str(value).replace("--", "-").replace("–", "-").partition("-")
        return {"SP": [sp.strip()], **({"EP": [ep.strip()]} if ep.strip() else {})}
    if tag is None or (column == "year" and tag == "DA"):  # (DA is a whole date)
        tag = _RIS_TAGS[column][1]
    return {tag: [str(v) for v in value] if isinstance(value, list) else [str(value)]}


def _ris_edits(tags: dict, s: m.Source, names: set[str]) -> dict:
    """Tags with each edited column written from the source, where its first tag was and
    under that tag (its other tags dropped), else at the end; an emptied column drops its
    tags."""
    names = names & _RIS_TAGS.keys()
    if not names:
        return tags
    owner = {t: c for c in names for t in _RIS_TAGS[c][0]}
    if "venue" in names:  # only the tag the venue was read from
        first = next((t for t in tags if t in _RIS_TAGS["venue"][0]), None)
        owner = {t: c for t, c in owner.items() if c != "venue" or t == first}
    out: dict = {}
    done: set[str] = set()
    for tag, values in tags.items():
        column = owner.get(tag)
        if column is None:
            out[tag] = values
        elif column not in done:
            done.add(column)
            out.update(_ris_values(column, s, tag))
    for column in sorted(names - done):
        out.update(_ris_values(column, s))
    return out


def _raw_ris(tags: dict, key: str) -> str:
    """An RIS record written back from the tags it was imported with (TY first, ER last)."""
    lines = [f"TY  - {tags['TY'][0]}"]
    for tag, values in tags.items():
        if tag in ("TY", "ER"):
            continue
        lines += [f"{tag}  - {v}" for v in (values if isinstance(values, list) else [values])]
    if "ID" not in tags:
        lines.append(f"ID  - {key}")
    lines += ["ER  - ", ""]
    return "\n".join(lines) + "\n"
