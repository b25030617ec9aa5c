"""PRISMA 2020 counts on a fixture whose numbers are known, through `review prisma`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


def test_prisma_counts_add_up(ws, cli):
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        batch = m.ImportBatch(path="pubmed.nbib", format="pubmed", database="PubMed")
        s.add(batch)
        s.flush()
        for n in range(6):  # 6 Scopus records
            s.add(m.Source(key=f"s{n}", title=f"Scopus paper {n}", database="Scopus"))
        for n in range(3):  # 3 WoS records, the first two duplicates of s0 and s1
            s.add(m.Source(key=f"w{n}", title=f"WoS paper {n}", database="Web of Science"))
        s.add(m.Source(key="p0", title="PubMed paper", batch_id=batch.id))  # database via batch
        s.add(m.Source(key="t0", kind="transcript", title="Focus group"))  # never counted
    assert cli(*w, "dedupe", "--merge", "s0,w0").code == 0
    assert cli(*w, "dedupe", "--merge", "s1,w1").code == 0
    live = ["s0", "s1", "s2", "s3", "s4", "s5", "w2", "p0"]
    live = [k for k in live if k not in ("s0", "s1")] + _survivors(ws)
    assert len(live) == 8
    a = ["--coder", "ann", "screen"]
    b = ["--coder", "bob", "screen"]
    # title/abstract: 7 of 8 screened by both; two excluded; one conflict resolved to include
    include, exclude = live[:4], live[4:6]
    for who in (a, b):
        assert cli(*w, *who, "decide", "include", *include).code == 0
        assert cli(*w, *who, "decide", "exclude", exclude[0], "-r", "wrong population").code == 0
    cli(*w, *a, "decide", "exclude", exclude[1], "-r", "wrong outcome")
    cli(*w, *b, "decide", "exclude", exclude[1], "-r", "wrong outcome")
    cli(*w, *a, "decide", "include", live[6])
    cli(*w, *b, "decide", "exclude", live[6], "-r", "wrong outcome")
    assert cli(*w, "--coder", "cat", "screen", "resolve", "include", live[6]).code == 0
    # full text: 5 sought; 1 not retrieved; 2 assessed by both, both included; 2 awaiting.
    # A report that could not be obtained is not retrieved, not excluded after assessment
    # (PRISMA 2020): "full text not available" was a default exclusion reason.
    ft = ["-s", "full-text"]
    res = cli(*w, *a, "decide", "exclude", *ft, include[2], "-r", "Full text not available")
    assert res.code == 2 and "not-retrieved" in res.err and "Traceback" not in res.err
    assert "full text not available" not in cli(*w, "screen", "reasons").out
    assert cli(*w, "screen", "reasons", "--add", "not retrieved").code == 2
    for who in (a, b):
        assert cli(*w, *who, "decide", "include", *ft, *include[:2]).code == 0
        res = cli(*w, *who, "decide", "not-retrieved", *ft, include[2])
        assert res.code == 0, res.err
    res = cli(*w, "prisma", "--json")
    assert res.code == 0, res.err
    doc = res.json()
    assert doc["identification"] == {
        "records_identified": 10,
        "by_database": {"Scopus": 6, "Web of Science": 3, "PubMed": 1},
        "duplicates_removed": 2,
    }
    assert doc["screening"] == {
        "records_screened": 7,
        "records_excluded": 2,
        "excluded_by_reason": {"wrong outcome": 1, "wrong population": 1},
        "awaiting_screening": 1,
        "conflicts": 0,
    }
    assert doc["eligibility"] == {
        "reports_sought": 5,
        "reports_not_retrieved": 1,
        "reports_assessed": 2,
        "reports_excluded": 0,
        "excluded_by_reason": {},
        "awaiting_assessment": 2,
        "conflicts": 0,
    }
    # PRISMA 2020's studies and reports: with no link between reports of one study, each
    # included report is one study (the merged duplicates s0/w0 and s1/w1 are one report each)
    assert doc["included"] == {"studies": 2, "reports": 2}
    assert all(doc["checks"].values())
    text = cli(*w, "prisma")
    assert text.code == 0 and "Duplicates removed: 2" in text.out
    assert "Studies included: 2" in text.out
    assert "Reports of included studies: 2" in text.out


def _survivors(ws) -> list[str]:
    from sqlalchemy import select

    with session_scope(ws.engine) as s:
        rows = s.exec(
            select(m.Source.key).where(
                m.Source.key.in_(["s0", "s1", "w0", "w1"]), m.Source.merged_into_id.is_(None)
            )
        ).all()
    return [r[0] for r in rows]


def test_prisma_on_an_empty_workspace(ws, cli):
    doc = cli("-w", ws.root, "prisma", "--json").json()
    assert doc["identification"]["records_identified"] == 0
    assert doc["included"]["studies"] == 0
    assert all(doc["checks"].values())


FOUR = Path(__file__).parent / "data" / "four_databases"
# The fixture: eight works found in four databases' exports (written for this test in each
# database's export format, identifiers made up under the 10.5555 test DOI prefix).
#   Scopus CSV      W1 W2 W3 W4 W5        5 records
#   Web of Science  W1 W2 W3 W6           4
#   PubMed (nbib)   W1 W4 W7              3
#   Embase (Ovid)   W1 W4 W7 W8           4
# W1 is word for word the same record in all four, and W4 in Scopus and PubMed; the others
# differ the way exports do (a missing DOI, "Löffler"/"Loffler", British/American spelling,
# an abbreviated journal, a dash for a colon).
BY_DATABASE = {"Scopus": 5, "Web of Science": 4, "Embase": 4, "PubMed": 3}


def _prisma(cli, ws) -> dict:
    res = cli("-w", ws.root, "prisma", "--json")
    assert res.code == 0, res.err
    doc = res.json()
    assert all(doc["checks"].values()), doc["checks"]
    return doc


def test_four_databases_identification_boxes(ws, cli, tmp_path):
    w = ["-w", ws.root]
    res = cli(*w, "import", "--json", FOUR)
    assert res.code == 0, res.err
    files = {Path(f["file"]).name: f for f in res.json()["files"]}
    assert {n: f["imported"] for n, f in files.items()} == {
        "scopus.csv": 5,
        "wos.txt": 4,
        "pubmed.nbib": 3,
        "embase.ris": 4,
    }
    # every record is stored as a record of its database; the word-for-word copies (three of
    # W1, one of W4) are already marked as duplicates of the first one imported
    doc = _prisma(cli, ws)
    assert doc["identification"] == {
        "records_identified": 16,
        "by_database": BY_DATABASE,
        "duplicates_removed": 4,
    }
    assert doc["screening"]["awaiting_screening"] == 12
    # the rest are found by `review dedupe` and merged
    res = cli(*w, "dedupe", "--apply", "--json")
    assert res.code == 0, res.err
    doc = _prisma(cli, ws)
    assert doc["identification"] == {
        "records_identified": 16,
        "by_database": BY_DATABASE,
        "duplicates_removed": 8,
    }
    assert doc["screening"]["records_screened"] == 0
    assert doc["screening"]["awaiting_screening"] == 8  # the eight works
    # importing the same file again adds nothing; nor does the same search exported again
    again = cli(*w, "import", "--json", FOUR / "wos.txt")
    assert again.json()["files"][0]["status"] == "unchanged"
    reexported = tmp_path / "scopus-again.csv"
    reexported.write_bytes((FOUR / "scopus.csv").read_bytes().replace(b"\n", b"\r\n"))
    (rep,) = cli(*w, "import", "--json", reexported).json()["files"]
    assert rep["imported"] == 0 and rep["skipped"] == 5
    assert _prisma(cli, ws)["identification"]["duplicates_removed"] == 8
    assert _prisma(cli, ws)["identification"]["records_identified"] == 16


def test_four_databases_counts_do_not_depend_on_the_import_order(tmp_path, cli):
    from review.store.workspace import init

    ws, _ = init(tmp_path / "other-order")
    for name in ("wos.txt", "pubmed.nbib", "scopus.csv", "embase.ris"):
        assert cli("-w", ws.root, "import", FOUR / name).code == 0
    assert _prisma(cli, ws)["identification"]["duplicates_removed"] == 4
    assert cli("-w", ws.root, "dedupe", "--apply").code == 0
    assert _prisma(cli, ws)["identification"] == {
        "records_identified": 16,
        "by_database": BY_DATABASE,
        "duplicates_removed": 8,
    }


def test_a_duplicate_linked_at_import_is_undone_like_a_merge(ws, cli):
    w = ["-w", ws.root]
    cli(*w, "import", FOUR / "scopus.csv", FOUR / "wos.txt")
    with session_scope(ws.engine) as s:
        (link,) = s.exec(select(m.DuplicateLink)).all()
        copy = s.get(m.Source, link.merged_id)
        assert copy.database == "Web of Science" and copy.merged_into_id == link.survivor_id
    assert cli(*w, "dedupe", "--undo", link.cluster).code == 0
    assert _prisma(cli, ws)["identification"]["duplicates_removed"] == 0


_SCOPUS = """TY  - JOUR
TI  - Co-production of public services and the willingness of citizens to take part
AU  - Parrado, Salvador
AU  - Van Ryzin, Gregg G.
PY  - 2014
T2  - Public Management Review
VL  - 16
IS  - 1
SP  - 1
EP  - 23
AB  - Citizens in five European countries were asked about taking part in services.
KW  - co-production
KW  - citizens
DB  - Scopus
ER  - 
"""
_EMBASE = """TY  - JOUR
TI  - Co-production of public services and the willingness of citizens to take part
AU  - Parrado, S.
AU  - Van Ryzin, G. G.
AU  - Bovaird, T.
AU  - Loeffler, E.
PY  - 2014
T2  - Public Manag Rev
VL  - 16
SP  - 1
DO  - 10.5555/pmr.2014.001
DB  - Embase
ER  - 
"""


def test_a_search_exported_again_after_a_merge_adds_nothing(ws, cli, tmp_path):
    """Found walking issue 14: the merge gave the Scopus record Embase's longer author list and
    its DOI, and the same Scopus search exported again imported that record once more as a
    different one (`key ... already used by a different record; stored as ...a`), so PRISMA
    counted one more record identified in Scopus and the duplicate came back unmerged."""
    w = ["-w", ws.root]
    scopus, embase = tmp_path / "scopus.ris", tmp_path / "embase.ris"
    scopus.write_text(_SCOPUS, "utf-8")
    embase.write_text(_EMBASE, "utf-8")
    assert cli(*w, "import", scopus, embase).code == 0
    res = cli(*w, "dedupe", "--apply", "--json")
    assert res.code == 0, res.err
    with session_scope(ws.engine) as s:
        (survivor,) = s.exec(select(m.Source).where(m.Source.merged_into_id == None)).all()  # noqa: E711
        assert survivor.database == "Scopus" and len(survivor.authors) == 4  # the merge's
    before = _prisma(cli, ws)["identification"]
    assert before == {"records_identified": 2, "by_database": {"Scopus": 1, "Embase": 1},
                      "duplicates_removed": 1}  # fmt: skip
    for name, text in (("scopus-again.ris", _SCOPUS), ("embase-again.ris", _EMBASE)):
        again = tmp_path / name  # the same search exported another day (CRLF line ends)
        again.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        res = cli(*w, "import", "--json", again)
        assert res.code == 0, res.err
        (rep,) = res.json()["files"]
        assert (rep["imported"], rep["skipped"], rep["problems"]) == (0, 1, []), rep
    assert _prisma(cli, ws)["identification"] == before
    # undone, the survivor is the file's record again, and still recognised
    (cluster,) = {c["cluster"] for c in cli(*w, "dedupe", "--history", "--json").json()["history"]}
    assert cli(*w, "dedupe", "--undo", cluster).code == 0
    (rep,) = cli(*w, "import", "--json", tmp_path / "scopus-again.ris").json()["files"]
    assert (rep["imported"], rep["skipped"]) == (0, 1), rep
    with session_scope(ws.engine) as s:
        assert len(s.exec(select(m.Source)).all()) == 2


_OVID_MEDLINE = """TY  - JOUR
TI  - From engagement to co-production: the contribution of users and communities
      to outcomes and public value.
