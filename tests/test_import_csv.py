"""Literature lists as CSV: Scopus exports, flexible headers, keys from an ID column."""

from __future__ import annotations

import pytest

from tests.conftest import data_file
from tests.import_helpers import run_import, sources_in_order

pytestmark = pytest.mark.backends("sqlite", "postgres")

SCOPUS = (
    "Authors,Author full names,Title,Year,Source title,Volume,Issue,Art. No.,Page start,"
    "Page end,DOI,Link,Abstract,Author Keywords,Document Type,Source,EID\n"
    '"Bovaird T., Loeffler E.","Bovaird, Tony (6603); Loeffler, Elke (7004)",'
    '"Activating citizens to participate in collective co-production",2015,'
    '"Journal of Social Policy",44,1,,1,23,https://doi.org/10.1017/S0047279414000567,'
    'https://www.scopus.com/x,"An abstract, with a comma","co-production; citizens",'
    "Article,Scopus,2-s2.0-1\n"
    ",,,,,,,,,,,,,,Article,Scopus,2-s2.0-2\n"
    '"Parrado S.",,"Book chapter on co-production",2014,"Some Book",,,,,,,,,,'
    "Book Chapter,Scopus,2-s2.0-3\n"
)


def test_scopus_csv(cli, ws, tmp_path):
    path = tmp_path / "scopus.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SCOPUS.replace("\n", "\r\n").encode("utf-8"))
    res, rep = run_import(cli, ws, path)
    assert rep["format"] == "csv-literature"
    assert (rep["records"], rep["imported"], rep["skipped"]) == (3, 3, 0)
    assert res.code == 0  # a row with only its type and EID is kept, with a warning
    (warn,) = rep["problems"]
    assert warn["line"] == 3 and warn["severity"] == "warning"
    assert "no title, authors, DOI or venue" in warn["message"]
    art, thin, chap = sources_in_order(ws)
    assert thin.record["EID"] == "2-s2.0-2" and thin.database == "Scopus"
    assert art.authors == ["Bovaird, Tony", "Loeffler, Elke"]  # Scopus ids stripped
    assert (art.year, art.venue, art.pages) == (2015, "Journal of Social Policy", "1-23")
    assert art.doi == "10.1017/s0047279414000567"
    assert art.database == "Scopus" and art.record_format == "csv"
    assert art.keywords == ["co-production", "citizens"]
    assert art.record["EID"] == "2-s2.0-1"
    assert chap.kind == "chapter" and chap.authors == ["Parrado, S."]  # falls back to Authors


