"""BibTeX / BibLaTeX: bibtexparser 2's splitter, then our own light, fast normalisation.

bibtexparser's splitter finds the blocks (entries, `@string`, `@preamble`, comments, failed
blocks) with their line numbers; `review.ingest.literature.bibtex_splitter.FastSplitter` is
that splitter with a fast path for ordinary entries' fields (the same blocks, ~2.4x faster).
We then evaluate values ourselves — `@string` macros, `#` concatenation, month macros,
`crossref` inheritance — because the library's middlewares either skip these cases or cost
milliseconds an entry (LaTeX decoding). LaTeX is decoded only in the fields we show and
search, and only where a value holds LaTeX at all.

Each source keeps its original entry in `Source.record`:
`{"type", "key", "fields": {name as written: raw value as written}, "macros": {...}}`
(plus `"duplicates"` for repeated fields), so a BibTeX export writes back what the user had.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from review.ingest.formats.ris import known_database
from review.ingest.literature import (
    any_value,
    clean,
    latex_to_unicode,
    normalise_doi,
    parse_year,
    split_bibtex_authors,
    split_keywords,
    thin_record,
    tidy_pages,
)
from review.ingest.literature.fields import EMPTY_RECORD
from review.ingest.literature.kinds import BIBTEX_KINDS
from review.ingest.literature.latex import needs_decoding
from review.ingest.pipeline import Format, ImportContext, ImportFailed, NoRecords
from review.ingest.sources import store_records
from review.ingest.textio import read_text
from review.store.records import INHERITED

MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
_DETECT = re.compile(rb"(?m)^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]")
# What a .bib file without entries may still hold: a `%` comment, an @string, @preamble or
# @comment (JabRef's metadata): an empty bibliography, not some other file.
_BIBTEX_ONLY = re.compile(r"(?m)^[ \t]*[@%]")
_KNOWN_BLOCKS = {b"string", b"preamble", b"comment", *(k.encode() for k in BIBTEX_KINDS)}
PROGRESS_EVERY = 2000
# Lines that begin a record of another format (RIS `TY  - `, MEDLINE `PMID- `, Web of Science
# `PT J`): text outside any entry that holds them is records BibTeX does not read, not a note
_OTHER_RECORDS = (
    ("RIS", re.compile(r"(?m)^[ \t]*TY {1,2}- ")),
    ("PubMed/MEDLINE", re.compile(r"(?m)^PMID- ")),
    ("Web of Science", re.compile(r"(?m)^PT [A-Z]\s*$")),
)


def detect(path: Path, data: bytes) -> int:
    """Sure when the head holds `@article{` (or any known entry type) at a line start."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:100]:
        try:
            head = read_text(data[:65536]).text.encode("utf-8")
        except Exception:
            return 0
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    types = {m.group(1).lower() for m in _DETECT.finditer(head)}
    if not types:
        return 0
    known = bool(types & _KNOWN_BLOCKS)
    if path.suffix.lower() in (".bib", ".bibtex", ".biblatex"):
        return 95 if known else 75
    return 85 if known else 30


class _Values:
    """Evaluates raw BibTeX values: braces, quotes, numbers, macros and `#` concatenation."""

    def __init__(self) -> None:
        self.macros: dict[str, str] = dict(MONTHS)
        self.raw_macros: dict[str, str] = {}
        self.unknown: list[str] = []
        self.used: list[str] = []

    def define(self, name: str, raw: str) -> None:
        self.macros[name.lower()] = self.evaluate(raw)
        self.raw_macros[name.lower()] = raw

    def evaluate(self, raw: str) -> str:
        raw = raw.strip()
        if not raw:
            return ""
        c = raw[0]
        if "#" not in raw:
            if c == "{" and raw[-1] == "}":
                return raw[1:-1]
            if c == '"' and raw[-1] == '"':
                return raw[1:-1]
            if c != "{" and c != '"' and len(raw.split(None, 1)) == 1:
                return self._word(raw)  # `jan`, `par`, `2008`: one bare word
        return "".join(self._tokens(raw))

    def _word(self, word: str) -> str:
        """A bare word: a number as written, a macro's value, or itself (reported)."""
        if word.isdigit():
            return word
        low = word.lower()
        if low in self.macros:
            if low in self.raw_macros and low not in self.used:
                self.used.append(low)
            return self.macros[low]
        self.unknown.append(word)
        return word

    def _tokens(self, raw: str):
        i, n = 0, len(raw)
        while i < n:
            c = raw[i]
            if c.isspace() or c == "#":
                i += 1
                continue
            if c == "{" or c == '"':
                j, depth = i + 1, 1 if c == "{" else 0
                while j < n:
                    d = raw[j]
                    if d == "{":
                        depth += 1
                    elif d == "}":
                        depth -= 1
                        if c == "{" and depth == 0:
                            break
                    elif d == '"' and c == '"' and depth == 0:
                        break
                    j += 1
                yield raw[i + 1 : j]
                i = j + 1
                continue
            j = i
            while j < n and not raw[j].isspace() and raw[j] != "#":
                j += 1
            yield self._word(raw[i:j])
            i = j


