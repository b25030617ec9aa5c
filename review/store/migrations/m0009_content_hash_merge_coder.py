"""A source's text compared as a reader would (`source.content_hash`), and who merged or kept
apart duplicate records (`duplicatelink.coder_id`).

The same interview saved as `.txt` and `.docx` differs only in blank lines and spacing, so
`text_hash` (of the exact text, which offsets point into) told them apart and the interview
was imported twice. `content_hash` is the SHA-256 of the text with every whitespace run
removed (after NFKC), indexed; the import compares it. Existing texts are hashed here.

`review dedupe --history` says when and by whom each merge or keep-apart call was made: the
link's coder (a foreign key; NULL for links made before this migration).
"""

import hashlib
import unicodedata

from sqlalchemy import Column, Integer, String, inspect, text

from review.store.migrations.tools import rebuild


def content_digest(body: str) -> str:
    """Frozen copy of `review.ingest.formats.qualitative.content_hash` as of this migration."""
    folded = "".join(unicodedata.normalize("NFKC", body).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def upgrade(op, conn) -> None:
    # (a development build named this migration 0009_source_content_hash and added only the
    # column: a database it upgraded has the column already)
    if "content_hash" not in {c["name"] for c in inspect(conn).get_columns("source")}:
        op.add_column("source", Column("content_hash", String(64)))
        op.create_index("ix_source_content_hash", "source", ["content_hash"])
    rows = conn.execute(text("SELECT id, text FROM source WHERE text IS NOT NULL"))
    values = [{"h": content_digest(body), "i": sid} for sid, body in rows]
    if values:
        conn.execute(text("UPDATE source SET content_hash = :h WHERE id = :i"), values)
    with rebuild(op, "duplicatelink") as batch:
        batch.add_column(Column("coder_id", Integer))
        batch.create_foreign_key("duplicatelink_coder_id_fkey", "coder", ["coder_id"], ["id"])
        batch.create_index("ix_duplicatelink_coder_id", ["coder_id"])
