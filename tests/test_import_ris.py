"""RIS, Web of Science and PubMed import against real exports (tests/data/vendor/ris, and
../shared/testdata/ris for the one we may not vendor)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.ingest.formats import pubmed, ris
from review.ingest.literature.kinds import from_labels
from review.store import models as m
from review.store.db import session_scope
from tests.conftest import data_file
from tests.import_helpers import run_import, sources_in_order

pytestmark = pytest.mark.backends("sqlite", "postgres")

# file, format, records seen, imported, errors
EXPECTED = [
    ("jabref_RisImporterTestScopus.ris", "ris", 1, 1, 0),
    ("qualcoder_bibliography_zotero.ris", "ris", 3, 3, 0),
    ("rispy_example_bom.ris", "ris", 1, 1, 0),
    ("rispy_example_empty_tag.ris", "ris", 1, 1, 0),
    ("rispy_example_endnote.ris", "ris", 1, 1, 0),
    ("rispy_example_full.ris", "ris", 2, 2, 0),
    ("rispy_example_multiline.ris", "ris", 3, 3, 0),
    ("rispy_example_wos.ris", "wos", 2, 2, 0),
]


@pytest.mark.parametrize("name,fmt,records,imported,errors", EXPECTED)
def test_every_ris_file_imports_with_expected_counts(cli, ws, name, fmt, records, imported, errors):
    res, rep = run_import(cli, ws, data_file(f"ris/{name}"))
    assert rep["format"] == fmt
    assert (rep["records"], rep["imported"]) == (records, imported)
    assert sum(p["severity"] == "error" for p in rep["problems"]) == errors
    assert res.code == (1 if errors else 0)
    assert len(sources_in_order(ws)) == imported


def test_scopus_record_fields(cli, ws, testdata):
    run_import(cli, ws, testdata / "ris" / "jabref_RisImporterTestScopus.ris")
    (src,) = sources_in_order(ws)
    assert src.authors == ["Federico, S.", "Grillo, A.", "Herzog, W."]
    assert (src.year, src.volume, src.issue, src.pages) == (2004, "52", "10", "2309-2327")
    assert src.venue == "Journal of the Mechanics and Physics of Solids"
    assert src.doi == "10.1016/j.jmps.2004.03.010"
    assert src.database == "Scopus" and src.record_format == "ris"
    assert src.record["N1"] == ["Cited By :44", "Export Date: 1 April 2016"]  # repeated tags
    assert len(src.record["AD"]) == 3 and "Facoltà" in src.record["AD"][0]
    assert src.key == "federico2004transversely"


def test_zotero_kinds_dates_and_chapter_venue(cli, ws, shared):
    run_import(cli, ws, shared / "ris" / "qualcoder_bibliography_zotero.ris")
    got = {s.kind: s for s in sources_in_order(ws)}
    assert set(got) == {"article", "book", "chapter"}
    assert got["article"].year == 2011 and got["book"].year == 1988
    assert got["article"].abstract.startswith("From 1973 to 2007")
    assert got["chapter"].venue.startswith("Trade Union Renewal")


def test_bom_empty_tags_and_doi_urls(cli, ws, testdata):
    run_import(cli, ws, testdata / "ris" / "rispy_example_bom.ris")
    run_import(cli, ws, testdata / "ris" / "rispy_example_empty_tag.ris")
    bom, empty = sources_in_order(ws)
    assert bom.doi == "10.1186/s40981-020-0316-0" and bom.key.startswith("doi:")
    assert empty.doi == "10.1177/2325967120950040"  # http://dx.doi.org/ prefix removed
    assert empty.pages is None and empty.record["SP"] == [""]
    assert empty.abstract.startswith("Background:") and "safe return" in empty.abstract


def test_endnote_continuation_lines_are_separate_keywords(cli, ws, testdata):
    run_import(cli, ws, testdata / "ris" / "rispy_example_endnote.ris")
    (src,) = sources_in_order(ws)
    assert src.keywords[:3] == ["citation", "reference", "library"] and len(src.keywords) == 8
    assert len(src.authors) == 4 and src.pages == "1-2"
    assert src.record["UR"] == ["https://www.endnote.com/", "https://www.reference-jokes.org/"]


def test_multiline_records_without_identity_are_kept_with_warnings(cli, ws, testdata):
    res, rep = run_import(cli, ws, testdata / "ris" / "rispy_example_multiline.ris")
    assert res.code == 0 and rep["imported"] == 3
    thin = [p for p in rep["problems"] if "nothing is lost" in p["message"]]
    assert [p["line"] for p in thin] == [1, 8, 17]
    assert {p["severity"] for p in rep["problems"]} == {"warning"}
    first, second, third = sources_in_order(ws)
    assert first.abstract.startswith("first line, ER then second line")
    assert first.record["N1"] and third.record["N2"] == second.record["N2"]
    # the third repeats the second word for word: stored, and marked as its duplicate
    assert third.merged_into_id == second.id and second.merged_into_id is None
    (dup,) = [p for p in rep["problems"] if "marked as its duplicate" in p["message"]]
    assert dup["line"] == 17
    parsed, _ = ris.parse((testdata / "ris" / "rispy_example_multiline.ris").read_text())
    assert parsed[2]["tags"]["N2"] == [
        "first line,\nER then second line and at the end\nthe last line"
    ]


def test_a_record_with_no_tags_is_skipped_with_a_warning(cli, ws, tmp_path):
    path = tmp_path / "x.ris"
    path.write_text("TY  - JOUR\nER  - \n\nTY  - JOUR\nN1  - only a note\nER  - \n")
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and (rep["records"], rep["imported"]) == (2, 1)
    messages = [(p["line"], p["message"]) for p in rep["problems"]]
    assert messages[0][0] == 1 and "no fields at all" in messages[0][1]
    assert messages[1][0] == 4 and "nothing is lost" in messages[1][1]


def test_web_of_science_recognised_not_ris(cli, ws, testdata):
    _, rep = run_import(cli, ws, testdata / "ris" / "rispy_example_wos.ris")
    assert rep["format"] == "wos"
    first, second = sources_in_order(ws)
    assert first.database == "Web of Science" and first.record_format == "wos"
    assert first.title.startswith("Interactions stabilizing the structure of the core")
    assert first.title.endswith("(B820)")  # the continuation line joined
    assert first.authors == ["Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA"]
    assert (first.year, first.pages, first.doi) == (2004, "7003-7016", "10.1021/bi049798f")
    assert "CHEMICALLY SYNTHESIZED POLYPEPTIDES" in first.keywords
    assert first.origin_line == 3 and second.origin_line == 112
    assert first.record["UT"] == ["WOS:000221807500019"]
    with session_scope(ws.engine) as s:
        (batch,) = s.exec(select(m.ImportBatch)).all()
    assert batch.database == "Web of Science" and batch.format == "wos"


def test_ris_quirks_junk_run_together_tags_and_missing_er(cli, ws, tmp_path):
    text = (
        "Search Strategy:\n"
        "1. co-production.mp. (123)\n"
        "1.\n"
        "TY  - JOUR\n"
        "TI  - Co-production and the citizen\n"
        "AU  - Bovaird, Tony\n"
        "PY  - 2007DA  - 2007/05/01\n"
        "DB  - Scopus\n"
        "ER  - \n"
        "\n"
        "C1  - Database: Embase <1980 to 2024 Week 25>\n"
        "\n"
        "DB  - Web of Science\n"
        "TY  - RPRT\n"
        "TI  - A second record\n"
        "AU  - Loeffler, Elke\n"
        "PY  - 2008\n"
    )
    path = tmp_path / "ovid.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    res, rep = run_import(cli, ws, path)
    assert rep["format"] == "ris" and rep["imported"] == 2 and res.code == 0
    first, second = sources_in_order(ws)
    assert first.year == 2007 and first.record["DA"] == ["2007/05/01"]
    assert second.kind == "report" and second.database == "Web of Science"
    assert second.origin_line == 13  # the DB tag before TY starts the record
    msgs = " | ".join(p["message"] for p in rep["problems"])
    assert "outside any record" in msgs and "no ER line" in msgs


def test_pubmed_medline(cli, ws, tmp_path):
    text = (
        "PMID- 12345678\n"
        "OWN - NLM\n"
        "TI  - Co-production of health: a study of patients who take part\n"
        "      in their own care.\n"
        "AB  - Background text.\n"
        "FAU - Loeffler, Elke\n"
        "AU  - Loeffler E\n"
        "FAU - Bovaird, Tony\n"
        "AU  - Bovaird T\n"
        "DP  - 2016 Mar\n"
        "JT  - Journal of Example Studies\n"
        "VI  - 12\n"
        "IP  - 3\n"
        "PG  - 100-110\n"
        "LID - 10.1000/EXAMPLE.1 [doi]\n"
        "PT  - Journal Article\n"
        "OT  - co-production\n"
        "\n"
        "PMID- 87654321\n"
        "TI  - Second.\n"
        "DP  - 2017\n"
    )
    path = tmp_path / "pubmed.nbib"
    path.write_text(text, encoding="utf-8")
    res, rep = run_import(cli, ws, path)
    assert rep["format"] == "pubmed" and rep["imported"] == 2 and res.code == 0
    first, _ = sources_in_order(ws)
    assert first.title.endswith("in their own care.")
    assert first.authors == ["Loeffler, Elke", "Bovaird, Tony"]
    assert (first.year, first.doi, first.database) == (2016, "10.1000/example.1", "PubMed")
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/12345678/"


@pytest.mark.parametrize("fmt", ["ris", "bibtex"])
def test_a_file_of_whitespace_only_is_an_empty_file(cli, ws, tmp_path, fmt):
    # Unicode whitespace too (an ideographic space, a form feed): the loaders test with
    # str.isspace(), which must say what `not text.strip()` said without copying the text.
    f = tmp_path / f"blank.{fmt}"
    f.write_text(" \n\t\u3000\x0c\n", "utf-8")
    res, rep = run_import(cli, ws, f, "--format", fmt)
    assert rep["status"] == "failed" and res.code == 1
    assert [p["message"] for p in rep["problems"]] == ["empty file"]
    assert sources_in_order(ws) == []


ABSTRACTS = (
    "TY  - JOUR\nTI  - Once\nAU  - Bovaird, Tony\nPY  - 2007\nDB  - Scopus\n"
    "AB  - Users and communities co-produce public services.\nER  - \n\n"
    "TY  - JOUR\nTI  - Tidied\nAU  - Loeffler, Elke\nPY  - 2008\nDB  - Scopus\n"
    "AB  - Spaces   inside  are tidied in the column.\nER  - \n\n"
    "TY  - JOUR\nTI  - Two tags\nAU  - Parrado, Salvador\nPY  - 2013\nDB  - Scopus\n"
    "N2  - An abstract in N2.\nER  - \n"
)


def test_an_abstract_is_stored_once_and_the_record_stays_the_files(cli, ws, tmp_path):
    """The abstract column holds the text; the record refers to it when it is exactly the
    tag's one value (else keeps the value as read), and every reader of the record — the RIS
    export — sees the file's tags. Editing the abstract does not change the record."""
    from review.store.records import ABSTRACT_REF, original_record

    path = tmp_path / "scopus.ris"
    path.write_text(ABSTRACTS, "utf-8")
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["imported"] == 3
    once, tidied, n2 = sources_in_order(ws)
    assert once.abstract == "Users and communities co-produce public services."
    assert once.record["AB"] == ABSTRACT_REF and n2.record["N2"] == ABSTRACT_REF
    assert tidied.record["AB"] == ["Spaces   inside  are tidied in the column."]
    assert tidied.abstract == "Spaces inside are tidied in the column."
    with session_scope(ws.engine) as s:  # the text is stored once
        raw = s.connection().exec_driver_sql(f"SELECT record FROM source WHERE id = {once.id}")
        assert "co-produce" not in str(raw.scalar())
    assert original_record(once.record, once.abstract)["AB"] == [once.abstract]
    assert list(original_record(once.record, once.abstract)) == list(once.record)  # tag order

    edit = ("-w", ws.root, "sources", "edit", once.key, "--set", "abstract=Rewritten by hand.")
    assert cli(*edit).code == 0
    out = tmp_path / "out.ris"
    assert cli("-w", ws.root, "export", "ris", "--all", "-o", out).code == 0
    written = out.read_text("utf-8")
    # the edited abstract is exported (tests/test_export_edits.py), the others as the file
    # had them; the stored record stays the file's
    assert "AB  - Rewritten by hand.\n" in written and "co-produce public" not in written
    assert "AB  - Spaces   inside  are tidied in the column.\n" in written
    assert "N2  - An abstract in N2.\n" in written
    edited = {s.key: s for s in sources_in_order(ws)}[once.key]
    assert edited.abstract == "Rewritten by hand."
    assert edited.record["AB"] == ["Users and communities co-produce public services."]


