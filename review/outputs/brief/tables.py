"""The briefing note's tables as plain data (`Table`): renderers turn them into documents.

Everything is sorted and free of timestamps so Markdown and CSV output is byte-identical for
the same database. Only included sources count (screening), plus the team's transcripts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import cast

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from review import collector
from review.coding.codings import excerpt_groups
from review.errors import UsageError
from review.ingest.citation import (
    citation,
    label,
    proceedings_volume,
    reference,
    reference_order,
    sort_text,
    source_author_year,
    trim_words,
    year_suffixes,
)
from review.ingest.literature.kinds import kind_name
from review.ingest.participants import attribute_names
from review.ingest.passages import Speakers
from review.outputs.brief import hints as hint
from review.outputs.brief.figures import INDICATOR_ROWS, Figure, figures_for, has_evidence
from review.outputs.brief.front import (
    FrontMatter,
    agreement_sentence,
    at_a_glance,
    coder_names,
    speaking_participants,
)
from review.outputs.brief.prisma_table import prisma_table
from review.outputs.brief.scan import (
    GROUP_ATTRIBUTES,
    TRANSCRIPT_ATTRIBUTES,
    UNASSIGNED,
    CodeTree,
    ScanResult,
    scan,
    table,
)
from review.store import models as m
from review.store.db import in_chunks
from review.store.kinds import DOCUMENT, LITERATURE, TRANSCRIPT, is_qualitative, source_class

QUOTES = 3
# Citation columns only, read as rows (attribute access like a Source, no ORM objects): a
# source's text, abstract and keywords are not needed here. (The original record stays:
# citations read BibTeX's `and others` and report type from it.)
CITE_COLUMNS = ("id", "key", "kind", "record_format", "title", "authors", "year", "meta",
                "record", "venue", "volume", "issue", "pages", "doi", "url", "country",
                "method")  # fmt: skip
STAFF_ROLES = ("moderator", "facilitator", "researcher", "interviewer", "note-taker")
QUOTE_CHARS = 240


@dataclass
class Table:
    id: str
    title: str
    caption: str
    columns: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)
    # for the team, not the reader: what a command or option would change (`review brief`
    # prints them; the documents leave them out, a note to send has no commands in it)
    hints: list[str] = field(default_factory=list)
    # Optional two-level header for HTML/DOCX: (label, number of columns) covering `columns`
    # left to right; a column under a labelled group shows only what follows "label: ".
    groups: list[tuple[str, int]] = field(default_factory=list)
    # the first column holds code paths: documents show leaf names under a parent group row
    tree: bool = False
    # cells are counts ("sources / excerpts" or numbers): documents shade them by weight
    shade: bool = False
    # what the documents say in place of a table with no rows (never an empty grid)
    empty: str = "Nothing to show yet."


@dataclass
class Brief:
    tables: list[Table]
    references: list[str]
    front: FrontMatter = field(default_factory=FrontMatter)
    glance: str = ""
    figures: list[Figure] = field(default_factory=list)


def _cell(sources: int, excerpts: int) -> str:
    return f"{sources} / {excerpts}" if sources or excerpts else "–"


def evidence_matrix(tree: CodeTree, res: ScanResult, all_rows: bool = False) -> Table:
    """Codes × sectors; each cell 'sources / excerpts', literature and transcripts apart.

    Codes with no excerpt and columns with no excerpt are left out unless `all_rows` (a
    codebook of 19 codes, 17 of them unused yet, is a page of dashes)."""
    sectors = res.sectors + [UNASSIGNED]
    used = {s for (_, s, _) in res.excerpts}
    sectors = [s for s in sectors if s != UNASSIGNED or UNASSIGNED in used]
    pairs = [(s, tr) for s in sectors for tr in (False, True)]
    codes = list(tree.evidence_ids)
    if not all_rows:
        pairs = [(s, tr) for s, tr in pairs if any(res.excerpts[(c, s, tr)] for c in codes)]
        codes = [c for c in codes if any(res.excerpts[(c, s, tr)] for s, tr in pairs)]
    cols = ["Code"]
    groups: list[tuple[str, int]] = [("", 1)]
    for s, tr in pairs:
        cols.append(f"{s}: {'transcripts' if tr else 'literature'}")
        if groups[-1][0] == s:
            groups[-1] = (s, groups[-1][1] + 1)
        else:
            groups.append((s, 1))
    rows = []
    for cid in codes:
        row: list[object] = [tree.paths[cid]]
        for s, tr in pairs:
            row.append(_cell(res.sources[(cid, s, tr)], res.excerpts[(cid, s, tr)]))
        rows.append(row)
    # how the cells are counted, under cells to count (not under "No excerpt is coded yet")
    notes = [
        "An excerpt's sector is the sector code overlapping it, else the sector coded most "
        "often in its source (a tie: the one with more coded text), else Unassigned; an "
        "excerpt overlapping two sectors counts in both, so the cells can add up to more "
        "than the excerpts. Two coders coding the same span count as one excerpt.",
    ][: 1 if rows else 0]
    hidden = len(tree.evidence_ids) - len(codes)
    hints = []
    for tr, what in ((False, "literature"), (True, "transcripts")):
        if rows and not any(t == tr for _, t in pairs):  # the caption names both
            notes.append(f"Nothing from the {what} is coded yet: its columns are left out.")
    if hidden:
        notes.append(
            f"{hidden} code{'s' if hidden > 1 else ''} with no excerpt "
            f"{'are' if hidden > 1 else 'is'} not shown."
        )
        hints.append(hint.ALL_ROWS)
    return Table(
        "evidence-matrix",
        "Evidence matrix",
        "Table 1. Codes by sector: number of sources / number of excerpts, from the literature "
        "and from the transcripts.",
        cols,
        rows,
        notes,
        hints,
        groups,
        tree=True,
        shade=True,
        empty="No excerpt is coded yet: the matrix fills in as the sources are coded.",
    )


def joint_display(
    session: Session,
    tree: CodeTree,
    res: ScanResult,
    suffixes: dict[int, str] | None = None,
    all_rows: bool = False,
) -> Table:
    """Each indicator beside its linked codes, excerpt count and representative quotes.
    `suffixes`: the cited works' year letters (`year_suffixes`).

    A workspace with more indicators than the indicator figure draws (`INDICATOR_ROWS`)
    lists only those with evidence linked, unless `all_rows`, and says how many it left out:
    a 540-value survey table listed every value beside empty cells, 60 pages of the DOCX
    (found by two new-user walks). A few indicators are all listed, evidence or not: there
    an indicator with none linked is a gap worth seeing."""
    suffixes = suffixes or {}
    links = defaultdict(list)
    for ln in session.exec(select(m.EvidenceLink).order_by(col(m.EvidenceLink.id))).all():
        links[ln.indicator_id].append(ln)
    singles = _linked_codings(session, links)
    # the words of each excerpt linked on its own -> the indicators it is linked to
    # (`_placed_here`: quoted beside those only)
    placed: dict[tuple, set[int]] = defaultdict(set)
    for ind_id, lns in links.items():
        for ln in lns:
            if ln.coding_id in singles:
                placed[_words(singles[ln.coding_id])].add(ind_id)
    src_cache: dict[int, m.Source] = {}

    def source(sid: int) -> m.Source:
        if sid not in src_cache:
            found = session.get(m.Source, sid)
            assert found is not None  # a coding's source (a foreign key)
            src_cache[sid] = found
        return src_cache[sid]

    # excerpts per code in included sources, each coded span once (from the scan: the
    # numbers the matrix shows, without a second pass over the codings)
    totals = res.code_totals
    rows: list[list[object]] = []
    indicators = cast(list[m.Indicator], session.exec(select(m.Indicator)).all())
    indicators.sort(key=lambda i: (i.name, i.sector or "", i.area or "", i.year or 0, i.id))
    sector_linked = False  # a sector's figure beside codes linked as a whole (see the note)
    for ind in indicators:
        assert ind.id is not None  # a stored row's primary key
        codes: dict[int, set[str]] = defaultdict(set)  # code links: code -> relations
        chosen: list[m.Coding] = []  # single codings linked
        chosen_rel: dict[int, set[str]] = defaultdict(set)
        for ln in links[ind.id]:
            if ln.coding_id is not None:
                c = singles.get(ln.coding_id)
                if c is not None and c.source_id in res.included:
                    chosen.append(c)
                    chosen_rel[c.code_id].add(ln.relation)
            elif ln.code_id is not None:
                codes[ln.code_id].add(ln.relation)
        # two coders' codings of one span, both linked, are one excerpt: counted and quoted once
        chosen = [g[0] for g in excerpt_groups(chosen, _span)]
        code_ids = sorted(codes, key=lambda c: tree.paths.get(c, ""))
        sector_linked = sector_linked or bool(code_ids and ind.sector)
        subtree = _with_descendants(tree, code_ids)
        n = sum(totals[c] for c in subtree)
        n += sum(1 for c in chosen if c.code_id not in subtree)
        quotable = partial(_placed_here, placed, ind.id)
        quotes = _quotes(
            session, chosen, subtree, ind.sector, tree, res, source, suffixes, quotable
        )
        # one entry per code: an excerpt linked on its own under a code linked as a whole
        # adds its relation to the code's entry (its count is in the code's already)
        for cid in chosen_rel:
            if cid in codes:
                codes[cid] |= chosen_rel[cid]
        linked = [f"{tree.paths.get(c, c)} ({', '.join(sorted(codes[c]))})" for c in code_ids]
        for cid in sorted(set(chosen_rel) - set(codes), key=lambda c: tree.paths.get(c, "")):
            k = sum(1 for x in chosen if x.code_id == cid)
            rel = ", ".join(sorted(chosen_rel[cid]))
            linked.append(f"{tree.paths.get(cid, cid)} ({rel}; {k} excerpt{'s' if k > 1 else ''})")
        value = ind.value_text or ("" if ind.value is None else _num(ind.value))
        if ind.unit and ind.unit not in value:
            value = f"{value} {ind.unit}".strip()
        if ind.ci_low is not None and ind.ci_high is not None:
            value += f" ({_num(ind.ci_low)}–{_num(ind.ci_high)})"
        rows.append(
            [
                ind.name,
                ind.sector or "",
                ind.area or "",
                str(ind.year) if ind.year else "",  # a year, not a count: no separator
                value,
                ind.n if ind.n is not None else "",
                source_author_year(source(ind.source_id), suffixes.get(ind.source_id, ""))
                if ind.source_id
                else cited(ind),
                "; ".join(linked),
                n,
                "\n".join(quotes),
            ]
        )
    total = len(rows)
    hidden = 0
    hints: list[str] = []
    if not all_rows and total > INDICATOR_ROWS:
        kept = [r for r in rows if has_evidence(r)]
        hidden, rows = total - len(kept), kept
        if hidden:
            hints.append(hint.ALL_INDICATORS)
    return Table(
        "joint-display",
        "Joint display",
        "Table 2. Survey indicators beside the qualitative evidence linked to them, with "
        "representative quotes.",
        [
            "Indicator",
            "Sector",
            "Area",
            "Year",
            "Value",
            "n",
            "Source",
            "Linked codes",
            "Excerpts",
            "Representative quotes",
        ],  # fmt: skip
        rows,
        # Table 1 counts a code's excerpts by sector, this one by link: a reader comparing
        # the community-safety row's 19 with Table 1's 9 under community safety was not told
        [
            "Excerpts counts every excerpt of a linked code (and of its sub-codes) in the "
            "included sources, whatever its sector, and each excerpt linked on its own; the "
            "quotes are the excerpts linked on their own first, then excerpts of the "
            "indicator's sector or of no sector, never one the matrix counts under another "
            "sector."
        ][: 1 if sector_linked and rows else 0]
        + (
            [f"{hidden:,} of the {total:,} indicators have no evidence linked: not listed."]
            if hidden and rows
            else []
        ),
        hints,
        empty=(
            f"None of the {total:,} survey indicators has evidence linked yet."
            if hidden
            else "No survey indicator is in the workspace yet."
        ),
    )


def _blank_left_out(
    columns: list[str], rows: list[list], candidates: Sequence[int], who: str
) -> tuple[list[str], list[list], str]:
    """`columns` and `rows` without the candidate columns no row fills, and the note that
    says so ("No included source records its country and method: those columns are left
    out."); no note when none is left out."""
    blank = [j for j in candidates if rows and not any(r[j] not in ("", None) for r in rows)]
    if not blank:
        return columns, rows, ""
    names = [columns[j] if columns[j] == "n" else columns[j].lower() for j in blank]
    missing = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    which = "those columns are" if len(blank) > 1 else "that column is"
    rows = [[x for j, x in enumerate(r) if j not in blank] for r in rows]
    columns = [c for j, c in enumerate(columns) if j not in blank]
    return columns, rows, f"No {who} records its {missing}: {which} left out."


def without_blank_columns(joint: Table) -> Table:
    """Table 2 as the documents show it: a sector, area, year, n or source column that no
    listed indicator fills is left out, with a note (a survey table with none of them gave
    four empty columns that pushed the quotes out of a 1,200-pixel window). The figures read
    the whole rows (`figures_for`), so this comes after them."""
    columns, rows, note = _blank_left_out(
        joint.columns, joint.rows, (1, 2, 3, 5, 6), "indicator listed"
    )
    if not note:
        return joint
    return replace(joint, columns=columns, rows=rows, notes=[*joint.notes, note])


def cited(ind: m.Indicator) -> str:
    """An indicator whose literature record is not in the workspace still names its key."""
    from review.evidence.indicators import pending_source

    key = pending_source(ind)
    return f"{key} (not imported)" if key else ""


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _with_descendants(tree: CodeTree, ids: list[int]) -> set[int]:
    roots = [tree.paths[c] for c in ids if c in tree.paths]
    return {
        cid for cid, p in tree.paths.items() if any(p == r or p.startswith(r + "/") for r in roots)
    }


def _sector_of(
    session: Session, tree: CodeTree, res: ScanResult, sector: str | None, cands: list[m.Coding]
):
    """`where(coding)`: "in" when the excerpt's sector is `sector`, "other" when it is
    another sector, "none" when it has none — the evidence matrix's rule (the sector codes
    overlapping the excerpt, else its source's main sector, `ScanResult.main_sectors`), so a
    quote beside a sector's figure is one the matrix counts under that sector."""
    spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    sids = sorted({c.source_id for c in cands})
    if sector and sids and tree.sector_ids:
        for chunk in in_chunks(sids, 500):
            for sid, cid, a, b in session.execute(
                core_select(
                    col(m.Coding.source_id),
                    col(m.Coding.code_id),
                    col(m.Coding.start),
                    col(m.Coding.end),
                ).where(
                    col(m.Coding.source_id).in_(chunk),
                    col(m.Coding.code_id).in_(sorted(tree.sector_ids)),
                )  # fmt: skip
            ).all():
                spans[sid].append((a, b, tree.sector_ids[cid].lower()))
    want = (sector or "").lower()

    def where(c: m.Coding) -> str:
        if not want:
            return "none"
        here = {n for a, b, n in spans.get(c.source_id, ()) if a < c.end and b > c.start}
        names = here or {x.lower() for x in res.main_sectors.get(c.source_id, ())}
        return "none" if not names else "in" if want in names else "other"

    return where


def _span(c: m.Coding) -> tuple:
    """The excerpt a coding is of (`excerpt_groups`)."""
    return (c.source_id, c.code_id, c.start, c.end)


def _words(c: m.Coding) -> tuple:
    """The words a coding quotes, whatever its code: what a reader sees as one quote."""
    return (c.source_id, c.start, c.end)


def _linked_codings(
    session: Session, links: dict[int, list[m.EvidenceLink]]
) -> dict[int, m.Coding]:
    """coding id -> the coding, for every coding linked on its own (one query, not one per
    link: each indicator's row and the quote filter both read them)."""
    ids = sorted({ln.coding_id for lns in links.values() for ln in lns if ln.coding_id})
    out: dict[int, m.Coding] = {}
    for chunk in in_chunks(ids, 500):
        for c in session.exec(select(m.Coding).where(col(m.Coding.id).in_(chunk))).all():
            out[cast(int, c.id)] = c
    return out


def _placed_here(placed: dict[tuple, set[int]], here: int, c: m.Coding) -> bool:
    """Whether `c` may be quoted beside indicator `here` through a code linked whole: not
    when its words are an excerpt the analyst linked on its own to other indicators only.
    That excerpt was chosen for their figures; beside this one it read as linked here too
    (a no-sector transcript's quote linked to Local environment stood beside Public health,
    which links its code whole). It still counts in this row's excerpts: the count is by
    code link."""
    to = placed.get(_words(c))
    return to is None or here in to


def _quotes(
    session, chosen, code_ids, sector, tree, res, source, suffixes, quotable=lambda c: True
) -> list[str]:
    """Linked codings first; then excerpts from the indicator's sector (different voices),
    or, when no source is of that sector, one excerpt per source. `quotable(coding)`: false
    for an excerpt of the linked codes that is not this indicator's to quote (linked on its
    own to others only, `_placed_here`)."""
    picked = list(chosen[:QUOTES])
    if len(picked) < QUOTES and code_ids:
        # When the codes are common (1 coding in 50 or more), reading the codings in text
        # order until 400 match beats finding all of them by code and sorting (50 ms → 2 ms
        # per indicator at 1,000,000 codings): `code_id + 0` keeps the code index out of it.
        common = sum(res.code_totals[c] for c in code_ids) * 50 >= sum(res.code_totals.values())
        code = col(m.Coding.code_id) + 0 if common else col(m.Coding.code_id)
        cands = session.exec(
            select(m.Coding)
            .where(code.in_(sorted(code_ids)))
            .order_by(col(m.Coding.source_id), col(m.Coding.start), col(m.Coding.id))
            .limit(400)  # candidates enough to pick three voices from
        ).all()
        seen = {c.source_id for c in picked}
        cands = [c for c in cands if c.source_id in res.included and quotable(c)]
        where = _sector_of(session, tree, res, sector, cands)
        place = {c.id: where(c) for c in cands}
        sids = sorted({c.source_id for c in cands})
        keys = dict(
            session.exec(
                select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(sids))
            ).all()
        )
        turns = Speakers(session, {c.source_id for c in cands})
        staff = set(
            session.exec(
                select(col(m.Participant.id)).where(col(m.Participant.role).in_(STAFF_ROLES))
            ).all()
        )

        def rank(c: m.Coding) -> tuple:
            """Same sector first, then participants' words (not the moderator's), then a
            quote of readable length, then text order."""
            by_staff = turns.participant_at(c.source_id, c.start) in staff
            readable = 40 <= len(c.quote) <= 400
            return (place[c.id] != "in", by_staff, not readable,
                    keys.get(c.source_id, ""), c.start)  # fmt: skip

        cands.sort(key=rank)
        if "in" in place.values():
            # Beside a sector's figure: excerpts of that sector (and of no sector), never
            # excerpts the matrix counts under another sector; then more voices from the
            # sector's own excerpts.
            cands = [c for c in cands if place[c.id] != "other"]
        voices = {(p.source_id, turns.participant_at(p.source_id, p.start)) for p in picked}

        def take(c: m.Coding) -> None:
            picked.append(c)
            seen.add(c.source_id)
            voices.add((c.source_id, turns.participant_at(c.source_id, c.start)))

        for c in cands:
            if len(picked) < QUOTES and c.source_id not in seen:
                take(c)
        for c in cands:
            voice = (c.source_id, turns.participant_at(c.source_id, c.start))
            if len(picked) < QUOTES and place[c.id] == "in" and voice not in voices:
                take(c)
    speakers = Speakers(session, {c.source_id for c in picked})
    out = []
    for c in picked:
        q = " ".join(c.quote.split())
        q = trim_words(q, QUOTE_CHARS)
        who = citation(
            source(c.source_id), speakers.at(c.source_id, c.start), suffixes.get(c.source_id, "")
        )
        out.append(f"“{q}” ({who})")
    return out


