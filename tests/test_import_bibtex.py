"""BibTeX import against real files from other projects (tests/data/vendor/bibtex, and
../shared/testdata/bibtex for the one we may not vendor)."""

from __future__ import annotations

import pytest

from tests.conftest import data_file
from tests.import_helpers import run_import, sources_by_key

# file, records seen, imported, errors (records not imported)
EXPECTED = [
    ("bbt_873_quietly_discarded.bib", 988, 987, 1),
    ("biber_crossrefs.bib", 46, 35, 11),
    ("pybtex_xampl.bib", 36, 34, 2),
    ("bibtexparser_article_with_strings.bib", 1, 1, 0),
    ("bibtexparser_comments_spaces_and_declarations.bib", 1, 1, 0),
    ("bibtexparser_crossref_entries.bib", 14, 14, 0),
    ("bibtexparser_traps.bib", 1, 1, 0),
    ("bibtexparser_wrong.bib", 2, 2, 0),
    ("tidy_bibtex-field-error.bib", 2, 0, 2),
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
    missing = [p for p in rep["problems"] if p["severity"] == "error"]
    assert missing[0]["record"] == "NguyenETAL:DiversityAIJ" and missing[0]["line"] == 9953


def test_unknown_entry_type_is_reported_and_kept_as_misc(cli, ws, testdata):
    _, rep = run_import(cli, ws, testdata / "bibtex" / "bibtexparser_wrong.bib")
    msgs = [p["message"] for p in rep["problems"] if p["record"] == "foo"]
    assert any("unknown entry type @wrong" in msg for msg in msgs)
    got = sources_by_key(ws)
    assert got["foo"].kind == "misc" and got["bar"].kind == "article"
    assert got["foo"].authors == ["wrong"]


def test_records_without_title_or_authors_are_reported_with_their_lines(cli, ws, testdata):
    res, rep = run_import(cli, ws, testdata / "bibtex" / "tidy_bibtex-field-error.bib")
    assert res.code == 1 and rep["status"] == "partial"
    errs = {p["record"]: p for p in rep["problems"]}
    assert errs["web:abc"]["line"] == 1 and errs["web:def"]["line"] == 5
    assert "nothing identifies" in errs["web:def"]["message"]


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