def test_changing_an_abstract_through_the_orm_keeps_the_original_in_the_record(session):
    """What `review sources edit`, a merge (a longer abstract) and its undo do: set the
    column on a stored source; the record gets the abstract it referred to first."""
    from review.store.records import ABSTRACT_REF

    src = m.Source(
        key="k", title="T", abstract="Short.", record={"TY": ["JOUR"], "AB": ABSTRACT_REF}
    )
    session.add(src)
    session.flush()
    session.expire_all()
    src = session.get(m.Source, src.id)
    src.abstract = "A longer abstract taken from a duplicate."
    session.flush()
    # (the record also names the changed column: tests/test_export_edits.py)
    assert src.record == {"TY": ["JOUR"], "AB": ["Short."], "_edited": ["abstract"]}
    src.abstract = "Short."  # the undo: the record is the file's already
    session.flush()
    session.expire_all()
    record = session.get(m.Source, src.id).record
    assert record == {"TY": ["JOUR"], "AB": ["Short."], "_edited": ["abstract"]}


def test_a_thin_record_stored_with_its_abstract_twice_is_still_the_same_record(session):
    """Records stored before the abstract was kept once hold it in full: a record with only
    an abstract (no title, authors or DOI: its content is its identity) from the same
    database is still recognised as already there."""
    from review.ingest.sources import insert_sources
    from review.store.records import ABSTRACT_REF

    old = {"TY": ["GEN"], "AB": ["Only an abstract."]}
    row = {"key": "anon", "abstract": "Only an abstract.", "database": "Scopus"}
    assert insert_sources(session, [row | {"record": old}]).inserted == 1
    again = insert_sources(session, [row | {"record": {"TY": ["GEN"], "AB": ABSTRACT_REF}}])
    assert again.inserted == 0 and again.present == ["anon"]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
