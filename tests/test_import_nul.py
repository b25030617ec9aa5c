"""A NUL byte inside a text export (a stray byte from a broken tool or a copy): the record
keeps its text without it, with a warning naming the line, on SQLite and on PostgreSQL.

Before, the NUL went into the columns: on SQLite an RIS `TY  - JOUR<NUL>` made the record a
`misc`, and on PostgreSQL, which refuses NUL in text columns, the whole file failed as an
internal error (`DataError … cannot contain NUL (0x00) bytes`), nothing of it imported.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.importers import import_file
from review.ingest.textio import read_text
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")

RIS = (
    "TY  - JOUR\x00\n"
    "AU  - Smith, J.A.\n"
    "TI  - Co-production\x00 of community mental health services\n"
    "PY  - 2019\n"
    "ER  - \n"
    "\n"
    "TY  - JOUR\n"
    "AU  - Jones, P.\n"
    "TI  - A second record\x00\x00\n"
    "PY  - 2018\n"
    "ER  - \n"
)


def test_nul_bytes_are_removed_with_a_warning_and_every_record_imports(ws, tmp_path):
    path = tmp_path / "scopus.ris"
    path.write_bytes(RIS.encode())
    report = import_file(ws.engine, path)
    assert report.status == "imported" and report.imported == 2, report.problems
    (warning,) = [p for p in report.problems if "NUL" in p.message]
    assert warning.severity == "warning" and warning.line == 1
    assert warning.message.startswith("4 NUL byte(s) removed")
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Source).order_by(m.Source.id)).all()
        assert [(r.kind, r.title) for r in rows] == [
            ("article", "Co-production of community mental health services"),
            ("article", "A second record"),
        ]
        assert rows[0].record["TY"] == ["JOUR"]


def test_read_text_counts_the_nuls_and_names_the_first_line():
    d = read_text(b"a\r\nb\x00c\n\x00")
    assert (d.text, d.nuls, d.nul_line) == ("a\nbc\n", 2, 2)
    assert read_text(b"plain\n").nuls == 0
