"""Files we write are written safely: a temporary file in the same folder, flushed, renamed
into place. One home for every layer that writes a file the user keeps (exports, the brief,
the codebook's TOML), so a full disk or a kill never leaves a file cut mid-way."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from review.errors import ReviewError


def write_file(path: Path, data: bytes) -> Path:
    """Write `data` to `path` (making its folder) safely: into a temporary file in the same
    folder, flushed to disk, then renamed over `path` — so a full disk, a kill or a crash
    leaves the previous file whole (never cut mid-entry) and no half-written file behind.
    The file keeps the mode a new file gets (or the replaced file's). An OS error is a
    one-line ReviewError."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _mode(path))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise ReviewError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def _mode(path: Path) -> int:
    """The replaced file's permissions, else what `open()` would give a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
