"""The suite stands alone: vendored third-party files are attributed and unchanged, and a test
of a file we may not vendor skips without ../shared/testdata — or fails where CI requires it."""

from __future__ import annotations

import re

import pytest

from tests import conftest
from tests.conftest import VENDORED, data_file, shared_file

ATTRIBUTION = VENDORED / "ATTRIBUTION.md"


def _vendored() -> list[str]:
    files = (p for p in VENDORED.rglob("*") if p.is_file() and p != ATTRIBUTION)
    return sorted(str(p.relative_to(VENDORED)) for p in files)


def test_every_vendored_file_is_attributed_with_origin_and_licence():
    rows = {}
    for line in ATTRIBUTION.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and "/" in cells[0] and cells[0] != "file":
            rows[cells[0]] = cells
    assert sorted(rows) == _vendored()
    for name, origin, licence in rows.values():
        assert ":" in origin and licence, name


def test_vendored_files_are_the_shared_ones_marked_vendor_ok(shared):
    manifest = (shared / "MANIFEST.md").read_text("utf-8")
    vendor_ok = {
        m.group(1) for m in re.finditer(r"^\| (\S+) \|[^\n]*vendor OK[^\n]*\|$", manifest, re.M)
    }
    for rel in _vendored():
        assert rel in vendor_ok, f"{rel} is not marked vendor OK in the manifest"
        assert (VENDORED / rel).read_bytes() == (shared / rel).read_bytes(), rel


def test_a_vendored_file_is_found_without_the_shared_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED_TESTDATA", tmp_path / "absent")
    assert data_file("ris/rispy_example_bom.ris") == VENDORED / "ris/rispy_example_bom.ris"


def test_without_the_shared_folder_a_test_skips_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED_TESTDATA", tmp_path / "absent")
    monkeypatch.delenv(conftest.REQUIRE_SHARED, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        data_file("bibtex/biber_crossrefs.bib")
    assert str(skipped.value) == (
        "needs ../shared/testdata/bibtex/biber_crossrefs.bib (not vendored: licence), absent"
    )


def test_where_ci_requires_the_shared_folder_its_absence_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED_TESTDATA", tmp_path / "absent")
    monkeypatch.setenv(conftest.REQUIRE_SHARED, "1")
    with pytest.raises(pytest.fail.Exception, match="REVIEW_REQUIRE_SHARED=1 requires it"):
        shared_file("qdpx/REFI_Project.xsd")
