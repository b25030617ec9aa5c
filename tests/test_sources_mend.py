"""Sources you can mend (issue 12 item 7): edit, delete and import undo leave no orphan rows;
a transcript already imported under another format is reported; stamp header lines are
metadata, not the title. Real workspaces on disk, the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, func, select

from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

INTERVIEW = """12-May-2023 - 10:36 - 1h09m31s – Ana

Interviewer: Thank you for joining. Can you tell me about your work with residents?
Ana: I work at the council on community safety projects with residents of the estate.

Interviewer: How did that start?
Ana: It started with a pilot in 2019, when the street wardens asked for help.
"""


def orphans(ws) -> dict[str, int]:
    """Rows whose foreign key names a row that does not exist, per table.column, and
    search-index rows without their passage (FTS5 on SQLite, a table on PostgreSQL)."""
    out = {}
    with session_scope(ws.engine) as s:
        for table in SQLModel.metadata.sorted_tables:
            for fk in table.foreign_keys:
                col, target = fk.parent, fk.column
                sql = (
                    f"SELECT count(*) FROM {table.name} WHERE {col.name} IS NOT NULL AND "
                    f"{col.name} NOT IN (SELECT {target.name} FROM {target.table.name})"
                )
                n = s.execute(text(sql)).scalar()
                if n:
                    out[f"{table.name}.{col.name}"] = n
        n = s.execute(
            text("SELECT count(*) FROM passage_fts WHERE rowid NOT IN (SELECT id FROM passage)")
        ).scalar()
        if n:
            out["passage_fts"] = n
    return out


def count(ws, table, *where) -> int:
    with session_scope(ws.engine) as s:
        return s.scalar(select(func.count()).select_from(table).where(*where))


def source(ws, key) -> m.Source:
    with session_scope(ws.engine) as s:
        found = s.scalar(select(m.Source).where(m.Source.key == key))
        if found is not None:
            s.expunge(found)
        return found


def test_edit_title_date_group_and_metadata(ws, cli, tmp_path):
    path = tmp_path / "interview_ana.txt"
    path.write_text(INTERVIEW, "utf-8")
    assert cli("-w", ws.root, "import", path).code == 0
    res = cli(
        "-w",
        ws.root,
        "sources",
        "edit",
        "interview_ana",
        "--title",
        "Interview with Ana, council officer",
        "--date",
        "13 May 2023",
        "--group",
        "Council staff",
        "--set",
        "place=Eastbridge",
        "--set",
        "venue=Field notes",
        "--json",
    )
    assert res.code == 0, res.err
    changed = res.json()["changed"]
    assert changed["title"] == ["interview_ana", "Interview with Ana, council officer"]
    assert changed["date"] == ["12-May-2023", "13 May 2023"]
    src = source(ws, "interview_ana")
    assert src.title == "Interview with Ana, council officer"
    assert src.year == 2023 and src.venue == "Field notes"
    assert src.meta["group"] == "Council staff" and src.meta["place"] == "Eastbridge"
    assert src.meta["interviewee"] == "Ana"  # untouched
    # an empty value clears; the text cannot be edited
    assert cli("-w", ws.root, "sources", "edit", "interview_ana", "--set", "place=").code == 0
    assert "place" not in source(ws, "interview_ana").meta
    res = cli("-w", ws.root, "sources", "edit", "interview_ana", "--set", "text=other words")
    assert res.code == 2 and "immutable" in res.err
    res = cli("-w", ws.root, "sources", "edit", "interview_ana", "--set", "year=soon")
    assert res.code == 2 and "whole number" in res.err


def test_stamp_line_is_metadata_and_the_title_falls_back_to_the_file_name(ws, cli, tmp_path):
    path = tmp_path / "interview_ana.txt"
    path.write_text(INTERVIEW, "utf-8")
    assert cli("-w", ws.root, "import", path).code == 0
    src = source(ws, "interview_ana")
    assert src.title == "interview_ana"
    assert src.meta["date"] == "12-May-2023"
    assert src.meta["time"] == "10:36"
    assert src.meta["duration"] == "1h09m31s"
    assert src.meta["interviewee"] == "Ana"
    assert src.year == 2023
    doc = tmp_path / "notes_ana.txt"  # no speaker labels: a document, same rule
    doc.write_text("12-May-2023 - 10:36 - 1h09m31s – Ana\n\nWe talked about the wardens.\n")
    assert cli("-w", ws.root, "import", doc).code == 0
    notes = source(ws, "notes_ana")
    assert notes.kind == "document" and notes.title == "notes_ana"
    assert notes.meta["duration"] == "1h09m31s"


def test_the_same_interview_in_another_format_is_reported_not_doubled(ws, cli, tmp_path):
    import docx

    txt = tmp_path / "ana.txt"
    txt.write_text(INTERVIEW, "utf-8")
    word = docx.Document()  # the same words, one paragraph a line, no blank lines
    for line in INTERVIEW.splitlines():
        if line.strip():
            word.add_paragraph("  " + line.replace(" ", "  "))
    path = tmp_path / "ana.docx"
    word.save(path)
    assert cli("-w", ws.root, "import", txt).code == 0
    res = cli("-w", ws.root, "import", "--json", path)
    report = res.json()["files"][0]
    assert report["imported"] == 0 and report["skipped"] == 1
    assert "already imported as source 'ana'" in report["message"]
    assert "ignoring blank lines" in report["message"]
    assert count(ws, m.Source) == 1


def _busy_workspace(ws, cli):
    """The sample corpus imported (without its shipped coding, so every coding, memo and
    link here is the test's own), with work on fg1 and on a literature record."""
    import shutil

    corpus = ws.root / "corpus-uncoded"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("coding"))
    res = cli("-w", ws.root, "import", corpus)
    assert res.code == 0, res.out + res.err
    w = ("-w", ws.root)
    assert cli(*w, "code", "apply", "fg1_community_safety", "co-design", "--span", "300:400",
               "--memo", "a coding memo").code == 0  # fmt: skip
    coding_id = cli(*w, "code", "list", "fg1_community_safety", "--json").json()["codings"][0]["id"]
    assert cli(*w, "memo", "add", "source", "fg1_community_safety", "source memo").code == 0
    assert cli(*w, "indicators", "link", "3", "--coding", coding_id).code == 0
    assert cli(*w, "code", "suggest", "fg1_community_safety").code == 0
    assert cli(*w, "screen", "decide", "include", "loeffler2008fast").code == 0
    return coding_id


