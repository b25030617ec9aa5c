"""Issue 12 items 4, 5 and 8 on the command line: `codebook add|edit` with every field, memos
as text (`memo add project TEXT`, many lines from stdin or a file, listed with their
targets), `code list` with its coder column and plain quotes, `indicators link` naming the
code's path. The real CLI on a real workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def code_row(ws, name) -> m.Code:
    with session_scope(ws.engine) as s:
        row = s.scalar(select(m.Code).where(m.Code.name == name))
        s.expunge(row)
        return row


def test_codebook_add_with_every_field_and_a_new_group(ws, cli):
    w = ("-w", ws.root)
    res = cli(*w, "codebook", "add", "Epistemic stance", "--definition", "How sure one is")
    assert res.code == 0 and "added code Epistemic stance" in res.out
    assert code_row(ws, "Epistemic stance").codable  # alone it is a code
    res = cli(*w, "codebook", "add", "Epistemic stance/Hedging",
              "--definition", "Softening a claim", "--include", "may, perhaps, I think",
              "--exclude", "plain statements", "--example", "it may be that",
              "--keywords", "maybe; perhaps", "--colour", "#AA3300", "--shortcut", "H",
              "--json")  # fmt: skip
    assert res.code == 0, res.err
    doc = res.json()["added"]
    assert doc["path"] == "Epistemic stance/Hedging" and doc["parent_became_group"]
    code = code_row(ws, "Hedging")
    assert (code.definition, code.include, code.exclude, code.example) == (
        "Softening a claim", "may, perhaps, I think", "plain statements", "it may be that",
    )  # fmt: skip
    assert code.keywords == ["maybe", "perhaps"] and code.colour == "#AA3300"
    assert code.shortcut == "H" and code.codable
    assert not code_row(ws, "Epistemic stance").codable  # a group row now, not coded itself
    assert cli(*w, "codebook", "add", "Epistemic stance/Boosting", "--group").code == 0
    assert not code_row(ws, "Boosting").codable
    # refused: a taken shortcut, a bad colour, an existing path
    assert cli(*w, "codebook", "add", "Epistemic stance/X", "--shortcut", "H").code == 2
    assert cli(*w, "codebook", "add", "Epistemic stance/Y", "--colour", "red").code == 2
    assert cli(*w, "codebook", "add", "Epistemic stance/hedging").code == 2


def test_codebook_edit_renames_moves_and_changes_fields(ws, cli):
    w = ("-w", ws.root)
    assert cli(*w, "codebook", "add", "Epistemic stance").code == 0
    assert cli(*w, "codebook", "add", "Epistemic stance/Hedging", "--shortcut", "H").code == 0
    res = cli(*w, "codebook", "edit", "Hedging", "--name", "Hedges", "--parent", "Barriers",
              "--definition", "Softening", "--keywords", "perhaps", "--shortcut", "")  # fmt: skip
    assert res.code == 0, res.err
    assert "Barriers/Hedges: name: Hedging -> Hedges" in res.out
    code = code_row(ws, "Hedges")
    assert code.definition == "Softening" and code.keywords == ["perhaps"]
    assert code.shortcut is None
    res = cli(*w, "codebook", "edit", "Barriers/Hedges", "--parent", "/", "--json")
    assert res.json()["code"]["path"] == "Hedges"
    # a code with codings cannot become a group
    assert cli(*w, "import", CORPUS / "transcripts" / "fg1_community_safety.txt").code == 0
    assert cli(*w, "code", "apply", "fg1_community_safety", "Hedges", "--span", "0:20").code == 0
    res = cli(*w, "codebook", "edit", "Hedges", "--group")
    assert res.code == 2 and "1 coding" in res.err
    assert cli(*w, "codebook", "edit", "Hedges", "--colour", "blue").code == 2
    assert cli(*w, "codebook", "edit", "Hedges", "--parent", "Hedges").code == 2


def test_memo_add_project_text_as_written_and_many_lines(ws, cli, monkeypatch, tmp_path):
    w = ("-w", ws.root)
    res = cli(*w, "memo", "add", "project", "The question is co-production.")
    assert res.code == 0, res.err
    assert cli(*w, "memo", "add", "project", "-", "the old spelling still works").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("First line\n\nThird line\n"))
    assert cli(*w, "import", CORPUS / "transcripts" / "fg1_community_safety.txt").code == 0
    res = cli(*w, "memo", "add", "source", "fg1_community_safety", "-")
    assert res.code == 0 and "(3 lines)" in res.out
    coding = cli(*w, "code", "apply", "fg1_community_safety", "co-design", "--span", "0:40",
                 "--json").json()["codings"][0]["id"]  # fmt: skip
    note = tmp_path / "memo.md"
    note.write_text("From a file\nwith two lines\n", "utf-8")
    assert cli(*w, "memo", "add", "coding", coding, "--file", note).code == 0
    assert cli(*w, "memo", "add", "code", "co-design", "About the code").code == 0
    docs = cli(*w, "memo", "list", "--json").json()["memos"]
    assert [d["about"] for d in docs] == [  # oldest first, whatever each is on
        "project",
        "project",
        "fg1_community_safety",
        f"coding {coding}: fg1_community_safety [0:40] Four Cs/Co-design",
        "Four Cs/Co-design",
    ]
    assert docs[2]["text"] == "First line\n\nThird line"
    out = cli(*w, "memo", "list").out
    assert "\nfg1_community_safety — " in out and "\n    Third line\n" in out
    only = cli(*w, "memo", "list", "source", "fg1_community_safety", "--json").json()["memos"]
    assert [d["text"] for d in only] == ["First line\n\nThird line"]
    assert cli(*w, "memo", "add", "project").code == 2
    assert cli(*w, "memo", "add", "project", "two", "words").code == 2
    assert cli(*w, "memo", "add", "source").code == 2
    assert cli(*w, "memo", "add", "nothing", "x").code == 2


def test_code_list_has_a_coder_column_and_plain_quotes(ws, cli):
    w = ("-w", ws.root)
    assert cli(*w, "import", CORPUS / "transcripts" / "fg1_community_safety.txt").code == 0
    assert cli(*w, "--coder", "ana", "code", "apply", "fg1_community_safety", "co-design",
               "--span", "0:120").code == 0  # fmt: skip
    assert cli(*w, "--coder", "ben", "code", "apply", "fg1_community_safety", "trust",
               "--span", "10:30").code == 0  # fmt: skip
    res = cli(*w, "code", "list", "fg1_community_safety")
    lines = res.out.splitlines()
    assert lines[0].split() == ["id", "span", "coder", "code:", "quote"]
    assert " ana " in lines[1] and " ben " in lines[2]
    assert "'" not in lines[1] and "\\n" not in res.out  # no Python repr
    assert lines[1].endswith("…")  # cut at 70 characters, on one line
    doc = cli(*w, "code", "list", "fg1_community_safety", "--json").json()
    assert [c["coder"] for c in doc["codings"]] == ["ana", "ben"]


def test_indicators_link_names_the_code_path(ws, cli):
    w = ("-w", ws.root)
    assert cli(*w, "import", CORPUS).code == 0
    res = cli(*w, "indicators", "link", "3", "--code", "co-design")
    assert res.code == 0, res.err
    assert "Four Cs/Co-design supports indicator 3" in res.out
    assert "Community safety = 45" in res.out and "code 2" not in res.out
    coding = cli(*w, "code", "apply", "fg1_community_safety", "trust", "--span", "0:40",
                 "--json").json()["codings"][0]["id"]  # fmt: skip
    res = cli(*w, "indicators", "link", "3", "--coding", coding, "-r", "explains")
    assert f"coding {coding} (Drivers/Trust:" in res.out


BIB = """
@article{smith2010a, title={Co-production of community safety}, author={Smith, Ann},
  year={2010}, journal={Public Management Review}}
