"""Workspace settings: small named values every coder shares (blind screening, blind coding,
reviewers per record), kept in the `setting` table so every process sees the same."""

from __future__ import annotations

from sqlmodel import Session

from review.store import models as m


def get(session: Session, key: str) -> str | None:
    row = session.get(m.Setting, key)
    return row.value if row else None


def put(session: Session, key: str, value: str) -> None:
    row = session.get(m.Setting, key) or m.Setting(key=key)
    row.value = value
    session.add(row)
    session.flush()


def flag(session: Session, key: str, default: bool) -> bool:
    """An on/off setting."""
    value = get(session, key)
    return default if value is None else value == "on"


def set_flag(session: Session, key: str, on: bool) -> None:
    put(session, key, "on" if on else "off")
