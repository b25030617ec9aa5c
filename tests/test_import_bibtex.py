"""BibTeX import against real files from other projects (tests/data/vendor/bibtex, and
../shared/testdata/bibtex for the one we may not vendor)."""

from __future__ import annotations

import pytest

from tests.conftest import data_file
from tests.import_helpers import run_import, sources_by_key

pytestmark = pytest.mark.backends("sqlite", "postgres")

# file, records seen, imported, errors (records not imported): every record of every file
# lands; those without a title, authors, DOI or venue with a warning (issue 14)
EXPECTED = [
    ("bbt_873_quietly_discarded.bib", 988, 988, 0),
    ("biber_crossrefs.bib", 46, 46, 0),
    ("pybtex_xampl.bib", 36, 36, 0),
    ("bibtexparser_article_with_strings.bib", 1, 1, 0),
    ("bibtexparser_comments_spaces_and_declarations.bib", 1, 1, 0),
    ("bibtexparser_crossref_entries.bib", 14, 14, 0),
    ("bibtexparser_traps.bib", 1, 1, 0),
    ("bibtexparser_wrong.bib", 2, 2, 0),
    ("tidy_bibtex-field-error.bib", 2, 2, 0),
    ("tidy_orcid-russian-citations.bib", 7, 7, 0),
    ("tidy_php_string-var-with-special-char.bib", 1, 1, 0),
]


@pytest.mark.parametrize("name,records,imported,errors", EXPECTED)
def test_every_bibtex_file_imports_with_expected_counts(cli, ws, name, records, imported, errors):
    res, rep = run_import(cli, ws, data_file(f"bibtex/{name}"))
    assert rep["format"] == "bibtex"
    assert (rep["records"], rep["imported"]) == (records, imported)
    assert sum(p["severity"] == "error" for p in rep["problems"]) == errors
    assert res.code == (1 if errors else 0)
    assert len(sources_by_key(ws)) == imported
    for p in rep["problems"]:
        assert p["line"] is None or p["line"] >= 1


def test_duplicated_field_is_imported_with_a_warning_not_dropped(cli, ws, testdata):
    _, rep = run_import(cli, ws, testdata / "bibtex" / "bbt_873_quietly_discarded.bib")
    dup = [p for p in rep["problems"] if p["record"] == "BerleantKuipers:97"]
    assert dup and dup[0]["severity"] == "warning" and "keywords" in dup[0]["message"]
    assert dup[0]["line"] == 10301
    src = sources_by_key(ws)["BerleantKuipers:97"]
    assert src.title.startswith("Qualitative and quantitative simulation")
    assert src.record["duplicates"]["keywords"]  # the repeated values are kept
    assert len(src.keywords) > 1
    thin = [p for p in rep["problems"] if "nothing is lost" in p["message"]]
    assert thin[0]["record"] == "NguyenETAL:DiversityAIJ" and thin[0]["line"] == 9953
    assert thin[0]["severity"] == "warning" and "NguyenETAL:DiversityAIJ" in sources_by_key(ws)


def test_unknown_entry_type_is_reported_and_kept_as_misc(cli, ws, testdata):
    _, rep = run_import(cli, ws, testdata / "bibtex" / "bibtexparser_wrong.bib")
    msgs = [p["message"] for p in rep["problems"] if p["record"] == "foo"]
    assert any("unknown entry type @wrong" in msg for msg in msgs)
    got = sources_by_key(ws)
    assert got["foo"].kind == "misc" and got["bar"].kind == "article"
    assert got["foo"].authors == ["wrong"]


