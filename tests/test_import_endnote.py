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


# Written as the Cochrane Library's CENTRAL export writes records it took from Embase and
# MEDLINE: the whole citation in %B, no %V, %N or %P.
CENTRAL = """%0 Journal Article
%D 2016
%T Characteristics of patients with type 2 diabetes mellitus newly treated with GLP-1 agonists
%B BMJ Open. 6 (7) (no pagination), 2016. Article Number: e010197. Date of Publication: 01 Jul 2016.
%R http://dx.doi.org/10.1136/bmjopen-2015-010197
%M CN-01196504

%0 Journal Article
%D 2017
%T Activating citizens to participate in collective co-production of public services
%A Bovaird, T.
%B Journal of Social Policy. 46(1):1-20, 2017 Jan.
%M CN-01300001
"""


def test_a_whole_citation_in_the_venue_gives_volume_issue_and_pages(cli, ws, tmp_path):
    """The Cochrane Library's EndNote export puts Embase's or MEDLINE's whole citation in %B:
    the venue was 'BMJ Open. 6 (7) (no pagination), 2016. Article Number: e010197. Date of
    Publication: 01 Jul 2016.', with no volume or pages to confirm a duplicate (found by the
    import walk). It is read as Ovid's SO is (one parser, tagged.citation_parts)."""
    path = tmp_path / "central.enw"
    path.write_text(CENTRAL)
    res, rep = run_import(cli, ws, path)
    assert (rep["format"], rep["imported"], res.code) == ("endnote", 2, 0)
    embase, medline = sources_in_order(ws)
    assert (embase.venue, embase.volume, embase.issue, embase.pages) == (
        "BMJ Open",
        "6",
        "7",
        "e010197",
    )
    assert (medline.venue, medline.volume, medline.issue, medline.pages) == (
        "Journal of Social Policy",
        "46",
        "1",
        "1-20",
    )
    assert embase.record["B"][0].startswith("BMJ Open. 6 (7)")  # the file's, as written
