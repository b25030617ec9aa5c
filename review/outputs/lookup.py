"""Shared look-ups for the briefing tables and the exports: code paths, citations, speakers,
which sources are included.

Why one module: the joint display, the excerpt export and the REFI-QDA export must cite a
source and name a code the same way, or a reader cannot match a quote across documents.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from sqlmodel import Session, select

from review.store import models as m

# The team's own qualitative data (never screened): transcripts, and documents such as a
# REFI-QDA project's sources. Everything else is literature.
TRANSCRIPT_KINDS = frozenset({"transcript", "document", "interview", "focus-group"})
STAGE_ORDER = {"title-abstract": 0, "full-text": 1}


def is_transcript(kind: str | None) -> bool:
    """Transcripts (qualitative data) versus literature (everything else we cite)."""
    return (kind or "").lower() in TRANSCRIPT_KINDS


def code_paths(session: Session) -> dict[int, str]:
    """Code id -> 'Parent/Child' path (the codebook's own notation)."""
    rows = session.exec(select(m.Code.id, m.Code.parent_id, m.Code.name)).all()
    parent = {cid: pid for cid, pid, _ in rows}
    name = {cid: n for cid, _, n in rows}
    out: dict[int, str] = {}

    def path(cid: int, depth: int = 0) -> str:
        if cid in out:
            return out[cid]
        pid = parent.get(cid)
        p = (
            name[cid]
            if pid is None or pid not in name or depth > 50
            else (f"{path(pid, depth + 1)}/{name[cid]}")
        )
        out[cid] = p
        return p

    for cid in name:
        path(cid)
    return out


def surname(author: str) -> str:
    """'Bovaird, Tony' -> 'Bovaird'; 'Tony Bovaird' -> 'Bovaird'; organisations kept whole."""
    a = author.strip().strip("{}")
    if "," in a:
        return a.split(",", 1)[0].strip()
    parts = a.split()
    return parts[-1] if len(parts) > 1 and not a.isupper() else a


def _et_al(source: m.Source) -> bool:
    """BibTeX's `and others` (kept in the original record; the author list drops it)."""
    fields = (source.record or {}).get("fields")
    raw = fields.get("author", "") if isinstance(fields, dict) else ""
    return isinstance(raw, str) and raw.strip(" {}").lower().endswith(" and others")


def short_title(title: str, limit: int = 40) -> str:
    """A title cut at a word boundary with an ellipsis (never mid-word), for citations."""
    t = " ".join(title.split())
    if len(t) <= limit:
        return t
    cut = t[:limit].rsplit(" ", 1)[0] if " " in t[:limit] else t[:limit]
    return cut.rstrip(" ,;:–-") + "…"


def author_year(source: m.Source) -> str:
    """'Loeffler 2008', 'Bovaird & Loeffler 2012', 'Loeffler et al. 2008' (n.d. if no year).

    With no author, the (short) title stands in, as APA does: “Activating collective…” 2015.
    """
    names = [surname(a) for a in (source.authors or []) if a and a.strip()]
    if not names:
        who = f"“{short_title(source.title)}”" if source.title else (source.key or "Anon.")
    elif len(names) == 1:
        who = f"{names[0]} et al." if _et_al(source) else names[0]
    elif len(names) == 2 and not _et_al(source):
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {source.year or 'n.d.'}"


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
    if authors and _et_al(source):
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


def transcript_label(source: m.Source) -> str:
    """A transcript's group name (meta 'group'), else its title or key."""
    meta = source.meta or {}
    return str(meta.get("group") or source.title or source.key)


class Speakers:
    """Who speaks at an offset: the turn passages of each transcript, searched by bisect."""

    def __init__(self, session: Session, source_ids: set[int] | None = None):
        q = select(
            m.Passage.source_id, m.Passage.start, m.Passage.speaker, m.Passage.participant_id
        ).where(m.Passage.speaker.is_not(None))
        self._by: dict[int, list[tuple[int, str, int | None]]] = {}
        self._starts: dict[int, list[int]] = {}
        if source_ids is not None:
            if not source_ids:
                return
            q = q.where(m.Passage.source_id.in_(sorted(source_ids)))
        by: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
        for sid, start, speaker, pid in session.exec(q).all():
            by[sid].append((start, speaker, pid))
        self._by = {sid: sorted(v, key=lambda t: t[0]) for sid, v in by.items()}
        self._starts = {sid: [t[0] for t in v] for sid, v in self._by.items()}

    def _turn(self, source_id: int, offset: int) -> tuple[int, str, int | None] | None:
        turns = self._by.get(source_id)
        if not turns:
            return None
        i = bisect.bisect_right(self._starts[source_id], offset) - 1
        return turns[i] if i >= 0 else None

    def at(self, source_id: int, offset: int) -> str | None:
        turn = self._turn(source_id, offset)
        return turn[1] if turn else None

    def participant_at(self, source_id: int, offset: int) -> int | None:
        turn = self._turn(source_id, offset)
        return turn[2] if turn else None


def citation(source: m.Source, speaker: str | None = None) -> str:
    """How a quote is cited: author-year for literature, 'group, speaker' for transcripts."""
    if is_transcript(source.kind):
        return ", ".join(x for x in (transcript_label(source), speaker) if x)
    return author_year(source)


def decisive_decisions(session: Session) -> dict[int, m.ScreeningDecision]:
    """Each screened source's deciding decision: latest stage, final before not, latest first."""
    best: dict[int, tuple] = {}
    out: dict[int, m.ScreeningDecision] = {}
    for d in session.exec(select(m.ScreeningDecision)).all():
        rank = (STAGE_ORDER.get(d.stage, 0), d.final, d.created, d.id)
        if d.source_id not in best or rank > best[d.source_id]:
            best[d.source_id] = rank
            out[d.source_id] = d
    return out


def included_source_ids(session: Session, *, literature_only: bool = True) -> list[int]:
    """Live sources in the review: literature whose screening outcome is include (full text,
    or title/abstract when nothing was screened at full text), every record when nothing was
    screened at all, and (unless `literature_only`) the team's transcripts and documents.

    Outcomes come from `review.screening.decisions.outcomes`, so dual screening and resolutions
    count exactly as `review screen` and `review prisma` count them.
    """
    from review.screening.decisions import outcomes

    rows = session.exec(
        select(m.Source.id, m.Source.kind).where(m.Source.merged_into_id.is_(None))
    ).all()
    ft = outcomes(session, "full-text")
    decided = ft or outcomes(session, "title-abstract")
    screened = bool(decided) or bool(session.exec(select(m.ScreeningDecision.id)).first())
    out = []
    for sid, kind in rows:
        if is_transcript(kind):
            if not literature_only:
                out.append(sid)
        elif not screened or (sid in decided and decided[sid].status == "include"):
            out.append(sid)
    return sorted(out)


def coder_id(session: Session, name: str | None) -> int | None:
    """The id of the coder called `name`, created on first use (attribution, not login)."""
    if not name:
        return None
    row = session.exec(select(m.Coder).where(m.Coder.name == name)).first()
    if row is None:
        row = m.Coder(name=name)
        session.add(row)
        session.flush()
    return row.id
