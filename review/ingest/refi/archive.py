"""Reading untrusted .qdpx archives safely: no path traversal, bounded sizes, no zip bombs.

Nothing is extracted to disk: members are read into memory through `SafeArchive.read`, which
refuses unsafe names and stops at a size cap, so a hostile archive costs at most the caps.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from review.ingest.zipcheck import ZIP_ERRORS, ArchiveError, read_member

MAX_MEMBERS = 50_000
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB


class UnsafeArchive(ValueError):
    """The archive cannot be read safely (or is not a zip at all)."""


def safe_name(name: str) -> str | None:
    """The member's normalised relative path, or None if it points outside the archive."""
    n = name.replace("\\", "/")
    if n.startswith("/") or (len(n) > 1 and n[1] == ":") or "\x00" in n:
        return None
    norm = posixpath.normpath(n)
    if norm == ".." or norm.startswith("../") or norm.startswith("/"):
        return None
    return norm


@dataclass
class SafeArchive:
    """A zip read from bytes, with members looked up case-insensitively by safe name."""

    zf: zipfile.ZipFile
    names: dict[str, zipfile.ZipInfo]  # lower-cased safe name -> info
    unsafe: list[str]

    @classmethod
    def open(cls, data: bytes) -> SafeArchive:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except zipfile.BadZipFile as exc:
            raise UnsafeArchive(f"not a zip archive, as a .qdpx project is ({exc})") from exc
        except ZIP_ERRORS as exc:  # (a damaged central directory: negative seek, EOF, ...)
            raise UnsafeArchive(f"damaged zip archive: {' '.join(str(exc).split())}") from exc
        if len(infos) > MAX_MEMBERS:
            raise UnsafeArchive(f"too many members ({len(infos)} > {MAX_MEMBERS})")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise UnsafeArchive(f"archive unpacks to {total} bytes (limit {MAX_TOTAL_BYTES})")
        names: dict[str, zipfile.ZipInfo] = {}
        unsafe: list[str] = []
        for info in infos:
            if info.is_dir():
                continue
            norm = safe_name(info.filename)
            if norm is None:
                unsafe.append(info.filename)
                continue
            names[norm.lower()] = info
        return cls(zf, names, unsafe)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        norm = safe_name(name)
        return None if norm is None else self.names.get(norm.lower())

    def read(self, name: str) -> bytes:
        """A member's bytes; KeyError if absent, UnsafeArchive if over the caps."""
        info = self.find(name)
        if info is None:
            raise KeyError(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeArchive(f"{name}: {info.file_size} bytes (limit {MAX_MEMBER_BYTES})")
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeArchive(f"{name}: compression ratio too high (zip bomb?)")
        try:
            return read_member(self.zf, info, ".qdpx", MAX_MEMBER_BYTES)
        except ArchiveError as exc:
            raise UnsafeArchive(str(exc)) from None
