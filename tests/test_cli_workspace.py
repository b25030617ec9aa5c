"""`review init`, `review status`, the bare command and the exit-code contract."""

from __future__ import annotations

import pytest

from review.cli import main

pytestmark = pytest.mark.backends("sqlite", "postgres")


def test_init_then_status_json_zero_counts(cli, tmp_path):
    w = tmp_path / "w"
    r = cli("init", w)
    assert r.code == 0, r.err
    for name in ("corpus", "codebook", "exports", "review.db"):
        assert (w / name).exists()
    assert (w / "codebook" / "co-production.toml").read_text().count("[[codes]]") >= 10
    r = cli("-w", w, "status", "--json")
    assert r.code == 0
    doc = r.json()
    counts = doc["counts"]
    assert counts.pop("sources_by_kind") == {}
    assert set(counts.values()) == {0}
    assert "0001_initial" in doc["schema"]


def test_status_says_when_the_codebook_file_is_not_loaded_yet(cli, tmp_path):
    """A new user's walk: `review status` of a new workspace said "codes 0" beside a codebook
    file of 28 codes, which read as a codebook that failed to load; it is loaded when first
    used. Once loaded, the count stands alone."""
    w = tmp_path / "w"
    assert cli("init", w).code == 0
    out = cli("-w", w, "status").out
    line = next(ln for ln in out.splitlines() if ln.startswith("codes "))
    assert line.split()[1] == "0"
    assert "(codebook/co-production.toml is loaded when first used" in line
    assert cli("-w", w, "codebook", "list").code == 0  # a coding command loads it
    line = next(ln for ln in cli("-w", w, "status").out.splitlines() if ln.startswith("codes "))
    assert int(line.split()[1]) >= 10 and "loaded when first used" not in line


def test_brief_says_the_corpus_waits_for_its_first_import(cli, tmp_path):
    """A new user's walk: `review brief` on a fresh clone of the sample workspace wrote an empty
    note ("No literature has been imported yet") and said nothing of the files in corpus/,
    which the workbench imports when it first opens. It says so now, until the first import.
    (`review status` stays light: it reads counts by table name, no importer.)"""
    import json
    import shutil
    from pathlib import Path

    w = tmp_path / "w"
    assert cli("init", w).code == 0
    bib = Path(__file__).resolve().parents[1] / "corpus" / "literature" / "co-production.bib"
    shutil.copy(bib, w / "corpus" / "co-production.bib")
    hint = "hint: nothing is imported yet: review import corpus loads the files in corpus/"
    done = cli("-w", w, "brief", "--format", "md", "-o", tmp_path / "out")
    assert done.code == 0 and hint in done.out
    doc = json.loads(cli("-w", w, "brief", "--json", "--format", "md", "-o", tmp_path / "o").out)
    assert doc["hints"] == [hint.removeprefix("hint: ") + " (the workbench imports them when "
                            "it first opens)"]  # fmt: skip
    assert cli("-w", w, "import", w / "corpus").code == 0
    assert "nothing is imported yet" not in cli("-w", w, "brief", "-o", tmp_path / "o").out
    # an empty corpus has nothing to wait for
    e = tmp_path / "e"
    assert cli("init", e).code == 0
    assert "nothing is imported yet" not in cli("-w", e, "brief", "-o", tmp_path / "x").out


def test_init_does_not_clobber(cli, tmp_path):
    w = tmp_path / "w"
    (w / "codebook").mkdir(parents=True)
    mine = w / "codebook" / "mine.toml"
    mine.write_text("# my own codebook\n")
    (w / "notes.txt").write_text("keep me")
    assert cli("init", w).code == 0
    assert mine.read_text() == "# my own codebook\n"
    assert (w / "notes.txt").read_text() == "keep me"
    assert not (w / "codebook" / "co-production.toml").exists()
    again = cli("init", w)
    assert again.code == 0 and "nothing changed" in again.out


def test_db_option_and_env(cli, tmp_path, monkeypatch):
    w = tmp_path / "w"
    cli("init", w)
    other = tmp_path / "elsewhere.db"
    assert cli("-w", w, "--db", f"sqlite:///{other}", "status", "--json").code == 0
    assert other.exists()
    monkeypatch.setenv("REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    r = cli("-w", w, "status", "--json")
    assert r.json()["database"].endswith("env.db")


def test_errors_are_one_line_with_exit_codes(cli, tmp_path):
    r = cli("-w", tmp_path / "missing", "status")
    assert r.code == 2
    assert r.err.strip().count("\n") == 0 and "not a folder" in r.err
    assert "Traceback" not in r.err
    r = cli("no-such-command")
    assert r.code == 2 and "No such command" in r.err


def test_bare_review_prints_status_and_help(cli, tmp_path, monkeypatch):
    w = tmp_path / "w"
    cli("init", w)
    monkeypatch.chdir(w)
    r = cli()
    assert r.code == 0
    assert "sources" in r.out and "review import" in r.out


def test_python_dash_m_entry_point(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "review", "init", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "w" / "review.db").exists()
    assert main is not None