def test_the_parser_reads_the_lines_split_would_give(block, testdata):
    """The parser splits the text into lines a block at a time: the lines are those of
    `text.split("\\n")`, wherever a block ends, and the records parsed are the same."""
    texts = ["", "\n", "a", "a\n", "\n\n", "ab\ncd\n\nef", "x\n" * 10, ABSTRACTS]
    texts.append((testdata / "ris" / "rispy_example_multiline.ris").read_text("utf-8"))
    for text in texts:
        assert list(ris._lines(text, block)) == text.split("\n")
    whole = ris.parse(texts[-1])
    original = ris.LINES_BLOCK
    try:
        ris.LINES_BLOCK = block
        assert ris.parse(texts[-1]) == whole
    finally:
        ris.LINES_BLOCK = original


@pytest.mark.parametrize("name,fmt", [("pubmed.nbib", "pubmed"), ("wos.txt", "wos")])
def test_pubmed_and_wos_abstracts_are_stored_once_too(cli, ws, name, fmt):
    from pathlib import Path

    from review.store.records import ABSTRACT_REF, original_record

    path = Path(__file__).parent / "data" / "four_databases" / name
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["format"] == fmt
    with_abstract = [s for s in sources_in_order(ws) if s.abstract]
    assert with_abstract and all(s.record["AB"] == ABSTRACT_REF for s in with_abstract)
    for src in with_abstract:
        assert original_record(src.record, src.abstract)["AB"] == [src.abstract]


