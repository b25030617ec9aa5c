"""The pure helpers: LaTeX decoding, names, DOIs, years, cite keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.ingest.literature import (
    latex_to_unicode,
    make_key,
    normalise_doi,
    parse_year,
    split_bibtex_authors,
    split_name_list,
)


@pytest.mark.parametrize(
    "raw,want",
    [
        (r"Laid{\'e}", "Laidé"),
        (r"Erd{\H{o}}s", "Erdős"),
        (r"Mart{\'{\i}}n", "Martín"),
        (r"Va{\v{s}}ek", "Vašek"),
        (r"Fran\c{c}ois \& Co", "François & Co"),
        (r"{\O}ystein {\ss}", "Øystein ß"),
        (r"G\"{o}del \emph{and} \textbf{Escher}", "Gödel and Escher"),
        (r"pages 12--15 --- and ``quoted''", "pages 12–15 — and “quoted”"),
        (r"$\alpha$-helix", "α-helix"),
        ("{An} amazing {title}", "An amazing title"),
        ("plain text, untouched", "plain text, untouched"),
    ],
)
def test_latex_to_unicode(raw, want):
    assert latex_to_unicode(raw) == want


@given(st.text(alphabet=st.characters(blacklist_characters="\\{}~$-"), max_size=50))
def test_text_without_latex_only_has_whitespace_tidied(text):
    assert latex_to_unicode(text) == " ".join(text.split())


def test_bibtex_names():
    assert split_bibtex_authors(
        "Ludwig van Beethoven and {World Health Organization} and\n de la Fontaine, Jean"
        " and Smith, Jr, John and others"
    ) == [
        "van Beethoven, Ludwig",
        "World Health Organization",
        "de la Fontaine, Jean",
        "Smith, John, Jr",
    ]
    assert split_bibtex_authors("{Barnes and Noble}") == ["Barnes and Noble"]
    assert split_bibtex_authors('Elke L{\\"o}ffler AND Tony Bovaird') == [
        "Löffler, Elke",
        "Bovaird, Tony",
    ]


def test_name_lists():
    assert split_name_list("Smith J., Doe A.B., Roe C.") == ["Smith, J.", "Doe, A.B.", "Roe, C."]
    assert split_name_list("Smith, John; Doe, Anne") == ["Smith, John", "Doe, Anne"]
    assert split_name_list("Loeffler E") == ["Loeffler, E"]


@pytest.mark.parametrize(
    "raw,want",
    [
        ("https://doi.org/10.1000/ABC", "10.1000/abc"),
        ("doi:10.1000/xyz.", "10.1000/xyz"),
        ("http://dx.doi.org/10.1000%2Fxyz", "10.1000/xyz"),
        ("10.1186/s40981-020-0316-0 [doi]", "10.1186/s40981-020-0316-0"),
        ("DOI 10.1002/(SICI)1097-0258", "10.1002/(sici)1097-0258"),
        ("not a doi", None),
        ("", None),
    ],
)
def test_normalise_doi(raw, want):
    assert normalise_doi(raw) == want


def test_years_and_keys():
    assert parse_year("2011///") == 2011
    assert parse_year("{\\noopsort{1973b}}1973") == 1973
    assert parse_year("May 2008") == 2008 and parse_year("n.d.") is None
    assert make_key(["Løffler, Elke"], 2008, "If you want to go fast") == "loffler2008want"
    assert make_key([], None, None, "10.1000/ABC") == "doi:10-1000-abc"
    assert make_key([], 2014, "Bringing the power of the citizen") == "anon2014bringing"


_WORD = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FF),
    min_size=1,
    max_size=10,
).filter(lambda w: w.lower() not in ("and", "others"))  # BibTeX name separators, by design
_TITLE = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)
_NAME = st.tuples(_WORD, _WORD).map(lambda p: f"{p[0].capitalize()}, {p[1].capitalize()}")
_RECORDS = st.lists(
    st.tuples(_TITLE, st.lists(_NAME, min_size=1, max_size=5)), min_size=1, max_size=8
)


@settings(deadline=None)
@given(_RECORDS)
def test_ris_written_then_parsed_keeps_titles_and_authors(records):
    from review.ingest.formats import ris

    text = "".join(
        "TY  - JOUR\n"
        + f"TI  - {title}\n"
        + "".join(f"AU  - {a}\n" for a in authors)
        + "ER  - \n\n"
        for title, authors in records
    )
    parsed, problems = ris.parse(text)
    assert problems == []
    got = [(ris.normalise(p["tags"])["title"], ris.normalise(p["tags"])["authors"]) for p in parsed]
    assert got == [(t, [" ".join(a.split()) for a in au]) for t, au in records]


@settings(deadline=None)
@given(_RECORDS)
def test_bibtex_written_then_parsed_keeps_titles_and_authors(records):
    from review.ingest.formats import bibtex

    text = "".join(
        f"@article{{k{i},\n  title = {{{title}}},\n  author = {{{' and '.join(authors)}}},\n}}\n"
        for i, (title, authors) in enumerate(records)
    )
    rows, problems = bibtex.parse(text)
    assert [p for p in problems if p[2] == "error"] == []
    assert [(r["title"], r["authors"]) for r in rows] == [(t, au) for t, au in records]
