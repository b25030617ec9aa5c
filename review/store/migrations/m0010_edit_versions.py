"""Codes, memos and indicators carry a version, who changed them last and when.

Two people editing the same code (one in the workbench, one on the server from another
machine) must not overwrite each other silently: every change of such a row bumps `version`
(see `review.store.versions`), and an edit made from what someone saw earlier names the
version it saw; if the row has moved on, the edit is refused as a conflict ("changed by ann at
10:42; reload"). Existing rows start at version 1 with nobody recorded.
"""

from sqlalchemy import Column, DateTime, Integer, String, text


def upgrade(op, conn) -> None:
    for table in ("code", "memo", "indicator"):
        op.add_column(table, Column("version", Integer, nullable=False, server_default=text("1")))
        op.add_column(table, Column("updated_by", String(200)))
    for table in ("code", "indicator"):
        op.add_column(table, Column("updated", DateTime(timezone=True)))