def test_a_bibtex_entry_pasted_into_an_ris_file_is_an_error_naming_its_lines(
    cli, ws, testdata, tmp_path
):
    """Found walking issue 14: a BibTeX entry after the RIS records was '14 line(s) outside any
    record ignored (… e.g. a search strategy or notes)', exit 0: a record lost as if a note."""
    ris = (testdata / "ris" / "rispy_example_full.ris").read_text("utf-8")
    bib = (testdata / "bibtex" / "bibtexparser_traps.bib").read_text("utf-8")
    path = tmp_path / "mixed.ris"
    path.write_text("Search strategy: co-production\n\n" + ris + bib, "utf-8")
    res = cli("-w", ws.root, "import", "--json", path)
    assert res.code == 1
    (rep,) = res.json()["files"]
    assert (rep["status"], rep["records"], rep["imported"], rep["skipped"]) == ("partial", 3, 2, 1)
    first = 3 + ris.count("\n")
    problems = [(p["line"], p["severity"], p["message"]) for p in rep["problems"]]
    assert (first, "error", f"lines {first}-{first + bib.rstrip().count(chr(10))} hold 1 BibTeX "
            "entry, not RIS (outside any record): not imported; save them as a file of their own "
            "and import that") in problems  # fmt: skip
    assert (1, "warning", "1 line(s) outside any record ignored (first at line 1; e.g. a search "
            "strategy or notes)") in problems  # fmt: skip


