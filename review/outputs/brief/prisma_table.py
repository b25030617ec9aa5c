"""PRISMA 2020 flow counts as a briefing table.

The counts are `review.screening.prisma.prisma` (the screening feature's own function, the same
numbers `review prisma` prints), laid out as the boxes of the PRISMA 2020 flow diagram.
"""

from __future__ import annotations

from sqlmodel import Session

from review.outputs.brief import hints as hint


def prisma_table(session: Session, counts: dict | None = None):
    """Table 5: the PRISMA 2020 flow as rows (stage, box, count)."""
    from review.outputs.brief.tables import Table
    from review.screening.prisma import STUDIES_ARE_REPORTS, prisma

    c = counts if counts is not None else prisma(session)
    ident, scr, elig = c["identification"], c["screening"], c["eligibility"]
    stage = c.get("stage_reached", "full-text")
    rows: list[list[object]] = []
    # in the order the flow diagram and `review prisma` give them: most records first
    for db, n in ident["by_database"].items():
        rows.append(["Identification", f"Records identified: {db}", n])
    if not ident["by_database"]:  # the diagram's first box, before any literature
        rows.append(["Identification", "Records identified", 0])
    rows.append(["Identification", "Duplicate records removed", ident["duplicates_removed"]])
    rows.append(["Screening", "Records screened", scr["records_screened"]])
    rows.append(["Screening", "Records excluded (title/abstract)", scr["records_excluded"]])
    for reason, n in sorted(scr["excluded_by_reason"].items()):
        rows.append(["Screening", f"Records excluded: {reason}", n])
    rows.append(["Screening", "Records awaiting screening", scr["awaiting_screening"]])
    rows.append(["Retrieval", "Reports sought for retrieval", elig["reports_sought"]])
    rows.append(["Retrieval", "Reports not retrieved", elig.get("reports_not_retrieved", 0)])
    rows.append(["Eligibility", "Reports assessed for eligibility", elig["reports_assessed"]])
    # the template's box, then its reasons (the figure has it; the table had only reasons)
    rows.append(["Eligibility", "Reports excluded", elig["reports_excluded"]])
    for reason, n in sorted(elig["excluded_by_reason"].items()):
        rows.append(["Eligibility", f"Reports excluded: {reason}", n])
    rows.append(["Eligibility", "Reports awaiting assessment", elig["awaiting_assessment"]])
    included: object = c["included"]["studies"]
    if stage != "full-text":
        included = "not yet assessed"
    rows.append(["Included", "Studies included in review", included])
    if stage == "full-text":  # the flow diagram's second box (STUDIES_ARE_REPORTS)
        reports = c["included"].get("reports", c["included"]["studies"])
        rows.append(["Included", "Reports of included studies", reports])
    failed = sorted(k for k, ok in c.get("checks", {}).items() if not ok)
    notes = ["Counts from the import batches, merged duplicates and screening outcomes."]
    hints: list[str] = []
    conflicts = scr["conflicts"] + elig["conflicts"]
    if conflicts:
        notes.append(
            f"{conflicts} record{'s' if conflicts > 1 else ''} awaiting a decision "
            f"{'are' if conflicts > 1 else 'is'} a conflict between reviewers (different "
            "decisions or exclusion reasons), not yet resolved."
        )
        hints.append(hint.RESOLVE)
    awaiting = scr["awaiting_screening"]
    if stage == "full-text":  # (before, every record that passed awaits its full text)
        awaiting += elig["awaiting_assessment"]
    if stage != "none" and awaiting:
        notes.append(
            "Screening is in progress: the other tables use every record not excluded so "
            f"far, the {awaiting} awaiting a decision among them."
        )
    elif stage == "title-abstract":
        notes.append(
            "Only title/abstract screening is done: no full text has been assessed, so no "
            "study is included yet. The other tables use the records that passed title/"
            "abstract screening."
        )
    elif stage == "none":
        notes.append("Nothing has been screened yet: the other tables use every record.")
    elif c["included"]["studies"]:
        notes.append(STUDIES_ARE_REPORTS)
    if failed:
        notes.append("Counts that do not add up: " + "; ".join(failed) + ".")
    return Table(
        "prisma",
        "PRISMA 2020 flow",
        "Table 5. PRISMA 2020 flow counts from the import, deduplication and screening records.",
        ["Stage", "Box", "Count"],
        rows,
        notes,
        hints,
    )