def test_delete_a_transcript_takes_its_work_with_it_and_leaves_no_orphans(ws, cli, monkeypatch):
    import io
    import sys

    _busy_workspace(ws, cli)  # (the sample corpus ships coded: more work than ours)
    fg1 = source(ws, "fg1_community_safety")
    here = m.Coding.source_id == fg1.id
    with session_scope(ws.engine) as s:
        mine = select(m.Coding.id).where(here)
        want = {
            "codings": s.scalar(select(func.count()).where(here)),
            "coding_memos": s.scalar(select(func.count()).where(here, m.Coding.memo.is_not(None))),
            "memos": s.scalar(select(func.count()).where(m.Memo.source_id == fg1.id)),
            "evidence_links": s.scalar(
                select(func.count()).where(m.EvidenceLink.coding_id.in_(mine))
            ),
        }
    assert all(want.values()) and want["codings"] >= 1
    rest = {t: count(ws, t) - n for t, n in (
        (m.Coding, want["codings"]),
        (m.Passage, count(ws, m.Passage, m.Passage.source_id == fg1.id)),
        (m.Memo, want["memos"]),
        (m.EvidenceLink, want["evidence_links"]),
    )}  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    res = cli("-w", ws.root, "sources", "delete", "fg1_community_safety")
    assert res.code == 1 and "nothing deleted" in res.err
    assert f"{want['codings']} coding" in res.err  # what would go, said before asking
    assert source(ws, "fg1_community_safety") is not None
    res = cli("-w", ws.root, "sources", "delete", "fg1_community_safety", "--yes", "--json")
    assert res.code == 0, res.err
    removed = res.json()["removed"]
    assert {k: removed[k] for k in want} == want and removed["suggestions"] > 0
    assert source(ws, "fg1_community_safety") is None
    assert (
        count(ws, m.Coding, here) == 0
        and count(ws, m.Suggestion, m.Suggestion.source_id == fg1.id) == 0
    )
    for table, n in rest.items():
        assert count(ws, table) == n, table  # other sources' rows untouched
    assert orphans(ws) == {}
    # the speakers described by participants.csv stay: they are the team's data
    assert count(ws, m.ParticipantAttribute) > 0
    # nothing left for undo to bring back
    cli("-w", ws.root, "code", "undo")
    assert orphans(ws) == {}