# PubMed lists a record's publication types in alphabetical order: its first `PT` alone made
# "Case Reports" a report and "Comparative Study" / "English Abstract" a misc (`@misc`).
def test_pubmed_publication_types_in_alphabetical_order_give_the_journal_article(cli, ws, tmp_path):
    text = (
        "PMID- 1\nTI  - A case of co-production.\nPT  - Case Reports\nPT  - Journal Article\n\n"
        "PMID- 2\nTI  - A comparison.\nPT  - Comparative Study\nPT  - English Abstract\n"
        "PT  - Journal Article\n\n"
        "PMID- 3\nBTI - A book.\nPT  - Book\n"
    )
    path = tmp_path / "pubmed.nbib"
    path.write_text(text, "utf-8")
    res, rep = run_import(cli, ws, path)
    assert rep["imported"] == 3 and res.code == 0
    assert [s.kind for s in sources_in_order(ws)] == ["article", "article", "book"]


def test_from_labels():
    assert from_labels(["Case Reports"]) == "article"
    assert from_labels(["English Abstract"]) == "misc"
    assert from_labels([]) == "article"
    assert from_labels(["Comparative Study", "Technical Report"]) == "report"


# Web of Science journal items: "Book Review" was a book and "Article; Proceedings Paper" (a
# journal article that was also given at a conference) a conference paper.
def test_wos_journal_items_keep_their_first_document_type(cli, ws, tmp_path):
    def record(n: int, dt: str, pt: str = "J") -> str:
        return f"PT {pt}\nAU Smith, J\nTI Item {n} on co-production\nSO PUBLIC ADMINISTRATION\n" \
            f"DT {dt}\nPY 2019\nUT WOS:00000000000{n}\nER\n\n"  # fmt: skip

    path = tmp_path / "savedrecs.txt"
    path.write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        + record(1, "Book Review")
        + record(2, "Article; Proceedings Paper")
        + record(3, "Review; Early Access")
        + record(4, "Proceedings Paper")
        + record(5, "Proceedings Paper", pt="C")
        + "EF\n",
        "utf-8",
    )
    res, rep = run_import(cli, ws, path)
    assert rep["format"] == "wos" and rep["imported"] == 5 and res.code == 0
    kinds = [s.kind for s in sources_in_order(ws)]
    assert kinds == ["article", "article", "article", "conference", "conference"]


def test_a_scopus_article_number_is_the_pages_where_there_are_none(cli, ws, tmp_path):
    """Scopus's RIS (as EndNote's) gives an online-only article's number in C7 and no SP; the
    pages column then holds it, as the BibTeX reader takes `art_number`, so the RIS and the
    BibTeX export of one search agree. Real pages win, and C7 of other kinds is left alone."""
    text = (
        "TY  - JOUR\nTI  - Online only\nT2  - PLoS ONE\nVL  - 15\nC7  - e0234567\nER  - \n\n"
        "TY  - JOUR\nTI  - Printed\nT2  - J\nSP  - 23\nEP  - 35\nC7  - 99\nER  - \n\n"
        "TY  - CHAP\nTI  - A chapter\nC7  - 4\nER  - \n"
    )
    path = tmp_path / "scopus.ris"
    path.write_text(text, "utf-8")
    res, rep = run_import(cli, ws, path)
    assert rep["imported"] == 3 and res.code == 0
    assert [s.pages for s in sources_in_order(ws)] == ["e0234567", "23-35", None]


