"""`review import` of transcripts, documents, PDFs and participants, end to end via the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope
from tests.transcripts_helpers import encrypt_pdf, make_pdf

pytestmark = pytest.mark.backends("sqlite", "postgres")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus" / "transcripts"

# Counted by reading the files in ../shared/testdata/transcripts/ (the whole folder: two of
# them are LGPL, not vendored).
EXPECTED = {
    "qualcoder_transcript.txt": ("transcript", ["id1", "id2", "id3"], 7),
    "qualcoder_ID1.docx": ("document", [], 0),
    "vttjs_spec-example.vtt": ("transcript", ["Roger Bingham", "Neil deGrasse Tyson"], 5),
    "webvttpy_teams_timeframe.vtt": ("transcript", ["Yuri Bakulin", "Adrian Petrescu"], 2),
    "webvttpy_comments.vtt": ("transcript", [], 3),
    "webvttpy_sample.srt": ("transcript", [], 5),
}


def _import(cli, ws, *paths):
    return cli("-w", ws.root, "import", *[str(p) for p in paths], "--json")


def _check_offsets(session, source: m.Source) -> list[m.Passage]:
    rows = session.exec(select(m.Passage).where(m.Passage.source_id == source.id)).all()
    for p in rows:
        said = source.text[p.start : p.end]
        assert said and said == said.strip()
    fts = dict(
        session.execute(
            text(
                "SELECT f.rowid, f.text FROM passage_fts f JOIN passage p ON p.id = f.rowid "
                "WHERE p.source_id = :sid"
            ),
            {"sid": source.id},
        ).all()
    )
    assert fts == {p.id: source.text[p.start : p.end] for p in rows}
    return rows


def test_every_shared_transcript_imports_with_its_speakers_and_turns(cli, ws, shared):
    folder = shared / "transcripts"
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPECTED)
    result = _import(cli, ws, folder)
    assert result.code == 0, result.out + result.err
    assert all(f["status"] == "imported" for f in result.json()["files"])
    with session_scope(ws.engine) as s:
        for name, (kind, speakers, turns) in EXPECTED.items():
            source = s.exec(select(m.Source).where(m.Source.key == Path(name).stem)).one()
            assert source.kind == kind, name
            assert source.meta["speakers"] == speakers, name
            rows = _check_offsets(s, source)
            assert sum(p.kind == "turn" for p in rows) == turns, name
            assert sum(p.kind == "sentence" for p in rows) >= max(turns, 1), name
            assert source.text_hash and source.origin_file.endswith(name)
        roger = s.exec(select(m.Participant).where(m.Participant.name == "Roger Bingham")).one()
        assert roger.role == "participant"
        ids = s.exec(
            select(m.Participant.name, m.Source.key).join(
                m.Source, m.Source.id == m.Participant.scope_id
            )
        ).all()
        assert sorted(ids) == [(f"id{i}", "qualcoder_transcript") for i in (1, 2, 3)]


def test_reimport_adds_nothing(cli, ws, shared):
    file = shared / "transcripts" / "qualcoder_transcript.txt"
    assert _import(cli, ws, file).code == 0
    again = _import(cli, ws, file)
    assert again.code == 0 and again.json()["files"][0]["status"] == "unchanged"
    crlf = ws.root / "copy.txt"  # same words, CRLF line ends, another name
    crlf.write_bytes(file.read_bytes().replace(b"\n", b"\r\n"))
    third = _import(cli, ws, crlf).json()["files"][0]
    assert third["imported"] == 0 and "already imported" in third["message"]
    with session_scope(ws.engine) as s:
        assert len(s.exec(select(m.Source)).all()) == 1
        assert len(s.exec(select(m.Participant)).all()) == 3


def test_sample_corpus_end_to_end(cli, ws):
    shutil.copytree(CORPUS, ws.root / "corpus" / "transcripts")
    result = _import(cli, ws, ws.root / "corpus" / "transcripts")
    assert result.code == 0, result.out + result.err
    formats = {Path(f["file"]).name: f["format"] for f in result.json()["files"]}
    assert formats == {
        "fg1_community_safety.txt": "transcript-text",
        "fg2_local_environment.vtt": "webvtt",
        "fg3_public_health.docx": "docx",
        "participants.csv": "participants",
    }
    with session_scope(ws.engine) as s:
        sources = {x.key: x for x in s.exec(select(m.Source)).all()}
        assert {x.kind for x in sources.values()} == {"transcript"}
        for source in sources.values():
            meta = source.meta
            assert meta["group"] and meta["date"] and meta["place"] and meta["moderator"]
            assert 6 <= len(meta["speakers"]) <= 9
            assert 1500 <= len(source.text.split()) <= 2700
            assert "ILLUSTRATIVE" in source.text + str(meta.get("notes"))
            _check_offsets(s, source)
        assert sources["fg2_local_environment"].meta["moderator"] == "Sam Okoye"
    doc = cli("-w", ws.root, "participants", "--json").json()["participants"]
    people = {p["name"]: p for p in doc}
    assert people["Helen Marsh"]["role"] == "moderator" and people["Helen Marsh"]["turns"] == 15
    assert people["Gary Pritchard"]["aliases"] == ["Gary @ fg1_community_safety"]
    assert people["Gary Pritchard"]["attributes"]["age_band"] == "45-54"
    assert people["Kate Lindqvist"]["role"] == "moderator"
    researcher = people["Researcher 1 @ fg3_public_health"]
    assert researcher["turns"] == 2 and "R1 @ fg3_public_health" in researcher["aliases"]
    assert researcher["attributes"]["occupation"] == "note-taker"
    moderators = sorted(p["name"] for p in doc if p["role"] == "moderator")
    assert moderators == ["Helen Marsh", "Kate Lindqvist", "Sam Okoye"]
    assert all(p["attributes"].get("area") for p in doc)
    listing = cli("-w", ws.root, "transcripts", "--json").json()["sources"]
    assert [x["turns"] for x in listing] == [58, 52, 50]


def test_vtt_sentences_carry_cue_times(cli, ws):
    assert _import(cli, ws, CORPUS / "fg2_local_environment.vtt").code == 0
    doc = cli(
        "-w", ws.root, "passages", "fg2_local_environment", "--speaker", "Owen Price", "--json"
    )
    rows = doc.json()["passages"]
    turns = [r for r in rows if r["kind"] == "turn"]
    sentences = [r for r in rows if r["kind"] == "sentence"]
    assert len(turns) == 7 and sentences
    assert all(r["timestamp"] is not None for r in rows)
    assert len({r["timestamp"] for r in sentences}) > len(turns)  # later cues, later times


def test_passages_speaker_is_found_however_typed_and_an_unknown_one_is_named(cli, ws, tmp_path):
    import unicodedata

    path = tmp_path / "fg_cafe.txt"
    path.write_text(
        "José Núñez: The café opens late for us.\nModerator: Who else comes?\n"
        "José Núñez: Neighbours from the estate.\n",
        encoding="utf-8",
    )
    assert _import(cli, ws, path).code in (0, 1)
    nfd = unicodedata.normalize("NFD", "josé núñez")  # a macOS terminal, in lower case
    doc = cli("-w", ws.root, "passages", "fg_cafe", "--speaker", nfd, "--kind", "turn", "--json")
    assert doc.code == 0, doc.err
    assert [r["speaker"] for r in doc.json()["passages"]] == ["José Núñez", "José Núñez"]
    bad = cli("-w", ws.root, "passages", "fg_cafe", "--speaker", "Jose")
    assert bad.code == 2 and "Traceback" not in bad.err
    assert "no speaker 'Jose' in fg_cafe (speakers: José Núñez, Moderator)" in bad.err


def _bad_files(root: Path) -> dict[str, bytes]:
    files = {
        "empty.txt": b"",
        "blank.txt": b"\n \r\n\t\n",
        "binary.txt": bytes(range(256)) * 8,
        "fake.docx": b"This is plain text pretending to be Word.\n",
        "locked.pdf": encrypt_pdf(make_pdf(["A secret report about partici-", "pation."])),
        "noheader.vtt": b"00:01.000 --> 00:02.000\n<v Ann>hello\n",
        "scan.pdf": make_pdf([]),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return files


def test_bad_input_is_one_clear_line_and_nothing_half_imported(cli, ws):
    folder = ws.root / "bad"
    folder.mkdir()
    _bad_files(folder)
    result = _import(cli, ws, folder)
    assert result.code == 1
    reports = {Path(f["file"]).name: f for f in result.json()["files"]}
    expected = {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "binary.txt": "binary file",
        "fake.docx": "not a Word .docx file: it is not a zip archive",
        "locked.pdf": "encrypted PDF",
        "noheader.vtt": "not a WebVTT file",
        "scan.pdf": "no text layer",
    }
    for name, message in expected.items():
        report = reports[name]
        assert report["status"] == "failed", name
        problems = report["problems"]
        assert len(problems) == 1 and message in problems[0]["message"], (name, problems)
        assert "\n" not in problems[0]["message"] and "Traceback" not in problems[0]["message"]
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source)).all() == []
        assert s.exec(select(m.Passage)).all() == []
        assert s.exec(select(m.Participant)).all() == []
    human = cli("-w", ws.root, "import", str(folder / "fake.docx"))
    assert human.code == 1 and "not a Word .docx file" in human.err
    assert "Traceback" not in human.err


def _literature(ws) -> None:
    with session_scope(ws.engine) as s:
        s.add(
            m.Source(
                key="bovaird2007",
                kind="article",
                title="Beyond engagement and participation: user and community coproduction",
                doi="10.1111/j.1540-6210.2007.00773.x",
            )
        )
        s.add(
            m.Source(
                key="loeffler2008",
                kind="report",
                title="If you want to go fast, walk alone; if you want to go far, walk together",
            )
        )
        s.add(m.Source(key="parrado2013", kind="article", title="Correlates of co-production"))


@pytest.mark.parametrize(
    ("name", "lines", "matched", "how"),
    [
        (
            "paper.pdf",
            ["Some preamble", "doi: 10.1111/J.1540-6210.2007.00773.X"],
            "bovaird2007",
            "DOI",
        ),
        ("parrado2013 - Correlates.pdf", ["Body text only."], "parrado2013", "cite key"),
        ("minutes (3).pdf", ["Minutes of the residents' meeting", "Nothing else."], None, None),
        (
            "Bovaird - 2007 - Beyond engagement and participation_ user and community.pdf",
            ["A scanned cover page"],
            "bovaird2007",
            "title (file name",
        ),
        ("walk alone.pdf", ["Short name, no title, no DOI."], None, None),
        (
            "download.pdf",
            [
                "Citizen report",
                "If you want to go fast, walk alone; if you",
                "want to go far, walk",
            ],
            "loeffler2008",
            "title",
        ),
    ],
)
def test_pdf_full_text_matches_a_record(cli, ws, tmp_path, name, lines, matched, how):
    _literature(ws)
    pdf = tmp_path / name
    pdf.write_bytes(make_pdf(lines))
    report = _import(cli, ws, pdf).json()["files"][0]
    assert report["status"] == "imported", report
    with session_scope(ws.engine) as s:
        if matched:
            source = s.exec(select(m.Source).where(m.Source.key == matched)).one()
            assert source.text and how in source.meta["fulltext"]["matched"]
            assert s.exec(select(m.Source).where(m.Source.kind == "document")).all() == []
        else:
            source = s.exec(select(m.Source).where(m.Source.kind == "document")).one()
            assert source.key == Path(name).stem
        rows = _check_offsets(s, source)
        assert {p.kind for p in rows} == {"paragraph", "sentence"}


def test_pdf_does_not_replace_existing_text(cli, ws, tmp_path):
    _literature(ws)
    with session_scope(ws.engine) as s:
        record = s.exec(select(m.Source).where(m.Source.key == "parrado2013")).one()
        record.text = "Existing text.\n"
    pdf = tmp_path / "parrado2013.pdf"
    pdf.write_bytes(make_pdf(["New text."]))
    report = _import(cli, ws, pdf).json()["files"][0]
    assert report["imported"] == 0 and "already has text" in report["message"]
    with session_scope(ws.engine) as s:
        record = s.exec(select(m.Source).where(m.Source.key == "parrado2013")).one()
        assert record.text == "Existing text.\n"


def test_participants_csv_aliases_and_bad_rows(cli, ws, tmp_path):
    transcript = tmp_path / "int1.txt"
    transcript.write_text("R1: Hello.\nAnn: Hi.\nR1: Bye.\nAnn: Bye.\n", "utf-8")
    other = tmp_path / "int2.txt"
    other.write_text("R1: Second interview.\nBen: Yes.\nR1: Thanks.\n", "utf-8")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "Name,Aliases,Area,Age band\n"
        "Researcher One,R1,Eastbridge,35-44\n"
        "Ann,,Northfield,25-34\n"
        "Broken,row\n"
        ",,Nowhere,\n"
        "Cat,,Riverside,45-54\n",
        "utf-8",
    )
    assert _import(cli, ws, transcript, other).code == 0
    result = _import(cli, ws, csv_file)
    assert result.code == 1  # two rows rejected, the rest kept
    report = result.json()["files"][0]
    assert report["format"] == "participants" and report["status"] == "partial"
    assert report["imported"] == 3 and report["skipped"] == 2
    assert sorted(p["line"] for p in report["problems"]) == [4, 5]
    people = {
        p["name"]: p for p in cli("-w", ws.root, "participants", "--json").json()["participants"]
    }
    assert "R1 @ int1" not in people and "R1 @ int2" not in people
    one = people["Researcher One"]
    assert one["turns"] == 4 and one["attributes"]["area"] == "Eastbridge"
    assert {"R1", "R1 @ int1", "R1 @ int2"} <= set(one["aliases"])
    assert people["Ann"]["attributes"]["age band"] == "25-34"
    assert people["Cat"]["turns"] == 0  # not in a transcript yet: kept as a case


def test_participants_cli_alias_and_set(cli, ws, testdata):
    _import(cli, ws, testdata / "transcripts" / "vttjs_spec-example.vtt")
    done = cli("-w", ws.root, "participants", "alias", "RB", "Roger Bingham", "--json")
    assert done.code == 0 and done.json()["participant"] == "Roger Bingham"
    set_ = cli("-w", ws.root, "participants", "set", "RB", "area=New York", "--json")
    assert set_.json()["attributes"]["area"] == "New York"
    missing = cli("-w", ws.root, "participants", "set", "Nobody", "area=x")
    assert missing.code == 1 and "no participant" in missing.err
    bad = cli("-w", ws.root, "participants", "set", "RB", "area")
    assert bad.code == 2 and "ATTRIBUTE=VALUE" in bad.err
    kind = cli("-w", ws.root, "passages", "vttjs_spec-example", "--kind", "word")
    assert kind.code == 2


def test_literature_text_files_are_not_taken_as_transcripts(cli, ws, testdata):
    from review.importers import detect

    ris = testdata / "ris" / "rispy_example_wos.ris"
    wos_as_txt = ws.root / "savedrecs.txt"
    wos_as_txt.write_bytes(ris.read_bytes())
    fmt = detect(wos_as_txt, wos_as_txt.read_bytes())
    assert fmt is not None and fmt.name != "transcript-text"


def test_qualcoder_case_attributes_csv(cli, ws, shared):
    result = _import(cli, ws, shared / "survey" / "qualcoder_survey456.csv")
    report = result.json()["files"][0]
    assert report["format"] == "participants" and report["imported"] == 3
    people = {
        p["name"]: p for p in cli("-w", ws.root, "participants", "--json").json()["participants"]
    }
    assert sorted(people) == ["ID4", "ID5", "ID6"]
    assert people["ID4"]["attributes"]["interest"] == "shopping"
    assert "age" not in people["ID5"]["attributes"]  # the missing value stays missing
    assert people["ID6"]["attributes"]["freetext"].startswith("I did not enrol")


def test_a_named_speaker_is_one_participant_across_transcripts(cli, ws, tmp_path):
    first = tmp_path / "fg-a.txt"
    first.write_text("Moderator: Hello.\nJane Smith: Hi.\nModerator: Bye.\n", "utf-8")
    second = tmp_path / "fg-b.txt"
    second.write_text("Moderator: Again.\nJane Smith: Yes.\nModerator: Thanks.\n", "utf-8")
    assert _import(cli, ws, first, second).code == 0
    people = {
        p["name"]: p for p in cli("-w", ws.root, "participants", "--json").json()["participants"]
    }
    assert sorted(people) == ["Jane Smith", "Moderator @ fg-a", "Moderator @ fg-b"]
    jane = people["Jane Smith"]
    assert jane["turns"] == 2 and jane["attributes"]["transcript"] == "fg-a; fg-b"
    assert people["Moderator @ fg-a"]["role"] == "moderator"
