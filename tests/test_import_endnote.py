"""EndNote tagged text ("Refer": `%0 Journal Article`, `%A`, `%T` …), what Google Scholar's
and publishers' "EndNote" links download.

Before: saved as `.txt` it was imported as one plain-text document (its records lost to
screening and PRISMA); as `.enw` it was "format not recognised".
"""

from __future__ import annotations

import pytest

from review.ingest.formats import endnote
from tests.import_helpers import run_import, sources_in_order

pytestmark = pytest.mark.backends("sqlite", "postgres")

ENW = """%0 Journal Article
%T Co-production of community mental health services: a mixed-methods evaluation
%A Smith, Jane A
%A Jones, Peter
%J BMJ Open
%D 2019
%V 9
%N 6
%P e026755
%R 10.1136/bmjopen-2018-026755
%K co-production
mental health
%X Objectives: to evaluate co-production.
Results: users valued the services.

%0 Book Section
%T Co-production in public services
%A Bovaird, Tony
%E Osborne, Stephen P.
%B The new public governance?
%D 2010
%P 245-66
%I Routledge
%0 Conference Paper
%T Citizens as co-producers
%A Loeffler, Elke
%B EGPA annual conference
%D 2013
"""


@pytest.mark.parametrize("name", ["citations.enw", "scholar.txt"])
def test_an_endnote_tagged_file_imports_every_record(cli, ws, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(ENW.replace("\n", "\r\n").encode())
    res, rep = run_import(cli, ws, path)
    assert (rep["format"], rep["records"], rep["imported"], res.code) == ("endnote", 3, 3, 0)
    article, chapter, paper = sources_in_order(ws)
    assert article.authors == ["Smith, Jane A", "Jones, Peter"]
    assert (article.kind, article.venue, article.year, article.volume, article.issue) == (
        "article",
        "BMJ Open",
        2019,
        "9",
        "6",
    )
    assert (article.pages, article.doi) == ("e026755", "10.1136/bmjopen-2018-026755")
    assert article.keywords == ["co-production", "mental health"]  # one %K, a line each
    assert article.abstract == (
        "Objectives: to evaluate co-production. Results: users valued the services."
    )
    assert (chapter.kind, chapter.venue, chapter.pages) == (
        "chapter",
        "The new public governance?",
        "245-66",
    )
    assert paper.kind == "conference" and paper.origin_line == 24  # a %0 starts a record
    assert article.record["A"] == ["Smith, Jane A", "Jones, Peter"]
    assert article.record_format == "endnote"


def test_prose_with_percent_signs_is_not_endnote(tmp_path):
    data = b"Interviewer: 50% said yes.\n%0 of them said no\nwhich is odd.\n"
    assert endnote.detect(tmp_path / "fg.txt", data) == 0