def test_records_without_title_or_authors_are_kept_with_a_warning(cli, ws, testdata):
    """Zotero and JabRef keep items that have only a note or a year; so do we (nothing lost)."""
    res, rep = run_import(cli, ws, testdata / "bibtex" / "tidy_bibtex-field-error.bib")
    assert res.code == 0 and rep["status"] == "imported" and rep["imported"] == 2
    warns = {(p["record"], p["message"][:8]): p for p in rep["problems"]}
    assert [(p["record"], p["line"]) for p in rep["problems"]] == [
        ("web:abc", 1),
        ("web:abc", 1),
        ("web:def", 5),
    ]
    assert {w["severity"] for w in warns.values()} == {"warning"}
    assert "no title, authors, DOI or venue" in warns["web:def", "no title"]["message"]
    # `year = 1234` is no year we read: it was dropped without a word (the import walk)
    assert warns["web:abc", "year '12"]["message"] == (
        "year '1234' holds no year 1500–2199: left empty (the record keeps it)"
    )
    assert sources_by_key(ws)["web:abc"].year is None
    got = sources_by_key(ws)
    assert got["web:abc"].record["fields"] == {"x": "{{1234}}", "year": "1234"}
    assert got["web:def"].record["fields"] == {"x": '"abcd"', "y": "{abcd}"}


def test_crossref_children_whose_parents_are_missing_all_land(cli, ws):
    res, rep = run_import(cli, ws, data_file("bibtex/biber_crossrefs.bib"))
    assert (rep["records"], rep["imported"]) == (46, 46) and res.code == 0
    thin = [p for p in rep["problems"] if "nothing is lost" in p["message"]]
    assert thin and all(p["severity"] == "warning" and p["line"] for p in thin)
    assert {p["record"] for p in thin} <= set(sources_by_key(ws))


