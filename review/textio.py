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


def decode(data: bytes) -> Decoded:
    """Decode bytes: BOM first, then UTF-16 without BOM (NUL pattern), UTF-8, cp1252, latin-1."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(name), name)
    if len(data) >= 4 and b"\x00" in data[:200]:
        evens, odds = data[0:200:2].count(0), data[1:200:2].count(0)
        if odds > evens * 3:
            return Decoded(data.decode("utf-16-le", errors="replace"), "utf-16-le")
        if evens > odds * 3:
            return Decoded(data.decode("utf-16-be", errors="replace"), "utf-16-be")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1")


def normalise(text: str) -> str:
    """NFC, `\\n` line ends, no BOM: the one normal form of a source's text."""
    if "\r" in text:  # (one scan instead of two copying passes for "\n"-only text)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def read_text(data: bytes) -> Decoded:
    """Decode and normalise in one step."""
    d = decode(data)
    return Decoded(normalise(d.text), d.encoding)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (NULs outside UTF-16)."""
    head = data[:4096]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        evens, odds = head[0::2].count(0), head[1::2].count(0)
        return not (odds > evens * 3 or evens > odds * 3)
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05