# Written as Scopus's RIS export writes chemistry and as a publisher's (Crossref-fed) RIS
# download writes a species name: inline HTML in the title and abstract, entities beside it.
MARKUP_RIS = """TY  - JOUR
TI  - Soil CO<inf>2</inf> efflux and <sup>13</sup>C labelling in a beech forest
AU  - Keller, Anna
PY  - 2021
T2  - Global Change Biology
VL  - 27
SP  - 1201
EP  - 1215
AB  - We traced <sup>13</sup>C-CO<inf>2</inf> &amp; found p < 0.05 in 12 of 14 plots.
DO  - 10.1111/gcb.15500
DB  - Scopus
ER  - 

TY  - JOUR
TI  - Randomised trial of <i>Helicobacter pylori</i> eradication &#8211; a follow-up
AU  - Wotherspoon, Andrew C.
PY  - 2005
T2  - Journal of Clinical Oncology
ER  - 
"""


def test_inline_html_markup_is_not_stored_in_the_columns(cli, ws, tmp_path):
    """'<i>Helicobacter pylori</i>' and 'CO<inf>2</inf>' were stored as written: the Library,
    the Duplicates screen and the reference list showed the tags (found by the import walk).
    The columns hold the text; the record keeps the file's; a '<' that is no tag stays."""
    path = tmp_path / "scopus.ris"
    path.write_text(MARKUP_RIS)
    res, rep = run_import(cli, ws, path)
    assert (rep["imported"], res.code) == (2, 0)
    chem, hp = sources_in_order(ws)
    assert chem.title == "Soil CO2 efflux and 13C labelling in a beech forest"
    assert chem.abstract == "We traced 13C-CO2 & found p < 0.05 in 12 of 14 plots."
    assert chem.record["TI"] == [
        "Soil CO<inf>2</inf> efflux and <sup>13</sup>C labelling in a beech forest"
    ]
    assert hp.title == "Randomised trial of Helicobacter pylori eradication – a follow-up"


# Written as PubMed's MEDLINE format and Web of Science's plain text write a group author:
# PubMed's CN among the persons' lines, Web of Science's CA after AU.
GROUP_PUBMED = """PMID- 12799446
OWN - NLM
DP  - 2003 Jun
TI  - A randomized trial on the management of low-grade squamous intraepithelial lesion
      cytology interpretations.
PG  - 1393-400
FAU - Solomon, Diane
AU  - Solomon D
CN  - ALTS Group
TA  - Am J Obstet Gynecol
JT  - American journal of obstetrics and gynecology
VI  - 188
IP  - 6

PMID- 12000002
DP  - 2004
TI  - Global strategy for asthma management and prevention: a report.
CN  - Global Initiative for Asthma GINA
TA  - Eur Respir J
VI  - 24
"""
GROUP_WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Solomon, D
CA ALTS Grp
TI A randomized trial on the management of low-grade squamous intraepithelial lesion
   cytology interpretations
SO AMERICAN JOURNAL OF OBSTETRICS AND GYNECOLOGY
PY 2003
VL 188
BP 1393
EP 1400
UT WOS:000183854200001
ER

EF
"""


def test_group_authors_are_authors(cli, ws, tmp_path):
    """PubMed's CN and Web of Science's CA (group authors) were not read: a work by a group
    alone had no authors (cite key 'anon2004global', no author in its reference) and a
    group beside persons was missing from the list (found by the import walk). A group's
    name is kept as written, not turned around as a person's "Last FM"."""
    pubmed, wos = tmp_path / "pubmed.nbib", tmp_path / "savedrecs.txt"
    pubmed.write_text(GROUP_PUBMED)
    wos.write_text(GROUP_WOS)
    assert run_import(cli, ws, pubmed)[1]["imported"] == 2
    assert run_import(cli, ws, wos)[1]["imported"] == 1
    trial, gina, wos_trial = sources_in_order(ws)
    assert trial.authors == ["Solomon, Diane", "ALTS Group"]
    assert gina.authors == ["Global Initiative for Asthma GINA"]
    assert gina.key.startswith("globalinitiativeforasthmagina2004")
    assert wos_trial.authors == ["Solomon, D", "ALTS Grp"]


