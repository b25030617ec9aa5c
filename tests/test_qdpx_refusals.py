"""A .qdpx that cannot be read says why in one line a reviewer understands."""

from __future__ import annotations

import zipfile


def _import(cli, ws, path):
    r = cli("-w", ws.root, "import", path, "--json")
    (f,) = r.json()["files"]
    return r.code, f["status"], [p["message"] for p in f["problems"]]


def test_a_qdpx_that_is_not_a_zip_says_so(ws, cli, tmp_path):
    path = tmp_path / "project.qdpx"
    path.write_text("hello, I am a text file saved as .qdpx\n")
    code, status, msgs = _import(cli, ws, path)
    assert code == 1 and status == "failed"
    assert msgs and "not a zip archive" in msgs[0] and "format not recognised" not in msgs[0]


def test_a_qdpx_declaring_entities_is_refused_in_plain_words(ws, cli, tmp_path):
    path = tmp_path / "xxe.qdpx"
    qde = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
    code, status, msgs = _import(cli, ws, path)
    assert code == 1 and status == "failed"
    assert "declares a DTD or XML entities" in msgs[0]
    assert "system_id" not in msgs[0] and "passwd" not in msgs[0]  # no exception repr


def test_a_qdc_codebook_declaring_entities_is_refused_in_the_same_words(ws, cli, tmp_path):
    path = tmp_path / "codes.qdc"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="a" name="&x;" isCodable="true"/></Codes></CodeBook>'
    )
    r = cli("-w", ws.root, "codebook", "import", path)
    assert r.code == 1 and "declares a DTD or XML entities" in r.err
    assert "EntitiesForbidden(" not in r.err
