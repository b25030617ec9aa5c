"""Codebook exchange: REFI-QDA .qdc (validated against the REFI schema) and CSV."""

from __future__ import annotations

import re

import pytest
import xmlschema

from review.coding.codebook import ensure_codebook, find_code, specs_from_db
from review.coding.codebook_files import (
    CodebookError,
    export_codebook,
    import_codebook,
    parse_csv,
    parse_qdc,
    write_csv,
    write_qdc,
)
from review.store.workspace import init

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def codebook_schema(shared, tmp_path) -> xmlschema.XMLSchema:
    """The codebook part of the REFI-QDA schema: the project schema's CodeBookType, in the
    codebook namespace, with the standalone root element and the optional `origin` and `Sets`
    that Codebook.xsd adds."""
    xsd = (shared / "qdpx" / "REFI_Project.xsd").read_text("utf-8")
    xsd = xsd.replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0")
    book_type = re.search(r'<xsd:complexType name="CodeBookType">.*?</xsd:complexType>', xsd, re.S)
    assert book_type, "REFI schema changed shape"
    xsd = xsd.replace(
        book_type.group(0),
        '<xsd:complexType name="CodeBookType"><xsd:sequence>'
        '<xsd:element name="Codes" type="CodesType"/>'
        '<xsd:element name="Sets" type="SetsType" minOccurs="0"/>'
        '</xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>',
    )
    xsd = xsd.replace(
        '<xsd:element name="Project" type="ProjectType">',
        '<xsd:element name="CodeBook" type="CodeBookType"/>'
        '<xsd:element name="Project" type="ProjectType">',
    )
    path = tmp_path / "Codebook.xsd"
    path.write_text(xsd, "utf-8")
    return xmlschema.XMLSchema(str(path))


def test_qdc_export_validates_and_reimports_identically(
    ws, session, tmp_path, codebook_schema, sample_codes
):
    ensure_codebook(session, ws.codebook_path)
    out = tmp_path / "book.qdc"
    assert export_codebook(session, out) == sample_codes
    codebook_schema.validate(str(out))  # raises if invalid
    text = out.read_text("utf-8")
    assert 'xmlns="urn:QDA-XML:codebook:1.0"' in text and 'isCodable="false"' in text
    before = specs_from_db(session)

    other, _ = init(tmp_path / "other")
    from review.store.db import session_scope

    with session_scope(other.engine) as s2:
        counts = import_codebook(s2, out)
        assert counts == {"added": sample_codes, "updated": 0, "problems": []}
        assert specs_from_db(s2) == before  # paths, fields, keywords, colours, guids
        again = tmp_path / "again.qdc"
        export_codebook(s2, again)
    assert again.read_bytes() == out.read_bytes()
    other.close()


def test_qdc_nesting_is_the_tree(session, ws):
    ensure_codebook(session, ws.codebook_path)
    specs, problems = parse_qdc(write_qdc(specs_from_db(session)))
    assert not problems
    design = next(s for s in specs if s.name == "Co-design")
    assert design.path == "Four Cs/Co-design" and design.shortcut == "2"
    assert "workshop" in design.keywords and design.include and design.example


def test_foreign_qdc_is_read_leniently():
    xml = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti">
  <Codes>
    <Code guid="{1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}" name="Parent" color="#4a0"
          isCodable="false">
      <Description>Grouping</Description>
      <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a/b" isCodable="true"/>
    </Code>
    <Code guid="not-a-guid" name="Loose"><Description>Plain text.
Example: a quote here</Description></Code>
  </Codes>
  <Sets><Set guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0" name="s"/></Sets>
</CodeBook>"""
    specs, problems = parse_qdc(xml)
    assert [s.path for s in specs] == ["Parent", "Parent/a-b", "Loose"]
    parent, child, loose = specs
    assert parent.colour == "#44aa00" and not parent.codable and parent.definition == "Grouping"
    assert parent.guid == "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"
    assert child.codable and child.guid.startswith("2FF5")
    assert loose.guid is None and loose.definition == "Plain text." and loose.example
    assert any("'/' replaced" in str(p) for p in problems)
    assert any("sets are not imported" in str(p) for p in problems)


def test_hostile_or_broken_qdc_is_refused():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&x;" isCodable="true"/>
</Codes></CodeBook>"""
    with pytest.raises(CodebookError, match="refused"):
        parse_qdc(xxe)
    with pytest.raises(CodebookError, match="not well-formed"):
        parse_qdc(b"<CodeBook><Codes>")
    with pytest.raises(CodebookError, match="expected <CodeBook>"):
        parse_qdc(b"<Other/>")


