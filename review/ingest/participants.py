"""Participants (cases): the speakers of transcripts, their aliases and their attributes.

A real name ("Roger Bingham") is one participant across transcripts. A generic label ("P1",
"R1", "Interviewer", "Speaker 2", "[id1]") means a different person in each transcript, so it
becomes a participant scoped to its source (`Participant.scope_id`), shown "P1 @ fg-safety".
Within one transcript, "R1" and "Researcher 1" are the same person (the longer form wins, the
short one is an alias). An alias without a scope ("R1", from a participants CSV) applies in
every transcript. Where a person types a participant, "P1 @ fg-safety" names the scoped one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete as sa_delete
from sqlalchemy import update
from sqlmodel import Session, col, select

from review.ingest.sources import key_is
from review.ingest.transcripts.labels import moderator_role
from review.store import models as m

_GENERIC = re.compile(
    r"^(?:[A-Za-z]{1,3}\s?\d{1,3}"
    r"|(?:speaker|participant|respondent|researcher|interviewer|interviewee|moderator"
    r"|facilitator|person|voice|unknown|guest|member|resident|int|mod|fac)\s*\d*"
    r"|[A-Za-z])$",
    re.IGNORECASE,
)
_ABBREVIATIONS = {
    "r": ("researcher", "respondent"),
    "p": ("participant",),
    "i": ("interviewer", "interviewee"),
    "int": ("interviewer",),
    "m": ("moderator",),
    "mod": ("moderator",),
    "f": ("facilitator",),
    "fac": ("facilitator",),
    "s": ("speaker",),
}


def is_generic(label: str) -> bool:
    """`P1`, `R1`, `id1`, `Interviewer`, `Speaker 2`, `Q`: not a person's name."""
    return bool(_GENERIC.match(label.strip()))


SCOPE = " @ "


def scoped(label: str, source_key: str) -> str:
    """How a scoped label is shown and typed: "P1 @ fg-safety"."""
    return f"{label}{SCOPE}{source_key}"


def source_id(session: Session, key: str | None) -> int | None:
    if not key:
        return None
    return session.exec(select(col(m.Source.id)).where(key_is(key))).first()


def split_scoped(session: Session, text: str) -> tuple[str, int | None]:
    """ "P1 @ fg-safety" -> ("P1", id of source fg-safety); any other text -> (text, None)."""
    label, sep, key = text.rpartition(SCOPE)
    if sep and label.strip():
        sid = source_id(session, key.strip())
        if sid is not None:
            return label.strip(), sid
    return text, None


def display_name(session: Session, person: m.Participant) -> str:
    """The participant's name as shown: scoped labels carry their source's key."""
    if person.scope_id is None:
        return person.name
    key = session.exec(select(col(m.Source.key)).where(col(m.Source.id) == person.scope_id)).first()
    assert key is not None  # scope_id is a foreign key
    return scoped(person.name, key)


def _in_scope(column, scope_id: int | None):
    return column.is_(None) if scope_id is None else column == scope_id


def _alias_of(session: Session, alias: str, scope_id: int | None) -> m.ParticipantAlias | None:
    q = select(m.ParticipantAlias).where(
        col(m.ParticipantAlias.alias) == alias,
        _in_scope(col(m.ParticipantAlias.scope_id), scope_id),
    )
    return session.exec(q).first()


def _named(session: Session, name: str, scope_id: int | None) -> m.Participant | None:
    q = select(m.Participant).where(
        col(m.Participant.name) == name, _in_scope(col(m.Participant.scope_id), scope_id)
    )
    return session.exec(q).first()


def _abbreviation_of(short: str, long: str) -> bool:
    """`R1` abbreviates `Researcher 1`; `Int` abbreviates `Interviewer`."""
    ms = re.fullmatch(r"([A-Za-z]+)\s?(\d*)", short.strip())
    ml = re.fullmatch(r"([A-Za-z]+)\s?(\d*)", long.strip())
    if not ms or not ml or ms.group(2) != ml.group(2):
        return False
    head, word = ms.group(1).lower(), ml.group(1).lower()
    return head != word and word in _ABBREVIATIONS.get(head, ())


def canonical_labels(labels: Iterable[str]) -> dict[str, str]:
    """Map each label of one transcript to its canonical form (`R1` -> `Researcher 1`)."""
    labels = list(dict.fromkeys(labels))
    result = {label: label for label in labels}
    for short in labels:
        for long in labels:
            if short != long and _abbreviation_of(short, long):
                result[short] = long
    return result


def find(session: Session, label: str, source_key: str | None = None) -> m.Participant | None:
    """The participant a label means in a source: scoped alias, alias, scoped name, name.

    Without a source, a label typed as shown ("P1 @ fg-safety") means the scoped one."""
    if source_key is None:
        label, scope = split_scoped(session, label)
        tries = [(label, scope)]
    else:
        scope = source_id(session, source_key)
        tries = ([(label, scope)] if scope is not None else []) + [(label, None)]
    for name, sid in tries:
        hit = _alias_of(session, name, sid)
        if hit is not None:
            return session.get(m.Participant, hit.participant_id)
    for name, sid in tries:
        if sid is None and source_key and is_generic(label):
            continue  # a bare "P1" never means every transcript's P1
        found = _named(session, name, sid)
        if found is not None:
            return found
    return None