# Written as CNKI's RIS export writes a Chinese-language search: titles in Chinese, the
# authors in pinyin, no DOI or pages for conference papers and theses.
CNKI = """TY  - CONF
DB  - CNKI
TI  - 公共服务合作生产的理论框架
AU  - Wang, Lei
PY  - 2018
T2  - 中国行政管理学会年会
ER  - 

TY  - CONF
DB  - CNKI
TI  - 社区治理中的居民参与研究
AU  - Wang, Li
PY  - 2018
T2  - 中国行政管理学会年会
ER  - 
"""
CNKI_LATER = """TY  - THES
DB  - CNKI
TI  - 城市社区养老服务的合作生产机制研究
AU  - Wang, Lei
PY  - 2018
PB  - 北京大学
ER  - 
"""


def test_titles_in_other_scripts_tell_records_apart_at_import(cli, ws, tmp_path):
    """The import's content fingerprint kept only a-z and 0-9, so a Chinese (Greek, Cyrillic)
    title counted as no title: two different papers by a 'Wang, L' of 2018 (one key,
    'wang2018') were 'the same record as line 1' and marked as its duplicate, and a thesis
    of his in a later export of the same database was skipped as already imported — lost
    (found by the import walk). The same record exported again is still recognised."""
    first, later = tmp_path / "cnki.ris", tmp_path / "cnki_theses.ris"
    first.write_text(CNKI)
    later.write_text(CNKI_LATER + "\n" + CNKI.split("\n\n")[0] + "\n")  # and one again
    res, rep = run_import(cli, ws, first)
    assert (rep["imported"], rep["problems"], res.code) == (2, [], 0)
    res, rep = run_import(cli, ws, later)
    assert (rep["imported"], rep["skipped"]) == (1, 1)  # the search's record: recognised
    stored = sources_in_order(ws)
    assert [s.title for s in stored] == [
        "公共服务合作生产的理论框架",
        "社区治理中的居民参与研究",
        "城市社区养老服务的合作生产机制研究",
    ]
    assert [s.merged_into_id for s in stored] == [None, None, None]


def test_several_names_in_one_author_line_are_several_authors(cli, ws, tmp_path):
    """An RIS line with all the authors between semicolons (CNKI's "AU  - 王磊;李明;", a
    spreadsheet turned into RIS) was stored as one author named "Kim, J.; Park, S.; Lee,
    H." (found by the import walk): the list, the cite key and the matcher's author check
    all read one person."""
    path = tmp_path / "one_line.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Co-production in primary care: a survey of practices\n"
        "AU  - Kim, J.; Park, S.; Lee, H.\nPY  - 2021\nJO  - Health Policy\nER  - \n\n"
        "TY  - JOUR\nTI  - 公共服务合作生产的理论框架\nAU  - 王磊;李明;\nPY  - 2018\n"
        "JO  - 中国行政管理\nER  - \n"
    )
    res, rep = run_import(cli, ws, path)
    assert (rep["imported"], res.code) == (2, 0)
    survey, chinese = sources_in_order(ws)
    assert survey.authors == ["Kim, J.", "Park, S.", "Lee, H."]
    assert chinese.authors == ["王磊", "李明"]
    assert survey.record["AU"] == ["Kim, J.; Park, S.; Lee, H."]  # the file's line


def test_a_pubmed_file_cut_short_says_so(cli, ws, tmp_path):
    """PubMed ends every record with SO; a download cut off inside the last record was
    imported without a word, as if complete (found by the import walk: an .nbib cut at
    1,500 bytes). RIS and Web of Science already said 'last record has no ER line'."""
    whole = GROUP_PUBMED.replace(
        "IP  - 6\n", "IP  - 6\nSO  - Am J Obstet Gynecol. 2003 Jun;188(6):1393-400.\n"
    )
    whole += "SO  - Eur Respir J. 2004;24.\n"
    cut = whole[: whole.index("TA  - Eur Respir J")]
    assert pubmed.parse(whole) == (pubmed.parse(whole)[0], [])  # complete: no warning
    short = tmp_path / "short.nbib"
    short.write_text(cut)
    res, rep = run_import(cli, ws, short)
    assert (rep["imported"], res.code) == (2, 0)  # kept: the warning says to check
    (warn,) = rep["problems"]
    assert warn["line"] == 16 and "was the file cut short?" in warn["message"]
