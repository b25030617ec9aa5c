"""REFI-QDA: the sky-loom sample, our export's XSD validity, a full round trip, unsafe input."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from review.coding.codebook import code_paths
from review.outputs.qdpx import export_qdpx
from review.store import models as m
from review.store.db import session_scope
from review.store.workspace import init
from tests.test_brief_fixture import build as build_fixture

pytestmark = pytest.mark.backends("sqlite", "postgres")

NS = "urn:QDA-XML:project:1.0"


def _qdpx(qde: str, files: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


G = "00000000-0000-0000-0000-00000000000{}"


def test_skyloom_imports_14_codes_and_reports_what_it_skipped(ws, cli, testdata):
    path = testdata / "qdpx" / "skyloom_TestProject_ATLASti_standard.qdpx"
    r = cli("-w", ws.root, "import", path, "--json")
    assert r.code == 1  # sources missing from the archive are errors (reported)
    (f,) = r.json()["files"]
    assert f["format"] == "qdpx" and f["status"] == "partial"
    errors = [p["message"] for p in f["problems"] if p["severity"] == "error"]
    warnings = [p["message"] for p in f["problems"] if p["severity"] == "warning"]
    assert len(errors) == 8 and all("missing from the archive" in e for e in errors)
    assert any("Simon.docx" in e and "3 selection(s)" in e for e in errors)
    assert "not imported: 1 × PictureSelection" in warnings
    assert "not imported: 4 × PDFSelection" in warnings
    assert "not imported: 2 × VideoSelection" in warnings
    with session_scope(ws.engine) as s:
        paths = sorted(code_paths(s).values())
        coke = s.exec(select(m.Code).where(m.Code.name == "Coke")).one()
        assert s.exec(select(m.Source)).all() == []
        memos = sorted(x.text for x in s.exec(select(m.Memo)).all())
    assert len(paths) == 14
    assert memos == [
        "This is a great project by a dynamic team of researcher-developers. ",
        "This version is much better than the new Director’s cut ",
    ]
    assert "Coke/diet Coke" in paths and "Coke/full-fat Coke" in paths and "Coke" in paths
    assert coke.guid == "7496BA52-9C8D-4396-8FAB-CC438614E453"
    assert coke.definition == "the breakfast of champions" and coke.colour == "#966450"


def _export_fixture(ws) -> tuple[zipfile.ZipFile, dict]:
    with session_scope(ws.engine) as s:
        build_fixture(s)
        data, counts = export_qdpx(s, "fixture")
    return zipfile.ZipFile(io.BytesIO(data)), counts


def test_export_holds_the_project_and_its_sources(ws):
    zf, counts = _export_fixture(ws)
    names = sorted(zf.namelist())
    assert names[0] == "project.qde" and all(n.startswith("sources/") for n in names[1:])
    assert counts == {"sources": 4, "codes": 8, "codings": 14, "cases": 2, "users": 1}
    text = zf.read("project.qde").decode("utf-8")
    assert 'typeOfVariable="Text"' in text and "<Case " in text and "<PlainTextSelection " in text


def test_export_validates_against_the_refi_schema(ws, shared):
    import xmlschema

    zf, _ = _export_fixture(ws)
    schema = xmlschema.XMLSchema(str(shared / "qdpx" / "REFI_Project.xsd"))
    errors = list(schema.iter_errors(io.BytesIO(zf.read("project.qde"))))
    assert errors == [], errors[:3]


def test_export_is_deterministic(ws):
    with session_scope(ws.engine) as s:
        build_fixture(s)
        a, _ = export_qdpx(s)
        b, _ = export_qdpx(s)
    assert a == b


def _snapshot(engine):
    with session_scope(engine) as s:
        paths = code_paths(s)
        codes = sorted(
            (paths[c.id], c.codable, c.definition, c.colour, c.include, c.keywords, c.shortcut)
            for c in s.exec(select(m.Code)).all()
        )
        srcs = {x.id: x for x in s.exec(select(m.Source).where(m.Source.text.is_not(None)))}
        texts = sorted((x.key, x.kind, x.text) for x in srcs.values())
        coders = dict(s.exec(select(m.Coder.id, m.Coder.name)).all())
        codings = sorted(
            (srcs[c.source_id].key, paths[c.code_id], c.start, c.end, c.quote, c.memo,
             coders.get(c.coder_id))
            for c in s.exec(select(m.Coding)).all()
        )  # fmt: skip
        cases = sorted(
            (p.name, a.name, a.value)
            for p, a in s.exec(
                select(m.Participant, m.ParticipantAttribute).where(
                    m.ParticipantAttribute.participant_id == m.Participant.id
                )
            ).all()
        )
        memos = sorted(
            (mm.target, paths.get(mm.target_id) if mm.target == "code" else
             srcs[mm.target_id].key if mm.target == "source" else None, mm.text,
             coders.get(mm.coder_id))
            for mm in s.exec(select(m.Memo)).all()
        )  # fmt: skip
    return codes, texts, codings, cases, memos


def test_round_trip_gives_identical_codes_texts_and_codings(ws, cli, tmp_path):
    with session_scope(ws.engine) as s:
        build_fixture(s)
    out = tmp_path / "fixture.qdpx"
    r = cli("-w", ws.root, "export", "qdpx", "-o", out, "--json")
    assert r.code == 0, r.err
    assert r.json()["codings"] == 14
    other, _ = init(tmp_path / "other")
    r = cli("-w", other.root, "import", out, "--json")
    assert r.code == 0, r.out
    before, after = _snapshot(ws.engine), _snapshot(other.engine)
    assert after[0] == before[0]  # codes: paths, codable, definitions, rules, keywords…
    assert ("Four Cs/Co-delivery", True, "Citizens carry out part of the service.", "#2ca02c",
            "Volunteering, litter picks.", ["volunteer", "litter"], "3") in after[0]  # fmt: skip
    assert after[1] == before[1]  # texts with their keys and kinds
    assert after[2] == before[2]  # codings: source, code, offsets, quote, memo, coder
    assert after[3] == before[3]  # cases and their attributes
    assert after[4] == before[4] and len(after[4]) == 3  # project, source and code memos
    other.close()


def test_reimport_into_same_workspace_adds_nothing(ws, cli, tmp_path):
    with session_scope(ws.engine) as s:
        build_fixture(s)
    out = tmp_path / "p.qdpx"
    cli("-w", ws.root, "export", "qdpx", "-o", out)
    before = _snapshot(ws.engine)
    r = cli("-w", ws.root, "import", out, "--json")
    assert r.code == 0, r.out
    assert _snapshot(ws.engine) == before


def test_crlf_and_emoji_offsets_are_code_points(ws, cli, tmp_path):
    text = "Line one\r\nWe 😀 recycle together.\r\n"
    start = text.index("recycle")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="t">
 <CodeBook><Codes><Code guid="{G.format(1)}" name="Mode::Collective" isCodable="true"/></Codes>
 </CodeBook>
 <Sources><TextSource guid="{G.format(2)}" name="Group A.txt" plainTextPath="internal://a.txt">
  <PlainTextSelection guid="{G.format(3)}" startPosition="{start}" endPosition="{start + 7}">
   <Coding guid="{G.format(4)}"><CodeRef targetGUID="{G.format(1)}"/></Coding>
  </PlainTextSelection>
  <PlainTextSelection guid="{G.format(5)}" startPosition="5" endPosition="999">
   <Coding guid="{G.format(6)}"><CodeRef targetGUID="{G.format(1)}"/></Coding>
  </PlainTextSelection>
 </TextSource></Sources></Project>"""
    path = tmp_path / "t.qdpx"
    path.write_bytes(_qdpx(qde, {"sources/a.txt": text.encode("utf-8")}))
    r = cli("-w", ws.root, "import", path, "--json")
    (f,) = r.json()["files"]
    assert r.code == 1 and any("outside the text" in p["message"] for p in f["problems"])
    with session_scope(ws.engine) as s:
        (c,) = s.exec(select(m.Coding)).all()
        src = s.get(m.Source, c.source_id)
        assert "\r" not in src.text and src.text[c.start : c.end] == "recycle" == c.quote
        assert code_paths(s)[c.code_id] == "Mode/Collective"


