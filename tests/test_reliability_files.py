"""Issue 15, item 5 (and 7's full disk): every export and brief is written to a temporary
file in the same folder and renamed into place, so a full disk or a kill leaves the previous
file whole. The full disk is real where the test may mount a small tmpfs (root), else ENOSPC
is raised by the file system call itself."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from review import files
from review.errors import ReviewError
from review.outputs import writer

REPO = Path(__file__).resolve().parent.parent
BIB = REPO / "corpus" / "literature" / "co-production.bib"


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs when we may mount one, else None."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        yield None
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path) -> None:
    """Use up the file system's free space."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_an_export_on_a_full_disk_keeps_the_previous_file(cli, ws, small_disk, monkeypatch):
    assert cli("-w", ws.root, "import", BIB).code == 0
    out = (small_disk or ws.root) / "included.bib"
    r = cli("-w", ws.root, "export", "bibtex", "--all", "-o", out)
    assert r.code == 0, r.err
    good = out.read_bytes()
    assert good.count(b"@") >= 5
    if small_disk is not None:
        _fill(small_disk)
    else:  # no tmpfs: the disk fills while the new file is written

        def full(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(files.os, "fsync", full)
    r = cli("-w", ws.root, "export", "bibtex", "--all", "-o", out)
    assert r.code == 1
    assert r.err.strip() == f"review: error: cannot write {out}: No space left on device"
    assert out.read_bytes() == good  # whole, not cut mid-entry
    assert sorted(p.name for p in out.parent.iterdir() if p.name.endswith(".part")) == []


def test_write_file_replaces_atomically_and_keeps_the_mode(tmp_path, monkeypatch):
    path = tmp_path / "out" / "a.txt"
    writer.write_file(path, b"first")
    os.chmod(path, 0o640)
    writer.write_file(path, b"second")
    assert path.read_bytes() == b"second" and (path.stat().st_mode & 0o777) == 0o640

    def killed(src, dst):
        raise KeyboardInterrupt  # a kill between writing and renaming

    monkeypatch.setattr(files.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        writer.write_file(path, b"third")
    assert path.read_bytes() == b"second"
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_a_read_only_folder_is_one_line(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(ReviewError, match="cannot write"):
        writer.write_file(folder / "x", b"x")


def test_the_brief_is_written_through_the_one_writer(cli, ws, monkeypatch):
    assert cli("-w", ws.root, "import", BIB).code == 0
    seen: list[str] = []
    real = writer.write_file

    def spy(path, data):
        seen.append(Path(path).name)
        return real(path, data)

    monkeypatch.setattr(writer, "write_file", spy)  # (the exports)
    monkeypatch.setattr(files, "write_file", spy)  # (the note and its figures)
    r = cli("-w", ws.root, "brief", "-o", ws.root / "exports")
    assert r.code == 0, r.err
    assert "brief.md" in seen and "brief.html" in seen and "brief.docx" in seen
    assert any(n.endswith(".csv") for n in seen)