def _one_line(error: object) -> str:
    # bibtexparser's BlockAbortedException keeps its reason in `abort_reason`; str() is ''.
    text = " ".join(str(getattr(error, "abort_reason", None) or error).split())
    return re.sub(
        r"^Parsing of `@\w+` block \(line \d+\) aborted on line \d+ due to "
        r"syntactical error in bibtex: ",
        "",
        text,
    )


_ENTRY_HEAD = re.compile(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)")
_FIELD_START = re.compile(r"[ \t]*[A-Za-z][\w:.+-]*[ \t]*=")


def _unreadable(block, line: int, following: int | None) -> str:
    """What is wrong with an entry the splitter gave up on, in plain words: where it starts,
    the brace or quote left open (the first value that runs into a line starting another
    field, else the first still open at the end), and where reading goes on (the next block's
    line). Falls back to the splitter's own reason for other faults."""
    raw = block.raw or ""
    head = _ENTRY_HEAD.match(raw)
    what = f"entry @{head.group(1)}{{{head.group(2)}" if head else "entry"
    what += f" (line {line})"
    reason = _one_line(block.error)
    opened = _left_open(raw, head.end() if head else 0)
    where = ""
    if opened is not None:
        pos, runs_into = opened
        start = max(raw.rfind("\n", 0, pos), raw.rfind(",", 0, pos)) + 1  # the field's name
        stop = raw.find("\n", pos)
        value = raw[start : stop if 0 <= stop < pos + 30 else pos + 30].strip()
        where = f"; the {raw[pos]} of `{value}` (line {line + raw.count(chr(10), 0, pos)}) is "
        if runs_into is not None:
            where += f"not closed before line {line + raw.count(chr(10), 0, runs_into)} "
            where += "starts another field"
        else:
            where += "never closed"
    if reason.startswith("Unexpectedly reached end of file"):
        out = f"{what} is not closed before the end of the file"
    elif reason.startswith("Unexpected block start") and following is not None:
        out = f"{what} is not closed before the next entry begins on line {following}"
    else:
        return f"{what} could not be read: {reason}; not imported"
    return out + where + "; not imported"


def _other_records(raw: str, line: int) -> tuple | None:
    """An error for text between entries that holds another format's records (an RIS export
    pasted after the BibTeX ones): BibTeX reads it as a comment, and they would be lost
    without a word. None for ordinary comments. Its fifth item: how many records it stands
    for (the file's count of records not imported)."""
    for name, starts in _OTHER_RECORDS:
        found = list(starts.finditer(raw))
        if found:
            first = line + raw.count("\n", 0, found[0].start())
            last = line + raw.rstrip().count("\n")
            n = len(found)
            return (
                first,
                f"lines {first}-{last} hold {n} {name} record(s), not BibTeX (outside any "
                "entry): not imported; save them as a file of their own and import that",
                "error",
                None,
                n,
            )
    return None


def _left_open(raw: str, start: int) -> tuple[int, int | None] | None:
    """(offset of the `{` or `"` left open in an entry's field values, offset of the line that
    starts another field inside it, or None), scanning from just after the entry's key."""
    stack: list[int] = []
    quote: int | None = None
    for i in range(start, len(raw)):
        c = raw[i]
        if c == "{":
            stack.append(i)
        elif c == "}":
            if not stack:
                return None  # the entry's own brace: it is closed
            stack.pop()
        elif c == '"' and not stack and (i == 0 or raw[i - 1] != "\\"):
            quote = None if quote is not None else i
        elif c == "\n" and (stack or quote is not None) and _FIELD_START.match(raw, i + 1):
            return (quote if quote is not None else stack[0]), i + 1
    if stack or quote is not None:
        return (quote if quote is not None else stack[0]), None
    return None


def _decoded(value: str | None) -> str | None:
    """A value for display and search: LaTeX decoded where it holds any, else tidied."""
    if not value:
        return None
    if "\\" in value or "{" in value or "~" in value or "--" in value or "$" in value:
        return latex_to_unicode(value)  # (`needs_decoding`, inlined: most values skip it)
    return clean(value)


