"""Survey indicators: value parsing, long/wide CSV and XLSX, mapping, bad rows, links, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from review.evidence.indicators import parse_ci, parse_rows, parse_value, read_table
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "corpus" / "indicators" / "five-country-survey-2008.csv"


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("61", 61.0, None),
        ("58%", 58.0, "%"),
        ("0,58", 0.58, None),
        ("4,951", 4951.0, None),
        ("1.234,5", 1234.5, None),
        (" 12 ", 12.0, None),
        ("\u22123", -3.0, None),
        ("n/a", None, None),
        ("", None, None),
        (0.5, 0.5, None),
    ],
)
def test_parse_value(raw, value, unit):
    got, _, got_unit = parse_value(raw)
    assert got == value and got_unit == unit


def test_parse_value_rejects_text_and_ci_forms():
    with pytest.raises(ValueError):
        parse_value("about sixty")
    assert parse_ci("58-64") == (58.0, 64.0)
    assert parse_ci("[0,55; 0,61]") == (0.55, 0.61)
    assert parse_ci("58 – 64") == (58.0, 64.0)
    with pytest.raises(ValueError):
        parse_ci("64-58")


def test_sample_links_to_the_report_when_present(ws, cli):
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="loeffler2008fast", kind="report", title="If you want to go fast"))
    r = cli("-w", ws.root, "indicators", "import", SAMPLE, "--json")
    assert r.code == 0, r.err
    assert r.json()["files"][0]["imported"] == 3
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Indicator).order_by(m.Indicator.value)).all()
        src = s.exec(select(m.Source).where(m.Source.key == "loeffler2008fast")).one()
    assert [(i.sector, i.value, i.n, i.year) for i in rows] == [
        ("Community safety", 45.0, 4951, 2008),
        ("Public health", 52.0, 4951, 2008),
        ("Local environment", 61.0, 4951, 2008),
    ]
    assert {i.source_id for i in rows} == {src.id}
    assert "Czech Republic" in rows[0].area and "United Kingdom" in rows[0].area


def test_sample_warns_when_report_absent(ws, cli):
    r = cli("-w", ws.root, "indicators", "import", SAMPLE)
    assert r.code == 0
    assert "loeffler2008fast" in r.out and "not in the workspace" in r.out
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Indicator)).all()
    assert len(rows) == 3 and all(i.source_id is None for i in rows)
    # the key waits in its own column (it used to be appended to the note and parsed back)
    assert [i.pending_source for i in rows] == ["loeffler2008fast"] * 3
    assert all("loeffler2008fast" not in (i.note or "") for i in rows)


def test_csps_wide_table_with_cp1252_headers(testdata):
    path = testdata / "survey" / "csps2013_benchmarks_20131125.csv"
    res = parse_rows(read_table(path.read_bytes(), path.name))
    assert res.form == "wide"
    assert res.records == 108
    assert len(res.rows) == 108 * 5  # five year columns
    first = res.rows[0]
    assert (first.name, first.year, first.value, first.unit, first.value_text) == (
        "Employee engagement index", 2009, 58.0, "%", "58%")  # fmt: skip
    assert [r.name for r in res.rows if r.name.startswith("My work")][0] == "My work"  # trimmed
    ignored = [msg for _, msg, sev in res.problems if sev == "warning"]
    assert ignored and "Change from ’09 to ‘10" in ignored[0]  # cp1252 curly quotes decoded
    assert not [p for p in res.problems if p[2] == "error"]
    missing = [r for r in res.rows if r.value is None]
    assert missing and all(r.value_text == "n/a" for r in missing)


def test_long_semicolon_decimal_comma_and_bad_rows():
    text = (
        "Indicator ;Sector;Year;Value;N;95% CI\n"
        "Trust in council;Local environment;2019;0,58;1200;0,55-0,61\n"
        "Trust in council;Public health;2019;abc;1200;\n"
        ";Public health;2019;12;;\n"
        "Trust in council;Community safety;twenty;40;;\n"
    ).encode("cp1252")
    res = parse_rows(read_table(text, "t.csv"))
    assert [(r.value, r.n, r.ci_low, r.ci_high) for r in res.rows] == [(0.58, 1200, 0.55, 0.61)]
    errors = {row: msg for row, msg, sev in res.problems if sev == "error"}
    assert set(errors) == {3, 4, 5}
    assert "'abc' is not a number" in errors[3]
    assert "no indicator name" in errors[4]
    assert "twenty" in errors[5]


def test_mapping_for_unrecognised_headers_and_fixed_values():
    table = [["Thing", "Pct", "Land"], ["Volunteering", "23%", "Denmark"]]
    res = parse_rows(table)
    assert not res.rows and "no indicator column" in res.problems[0][1]
    res = parse_rows(
        table, {"Thing": "indicator", "Pct": "value", "Land": "country"}, {"year": "2008"}
    )
    row = res.rows[0]
    assert (row.name, row.value, row.area, row.year) == ("Volunteering", 23.0, "Denmark", 2008)


def test_countries_as_columns():
    table = [["Indicator", "Denmark", "France", "Notes col"], ["Index", "61", "n/a", "x"]]
    res = parse_rows(table)
    assert res.form == "wide"
    assert [(r.area, r.value) for r in res.rows] == [("Denmark", 61.0), ("France", None)]


def test_xlsx_long_and_wide(tmp_path, ws, cli):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Indicator", "Sector", "2008", "2009"])
    sh.append(["Co-production index", "Public health", 52, "53%"])
    sh.append(["Co-production index", "Community safety", 45, "bad"])
    sh.append(["Share volunteering", "Local environment", 0.58, 0.6])
    sh["C4"].number_format = "0%"  # shown as 58% in Excel, stored as 0.58
    sh["D4"].number_format = "0.0%"
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    r = cli("-w", ws.root, "import", tmp_path, "--json")  # detected by headers
    assert r.code == 1  # one bad cell reported
    f = r.json()["files"][0]
    assert f["format"] == "indicators" and f["imported"] == 5
    assert any(p["line"] == 3 and "'bad'" in p["message"] for p in f["problems"])
    with session_scope(ws.engine) as s:
        share = s.exec(select(m.Indicator).where(m.Indicator.name == "Share volunteering")).all()
    assert sorted((i.year, i.value, i.unit, i.value_text) for i in share) == [
        (2008, 58.0, "%", "58%"), (2009, 60.0, "%", "60%")]  # fmt: skip


def test_cli_mapping_file_and_strict(tmp_path, ws, cli):
    data = tmp_path / "odd.csv"
    data.write_text("Thing,Pct\nVolunteering,23%\nGiving,oops\n", "utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('# headers\nThing = "indicator"\nPct = "value"\n', "utf-8")
    r = cli("-w", ws.root, "indicators", "import", data, "--mapping", mapping, "--strict")
    assert r.code == 1 and "oops" in r.err
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Indicator)).all() == []  # --strict: nothing kept
    r = cli("-w", ws.root, "indicators", "import", data, "--map", "Thing=indicator", "--map",
            "Pct=value", "--set", "sector=Public health", "--json")  # fmt: skip
    assert r.code == 1 and r.json()["files"][0]["imported"] == 1
    r = cli("-w", ws.root, "indicators", "list", "--json")
    (ind,) = r.json()["indicators"]
    assert (ind["name"], ind["value"], ind["sector"]) == ("Volunteering", 23.0, "Public health")


def test_link_unlink_list(ws, cli):
    with session_scope(ws.engine) as s:
        four = m.Code(name="Four Cs", codable=False)
        s.add(four)
        s.flush()
        code = m.Code(name="Co-delivery", parent_id=four.id)
        src = m.Source(key="t1", kind="transcript", text="We pick litter together.")
        s.add_all([code, src])
        s.flush()
        coding = m.Coding(source_id=src.id, code_id=code.id, start=3, end=14, quote="pick litter")
        s.add(coding)
        s.flush()
        coding_id = coding.id
    cli("-w", ws.root, "indicators", "import", SAMPLE)
    r = cli("-w", ws.root, "indicators", "link", "co-production @ environment", "--code",
            "Four Cs/Co-delivery", "--note", "litter picks", "--json")  # fmt: skip
    assert r.code == 0, r.err
    first = r.json()
    assert first["relation"] == "supports" and first["note"] == "litter picks"
    r = cli("-w", ws.root, "indicators", "link", "1", "--coding", coding_id, "-r", "explains")
    assert r.code == 0, r.err
    r = cli("-w", ws.root, "indicators", "list", "1", "--json")
    links = r.json()["links"]
    assert [(ln["code"], ln["relation"], ln["quote"]) for ln in links] == [
        ("Four Cs/Co-delivery", "supports", None),
        ("Four Cs/Co-delivery", "explains", "pick litter"),
    ]
    r = cli("-w", ws.root, "indicators", "link", "1", "--code", "Co-delivery", "-r", "bogus")
    assert r.code == 2 and "relation must be one of" in r.err
    r = cli("-w", ws.root, "indicators", "link", "co-production", "--code", "Co-delivery")
    assert r.code == 1 and "3 indicators match" in r.err
    r = cli("-w", ws.root, "indicators", "unlink", str(first["id"]))
    assert r.code == 0
    r = cli("-w", ws.root, "indicators", "list", "--links", "--json")
    assert [ln["relation"] for ln in r.json()["links"]] == ["explains"]
    r = cli("-w", ws.root, "indicators", "unlink", "999")
    assert r.code == 1 and "no evidence link 999" in r.err


def test_relink_after_the_literature_arrives(ws, cli):
    cli("-w", ws.root, "indicators", "import", SAMPLE)
    r = cli("-w", ws.root, "brief", "--format", "md", "-o", ws.root / "out")
    assert "loeffler2008fast (not imported)" in (ws.root / "out" / "brief.md").read_text("utf-8")
    r = cli("-w", ws.root, "indicators", "relink", "--json")
    assert r.code == 0 and r.json()["linked"] == []
    with session_scope(ws.engine) as s:
        s.add(
            m.Source(key="loeffler2008fast", kind="report", authors=["Loeffler, Elke"], year=2008)
        )
    r = cli("-w", ws.root, "indicators", "relink", "--json")
    assert [x["source"] for x in r.json()["linked"]] == ["loeffler2008fast"] * 3
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Indicator)).all()
    assert all(i.source_id is not None for i in rows)
    assert all("not in workspace" not in (i.note or "") for i in rows)
    assert all(i.pending_source is None for i in rows)
    assert rows[0].note.startswith("Representative telephone survey")


def test_negative_sample_size_is_a_bad_row():
    """QA: `n=-5` was stored as a sample size; it is a typo or a shifted column."""
    table = [
        ["Indicator", "Year", "Value", "N"],
        ["Trust", "2019", "61", "-5"],
        ["Trust", "2020", "62", "900"],
    ]
    res = parse_rows(table)
    assert [(r.year, r.n) for r in res.rows] == [(2020, 900)]
    assert [(row, sev) for row, _, sev in res.problems] == [(2, "error")]
    assert "'-5'" in res.problems[0][1]


def test_linking_again_without_a_note_keeps_the_note(ws, cli):
    """QA: re-linking the same code (e.g. to change the relation) erased the link's note."""
    with session_scope(ws.engine) as s:
        s.add(m.Code(name="Co-delivery"))
    cli("-w", ws.root, "indicators", "import", SAMPLE)
    r = cli("-w", ws.root, "indicators", "link", "1", "--code", "Co-delivery", "--note", "why")
    assert r.code == 0, r.err
    r = cli("-w", ws.root, "indicators", "link", "1", "--code", "Co-delivery", "-r", "context")
    assert r.code == 0, r.err
    links = cli("-w", ws.root, "indicators", "list", "--links", "--json").json()["links"]
    assert [(ln["relation"], ln["note"]) for ln in links] == [("context", "why")]
    r = cli("-w", ws.root, "indicators", "link", "1", "--code", "Co-delivery", "--note", "new")
    links = cli("-w", ws.root, "indicators", "list", "--links", "--json").json()["links"]
    assert [(ln["relation"], ln["note"]) for ln in links] == [("supports", "new")]


