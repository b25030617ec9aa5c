"""The codebook TOML writer (tomli-w): whatever text a code holds comes back from the file."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from review.coding.codebook import CodeSpec, dump_toml, load_toml, parse_toml

# Any text at all: every code point hypothesis draws (controls, "\r", quotes, backslashes,
# astral characters), except lone surrogates, which no UTF-8 file can hold.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1)
NASTY = st.sampled_from(["\r", "\r\n", "\n", '"', '"""', "\\", "\\n", "'''", "\x00", "\x7f"])
ANY = st.one_of(TEXT, st.lists(st.one_of(TEXT, NASTY), min_size=1).map("".join))
# A path segment is stored trimmed and never empty (normalise_path), and "/" separates them.
SEGMENT = ANY.map(lambda s: s.replace("/", "").strip()).filter(bool)


@st.composite
def codebooks(draw) -> list[CodeSpec]:
    """A small tree: each code's parent is an earlier code (or none)."""
    specs: list[CodeSpec] = []
    for _ in range(draw(st.integers(1, 4))):
        parent = draw(st.sampled_from([None, *[s.path for s in specs]]))
        # sibling names are unique ignoring case (validate_specs): 'F' beside 'f' is refused
        name = draw(SEGMENT.filter(lambda n, p=parent: all(
            s.path.casefold() != (f"{p}/{n}" if p else n).casefold() for s in specs)))  # fmt: skip
        specs.append(
            CodeSpec(
                path=f"{parent}/{name}" if parent else name,
                definition=draw(st.none() | ANY),
                include=draw(st.none() | ANY),
                exclude=draw(st.none() | ANY),
                example=draw(st.none() | ANY),
                keywords=draw(st.lists(ANY, max_size=4)),
                colour=draw(st.none() | st.from_regex(r"\A#[0-9A-Fa-f]{6}\Z")),
                shortcut=None,
                codable=draw(st.booleans()),
                guid=draw(st.none() | ANY),
            )
        )
    keys = draw(st.lists(st.characters(exclude_categories=("Cs",)), unique=True,
                         max_size=len(specs)))  # fmt: skip
    for spec, key in zip(specs, keys, strict=False):
        spec.shortcut = key
    return specs


@settings(max_examples=300, deadline=None)
@given(codebooks(), ANY, st.integers(-(2**63), 2**63 - 1))
def test_any_text_round_trips_through_the_file(specs, name, version):
    text = dump_toml({"name": name, "version": version}, specs)
    meta, again = parse_toml(text)
    assert again == specs
    assert meta == {"name": name, "version": version}


def test_a_carriage_return_in_a_definition_reads_back(tmp_path):
    """The hand-made writer wrote "\\r" raw, which TOML forbids: the file did not load."""
    spec = CodeSpec(path="A", definition="first line\r\nsecond\rthird")
    out = tmp_path / "book.toml"
    out.write_text(dump_toml({"name": "Codebook"}, [spec]), "utf-8")
    _, again = load_toml(out)
    assert again == [spec]


def test_layout_stays_one_readable_table_per_code():
    """Multi-line text is written as a multi-line string and keywords one a line, so a pull
    request shows the lines that changed; a code holding a "\\r" falls back to escapes alone."""
    specs = [
        CodeSpec(path="A", definition="one\ntwo", keywords=["x", "y"], codable=False),
        CodeSpec(path="A/B", definition="carriage\r\nreturn", example="plain"),
    ]
    text = dump_toml({"name": "Book"}, specs)
    assert text.startswith("# Codebook written by `review codebook export`.\n\n[codebook]\n")
    assert text.count("[[codes]]") == 2
    first, second = text.split("[[codes]]")[1:]
    assert 'definition = """\none\ntwo"""' in first
    assert 'keywords = [\n    "x",\n    "y",\n]' in first and "codable = false" in first
    assert 'definition = "carriage\\r\\nreturn"' in second
    assert tomllib.loads(text)["codes"][1]["definition"] == "carriage\r\nreturn"
