"""Ovid tagged exports (MEDLINE, Embase … through Ovid).

Before: an Ovid file (`<1. >`, `VN  - Ovid Technologies`, `UI`, `SO`, `YR`) was taken for a
plain-text transcript — one "document" titled `<1>`, every record lost to the review and to
PRISMA.
"""

from __future__ import annotations

import pytest

from review.ingest.formats import ovid
from tests.import_helpers import run_import, sources_in_order

pytestmark = pytest.mark.backends("sqlite", "postgres")

# Written the way Ovid's "Citavi" / MEDLARS export writes them (CRLF, `<n. >` numbers, the
# citation in SO; Embase with its own JN/VO/IP/PG tags and the ISSN in IS).
OVID = """<1. >
VN  - Ovid Technologies
DB  - Ovid MEDLINE(R) ALL
UI  - 31171598
TI  - Co-production of community mental health services: a mixed-methods
      evaluation.
SO  - BMJ Open. 9(6):e026755, 2019 06 04.
AU  - Smith JA
AU  - Jones P
FA  - Smith, Jane A
FA  - Jones, Peter
IS  - 2044-6055
LG  - English
PT  - Comparative Study
PT  - Journal Article
DO  - https://dx.doi.org/10.1136/bmjopen-2018-026755
YR  - 2019

<2. >
VN  - Ovid Technologies
DB  - Embase
AN  - 627000003
TI  - Activating citizens to participate in collective co-production of public services
SO  - Journal of Social Policy. 46(1) (pp 1-20), 2017. Date of Publication: January 2017.
AU  - Bovaird T. [Author, Reprint Author; E-mail: t.bovaird@example.org]
AU  - Loeffler E.
YR  - 2017
JN  - Journal of Social Policy
VO  - 46
IS  - 0047-2794
IP  - 1
PG  - 1-20
PT  - Journal: Article
""".replace("\n", "\r\n")


def test_an_ovid_export_imports_every_record_with_its_database(cli, ws, tmp_path):
    path = tmp_path / "ovid_medline.txt"
    path.write_bytes(OVID.encode())
    res, rep = run_import(cli, ws, path)
    assert (rep["format"], rep["records"], rep["imported"], res.code) == ("ovid", 2, 2, 0)
    medline, embase = sources_in_order(ws)
    assert medline.title == (
        "Co-production of community mental health services: a mixed-methods evaluation."
    )
    assert medline.authors == ["Smith, Jane A", "Jones, Peter"]  # FA, the full names
    assert (medline.year, medline.venue, medline.volume, medline.issue, medline.pages) == (
        2019,
        "BMJ Open",
        "9",
        "6",
        "e026755",
    )  # from SO: no tag of their own
    assert (medline.doi, medline.database, medline.kind) == (
        "10.1136/bmjopen-2018-026755",
        "MEDLINE",  # through Ovid: not PubMed
        "article",
    )
    assert embase.authors == ["Bovaird, T.", "Loeffler, E."]  # the author note dropped
    assert (embase.venue, embase.volume, embase.issue, embase.pages, embase.database) == (
        "Journal of Social Policy",
        "46",
        "1",  # IP; IS is the ISSN
        "1-20",
        "Embase",
    )
    assert embase.record["IS"] == ["0047-2794"] and embase.record_format == "ovid"
    prisma = cli("-w", ws.root, "prisma", "--json").json()  # literature, per database
    assert prisma["identification"]["by_database"] == {"MEDLINE": 1, "Embase": 1}
    assert prisma["screening"]["awaiting_screening"] == 2


def test_records_are_split_at_vn_when_the_numbers_are_missing():
    text = OVID.replace("\r\n", "\n").replace("<1. >\n", "").replace("<2. >\n", "")
    records, problems = ovid.parse(text)
    assert [r["tags"]["DB"] for r in records] == [["Ovid MEDLINE(R) ALL"], ["Embase"]]
    assert problems == []


def test_an_ovid_ris_export_stays_ris(tmp_path):
    data = b"TY  - JOUR\nVN  - Ovid Technologies\nDB  - Embase\nT1  - A title\nER  - \n"
    assert ovid.detect(tmp_path / "embase.ris", data) == 0


