"""Reading text files from outside: encodings, byte-order marks, line ends, normalisation.

Every importer decodes through here so a source's text is normalised exactly once: NFC and
`\\n` line ends. Offsets into that text are code points (Python `str` indices).
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # Set when the bytes were not all what their encoding said (a BOM then a bad byte), or the
    # encoding is a guess (not UTF-8: read as cp1252; UTF-16 without a BOM): the one-line
    # notice an importer reports as a warning, e.g. "not valid UTF-8 at byte 1,204 (after a
    # UTF-8 byte-order mark): 3 bytes read as cp1252".
    notice: str | None = None
    line: int | None = None  # the line of the first byte the notice is about, when known
    # NUL characters removed by `normalise` (a stray one in an export): how many, and the line
    # of the first. They are no text, and PostgreSQL refuses them in a text column.
    nuls: int = 0
    nul_line: int | None = None


def decode(data: bytes) -> Decoded:
    """Decode bytes: BOM first, then UTF-16 without BOM (NUL pattern), UTF-8, else UTF-8 with
    its undecodable bytes read as cp1252 (latin-1 for the five bytes cp1252 leaves undefined).

    Never raises: bytes a BOM promised as UTF-8 that are not (Scopus, WoS and Notepad files
    start with one) are read the way the same bytes without the BOM are, and UTF-16/32 bytes
    that do not decode become U+FFFD; either way `notice` says where the first bad byte is.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_declared(data, bom, name)
    if len(data) >= 4 and b"\x00" in data[:200]:
        utf16 = _utf16_without_bom(data[:200])
        if utf16:
            try:
                how = "little" if utf16 == "utf-16-le" else "big"
                said = f"no byte-order mark: read as UTF-16 ({how}-endian), from its zero bytes"
                return Decoded(data.decode(utf16), utf16, said)
            except UnicodeDecodeError as exc:
                text = data.decode(utf16, errors="replace")
                return Decoded(text, utf16, _notice("UTF-16", exc.start, False))
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    if _cut_short(data, first):  # UTF-8 to its last bytes: a character cut off, not cp1252
        line = data.count(b"\n", 0, first) + 1
        notice = (
            f"the file ends in the middle of a character (its last {len(data) - first} "
            "byte(s) dropped): was it cut short, a download interrupted?"
        )
        return Decoded(data[:first].decode("utf-8"), "utf-8", notice, line)
    # Mostly UTF-8 with a few cp1252 bytes (a dash pasted from Word) must not turn every
    # accent in the file into mojibake: only the bytes that are not UTF-8 are read as cp1252.
    # A file that is cp1252 throughout decodes the same way, byte by byte. Either way it is a
    # guess, so the notice says so and where (a Latin-1 .bib or .ris imports with a warning).
    text = data.decode("utf-8", errors=_CP1252_FALLBACK)
    line = data.count(b"\n", 0, first) + 1
    notice = (
        f"not UTF-8 (first at byte {first:,}): read as Windows-1252 (Latin-1); "
        "check its accented letters"
    )
    return Decoded(text, "cp1252", notice, line)


def _cut_short(data: bytes, first: int) -> bool:
    """Whether the bytes from `first` (the first that are not UTF-8) are the start of one
    UTF-8 character that the end of the file cut off. Only in a file with UTF-8 characters
    before them: in an ASCII one a last byte such as \xe9 is as likely cp1252's é."""
    rest = data[first:]
    if not 0 < len(rest) < 4 or data[:first].isascii():
        return False
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(rest, final=False) == ""
    except UnicodeDecodeError:
        return False


def _decode_declared(data: bytes, bom: bytes, name: str) -> Decoded:
    if name == "utf-8-sig":  # (decoded past the BOM so the error's offset is the file's)
        rest = data[len(bom) :]
        try:
            return Decoded(rest.decode("utf-8"), name)
        except UnicodeDecodeError as exc:
            text = rest.decode("utf-8", errors=_CP1252_FALLBACK)
            where = exc.start + len(bom)
            return Decoded(text, name, _notice("UTF-8", where, True, "read as cp1252"))
    try:
        return Decoded(data.decode(name), name)
    except UnicodeDecodeError as exc:
        text = data.decode(name, errors="replace")
        return Decoded(text, name, _notice(name.upper(), exc.start, True))


def _notice(label: str, where: int, bom: bool, how: str = "replaced by U+FFFD") -> str:
    """ "not valid UTF-8 at byte 1,204 (after a UTF-8 byte-order mark): the bad bytes read
    as cp1252" — `where` counts from the start of the file, BOM included."""
    after = f" (after a {label} byte-order mark)" if bom else ""
    return f"not valid {label} at byte {where:,}{after}: the bad bytes {how}"


def _utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le`/`-be` when NULs fall on one side of at least one character in ten (spaces,
    digits and ASCII letters in UTF-16; Cyrillic text still has its spaces), else None: a
    stray NUL or two in a UTF-8 file does not make the whole file UTF-16."""
    evens, odds = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if odds > evens * 3 and odds * 10 >= pairs:
        return "utf-16-le"
    if evens > odds * 3 and evens * 10 >= pairs:
        return "utf-16-be"
    return None


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
    return "".join(_CP1252[b] for b in err.object[err.start : err.end]), err.end


# cp1252 per byte; its five undefined bytes read as latin-1 (C1 controls), as before.
_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
_CP1252_FALLBACK = "review-cp1252"
codecs.register_error(_CP1252_FALLBACK, _cp1252_bytes)


def normalise(text: str) -> str:
    """NFC, `\\n` line ends, no BOM, no NUL: the one normal form of a source's text. A NUL
    (a stray byte in an export, a PDF's text) is no character a reader sees, and PostgreSQL
    refuses it in a text column: the whole import would fail as an internal error there."""
    if "\x00" in text:  # (one scan in C; rare)
        text = text.replace("\x00", "")
    if "\r" in text:  # (one scan instead of two copying passes for "\n"-only text)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def read_text(data: bytes) -> Decoded:
    """Decode and normalise in one step."""
    d = decode(data)
    first = d.text.find("\x00")
    if first < 0:
        return Decoded(normalise(d.text), d.encoding, d.notice, d.line)
    nuls = d.text.count("\x00")
    line = d.text.count("\n", 0, first) + 1
    return Decoded(normalise(d.text), d.encoding, d.notice, d.line, nuls, line)


def allow_csv_fields(size: int) -> None:
    """Let Python's csv module read fields up to `size` characters (the text being read).

    Its default limit, 131,072, rejects real rows: a Scopus export's References column of a
    review paper, or an abstract or a transcript pasted into one cell. The limit is
    process-wide; it is only ever raised.
    """
    import csv

    if size > csv.field_size_limit():
        csv.field_size_limit(size)


def sniff_delimiter(text: str, delimiters: str = ",;\t") -> str:
    """The delimiter of a CSV: the most frequent of `delimiters` in its header line (the
    first of them on a tie). One linear scan of one line: `csv.Sniffer` backtracks on runs
    of quotes (423 bytes took it 35 s), so it never sees untrusted text."""
    first = text.split("\n", 1)[0]
    return max(delimiters, key=first.count)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (NULs outside UTF-16)."""
    head = data[:4096]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        return _utf16_without_bom(head) is None
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05