def cited_sources(session: Session, ids: list[int]) -> list[m.Source]:
    """The citation columns (`CITE_COLUMNS`) of these sources, in id order, as rows that
    read like sources."""
    t = table(m.Source)
    cols = [t.c[name] for name in CITE_COLUMNS]
    out: list = []
    for chunk in in_chunks(sorted(ids), 500):
        out += session.execute(core_select(*cols).where(t.c.id.in_(chunk))).all()
    out.sort(key=lambda r: r.id)
    return cast("list[m.Source]", out)


def source_characteristics(
    session: Session,
    tree: CodeTree,
    res: ScanResult,
    sources: list[m.Source] | None = None,
    suffixes: dict[int, str] | None = None,
    orders: dict[int, tuple] | None = None,
) -> Table:
    """One row per included source: citation, type, country, method, sectors, codes applied.
    `sources`: the included sources' `cited_sources`, when already read; `suffixes`: their
    year letters (`year_suffixes`); `orders`: their `reference_order`, when already known."""
    suffixes = suffixes or {}
    rows: list[list[str]] = []
    qualitative: dict[str, bool] = {}
    order: dict[str, tuple] = {}
    names = dict(session.exec(select(col(m.Coder.id), col(m.Coder.name))).all())
    if sources is None:
        sources = cited_sources(session, sorted(res.included))
    leaves = {c: p.rsplit("/", 1)[-1] for c, p in tree.paths.items() if c not in tree.sector_ids}
    for s in sources:
        assert s.id is not None  # a stored row's primary key
        counts = res.per_source.get(s.id, Counter())
        sectors = sorted({tree.sector_ids[c] for c in counts if c in tree.sector_ids})
        codes = sorted(f"{leaves[c]} ({n})" for c, n in counts.items() if c in leaves)
        rows.append(
            [
                label(s, suffixes.get(s.id, "")),
                kind_name(s.kind, volume=proceedings_volume(s)),
                s.country or "",
                s.method or "",
                "; ".join(sectors),
                "; ".join(codes),
                ", ".join(sorted(names[c] for c in res.source_coders.get(s.id, ()) if c in names)),
                s.key,
            ]  # fmt: skip
        )
        qualitative[s.key] = is_qualitative(s)
        # the literature in the reference list's order (`reference_order`: an undated work
        # before the same authors' dated ones, 'Nazarenko, Legalov' before 'Nazarenko &
        # Perkovsky'; by the citation they came after them), then the transcripts by label
        order[s.key] = (
            (sort_text(rows[-1][0]), rows[-1][0])
            if qualitative[s.key]
            else (orders[s.id] if orders and s.id in orders else reference_order(s))
        )
    # literature first, then the team's transcripts
    rows.sort(key=lambda r: (qualitative[r[-1]], order[r[-1]], r[-1]))
    columns = ["Source", "Type", "Country", "Method", "Sectors", "Codes applied (excerpts)",
               "Coders", "Key"]  # fmt: skip
    notes = []
    # a column no source fills (country and method are often not recorded) is left out and
    # said so, as the evidence matrix does
    columns, rows, note = _blank_left_out(columns, rows, (2, 3), "included source")
    notes += [note] if note else []
    what = ", ".join(c.lower() for c in columns[1:4] if c in ("Type", "Country", "Method"))
    return Table(
        "source-characteristics",
        "Characteristics of included sources",
        f"Table 3. Included sources: citation, {what}, sectors, codes applied (number of "
        "excerpts, each coded span once) and who coded them.",
        columns,
        cast("list[list[object]]", rows),  # the table's rows are all text
        notes,
        empty="No source is included yet.",
    )