def set_attribute(session: Session, participant_id: int, name: str, value: str | None) -> None:
    """Set (insert or replace) one attribute of a participant."""
    row = session.exec(
        select(m.ParticipantAttribute).where(
            col(m.ParticipantAttribute.participant_id) == participant_id,
            col(m.ParticipantAttribute.name) == name,
        )
    ).first()
    if row is None:
        session.add(m.ParticipantAttribute(participant_id=participant_id, name=name, value=value))
    else:
        row.value = value
        session.add(row)


def attribute_rows(session: Session, participant_id: int) -> list[m.ParticipantAttribute]:
    return list(
        session.exec(
            select(m.ParticipantAttribute).where(
                col(m.ParticipantAttribute.participant_id) == participant_id
            )
        )
    )


def attributes(session: Session, participant_id: int) -> dict[str, str | None]:
    return {r.name: r.value for r in attribute_rows(session, participant_id)}


def add_alias(
    session: Session, participant: m.Participant, alias: str, scope_id: int | None = None
) -> None:
    """Make `alias` (in source `scope_id`, else everywhere) mean `participant`; a participant
    already named so is merged into it. An alias typed "R1 @ fg1" is scoped to fg1."""
    if scope_id is None:
        alias, scope_id = split_scoped(session, alias)
    if (alias, scope_id) == (participant.name, participant.scope_id):
        return
    hit = _alias_of(session, alias, scope_id)
    if hit is not None:
        if hit.participant_id != participant.id:
            other = session.get(m.Participant, hit.participant_id)
            assert participant.id is not None  # a stored participant's primary key
            hit.participant_id = participant.id
            session.add(hit)
            if other is not None:
                merge(session, other, participant)
        return
    others = select(m.Participant).where(
        col(m.Participant.name) == alias, _in_scope(col(m.Participant.scope_id), scope_id)
    )
    if is_generic(alias) and scope_id is None:  # an unscoped "R1" means the R1 of every transcript
        others = select(m.Participant).where(col(m.Participant.name) == alias)
    for other in session.exec(others).all():
        if other.id != participant.id:
            merge(session, other, participant)  # leaves `alias` pointing at participant
    if _alias_of(session, alias, scope_id) is None:
        assert participant.id is not None  # a stored participant's primary key
        session.add(
            m.ParticipantAlias(alias=alias, scope_id=scope_id, participant_id=participant.id)
        )
    session.flush()


def merge(session: Session, loser: m.Participant, survivor: m.Participant) -> None:
    """Fold `loser` into `survivor`: passages, aliases and missing attributes move over, and
    the loser's name becomes an alias. Core statements, so the order of writes is explicit."""
    session.flush()
    gone, kept = loser.id, survivor.id
    assert kept is not None  # flushed just above
    session.execute(
        update(m.Passage).where(col(m.Passage.participant_id) == gone).values(participant_id=kept)
    )
    session.execute(
        update(m.ParticipantAlias)
        .where(col(m.ParticipantAlias.participant_id) == gone)
        .values(participant_id=kept)
    )
    have = list(attributes(session, kept))
    session.execute(
        update(m.ParticipantAttribute)
        .where(
            col(m.ParticipantAttribute.participant_id) == gone,
            col(m.ParticipantAttribute.name).not_in(have),
        )
        .values(participant_id=kept)
    )
    session.execute(
        sa_delete(m.ParticipantAttribute).where(col(m.ParticipantAttribute.participant_id) == gone)
    )
    if survivor.role in (None, "participant") and loser.role not in (None, "participant"):
        survivor.role = loser.role
        session.add(survivor)
        session.flush()
    name, scope = loser.name, loser.scope_id
    session.expunge(loser)
    session.execute(sa_delete(m.Participant).where(col(m.Participant.id) == gone))
    session.expire_all()
    if _alias_of(session, name, scope) is None:
        session.add(m.ParticipantAlias(alias=name, scope_id=scope, participant_id=kept))
    session.flush()