def test_flexible_headers_semicolons_and_id_column(cli, ws, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(
        "ID;Article Title;Author(s);Publication Year;Journal;DOI\n"
        "bovaird2007;Beyond engagement and participation;Bovaird, Tony;2007;PAR;"
        "doi:10.1111/J.1540-6210.2007.00773.X\n",
        encoding="cp1252",
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["format"] == "csv-literature" and rep["imported"] == 1
    (src,) = sources_in_order(ws)
    assert src.key == "bovaird2007"
    assert src.doi == "10.1111/j.1540-6210.2007.00773.x"
    assert src.title == "Beyond engagement and participation" and src.year == 2007


def test_survey_tables_are_not_literature(cli, ws):
    from review.ingest.formats import csv_literature

    for name in ("csps2013_benchmarks_20131125.csv", "qualcoder_survey456.csv"):
        path = data_file(f"survey/{name}")
        assert csv_literature.detect(path, path.read_bytes()) == 0


def test_web_of_science_tab_delimited_export(cli, ws, tmp_path):
    header = "PT\tAU\tAF\tTI\tSO\tDT\tDE\tAB\tPY\tVL\tIS\tBP\tEP\tDI\tUT\n"
    row = (
        "J\tBovaird, T; Loeffler, E\tBovaird, Tony; Loeffler, Elke\tActivating citizens\t"
        "JOURNAL OF SOCIAL POLICY\tArticle\tco-production; citizens\tAn abstract.\t2015\t44\t1\t"
        "1\t23\t10.1000/x.1\tWOS:000001\n"
    )
    path = tmp_path / "savedrecs.txt"
    path.write_bytes((header + row).encode("utf-16"))  # older WoS exports: UTF-16 with BOM
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["format"] == "csv-literature" and rep["imported"] == 1
    (src,) = sources_in_order(ws)
    assert src.database == "Web of Science" and src.kind == "article"
    assert src.authors == ["Bovaird, T", "Loeffler, E"]
    assert (src.pages, src.doi, src.venue) == ("1-23", "10.1000/x.1", "JOURNAL OF SOCIAL POLICY")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_tab_delimited_export_without_a_bom_is_literature(cli, ws, tmp_path, encoding):
    """The CSV reader refused any NUL byte without a BOM, though the decoder reads such text
    as UTF-16: the file was imported as one plain-text document instead of its records."""
    text = (
        "PT\tAU\tTI\tSO\tPY\tDI\tUT\n"
        "J\tBovaird, T\tActivating citizens\tJOURNAL OF SOCIAL POLICY\t2015\t10.1000/x.1\tWOS:1\n"
        "J\tParrado, S\tCorrelates of co-production\tIPMJ\t2013\t10.1000/x.2\tWOS:2\n"
    )
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(text.encode(encoding))
    res, rep = run_import(cli, ws, path)
    assert (rep["format"], rep["imported"], res.code) == ("csv-literature", 2, 0)
    assert [s.title for s in sources_in_order(ws)] == [
        "Activating citizens",
        "Correlates of co-production",
    ]
    assert any("read as UTF-16" in p["message"] for p in rep["problems"])


def test_pubmed_csv_export(cli, ws, tmp_path):
    path = tmp_path / "csv-coproducti-set.csv"
    path.write_text(
        "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,"
        "PMCID,NIHMS ID,DOI\n"
        '123,Co-production in health.,"Bovaird T, Van Ryzin GG, Loeffler E, Parrado S.",'
        '"J Ex. 2016;1:2.",Bovaird T,J Ex,2016,2016/01/01,,,10.1000/pm.1\n',
        encoding="utf-8",
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["imported"] == 1
    (src,) = sources_in_order(ws)
    assert src.database == "PubMed" and src.venue == "J Ex" and src.year == 2016
    assert src.authors == ["Bovaird, T", "Van Ryzin, GG", "Loeffler, E", "Parrado, S."]


def test_pubmed_csv_volume_issue_and_pages_come_from_its_citation_column(cli, ws, tmp_path):
    """Found walking issue 14: PubMed's CSV has no volume, issue or pages columns, only
    `Citation` ("BMJ Open. 2019 Jun 4;9(6):e026755. doi: …"), and they were left empty, so
    its records lacked the volume and first page that confirm a duplicate without a DOI."""
    path = tmp_path / "csv-coproducti-set.csv"
    path.write_text(
        "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,"
        "PMCID,NIHMS ID,DOI\n"
        '1,Co-production of health services.,"Smith J, Jones AB.","BMJ Open. 2019 Jun 4;9(6):'
        'e026755. doi: 10.1136/bmjopen-2018-026755.",Smith J,BMJ Open,2019,2019/06/06,,,\n'
        '2,Patient involvement.,"Lee K.","Health Expect. 2018 Oct;21(5):845-852. doi: 10.1111/'
        'hex.12676. Epub 2018 Mar 25.",Lee K,Health Expect,2018,2018/03/26,,,10.1111/hex.12676\n'
        '3,Pleurisy.,"Wyser C.","Chest. 1996;110:333-8.",Wyser C,Chest,1996,1996/01/01,,,\n'
        '4,Ahead of print.,"Park S.","Health Expect. 2024 Jan 5. doi: 10.1111/hex.13950. Online '
        'ahead of print.",Park S,Health Expect,2024,2024/01/06,,,10.1111/hex.13950\n',
        encoding="utf-8",
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["imported"] == 4
    got = [(s.volume, s.issue, s.pages) for s in sources_in_order(ws)]
    assert got == [("9", "6", "e026755"), ("21", "5", "845-852"), ("110", None, "333-8"),
                   (None, None, None)]  # fmt: skip


def test_entrytype_column_gives_the_kind(cli, ws, tmp_path):
    """bib-dedupe's and pandas' flattened BibTeX (`ID`, `ENTRYTYPE`, ...) and Zotero's types."""
    path = tmp_path / "records.csv"
    path.write_text(
        '"ID","ENTRYTYPE","title","author","year","booktitle","journal"\n'
        '"id_1","inproceedings","A conference paper","Deng, X.",2021,"HICSS",\n'
        '"id_2","article","A journal paper","Deng, X.",2021,,"MIS Quarterly"\n'
        '"id_3","incollection","A chapter","Deng, X.",2021,"A Book",\n'
        '"id_4","bookSection","A Zotero chapter","Deng, X.",2021,"A Book",\n'
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["imported"] == 4
    kinds = {s.key: s.kind for s in sources_in_order(ws)}
    assert kinds == {"id_1": "conference", "id_2": "article", "id_3": "chapter", "id_4": "chapter"}


def test_titles_an_export_wrapped_in_quotes_are_stored_without_them(cli, ws, tmp_path):
    """Found walking issue 14: 244 of the respiratory search's 1,988 titles came wrapped in
    double quotes (203) or with only the opening one, the rest cut off (41); the Library listed
    them as '"Corticosteroids in the …' and sorted them before every other title. A title that
    quotes something inside keeps its quotes."""
    from review.ingest.literature import unquote_title
    from tests.conftest import data_file

    res, rep = run_import(cli, ws, data_file("dedup/bibdedupe/respiratory/records_pre_merged.csv"))
    assert res.code == 0 and rep["imported"] == 1988
    titles = {s.key: s.title for s in sources_in_order(ws)}
    assert titles["id_0000035"].startswith("Corticosteroids in the treatment of tuberculous")
    assert titles["id_0000035"].endswith("randomized study")
    assert sum(t.startswith('"') for t in titles.values() if t) == 2  # quotes inside: kept
    assert unquote_title("\u201cA title\u201d") == "A title"
    assert unquote_title('"Don\'t ask me": the words of patients') == (
        '"Don\'t ask me": the words of patients'
    )
    assert unquote_title('Patients who said "no"') == 'Patients who said "no"'


def test_a_database_placeholder_for_a_missing_value_is_no_value(cli, ws, tmp_path):
    """Scopus writes "[No author name available]" and "[No abstract available]" where it has
    none, Web of Science "[Anonymous]". They were stored as an author (cite key
    'noauthornameavailable2018erratum', a reference-list entry "[No author name available]
    (2018)") and an abstract to screen (found by the import walk). A title in brackets,
    MEDLINE's translated "[Patient participation …]", stays."""
    scopus = tmp_path / "scopus.csv"
    scopus.write_bytes(
        b"\xef\xbb\xbf"
        + (
            b"Authors,Author full names,Author(s) ID,Title,Year,Source title,Volume,Issue,"
            b"Art. No.,DOI,Abstract,Document Type,Source,EID\r\n"
            b'"[No author name available]","[No author name available]",'
            b'"[No author id available]","Erratum: Effectiveness of co-produced mental health'
            b' services",2018,BMJ Open,8,12,e026755corr1,10.1136/bmjopen-2018-026755corr1,'
            b'"[No abstract available]",Erratum,Scopus,2-s2.0-85070000003\r\n'
            b'"Papadopoulos G.","Papadopoulos, Georgios (57000000001)",57000000001,'
            b'"[Patient participation in primary care: a qualitative study]",2017,'
            b"Arch Hell Med,45,3,,,,Article,Scopus,2-s2.0-85070000004\r\n"
        )
    )
    wos = tmp_path / "savedrecs.txt"
    wos.write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU [Anonymous]\n"
        "TI Co-production in public services\nSO PUBLIC MONEY & MANAGEMENT\nPY 2016\n"
        "VL 36\nBP 1\nEP 2\nUT WOS:000370000000009\nER\n\nEF\n"
    )
    res, rep = run_import(cli, ws, scopus)
    assert (rep["imported"], res.code) == (2, 0)
    res, rep = run_import(cli, ws, wos)
    assert (rep["format"], rep["imported"], res.code) == ("wos", 1, 0)
    erratum, translated, anonymous = sources_in_order(ws)
    assert (erratum.authors, erratum.abstract, erratum.key) == ([], None, "anon2018erratum")
    assert erratum.record["Authors"] == "[No author name available]"  # the file's, as written
    assert translated.title == "[Patient participation in primary care: a qualitative study]"
    assert translated.authors == ["Papadopoulos, Georgios"]
    assert anonymous.authors == [] and anonymous.record["AU"] == ["[Anonymous]"]