VENUE_FIELDS = (
    "journal",
    "journaltitle",
    "booktitle",
    "series",
    "institution",
    "school",
    "organization",
    "publisher",
)


# An article number where a journal has no pages: Scopus's `art_number`, Web of Science's
# `article-number`, BibLaTeX's `eid`, ACM's `articleno` (the pages column, as RIS, Web of
# Science and Scopus CSV give it: the same record read from two exports must agree).
ARTICLE_NUMBER_FIELDS = ("art_number", "article-number", "eid", "articleno")
# The author's keywords beside `keywords`: Scopus's `author_keywords` (its `keywords` are
# the index terms) and Web of Science's `keywords-plus`; together, as the CSV reader does.
AUTHOR_KEYWORD_FIELDS = ("author_keywords", "author-keywords", "keywords-plus")

# The fields `normalise` reads into citation columns: a merge of duplicates takes those from
# the columns (the best value of each), and the record's other fields from the other record.
COLUMN_FIELDS = frozenset(
    ("author", "editor", "title", "year", "date", *VENUE_FIELDS, "volume", "number", "issue")
    + ("pages", "doi", "url", "howpublished", "abstract", "keywords", "keyword")
    + ("language", "langid")
    + ARTICLE_NUMBER_FIELDS
    + AUTHOR_KEYWORD_FIELDS
)


def _keywords(*values: str | None) -> list[str]:
    """Keywords from one or more fields, each split by its own separator and decoded."""
    decoded = [latex_to_unicode(v) if v and needs_decoding(v) else v for v in values]
    return split_keywords(decoded[0] if len(decoded) == 1 else [v for v in decoded if v])


def normalise(entry_type: str, fields: dict[str, str]) -> dict:
    """The `Source` columns of one entry, from its evaluated (lower-case-named) fields."""
    get = fields.get
    value = get("author")
    authors = split_bibtex_authors(value) if value else []
    if not authors:
        value = get("editor")
        authors = split_bibtex_authors(value) if value else []
    venue = None
    for name in VENUE_FIELDS:
        value = get(name)
        if value:
            venue = _decoded(value)
            break
    url = get("url") or None
    if url is None and (get("howpublished") or "").startswith("\\url{"):
        url = cast(str, get("howpublished"))[5:].rstrip("}")  # a string: checked just above
    doi = normalise_doi(get("doi")) or (normalise_doi(url) if url and "doi.org" in url else None)
    kw = get("keywords") or get("keyword")
    extra = [v for v in map(get, AUTHOR_KEYWORD_FIELDS) if v]
    pages = get("pages")
    if not pages:
        pages = next((v for v in map(get, ARTICLE_NUMBER_FIELDS) if v), None)
    # PRISMA's "identified in": Scopus's BibTeX export says `source = {Scopus}` (and links to
    # scopus.com), Web of Science's gives `Unique-ID = {WOS:…}`; other files say nothing
    source = get("source")
    database = known_database(source) if source else None
    if database is None:
        uid = get("unique-id")
        if uid and uid[:4].upper() in ("WOS:", "ISI:"):
            database = "Web of Science"
        elif url and "scopus.com" in url:
            database = "Scopus"
    return {
        "kind": BIBTEX_KINDS.get(entry_type, "misc"),
        "title": _decoded(get("title")),
        "authors": authors,
        "year": parse_year(get("year") or get("date")),
        "venue": venue,
        "volume": _decoded(get("volume")),
        "issue": _decoded(get("number")) or _decoded(get("issue")),
        "pages": tidy_pages(pages),
        "doi": doi,
        "url": clean(url),
        "abstract": _decoded(get("abstract")),
        "keywords": _keywords(kw) if not extra else _keywords(*extra, *([kw] if kw else [])),
        "language": _decoded(get("language")) or _decoded(get("langid")),
        "database": database,
    }