def test_unknown_option_fields_and_broken_mapping_files_are_usage_errors(ws, cli, tmp_path):
    """QA: --set colour=red was dropped silently, --set country=X ignored, --map X=bogus
    failed inside the import, and a broken JSON or UTF-16 mapping file was a traceback."""
    table = tmp_path / "t.csv"
    table.write_text("Thing,Pct\nVolunteering,23%\n", "utf-8")
    w = ("-w", ws.root, "indicators", "import", table)
    r = cli(*w, "--map", "Thing=indicator", "--map", "Pct=value", "--set", "colour=red")
    assert r.code == 2 and "--set field 'colour'" in r.err
    r = cli(*w, "--map", "Thing=bogus")
    assert r.code == 2 and "--map target 'bogus'" in r.err and "could not import" not in r.err
    broken = tmp_path / "map.json"
    broken.write_text("{bad", "utf-8")
    r = cli(*w, "--mapping", broken)
    assert r.code == 2 and "not a JSON object" in r.err
    utf16 = tmp_path / "map.txt"
    utf16.write_text("Thing = indicator\nPct = value\n", "utf-16")
    r = cli(*w, "--mapping", utf16, "--set", "country=Denmark", "--set", "year=2008", "--json")
    assert r.code == 0, r.err
    rows = cli("-w", ws.root, "indicators", "list", "--json").json()["indicators"]
    assert [(i["name"], i["area"], i["year"], i["value"]) for i in rows] == [
        ("Volunteering", "Denmark", 2008, 23.0)
    ]