@article{smith2010b, title={Coproduction of community safety: a survey}, author={Smith, A.},
  year={2010}, journal={Public Management Review}}
"""


def test_dedupe_history_says_when_and_who(ws, cli, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, "utf-8")
    w = ("-w", ws.root)
    assert cli(*w, "import", bib).code == 0
    assert cli("--coder", "ana", *w, "dedupe", "--merge", "smith2010a,smith2010b").code == 0
    rows = cli(*w, "dedupe", "--history", "--json").json()["history"]
    assert [r["coder"] for r in rows] == ["ana"] and rows[0]["created"]
    line = cli(*w, "dedupe", "--history").out.splitlines()[0]
    date, time, who = line.split()[:3]
    assert len(date) == 10 and date[4] == "-" and time[2] == ":" and who == "ana"


def test_the_hint_review_init_prints_works_as_printed(cli, tmp_path, monkeypatch):
    import shlex

    monkeypatch.chdir(tmp_path)
    res = cli("init", "ws")
    hint = res.out.strip().splitlines()[-1]
    command = hint.split("`")[1]
    assert command == "review -w ws import corpus"
    (tmp_path / "ws" / "corpus" / "lib.bib").write_text(BIB, "utf-8")
    res = cli(*shlex.split(command)[1:])
    assert res.code == 0, res.err
    assert "2 record(s) imported" in res.out
