"""Issue 15, item 4: text from outside is data. A property test per output format checks each
escaper against that format's own reader; then each output, written from a hostile record."""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from review import safetext

REPO = Path(__file__).resolve().parent.parent
# every code point class that matters: controls, escapes, markup characters, surrogates
HOSTILE = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(list("\x1b\x07\x9b\x00\r\n\t[]{}()<>&*_`#|~\\!-+=.^%$@\u202e\ufffe")),
        st.sampled_from(["\\input{x}", "\\write18{rm}", "[/]", "[@click=app.quit]", "<script>"]),
    ),
    max_size=40,
).map("".join)
FAST = settings(max_examples=int(os.environ.get("REVIEW_PROPERTY_EXAMPLES", "300")), deadline=None)


@FAST
@given(HOSTILE)
def test_terminal_output_has_no_control_or_escape_sequence(text):
    out = safetext.terminal(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert not re.search(r"[\ud800-\udfff]", out)
    out.encode("utf-8")  # printable on any UTF-8 terminal


def _expected_md(text: str) -> str:
    return " ".join(safetext.terminal(text).replace("\t", " ").split("\n")).strip()


@FAST
@given(HOSTILE)
def test_markdown_is_read_back_as_the_same_plain_text(text):
    rendered = MarkdownIt("commonmark").render(safetext.markdown(text))
    if not _expected_md(text):
        return
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n"), rendered
    inner = rendered[3:-5]
    assert "<" not in inner  # no tag: no HTML, link, emphasis or code span survived
    assert " ".join(html.unescape(inner).split()) == " ".join(_expected_md(text).split())


@FAST
@given(HOSTILE)
def test_xml_holds_what_xml_chars_leaves(text):
    root = ET.Element("memo", {"name": safetext.xml_chars(text)})
    root.text = safetext.xml_chars(text)
    back = ET.fromstring(ET.tostring(root, encoding="unicode"))

    def lines(t):  # (an XML parser normalises line ends)
        return (t or "").replace("\r\n", "\n").replace("\r", "\n")

    assert lines(back.text) == lines(root.text)


_DANGEROUS = re.compile(r"(?<!\\)\\(input|include|write|write18|openout|immediate|def|catcode)\b")


@FAST
@given(HOSTILE)
def test_bibtex_field_is_one_field_with_nothing_that_executes(text):
    value = safetext.bibtex(text)
    lib = bibtexparser.parse_string(f"@misc{{k,\n  title = {{{value}}},\n  year = {{2020}}\n}}\n")
    assert not lib.failed_blocks, value
    (entry,) = lib.entries
    assert set(entry.fields_dict) == {"title", "year"}  # nothing escaped the field
    assert entry.fields_dict["year"].value == "2020"
    assert not _DANGEROUS.search(value)
    assert "^^" not in value


# --- each output, from a hostile record ---------------------------------------------------------

EVIL_RIS = (
    "TY  - JOUR\n"
    "TI  - Evil \x1b]0;pwned\x07\x1b[2J [/] [@click=app.quit]x[/] <script>alert(1)</script>"
    " \\input{/etc/passwd} \\immediate\\write18{rm -rf ~} }\n"
    "AU  - Doe, Jane\n"
    "PY  - 2020\n"
    "ER  - \n"
)


def _evil_workspace(cli, ws, tmp_path):
    path = tmp_path / "evil.ris"
    path.write_text(EVIL_RIS, encoding="utf-8")
    r = cli("-w", ws.root, "import", path)
    assert r.code == 0, r.err
    return path


def test_the_cli_prints_no_escape_sequence(cli, ws, tmp_path):
    _evil_workspace(cli, ws, tmp_path)
    r = cli("-w", ws.root, "screen", "list")
    assert "Evil" in r.out and "\x1b" not in r.out and "\x07" not in r.out


def test_bibtex_export_of_a_ris_title_neutralises_tex(cli, ws, tmp_path):
    _evil_workspace(cli, ws, tmp_path)
    out = tmp_path / "x.bib"
    assert cli("-w", ws.root, "export", "bibtex", "--all", "-o", out).code == 0
    text = out.read_text("utf-8")
    assert "\\textbackslash{}input" in text and not _DANGEROUS.search(text)
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks and len(lib.entries) == 1
    assert "\x1b" not in text


def test_markdown_brief_and_excerpts_carry_no_html(cli, ws, tmp_path):
    _evil_workspace(cli, ws, tmp_path)
    out = tmp_path / "brief"
    r = cli("-w", ws.root, "brief", "--format", "md", "-o", out)
    assert r.code == 0, r.err
    brief = (out / "brief.md").read_text("utf-8")
    assert "Evil" in brief and "<script>" not in brief and "&lt;script>" in brief


def test_qdpx_with_control_characters_in_names_and_memos_reads_back(cli, ws, tmp_path):
    from review.coding.codebook import ensure_codebook
    from review.store import models as m
    from review.store.db import session_scope

    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
        s.add(m.Code(name="Bad\x01name\x0b", definition="def\x1b[2J"))
        s.add(m.Memo(text="memo \x00 with \x08 controls \ufffe"))
    out = tmp_path / "p.qdpx"
    r = cli("-w", ws.root, "export", "qdpx", "-o", out)
    assert r.code == 0, r.err
    import zipfile

    xml = zipfile.ZipFile(out).read("project.qde")
    root = ET.fromstring(xml)  # readable XML
    names = [el.get("name") for el in root.iter() if el.tag.endswith("Code")]
    assert "Badname" in names


async def test_the_workbench_shows_markup_in_titles_as_text(ws, tmp_path):
    from rich.text import Text
    from textual.widgets import DataTable

    from review.store import models as m
    from review.store.db import session_scope
    from tests.tui_helpers import running, settle

    title = "Closing [/] and [@click=app.quit]clicking[/] and [bold]bold[/bold]"
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="evil", kind="article", title=title, year=2020, authors=["Doe, J"]))
    for screen in ("library", "screening"):
        async with running(ws) as (app, pilot):
            await app.action_go(screen)
            await settle(app, pilot)
            assert app.is_running
            if screen == "library":
                table = app.screen.query_one(DataTable)
                # shown as the DataTable shows a cell: a str is read as markup, a Text as is
                shown = [
                    c.plain if isinstance(c, Text) else Text.from_markup(str(c)).plain
                    for c in table.get_row_at(0)
                ]
                assert title in shown, shown
