"""The pure transcript parsers: speaker conventions, headers, captions, .docx, PDF text."""

from __future__ import annotations

import io

import pytest

from review.ingest.passages import segment, segment_document
from review.ingest.textio import read_text
from review.ingest.transcripts.captions import parse_srt, parse_vtt
from review.ingest.transcripts.docx_text import DocxError, read_docx
from review.ingest.transcripts.labels import find_label
from review.ingest.transcripts.pdf_text import PdfError, dehyphenate, find_doi, read_pdf
from review.ingest.transcripts.text import parse_text
from tests.transcripts_helpers import encrypt_pdf, make_pdf


@pytest.mark.parametrize(
    ("line", "name", "stamp", "said"),
    [
        ("Jane Smith: hello there", "Jane Smith", None, "hello there"),
        ("JANE: hi", "JANE", None, "hi"),
        ("[Jane] hi", "Jane", None, "hi"),
        ("[id1] hello", "id1", None, "hello"),
        ("Jane (00:01:23): yes", "Jane", 83.0, "yes"),
        ("[00:01:23] Jane Smith: ok", "Jane Smith", 83.0, "ok"),
        ("00:01:23 Jane Smith", "Jane Smith", 83.0, ""),
        ("Jane Smith  0:03", "Jane Smith", 3.0, ""),
        ("P1: first", "P1", None, "first"),
        ("R1: second", "R1", None, "second"),
        ("Interviewer: so tell me", "Interviewer", None, "so tell me"),
        ("Facilitator: welcome", "Facilitator", None, "welcome"),
        ("**Moderator:** hi", "Moderator", None, "hi"),
        ("Zoë Núñez: olé 🎉", "Zoë Núñez", None, "olé 🎉"),
        # a script without capitals (found by the brief walk: the turn and the quote went to
        # the speaker before, "Δημήτρης", with "李华:" inside it)
        ("李华: 我们社区的安全靠大家。", "李华", None, "我们社区的安全靠大家。"),
        ("Δημήτρης: Είμαι", "Δημήτρης", None, "Είμαι"),
    ],
)
def test_speaker_label_conventions(line, name, stamp, said):
    label = find_label(line)
    assert label is not None and label.name == name
    assert label.timestamp == stamp
    assert line[label.content :] == said


@pytest.mark.parametrize(
    "line",
    [
        "Here is what I think: x",
        "Note: x",
        "[laughter] yes",
        "So I said: no",
        "https://x.org/a",
        "我们认为这个服务的问题在于: x",
    ],  # fmt: skip
)
def test_prose_is_not_a_speaker(line):
    assert find_label(line) is None


def test_roles_of_moderator_labels():
    assert find_label("Interviewer: hi").role == "moderator"
    assert find_label("Sarah (Moderator): hi").role == "moderator"
    assert find_label("Researcher 1: hi").role == "researcher"
    assert find_label("Gary: hi").role is None


HEADERED = """\
CONFIDENTIAL DRAFT: not for circulation
# Focus group 7: Libraries
Date: 3 May 2024
Place: Central Library
Moderator: Ann Lee
Moderator: Welcome, everyone, thanks for coming.
Bob: Thanks.
It's good to be here.

And one more paragraph from Bob.
Moderator: Let's start.
"""


def test_header_is_metadata_not_turns():
    parsed = parse_text(HEADERED)
    assert parsed.meta["date"] == "3 May 2024"
    assert parsed.meta["place"] == "Central Library"
    assert parsed.meta["moderator"] == "Ann Lee"
    assert parsed.meta["title"] == "Focus group 7: Libraries"
    assert [t.speaker for t in parsed.turns] == ["Moderator", "Bob", "Moderator"]
    bob = parsed.turns[1]
    said = HEADERED[bob.start : bob.end]
    assert said == "Thanks.\nIt's good to be here.\n\nAnd one more paragraph from Bob."
    assert parsed.turns[0].role == "moderator"
    assert parsed.body_start == HEADERED.index("Moderator: Welcome")


