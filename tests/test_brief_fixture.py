"""A small, hand-checkable review database for the briefing and export tests.

Built from model rows directly so the tests do not depend on other importers:
codes (four Cs, mode, sectors), two included articles, one excluded article, one focus-group
transcript with speakers and an `area` attribute, codings, the 2008 indicators and links.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from review.store import models as m

pytestmark = pytest.mark.backends("sqlite", "postgres")

T0 = datetime(2024, 1, 1, tzinfo=UTC)

TRANSCRIPT = (
    "Moderator: What do you do for your street?\n"
    "Anna: We all do a litter pick together every month.\n"
    "Ben: I just sort my own recycling.\n"
    "Anna: The GP asked us to help plan the clinic hours.\n"
)
ARTICLE = (
    "Citizens co-deliver local environment services. "
    "Residents designed the health centre with staff. "
    '=HYPERLINK("http://evil") is a formula.'
)


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def build(s: Session) -> dict:
    """Insert the fixture; return ids by name."""
    ids: dict = {}
    coder = m.Coder(name="alice")
    s.add(coder)
    s.flush()

    def code(path: str, codable: bool = True) -> int:
        parent = None
        for i, name in enumerate(path.split("/")):
            key = "/".join(path.split("/")[: i + 1])
            if key not in ids:
                c = m.Code(
                    name=name, parent_id=parent, codable=codable or i < len(path.split("/")) - 1
                )
                s.add(c)
                s.flush()
                ids[key] = c.id
            parent = ids[key]
        return ids[path]

    for root in ("Four Cs", "Mode", "Sector"):
        c = m.Code(name=root, codable=False)
        s.add(c)
        s.flush()
        ids[root] = c.id
    for p in (
        "Four Cs/Co-delivery",
        "Four Cs/Co-design",
        "Mode/Collective co-production",
        "Sector/Local environment",
        "Sector/Public health",
    ):
        code(p)
    delivery = s.get(m.Code, ids["Four Cs/Co-delivery"])
    delivery.definition = "Citizens carry out part of the service."
    delivery.include = "Volunteering, litter picks."
    delivery.keywords = ["volunteer", "litter"]
    delivery.shortcut = "3"
    delivery.colour = "#2ca02c"
    s.add(delivery)
    lit1 = m.Source(
        key="loeffler2008fast",
        kind="report",
        title="If you want to go fast",
        authors=["Loeffler, Elke", "Parrado, Salvador", "Bovaird, Tony"],
        year=2008,
        country="Europe",
        method="survey",
        text=ARTICLE,
        database="Scopus",
    )
    lit2 = m.Source(
        key="bovaird2007beyond",
        kind="article",
        title="Beyond engagement",
        authors=["Bovaird, Tony"],
        year=2007,
        venue="Public Administration Review",
        volume="67",
        issue="5",
        pages="846-860",
        doi="10.1111/j.1540-6210.2007.00773.x",
        text="Co-production is a partnership.",
        database="Web of Science",
    )
    lit3 = m.Source(
        key="excluded2010",
        kind="article",
        title="Off topic",
        authors=["Doe, J"],
        year=2010,
        text="Nothing relevant.",
        database="Scopus",
    )
    dup = m.Source(
        key="dup2008",
        kind="report",
        title="If you want to go fast (dup)",
        year=2008,
        database="Web of Science",
    )
    tr = m.Source(
        key="fg-east",
        kind="transcript",
        title="Focus group East",
        meta={"group": "Focus group East"},
        text=TRANSCRIPT,
    )
    s.add_all([lit1, lit2, lit3, dup, tr])
    s.flush()
    dup.merged_into_id = lit1.id
    s.add(dup)
    ids.update(lit1=lit1.id, lit2=lit2.id, lit3=lit3.id, tr=tr.id, dup=dup.id)
    # screening: lit1, lit2 included at full text; lit3 excluded at full text
    for sid, dec, reason in (
        (lit1.id, "include", None),
        (lit2.id, "include", None),
        (lit3.id, "exclude", "wrong population"),
    ):
        s.add(
            m.ScreeningDecision(
                source_id=sid,
                coder_id=coder.id,
                stage="title-abstract",
                decision="include",
                final=True,
                created=T0,
            )
        )
        s.add(
            m.ScreeningDecision(
                source_id=sid,
                coder_id=coder.id,
                stage="full-text",
                decision=dec,
                reason=reason,
                final=True,
                created=T0,
            )
        )
    # participants and turns
    people = {}
    for name, area in (("Anna", "East"), ("Ben", "West")):
        p = m.Participant(name=name, role="participant")
        s.add(p)
        s.flush()
        s.add(m.ParticipantAttribute(participant_id=p.id, name="area", value=area))
        people[name] = p.id
    pos = 0
    for line in TRANSCRIPT.splitlines(keepends=True):
        speaker = line.split(":", 1)[0]
        s.add(
            m.Passage(
                source_id=tr.id,
                start=pos,
                end=pos + len(line.rstrip("\n")),
                kind="turn",
                speaker=speaker,
                participant_id=people.get(speaker),
            )
        )
        pos += len(line)

    def coding(src: m.Source, path: str, phrase: str, memo: str | None = None) -> int:
        a, b = span(src.text, phrase)
        c = m.Coding(
            source_id=src.id,
            code_id=ids[path],
            start=a,
            end=b,
            quote=src.text[a:b],
            coder_id=coder.id,
            memo=memo,
            created=T0,
        )
        s.add(c)
        s.flush()
        return c.id

    ids["c_litter"] = coding(
        tr, "Four Cs/Co-delivery", "We all do a litter pick together every month."
    )
    coding(tr, "Mode/Collective co-production", "We all do a litter pick together every month.")
    coding(tr, "Sector/Local environment", "We all do a litter pick together every month.")
    ids["c_recycle"] = coding(tr, "Four Cs/Co-delivery", "I just sort my own recycling.")
    coding(tr, "Sector/Local environment", "I just sort my own recycling.")
    ids["c_plan"] = coding(tr, "Four Cs/Co-design", "help plan the clinic hours", memo="+ a memo")
    coding(tr, "Sector/Public health", "The GP asked us to help plan the clinic hours.")
    ids["c_lit_deliver"] = coding(
        lit1, "Four Cs/Co-delivery", "Citizens co-deliver local environment services."
    )
    coding(lit1, "Sector/Local environment", "Citizens co-deliver local environment services.")
    ids["c_lit_design"] = coding(
        lit1, "Four Cs/Co-design", "Residents designed the health centre with staff."
    )
    coding(lit1, "Sector/Public health", "Residents designed the health centre with staff.")
    ids["c_formula"] = coding(lit1, "Four Cs/Co-design", '=HYPERLINK("http://evil") is a formula.')
    coding(
        lit2, "Four Cs/Co-delivery", "Co-production is a partnership."
    )  # no sector: whole-source
    coding(lit3, "Four Cs/Co-delivery", "Nothing relevant.")  # excluded source: not counted
    # indicators (the 2008 survey) and links
    for sector, value in (
        ("Local environment", 61),
        ("Public health", 52),
        ("Community safety", 45),
    ):
        ind = m.Indicator(
            name="Citizen co-production index",
            measure="index score",
            sector=sector,
            area="Five EU countries",
            year=2008,
            value=value,
            value_text=str(value),
            n=4951,
            source_id=lit1.id,
        )
        s.add(ind)
        s.flush()
        ids[f"ind_{sector}"] = ind.id
    s.add(
        m.EvidenceLink(
            indicator_id=ids["ind_Local environment"],
            code_id=ids["Four Cs/Co-delivery"],
            relation="supports",
            coder_id=coder.id,
        )
    )
    s.add(
        m.EvidenceLink(
            indicator_id=ids["ind_Public health"],
            coding_id=ids["c_plan"],
            relation="explains",
            coder_id=coder.id,
        )
    )
    s.add(
        m.Memo(target="project", text="Scope: co-production in three sectors.", coder_id=coder.id)
    )
    s.add(m.Memo(target="source", target_id=tr.id, text="Lively group.", coder_id=coder.id))
    s.add(m.Memo(target="code", target_id=ids["Four Cs/Co-design"], text="Check overlap.",
                 coder_id=coder.id))  # fmt: skip
    s.flush()
    return ids
