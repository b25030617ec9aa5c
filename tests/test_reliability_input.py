"""Issue 15, item 2: every failure an input can cause is a message naming the file and why;
only a bug is "internal error … (details in LOG)". Real files, damaged the way the fuzzer
damaged them."""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
from pathlib import Path

import pytest

from review.importers import import_file, import_paths
from review.ingest import pipeline
from review.ingest.textio import decode, read_text

REPO = Path(__file__).resolve().parent.parent
DOCX = REPO / "corpus" / "transcripts" / "fg3_public_health.docx"
RIS = REPO / "tests" / "data" / "vendor" / "ris" / "rispy_example_full.ris"
CSV_INDICATORS = REPO / "corpus" / "indicators" / "five-country-survey-2008.csv"


def test_a_bom_then_one_bad_byte_decodes_the_rest_and_says_where():
    data = codecs.BOM_UTF8 + "Café “quoted” ".encode() + b"\x96 dash\n"
    d = decode(data)
    assert d.text == "Café “quoted” – dash\n"
    where = len(codecs.BOM_UTF8) + len("Café “quoted” ".encode())
    assert d.notice == (
        f"not valid UTF-8 at byte {where} (after a UTF-8 byte-order mark): "
        "the bad bytes read as cp1252"
    )
    # UTF-16 with an odd last byte, and UTF-16 without a BOM: U+FFFD, never an exception
    assert (
        "not valid UTF-16 at byte 12"
        in decode(codecs.BOM_UTF16_LE + "hello".encode("utf-16-le") + b"x").notice
    )
    assert read_text(b"\xff\xfeab\x00").notice  # the fuzzer's 5-byte odd UTF-16 file
    assert decode(b"plain").notice is None


def test_a_real_ris_file_with_a_bom_and_a_bad_byte_imports_with_a_warning(ws, tmp_path):
    raw = RIS.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    cut = raw.index(b"T1  - ") + 10
    bad = tmp_path / "scopus.ris"
    bad.write_bytes(codecs.BOM_UTF8 + raw[:cut] + b"\x96" + raw[cut:])
    report = import_file(ws.engine, bad)
    assert report.status == "imported" and report.imported == 2  # every record, not 0
    (notice,) = [p for p in report.problems if "byte-order mark" in p.message]
    assert notice.severity == "warning" and f"at byte {cut + 3:,}" in notice.message


