"""The briefing note's front matter: a title block (from `review.toml`, or options of one run)
and an "at a glance" paragraph written from the data, with the same counts as the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from review import safetext
from review.store import models as m
from review.store.settings import PROJECT_FIELDS, read_project

DEFAULT_TITLE = "Briefing note"


@dataclass
class FrontMatter:
    title: str = DEFAULT_TITLE
    question: str = ""
    authors: list[str] = field(default_factory=list)
    organisation: str = ""
    date: str = ""
    version: str = ""
    paper: str = "A4"

    def byline(self) -> str:
        """'A. Analyst and B. Reviewer · Policy Unit · March 2024 · draft 1'. A name, the
        date and the version do not break across lines (no-break spaces inside each: the
        byline of a printed note broke "12 March / 2024"); the organisation may."""
        names = [_unbroken(n) for n in self.authors]
        who = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
        parts = (who, self.organisation, _unbroken(self.date), _unbroken(self.version))
        return " · ".join(x for x in parts if x)


def _unbroken(text: str) -> str:
    """`text` with no-break spaces, so it stays on one line."""
    return text.replace(" ", "\u00a0")


def front_matter(root: Path | None = None, **overrides: object) -> FrontMatter:
    """The project file's fields, then any given override (None: not given)."""
    fields: dict[str, object] = dict(read_project(root)) if root is not None else {}
    for key, value in overrides.items():
        if key not in PROJECT_FIELDS:
            raise TypeError(f"unknown front-matter field {key!r}")
        if value is not None:
            fields[key] = value
    if isinstance(fields.get("authors"), str):
        fields["authors"] = [a.strip() for a in str(fields["authors"]).split(";") if a.strip()]
    # one line of plain text each: `--title` with a BEL, an escape sequence or a NUL made
    # the DOCX fail ('All strings must be XML compatible') and sat in the Markdown as is
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = _line(value)
        elif isinstance(value, list):
            fields[key] = [a for a in (_line(str(v)) for v in value) if a]
    front = FrontMatter(**{k: v for k, v in fields.items() if v not in ("", None)})  # type: ignore[arg-type]
    return front


def _line(text: str) -> str:
    """Text as one line: control characters and escape sequences removed, spaces single."""
    return " ".join(safetext.terminal(" ".join(text.split())).split())


def _n(k: int, one: str, many: str | None = None) -> str:
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


def _list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _screening_sentence(stage: str, lit: int, prisma: dict) -> str:
    """Where screening stands and what the tables rest on: a stage in progress says so (with
    what awaits a decision) instead of calling the records not yet decided included or out."""
    scr, elig = prisma.get("screening", {}), prisma.get("eligibility", {})
    waiting_ta, waiting_ft = scr.get("awaiting_screening", 0), elig.get("awaiting_assessment", 0)
    conflicts = scr.get("conflicts", 0) + elig.get("conflicts", 0)
    of_them = f" ({_n(conflicts, 'conflict')} between reviewers)" if conflicts else ""
    rest = f"the {_n(lit, 'record')} not excluded so far stand for the included literature"
    if stage == "title-abstract" and waiting_ta:
        screened = scr.get("records_screened", 0)
        done = f"{_n(screened, 'record')} decided, " if screened else ""
        return (
            f"Title/abstract screening is in progress: {done}"
            f"{_n(waiting_ta, 'record')} awaiting a decision{of_them}; {rest}."
        )
    if stage == "title-abstract":
        return (
            f"Only title/abstract screening is done: {_n(lit, 'record')} passed it and stand "
            "for the included literature until full texts are assessed."
        )
    if waiting_ta or waiting_ft:
        included = prisma.get("included", {}).get("studies", 0)
        waiting = []
        if waiting_ta:
            waiting.append(f"{_n(waiting_ta, 'record')} at title/abstract")
        if waiting_ft:
            waiting.append(f"{_n(waiting_ft, 'report')} at full text")
        return (
            f"Screening is in progress: {_n(included, 'study', 'studies')} included after "
            f"full-text assessment so far, {_list(waiting)} awaiting a decision{of_them}; "
            f"{rest}."
        )
    return f"{_n(lit, 'study', 'studies')} were included after full-text assessment."


