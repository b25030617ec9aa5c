"""Word boundaries and word-level selection steps of the reader (pure: no Textual, no DB)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from review.tui.document import Document, Span
from review.tui.words import trim, word_spans


def _words(text: str) -> list[str]:
    return [text[a:z] for a, z in word_spans(text)]


def test_punctuation_is_never_part_of_a_word():
    text = 'Well, (honestly) — we report it; "fly-tipping" isn\'t rare... right?'
    assert _words(text) == ["Well", "honestly", "we", "report", "it", "fly-tipping", "isn't"] + [
        "rare",
        "right",
    ]


def test_apostrophes_hyphens_and_numbers_join_words():
    text = "Don’t co‑production 3.5 1,000 U.K. rock'n'roll snake_case 'quoted' end-"
    assert _words(text) == ["Don’t", "co‑production", "3.5", "1,000", "U.K"] + [
        "rock'n'roll",
        "snake_case",
        "quoted",
        "end",
    ]


def test_accents_precomposed_and_combining():
    decomposed = unicodedata.normalize("NFD", "Zoë")  # Z o e + U+0308
    text = f"Café naïve {decomposed}, São Paulo"
    assert _words(text) == ["Café", "naïve", decomposed, "São", "Paulo"]
    assert len(decomposed) == 4  # the mark stays with its letter


def test_emoji_clusters_are_one_word_each():
    family = "👩\u200d👩\u200d👧"
    thumbs = "👍🏽"
    flag = "🇬🇧"
    heart = "❤\ufe0f"
    text = f"Great {family}{thumbs} day {flag}! {heart}ok © 2024"
    assert _words(text) == ["Great", family, thumbs, "day", flag, heart, "ok", "2024"]


def test_cjk_and_bounds():
    assert _words("公共服务 co-op") == ["公共服务", "co-op"]
    text = "one two three"
    assert word_spans(text, 2, 9) == [(2, 3), (4, 7), (8, 9)]  # clipped to the range


def test_trim():
    assert trim("  a b \n", 0, 7) == (2, 5)
    assert trim("   ", 0, 3) == (3, 3)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_words_are_ordered_disjoint_and_never_edged_by_space(text):
    spans = word_spans(text)
    for (_a, z), (b, _z) in zip(spans, spans[1:], strict=False):
        assert z <= b
    for a, z in spans:
        assert a < z
        assert not text[a].isspace() and not text[z - 1].isspace()
        assert unicodedata.category(text[a])[0] not in "PZ"


TEXT = "Speaker: We pick litter, every week. Then we report it.\nBen: I sat on the panel."


def _doc() -> Document:
    units = [Span(9, 36), Span(37, 55), Span(61, 81)]
    return Document(1, "t", "transcript", TEXT, [Span(9, 55), Span(61, 81)], units)


def _at(word: str, nth: int = 0) -> tuple[int, int]:
    a = -1
    for _ in range(nth + 1):
        a = TEXT.index(word, a + 1)
    return a, a + len(word)


def test_word_cursor_steps_within_and_across_sentences():
    doc = _doc()
    assert doc.word_step(None, 1, 0) == _at("We")
    assert doc.word_step(None, -1, 0) == _at("week")
    assert doc.word_step(_at("week"), 1, 0) == _at("Then")  # into the next sentence
    assert doc.word_step(_at("it", 1), 1, 1) == _at("I")  # across a turn: "Ben:" is skipped
    assert doc.word_step(_at("I"), -1, 2) == _at("it", 1)
    assert doc.word_step(_at("panel"), 1, 2) is None


def test_end_steps_skip_punctuation_and_keep_one_word():
    doc = _doc()
    whole = (9, 36)  # "We pick litter, every week."
    assert doc.end_step(*whole, -1) == _at("every")  # "week." goes in one press
    assert doc.end_step(9, _at("litter")[1], 1) == _at("every")  # the comma is stepped over
    assert doc.end_step(*whole, 1) == _at("Then")  # past the sentence's end
    assert doc.end_step(*_at("We"), -1) is None  # one word stays
    assert doc.end_step(*_at("panel"), 1) is None  # nothing after the last word


def test_start_steps():
    doc = _doc()
    assert doc.start_step(9, 36, 1) == _at("pick")
    assert doc.start_step(_at("pick")[0], 36, -1) == _at("We")
    assert doc.start_step(_at("Then")[0], 55, -1) == _at("week")
    assert doc.start_step(*_at("week"), 1) is None  # one word stays
    assert doc.start_step(9, 36, -1) is None  # nothing before the first word


def test_unit_steps_behave_as_if_anchored():
    doc = _doc()
    assert doc.unit_step(37, 55, 1, "end") == (37, 81, "end")
    assert doc.unit_step(37, 81, -1, "end") == (37, 55, "end")  # shrinks back
    assert doc.unit_step(37, 55, -1, "end") == (9, 55, "start")  # grows upwards
    assert doc.unit_step(9, 55, 1, "start") == (37, 55, "start")  # shrinks from the top
    a, z = _at("pick")
    assert doc.unit_step(a, z, 1, "end") == (a, 36, "end")  # a word to its sentence's end
    assert doc.unit_step(a, z, -1, "end") == (9, z, "start")  # its sentence's start to it