def parse(text: str, ctx: ImportContext | None = None) -> tuple[list[dict], list[tuple]]:
    """Text to (records, problems); problems are (line, message, severity, key). Pure."""
    from bibtexparser import model

    from review.ingest.literature.bibtex_splitter import FastSplitter

    library = FastSplitter(text).split()  # bibtexparser's splitter, its entries read faster
    values = _Values()
    problems: list[tuple] = []
    pending: list[tuple[model.Entry, int, dict | None]] = []
    blocks = library.blocks
    for i, block in enumerate(blocks):
        line = cast(int, block.start_line) + 1  # the splitter sets it on every block
        if isinstance(block, model.String):
            values.define(block.key, block.value)
        elif isinstance(block, model.Entry):
            pending.append((block, line, None))
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            entry = cast(model.Entry, block.ignore_error_block)  # an entry, in this block kind
            counts: dict[str, list[str]] = {}
            for f in entry.fields:
                counts.setdefault(f.key, []).append(f.value)
            repeated = {k: v[1:] for k, v in counts.items() if len(v) > 1}
            names = ", ".join(sorted(repeated))
            problems.append(
                (
                    line,
                    f"field(s) {names} given more than once; all values kept",
                    "warning",
                    entry.key,
                )
            )
            pending.append((entry, line, repeated))
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            again = block.ignore_error_block
            if isinstance(again, model.String):  # as bibtexparser does: the first one counts
                problems.append(
                    (
                        line,
                        f"@string {again.key!r} defined again; the first definition is used",
                        "warning",
                        None,
                    )
                )
            else:
                pending.append((cast(model.Entry, again), line, None))  # not a string: an entry
        elif isinstance(block, model.ImplicitComment):
            other = _other_records(block.raw or "", line)
            if other:
                problems.append(other)
        elif isinstance(block, model.ParsingFailedBlock):
            head = (block.raw or "").lstrip()[:40].split("\n")[0]
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            following = cast(int, after.start_line) + 1 if after is not None else None
            problems.append((line, _unreadable(block, line, following), "error", head or None))
    # Fields evaluated once (macros are defined in file order before use, as BibTeX requires).
    evaluated: list[tuple[model.Entry, int, dict, dict, dict | None]] = []
    by_key: dict[str, dict] = {}
    evaluate = values.evaluate
    for entry, line, dups in pending:
        values.unknown.clear()
        values.used.clear()
        raw: dict[str, str] = {}
        ev: dict[str, str] = {}
        for f in entry.fields:
            name = f.key
            if name in raw:
                continue
            value = f.value
            raw[name] = value
            ev[name.lower()] = evaluate(value)
        if dups:
            for name, extra in dups.items():
                if name.lower() in ("keywords", "keyword"):
                    ev[name.lower()] = ", ".join([ev[name.lower()], *map(values.evaluate, extra)])
        for word in values.unknown:
            problems.append(
                (line, f"undefined @string macro {word!r}; kept as written", "warning", entry.key)
            )
        record = {"type": entry.entry_type, "key": entry.key, "fields": raw}
        if values.used:
            record["macros"] = {k: values.raw_macros[k] for k in values.used}
        if dups:
            record["duplicates"] = dups
        evaluated.append((entry, line, ev, record, dups))
        by_key.setdefault(entry.key.lower(), ev)
        ids = ev.get("ids")
        if ids:
            for alias in ids.split(","):  # BibLaTeX key aliases
                if alias.strip():
                    by_key.setdefault(alias.strip().lower(), ev)

    records: list[dict] = []
    total = len(evaluated)
    for i, (entry, line, ev, record, _dups) in enumerate(evaluated):
        if "crossref" in ev:
            merged = _inherit(ev, by_key, entry, line, problems)
            # kept with the record (braced, as written values are), so the reference list
            # names the publisher and editors a chapter has from its book ("In E. Erbriss
            # (Ed.), Graphs of the Continent. Grimble."); the fields as the file wrote them
            # stay what an export writes back
            lent = {k: "{" + v + "}" for k, v in merged.items() if k not in ev and v}
            if lent:
                record[INHERITED] = lent
            ev = merged
        etype = entry.entry_type.lower()
        row = normalise(etype, ev)
        if etype not in BIBTEX_KINDS:
            problems.append(
                (
                    line,
                    f"unknown entry type @{entry.entry_type}; imported as misc",
                    "warning",
                    entry.key,
                )
            )
        key = entry.key
        thin = thin_record(row, any_value(ev.values())) if not row["title"] else None
        if thin is not None:
            keep, why = thin
            problems.append((line, why, "warning", key))
            if not keep:
                continue
        elif not row["title"]:
            problems.append((line, "no title", "warning", key))
        written = ev.get("year") or ev.get("date")
        if written and row["year"] is None:  # (`year = 1234` was dropped without a word)
            why = f"{'year' if ev.get('year') else 'date'} {written!r} holds no year 1500–2199"
            problems.append((line, f"{why}: left empty (the record keeps it)", "warning", key))
        row["key"] = key
        row["record"] = record
        row["record_format"] = "bibtex"
        row["origin_line"] = line
        records.append(row)
        if ctx is not None and i % PROGRESS_EVERY == 0:
            ctx.progress(i, total)
    return records, problems


