"""How a source is named when it is cited: one home for author-year labels, short titles,
transcript labels and reference-list entries.

The library, the Reader, the briefing tables, the excerpt exports and the REFI-QDA export all
cite through here, so a reader can match a quote across every document we write.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast

from review.ingest.literature.names import is_corporate
from review.store import models as m
from review.store.kinds import is_qualitative, source_class
from review.store.records import bibtex_fields


def surname(author: str) -> str:
    """'Bovaird, Tony' -> 'Bovaird'; 'Tony Bovaird' -> 'Bovaird'; organisations kept whole
    ('Local Government Association', not 'Association')."""
    a = author.strip().strip("{}")
    if "," in a:
        return a.split(",", 1)[0].strip()
    parts = a.split()
    return parts[-1] if len(parts) > 1 and not a.isupper() and not is_corporate(a) else a


def trim_words(text: str, limit: int) -> str:
    """Text cut at a word boundary with an ellipsis (never mid-word), at most `limit` long."""
    t = " ".join(text.split())
    if len(t) <= limit:
        return t
    head = t[: limit - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head and t[limit - 1] != " " else head
    return cut.rstrip(" ,;:–-") + "…"


def short_title(title: str, limit: int = 40) -> str:
    """A title cut at a word boundary with an ellipsis (never mid-word), for citations."""
    return trim_words(title, limit)


def author_year(
    authors: Sequence[str] | None,
    year: int | None,
    *,
    title: str | None = None,
    kind: str | None = None,
    et_al: bool = False,
    suffix: str = "",
) -> str:
    """'Loeffler 2008', 'Bovaird & Loeffler 2012', 'Loeffler et al. 2008' (n.d. if no year).

    With no author, the (short) title stands in, as APA does: “Activating collective…” 2015;
    with no title either, APA's bracketed description of the work, `[Untitled book] 1911`
    (`untitled`; the cite key stood there: "al1 1911"). `et_al`: the author list was
    truncated (BibTeX's `and others`). `suffix`: APA's letter after the year ('2012a',
    'n.d.-a') for works that would otherwise be cited alike (`year_suffixes`).
    """
    names = [surname(a) for a in (authors or []) if a and a.strip()]
    if not names:
        who = f"“{short_title(title)}”" if title else untitled(kind)
    elif len(names) == 1:
        who = f"{names[0]} et al." if et_al else names[0]
    elif len(names) == 2 and not et_al:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {dated(year, suffix)}"


# APA 7 (9.22): a work with no title is named by a description of it in square brackets
UNTITLED = {
    "article": "[Untitled article]",
    "book": "[Untitled book]",
    "chapter": "[Untitled chapter]",
    "conference": "[Untitled conference paper]",
    "report": "[Untitled report]",
    "thesis": "[Untitled thesis]",
}


def untitled(kind: str | None) -> str:
    """APA 7's bracketed description of a work with no title, in the title's place (and in
    the author's, with no author either): '[Untitled book]'; '[Untitled work]' for a kind
    without a word of its own (misc)."""
    return UNTITLED.get(kind or "", "[Untitled work]")


def dated(year: int | None, suffix: str = "") -> str:
    """The year as cited: '2012', '2012a'; 'n.d.', 'n.d.-a' (APA 7)."""
    if year:
        return f"{year}{suffix}"
    return f"n.d.-{suffix}" if suffix else "n.d."


def truncated_authors(source: m.Source) -> bool:
    """BibTeX's `and others` (kept in the original record; the author list drops it)."""
    raw = bibtex_fields(source.record).get("author", "")
    return raw.strip(" {}").lower().endswith(" and others")


def truncated_authors_sql():
    """`truncated_authors` as a SQL expression, for listings that select columns (the
    library said "Loeffler 2008" where the brief said "Loeffler et al. 2008")."""
    from sqlalchemy import func
    from sqlmodel import col

    record = col(m.Source.record)
    raw = [record[("fields", name)].as_string() for name in ("author", "AUTHOR", "Author")]
    return func.lower(func.rtrim(func.coalesce(*raw, ""), " {}")).like("% and others")


def source_author_year(source: m.Source, suffix: str = "") -> str:
    """`author_year` of a loaded source."""
    return author_year(
        source.authors,
        source.year,
        title=source.title,
        kind=source.kind,
        et_al=truncated_authors(source),
        suffix=suffix,
    )


def _letters(k: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa'."""
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def year_suffixes(sources: Iterable[m.Source]) -> dict[int, str]:
    """APA 7's letters after the year for works that would otherwise be cited alike: two
    2012 papers by Назаренко are 'Назаренко 2012a' and 'Назаренко 2012b', in the order of the
    reference list (by title). Source id -> letter, for the works that need one; the
    transcripts (cited by their own labels) never do."""
    same: dict[str, list[m.Source]] = defaultdict(list)
    for s in sources:
        if s.id is not None and not is_qualitative(s):
            same[source_author_year(s)].append(s)
    out: dict[int, str] = {}
    for works in same.values():
        if len(works) > 1:
            for k, s in enumerate(sorted(works, key=reference_order)):
                out[cast(int, s.id)] = _letters(k)
    return out


MONTHS = ("january february march april may june july august september october november "
          "december").split()  # fmt: skip
_NUMBERED = re.compile(r"^((?:focus\s+)?group|interview|workshop|session)\s*(\w{1,3})\b", re.I)


def short_date(text: str | None) -> str:
    """'14 March 2024', '2024-03-14', '14/03/2024', 'March 14, 2024' -> '14 Mar 2024';
    anything else unchanged (stripped)."""
    t = " ".join(str(text or "").replace(",", " ").split())
    if not t:
        return ""
    day = month = year = None
    if m_ := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
        year, month, day = (int(x) for x in m_.groups())
    elif m_ := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", t):
        day, month, year = (int(x) for x in m_.groups())  # day first, as outside the US
    else:
        words = t.lower().replace("th ", " ").replace("st ", " ").replace("nd ", " ").split()
        words = [w.rstrip(".") for w in words]
        for w in words:
            if w.isdigit() and len(w) == 4:
                year = int(w)
            elif w.isdigit() and len(w) <= 2:
                day = int(w)
            elif len(w) >= 3 and any(mo.startswith(w) for mo in MONTHS):
                month = next(i for i, mo in enumerate(MONTHS, 1) if mo.startswith(w))
    try:
        d = date(year, month, day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return t
    return f"{d.day} {MONTHS[d.month - 1][:3].title()} {d.year}"


def transcript_label(source: m.Source) -> str:
    """How a transcript (or document) is cited: its group label and date, "Focus group 1,
    community safety, 14 Mar 2024" — never its first line.

    The group is meta 'group' (the `Focus group:` header), with the number the title gives it
    ("Focus group 1: …") in front; else the title; else the key."""
    return transcript_label_of(source.key, source.title, source.meta)


def transcript_label_of(key: str, title: str | None, meta: dict | None) -> str:
    """`transcript_label` from columns (building a `Source` for each costs ~0.2 ms)."""
    meta = meta or {}
    group = " ".join(str(meta.get("group") or "").split())
    title = " ".join(str(title or meta.get("title") or "").split())
    name = group or title or key
    numbered = _NUMBERED.match(title) if title else None
    if group and numbered and not _NUMBERED.match(group):
        head = numbered.group(0)
        head = head[:1].upper() + head[1:]
        tail = group if group[:2].isupper() else group[:1].lower() + group[1:]
        name = f"{head}, {tail}" if group.lower() not in head.lower() else head
    if group and name == group and re.match(r"\d{1,3}\b(?![:./-]\d)", name):
        name = f"Group {name}"  # `Focus group: 7, rural health` read "7, rural health"
    when = short_date(meta.get("date"))
    return f"{name}, {when}" if when and when not in name else name


def label(source: m.Source, suffix: str = "") -> str:
    """A source's short name: author-year for literature, its label for the team's own
    transcripts and documents. `suffix`: see `year_suffixes`."""
    if is_qualitative(source):
        return transcript_label(source)
    return source_author_year(source, suffix)


def label_of(
    *,
    kind: str | None,
    record_format: str | None,
    authors: Sequence[str] | None,
    year: int | None,
    title: str | None,
    key: str,
    meta: dict | None = None,
    et_al: bool = False,
) -> str:
    """`label` from columns (for listings that select columns, not whole sources); `et_al`
    from `truncated_authors_sql`."""
    if source_class(kind, record_format) != "literature":
        return str((meta or {}).get("group") or title or key)
    return author_year(authors, year, title=title, kind=kind, et_al=et_al)


def citation(source: m.Source, speaker: str | None = None, suffix: str = "") -> str:
    """How a quote is cited: author-year for literature, 'group, speaker' for transcripts."""
    if is_qualitative(source):
        return ", ".join(x for x in (transcript_label(source), speaker) if x)
    return source_author_year(source, suffix)


def _sentence(text: str) -> str:
    """End with a full stop unless the text already ends with . ? or ! (no '?.')."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", ".”", "?”", "!”")) else text + "."


def _stop(text: str) -> str:
    """The full stop `text` still needs: none after 'Misc etc.' ('In Misc etc..' before)."""
    return _sentence(text)[len(text.strip()) :]


EXTRA_FIELDS = ("type", "institution", "organization", "school", "publisher")
RIS_EXTRA_TAGS = ("PB",)  # publisher (a report's institution, a thesis's university)


def _record_extras(source: m.Source) -> list[str]:
    """Report type and publisher from a BibTeX record ('Report to the EU Presidency',
    'Palgrave Macmillan'), publisher from a RIS record (`PB`: Zotero, EndNote and the
    databases put a book's, chapter's or report's publisher there): the citation columns
    have no place for them, yet a reference to a report, book or chapter without them is
    hard to find. Plain braced values only (no macros or LaTeX commands)."""
    record = source.record or {}
    fmt = (source.record_format or "").lower()
    if fmt == "ris" and isinstance(record, dict):
        out = []
        for tag in RIS_EXTRA_TAGS:
            values = record.get(tag)
            for v in values if isinstance(values, list) else [values]:
                v = " ".join(v.split()) if isinstance(v, str) else ""
                if v and v not in out:
                    out.append(v)
        return out
    fields = bibtex_fields(record)
    if fmt != "bibtex" or not fields:
        return []
    out = []
    for name in EXTRA_FIELDS:
        raw = fields.get(name)
        if not isinstance(raw, str) or (name == "type" and source.kind == "chapter"):
            continue  # (a chapter's type names its unit, "Section" 1.2, no kind of work)
        v = raw.strip()
        if len(v) >= 2 and v[0] + v[-1] in ("{}", '""'):
            v = v[1:-1].strip()
        v = " ".join(v.replace("~", " ").split())  # TeX's tie and a value's line breaks
        if v and not any(ch in v for ch in "{}\\#") and v not in out:
            out.append(v)
    return out


# kept lower-case inside a title-cased venue: English function words, and Russian ones (a
# Russian Index of Science Citation export has ALL-CAPS Cyrillic venues too: "... И ..."
# read as a capitalised "And")
SMALL_WORDS = set(
    "a an and as at but by for in nor of on or the to via with vs "
    "и в во на о об от с со к ко по для из у а но или при без".split()
)


def display_venue(venue: str | None) -> str:
    """A venue for display: ALL CAPS (Web of Science) in title case, small words lower-case
    ('PUBLIC MANAGEMENT REVIEW' -> 'Public Management Review'); other venues unchanged. The
    stored record is not touched."""
    v = " ".join((venue or "").split())
    letters = [c for c in v if c.isalpha()]
    if len(letters) < 4 or not all(c.isupper() for c in letters):
        return v
    words = v.lower().split(" ")
    out: list[str] = []
    for i, w in enumerate(words):
        small = i and w in SMALL_WORDS and not out[-1].endswith(":")
        out.append(w if small else "-".join(p[:1].upper() + p[1:] for p in w.split("-")))
    return " ".join(out)


def apa_author(author: str) -> str:
    """'Bovaird, Tony' -> 'Bovaird, T.'; 'Elke Loeffler' -> 'Loeffler, E.'; organisations
    (no comma and one word, all capitals, more than four words or `is_corporate`: 'Local
    Government Association') kept whole."""
    a = " ".join(author.strip().strip("{}").split())
    if "," in a:
        last, first = (x.strip() for x in a.split(",", 1))
    else:
        parts = a.split()
        if len(parts) < 2 or a.isupper() or len(parts) > 4 or is_corporate(a):
            return a
        last, first = parts[-1], " ".join(parts[:-1])
    if first and _east_asian(last + first):  # '王, 小明': no initials in Han script
        return last + first
    initials = []
    for name in first.replace(".", ". ").split():
        if 2 <= len(name) <= 3 and name.isalpha() and name.isupper() and not last.isupper():
            # Web of Science and Google Scholar write the initials run together: 'Legalov,
            # AA', 'Назаренко, ВЮ' are A. A. and В. Ю. (an all-capitals record is left alone:
            # 'SMITH, ANN' may be a name)
            initials += [f"{c}." for c in name]
            continue
        bits = [b for b in name.split("-") if b]
        if bits and bits[0][:1].isalpha():
            initials.append("-".join(b[0].upper() + "." for b in bits))
    return f"{last}, {' '.join(initials)}" if initials else last


def _east_asian(text: str) -> bool:
    """Han, kana or Hangul only: a name written family name first and whole ('王小明',
    '田中太郎'), which has no initials (it gave '王, 小.')."""
    return all(
        unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))
        for c in text
        if not c.isspace()
    )


def apa_authors(names: Sequence[str], et_al: bool = False) -> str:
    """APA 7: 'A, B, & C'; 21 or more: the first 19, …, the last."""
    names = [apa_author(n) for n in names if n and n.strip()]
    if not names:
        return ""
    if len(names) > 20:
        return ", ".join(names[:19]) + ", … " + names[-1]
    if et_al:
        return ", ".join(names) + (", et al." if "," in names[-1] else " et al.")
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


class Reference(str):
    """A reference-list entry: the plain text (what it equals and sorts as), and `runs`:
    (text, style) pieces with style '' (plain), 'i' (italic) or 'link' (a DOI or URL), so
    HTML and DOCX can italicise the venue and link the DOI."""

    runs: tuple[tuple[str, str], ...]

    def __new__(cls, runs: Sequence[tuple[str, str]]) -> Reference:
        obj = super().__new__(cls, "".join(t for t, _ in runs))
        obj.runs = tuple(runs)
        return obj


def reference(source: m.Source, suffix: str = "") -> Reference:
    """A reference-list entry in APA 7 author-date style.

    No authors: the title takes the author position, `Title. (2008).`, as in APA. The venue
    and volume are italic; the DOI (else the URL) is a link; a venue in capitals is shown in
    title case. `suffix`: the year's letter (`year_suffixes`), as the citations have it."""
    authors = apa_authors(source.authors or [], truncated_authors(source))
    kind = source.kind
    venue = display_venue(source.venue)
    # an open range ("123--", biber's test file) is its first page: no dangling dash
    pages = str(source.pages or "").replace("--", "–").replace("-", "–").strip().rstrip("–")
    # APA 7 names a book's, chapter's or report's publisher, not a journal's, and leaves it
    # out where it is the author ("OECD. (2011). Title. OECD." reads "OECD. (2011). Title.")
    extra = _record_extras(source) if kind != "article" else []
    extra = [x for x in extra if x.casefold() != authors.casefold().rstrip(".")]
    if authors and edited_only(source):  # APA 7: "Osborne, S. P. (Ed.). (2010). Title."
        authors += " (Ed.)" if len(source.authors or []) == 1 else " (Eds.)"
    # APA 7: a work that stands alone (book, report, thesis) has its title in italics, and a
    # report's series and number, a thesis's degree and university, follow it ("Title
    # [Doctoral dissertation, University of Birmingham]."); a chapter's book comes after "In"
    label = ""
    if kind == "thesis":
        label, extra, venue = _thesis_label(source, extra, venue)
    elif kind == "report":
        label, extra, venue = _report_label(source, extra, venue)
    whole = kind == "conference" and proceedings_volume(source)  # the book, not a paper in it
    shown = "i" if kind in ("book", "report", "thesis") or whole else ""
    plain = (source.title or "").strip()
    title = (_sentence(plain) if not label else plain) if plain else ""
    if not title:  # APA 7: "[Untitled book]. (1911)." (the cite key stood there: "al1. (1911).")
        title, shown = untitled(kind) + ("." if not label else ""), ""
    year = f"({dated(source.year, suffix)})."
    runs: list[tuple[str, str]] = []
    if authors:  # the author element ends with a full stop: "Nesta. (2012)." as "Smith, J. (…"
        runs += [(f"{_sentence(authors)} {year} ", ""), (title, shown)]
        if label:
            runs.append((f" {label}.", ""))
    elif label:  # the title in the author's place: "Title [Master's thesis, X]. (2020)."
        runs += [(title, shown), (f" {label}. {year}", "")]
    else:
        runs += [(title, shown), (f" {year}", "")]
    # a chapter with no book title has its publisher for a venue: no "In Addison-Wesley."
    # (so has a whole proceedings volume, BibTeX's @proceedings: "Title. Publisher.")
    bookless = kind in ("chapter", "conference") and venue.casefold() in {
        x.casefold() for x in extra
    }
    if kind == "book" or bookless or whole:  # "Title. Publisher." (venue: series or publisher)
        venue = "" if extra else venue
        if venue:
            runs.append((f" {_sentence(venue)}", ""))
    elif (kind == "chapter" or (kind == "conference" and not source.volume)) and venue:
        # "In E. Editor (Ed.), Book (pp. 3–9)."; APA 7 cites a paper in proceedings
        # published as a book so (BibTeX's @inproceedings: its booktitle and pages read
        # "Экология водных беспозвоночных, 210–211." as if a journal's); a proceedings
        # series with volumes stays in the journal form below
        runs.append((" In ", ""))
        editors = editors_line(chapter_editors(source))
        if editors:
            runs.append((f"{editors}, ", ""))
        runs.append((venue, "i"))
        pp = "pp." if any(c in pages for c in "–,") else "p."  # APA 7: "(p. 123)" for one
        runs.append((f" ({pp} {pages}).", "") if pages else (_stop(venue), ""))
    elif venue:
        runs.append((" ", ""))
        runs.append((venue, "i"))
        if source.volume:
            runs.append((", ", ""))
            runs.append((str(source.volume), "i"))
            if source.issue:
                runs.append((f"({source.issue})", ""))
        if pages:
            runs.append((", " + pages, ""))
        runs.append((_stop(runs[-1][0]), ""))
    # a book's or report's venue is often its publisher or institution already
    extra = [x for x in extra if x.casefold() != venue.casefold()]
    if extra:
        runs.append((" " + _sentence(", ".join(extra)), ""))
    if source.doi:
        runs += [(" ", ""), (f"https://doi.org/{source.doi}", "link")]
    elif source.url:
        runs += [(" ", ""), (source.url, "link")]
    return Reference([r for r in runs if r[0]])


def proceedings_volume(source: m.Source) -> bool:
    """A whole proceedings volume (BibTeX @proceedings, RIS `CONF`), listed as a book; a
    paper in one (@inproceedings, `CPAPER`) is listed "In" it."""
    record = source.record if isinstance(source.record, dict) else {}
    fmt = (source.record_format or "").lower()
    if fmt == "bibtex":
        return str(record.get("type") or "").lower() == "proceedings"
    ty = record.get("TY")
    return fmt == "ris" and isinstance(ty, list) and [str(t).upper() for t in ty] == ["CONF"]


def edited_only(source: m.Source) -> bool:
    """A BibTeX work with editors and no author (an edited book, a @collection): the importer
    gives it its editors for authors, whom APA 7 lists with "(Ed.)" — "Editor, B. (2009). Book
    Title." read as if B. Editor had written it."""
    if (source.record_format or "").lower() != "bibtex" or source.kind == "chapter":
        return False  # (a chapter's editors are its book's, named after "In")
    fields = bibtex_fields(source.record)
    editors = _plain(fields.get("editor"))
    if not editors or _plain(fields.get("author")):
        return False
    from review.ingest.literature import split_bibtex_authors

    return len(split_bibtex_authors(editors)) == len(source.authors or [])  # (not edited since)


# a thesis's degree, from its record's type (BibTeX's entry type or `type` field, RIS `M3`)
DEGREES = (
    (("master", "msc", "m.sc", "mphil", "m.phil", "mres", "ma thesis", "mba"), "Master's thesis"),
    (("phd", "ph.d", "doctor", "dphil", "d.phil", "dissertation"), "Doctoral dissertation"),
)


def _thesis_label(source: m.Source, extra: list[str], venue: str) -> tuple[str, list, str]:
    """APA 7's bracket after a thesis's title, "[Doctoral dissertation, University of X]",
    with what it used up taken out of the publisher list and the venue (the university is
    the thesis's venue in BibTeX, its `school`, and its publisher in RIS, `PB`)."""
    record: dict = source.record if isinstance(source.record, dict) else {}
    fields = bibtex_fields(record)
    hints = [str(record.get("type") or ""), str(fields.get("type") or "")]
    hints += [str(v) for v in record.get("M3") or [] if isinstance(v, str)]
    degree = "Thesis"
    for words, name in DEGREES:
        if any(w in h.casefold() for h in hints for w in words):
            degree = name
            break
    typed = {_plain(fields.get("type")).casefold()}
    extra = [x for x in extra if x.casefold() not in typed]
    place = venue or (extra[0] if extra else "")
    extra = [x for x in extra if x.casefold() != place.casefold()]
    return (f"[{degree}, {place}]" if place else f"[{degree}]"), extra, ""


def _report_label(source: m.Source, extra: list[str], venue: str) -> tuple[str, list, str]:
    """APA 7's parenthesis after a report's title: its series or type and number ("(Report
    No. 22)", "(Nesta working paper)", BibTeX's `type`: "(Report to the EU Presidency)"),
    with what it used up taken out of the publisher list; the venue is the series unless it
    is the publisher, and never italic (a report is no journal)."""
    fields = bibtex_fields(source.record)
    typed = _plain(fields.get("type"))
    extra = [x for x in extra if x.casefold() != typed.casefold()] if typed else extra
    number = str(source.issue or source.volume or "").strip()
    series = "" if venue.casefold() in {x.casefold() for x in extra} else venue
    series = series or typed or ("Report" if number else "")
    if not series:
        return "", extra, ""
    return (f"({series} No. {number})" if number else f"({series})"), extra, ""


def _plain(raw: object) -> str:
    """A BibTeX field's value without its braces or quotes ('' for none)."""
    v = raw.strip() if isinstance(raw, str) else ""
    return v[1:-1].strip() if len(v) >= 2 and v[0] + v[-1] in ("{}", '""') else v


def chapter_editors(source: m.Source) -> list[str]:
    """A chapter's editors, from its record (the citation columns have no place for them):
    RIS `A2` (Zotero, EndNote) or `ED`, BibTeX `editor` of an entry with its own authors."""
    record = source.record or {}
    if not isinstance(record, dict):
        return []
    fmt = (source.record_format or "").lower()
    if fmt == "ris":
        values = record.get("A2") or record.get("ED") or []
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]
    raw = bibtex_fields(record).get("editor") if fmt == "bibtex" else None
    if not isinstance(raw, str) or not source.authors:  # (no authors: the editors lead)
        return []
    from review.ingest.literature import split_bibtex_authors

    v = raw.strip()
    if len(v) >= 2 and v[0] + v[-1] in ("{}", '""'):
        v = v[1:-1]
    return split_bibtex_authors(v)


def editors_line(names: Sequence[str]) -> str:
    """APA 7 editors after "In": initials first ('P. Fairbrother & C. Yates (Eds.)')."""
    shown = []
    for name in names:
        a = apa_author(name)
        last, _, first = a.partition(", ")
        shown.append(f"{first} {last}" if first else a)
    if not shown:
        return ""
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " & " + shown[-1]
    if len(shown) > 2:
        joined = ", ".join(shown[:-1]) + ", & " + shown[-1]
    return f"{joined} ({'Ed.' if len(shown) == 1 else 'Eds.'})"


def sort_text(text: str) -> str:
    """Text as an alphabetical list orders it: case and Latin accents ignored, so
    'Térrific' sorts beside 'Terrific' and 'Ünderwood' among the U's — by code point they came
    after 'Title' and after every ASCII name ('whole-journal'). Cyrillic letters keep their
    marks (й is a letter of its own, not и)."""
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        if len(base) > 1 and base[0].isascii():
            ch = "".join(c for c in base if not unicodedata.combining(c))
        out.append(ch)
    return "".join(out).casefold()


def reference_order(source: m.Source) -> tuple:
    """APA order: first author's surname (else the title), then year, then title; letters
    compared without case or accents (`sort_text`), then as written."""
    names = [surname(a) for a in (source.authors or []) if a and a.strip()]
    lead = " ".join(names) if names else (source.title or untitled(source.kind)).lstrip("“\"'[")
    title = source.title or ""
    return (sort_text(lead), source.year or 0, sort_text(title), lead, title, source.key)


def references(sources: Sequence[m.Source]) -> list[Reference]:
    """The reference list of `sources`, in APA order."""
    suffix = year_suffixes(sources)
    return [reference(s, suffix.get(s.id or 0, "")) for s in sorted(sources, key=reference_order)]


def summary_text(source: m.Source) -> str:
    """What a literature record without full text shows: its citation and abstract."""
    lines = [source.title or source.key, "; ".join(source.authors or [])]
    where = ", ".join(str(x) for x in (source.year, source.venue, source.volume, source.pages) if x)
    lines += [where, f"doi:{source.doi}" if source.doi else "", source.url or ""]
    if source.keywords:
        lines.append("Keywords: " + ", ".join(source.keywords))
    lines += [
        "",
        source.abstract or "(no abstract)",
        "",
        "No full text: import the PDF to code it.",
    ]
    return "\n".join(lines)