MAX_CATEGORIES = 12


def codes_by_attribute(
    tree: CodeTree,
    res: ScanResult,
    attributes: list[str] | None = None,
    known: set[str] | None = None,
) -> list[Table]:
    """Per participant attribute (area, age band, ...): excerpts of each code by value.

    By default every attribute with 2 to 12 values seen gets a table, so free-text notes or
    occupations do not turn into unreadable cross-tabs; any other attribute with a value is
    tabulated when named (`attributes`). A group
    attribute counts each excerpt under its transcript's group. What cannot be tabulated is
    said in a note, not left out silently.
    """  # fmt: skip
    out = []
    values_of = {a: {v for (_, v) in res.by_attribute[a]} for a in res.by_attribute}
    too_many = []
    if attributes:
        names = list(attributes)
    else:
        names = []
        for a in sorted(values_of):
            n = len(values_of[a])
            if 2 <= n <= MAX_CATEGORIES:
                names.append(a)
            else:
                too_many.append(f"{a} ({'one value for all' if n == 1 else f'{n} values'})")
    # transcripts with no group of their own are their own groups: a table by group was the
    # table by transcript again, cell for cell (two real transcripts with no `Focus group:`
    # header gave Tables 4.1 and 4.2 alike); named with --attribute, it is still written
    by_transcript = [a for a in names if a.lower() in TRANSCRIPT_ATTRIBUTES]
    same = [
        a
        for a in names
        if not attributes and a.lower() in GROUP_ATTRIBUTES
        and any(res.by_attribute[a] == res.by_attribute[t] for t in by_transcript)
    ]  # fmt: skip
    names = [a for a in names if a not in same]
    for k, name in enumerate(names, start=1):
        counts = res.by_attribute.get(name, Counter())
        values = sorted({v for (_, v) in counts})
        rows = []
        for cid in tree.evidence_ids:
            cells = [counts.get((cid, v), 0) for v in values]
            if any(cells):
                rows.append([tree.paths[cid], *cells, sum(cells)])
        slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
        label = " ".join(name.replace("_", " ").split())  # 'age_band' reads 'age band'
        notes = []
        if not rows:
            notes.append(
                f"No coded transcript excerpt is spoken by a participant with a {label}: "
                "code the transcripts, or record the attribute for their speakers."
            )
        if name.lower() in GROUP_ATTRIBUTES:
            notes.append("Each excerpt counts under the group of the transcript it comes from.")
        if name.lower() in TRANSCRIPT_ATTRIBUTES:
            notes.append("Each excerpt counts under the transcript it comes from.")
            if same:
                notes.append(
                    "Each transcript is a group of its own: a table by group would repeat this one."
                )
        out.append(
            Table(
                f"codes-by-{slug}",
                f"Code frequencies by {label}",
                f"Table 4.{k}. Number of transcript excerpts of each code by "
                + (label if name.lower() in TRANSCRIPT_ATTRIBUTES else f"participant {label}")
                + ".",
                ["Code", *values, "Total"],
                rows,
                notes,
                tree=True,
                shade=True,
            )
        )
    if too_many and out:
        out[-1].notes.append(
            "Not tabulated (one value, or more than 12): " + "; ".join(too_many) + "."
        )
        out[-1].hints.append(hint.ATTRIBUTE)
    if not out:
        if known:
            why = (
                "Participant attributes are recorded (" + ", ".join(sorted(known)) + "), but no "
                "coded transcript excerpt is spoken by a participant who has one."
            )
            if too_many:
                why = "No attribute has 2 to 12 values: " + "; ".join(too_many) + "."
        else:
            why = "No participant attributes recorded yet."
        out.append(
            Table(
                "codes-by-attribute",
                "Code frequencies by participant attribute",
                "Table 4. Number of transcript excerpts of each code by participant attribute.",
                ["Code", "Total"],
                [],
                ["Codes are cross-tabulated by participant attributes (area, age band, …)."],
                ["record participant attributes, or --attribute NAME tabulates one"],
                empty=why,
            )
        )
    return out


