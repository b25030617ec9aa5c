"""Text from outside is data: the one home of escaping it for each place it is shown or written.

Titles, names, memos and transcripts come from files anybody wrote. Shown or written as they
are, they can clear a terminal and set its title (escape sequences in a BibTeX field), inject
HTML into a Markdown brief (`<script>`), make XML that cannot be read back (a control
character in a memo), or run TeX code when a BibTeX export is compiled (`\\input{…}`,
`\\write18`). Each function here makes one kind of output safe and nothing else; the property
tests in `tests/test_safetext.py` check each against its own reader.
"""

from __future__ import annotations

import re

# --- terminals --------------------------------------------------------------------------------

# ESC sequences (CSI "ESC [ … final", OSC "ESC ] … BEL or ESC \\", DCS/PM/APC/SOS strings,
# two-character escapes), then any C0/C1 control but tab and newline, DEL, and the bidi
# controls that reorder what a terminal shows (Trojan Source).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -~]?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def terminal(text: str) -> str:
    """`text` safe to print: escape sequences and control characters removed (newline and
    tab kept), lone surrogates (undecodable file names) as U+FFFD."""
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


# --- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")  # an & that would start a character reference
_MD_LINE_START = re.compile(r"^(\s*)([#+\->=])", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def html_inert(text: str) -> str:
    """Text that Markdown's raw HTML cannot act on, and that still reads as itself in the
    file: `<` as `&lt;` (no tag, comment or autolink can start), and `&` as `&amp;` only
    where it would start a character reference (`&copy;`, `&#38;`). Why not every `&` and
    `>`: "Cassia, F., &amp; Magno, F." is what a reader of the .md file then sees, and a
    lone `&` or `>` is literal text in CommonMark."""
    return _MD_ENTITY.sub("&amp;", text).replace("<", "&lt;")


def markdown(text: str, lines: bool = False) -> str:
    """`text` as literal Markdown inline text: HTML inert (`html_inert`: `<script>` is
    shown, never run), the punctuation that makes emphasis, code, links, tables and
    strike-through backslash-escaped, and a line never starting a heading, list or quote.
    Control characters are dropped; line breaks become spaces unless `lines` (a block
    quote's lines, each then prefixed by the writer)."""
    text = html_inert(terminal(text).replace("\t", " "))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if not lines:
        text = " ".join(text.split("\n"))
    # (four leading spaces would start a code block)
    text = "\n".join(line.lstrip(" ") for line in text.split("\n"))
    text = _MD_LINE_START.sub(r"\1\\\2", text)
    return _MD_NUMBERED.sub(r"\1\\\2", text)


# --- XML --------------------------------------------------------------------------------------

# What XML 1.0 forbids in a document: C0 controls but tab, newline and carriage return;
# surrogates; U+FFFE and U+FFFF.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (escaping `<` and `&` is the XML
    writer's job; these it cannot escape at all)."""
    return _XML_FORBIDDEN.sub("", text)


# --- BibTeX -----------------------------------------------------------------------------------

# TeX primitives and LaTeX commands that read or write files, run shell commands or redefine
# what later commands do; in a field they become harmless text (`\textbackslash{}input`).
_TEX_DANGEROUS = re.compile(
    r"\\(input|include|includeonly|InputIfFileExists|openin|openout|read|readline|write"
    r"|write18|immediate|ShellEscape|directlua|luaexec|catcode|def|edef|gdef|xdef|let"
    r"|newcommand|renewcommand|providecommand|csname|endcsname|expandafter|usepackage"
    r"|RequirePackage|documentclass|special|outer|everyjob|everypar|jobname|output)"
    r"(?![A-Za-z])"
)


def bibtex(value: str) -> str:
    """A field value safe between BibTeX braces: commands that read or write files or run
    programs neutralised (`\\input` becomes `\\textbackslash{}input`), braces balanced (an
    unmatched `}` would close the field and let the rest be read as new fields; an unmatched
    `{` would swallow the entries after it), control characters dropped."""
    return _balanced(bibtex_commands(terminal(value).replace("\t", " ")))


def bibtex_commands(value: str) -> str:
    """Only the commands of `bibtex`: for raw BibTeX written back as it was read."""
    value = _TEX_DANGEROUS.sub(r"\\textbackslash{}\1", value)
    if "^^" in value:  # TeX reads ^^5c as a backslash
        value = value.replace("^^", "\\^{}\\^{}")
    return value


_ESCAPED_BRACE = re.compile(r"\\([{}])")
_BRACE_WORD = {"{": "\\textbraceleft{}", "}": "\\textbraceright{}"}


def _balanced(value: str) -> str:
    """Braces that BibTeX and bibtexparser both count the same way, all matched.

    BibTeX counts every brace, escaped or not, while bibtexparser skips a brace after a
    backslash; so no brace is left after a backslash (`\\{` is `\\textbraceleft{}`, the same
    character in LaTeX), an unmatched brace becomes its word too, and a trailing backslash
    gets a space (it would escape the field's closing brace)."""
    value = _ESCAPED_BRACE.sub(lambda m: _BRACE_WORD[m.group(1)], value)
    out: list[str] = []
    opened: list[int] = []  # indexes in `out` of unmatched "{"
    for ch in value:
        if ch == "{":
            opened.append(len(out))
        elif ch == "}":
            if opened:
                opened.pop()
            else:
                ch = _BRACE_WORD["}"]
        out.append(ch)
    for i in opened:
        out[i] = _BRACE_WORD["{"]
    text = "".join(out)
    return text + " " if text.endswith("\\") else text