AU  - Bovaird, Tony
AU  - Loeffler, Elke
PY  - 2012
JO  - Voluntas
VL  - 23
IS  - 4
SP  - 1119
EP  - 38
DO  - 10.5555/coprod.2012.001
DB  - Ovid MEDLINE(R) ALL
DP  - Ovid Technologies
ER  - 
"""
_EBSCO = """TY  - JOUR
TI  - Nurses and patients as co-producers of care
AU  - Smith, Jane
PY  - 2019
DB  - {db}
DP  - EBSCOhost
ER  - 
"""


def test_medline_and_ebsco_databases_are_counted_as_themselves(ws, cli, tmp_path):
    """Found walking issue 14: MEDLINE searched through Ovid was counted as 'PubMed', so a
    review that searched PubMed as well had one box for both and its Ovid copy of a PubMed
    record was skipped as 'already in the workspace' (not identified in MEDLINE); CINAHL
    and Academic Search through EBSCOhost were one 'EBSCO'."""
    w = ["-w", ws.root]
    assert cli(*w, "import", FOUR / "pubmed.nbib").code == 0
    ovid = tmp_path / "ovid-medline.ris"
    ovid.write_text(_OVID_MEDLINE, "utf-8")
    (rep,) = cli(*w, "import", "--json", ovid).json()["files"]
    assert (rep["imported"], rep["skipped"]) == (1, 0), rep
    assert "marked as its duplicate" in rep["problems"][0]["message"]
    for n, db in enumerate(("CINAHL Complete", "Academic Search Complete")):
        path = tmp_path / f"ebsco{n}.ris"
        path.write_text(_EBSCO.format(db=db), "utf-8")
        assert cli(*w, "import", path).code == 0
    doc = _prisma(cli, ws)["identification"]
    assert doc["by_database"] == {"PubMed": 3, "MEDLINE": 1, "CINAHL": 1,
                                  "Academic Search Complete": 1}  # fmt: skip
    assert doc["records_identified"] == 6 and doc["duplicates_removed"] == 2


_ZOTERO = _SCOPUS.replace("DB  - Scopus\n", "")  # the same work, from a Zotero library


def test_import_names_the_database_a_file_does_not(ws, cli, tmp_path):
    """Found by the PRISMA walk: a Google Scholar search saved through Zotero (or a Mendeley,
    JabRef, ACM or IEEE export) names no database, and nothing could say which it was, so
    PRISMA showed its records under "other / not recorded". `--database NAME` says it: the
    records are that database's, a work already found in Scopus is stored as its record and
    linked as a duplicate, and importing the file again, with or without the option, adds
    nothing."""
    w = ["-w", ws.root]
    scopus, zotero = tmp_path / "scopus.ris", tmp_path / "scholar.ris"
    scopus.write_text(_SCOPUS, "utf-8")
    zotero.write_text(_ZOTERO, "utf-8")
    assert cli(*w, "import", scopus).code == 0
    res = cli(*w, "import", "--database", "Google  Scholar", zotero)
    assert res.code == 0, res.err
    assert "marked as its duplicate" in res.out
    expected = {"records_identified": 2, "by_database": {"Google Scholar": 1, "Scopus": 1},
                "duplicates_removed": 1}  # fmt: skip
    assert _prisma(cli, ws)["identification"] == expected
    for again in ([], ["--database", "Google Scholar"], ["--database", "CINAHL"]):
        (rep,) = cli(*w, "import", "--json", *again, zotero).json()["files"]
        assert rep["status"] == "unchanged", rep
        renamed = "its records stay under Google Scholar: to name them CINAHL, `review import"
        assert (renamed in rep["message"]) == (again == ["--database", "CINAHL"]), rep
    assert _prisma(cli, ws)["identification"] == expected
    res = cli(*w, "import", "--database", " ", zotero)
    assert res.code == 2 and "--database needs a name" in res.err
    res = cli(*w, "import", "--batches", "--database", "Scopus")
    assert res.code == 2 and "--database goes with files" in res.err