def resolve_speakers(
    session: Session,
    source: m.Source,
    speakers: Iterable[tuple[str, str | None]],
) -> dict[str, int]:
    """Participants for the (label, role) speakers of one transcript; label -> participant id.

    A moderator label ("Moderator", "Interviewer") takes the header's moderator name when
    the transcript names one. Each participant gets `group` and `transcript` attributes.
    """
    speakers = list(dict.fromkeys(speakers))
    roles = {label: role for label, role in speakers}
    canon = canonical_labels(label for label, _ in speakers)
    meta = source.meta or {}
    moderator_name = _bare_name(meta.get("moderator"))
    group = meta.get("group") or source.title or source.key
    full_names = _first_names(meta.get("participant_list") or [])
    ids: dict[str, int] = {}
    for label, canonical in canon.items():
        role = roles.get(label) or roles.get(canonical) or moderator_role(canonical)
        if moderator_name and (
            _same_person(canonical, moderator_name)
            or (role == "moderator" and is_generic(canonical) and not canonical[-1].isdigit())
        ):
            role = "moderator"
            canonical = moderator_name
        elif canonical in full_names:  # "Gary", in a group whose header lists "Gary Pritchard"
            canonical = full_names[canonical]
        person = find(session, label, source.key) or find(session, canonical, source.key)
        if person is None:
            scope = source.id if is_generic(canonical) else None
            if canonical == moderator_name:
                person = _named(session, canonical, scope)
                if person is None and (hit := _alias_of(session, canonical, scope)) is not None:
                    person = session.get(m.Participant, hit.participant_id)
            if person is None:
                person = m.Participant(name=canonical, scope_id=scope, role=role or "participant")
                session.add(person)
                session.flush()
        elif role == "moderator" and person.role != "moderator":
            person.role = "moderator"
            session.add(person)
        assert person.id is not None  # found, or added and flushed just above
        for alias in {label, canonical}:
            if person.scope_id is None and alias == person.name:
                continue
            # "Gary" means Gary Pritchard only here
            if (alias, source.id) != (person.name, person.scope_id) and (
                find(session, alias, source.key) is None
            ):
                session.add(
                    m.ParticipantAlias(alias=alias, scope_id=source.id, participant_id=person.id)
                )
                session.flush()
        have = attributes(session, person.id)
        if "group" not in have:
            set_attribute(session, person.id, "group", group)
        seen = [k for k in (have.get("transcript") or "").split("; ") if k]
        if source.key not in seen:  # a named person can speak in several transcripts
            set_attribute(session, person.id, "transcript", "; ".join([*seen, source.key]))
        session.flush()
        ids[label] = person.id
    return ids


def _first_names(names: list[str]) -> dict[str, str]:
    """First name -> full name, for first names that are unique in a header's list."""
    firsts: dict[str, list[str]] = {}
    for name in names:
        bare = _bare_name(name)
        if bare and len(bare.split()) > 1:
            firsts.setdefault(bare.split()[0], []).append(bare)
    return {first: full[0] for first, full in firsts.items() if len(full) == 1}


def _same_person(label: str, full_name: str) -> bool:
    """`Sam Okoye` or `Sam` is the moderator `Sam Okoye`."""
    label, full = label.strip().lower(), full_name.strip().lower()
    return label == full or (len(label.split()) == 1 and label == full.split()[0])


def _bare_name(value: str | None) -> str | None:
    """`Sarah Jones (council officer)` -> `Sarah Jones`."""
    if not value:
        return None
    return re.sub(r"\s*\([^)]*\)\s*$", "", value).strip() or None


def attribute_names(session: Session) -> set[str]:
    """Every case attribute some participant has (area, age band, ...)."""
    return set(session.exec(select(col(m.ParticipantAttribute.name)).distinct()).all())


def listing(session: Session) -> list[dict]:
    """Every participant with role, aliases, attributes and passage counts (for the CLI/TUI)."""
    from sqlalchemy import func

    counts = dict(
        session.exec(
            select(col(m.Passage.participant_id), func.count())
            .where(col(m.Passage.kind) == "turn")
            .group_by(col(m.Passage.participant_id))
        ).all()
    )
    keys = scope_keys(session)
    aliases: dict[int | None, list[str]] = {}
    for a in session.exec(select(m.ParticipantAlias)).all():
        shown = a.alias if a.scope_id is None else scoped(a.alias, keys[a.scope_id])
        aliases.setdefault(a.participant_id, []).append(shown)
    attrs: dict[int | None, dict] = {}
    for at in session.exec(select(m.ParticipantAttribute)).all():
        attrs.setdefault(at.participant_id, {})[at.name] = at.value
    rows = [
        {
            "id": p.id,
            "name": p.name if p.scope_id is None else scoped(p.name, keys[p.scope_id]),
            "scope": keys.get(p.scope_id),
            "role": p.role,
            "turns": counts.get(p.id, 0),
            "aliases": sorted(aliases.get(p.id, [])),
            "attributes": attrs.get(p.id, {}),
        }
        for p in session.exec(select(m.Participant)).all()
    ]
    return sorted(rows, key=lambda r: (r["name"], r["id"]))


def scope_keys(session: Session) -> dict[int | None, str]:
    """Source id -> key, for the sources participants or aliases are scoped to."""
    ids = select(col(m.Participant.scope_id)).union(select(col(m.ParticipantAlias.scope_id)))
    return dict(
        session.exec(
            select(col(m.Source.id), col(m.Source.key)).where(col(m.Source.id).in_(ids))
        ).all()
    )
