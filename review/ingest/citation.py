"""How a source is named when it is cited: one home for author-year labels, short titles,
transcript labels and reference-list entries.

The library, the Reader, the briefing tables, the excerpt exports and the REFI-QDA export all
cite through here, so a reader can match a quote across every document we write.
"""

from __future__ import annotations

from collections.abc import Sequence

from review.store import models as m
from review.store.kinds import is_qualitative, source_class


def surname(author: str) -> str:
    """'Bovaird, Tony' -> 'Bovaird'; 'Tony Bovaird' -> 'Bovaird'; organisations kept whole."""
    a = author.strip().strip("{}")
    if "," in a:
        return a.split(",", 1)[0].strip()
    parts = a.split()
    return parts[-1] if len(parts) > 1 and not a.isupper() else a


def short_title(title: str, limit: int = 40) -> str:
    """A title cut at a word boundary with an ellipsis (never mid-word), for citations."""
    t = " ".join(title.split())
    if len(t) <= limit:
        return t
    cut = t[:limit].rsplit(" ", 1)[0] if " " in t[:limit] else t[:limit]
    return cut.rstrip(" ,;:–-") + "…"


def author_year(
    authors: Sequence[str] | None,
    year: int | None,
    *,
    title: str | None = None,
    key: str | None = None,
    et_al: bool = False,
) -> str:
    """'Loeffler 2008', 'Bovaird & Loeffler 2012', 'Loeffler et al. 2008' (n.d. if no year).

    With no author, the (short) title stands in, as APA does: “Activating collective…” 2015;
    with no title either, the cite key. `et_al`: the author list was truncated (BibTeX's
    `and others`).
    """
    names = [surname(a) for a in (authors or []) if a and a.strip()]
    if not names:
        who = f"“{short_title(title)}”" if title else (key or "Anon.")
    elif len(names) == 1:
        who = f"{names[0]} et al." if et_al else names[0]
    elif len(names) == 2 and not et_al:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {year or 'n.d.'}"


def truncated_authors(source: m.Source) -> bool:
    """BibTeX's `and others` (kept in the original record; the author list drops it)."""
    fields = (source.record or {}).get("fields")
    raw = fields.get("author", "") if isinstance(fields, dict) else ""
    return isinstance(raw, str) and raw.strip(" {}").lower().endswith(" and others")


def source_author_year(source: m.Source) -> str:
    """`author_year` of a loaded source."""
    return author_year(
        source.authors,
        source.year,
        title=source.title,
        key=source.key,
        et_al=truncated_authors(source),
    )


def transcript_label(source: m.Source) -> str:
    """A transcript's (or document's) group name (meta 'group'), else its title or key."""
    meta = source.meta or {}
    return str(meta.get("group") or source.title or source.key)


def label(source: m.Source) -> str:
    """A source's short name: author-year for literature, its label for the team's own
    transcripts and documents."""
    if is_qualitative(source):
        return transcript_label(source)
    return source_author_year(source)


def label_of(
    *,
    kind: str | None,
    record_format: str | None,
    authors: Sequence[str] | None,
    year: int | None,
    title: str | None,
    key: str,
    meta: dict | None = None,
) -> str:
    """`label` from columns (for listings that select columns, not whole sources)."""
    if source_class(kind, record_format) != "literature":
        return str((meta or {}).get("group") or title or key)
    return author_year(authors, year, title=title, key=key)


def citation(source: m.Source, speaker: str | None = None) -> str:
    """How a quote is cited: author-year for literature, 'group, speaker' for transcripts."""
    if is_qualitative(source):
        return ", ".join(x for x in (transcript_label(source), speaker) if x)
    return source_author_year(source)


def _sentence(text: str) -> str:
    """End with a full stop unless the text already ends with . ? or ! (no '?.')."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", ".”", "?”", "!”")) else text + "."


EXTRA_FIELDS = ("type", "institution", "organization", "school", "publisher")


def _record_extras(source: m.Source) -> list[str]:
    """Report type and publisher from a BibTeX record ('Report to the EU Presidency',
    'Palgrave Macmillan'): the citation columns have no place for them, yet a reference to a
    report or chapter without them is hard to find. Plain braced values only (no macros or
    LaTeX commands)."""
    fields = (source.record or {}).get("fields")
    if (source.record_format or "").lower() != "bibtex" or not isinstance(fields, dict):
        return []
    out = []
    for name in EXTRA_FIELDS:
        raw = fields.get(name)
        if not isinstance(raw, str):
            continue
        v = raw.strip()
        if len(v) >= 2 and v[0] + v[-1] in ("{}", '""'):
            v = v[1:-1].strip()
        if v and not any(ch in v for ch in "{}\\#") and v not in out:
            out.append(v)
    return out


def reference(source: m.Source) -> str:
    """A one-line reference-list entry (APA-like, plain text).

    No authors: the title takes the author position, `Title. (2008).`, as in APA.
    """
    authors = "; ".join(a.strip() for a in (source.authors or []) if a.strip())
    if authors and truncated_authors(source):
        authors += " et al."
    title = _sentence(source.title or source.key)
    year = f"({source.year or 'n.d.'})."
    bits = [f"{authors} {year} {title}" if authors else f"{title} {year}"]
    venue = source.venue or ""
    if venue:
        v = venue
        if source.volume:
            v += f", {source.volume}"
            if source.issue:
                v += f"({source.issue})"
        if source.pages:
            v += f", {source.pages}"
        bits.append(_sentence(v))
    extra = _record_extras(source)
    if extra:
        bits.append(_sentence(", ".join(extra)))
    if source.doi:
        bits.append(f"https://doi.org/{source.doi}")
    elif source.url:
        bits.append(source.url)
    return " ".join(bits)


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
