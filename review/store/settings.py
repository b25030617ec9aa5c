"""Workspace settings: small named values every coder shares (blind screening, blind coding,
reviewers per record), kept in the `setting` table so every process sees the same; and the
project file `review.toml` (title, review question, authors, ...: the briefing note's front
matter), kept beside the corpus so it is versioned with it.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from review.errors import UsageError
from review.store import models as m

PROJECT_FILE = "review.toml"
# the front-matter fields a project file may hold, in the order a title block shows them
PROJECT_FIELDS = ("title", "question", "authors", "organisation", "date", "version", "paper")
PAPERS = ("A4", "Letter")
PROJECT_TEMPLATE = """\
# review.toml: this review's front matter. `review brief` puts it on the briefing note's title
# block; `review brief --title ... --question ...` overrides a field for one run.
# Every field is optional: delete or comment out what you do not need.

# The note's title.
# title = "Citizen co-production of public services"

# The review question, one sentence.
# question = "What helps and hinders citizens co-producing local public services?"

# Authors as they should appear, in order.
# authors = ["A. Analyst", "B. Reviewer"]

# organisation = "Policy Unit"

# The note's date as printed (any text); left out, no date is printed, so two runs of
# `review brief` on the same database give the same files.
# date = "March 2024"

# version = "draft 1"

# Paper size for the DOCX and for printing the HTML: "A4" or "Letter".
paper = "A4"
"""


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


def read_project(root: Path) -> dict[str, object]:
    """The project file's fields (`{}` when there is none); a bad file is a one-line error."""
    import tomllib

    path = Path(root) / PROJECT_FILE
    if not path.is_file():
        return {}
    try:
        doc = tomllib.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    out: dict[str, object] = {}
    for key, value in doc.items():
        if key not in PROJECT_FIELDS:
            raise UsageError(f"{path}: unknown field {key!r} (known: {', '.join(PROJECT_FIELDS)})")
        if key == "authors":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise UsageError(f"{path}: authors must be a list of names")
            out[key] = [" ".join(a.split()) for a in value if a.strip()]
        elif key == "paper":
            match = next((p for p in PAPERS if str(value).lower() == p.lower()), None)
            if match is None:
                raise UsageError(f"{path}: paper must be {' or '.join(PAPERS)}, not {value!r}")
            out[key] = match
        elif isinstance(value, dict | list | bool):  # `[title]`, `date = [2024]`, `version = true`
            what = "a table" if isinstance(value, dict) else type(value).__name__
            raise UsageError(f"{path}: {key} must be text, not {what}")
        else:  # text, or a number or TOML date written as it reads
            out[key] = " ".join(str(value).split())
    return out


def write_project_template(root: Path) -> Path | None:
    """Write the commented project file unless one is there; return its path if written."""
    path = Path(root) / PROJECT_FILE
    if path.exists():
        return None
    path.write_text(PROJECT_TEMPLATE, "utf-8")
    return path