def _inherit(ev: dict, by_key: dict, entry, line: int, problems: list) -> dict:
    """BibTeX crossref: fields the child lacks come from the parent (title -> booktitle)."""
    merged = dict(ev)
    seen = {entry.key.lower()}
    parent_key = ev["crossref"].strip().lower()
    while parent_key:
        if parent_key in seen:
            problems.append((line, f"crossref cycle at {parent_key!r}", "warning", entry.key))
            break
        seen.add(parent_key)
        parent = by_key.get(parent_key)
        if parent is None:
            problems.append(
                (
                    line,
                    f"crossref parent {parent_key!r} not found in this file; "
                    "imported without its fields",
                    "warning",
                    entry.key,
                )
            )
            break
        for name, value in parent.items():
            if name == "title":
                merged.setdefault("booktitle", value)
            elif name not in ("crossref", "key", "ids"):
                merged.setdefault(name, value)
        parent_key = (parent.get("crossref") or "").strip().lower()
    return merged


MAX_DEPTH = 100  # braces nested in a field (real files: a handful)
MAX_LINE = 1_000_000  # characters on one line (real files: an abstract, a few thousand)


def check_nesting(text: str) -> None:
    """Refuse text whose braces nest deeper than MAX_DEPTH: bibtexparser's time grows
    faster than linearly with the depth (3 MB of "{" took it 49 s), and no real entry
    nests like that. Likewise a line over MAX_LINE characters (10 MB of commas on one line
    took it 111 s). The depth counts every "{" and each "}" that closes one (a "}" with
    nothing open is ignored), over the whole file; the first problem in the file is named.

    Linear, and in C but for one step per "{": between two "{" there are only "}", so the
    depth peaks just after each "{" and one `str.count` gives the "}" that follow it. Lines
    are checked by jumping to the last line break within MAX_LINE characters, a few steps
    per file. (A loop over every brace and line break took 0.23 s on a 30 MB file.)
    """
    problems: list[tuple[int, str, int]] = []  # (position, message, line)
    depth = 0
    find, count = text.find, text.count
    end = len(text)
    pos = find("{")  # (any "}" before the first "{" closes nothing)
    while pos >= 0:
        depth += 1
        if depth > MAX_DEPTH:
            line = count("\n", 0, pos) + 1
            problems.append((pos, f"braces nested deeper than {MAX_DEPTH}: not BibTeX", line))
            break
        nxt = find("{", pos + 1)
        depth = max(0, depth - count("}", pos + 1, nxt if nxt >= 0 else end))
        pos = nxt
    start = 0
    while end - start > MAX_LINE:
        last = text.rfind("\n", start, start + MAX_LINE + 1)
        if last < 0:  # the line from `start` is longer than MAX_LINE
            stop = find("\n", start)
            line = count("\n", 0, start) + 1
            where = stop if stop >= 0 else end
            problems.append((where, f"a line over {MAX_LINE:,} characters: not BibTeX", line))
            break
        start = last + 1
    if problems:
        _pos, message, line = min(problems)
        raise ImportFailed(message, line)


def load(ctx: ImportContext) -> None:
    text = ctx.read_text().text
    if not text or text.isspace():  # (`not text.strip()` without copying the whole file)
        raise ImportFailed("empty file")
    check_nesting(text)
    records, problems = parse(text, ctx)
    # not even a comment or an @string: no BibTeX at all
    bare = not records and not problems and not _BIBTEX_ONLY.search(text)
    del text  # (the whole file as text: not needed while storing)
    if bare:
        raise NoRecords("BibTeX entry", "no `@article{...}`-style entry at a line start")
    if not records and not problems:
        problems.append(
            (None, "no BibTeX entries in this file (only comments or @string)", "warning", None)
        )
    for line, message, severity, key, *_n in sorted(problems, key=lambda p: p[0] or 0):
        ctx.problem(line, message, severity, key)
    skipped = sum(p[4] if len(p) > 4 else 1 for p in problems
                  if p[2] == "error" or p[1] == EMPTY_RECORD)  # fmt: skip
    store_records(ctx, records, total=len(records) + skipped)
    ctx.progress(len(records), len(records))


FORMAT = Format(
    name="bibtex",
    detect=detect,
    load=load,
    order=10,
    description="BibTeX / BibLaTeX (.bib): Zotero, Mendeley, JabRef, Google Scholar, Scopus",
)
