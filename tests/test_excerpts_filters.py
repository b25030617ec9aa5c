"""`review excerpts --speaker` and `--attribute`, and `review participants list`.

A tester found no way to list one speaker's excerpts; `--attribute speaker=id2` (an attribute
no participant has) printed "no excerpts" with exit 0; and `review participants --help` named a
`list` command that did not exist. Speakers are matched as `review passages --speaker` matches
them (`same_name`: NFC, any case) and a name no one has is refused with those that exist."""

from __future__ import annotations

import unicodedata

import pytest

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import apply_code
from review.coding.retrieval import excerpt_speakers, excerpts
from review.errors import UsageError
from tests.test_coding_helpers import make_source, set_attribute

pytestmark = pytest.mark.backends("sqlite", "postgres")

FG1 = (
    "Anna: I volunteer at the park every week.\n"
    "Ben: We report fly-tipping together on the app.\n"
    "Anna: The council never listens to us."
)
FG2 = "Cara: I run a walking group for the surgery.\nJosé: The café is where we meet."


@pytest.fixture
def corpus(session, ws):
    """Five codings: one runs from Anna's line into Ben's; Anna's first line is coded by two
    coders (one excerpt, two codings)."""
    ensure_codebook(session, ws.codebook_path)
    s1, s2 = make_source(session, "fg1", FG1), make_source(session, "fg2", FG2)
    set_attribute(session, "Anna", "area", "North")
    set_attribute(session, "Ben", "area", "South")
    set_attribute(session, "Cara", "role", "participant")

    def code(src, text, path, who="alice"):
        start = src.text.index(text)
        return apply_code(
            session,
            source_id=src.id,
            code_id=find_code(session, path).id,
            start=start,
            end=start + len(text),
            coder=who,
        )

    code(s1, "I volunteer at the park", "Four Cs/Co-delivery")
    code(s1, "I volunteer at the park", "Four Cs/Co-delivery", "bob")
    code(s1, "every week.\nBen: We report fly-tipping", "Four Cs/Co-assessment")
    code(s1, "The council never listens", "Barriers/Distrust")
    code(s2, "The café is where we meet", "Four Cs/Co-delivery")
    session.commit()
    return session, s1, s2


def _quotes(res) -> list[str]:
    assert res.code == 0, res.err
    return [e["quote"] for e in res.json()["excerpts"]]


def test_speaker_is_found_however_typed_and_several_are_any_of_them(corpus, ws, cli):
    w = ("-w", ws.root)
    anna = _quotes(cli(*w, "excerpts", "--speaker", "anna", "--json"))
    assert anna == [
        "I volunteer at the park",
        "I volunteer at the park",
        "every week.\nBen: We report fly-tipping",
        "The council never listens",
    ]
    nfd = unicodedata.normalize("NFD", "JOSÉ")  # a macOS terminal, in capitals
    assert _quotes(cli(*w, "excerpts", "--speaker", nfd, "--json")) == ["The café is where we meet"]
    both = _quotes(
        cli(*w, "excerpts", "Four Cs", "--speaker", "Ben", "--speaker", "josé", "--json")
    )
    assert both == ["every week.\nBen: We report fly-tipping", "The café is where we meet"]
    text = cli(*w, "excerpts", "--speaker", "Ben")
    assert text.code == 0 and "fg1 [" in text.out and "Distrust" not in text.out


def test_an_excerpt_over_two_turns_is_found_under_either_speaker(corpus):
    session, s1, _ = corpus
    for who in ("Anna", "Ben"):
        rows = excerpts(session, find_code(session, "Four Cs/Co-assessment").id, speakers=[who])
        assert [r.quote for r in rows] == ["every week.\nBen: We report fly-tipping"]
        assert rows[0].speaker == "Anna"  # shown as the speaker of its first character
    picked = excerpt_speakers(session, find_code(session, "Four Cs").id)
    # two coders' codings of Anna's sentence are one excerpt; the two-turn one counts twice
    assert picked == [("Anna", 2), ("Ben", 1), ("José", 1)]
    assert excerpt_speakers(session, source_id=s1.id, coder="bob") == [("Anna", 1)]


def test_an_unknown_speaker_is_refused_with_the_speakers_there_are(corpus, ws, cli):
    w = ("-w", ws.root)
    bad = cli(*w, "excerpts", "--speaker", "Zoe")
    assert bad.code == 2 and "Traceback" not in bad.err and bad.out == ""
    assert "--speaker: no speaker 'Zoe' (speakers: Anna, Ben, Cara, José)" in bad.err
    elsewhere = cli(*w, "excerpts", "--speaker", "Anna", "--source", "fg2")
    assert elsewhere.code == 2
    assert "no speaker 'Anna' in fg2 (speakers: Cara, José)" in elsewhere.err
    assert len(elsewhere.err.strip().splitlines()) == 1


def test_an_unknown_attribute_name_or_value_is_refused_naming_what_exists(corpus, ws, cli):
    w = ("-w", ws.root)
    name = cli(*w, "excerpts", "--attribute", "speaker=id2")
    assert name.code == 2 and "Traceback" not in name.err and "no excerpts" not in name.out
    assert "no participant has an attribute 'speaker' (attributes: area, role)" in name.err
    assert "--speaker NAME" in name.err  # what the tester was after
    value = cli(*w, "excerpts", "--attribute", "area=West")
    assert value.code == 2
    assert "no participant has area='West' (area values: North, South)" in value.err
    assert len(value.err.strip().splitlines()) == 1
    south = _quotes(cli(*w, "excerpts", "--attribute", "AREA=south", "--json"))
    assert south == ["every week.\nBen: We report fly-tipping"]
    empty = cli(*w, "excerpts", "--attribute", "=North")
    assert empty.code == 2 and "NAME=VALUE" in empty.err


def test_the_service_refuses_an_attribute_name_no_participant_has(corpus):
    session, _, _ = corpus
    with pytest.raises(UsageError, match=r"attribute 'age' \(attributes: area, role\)"):
        excerpts(session, attribute=("age", "30"))
    with pytest.raises(UsageError, match="no speaker 'Zoe'"):
        excerpts(session, speakers=["Zoe"])


def test_participants_list_is_the_bare_listing(corpus, ws, cli):
    w = ("-w", ws.root)
    bare, listed = cli(*w, "participants"), cli(*w, "participants", "list")
    assert listed.code == 0 and listed.out == bare.out and "Anna" in listed.out
    doc = cli(*w, "participants", "list", "--json").json()["participants"]
    assert [p["name"] for p in doc] == ["Anna", "Ben", "Cara", "José"]
    assert cli(*w, "participants", "--json", "list").json()["participants"] == doc
    helped = cli(*w, "participants", "--help")
    assert helped.code == 0 and "list " in helped.out.split("Commands:")[1]