def test_delete_a_literature_record_cited_by_indicators(ws, cli):
    _busy_workspace(ws, cli)
    res = cli("-w", ws.root, "sources", "delete", "loeffler2008fast", "--yes")
    assert res.code == 0, res.err
    assert "screening decision" in res.out and "indicator" in res.out
    with session_scope(ws.engine) as s:
        pending = set(s.scalars(select(m.Indicator.pending_source)))
    assert pending == {"loeffler2008fast"}  # relinked if the record comes back
    assert count(ws, m.ScreeningDecision) == 0
    assert orphans(ws) == {}


def test_import_undo_removes_exactly_that_batch(ws, cli, tmp_path):
    w = ("-w", ws.root)
    assert cli(*w, "import", CORPUS / "literature").code == 0
    interview = tmp_path / "interview_ana.txt"
    interview.write_text(INTERVIEW, "utf-8")
    res = cli(*w, "import", "--json", interview)
    batch = res.json()["files"][0]["batch_id"]
    n_sources = count(ws, m.Source)
    assert count(ws, m.Participant, m.Participant.name == "Ana") == 1
    assert cli(*w, "import", CORPUS / "transcripts" / "fg1_community_safety.txt").code == 0
    later = source(ws, "fg1_community_safety")
    # work on the interview: undo refuses and says what stands on it
    assert cli(*w, "code", "apply", "interview_ana", "co-design", "--span", "40:90").code == 0
    res = cli(*w, "import", "--undo", batch)
    assert res.code == 1 and "1 coding" in res.err and "--force" in res.err
    assert source(ws, "interview_ana") is not None
    res = cli(*w, "import", "--undo", batch, "--force", "--json")
    assert res.code == 0, res.err
    assert res.json()["undone"]["sources"] == ["interview_ana"]
    assert source(ws, "interview_ana") is None
    assert source(ws, "fg1_community_safety").id == later.id  # a later batch is untouched
    assert count(ws, m.Source) == n_sources  # the 8 records and fg1 (was: and the interview)
    assert count(ws, m.Participant, m.Participant.name == "Ana") == 0  # known only from it
    assert count(ws, m.Coding) == 0
    assert orphans(ws) == {}
    listed = cli(*w, "import", "--batches", "--json").json()["batches"]
    assert {b["id"]: b["status"] for b in listed}[batch] == "undone"
    assert cli(*w, "import", "--undo", batch).code == 1  # already undone
    # the file can be imported again, and lands as before
    res = cli(*w, "import", "--json", interview)
    assert res.json()["files"][0]["imported"] == 1
    assert source(ws, "interview_ana").meta["interviewee"] == "Ana"


def test_import_undo_of_indicators_and_unknown_batches(ws, cli):
    w = ("-w", ws.root)
    res = cli(*w, "import", "--json", CORPUS / "indicators" / "five-country-survey-2008.csv")
    batch = res.json()["files"][0]["batch_id"]
    assert count(ws, m.Indicator) == 3
    assert cli(*w, "indicators", "link", "3", "--code", "co-design").code == 0
    res = cli(*w, "import", "--undo", batch)
    assert res.code == 1 and "1 indicator link;" in res.err
    res = cli(*w, "import", "--undo", batch, "--force")
    assert res.code == 0 and "3 indicator(s)" in res.out and "1 evidence link" in res.out
    assert count(ws, m.Indicator) == 0 and count(ws, m.EvidenceLink) == 0
    assert orphans(ws) == {}
    res = cli(*w, "import", "--undo", 999)
    assert res.code == 1 and "no import batch 999" in res.err
    assert cli(*w, "import", "--undo", batch, CORPUS).code == 2