def _docx_with_negative_seek() -> bytes:
    """The fuzzer's "negative seek value": the end record's directory offset made huge."""
    data = bytearray(DOCX.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    size = struct.unpack_from("<I", data, end + 12)[0]
    struct.pack_into("<I", data, end + 12, size + 10_000_000)
    return bytes(data)


@pytest.mark.parametrize(
    "damage",
    [
        _docx_with_negative_seek,
        lambda: DOCX.read_bytes()[: len(DOCX.read_bytes()) // 2],  # truncated
        lambda: DOCX.read_bytes().replace(b"word/document.xml", b"word/documenX.xml"),
    ],
)
def test_a_damaged_docx_is_a_problem_with_a_reason(ws, tmp_path, damage):
    path = tmp_path / "fg.docx"
    path.write_bytes(damage())
    report = import_file(ws.engine, path)
    assert report.status == "failed"
    (problem,) = report.problems
    assert problem.file == str(path)
    assert "internal error" not in problem.message and ".docx" in problem.message


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def test_a_damaged_or_inflating_xlsx_is_a_problem_with_a_reason(ws, tmp_path):
    rows = [["indicator", "sector", "value"], ["satisfaction", "health", 52]]
    good = _xlsx(rows)
    broken = _rezip(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c>"})
    bomb = _rezip(good, {"xl/worksheets/sheet1.xml": b" " * (40 << 20)})  # 40 MB of spaces
    assert len(bomb) < 200_000
    for name, data in (("broken.xlsx", broken), ("bomb.xlsx", bomb)):
        path = tmp_path / name
        path.write_bytes(data)
        report = import_file(ws.engine, path, fmt=_format("indicators"))
        assert report.status == "failed", name
        (problem,) = report.problems
        assert "internal error" not in problem.message
        assert ".xlsx" in problem.message, problem.message
    assert "zip bomb" in report.problems[0].message


def _format(name: str) -> pipeline.Format:
    from review.importers import formats

    return next(f for f in formats() if f.name == name)


def test_a_detector_that_raises_does_not_stop_a_folder_import(ws, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.ris").write_bytes(RIS.read_bytes())
    (folder / "b.csv").write_bytes(CSV_INDICATORS.read_bytes())
    (folder / "odd.txt").write_bytes(b"\xff\xfeab\x00")  # the fuzzer's 5-byte odd UTF-16

    def boom(path, data):
        if path.name == "odd.txt":
            raise UnicodeDecodeError("utf-16", data, 4, 5, "truncated data")
        return 0

    from review.importers import formats

    candidates = (*formats(), pipeline.Format("boom", boom, lambda ctx: None))
    reports = pipeline.import_paths(ws.engine, [folder], candidates)
    by_name = {Path(r.file).name: r for r in reports}
    assert by_name["a.ris"].ok and by_name["b.csv"].ok
    assert by_name["a.ris"].imported > 0 and by_name["b.csv"].imported > 0
    assert "odd.txt" in by_name  # imported with a warning or reported, as a file of its own
    assert all("internal error" not in str(p) for r in reports for p in r.problems)


def test_the_cli_folder_import_with_an_odd_utf16_file_imports_the_rest(cli, ws, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.ris").write_bytes(RIS.read_bytes())
    (folder / "b.csv").write_bytes(CSV_INDICATORS.read_bytes())
    (folder / "odd.ris").write_bytes(b"\xff\xfeT\x00Y")
    r = cli("-w", ws.root, "import", folder)
    assert r.code in (0, 1) and "Traceback" not in r.err and "internal error" not in r.err
    assert "Invalid value" not in r.err
    assert "a.ris: ris: imported" in r.out and "b.csv: indicators: imported" in r.out


def test_an_undecodable_file_name_in_a_folder_is_reported_and_the_rest_import(ws, tmp_path):
    import os

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.ris").write_bytes(RIS.read_bytes())
    try:
        odd = os.path.join(os.fsencode(folder), b"caf\xe9.ris")
        with open(odd, "wb") as fh:
            fh.write(RIS.read_bytes().replace(b"T1  - ", b"T1  - Other "))
    except OSError:
        pytest.skip("this file system refuses undecodable names")
    reports = import_paths(ws.engine, [folder])
    assert len(reports) == 2 and all(r.status in ("imported", "partial") for r in reports)
    assert any("caf\ufffd.ris" in r.file for r in reports)


def test_a_broken_link_and_a_pipe_say_what_they_are(ws, tmp_path):
    """Both said "no such file or folder" when named, and a broken link in a folder (an
    export moved away) was skipped without a word; the rest of the folder still imports."""
    import os

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.ris").write_bytes(RIS.read_bytes())
    (folder / "moved.ris").symlink_to(tmp_path / "gone.ris")
    pipe = tmp_path / "pipe.ris"
    os.mkfifo(pipe)
    reports = {Path(r.file).name: r for r in import_paths(ws.engine, [folder, pipe])}
    assert reports["a.ris"].status == "imported"
    (moved,) = reports["moved.ris"].problems
    assert moved.message == f"a link to {tmp_path / 'gone.ris'}, which is not there"
    (piped,) = reports["pipe.ris"].problems
    assert piped.message.startswith("not a regular file (a pipe, socket or device)")


def test_a_codebook_csv_field_over_the_csv_limit_is_read(cli, ws, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("path,definition\nLong," + "x" * 140_000 + "\n", encoding="utf-8")
    r = cli("-w", ws.root, "codebook", "import", path)
    assert r.code == 0 and "1 added" in r.out, r.err


def test_a_caption_line_of_50000_angle_brackets_parses_in_linear_time():
    import time

    from review.ingest.transcripts.captions import parse_vtt

    text = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>" + "<" * 50_000 + " hello\n"
    start = time.monotonic()
    parsed = parse_vtt(text)
    assert time.monotonic() - start < 2  # (the old tag pattern took minutes)
    assert parsed is not None


@pytest.mark.parametrize(
    "name,text,says",
    [
        (
            "library.xml",
            '<?xml version="1.0" encoding="UTF-8" ?><xml><records><record><rec-number>1'
            "</rec-number><titles><title>Co-production</title></titles></record></records></xml>",
            "EndNote XML, which is not read: export the library as RIS",
        ),
        (
            "pubmed.xml",
            '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD">\n'
            "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
            "</MedlineCitation></PubmedArticle></PubmedArticleSet>\n",
            "PubMed XML, which is not read: save the search as PubMed (.nbib)",
        ),
        (
            "savedrecs.txt",
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Session expired"
            "</body></html>\n",
            "a web page (HTML), not an export: save the results as RIS, BibTeX or CSV",
        ),
        ("other.xml", '<?xml version="1.0"?>\n<foo/>\n', "XML of no format read here"),
    ],
)
def test_xml_and_html_that_are_no_export_say_what_to_import_instead(ws, tmp_path, name, text, says):
    """They all said "format not recognised": a saved results page (an expired session's
    sign-in page) or EndNote's XML gave the user no hint of what to do."""
    path = tmp_path / name
    path.write_text(text, "utf-8")
    (report,) = import_paths(ws.engine, [path])
    assert report.status == "failed" and report.imported == 0
    (problem,) = report.problems
    assert says in problem.message


def test_a_utf8_file_cut_inside_its_last_character_says_so():
    """A download cut off inside a two-byte character read the whole file as cp1252 ("not
    UTF-8 … check its accented letters") and ended the text in mojibake (`MÃ`)."""
    data = "TY  - JOUR\nAU  - Ekmekçi, O\nAU  - Müller".encode()[:-5]  # cut inside the ü
    d = decode(data)
    assert d.encoding == "utf-8" and d.text == "TY  - JOUR\nAU  - Ekmekçi, O\nAU  - M"
    assert d.line == 3 and d.notice.startswith("the file ends in the middle of a character")
    # an ASCII file whose last byte is cp1252's é keeps it: nothing says it was UTF-8
    assert decode(b"AU  - Jos\xe9").text == "AU  - José"
