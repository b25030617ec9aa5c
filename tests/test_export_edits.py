"""An analyst's edit survives an export in the record's own format.

Found by a new user: `review sources edit` changed a title, year and abstract, `review export
bibtex` showed them, `review export ris` of the same RIS-born record printed the file's
originals — and the other way round for a BibTeX-born one. Records are written back from the
file's own fields and tags, so a changed column must replace its field or tag there."""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope
from review.store.records import EDITED, edited, original_record
from tests.import_helpers import run_import

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _tags(text: str) -> list[tuple[str, str]]:
    return [(ln[:2], ln[6:]) for ln in text.splitlines() if ln[2:6] == "  - "]


def _export(cli, ws, what: str, tmp_path, key: str) -> str:
    out = tmp_path / f"out.{what}"
    res = cli("-w", ws.root, "export", what, "-o", out, "--key", key)
    assert res.code == 0, res.err
    return out.read_text("utf-8")


def test_edited_ris_record_exports_the_edit_under_the_files_own_tags(cli, ws, testdata, tmp_path):
    run_import(cli, ws, testdata / "ris" / "rispy_example_empty_tag.ris")
    with session_scope(ws.engine) as s:
        key = s.exec(select(m.Source.key)).one()
    before = _tags(_export(cli, ws, "ris", tmp_path, key))
    res = cli("-w", ws.root, "sources", "edit", key, "--title", "Edited title",
              "--set", "abstract=Edited abstract.", "--set", "year=2021")  # fmt: skip
    assert res.code == 0, res.err
    after = _tags(_export(cli, ws, "ris", tmp_path, key))
    # the file's synonyms (T1, Y1, N2) keep their place and name; only their values change
    edits = {"T1": "Edited title", "Y1": "2021", "N2": "Edited abstract."}
    assert after == [(t, edits.get(t, v)) for t, v in before]
    assert all(not t.startswith("_") for t, _ in after)
    with session_scope(ws.engine) as s:
        src = s.exec(select(m.Source)).one()
        # the stored record is still the file's (the abstract's reference put back first)
        assert edited(src.record) == {"title", "year", "abstract"}
        original = original_record(src.record, src.abstract)
        assert EDITED not in original and original["T1"][0].startswith("Outcome Measures")
        assert original["N2"][0].startswith("Background:")


def test_edited_bibtex_record_exports_the_edit_and_keeps_its_raw_fields(
    cli, ws, testdata, tmp_path
):
    run_import(cli, ws, testdata / "bibtex" / "bibtexparser_article_with_strings.bib")
    unedited = _export(cli, ws, "bibtex", tmp_path, "Cesar2013")
    res = cli("-w", ws.root, "sources", "edit", "Cesar2013", "--title", "An edited title",
              "--set", "abstract=Added by the analyst.", "--set", "year=2014")  # fmt: skip
    assert res.code == 0, res.err
    text = _export(cli, ws, "bibtex", tmp_path, "Cesar2013")
    want = (
        unedited.replace("title = {An amazing title}", "title = {An edited title}")
        .replace("year = {2013}", "year = {2014}")
        .replace(
            "keyword = {keyword1, keyword2}\n}",
            "keyword = {keyword1, keyword2},\n  abstract = {Added by the analyst.}\n}",
        )  # fmt: skip
    )
    assert text == want and want != unedited
    assert 'author = jean # " " # cesar' in text and "@string{cesar = {César}}" in text


def test_an_emptied_column_drops_its_tag_and_unedited_records_are_untouched(
    cli, ws, testdata, tmp_path
):
    run_import(cli, ws, testdata / "ris" / "jabref_RisImporterTestScopus.ris")
    run_import(cli, ws, testdata / "ris" / "rispy_example_empty_tag.ris")
    with session_scope(ws.engine) as s:
        keys = sorted(s.exec(select(m.Source.key)).all())
    other = next(k for k in keys if k != "federico2004transversely")
    before = _export(cli, ws, "ris", tmp_path, other)
    res = cli("-w", ws.root, "sources", "edit", "federico2004transversely", "--set", "volume=")
    assert res.code == 0, res.err
    tags = _tags(_export(cli, ws, "ris", tmp_path, "federico2004transversely"))
    assert "VL" not in dict(tags) and dict(tags)["IS"] == "10"
    assert _export(cli, ws, "ris", tmp_path, other) == before


def test_only_a_change_of_a_stored_source_marks_a_column(ws):
    """Building a source names nothing; setting a column to its own value names nothing; a
    change (a merge taking a DOI, say) names that column once."""
    with session_scope(ws.engine) as s:
        src = m.Source(key="k1", kind="article", title="T", record={"TY": ["JOUR"]},
                       record_format="ris")  # fmt: skip
        s.add(src)
    with session_scope(ws.engine) as s:
        src = s.exec(select(m.Source).where(m.Source.key == "k1")).one()
        assert edited(src.record) == set()
        src.title = "T"
        src.doi = "10.1/x"
        src.doi = "10.1/y"
    with session_scope(ws.engine) as s:
        src = s.exec(select(m.Source).where(m.Source.key == "k1")).one()
        assert src.record[EDITED] == ["doi"]
