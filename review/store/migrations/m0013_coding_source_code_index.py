"""An index of codings by source and code: `coding (source_id, code_id, start, "end", coder_id)`.

The briefing note counts excerpts per source and code (each coded span once, whoever coded it)
for 1,000,000 codings; with this covering index the database groups them in index order
instead of sorting them, and the sector-overlap and coder counts read no table rows
(`review/outputs/brief/scan.py`).
"""

NAME = "ix_coding_source_code"


def upgrade(op, conn) -> None:
    op.create_index(NAME, "coding", ["source_id", "code_id", "start", "end", "coder_id"])
