"""Opening untrusted zip archives (.docx, .xlsx, .qdpx) without trusting their headers.

Every reader of a zip-based format opens it here first, so each refuses the same attacks with
the same limits: not a zip, a damaged zip (any of the half-dozen exception types `zipfile`
and `zlib` raise on broken bytes), too many members, too many bytes once inflated, or an
inflation ratio only a zip bomb has. The limits are in the README's *Reliability* section.
"""

from __future__ import annotations

import io
import zipfile
import zlib

MAX_MEMBERS = 50_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # the sum of the members' declared sizes
MAX_RATIO = 200  # inflated / compressed, for archives that inflate beyond RATIO_FROM bytes
RATIO_FROM = 1 << 20

# What reading a damaged archive raises: a bad header, a negative seek, a CRC mismatch, a
# truncated deflate stream, an unknown compression method, an encrypted member.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
)


class ArchiveError(ValueError):
    """The archive is not a zip, is damaged, or is refused by the limits; one line."""


def open_zip(
    data: bytes,
    what: str,
    *,
    max_members: int = MAX_MEMBERS,
    max_bytes: int = MAX_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
) -> zipfile.ZipFile:
    """The bytes as a zip, refused (ArchiveError naming `what`, e.g. ".xlsx") when damaged
    or when its declared sizes exceed the limits. Members may still lie about their size:
    read them with `read_member`, which stops at the declared size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS as exc:
        raise ArchiveError(f"damaged {what} archive: {_reason(exc)}") from None
    if len(infos) > max_members:
        raise ArchiveError(
            f"refused: the {what} has {len(infos):,} members (limit {max_members:,})"
        )
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > max_bytes:
        raise ArchiveError(
            f"refused: the {what} expands to {total:,} bytes (limit {max_bytes:,}; a zip bomb?)"
        )
    if total > RATIO_FROM and total / packed > max_ratio:
        raise ArchiveError(
            f"refused: the {what} expands {total / packed:,.0f} times (limit {max_ratio}; "
            "a zip bomb?)"
        )
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, limit: int) -> bytes:
    """A member's bytes, never more than its declared size or `limit`; damage is an
    ArchiveError."""
    out = bytearray()
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(1 << 20):
                out += chunk
                if len(out) > info.file_size or len(out) > limit:
                    raise ArchiveError(
                        f"refused: {info.filename} in the {what} holds more than it declares"
                    )
    except ArchiveError:
        raise
    except ZIP_ERRORS as exc:
        raise ArchiveError(f"damaged {what} archive: {info.filename}: {_reason(exc)}") from None
    return bytes(out)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