def test_a_single_colon_does_not_make_a_transcript():
    parsed = parse_text("Results were mixed.\nConclusions: more work is needed.\n")
    assert parsed.turns == []


def test_sentences_never_cross_a_turn_or_blank_line():
    parsed = parse_text(HEADERED)
    segs = segment(parsed)
    turns = [s for s in segs if s.kind == "turn"]
    sents = [s for s in segs if s.kind == "sentence"]
    assert len(turns) == 3
    for s in sents:
        assert any(t.start <= s.start and s.end <= t.end for t in turns)
        assert "\n\n" not in HEADERED[s.start : s.end]
    texts = [HEADERED[s.start : s.end] for s in sents]
    assert "And one more paragraph from Bob." in texts


def test_document_paragraphs_and_sentences():
    text = "Title line\n\nFirst sentence. Second one!\n\nThird paragraph here.\n"
    segs = segment_document(text)
    assert [text[s.start : s.end] for s in segs if s.kind == "paragraph"] == [
        "Title line",
        "First sentence. Second one!",
        "Third paragraph here.",
    ]
    assert "Second one!" in [text[s.start : s.end] for s in segs if s.kind == "sentence"]


def _read(testdata, name: str) -> str:
    return read_text((testdata / "transcripts" / name).read_bytes()).text


def test_vtt_voice_tags_merge_consecutive_cues(testdata):
    parsed = parse_vtt(_read(testdata, "vttjs_spec-example.vtt"))
    assert parsed.speakers == ["Roger Bingham", "Neil deGrasse Tyson"]
    assert [t.speaker for t in parsed.turns] == [
        "Roger Bingham",
        "Neil deGrasse Tyson",
        "Roger Bingham",
        "Neil deGrasse Tyson",
        "Roger Bingham",
    ]
    first = parsed.turns[0]
    assert first.timestamp == 11.0
    said = parsed.text[first.start : first.end]
    assert said.startswith("We are in New York City\nWe're actually at the Lucern Hotel")
    assert "<" not in parsed.text  # tags such as <i>Laughs</i> are gone
    laugh = parsed.turns[3]
    assert parsed.text[laugh.start : laugh.end] == "Laughs"


def test_vtt_teams_timestamps(testdata):
    parsed = parse_vtt(_read(testdata, "webvttpy_teams_timeframe.vtt"))
    assert [(t.speaker, t.timestamp) for t in parsed.turns] == [
        ("Yuri Bakulin", 0.0),
        ("Adrian Petrescu", 0.21),
    ]
    assert parsed.text[parsed.turns[1].start : parsed.turns[1].end] == "Why hello there, Yuri."


def test_vtt_note_blocks_are_metadata(testdata):
    parsed = parse_vtt(_read(testdata, "webvttpy_comments.vtt"))
    assert len(parsed.turns) == 3 and parsed.speakers == []
    assert parsed.meta["title"] == "Translation of that film I like"
    assert len(parsed.meta["notes"]) == 2
    assert "Kyle" not in parsed.text and "Det är inte varmt." in parsed.text


def test_srt_cues_without_speakers(testdata):
    parsed = parse_srt(_read(testdata, "webvttpy_sample.srt"))
    assert [t.timestamp for t in parsed.turns] == [0.5, 7.0, 11.89, 16.32, 21.58]
    assert [parsed.text[t.start : t.end] for t in parsed.turns][0] == "Caption text #1"


def test_srt_name_labels_and_bad_cue():
    raw = "1\n00:00:01,000 --> 00:00:02,000\nAnn: Hello\n\nbogus\nnot a cue\n\n"
    raw += "2\n00:00:03,000 --> 00:00:04,000\nAnn: again\n"
    parsed = parse_srt(raw)
    assert parsed.speakers == ["Ann"] and len(parsed.turns) == 1
    assert parsed.text[parsed.turns[0].start : parsed.turns[0].end] == "Hello\nagain"
    assert parsed.problems and parsed.problems[0].line == 5