def check_attributes(session: Session, names: list[str]) -> None:
    """An attribute no participant has is a typo: say so rather than write an empty table 4."""
    if not names:
        return
    known = attribute_names(session)
    unknown = [a for a in names if a not in known]
    if unknown:
        raise UsageError(
            f"--attribute: no participant has {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )


@collector.paused()  # bounded work on many long-lived objects: review/collector.py
def build(
    session: Session,
    attributes: list[str] | None = None,
    *,
    front: FrontMatter | None = None,
    all_rows: bool = False,
) -> Brief:
    """All five tables, the figures, the front matter with its "at a glance" paragraph, and
    the reference list of included literature."""
    from review.screening.decisions import outcomes_held
    from review.screening.prisma import prisma

    check_attributes(session, attributes or [])
    tree = CodeTree.load(session)
    with outcomes_held(session):  # the included rule and PRISMA read the same outcomes
        res = scan(session, tree)
        flow = prisma(session)
    matrix = evidence_matrix(tree, res, all_rows)
    sources = cited_sources(session, sorted(res.included))
    # every work the note cites is in its reference list: an indicator's source (Table 2)
    # even when screening took it out of the review's literature
    also = session.execute(
        select(col(m.Indicator.source_id)).where(col(m.Indicator.source_id).is_not(None))
    ).scalars()
    also_sources = cited_sources(session, sorted(set(also) - res.included))
    # works cited alike get APA's year letters (2012a, 2012b) in every table and reference
    suffixes = year_suffixes([*sources, *also_sources])
    joint = joint_display(session, tree, res, suffixes, all_rows)
    figures = figures_for(tree, res, matrix, joint, flow)
    # the reference list's order, once: Table 3 lists the literature in it too
    orders = {cast(int, s.id): reference_order(s) for s in [*sources, *also_sources]
              if not is_qualitative(s)}  # fmt: skip
    tables = [
        matrix,
        without_blank_columns(joint),
        source_characteristics(session, tree, res, sources, suffixes, orders),
        *codes_by_attribute(tree, res, attributes, attribute_names(session)),
        prisma_table(session, flow),
    ]
    refs = []
    classes: Counter = Counter()
    for s in sources:
        classes[source_class(s.kind, s.record_format)] += 1
        if not is_qualitative(s):
            refs.append((orders[cast(int, s.id)], reference(s, suffixes.get(s.id or 0, ""))))
    for s in also_sources:
        if not is_qualitative(s):
            refs.append((orders[cast(int, s.id)], reference(s, suffixes.get(s.id or 0, ""))))
    counts = {
        "literature": classes[LITERATURE],
        "transcripts": classes[TRANSCRIPT],
        "documents": classes[DOCUMENT],
        "participants": speaking_participants(session, res.included, STAFF_ROLES),
        "excerpts": res.excerpts_total[False] + res.excerpts_total[True],
        "excerpts_literature": res.excerpts_total[False],
        "excerpts_qualitative": res.excerpts_total[True],
        "coders": coder_names(session, list(res.coders)),
        "agreement": agreement_sentence(session, res),
    }
    glance = at_a_glance(session, counts, flow)
    return Brief(
        tables,
        [r for _, r in sorted(refs, key=lambda x: x[0])],
        front or FrontMatter(),
        glance,
        figures,
    )
