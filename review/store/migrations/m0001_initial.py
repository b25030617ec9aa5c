"""The first schema version: every table of the data model, as the models then described it."""

from sqlmodel import SQLModel


def upgrade(op, conn) -> None:
    SQLModel.metadata.create_all(conn)
