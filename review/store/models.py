"""SQLModel tables for the whole review data model.

Portable on purpose: only types SQLAlchemy maps on every backend (JSON, Text, Integer, Float,
DateTime), so the same models run on SQLite for one reviewer and PostgreSQL for a team.
SQLite-only features (FTS5) live beside these tables and are created only on SQLite.

Offsets (`start`, `end`) are Python `str` indices into `Source.text`: Unicode code points,
end exclusive, the REFI-QDA convention.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint, func
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel, col

# Ids are never reused (a deleted last row's id is not handed out again): SQLite's
# AUTOINCREMENT on every integer key; on PostgreSQL the keys are SERIAL sequences.
AUTOINCREMENT = {"sqlite_autoincrement": True}


def pk(row: Any) -> int:
    """A stored row's primary key as an `int`: SQLModel types every `id` `int | None`, as a new
    row has none until it is flushed; a row read from the database always has one."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} is not stored yet (no id)")
    return int(row.id)


def utcnow() -> datetime:
    """Timezone-aware UTC 'now' (SQLModel refuses naive datetimes)."""
    return datetime.now(UTC)


def _json(default: Any = None) -> Any:
    factory = (lambda: list(default)) if isinstance(default, list) else dict
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


def _text(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=nullable))


class Coder(SQLModel, table=True):
    """A person who screens or codes; every decision and coding is attributed to one."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    created: datetime = Field(default_factory=utcnow)


class ImportBatch(SQLModel, table=True):
    """One file imported once: the audit trail (what came in, from where, what went wrong)."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=2000)
    format: str = Field(max_length=40)
    sha256: str | None = Field(default=None, index=True, max_length=64)
    database: str | None = Field(default=None, max_length=100)  # Scopus, Web of Science, ...
    strict: bool = False
    status: str = Field(default="running", max_length=20)  # running, done, failed, rolled-back
    n_records: int = 0
    n_imported: int = 0
    n_skipped: int = 0
    problems: list[dict] = _json([])
    started: datetime = Field(default_factory=utcnow)
    finished: datetime | None = None


class Source(SQLModel, table=True):
    """A literature record, transcript or document: citation fields plus immutable text."""

    __table_args__ = (
        Index("ix_source_kind_year", "kind", "year"),
        # The library's filters count live sources of a kind or a screening status from these
        # alone (m0012); `ix_source_screening_status` pages one status in id order.
        Index("ix_source_kind_live", "kind", "merged_into_id"),
        Index(
            "ix_source_status_live", "screening_status", "merged_into_id", "kind", "record_format"
        ),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=300)  # cite key or file stem
    kind: str = Field(default="article", index=True, max_length=40)
    title: str | None = _text()
    authors: list[str] = _json([])
    year: int | None = Field(default=None, index=True)
    venue: str | None = _text()
    volume: str | None = Field(default=None, max_length=100)
    issue: str | None = Field(default=None, max_length=100)
    pages: str | None = Field(default=None, max_length=100)
    doi: str | None = Field(default=None, index=True, max_length=300)
    url: str | None = _text()
    abstract: str | None = _text()
    keywords: list[str] = _json([])
    language: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, max_length=200)
    method: str | None = Field(default=None, max_length=200)
    database: str | None = Field(default=None, max_length=100)  # where it was identified
    record: dict = _json({})  # the original record, all fields, for a lossless round trip
    record_format: str | None = Field(default=None, max_length=40)
    text: str | None = _text()  # NFC, "\n" line ends, never edited after import
    text_hash: str | None = Field(default=None, max_length=64)
    # of the text without whitespace: the same interview as .txt and .docx (m0009)
    content_hash: str | None = Field(default=None, index=True, max_length=64)
    meta: dict = _json({})  # transcript metadata: group, date, place, moderator, ...
    batch_id: int | None = Field(default=None, foreign_key="importbatch.id", index=True)
    origin_file: str | None = Field(default=None, max_length=2000)
    origin_line: int | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    # What its screening decisions make of it (m0012): unscreened, pending, include, exclude,
    # maybe or conflict; kept by `review.screening.decisions.store_status` whenever decisions
    # or the rule change, so the library filters by an index (transcripts and documents are
    # never screened: the library reads them as no status).
    screening_status: str = Field(
        default="unscreened",
        index=True,
        max_length=20,
        sa_column_kwargs={"server_default": sql_text("'unscreened'")},
    )
    created: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """A speaker / case. Attributes live in `ParticipantAttribute` for cross-tabulation.

    A generic label ("P1", "Interviewer") is a different person in each transcript: such a
    participant has `scope_id`, the source it belongs to, and `name` is the label as spoken
    (shown as "P1 @ fg1"; it used to be stored as that string). A name is unique within its
    scope (a unique index over name and scope). A source cannot be deleted while participants
    are scoped to it (ON DELETE RESTRICT): they are its speakers.
    """

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=300)
    scope_id: int | None = Field(
        default=None, foreign_key="source.id", ondelete="RESTRICT", index=True
    )
    role: str | None = Field(default=None, max_length=100)  # participant, moderator, ...
    created: datetime = Field(default_factory=utcnow)