def test_codebook_inside_a_real_qdpx_project(testdata):
    import zipfile

    with zipfile.ZipFile(testdata / "qdpx" / "skyloom_TestProject_ATLASti_standard.qdpx") as z:
        name = next(n for n in z.namelist() if n.endswith(".qde"))
        data = z.read(name)
    specs, _ = parse_qdc(data, name)
    assert len(specs) == 14  # the MANIFEST: 14 codes
    assert all(s.guid for s in specs)


def test_csv_round_trip_and_formula_injection(session, ws):
    ensure_codebook(session, ws.codebook_path)
    specs = specs_from_db(session)
    specs[1].definition = "=HYPERLINK(evil)"
    text = write_csv(specs)
    assert "'=HYPERLINK(evil)" in text
    again, problems = parse_csv(text)
    assert not problems and again == specs


def test_csv_bad_rows_are_reported_with_lines_and_good_rows_kept():
    text = (
        "path,definition,colour,shortcut\n"
        "A,first,#112233,a\n"
        "X/Y,orphan,,\n"
        ",no path,,\n"
        "A/B,child,red,bb\n"
        "A,again,,\n"
    )
    specs, problems = parse_csv(text, "book.csv")
    assert [s.path for s in specs] == ["A", "A/B"]
    messages = [str(p) for p in problems]
    assert any(m.startswith("book.csv:3:") and "parent 'X'" in m for m in messages)
    assert any(m.startswith("book.csv:4:") for m in messages)
    assert any("bad colour" in m for m in messages) and any("shortcut" in m for m in messages)
    assert any(m.startswith("book.csv:6:") and "duplicate" in m for m in messages)
    with pytest.raises(CodebookError, match="line 1"):
        parse_csv("foo,bar\n1,2\n")


def test_codebook_import_export_commands(ws, cli, tmp_path, codebook_schema, sample_codes):
    w = ("-w", ws.root)
    out = tmp_path / "book.qdc"
    res = cli(*w, "codebook", "export", out, "--json")
    assert res.code == 0 and res.json()["codes"] == sample_codes
    codebook_schema.validate(str(out))
    csv_file = tmp_path / "extra.csv"
    csv_file.write_text("path,definition,keywords\nBarriers/Cost,Money,cost; afford\nZ/Q,bad,\n")
    res = cli(*w, "codebook", "import", csv_file, "--json")
    assert res.code == 1  # one row rejected, reported; the good row landed
    doc = res.json()
    assert doc["added"] == 1 and len(doc["problems"]) == 1 and "extra.csv:3" in doc["problems"][0]
    res = cli(*w, "codebook", "import", tmp_path / "missing.qdc")
    assert res.code == 1 and "cannot read" in res.err
    res = cli(*w, "codebook", "export", tmp_path / "book.docx")
    assert res.code == 1 and "unknown codebook format" in res.err


def test_reimport_updates_by_guid(session, ws, tmp_path, sample_codes):
    ensure_codebook(session, ws.codebook_path)
    out = tmp_path / "book.qdc"
    export_codebook(session, out)
    out.write_text(out.read_text("utf-8").replace('name="Co-design"', 'name="Co-designing"'))
    counts = import_codebook(session, out)
    assert counts["added"] == 0 and counts["updated"] == sample_codes
    assert find_code(session, "Four Cs/Co-design").name == "Co-design"  # path kept, guid matched


def test_codebook_import_from_a_qdpx_project(ws, cli, testdata, tmp_path):
    qdpx = testdata / "qdpx" / "skyloom_TestProject_ATLASti_standard.qdpx"
    res = cli("-w", ws.root, "codebook", "import", qdpx, "--json")
    assert res.json()["added"] == 14, res.err
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    res = cli("-w", ws.root, "codebook", "import", broken)
    assert res.code == 1 and "not a .qdpx" in res.err


def test_codebook_export_to_a_missing_folder_is_one_line(ws, cli, tmp_path):
    """QA: exporting into a folder that does not exist was an internal FileNotFoundError."""
    res = cli("-w", ws.root, "codebook", "export", tmp_path / "no" / "such" / "book.qdc")
    assert res.code == 1, res.err
    assert "cannot write" in res.err and "internal error" not in res.err


def test_hostile_nesting_is_refused_in_one_line(ws, cli, tmp_path):
    """QA: a .qdc with codes nested 3,000 deep was an internal RecursionError."""
    n = 3000
    opens = "".join(f'<Code guid="G{i}" name="c{i}" isCodable="true">' for i in range(n))
    body = f"<Codes>{opens}{'</Code>' * n}</Codes>"
    xml = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">{body}</CodeBook>'
    path = tmp_path / "deep.qdc"
    path.write_text(xml, "utf-8")
    res = cli("-w", ws.root, "codebook", "import", path)
    assert res.code == 1 and "nested deeper than" in res.err and "internal error" not in res.err