def test_a_wrong_sheet_fails_cleanly_and_the_right_one_still_imports(ws, cli, tmp_path):
    """QA: --sheet Nope was 'could not import: UsageError: …'; the file then imports with the
    right sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["Indicator", "Year", "Value"])
    wb.active.append(["Volunteering", 2019, "23%"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    w = ("-w", ws.root, "indicators", "import", path)
    r = cli(*w, "--sheet", "Nope", "--json")
    assert r.code == 1
    problems = r.json()["files"][0]["problems"]
    assert "no sheet 'Nope' (sheets: Data)" in problems[0]["message"]
    assert "UsageError" not in problems[0]["message"]
    r = cli(*w, "--sheet", "Data", "--json")
    assert r.code == 0 and r.json()["files"][0]["imported"] == 1


def test_a_file_that_imported_nothing_can_be_retried_and_another_sheet_is_new(ws, cli, tmp_path):
    """A failed read (a --set typo, no indicator column) must not block the corrected retry,
    and a second sheet of the same workbook is a new import, not 'already imported'."""
    from openpyxl import Workbook

    data = tmp_path / "m2.csv"
    data.write_text("Indicator,Value\nVolunteering,23%\n", "utf-8")
    w = ("-w", ws.root, "indicators", "import", data)
    r = cli(*w, "--set", "year=abc", "--json")
    assert r.code == 1 and r.json()["files"][0]["imported"] == 0
    r = cli(*w, "--set", "year=2008", "--json")
    assert r.code == 0 and r.json()["files"][0]["imported"] == 1
    r = cli(*w, "--set", "year=2008", "--json")
    assert r.json()["files"][0]["status"] == "unchanged"  # the same read again adds nothing

    wb = Workbook()
    wb.active.title = "Safety"
    wb.active.append(["Indicator", "Value"])
    wb.active.append(["Patrols", "12"])
    wb.create_sheet("Health").append(["Indicator", "Value"])
    wb["Health"].append(["Walks", "30"])
    book = tmp_path / "book.xlsx"
    wb.save(book)
    for sheet in ("Safety", "Health"):
        r = cli("-w", ws.root, "indicators", "import", book, "--sheet", sheet, "--json")
        assert r.code == 0 and r.json()["files"][0]["imported"] == 1, r.out
    with session_scope(ws.engine) as s:
        names = sorted(i.name for i in s.exec(select(m.Indicator)).all())
    assert names == ["Patrols", "Volunteering", "Walks"]