def test_a_plain_text_transcript_is_not_taken_for_ovid(tmp_path):
    path = tmp_path / "fg1.txt"
    data = b"Interviewer: Tell me about <1> thing.\nAB  - not a tag line at all\n"
    assert ovid.detect(path, data) == 0


def test_a_hostile_citation_line_parses_in_linear_time():
    """`(\\d+)\\s*\\(([^)]+)\\)` over "1(1(1(…" with no ")" was quadratic: 8,000 pairs took
    0.34 s, 200,000 would have taken minutes. The citation is read from its first 1,000
    characters with bounded patterns."""
    import time

    start = time.process_time()
    row = ovid.normalise({"SO": ["1(" * 200_000], "AU": ["a" + " " * 100_000 + "[b"]})
    assert time.process_time() - start < 2  # (well under 0.1 s; the old pattern: minutes)
    assert row["authors"] == ["a"] and row["volume"] is None


# Embase through Ovid exported with the citation fields only (TI, AU, SO, …): no JN/VO/IP/PG
# tags, and Embase writes its citation its own way, not MEDLINE's "9(6):e026755".
EMBASE_CITATIONS = """<1. >
VN  - Ovid Technologies
DB  - Embase
AN  - 627000001
TI  - Effectiveness of co-produced mental health services: A systematic review protocol
AU  - Muller J.
SO  - BMJ Open. 9 (6) (no pagination), 2019. Article Number: e026755. Date of Publication: 2019.
YR  - 2019
PT  - Journal: Article

<2. >
VN  - Ovid Technologies
DB  - Embase
AN  - 627000002
TI  - Editorial
AU  - Watson R.
SO  - Journal of Advanced Nursing. 75 (1) (pp 1-2), 2019. Date of Publication: January 2019.
YR  - 2019
PT  - Journal: Editorial

<3. >
VN  - Ovid Technologies
DB  - Embase
AN  - 627000003
TI  - Editorial
AU  - Watson R.
SO  - Journal of Advanced Nursing. 75 (3) (pp 475-476), 2019. Date of Publication: March 2019.
YR  - 2019
PT  - Journal: Editorial

<4. >
VN  - Ovid Technologies
DB  - Embase
AN  - 625000004
TI  - Patient engagement in oncology trials
AU  - Lee K.
SO  - Annals of Oncology. Conference: 43rd ESMO Congress, ESMO 2018. Germany. 29 (Supplement 8)
      (pp viii100-viii101), 2018.
YR  - 2018
PT  - Journal: Conference Abstract
""".replace("\n", "\r\n")


def test_embase_citations_give_their_pages_and_article_numbers(cli, ws, tmp_path):
    """Embase's "(pp 1-2)" and "Article Number: e026755" were not read: the pages stayed empty,
    so two editorials of one volume had nothing but their issue to keep them apart, and the
    article had no first page to confirm it against its MEDLINE copy; a conference abstract's
    venue ran on to the end of the conference's name and place, and a supplement's page
    "viii100" (more than one letter before the number) was no page (found by the import
    walk)."""
    path = tmp_path / "embase_citations.txt"
    path.write_bytes(EMBASE_CITATIONS.encode())
    res, rep = run_import(cli, ws, path)
    assert (rep["format"], rep["imported"], res.code) == ("ovid", 4, 0)
    article, first, second, abstract = sources_in_order(ws)
    assert (article.venue, article.volume, article.issue, article.pages) == (
        "BMJ Open",
        "9",
        "6",
        "e026755",
    )
    assert [(s.volume, s.issue, s.pages) for s in (first, second)] == [
        ("75", "1", "1-2"),
        ("75", "3", "475-476"),
    ]
    assert first.venue == "Journal of Advanced Nursing"
    # a conference abstract: the journal before ". Conference:", a supplement's pages
    assert (abstract.venue, abstract.volume, abstract.issue, abstract.pages) == (
        "Annals of Oncology",
        "29",
        "Supplement 8",
        "viii100-viii101",
    )