def test_an_entry_with_no_fields_at_all_is_skipped_with_a_warning(cli, ws, tmp_path):
    path = tmp_path / "lib.bib"
    path.write_text(
        "@misc{empty,}\n@misc{note-only, note = {call the author}}\n"
        "@article{real, title = {Co-production}, author = {Bovaird, Tony}}\n"
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and (rep["records"], rep["imported"], rep["skipped"]) == (3, 2, 1)
    (empty,) = [p for p in rep["problems"] if p["record"] == "empty"]
    assert empty["severity"] == "warning" and "no fields at all" in empty["message"]
    assert set(sources_by_key(ws)) == {"note-only", "real"}


def test_strings_concatenation_months_and_accents(cli, ws, testdata):
    run_import(cli, ws, testdata / "bibtex" / "bibtexparser_article_with_strings.bib")
    src = sources_by_key(ws)["Cesar2013"]
    assert src.authors == ["César, Jean"]
    assert src.venue == "Nice Journal"
    assert (src.year, src.volume, src.pages) == (2013, "12", "12-23")
    assert src.keywords == ["keyword1", "keyword2"]
    # the original record keeps the raw values and the macros it used, for a round trip
    assert src.record["fields"]["author"] == 'jean # " " # cesar'
    assert src.record["macros"]["cesar"] == "{César}"
    assert src.record_format == "bibtex" and src.record["type"] == "article"


def test_latex_in_names_and_string_macros_decoded(cli, ws, testdata):
    run_import(cli, ws, testdata / "bibtex" / "tidy_php_string-var-with-special-char.bib")
    src = sources_by_key(ws)["BCDGV07TopologicalFree"]
    assert src.authors == [
        "Balbuena, Camino",
        "Cera, Martín",
        "Diánez, Ana",
        "García-Vázquez, Pedro",
    ]
    assert src.doi == "10.1016/j.disc.2006.07.031"
    assert src.pages == "1038-1046" and src.issue == "9-10"


def test_traps_braces_and_multiline_values(cli, ws, testdata):
    run_import(cli, ws, testdata / "bibtex" / "bibtexparser_traps.bib")
    src = sources_by_key(ws)["Laide2013"]
    assert src.title == "An amazing title"
    assert "Laidé" in src.authors[0]
    assert "\n" not in src.abstract and src.abstract.endswith("french érudit word")
    assert src.volume == "n.s. 2"  # ~ is a tie


def test_crossref_children_inherit_and_missing_parents_are_warnings(cli, ws, testdata):
    _, rep = run_import(cli, ws, testdata / "bibtex" / "bibtexparser_crossref_entries.bib")
    got = sources_by_key(ws)
    assert got["cr1"].venue == "Graphs of the Continent"  # parent title -> booktitle
    assert got["cr1"].year == 1974 and got["cr1"].kind == "chapter"
    assert got["cr1"].record["fields"]["CROSSREF"] == "{cr_m}"  # the record stays as written


def test_a_missing_crossref_parent_is_a_warning(cli, ws, shared):
    _, rep = run_import(cli, ws, shared / "bibtex" / "biber_crossrefs.bib")
    warn = [p for p in rep["problems"] if "missing1" in p["message"]]
    assert warn and warn[0]["severity"] == "warning" and warn[0]["record"] == "mcr"
    assert "mcr" in sources_by_key(ws)


def test_cyrillic_and_multiline_author_lists(cli, ws, testdata):
    run_import(cli, ws, testdata / "bibtex" / "tidy_orcid-russian-citations.bib")
    got = sources_by_key(ws)
    src = got["пучков2013предварительный"]
    assert len(src.authors) == 6 and src.authors[0] == "Пучков, АВ"
    assert got["nazarenko2011new"].authors == [
        "Nazarenko, V Yu",
        "Legalov, AA",
        "Perkovsky, EE",
    ]


def test_preamble_comments_and_string_title(cli, ws, testdata):
    name = "bibtexparser_comments_spaces_and_declarations.bib"
    res, rep = run_import(cli, ws, testdata / "bibtex" / name)
    assert res.code == 0 and rep["problems"] == []
    assert sources_by_key(ws)["Cesar2013"].title == "A great title"


def test_xampl_noopsort_year_and_mbox_venue(cli, ws, testdata):
    run_import(cli, ws, testdata / "bibtex" / "pybtex_xampl.bib")
    got = sources_by_key(ws)
    assert got["inbook-minimal"].year == 1973
    assert got["article-full"].venue == "G-Animal's Journal"
    assert got["article-full"].authors == ["Aamport, L[eslie] A."]


def test_sample_corpus_imports_cleanly(cli, ws):
    from pathlib import Path

    bib = Path(__file__).resolve().parents[1] / "corpus" / "literature" / "co-production.bib"
    res, rep = run_import(cli, ws, bib)
    assert res.code == 0 and rep["problems"] == [] and rep["imported"] == 8
    got = sources_by_key(ws)
    report = got["loeffler2008fast"]  # the indicators link to this key
    assert report.kind == "report" and report.year == 2008 and report.authors == ["Loeffler"]
    assert report.title.startswith("“If you want to go fast, walk alone.")
    assert "4,951 adults" in report.abstract and "(index score 45)" in report.abstract
    assert got["cassia-nd-citizens"].authors == ["Cassia, Fabio", "Magno, Francesca"]
    assert all(s.doi is None and s.pages is None for s in got.values())  # none invented


def test_a_string_defined_twice_keeps_the_first_and_warns(cli, ws, tmp_path):
    # Concatenated .bib files often repeat their @string blocks; this used to fail the file.
    path = tmp_path / "twice.bib"
    path.write_text(
        "@string{pmr = {Public Management Review}}\n"
        "@article{a, title = {First}, journal = pmr, year = 2014}\n"
        "@string{pmr = {Something Else}}\n"
        "@article{b, title = {Second}, journal = pmr, year = 2015}\n"
    )
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["status"] == "imported" and rep["imported"] == 2
    (warn,) = rep["problems"]
    assert warn["line"] == 3 and warn["severity"] == "warning" and "'pmr'" in warn["message"]
    got = sources_by_key(ws)
    assert got["a"].venue == got["b"].venue == "Public Management Review"


MENDELEY = r"""@book_section{Loeffler2016,
author = {Loeffler, Elke},
booktitle = {Co-production and co-creation},
title = {Co\hyphen{}production of public services},
year = {2016}
}
@web_page{OECD2011,
title = {Together for better public services},
url = {https://www.oecd.org/gov/together.htm},
year = {2011}
}
@generic{Bovaird2013,
author = {Bovaird, Tony},
title = {We're all in this together: user and community co\hyphen production},
year = {2013}
}
"""


def test_mendeley_entry_types_and_biblatex_commands(cli, ws, tmp_path):
    """Mendeley writes `@book_section`, `@web_page`, `@generic`; BibLaTeX `\\hyphen`."""
    path = tmp_path / "mendeley.bib"
    path.write_text(MENDELEY)
    res, rep = run_import(cli, ws, path)
    assert res.code == 0 and rep["imported"] == 3
    assert not [p for p in rep["problems"] if "unknown entry type" in p["message"]]
    got = sources_by_key(ws)
    assert got["Loeffler2016"].kind == "chapter"
    assert got["Loeffler2016"].title == "Co-production of public services"
    assert got["OECD2011"].kind == "web" and got["OECD2011"].url.startswith("https://")
    assert got["Bovaird2013"].kind == "misc"
    assert got["Bovaird2013"].title.endswith("user and community co-production")
    assert (
        got["Loeffler2016"].record["fields"]["title"]
        == r"{Co\hyphen{}production of public services}"
    )


def _nesting_by_every_brace(text: str, max_depth: int, max_line: int):
    """The reference: one step per brace and line break (the scan `check_nesting` replaced)."""
    depth, line, start = 0, 1, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            if i - start > max_line:
                return "line", line
            line, start = line + 1, i + 1
        elif ch == "{":
            depth += 1
            if depth > max_depth:
                return "depth", line
        elif ch == "}" and depth:
            depth -= 1
    if len(text) - start > max_line:
        return "line", line
    return None


def test_brace_and_line_check_finds_the_first_problem_as_a_scan_of_every_brace(monkeypatch):
    """Deep nesting and over-long lines are refused before bibtexparser sees them; the fast
    check must refuse exactly what a step-by-step scan refuses, naming the same line (stray
    "}" close nothing; an unclosed "{" counts for the rest of the file)."""
    import random

    from review.ingest.formats import bibtex
    from review.ingest.pipeline import ImportFailed

    monkeypatch.setattr(bibtex, "MAX_DEPTH", 4)
    monkeypatch.setattr(bibtex, "MAX_LINE", 12)
    rng = random.Random(14)
    outcomes = set()
    for _ in range(3000):
        text = "".join(rng.choice("{{}}\nab ") for _ in range(rng.randint(0, 60)))
        want = _nesting_by_every_brace(text, 4, 12)
        try:
            bibtex.check_nesting(text)
            got = None
        except ImportFailed as exc:
            got = ("depth" if "nested" in str(exc) else "line", exc.line)
        assert got == want, repr(text)
        outcomes.add(want[0] if want else None)
    assert outcomes == {None, "depth", "line"}  # every outcome was exercised


def test_records_of_another_format_pasted_into_a_bib_file_are_reported_not_lost(
    cli, ws, testdata, tmp_path
):
    """Found walking issue 14: an RIS export pasted after a BibTeX entry was read as a BibTeX
    comment — '1 of 1 records imported', exit 0, its two records gone without a word."""
    path = tmp_path / "mixed.bib"
    bib = (testdata / "bibtex" / "bibtexparser_traps.bib").read_text("utf-8")
    ris = (testdata / "ris" / "rispy_example_full.ris").read_text("utf-8")
    path.write_text(bib + ris, "utf-8")
    first = bib.count("\n") + 1 + ris.split("\n").index("TY  - JOUR")
    res, rep = run_import(cli, ws, path)
    assert res.code == 1
    assert (rep["status"], rep["records"], rep["imported"], rep["skipped"]) == ("partial", 3, 1, 2)
    (error,) = [p for p in rep["problems"] if p["severity"] == "error"]
    assert error["line"] == first
    assert "hold 2 RIS record(s), not BibTeX" in error["message"]
    # an ordinary comment between entries says nothing
    path.write_text(bib + "\nSome notes: TY and PMID are tags.\n" + bib.replace("Laide2013", "x"))
    _, rep = run_import(cli, ws, path)
    assert [p for p in rep["problems"] if p["severity"] == "error"] == []


_SCOPUS_BIB = """Scopus
EXPORT DATE: 02 December 2026

@ARTICLE{Bovaird2007846,
author={Bovaird, T.},
title={Beyond engagement and participation: User and community coproduction of public services},
journal={Public Administration Review},
year={2007},
volume={67},
number={5},
pages={846-860},
doi={10.1111/j.1540-6210.2007.00773.x},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-34548070456&partnerID=40&md5=abc},
document_type={Article},
source={Scopus},
}
"""
_WOS_BIB = """@article{ WOS:000249253600007,
Author = {Bovaird, Tony},
Title = {Beyond engagement and participation: User and community coproduction of
   public services},
Journal = {PUBLIC ADMINISTRATION REVIEW},
Year = {2007},
Volume = {67},
Number = {5},
Pages = {846-860},
DOI = {10.1111/j.1540-6210.2007.00773.x},
Unique-ID = {WOS:000249253600007},
DA = {2026-12-02},
}
"""


def test_scopus_and_web_of_science_bibtex_exports_name_their_database(cli, ws, tmp_path):
    """Found walking issue 14: BibTeX exported from Scopus (`source={Scopus}`) or from Web of
    Science (`Unique-ID = {WOS:…}`) was 'other / not recorded' in PRISMA's records identified
    per database; RIS, CSV and the tagged exports of the same searches named it."""
    scopus, wos = tmp_path / "scopus.bib", tmp_path / "savedrecs.bib"
    scopus.write_text(_SCOPUS_BIB, "utf-8")
    wos.write_text(_WOS_BIB, "utf-8")
    assert cli("-w", ws.root, "import", scopus, wos).code == 0
    got = {k: s.database for k, s in sources_by_key(ws).items()}
    assert got == {"Bovaird2007846": "Scopus", "WOS:000249253600007": "Web of Science"}
    doc = cli("-w", ws.root, "prisma", "--json").json()["identification"]
    assert doc["by_database"] == {"Scopus": 1, "Web of Science": 1}
    # a library without such fields (Zotero, Mendeley, JabRef) still says nothing
    plain = tmp_path / "mine.bib"
    plain.write_text(
        "@article{k, title={T}, author={A, B}, url={https://pubmed.ncbi.nlm.nih.gov/1/}}"
    )
    assert cli("-w", ws.root, "import", plain).code == 0
    assert sources_by_key(ws)["k"].database is None


SCOPUS_BIB = """Scopus
EXPORT DATE: 02 December 2026

@ARTICLE{Smith2019,
author={Smith, J.A. and Jones, P.},
title={Co-production of community mental health services: A mixed-methods evaluation},
journal={BMJ Open},
year={2019},
volume={9},
number={6},
doi={10.1136/bmjopen-2018-026755},
art_number={e026755},
author_keywords={co-production; mental health},
keywords={Humans, Mental Health Services},
document_type={Article},
source={Scopus},
}

@article{WOS:000471234500001,
Author = {Smith, Jane A. and Jones, Peter},
Title = {Co-production of community mental health services: a mixed-methods evaluation},
Journal = {BMJ OPEN},
Year = {2019},
Volume = {9},
Number = {6},
Article-Number = {e026755},
Keywords-Plus = {CARE},
Unique-ID = {WOS:000471234500001},
}
"""


def test_scopus_and_wos_article_numbers_and_author_keywords_are_read(cli, ws, tmp_path):
    """Scopus's `art_number` and Web of Science's `Article-Number` were not the pages, as
    the same databases' RIS, CSV and tagged exports make them, and `author_keywords` /
    `Keywords-Plus` were no keywords."""
    path = tmp_path / "scopus.bib"
    path.write_text(SCOPUS_BIB, "utf-8")
    res, rep = run_import(cli, ws, path)
    assert rep["imported"] == 2 and res.code == 0
    by_key = sources_by_key(ws)
    scopus, wos = by_key["Smith2019"], by_key["WOS:000471234500001"]
    assert (scopus.pages, scopus.database) == ("e026755", "Scopus")
    assert scopus.keywords == ["co-production", "mental health", "Humans", "Mental Health Services"]
    assert (wos.pages, wos.database, wos.keywords) == ("e026755", "Web of Science", ["CARE"])
    assert scopus.record["fields"]["art_number"] == "{e026755}"  # the file's own field kept
