"""A source key is found however its letters were composed: one look-up, keys stored in NFC.

A macOS terminal types, and a macOS file name holds, "Müller2020" decomposed (NFD: `u` +
U+0308); the stored key is NFC. Every look-up by key goes through
`review.ingest.sources.key_is` / `source_by_key`, every import stores the NFC form, and m0015
puts keys an older version stored decomposed into NFC. Real workspaces, the real CLI.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from sqlalchemy import text
from sqlmodel import select

from review.coding.codebook import ensure_codebook
from review.evidence.indicators import relink_sources
from review.ingest.participants import split_scoped
from review.ingest.sources import key_is, normal_key, source_by_key
from review.store import models as m
from review.store.db import session_scope
from review.store.migrate import upgrade

pytestmark = pytest.mark.backends("sqlite", "postgres")

MULLER = "Müller2020"
WEISS = "Weiß2021"  # (ß has no decomposition: both forms are one)
JURGEN = "Jürgen-interview"
NS = "urn:QDA-XML:project:1.0"

BIB = f"""@article{{{MULLER},
  title = {{Co-production of local safety with residents}},
  author = {{Müller, Anna}}, year = {{2020}}, journal = {{Public Management Review}}}}
@article{{{WEISS},
  title = {{Co-production of local safety with the residents}},
  author = {{Weiß, Jan}}, year = {{2021}}, journal = {{Local Government Studies}}}}
"""
TRANSCRIPT = "Interviewer: How did it start?\nJürgen: We started to co-produce the safety walks.\n"


def nfd(key: str) -> str:
    return unicodedata.normalize("NFD", key)


@pytest.fixture
def loaded(ws, cli, tmp_path):
    """A workspace with two literature records and a transcript from a file named on macOS."""
    (tmp_path / "search.bib").write_text(BIB, "utf-8")
    named = tmp_path / f"{nfd(JURGEN)}.txt"
    named.write_text(TRANSCRIPT, "utf-8")
    r = cli("-w", ws.root, "import", tmp_path / "search.bib", named, "--json")
    assert r.code == 0, r.out + r.err
    return ws


def test_normal_key_composes_and_leaves_ascii_alone():
    assert nfd(MULLER) != MULLER and normal_key(nfd(MULLER)) == MULLER
    assert normal_key("smith2008") == "smith2008"
    assert normal_key(MULLER) is MULLER  # already NFC: the same string


def test_a_file_named_on_macos_is_stored_under_its_nfc_key(loaded):
    with session_scope(loaded.engine) as s:
        keys = set(s.exec(select(m.Source.key)).all())
        src = source_by_key(s, JURGEN)
        assert keys == {MULLER, WEISS, JURGEN}
        assert src is not None and src.title == JURGEN  # the title from the stem is NFC too
        assert source_by_key(s, nfd(JURGEN)) is src
        attr = s.exec(
            select(m.ParticipantAttribute.value).where(m.ParticipantAttribute.name == "transcript")
        ).all()
        assert attr and set(attr) == {JURGEN}  # the speakers name the transcript by that key


def test_a_decomposed_key_typed_at_the_command_line_finds_the_source(loaded, cli, tmp_path):
    ws = loaded
    w = ("-w", ws.root)
    r = cli(*w, "screen", "decide", "include", nfd(MULLER), "--json")
    assert r.code == 0, r.err
    assert MULLER in r.out
    r = cli(*w, "passages", nfd(JURGEN), "--json")
    assert r.code == 0, r.err
    assert r.json()["source"] == JURGEN and "safety walks" in r.out
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
        code = s.exec(select(m.Code).where(m.Code.codable)).first()
        assert code is not None
        name = code.name
    r = cli(*w, "code", "apply", nfd(JURGEN), name, "--span", "0:11")
    assert r.code == 0, r.err
    r = cli(*w, "excerpts", "--source", nfd(JURGEN), "--json")
    assert r.code == 0, r.err
    assert "Interviewer" in r.out
    out = tmp_path / "one.bib"
    r = cli(*w, "export", "bibtex", "--key", nfd(MULLER), "-o", out)
    assert r.code == 0, r.err
    assert f"{{{MULLER}," in out.read_text("utf-8")
    r = cli(*w, "dedupe", "--merge", f"{nfd(MULLER)},{nfd(WEISS)}", "--json")
    assert r.code == 0, r.err
    with session_scope(ws.engine) as s:
        merged = s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all()
        assert [x.key for x in merged] and {x.key for x in merged} <= {MULLER, WEISS}


def test_services_that_look_up_a_key_compose_it(loaded):
    with session_scope(loaded.engine) as s:
        jurgen = source_by_key(s, JURGEN)
        muller = source_by_key(s, MULLER)
        assert jurgen is not None and muller is not None
        assert split_scoped(s, f"P1 @ {nfd(JURGEN)}") == ("P1", jurgen.id)
        assert s.exec(select(m.Source.id).where(key_is(nfd(MULLER)))).one() == muller.id
        s.add(m.Indicator(name="Safety index", value=45.0, pending_source=nfd(MULLER)))
        s.flush()
        assert [key for _, key in relink_sources(s)] == [nfd(MULLER)]
        ind = s.exec(select(m.Indicator)).one()
        assert ind.source_id == muller.id and ind.pending_source is None


def test_a_qdpx_source_named_decomposed_gets_an_nfc_key(ws, cli, tmp_path):
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="t"><Sources>
 <TextSource guid="00000000-0000-0000-0000-000000000002" name="{nfd(JURGEN)}.txt"
   plainTextPath="internal://a.txt"/>
</Sources></Project>"""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/a.txt", TRANSCRIPT)
    path = tmp_path / "mac.qdpx"
    path.write_bytes(buf.getvalue())
    r = cli("-w", ws.root, "import", path, "--json")
    assert r.code == 0, r.out + r.err
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source.key)).all() == [JURGEN.lower()]  # (slugs are lower case)


