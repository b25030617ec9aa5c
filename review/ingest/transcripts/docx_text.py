"""Word `.docx` files as text, with the bold runs that often mark a speaker's name.

The archive is checked before python-docx opens it: a file that is not a zip (an old `.doc`,
a PDF or text renamed `.docx`), a zip without `word/document.xml`, a zip bomb, or a DTD in the
document XML (entity expansion) is refused with a one-line reason.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from review.ingest import zipcheck

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


class DocxError(ValueError):
    """The file cannot be read as a Word document; the message says why, in one line."""


def _what_is_it(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "it is a PDF"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an old binary Word .doc (save it as .docx)"
    if data.startswith(b"{\\rtf"):
        return "it is an RTF file"
    if not data.strip():
        return "it is empty"
    if data.startswith(b"PK\x03\x04"):  # a zip whose end (the central directory) is missing
        return "the zip archive is truncated or damaged (copy the file again)"
    return "it is not a zip archive"


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Open the bytes as a zip and refuse what is not a safe Word document."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocxError(f"not a Word .docx file: {_what_is_it(data)}")
    try:
        archive = zipcheck.open_zip(data, ".docx", max_bytes=MAX_UNCOMPRESSED, max_ratio=MAX_RATIO)
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "word/document.xml" not in names:
            raise DocxError("not a Word .docx file: the zip has no word/document.xml")
        for info in infos:  # python-docx's lxml parser must never see a DTD (entity expansion)
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise DocxError(
                        f"refused: {info.filename} in the .docx declares a DTD or entities"
                    )
    except DocxError:
        raise
    except zipcheck.ArchiveError as exc:
        raise DocxError(str(exc)) from None
    except zipcheck.ZIP_ERRORS as exc:
        raise DocxError(f"damaged .docx archive: {' '.join(str(exc).split())}") from None
    return archive


def _bold_prefix(paragraph) -> int:
    """Length of the bold text at the start of a paragraph (0 if it does not start bold)."""
    width = 0
    for run in paragraph.runs:
        text = run.text
        if not text:
            continue
        bold = run.bold
        if bold is None and run.style is not None and run.style.font is not None:
            bold = run.style.font.bold
        if not bold:
            if width == 0 and not text.strip():
                width += len(text)
                continue
            break
        width += len(text)
    return width if paragraph.text[:width].strip() else 0


def read_docx(data: bytes) -> tuple[str, dict[int, int]]:
    """(text, bold) of a .docx: non-empty paragraphs (and table rows) separated by blank
    lines; `bold` maps a line index of the text to the width of a leading bold run."""
    check_archive(data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise DocxError(f"cannot read the .docx: {type(exc).__name__}: {exc}") from None
    blocks: list[tuple[str, int]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append((item.text, _bold_prefix(item)))
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [c.text.strip() for c in row.cells]
                cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if len(cells) == 2 and len(cells[0]) <= 50 and "\n" not in cells[0]:
                    name = cells[0].rstrip(":").rstrip()  # a "Cat:" cell reads "Cat: …"
                    blocks.append((f"{name}: {cells[1]}", 0))
                elif cells:
                    blocks.append(("\t".join(cells), 0))
    lines: list[str] = []
    bold: dict[int, int] = {}
    for raw, width in blocks:
        text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
        if not text.strip():
            continue
        if lines:
            lines.append("")
        if width:
            bold[len(lines)] = len(unicodedata.normalize("NFC", raw[:width]))
        lines.extend(text.split("\n"))
    return "\n".join(lines) + ("\n" if lines else ""), bold
