"""`FastSplitter` (bibtexparser's splitter with a fast path for entries' fields) must give
exactly bibtexparser's blocks: types, lines, raw text, keys, fields with values and lines,
duplicates and failures — on every real `.bib` file we have and on mutated entries."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from bibtexparser import model
from bibtexparser.splitter import Splitter

from review.ingest.literature import bibtex_splitter
from review.ingest.literature.bibtex_splitter import FastSplitter
from review.ingest.textio import read_text
from tests.conftest import SHARED_TESTDATA, VENDORED, shared_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

ORDINARY = """@string{par = {Public Administration Review}}
@article{bovaird2007beyond,
  author = {Bovaird, Tony and L{\\"o}ffler, Elke},
  title = {Beyond engagement: {UK} co-production},
  journal = par,
  year = 2007, month = jan,
  pages = {846--860},
  abstract = {Users and communities, as co-producers = partners.
    A second line},
}

@misc{empty,}
@book{nocomma, title = {Last field}}
"""


def blocks(splitter: type[Splitter], text: str) -> list:
    """Everything a block says, in a comparable form."""
    out = []
    for block in splitter(text).split().blocks:
        row: list = [type(block).__name__, block.start_line, block.raw]
        inner = getattr(block, "ignore_error_block", None)
        for b in (block, inner) if inner is not None else (block,):
            if isinstance(b, model.Entry):
                row += [b.entry_type, b.key, [(f.key, f.value, f.start_line) for f in b.fields]]
            elif isinstance(b, model.String):
                row += [b.key, b.value]
            elif isinstance(b, model.Preamble):
                row += [b.value]
        if isinstance(block, model.ParsingFailedBlock):
            row.append(getattr(block.error, "abort_reason", str(block.error)))
        if isinstance(block, model.DuplicateFieldKeyBlock):
            row.append(sorted(block.duplicate_keys))
        out.append(row)
    return out


def real_bib_files() -> list[Path]:
    files = sorted(VENDORED.rglob("*.bib")) + sorted(CORPUS.rglob("*.bib"))
    if SHARED_TESTDATA.is_dir():
        files += sorted(SHARED_TESTDATA.rglob("*.bib"))
    return files


def test_every_real_bib_file_splits_exactly_as_bibtexparser_splits_it():
    files = real_bib_files()
    assert len(files) >= 10
    for path in files:
        text = read_text(path.read_bytes()).text
        assert blocks(FastSplitter, text) == blocks(Splitter, text), path


def test_the_shared_bib_files_split_exactly_as_bibtexparser_splits_them():
    folder = shared_file("bibtex")  # (skips, or fails under CI, without ../shared/testdata)
    for path in sorted(folder.rglob("*.bib")):
        text = read_text(path.read_bytes()).text
        assert blocks(FastSplitter, text) == blocks(Splitter, text), path


def test_ordinary_entries_never_take_bibtexparsers_field_walk(monkeypatch):
    """The fast path must really be taken for ordinary fields: nested braces, LaTeX, bare
    numbers and macros, line breaks in a value, a trailing comma, no fields, no comma."""
    expected = blocks(Splitter, ORDINARY)

    def walk(self, first_key_start):
        raise AssertionError("bibtexparser's own field walk was used")

    monkeypatch.setattr(Splitter, "_move_to_end_of_entry", walk)
    assert blocks(FastSplitter, ORDINARY) == expected
    entry = expected[1]
    assert entry[4] == "bovaird2007beyond" and entry[5][4] == ("month", "jan", 5)
    assert entry[5][6][1].endswith("A second line}") and entry[5][6][2] == 7
    assert expected[2][3:] == ["misc", "empty", []] and expected[3][1] == 12


@pytest.mark.parametrize(
    "text",
    [
        '@article{k, title = "quoted", year = 2000}',  # quotes
        "@article{k, title = {a} # {b}}",  # concatenation
        "@article{k, title = {a\\}b}, year = 1}",  # an escaped brace
        "@article{k, note = {x\n@book{y, title = {t}}",  # a block start inside a value
        "@article(k, title = {t})",  # a `(` entry
        "@article{k, title = {t} x, year = 1}",  # text after a value
        "@article{k, title = {t}, title = {u}}",  # a repeated field (fast path, too)
        "@article{k, title = {unclosed\n",  # runs to the end of the file
        "@article{k, title = {a \\\n b}, year = 1}",  # a line break escaped: not counted
        "@article{k, ti tle = {t}}",  # a name with a space
        "@article{k, mail = {a@b.org}, title = {t}}",  # an @ in a value
    ],
)
def test_what_the_fast_path_does_not_read_comes_out_as_bibtexparser_reads_it(text):
    logging.disable(logging.CRITICAL)  # (bibtexparser logs each failed block)
    try:
        assert blocks(FastSplitter, text) == blocks(Splitter, text)
    finally:
        logging.disable(logging.NOTSET)


def test_mutated_real_entries_split_exactly_as_bibtexparser_splits_them(monkeypatch):
    """Random edits of real entries (delimiters, quotes, `@`, `#`, backslashes, line
    breaks, odd whitespace inserted or deleted): both splitters agree on every one, and
    both the fast path and the hand-over to bibtexparser are exercised."""
    texts = [read_text(p.read_bytes()).text for p in real_bib_files()]
    texts.append(ORDINARY)
    pieces = [*'{}",=@#\\\n()% \t', "@article{", "@string{", "\n@misc{x,", " # ", "\\{"]
    pieces += ["\\}", "\\\n", '{"}', "jan", "= {", "},", "\r", "\xa0", "@comment{", "@book("]
    taken = {"fast": 0, "handed over": 0}
    fields_fast = FastSplitter._fields_fast

    def counted(self, first_key_start):
        done = fields_fast(self, first_key_start)
        taken["fast" if done is not None else "handed over"] += 1
        return done

    monkeypatch.setattr(bibtex_splitter.FastSplitter, "_fields_fast", counted)
    rng = random.Random(20081)
    logging.disable(logging.CRITICAL)
    try:
        for _ in range(1500):
            text = rng.choice(texts)
            i = rng.randrange(max(1, len(text) - 2000))
            chunk = list(text[i : i + rng.randint(50, 2000)])
            for _ in range(rng.randint(0, 6)):
                p = rng.randrange(len(chunk) + 1)
                if rng.random() < 0.6:
                    chunk.insert(p, rng.choice(pieces))
                elif chunk:
                    del chunk[min(p, len(chunk) - 1)]
            s = "".join(chunk)
            assert blocks(FastSplitter, s) == blocks(Splitter, s), repr(s)
    finally:
        logging.disable(logging.NOTSET)
    assert taken["fast"] > 500 and taken["handed over"] > 500, taken
