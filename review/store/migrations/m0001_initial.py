"""The first schema version, frozen: every table as `tests/data/schema_v1.db` has it.

A literal snapshot on purpose. It used to call `SQLModel.metadata.create_all`, which made
*today's* tables, so upgrading an old database and making a new one could silently differ.
Never edit this file: change the schema with a new migration. On SQLite this writes exactly
the DDL of `tests/data/schema_v1.db` (`tests/test_migrations.py` compares them); on PostgreSQL
the same tables with SERIAL keys. Times are `DateTime(timezone=True)`, what the models' aware
datetimes made then (DATETIME on SQLite, TIMESTAMP WITH TIME ZONE on PostgreSQL).
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)


def _id() -> Column:
    return Column("id", Integer, nullable=False)


def upgrade(op, conn) -> None:
    op.create_table(
        "coder",
        _id(),
        Column("name", String(200), nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_coder_name", "coder", ["name"], unique=True)
    op.create_table(
        "importbatch",
        _id(),
        Column("path", String(2000), nullable=False),
        Column("format", String(40), nullable=False),
        Column("sha256", String(64)),
        Column("database", String(100)),
        Column("strict", Boolean, nullable=False),
        Column("status", String(20), nullable=False),
        Column("n_records", Integer, nullable=False),
        Column("n_imported", Integer, nullable=False),
        Column("n_skipped", Integer, nullable=False),
        Column("problems", JSON, nullable=False),
        Column("started", DateTime(timezone=True), nullable=False),
        Column("finished", DateTime(timezone=True)),
        PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_importbatch_sha256", "importbatch", ["sha256"])
    op.create_table(
        "participant",
        _id(),
        Column("name", String(300), nullable=False),
        Column("role", String(100)),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_participant_name", "participant", ["name"], unique=True)
    op.create_table(
        "code",
        _id(),
        Column("parent_id", Integer),
        Column("name", String(300), nullable=False),
        Column("definition", Text),
        Column("include", Text),
        Column("exclude", Text),
        Column("example", Text),
        Column("keywords", JSON, nullable=False),
        Column("colour", String(20)),
        Column("shortcut", String(5)),
        Column("position", Integer, nullable=False),
        Column("codable", Boolean, nullable=False),
        Column("guid", String(40)),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["parent_id"], ["code.id"]),
    )
    op.create_index("ix_code_parent_id", "code", ["parent_id"])
    op.create_index("ix_code_name", "code", ["name"])
    op.create_table(
        "exclusionreason",
        _id(),
        Column("name", String(300), nullable=False),
        Column("stage", String(30)),
        PrimaryKeyConstraint("id"),
        UniqueConstraint("name"),
    )
    op.create_table(
        "setting",
        Column("key", String(200), nullable=False),
        Column("value", Text),
        PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "source",
        _id(),
        Column("key", String(300), nullable=False),
        Column("kind", String(40), nullable=False),
        Column("title", Text),
        Column("authors", JSON, nullable=False),
        Column("year", Integer),
        Column("venue", Text),
        Column("volume", String(100)),
        Column("issue", String(100)),
        Column("pages", String(100)),
        Column("doi", String(300)),
        Column("url", Text),
        Column("abstract", Text),
        Column("keywords", JSON, nullable=False),
        Column("language", String(40)),
        Column("country", String(200)),
        Column("method", String(200)),
        Column("database", String(100)),
        Column("record", JSON, nullable=False),
        Column("record_format", String(40)),
        Column("text", Text),
        Column("text_hash", String(64)),
        Column("meta", JSON, nullable=False),
        Column("batch_id", Integer),
        Column("origin_file", String(2000)),
        Column("origin_line", Integer),
        Column("merged_into_id", Integer),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["batch_id"], ["importbatch.id"]),
        ForeignKeyConstraint(["merged_into_id"], ["source.id"]),
    )
    op.create_index("ix_source_year", "source", ["year"])
    op.create_index("ix_source_merged_into_id", "source", ["merged_into_id"])
    op.create_index("ix_source_key", "source", ["key"], unique=True)
    op.create_index("ix_source_kind", "source", ["kind"])
    op.create_index("ix_source_batch_id", "source", ["batch_id"])
    op.create_index("ix_source_kind_year", "source", ["kind", "year"])
    op.create_index("ix_source_doi", "source", ["doi"])
    op.create_table(
        "participantalias",
        _id(),
        Column("alias", String(300), nullable=False),
        Column("participant_id", Integer, nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["participant_id"], ["participant.id"]),
    )
    op.create_index("ix_participantalias_participant_id", "participantalias", ["participant_id"])
    op.create_index("ix_participantalias_alias", "participantalias", ["alias"], unique=True)
    op.create_table(
        "participantattribute",
        _id(),
        Column("participant_id", Integer, nullable=False),
        Column("name", String(200), nullable=False),
        Column("value", Text),
        PrimaryKeyConstraint("id"),
        UniqueConstraint("participant_id", "name"),
        ForeignKeyConstraint(["participant_id"], ["participant.id"]),
    )
    op.create_index(
        "ix_participantattribute_participant_id", "participantattribute", ["participant_id"]
    )
    op.create_index("ix_participantattribute_name", "participantattribute", ["name"])
    op.create_table(
        "memo",
        _id(),
        Column("target", String(20), nullable=False),
        Column("target_id", Integer),
        Column("coder_id", Integer),
        Column("text", Text, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("updated", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["coder_id"], ["coder.id"]),
    )
    op.create_index("ix_memo_target_id", "memo", ["target_id"])
    op.create_table(
        "action",
        _id(),
        Column("coder_id", Integer),
        Column("kind", String(40), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("undone", Boolean, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["coder_id"], ["coder.id"]),
    )
    op.create_index("ix_action_coder_id", "action", ["coder_id"])
    op.create_table(
        "passage",
        _id(),
        Column("source_id", Integer, nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("speaker", String(300)),
        Column("participant_id", Integer),
        Column("timestamp", Float),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["source_id"], ["source.id"]),
        ForeignKeyConstraint(["participant_id"], ["participant.id"]),
    )
    op.create_index("ix_passage_participant_id", "passage", ["participant_id"])
    op.create_index("ix_passage_source_start", "passage", ["source_id", "start"])
    op.create_table(
        "coding",
        _id(),
        Column("source_id", Integer, nullable=False),
        Column("code_id", Integer, nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        Column("quote", Text, nullable=False),
        Column("coder_id", Integer),
        Column("memo", Text),
        Column("origin", String(20), nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["source_id"], ["source.id"]),
        ForeignKeyConstraint(["code_id"], ["code.id"]),
        ForeignKeyConstraint(["coder_id"], ["coder.id"]),
    )
    op.create_index("ix_coding_coder_id", "coding", ["coder_id"])
    op.create_index("ix_coding_code", "coding", ["code_id"])
    op.create_index("ix_coding_source_start", "coding", ["source_id", "start"])
    op.create_table(
        "indicator",
        _id(),
        Column("name", String(500), nullable=False),
        Column("measure", String(300)),
        Column("sector", String(200)),
        Column("area", String(200)),
        Column("year", Integer),
        Column("value", Float),
        Column("value_text", String(100)),
        Column("unit", String(50)),
        Column("n", Integer),
        Column("ci_low", Float),
        Column("ci_high", Float),
        Column("source_id", Integer),
        Column("batch_id", Integer),
        Column("note", Text),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["source_id"], ["source.id"]),
        ForeignKeyConstraint(["batch_id"], ["importbatch.id"]),
    )
    op.create_index("ix_indicator_source_id", "indicator", ["source_id"])
    op.create_index("ix_indicator_sector", "indicator", ["sector"])
    op.create_index("ix_indicator_name", "indicator", ["name"])
    op.create_table(
        "screeningdecision",
        _id(),
        Column("source_id", Integer, nullable=False),
        Column("coder_id", Integer),
        Column("stage", String(30), nullable=False),
        Column("decision", String(20), nullable=False),
        Column("reason", Text),
        Column("final", Boolean, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["source_id"], ["source.id"]),
        ForeignKeyConstraint(["coder_id"], ["coder.id"]),
    )
    op.create_index("ix_screening_source_stage", "screeningdecision", ["source_id", "stage"])
    op.create_index("ix_screeningdecision_coder_id", "screeningdecision", ["coder_id"])
    op.create_table(
        "duplicatelink",
        _id(),
        Column("cluster", String(64), nullable=False),
        Column("survivor_id", Integer, nullable=False),
        Column("merged_id", Integer, nullable=False),
        Column("score", Float),
        Column("reasons", JSON, nullable=False),
        Column("status", String(20), nullable=False),
        Column("snapshot", JSON, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["survivor_id"], ["source.id"]),
        ForeignKeyConstraint(["merged_id"], ["source.id"]),
    )
    op.create_index("ix_duplicatelink_survivor_id", "duplicatelink", ["survivor_id"])
    op.create_index("ix_duplicatelink_cluster", "duplicatelink", ["cluster"])
    op.create_index("ix_duplicatelink_merged_id", "duplicatelink", ["merged_id"])
    op.create_table(
        "suggestion",
        _id(),
        Column("source_id", Integer, nullable=False),
        Column("code_id", Integer, nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        Column("quote", Text, nullable=False),
        Column("trigger", JSON, nullable=False),
        Column("score", Float, nullable=False),
        Column("status", String(20), nullable=False),
        Column("coding_id", Integer),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["source_id"], ["source.id"]),
        ForeignKeyConstraint(["code_id"], ["code.id"]),
        ForeignKeyConstraint(["coding_id"], ["coding.id"]),
    )
    op.create_index("ix_suggestion_code_id", "suggestion", ["code_id"])
    op.create_index("ix_suggestion_source_start", "suggestion", ["source_id", "start"])
    op.create_index("ix_suggestion_status", "suggestion", ["status"])
    op.create_table(
        "evidencelink",
        _id(),
        Column("indicator_id", Integer, nullable=False),
        Column("code_id", Integer),
        Column("coding_id", Integer),
        Column("relation", String(20), nullable=False),
        Column("note", Text),
        Column("coder_id", Integer),
        Column("created", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id"),
        ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        ForeignKeyConstraint(["code_id"], ["code.id"]),
        ForeignKeyConstraint(["coding_id"], ["coding.id"]),
        ForeignKeyConstraint(["coder_id"], ["coder.id"]),
    )
    op.create_index("ix_evidencelink_indicator_id", "evidencelink", ["indicator_id"])
    op.create_index("ix_evidencelink_coding_id", "evidencelink", ["coding_id"])
    op.create_index("ix_evidencelink_code_id", "evidencelink", ["code_id"])