def at_a_glance(session: Session, counts: dict, prisma: dict) -> str:
    """One paragraph of what the note rests on. `counts` comes from the scan (included
    sources by class, excerpts, coders, participants); `prisma` from the PRISMA counts.

    The numbers are the tables' numbers: the same included rule, excerpts counted once per
    coded span whoever coded it."""
    ident = prisma["identification"]
    out = []
    identified = ident["records_identified"]
    from review.screening.prisma import UNKNOWN_DATABASE

    # "other / not recorded" is not a database: counted apart ("… and 3 from other sources")
    named = {d: n for d, n in ident["by_database"].items() if d != UNKNOWN_DATABASE}
    unnamed = ident["by_database"].get(UNKNOWN_DATABASE, 0)
    if identified:
        where = ""
        if named and unnamed:
            # the parts that add up: "99 records from 4 databases (94 from other sources)"
            # read as if all 99 came from the databases
            where = (f": {sum(named.values()):,} from {_n(len(named), 'database')} and "
                     f"{unnamed:,} from other or unrecorded sources")  # fmt: skip
        elif len(named) > 1:
            where = f" from {_n(len(named), 'database')}"
        out.append(
            f"We identified {_n(identified, 'literature record')}"
            + where
            + (
                f" and removed {_n(ident['duplicates_removed'], 'duplicate')}"
                if ident["duplicates_removed"]
                else ""
            )  # fmt: skip
            + "."
        )
    stage = prisma.get("stage_reached")
    lit = counts["literature"]
    no_literature = not identified and not lit
    if no_literature:
        out.append("No literature has been imported yet.")
    elif stage == "none":
        out.append(f"Nothing has been screened yet, so all {_n(lit, 'record')} count as included.")
    else:
        out.append(_screening_sentence(str(stage), lit, prisma))
    qual = []
    if counts["transcripts"]:
        qual.append(_n(counts["transcripts"], "transcript"))
    if counts["documents"]:
        qual.append(_n(counts["documents"], "other document"))
    if qual:
        people = counts["participants"]
        # (with no literature there is nothing to be beside)
        out.append(
            ("The review holds " if no_literature else "Beside the literature are ")
            + _list(qual)
            + (f" with {_n(people, 'participant')} (moderators not counted)" if people else "")
            + "."
        )
    ex = counts["excerpts"]
    if ex:
        coders = counts["coders"]
        out.append(
            f"{_n(ex, 'coded excerpt')} ({counts['excerpts_literature']:,} from the literature, "
            f"{counts['excerpts_qualitative']:,} from transcripts and documents) "
            f"{'was' if ex == 1 else 'were'} coded by "
            f"{_n(len(coders), 'coder')}" + (f" ({_list(sorted(coders))})" if coders else "") + "."
        )
        if counts.get("agreement"):
            out.append(counts["agreement"])
    else:
        out.append("Nothing has been coded yet.")
    ind, linked = indicator_counts(session)
    if ind:
        out.append(
            f"{_n(ind, 'survey indicator')} {'is' if ind == 1 else 'are'} in the review, "
            f"{linked:,} of them linked to coded evidence."
        )
    return " ".join(out)


def indicator_counts(session: Session) -> tuple[int, int]:
    """(indicators, indicators with at least one evidence link)."""
    total = session.exec(select(func.count()).select_from(m.Indicator)).one()
    linked = session.exec(select(func.count(func.distinct(col(m.EvidenceLink.indicator_id))))).one()
    return int(total), int(linked)


def speaking_participants(session: Session, included: set[int], staff: tuple[str, ...]) -> int:
    """Participants (not moderators or other staff) with a turn in an included source."""
    import numpy as np

    from review.outputs.brief.scan import int_columns, table

    p = table(m.Passage).c
    spoken = p.participant_id.is_not(None)
    sids, pids = int_columns(session, (p.source_id, p.participant_id), spoken)
    inc = np.fromiter(included, dtype=np.int64, count=len(included))
    people = set(np.unique(pids[np.isin(sids, inc)]).tolist())
    if not people:
        return 0
    staff_ids = set(
        session.exec(select(col(m.Participant.id)).where(col(m.Participant.role).in_(staff))).all()
    )
    return len(people - staff_ids)


def coder_names(session: Session, ids: list[int]) -> list[str]:
    """Names of the coders with these ids (codings without a coder are not a coder)."""
    known = [i for i in ids if i is not None]
    if not known:
        return []
    return sorted(session.exec(select(col(m.Coder.name)).where(col(m.Coder.id).in_(known))).all())


def agreement_sentence(session: Session, res) -> str:
    """Agreement of the two busiest coders on the included sources both coded, or ''."""
    from review.coding.agreement import agreement

    top = [cid for cid, _ in res.coders.most_common(2) if cid is not None]
    if len(top) < 2:
        return ""
    names = dict(
        session.exec(
            select(col(m.Coder.id), col(m.Coder.name)).where(col(m.Coder.id).in_(top))
        ).all()
    )
    both = None
    for cid in top:
        mine = (
            set(
                session.exec(
                    select(col(m.Coding.source_id)).where(col(m.Coding.coder_id) == cid).distinct()
                ).all()
            )
            & res.included
        )
        both = mine if both is None else both & mine
    if not both:
        return (
            f"{names[top[0]]} and {names[top[1]]} have coded no source in common, so their "
            "agreement is not measured yet."
        )
    doc = agreement(session, names[top[0]], names[top[1]], source_ids=sorted(both))
    k = doc["overall"]["character"]["kappa"]
    if k is None:
        return ""
    return (
        f"On the {_n(len(both), 'source')} both coded, {names[top[0]]} and {names[top[1]]} "
        f"agreed with Cohen's kappa {k:.2f} (characters × codes)."
    )
