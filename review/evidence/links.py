"""Evidence links: a code, or one coding, tied to a survey indicator with a relation.

Plain functions over a Session, shared by `review indicators link|unlink|list` and the
Indicators screen. Indicators are found by id or by `name @ sector`; codes by id, path or name.
"""

from __future__ import annotations

from sqlalchemy import true
from sqlmodel import Session, col, select

from review.coding.codebook import code_paths, find_code
from review.coding.codings import blind_coder, coded_by
from review.errors import NotFound, UsageError
from review.store import models as m
from review.store.coders import ensure_coder

RELATIONS = ("supports", "contradicts", "explains", "context")


def get_indicator(session: Session, ref: str | int) -> m.Indicator:
    """An indicator by id, or by a name (+ optional '@ sector') that matches exactly one."""
    text = str(ref).strip()
    if text.isdigit():
        ind = session.get(m.Indicator, int(text))
        if ind is None:
            raise NotFound(f"no indicator {text}")
        return ind
    name, _, sector = (p.strip() for p in text.partition("@"))
    q = select(m.Indicator).where(col(m.Indicator.name).ilike(f"%{name}%"))
    if sector:
        q = q.where(col(m.Indicator.sector).ilike(f"%{sector}%"))
    hits = session.exec(q.order_by(col(m.Indicator.id))).all()
    if len(hits) != 1:
        what = "no indicator" if not hits else f"{len(hits)} indicators"
        ids = ", ".join(f"{i.id} ({i.name} @ {i.sector})" for i in hits[:8])
        raise NotFound(f"{what} match {text!r}" + (f": {ids}; give an id" if hits else ""))
    return hits[0]


def link(
    session: Session,
    indicator: str | int,
    *,
    code: str | int | None = None,
    coding_id: int | None = None,
    relation: str = "supports",
    note: str | None = None,
    coder: str | None = None,
) -> m.EvidenceLink:
    """Tie a code or one coding to an indicator; the same tie twice updates it.

    Linking again without a note keeps the note already there (the TUI never passes one, and
    a CLI call that only changes the relation must not erase a colleague's reasoning).
    """
    if relation not in RELATIONS:
        raise UsageError(f"relation must be one of {', '.join(RELATIONS)} (got {relation!r})")
    if (code is None) == (coding_id is None):
        raise UsageError("give exactly one of a code or a coding")
    ind = get_indicator(session, indicator)
    assert ind.id is not None  # a stored row's primary key
    code_id = None
    if code is not None:
        code_id = find_code(session, code).id
    elif session.get(m.Coding, coding_id) is None:
        raise NotFound(f"no coding {coding_id}")
    existing = session.exec(
        select(m.EvidenceLink).where(
            col(m.EvidenceLink.indicator_id) == ind.id,
            col(m.EvidenceLink.code_id) == code_id,
            col(m.EvidenceLink.coding_id) == coding_id,
        )
    ).first()
    row = existing or m.EvidenceLink(indicator_id=ind.id, code_id=code_id, coding_id=coding_id)
    row.relation = relation
    row.coder_id = ensure_coder(session, coder).id if coder else None
    if note is not None:
        row.note = note
    session.add(row)
    session.flush()
    return row


def unlink(session: Session, link_id: int) -> m.EvidenceLink:
    row = session.get(m.EvidenceLink, link_id)
    if row is None:
        raise NotFound(f"no evidence link {link_id}")
    session.delete(row)
    session.flush()
    return row


def list_indicators(session: Session) -> list[dict]:
    """Every indicator with its source key and number of links, sorted for stable output."""
    keys = dict(session.exec(select(col(m.Source.id), col(m.Source.key))).all())
    counts: dict[int, int] = {}
    for iid in session.exec(select(col(m.EvidenceLink.indicator_id))).all():
        counts[iid] = counts.get(iid, 0) + 1
    out = []
    for i in session.exec(select(m.Indicator).order_by(col(m.Indicator.id))).all():
        assert i.id is not None  # a stored row's primary key
        out.append(
            dict(id=i.id, name=i.name, measure=i.measure, sector=i.sector, area=i.area,
                 year=i.year, value=i.value, value_text=i.value_text, unit=i.unit, n=i.n,
                 ci_low=i.ci_low, ci_high=i.ci_high, source=keys.get(i.source_id),
                 links=counts.get(i.id, 0))
        )  # fmt: skip
    return out


def indicator_line(row: dict) -> str:
    """One indicator (a `list_indicators` row) whole on one line — name, [sector, area,
    year], value, n, <source> — as `review indicators list` prints it and the Indicators
    screen shows the highlighted one (its columns cut names at 80 columns)."""
    val = row["value_text"] or ("" if row["value"] is None else row["value"])
    where = ", ".join(str(x) for x in (row["sector"], row["area"], row["year"]) if x)
    return (
        f"{row['name']} [{where}] = {val}"
        + (f" (n={row['n']})" if row["n"] else "")
        + (f" <{row['source']}>" if row["source"] else "")
    )


def list_links(
    session: Session, indicator: str | int | None = None, *, viewer: str | None = None
) -> list[dict]:
    """Evidence links (of one indicator, or all) with the code path and the coding's quote.

    With blind coding on, a link to another coder's coding than `viewer`'s is listed as it is
    (its id, relation, code, coding id and note) but `hidden`: its quote is None. No viewer:
    every quote. The links themselves are never changed by who looks."""
    paths = code_paths(session)
    mine = blind_coder(session, viewer)
    # the linked coding's quote and code come in the same query (not one lookup per link),
    # with whether the viewer may see it (blind coding: `coded_by` the viewer)
    shown = coded_by(mine) if mine is not None else true()
    q = (
        select(m.EvidenceLink, col(m.Coding.quote), col(m.Coding.code_id), shown)
        .join(m.Coding, col(m.Coding.id) == col(m.EvidenceLink.coding_id), isouter=True)
        .order_by(col(m.EvidenceLink.indicator_id), col(m.EvidenceLink.id))
    )
    if indicator is not None:
        q = q.where(col(m.EvidenceLink.indicator_id) == get_indicator(session, indicator).id)
    out = []
    for ln, coding_quote, coding_code_id, visible in session.exec(q).all():
        quote, hidden = None, False
        code_id = ln.code_id
        if ln.coding_id is not None:  # (a coding since deleted leaves neither)
            code_id = coding_code_id
            hidden = coding_code_id is not None and not visible
            quote = None if hidden else coding_quote
        out.append(
            dict(id=ln.id, indicator_id=ln.indicator_id,
                 code=paths.get(code_id) if code_id is not None else None,
                 coding_id=ln.coding_id, quote=quote, hidden=hidden, relation=ln.relation,
                 note=ln.note)
        )  # fmt: skip
    return out