def test_keys_an_older_version_stored_decomposed_are_composed_on_open(loaded):
    """m0015: the decomposed key becomes NFC; one whose NFC form is taken gets a suffix; the
    speakers' `transcript` attribute follows; every change is noted; a second open does
    nothing."""
    ws = loaded
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE source SET key = :n WHERE key = :k"),
                     {"n": nfd(JURGEN), "k": JURGEN})  # fmt: skip
        conn.execute(
            text("UPDATE participantattribute SET value = :n WHERE name = 'transcript'"),
            {"n": f"fg-north; {nfd(JURGEN)}"},
        )
        conn.execute(text("UPDATE source SET key = :n WHERE key = :k"),
                     {"n": nfd(MULLER), "k": MULLER})  # fmt: skip
        conn.execute(
            text("UPDATE source SET key = :n WHERE key = :k"), {"n": MULLER, "k": WEISS}
        )  # another record now holds the NFC form
        conn.execute(text("DELETE FROM review_migrations WHERE id = '0015_source_key_nfc'"))
        if ws.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA user_version = 0")
        else:
            conn.execute(text("DELETE FROM review_schema_stamp"))
    assert upgrade(ws.engine) == ["0015_source_key_nfc"]
    with ws.engine.connect() as conn:
        keys = set(conn.execute(text("SELECT key FROM source")).scalars())
        attrs = set(
            conn.execute(
                text("SELECT value FROM participantattribute WHERE name = 'transcript'")
            ).scalars()
        )
        notes = list(
            conn.execute(
                text("SELECT note FROM review_migration_note WHERE migration = :m ORDER BY id"),
                {"m": "0015_source_key_nfc"},
            ).scalars()
        )
    assert keys == {MULLER, f"{MULLER}-2", JURGEN}
    assert attrs == {f"fg-north; {JURGEN}"}
    assert len(notes) == 2
    assert notes[0].startswith("2 source keys stored decomposed") and JURGEN in notes[0]
    assert f"'{MULLER}-2'" in notes[1] and "taken by another source" in notes[1]
    assert upgrade(ws.engine) == []