def test_unsafe_archives_are_refused_or_contained(ws, cli, tmp_path):
    # a member that climbs out of the archive, and a text path that tries to
    qde = f"""<?xml version="1.0"?><Project xmlns="{NS}" name="t"><Sources>
 <TextSource guid="{G.format(2)}" name="evil" plainTextPath="internal://../../etc/passwd"/>
 </Sources></Project>"""
    path = tmp_path / "slip.qdpx"
    path.write_bytes(_qdpx(qde, {"../evil.txt": b"x"}))
    r = cli("-w", ws.root, "import", path, "--json")
    msgs = [p["message"] for p in r.json()["files"][0]["problems"]]
    assert any("points outside the archive" in x for x in msgs)
    assert any("missing from the archive" in x for x in msgs)
    # entity expansion (billion laughs) is refused by defusedxml
    bomb = """<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>"""
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(_qdpx(bomb))
    r = cli("-w", ws.root, "import", path, "--json")
    (f,) = r.json()["files"]
    assert r.code == 1 and f["status"] == "failed" and "refused" in f["problems"][0]["message"]
    # a zip bomb member (huge ratio) is not read
    qde = f"""<?xml version="1.0"?><Project xmlns="{NS}" name="t"><Sources>
 <TextSource guid="{G.format(2)}" name="z" plainTextPath="internal://z.txt"/></Sources></Project>"""
    path = tmp_path / "zip.qdpx"
    path.write_bytes(_qdpx(qde, {"sources/z.txt": b"\0" * (4 << 20)}))
    r = cli("-w", ws.root, "import", path, "--json")
    assert any("ratio" in p["message"] for p in r.json()["files"][0]["problems"])
    # not a zip at all
    path = tmp_path / "fake.qdpx"
    path.write_bytes(b"PK\x03\x04 not really")
    r = cli("-w", ws.root, "import", path, "--json")
    assert r.code == 1 and "not a zip" in r.json()["files"][0]["problems"][0]["message"]