def test_vtt_without_header_is_fatal():
    parsed = parse_vtt("00:01.000 --> 00:02.000\nhello\n")
    assert parsed.problems[0].fatal and "WEBVTT" in parsed.problems[0].message


def _docx(paragraphs: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    for bold, rest in paragraphs:
        p = document.add_paragraph()
        if bold:
            p.add_run(bold).bold = True
        p.add_run(rest)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_bold_speaker_names():
    data = _docx(
        [
            ("", "Group: Test group"),
            ("Ann Lee", "\tWelcome."),
            ("Bob", " Hello there."),
            ("", "Still Bob, a second paragraph."),
            ("Ann Lee", "\tThanks."),
            ("Bob", " Bye."),
        ]
    )
    text, bold = read_docx(data)
    parsed = parse_text(text, bold)
    assert [t.speaker for t in parsed.turns] == ["Ann Lee", "Bob", "Ann Lee", "Bob"]
    bob = parsed.turns[1]
    assert text[bob.start : bob.end] == "Hello there.\n\nStill Bob, a second paragraph."
    assert parsed.meta["group"] == "Test group"


def test_docx_from_testdata_has_three_paragraphs(shared):
    text, _ = read_docx((shared / "transcripts" / "qualcoder_ID1.docx").read_bytes())
    parsed = parse_text(text)
    assert parsed.turns == []
    paragraphs = [s for s in segment(parsed) if s.kind == "paragraph"]
    assert len(paragraphs) == 3
    assert text[paragraphs[2].start : paragraphs[2].end].endswith("I'm happy to pay €200.")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"just some text", "not a zip archive"),
        (b"%PDF-1.4 ...", "it is a PDF"),
        (b"\xd0\xcf\x11\xe0rest", "old binary Word .doc"),
    ],
)
def test_docx_that_is_not_a_docx(data, why):
    with pytest.raises(DocxError, match=why):
        read_docx(data)


def test_docx_zip_without_document():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(DocxError, match="word/document.xml"):
        read_docx(buffer.getvalue())


def test_dehyphenate_keeps_compounds():
    text = "engagement and partici-\npation: user and community co-\nproduction of\n2007-\n2008"
    assert dehyphenate(text) == (
        "engagement and participation:\nuser and community co-production\nof\n2007-\n2008"
    )


def test_pdf_text_doi_and_encryption():
    data = make_pdf(["A study of partici-", "pation in services", "doi:10.1000/XYZ.123."])
    text, meta = read_pdf(data)
    assert "participation\nin services" in text and meta["pages"] == 1
    assert find_doi(text) == "10.1000/xyz.123"
    with pytest.raises(PdfError, match="encrypted"):
        read_pdf(encrypt_pdf(data))
    with pytest.raises(PdfError, match="not a PDF"):
        read_pdf(b"hello")


def test_otter_style_label_lines_with_text_below():
    body = "Jane Smith  0:03\nHello there, welcome.\n\nBob Jones  0:10\nThanks.\nGlad to be here.\n"
    parsed = parse_text(body)
    assert [(t.speaker, t.timestamp) for t in parsed.turns] == [
        ("Jane Smith", 3.0),
        ("Bob Jones", 10.0),
    ]
    assert body[parsed.turns[1].start : parsed.turns[1].end] == "Thanks.\nGlad to be here."


def test_markdown_bold_labels_and_heading_title():
    body = (
        "# Interview 4\n\n**Interviewer:** How did it start?\n\n**Resident 2:** With a leaflet.\n"
    )
    parsed = parse_text(body)
    assert parsed.meta["title"] == "Interview 4"
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Resident 2"]
    assert [body[t.start : t.end] for t in parsed.turns] == ["How did it start?", "With a leaflet."]
    assert parsed.turns[0].role == "moderator"


def test_docx_with_a_dtd_is_refused():
    import zipfile

    source = _docx([("", "hello")])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/styles.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY lol "lol">]>', 1)
            zout.writestr(info, data)
    with pytest.raises(DocxError, match="word/styles.xml .* DTD"):
        read_docx(buffer.getvalue())