Index(
    "ux_participant_name_scope",
    Participant.name,
    func.coalesce(Participant.scope_id, 0),
    unique=True,
)


class ParticipantAlias(SQLModel, table=True):
    """Another spelling of a speaker's name (`R1` for `Researcher 1`); with `scope_id` it
    holds in that source only. Unique within its scope; RESTRICT on the source as above."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(index=True, max_length=300)
    scope_id: int | None = Field(
        default=None, foreign_key="source.id", ondelete="RESTRICT", index=True
    )
    participant_id: int = Field(foreign_key="participant.id", index=True)


Index(
    "ux_participantalias_alias_scope",
    ParticipantAlias.alias,
    func.coalesce(ParticipantAlias.scope_id, 0),
    unique=True,
)


class ParticipantAttribute(SQLModel, table=True):
    """One case attribute (area, age band, role, group) of a participant."""

    __table_args__ = (UniqueConstraint("participant_id", "name"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    name: str = Field(index=True, max_length=200)
    value: str | None = _text()


class Passage(SQLModel, table=True):
    """A span of a source's text: a speaker turn, a sentence or a paragraph."""

    __table_args__ = (Index("ix_passage_source_start", "source_id", "start"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    start: int
    end: int
    kind: str = Field(default="sentence", max_length=20)  # turn, sentence, paragraph
    speaker: str | None = Field(default=None, max_length=300)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    timestamp: float | None = None  # seconds from the start of the recording


class Code(SQLModel, table=True):
    """A codebook entry; `parent_id` makes the codebook a tree.

    Two codes under one parent (or two top-level codes) never share a name, ignoring case: a
    unique index over (coalesce(parent_id, 0), lower(name)), since NULL parents would not
    collide in a plain unique index. One shortcut key names one code (unique; NULLs free).
    """

    __table_args__ = (Index("ux_code_shortcut", "shortcut", unique=True), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="code.id", index=True)
    name: str = Field(index=True, max_length=300)
    definition: str | None = _text()
    include: str | None = _text()  # when to use
    exclude: str | None = _text()  # when not to use
    example: str | None = _text()
    keywords: list[str] = _json([])
    colour: str | None = Field(default=None, max_length=20)
    shortcut: str | None = Field(default=None, max_length=5)
    position: int = 0
    codable: bool = True
    guid: str | None = Field(default=None, max_length=40)  # REFI-QDA identity
    # Edits: bumped on every change (review.store.versions), so a stale edit is a conflict.
    version: int = Field(default=1, sa_column_kwargs={"server_default": sql_text("1")})
    updated_by: str | None = Field(default=None, max_length=200)
    updated: datetime | None = None


Index(
    "ux_code_sibling_name",
    func.coalesce(Code.parent_id, 0),
    func.lower(Code.name),
    unique=True,
)


class Coding(SQLModel, table=True):
    """A code applied to a span of a source's text, with the quoted text as a snapshot."""

    __table_args__ = (
        Index("ix_coding_source_start", "source_id", "start"),
        Index("ix_coding_code_source", "code_id", "source_id"),  # the code filter (m0012)
        # the briefing's excerpt counts per source and code, grouped in index order (m0013)
        Index("ix_coding_source_code", "source_id", "code_id", "start", "end", "coder_id"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    code_id: int = Field(foreign_key="code.id")
    start: int
    end: int
    quote: str = Field(sa_column=Column(Text, nullable=False))
    coder_id: int | None = Field(default=None, foreign_key="coder.id", index=True)
    memo: str | None = _text()
    origin: str = Field(default="manual", max_length=20)  # manual, suggestion, import
    created: datetime = Field(default_factory=utcnow)


class Suggestion(SQLModel, table=True):
    """A machine-suggested coding, kept apart from codings until a person accepts it."""

    __table_args__ = (Index("ix_suggestion_source_start", "source_id", "start"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    code_id: int = Field(foreign_key="code.id", index=True)
    start: int
    end: int
    quote: str = Field(sa_column=Column(Text, nullable=False))
    trigger: list[str] = _json([])  # the words that matched
    score: float = 1.0
    status: str = Field(default="pending", index=True, max_length=20)
    coding_id: int | None = Field(default=None, foreign_key="coding.id")
    created: datetime = Field(default_factory=utcnow)


class Memo(SQLModel, table=True):
    """A note on the project, a source or a code (a coding's memo is `Coding.memo`).

    What a memo is about is a real foreign key, `source_id` or `code_id` (neither: a project
    memo; both is refused by a check). When that source or code is deleted, its memos are
    deleted with it (ON DELETE CASCADE): a memo is about one thing and must never turn up on
    another that later gets the same id. Merging a code first moves its memos to the survivor.
    """

    __table_args__ = (
        CheckConstraint("source_id IS NULL OR code_id IS NULL", name="ck_memo_one_target"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(
        default=None, foreign_key="source.id", ondelete="CASCADE", index=True
    )
    code_id: int | None = Field(default=None, foreign_key="code.id", ondelete="CASCADE", index=True)
    coder_id: int | None = Field(default=None, foreign_key="coder.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": sql_text("1")})
    updated_by: str | None = Field(default=None, max_length=200)

    @property
    def target(self) -> str:
        """What the memo is about, as the CLI names it: project, source or code."""
        if self.source_id is not None:
            return "source"
        return "code" if self.code_id is not None else "project"

    @property
    def target_id(self) -> int | None:
        return self.source_id if self.source_id is not None else self.code_id


class Action(SQLModel, table=True):
    """An undoable change (e.g. a coding applied); `payload` holds what undo needs."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    coder_id: int | None = Field(default=None, foreign_key="coder.id", index=True)
    kind: str = Field(max_length=40)
    payload: dict = _json({})
    undone: bool = False
    created: datetime = Field(default_factory=utcnow)


class Indicator(SQLModel, table=True):
    """A survey figure: one value of one measure, for one sector, area and year.

    `pending_source` is the cite key or DOI the table named when no source in the workspace
    had it at import; `review indicators relink` links it later and clears it. (It used to be
    written into `note` as "source: KEY (not in workspace)" and parsed back out.)
    """

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=500)
    measure: str | None = Field(default=None, max_length=300)
    sector: str | None = Field(default=None, index=True, max_length=200)
    area: str | None = Field(default=None, max_length=200)
    year: int | None = None
    value: float | None = None
    value_text: str | None = Field(default=None, max_length=100)  # as written: "58%", "n/a"
    unit: str | None = Field(default=None, max_length=50)
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    batch_id: int | None = Field(default=None, foreign_key="importbatch.id")
    note: str | None = _text()
    pending_source: str | None = Field(default=None, max_length=300)
    version: int = Field(default=1, sa_column_kwargs={"server_default": sql_text("1")})
    updated_by: str | None = Field(default=None, max_length=200)
    updated: datetime | None = None


class EvidenceLink(SQLModel, table=True):
    """A code or a single coding tied to an indicator: supports, contradicts, explains.

    Exactly one of `code_id` and `coding_id` is set (a check), and one indicator is tied to
    one code or coding once (a unique index; linking again updates the link). Deleting the
    indicator, the code or the coding deletes the link (ON DELETE CASCADE): a link to nothing
    is no evidence. Undoing a coding's removal restores its links from the undo record.
    """

    __table_args__ = (
        CheckConstraint(
            "(code_id IS NULL) <> (coding_id IS NULL)", name="ck_evidencelink_one_target"
        ),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE", index=True)
    code_id: int | None = Field(default=None, foreign_key="code.id", ondelete="CASCADE", index=True)
    coding_id: int | None = Field(
        default=None, foreign_key="coding.id", ondelete="CASCADE", index=True
    )
    relation: str = Field(default="supports", max_length=20)
    note: str | None = _text()
    coder_id: int | None = Field(default=None, foreign_key="coder.id")
    created: datetime = Field(default_factory=utcnow)


Index(
    "ux_evidencelink_target",
    col(EvidenceLink.indicator_id),
    func.coalesce(EvidenceLink.code_id, 0),
    func.coalesce(EvidenceLink.coding_id, 0),
    unique=True,
)


class ExclusionReason(SQLModel, table=True):
    """The shared, editable list of reasons a source is excluded."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=300)
    stage: str | None = Field(default=None, max_length=30)


class ScreeningDecision(SQLModel, table=True):
    """One reviewer's decision on one source at one stage; `final` marks a resolution."""

    __table_args__ = (Index("ix_screening_source_stage", "source_id", "stage"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    coder_id: int | None = Field(default=None, foreign_key="coder.id", index=True)
    stage: str = Field(default="title-abstract", max_length=30)
    decision: str = Field(max_length=20)  # include, exclude, maybe
    reason: str | None = _text()
    final: bool = False
    created: datetime = Field(default_factory=utcnow)


class DuplicateLink(SQLModel, table=True):
    """A record merged into (or kept apart from) another; `snapshot` makes it reversible."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    cluster: str = Field(index=True, max_length=64)
    survivor_id: int = Field(foreign_key="source.id", index=True)
    merged_id: int = Field(foreign_key="source.id", index=True)
    score: float | None = None
    reasons: list[str] = _json([])
    status: str = Field(default="merged", max_length=20)  # merged, maybe, apart, undone
    snapshot: dict = _json({})
    coder_id: int | None = Field(default=None, foreign_key="coder.id", index=True)  # who (m0009)
    created: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Workspace settings (key/value), e.g. the schema's first version or blind mode."""

    key: str = Field(primary_key=True, max_length=200)
    value: str | None = _text()


# Every session that touches these models bumps edit versions (one home: store/versions.py);
# a record's abstract is stored once, in its column (one home: store/records.py).
from review.store import records as _records  # noqa: E402, F401
from review.store import versions as _versions  # noqa: E402, F401