def test_hostile_code_nesting_is_a_clean_failure(ws, cli, tmp_path):
    """QA: codes nested 3,000 deep were 'could not import: RecursionError'."""
    n = 3000
    opens = "".join(f'<Code guid="{G.format(i)}" name="c{i}">' for i in range(n))
    qde = f"""<?xml version="1.0"?><Project xmlns="{NS}" name="t"><CodeBook><Codes>{opens}
{"</Code>" * n}</Codes></CodeBook></Project>"""
    path = tmp_path / "deep.qdpx"
    path.write_bytes(_qdpx(qde))
    r = cli("-w", ws.root, "import", path, "--json")
    (f,) = r.json()["files"]
    assert r.code == 1 and f["status"] == "failed"
    assert "nested deeper than 50" in f["problems"][0]["message"]


@pytest.mark.parametrize("name", ["../a", "/etc/passwd", "C:/x", "a/../../b"])
def test_safe_name_rejects_traversal(name):
    from review.ingest.refi.archive import safe_name

    assert safe_name(name) is None
    assert safe_name("sources/a.txt") == "sources/a.txt"


def test_two_coders_on_one_span_both_survive_the_round_trip(ws, cli, tmp_path):
    """Agreement needs both coders' codings of the same span (they were merged into one)."""
    with session_scope(ws.engine) as s:
        build_fixture(s)
        first = s.exec(select(m.Coding).order_by(m.Coding.id)).first()
        bob = m.Coder(name="bob")
        s.add(bob)
        s.flush()
        s.add(m.Coding(source_id=first.source_id, code_id=first.code_id, start=first.start,
                       end=first.end, quote=first.quote, coder_id=bob.id))  # fmt: skip
    out = tmp_path / "two.qdpx"
    assert cli("-w", ws.root, "export", "qdpx", "-o", out).code == 0
    other, _ = init(tmp_path / "other")
    assert cli("-w", other.root, "import", out).code == 0
    before, after = _snapshot(ws.engine), _snapshot(other.engine)
    assert after[2] == before[2]
    assert len(after[2]) == len(before[2]) == 15
    other.close()


def test_imported_sources_get_passages_search_and_speakers(ws, cli, tmp_path):
    """A project's texts are searchable and their turns tied to the project's cases."""
    from review.coding.search import search

    with session_scope(ws.engine) as s:
        build_fixture(s)
    out = tmp_path / "p.qdpx"
    assert cli("-w", ws.root, "export", "qdpx", "-o", out).code == 0
    other, _ = init(tmp_path / "other")
    assert cli("-w", other.root, "import", out).code == 0
    with session_scope(other.engine) as s:
        hits = search(s, "litter pick", kind="turn")
        assert [h.speaker for h in hits] == ["Anna"]
        turn = s.get(m.Passage, hits[0].passage_id)
        anna = s.exec(select(m.Participant).where(m.Participant.name == "Anna")).one()
        assert turn.participant_id == anna.id
        src = s.get(m.Source, turn.source_id)
        assert src.text[turn.start : turn.end] == "We all do a litter pick together every month."
    other.close()