def test_a_group_taken_from_the_title_follows_the_title(ws, cli, tmp_path):
    path = tmp_path / "panel.txt"
    path.write_text("Residents panel\n\nAnn: We meet monthly.\nBob: And we pick litter.\n")
    assert cli("-w", ws.root, "import", path).code == 0
    assert source(ws, "panel").meta["group"] == "Residents panel"
    res = cli("-w", ws.root, "sources", "edit", "panel", "--title", "Residents' panel, North")
    assert res.code == 0 and "group: Residents panel -> Residents' panel, North" in res.out
    assert source(ws, "panel").meta["group"] == "Residents' panel, North"


def test_no_undo_or_redo_brings_back_a_coding_of_a_deleted_source(ws, cli):
    from review.coding import history

    w = ("-w", ws.root, "--coder", "ana")
    assert cli(*w, "import", CORPUS / "transcripts").code == 0
    for span in ("0:40", "50:90", "100:140"):
        assert cli(*w, "code", "apply", "fg1_community_safety", "trust", "--span", span).code == 0
    ids = [
        c["id"] for c in cli(*w, "code", "list", "fg1_community_safety", "--json").json()["codings"]
    ]
    assert cli(*w, "code", "remove", ids[0]).code == 0  # a removal's snapshot
    with session_scope(ws.engine) as s:
        assert history.undo(s, "ana", None)  # undoes the removal: the coding is back
        assert history.undo(s, "ana", None)  # undoes the last apply: a redo snapshot
    other = cli(*w, "code", "apply", "fg2_local_environment", "trust", "--span", "0:30")
    assert other.code == 0
    assert cli(*w, "sources", "delete", "fg1_community_safety", "--yes").code == 0
    with session_scope(ws.engine) as s:
        for _ in range(4):
            history.redo(s, "ana", None)
            history.undo(s, "ana", None)
    assert orphans(ws) == {}
    with session_scope(ws.engine) as s:
        left = s.scalars(select(m.Action.payload)).all()
    assert len(left) == 1  # only fg2's step is left to undo


def test_an_import_that_changed_existing_rows_is_refused_not_half_undone(ws, cli):
    w = ("-w", ws.root)
    res = cli(*w, "import", "--json", CORPUS)
    assert res.code == 0, res.err
    batches = {Path(f["file"]).name: f["batch_id"] for f in res.json()["files"]}
    n_codings = count(ws, m.Coding)
    for name, why in (("sample-coding.json", "added to sources already there"),
                      ("participants.csv", "changes existing speakers")):  # fmt: skip
        res = cli(*w, "import", "--undo", batches[name])
        assert res.code == 1 and why in res.err
    assert count(ws, m.Coding) == n_codings


def test_an_edit_report_cuts_a_long_value_and_json_keeps_it(ws, cli, tmp_path):
    """Looked at as a user: replacing an abstract printed the whole old abstract on one line.
    The line now shows its first words and its length; `--json` has every character."""
    path = tmp_path / "interview_ana.txt"
    path.write_text(INTERVIEW, "utf-8")
    assert cli("-w", ws.root, "import", path).code == 0
    long = "Residents and council officers co-produced the litter plan " * 12
    res = cli("-w", ws.root, "sources", "edit", "interview_ana", "--set", f"abstract={long}")
    assert res.code == 0, res.err
    line = res.out.strip()
    assert line.startswith("interview_ana: abstract: (none) -> Residents and council")
    assert f"… ({len(long.strip()):,} characters)" in line and len(line) < 200
    res = cli("-w", ws.root, "sources", "edit", "interview_ana", "--set", "abstract=short",
              "--json")  # fmt: skip
    assert res.json()["changed"]["abstract"] == [long.strip(), "short"]


def test_import_list_says_which_option_was_meant(ws, cli, tmp_path, monkeypatch):
    """A user's `review import list` (as if `import` had subcommands) read "list: no such
    file or folder" and an import of nothing; it names the option instead, and a real file
    called `list` still imports."""
    w = ("-w", ws.root)
    res = cli(*w, "import", "list")
    assert res.code == 2 and "review import --batches" in res.err
    res = cli(*w, "import", "undo")
    assert res.code == 2 and "--undo BATCH" in res.err
    assert count(ws, m.Source) == 0  # nothing imported
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list").write_text("@article{a1, title={Co-production}, year={2012}}\n")
    res = cli(*w, "import", "list")
    assert res.code == 0 and count(ws, m.Source) == 1
