"""`review dedupe` on a real workspace: report, apply, undo exactly, keep apart, maybe queue."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from review.screening.dedupe import plain_from_bibtex
from review.store import models as m
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


def _add_cases(ws, testdata) -> dict[str, bool]:
    """Insert the 25 labelled pairs as sources (keys `N-a`/`N-b`); return key pair → label."""
    cases = json.loads((testdata / "dedup" / "bibdedupe_test_cases.json").read_text("utf-8"))
    labels = {}
    with session_scope(ws.engine) as s:
        for n, case in enumerate(cases["cases"]):
            for side in ("a", "b"):
                rec = plain_from_bibtex(case[f"record_{side}"])
                s.add(_source(f"{n}-{side}", rec, database="Scopus" if side == "a" else "WoS"))
            labels[f"{n}-a,{n}-b"] = case["expected_duplicate"]
    return labels


def _source(key: str, rec: dict, **extra) -> m.Source:
    authors = rec["authors"]
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.replace(";", " and ").split(" and ") if a.strip()]
    return m.Source(
        key=key,
        kind={"inproceedings": "conference"}.get(rec["kind"], rec["kind"] or "article"),
        title=rec["title"],
        authors=authors or [],
        year=int(rec["year"]) if rec["year"] else None,
        venue=rec["venue"],
        volume=rec["volume"],
        pages=rec["pages"],
        doi=rec["doi"],
        **extra,
    )


def test_report_then_apply_then_undo(ws, cli, testdata):
    labels = _add_cases(ws, testdata)
    w = ["-w", ws.root]
    res = cli(*w, "dedupe", "--json")
    assert res.code == 0, res.err
    doc = res.json()
    assert doc["records"] == 50
    pairs = {frozenset(c["keys"]) for c in doc["clusters"]}
    for pair, dup in labels.items():
        together = any(set(pair.split(",")) <= c for c in pairs)
        assert together == dup, pair
    assert all(p["reasons"] and 0 <= p["score"] <= 1 for c in doc["clusters"] for p in c["pairs"])

    res = cli(*w, "dedupe", "--apply", "--json")
    assert res.code == 0, res.err
    applied = res.json()
    assert applied["applied"] is True and applied["refused"] == []
    with session_scope(ws.engine) as s:
        merged = s.exec(select(m.Source.key).where(m.Source.merged_into_id.is_not(None))).all()
        links = s.exec(select(m.DuplicateLink).where(m.DuplicateLink.status == "merged")).all()
    assert len(merged) == len(links) == sum(len(c["keys"]) - 1 for c in doc["clusters"])
    # a second run finds nothing more to merge
    again = cli(*w, "dedupe", "--json").json()
    assert again["clusters"] == []

    for cluster in doc["clusters"]:
        res = cli(*w, "dedupe", "--undo", cluster["id"], "--json")
        assert res.code == 0, res.err
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all() == []
    assert cli(*w, "dedupe", "--undo", doc["clusters"][0]["id"]).code == 1


def _snapshot(s) -> dict:
    rows = {}
    for model in (m.Source, m.Coding, m.ScreeningDecision, m.Indicator, m.Passage):
        rows[model.__name__] = sorted(
            (r.model_dump(exclude={"created"}) for r in s.exec(select(model)).scalars()),
            key=lambda d: d["id"],
        )
    return rows


def test_merge_keeps_every_field_moves_everything_and_undoes_exactly(ws, cli):
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        a = m.Source(
            key="scopus-1",
            title="CO-PRODUCTION OF PUBLIC SERVICES",
            authors=["Bovaird, T."],
            year=2007,
            keywords=["co-production", "Public services"],
            database="Scopus",
        )
        b = m.Source(
            key="wos-7",
            title="Co-production of public services",
            authors=["Bovaird, Tony", "Loeffler, Elke"],
            year=2007,
            venue="Public Administration Review",
            doi="10.1111/j.1540-6210.2007.00773.x",
            abstract="Users and communities as co-producers.",
            keywords=["public services", "user involvement"],
            database="Web of Science",
        )
        s.add_all([a, b])
        s.flush()
        code = m.Code(name="co-deliver")
        coder = m.Coder(name="ann")
        s.add_all([code, coder])
        s.flush()
        a.text = "Users co-deliver services."
        s.add(m.Coding(source_id=a.id, code_id=code.id, start=0, end=5, quote="Users"))
        s.add(m.ScreeningDecision(source_id=a.id, coder_id=coder.id, decision="include"))
        s.add(m.Indicator(name="index", value=61, source_id=b.id))
        ids = {"a": a.id, "b": b.id}
    with session_scope(ws.engine) as s:
        before = _snapshot(s)

    res = cli(*w, "dedupe", "--merge", "scopus-1,wos-7", "--json")
    assert res.code == 0, res.err
    (merge,) = res.json()["merged"]
    with session_scope(ws.engine) as s:
        survivor = s.get(m.Source, ids["a"])  # it has the coded text
        loser = s.get(m.Source, ids["b"])
        assert merge["survivor"] == "scopus-1" and merge["merged"] == ["wos-7"]
        assert loser.merged_into_id == survivor.id  # kept, not deleted
        assert survivor.title == "Co-production of public services"  # not SHOUTED
        assert survivor.authors == ["Bovaird, Tony", "Loeffler, Elke"]
        assert survivor.doi == "10.1111/j.1540-6210.2007.00773.x"
        assert survivor.venue == "Public Administration Review"
        assert survivor.abstract == "Users and communities as co-producers."
        assert survivor.keywords == ["co-production", "Public services", "user involvement"]
        assert survivor.text == "Users co-deliver services."
        (ind,) = s.exec(select(m.Indicator)).scalars().all()
        assert ind.source_id == survivor.id
    status = cli(*w, "status", "--json").json()["counts"]
    assert status["sources"] == 1 and status["duplicate_links"] == 1

    res = cli(*w, "dedupe", "--undo", merge["cluster"])
    assert res.code == 0, res.err
    names = " and ".join([merge["survivor"], *merge["merged"]])
    assert f"Undone: {names} are separate records again (cluster {merge['cluster']})" in res.out
    with session_scope(ws.engine) as s:
        assert _snapshot(s) == before


def test_keep_apart_and_maybe_queue(ws, cli):
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        base = dict(title="Learning-based scheduling for digital work platforms", year=2020)
        s.add(
            m.Source(key="j", authors=["Smith, John"], venue="Journal of Digital Studies", **base)
        )
        s.add(
            m.Source(
                key="w",
                kind="conference",
                authors=["Smith, John"],
                venue="Workshop of Digital Studies",
                **base,
            )
        )
    res = cli(*w, "dedupe", "--maybe", "--json")
    doc = res.json()
    assert "clusters" not in doc
    assert [(p["a"], p["b"]) for p in doc["maybe"]] == [("j", "w")]
    assert cli(*w, "dedupe", "--apart", "j,w").code == 0
    assert cli(*w, "dedupe", "--json").json()["maybe"] == []
    hist = cli(*w, "dedupe", "--history", "--json").json()["history"]
    assert hist[0]["status"] == "apart"
    # a keep-apart is undone as a merge is (it said "no merged cluster"): proposed again
    res = cli(*w, "dedupe", "--undo", hist[0]["cluster"])
    assert res.code == 0 and "no longer kept apart" in res.out, res.err
    assert [(p["a"], p["b"]) for p in cli(*w, "dedupe", "--json").json()["maybe"]] == [("j", "w")]
    res = cli(*w, "dedupe", "--history")
    assert "undo-apart" in res.out and "may be proposed again" in res.out
    assert "undone" in res.out  # the keep-apart stays in the audit trail
    res = cli(*w, "dedupe", "--undo", hist[0]["cluster"])
    assert res.code == 1 and "undone already" in res.err


def test_bad_input_is_one_clear_line(ws, cli):
    w = ["-w", ws.root]
    res = cli(*w, "dedupe", "--merge", "nope,nada")
    assert res.code == 1 and "no record with key" in res.err and "Traceback" not in res.err
    res = cli(*w, "dedupe", "--merge", "only-one")
    assert res.code == 2
    res = cli(*w, "dedupe", "--apply", "--maybe")
    assert res.code == 2 and "choose one of" in res.err
    res = cli(*w, "dedupe", "--undo", "c000")
    assert res.code == 1 and "no merged cluster" in res.err


def test_merging_a_merged_record_names_its_survivor(ws, cli):
    """It said "already merged into another record", leaving the user to find which."""
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        for key in ("h1", "h2", "f1"):
            s.add(m.Source(key=key, title=f"Paper {key}", database="Scopus"))
    assert cli(*w, "dedupe", "--merge", "h1,h2").code == 0
    res = cli(*w, "dedupe", "--merge", "h2,f1")
    assert res.code == 1
    assert "record h2 is already merged into h1; merge h1 instead" in res.err


def test_a_transcript_is_never_merged_into_literature(ws, cli):
    """QA: `--merge report,fg1` merged a report into a focus group (which took its title)."""
    title = "Citizens and the co-production of public services"
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="loeffler2008", kind="report", title=title, year=2008))
        s.add(m.Source(key="fg1", kind="transcript", title=title, text="Mod: hello."))
    res = cli("-w", ws.root, "dedupe", "--merge", "loeffler2008,fg1")
    assert res.code == 2 and "fg1" in res.err and "only literature" in res.err
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all() == []
        fg1 = s.exec(select(m.Source).where(m.Source.key == "fg1")).scalars().one()
        assert fg1.kind == "transcript" and fg1.year is None


def test_records_with_different_coded_texts_are_refused_not_merged(ws, cli):
    with session_scope(ws.engine) as s:
        code = m.Code(name="co-design")
        s.add(code)
        for key, text in (("a", "First full text."), ("b", "Another full text.")):
            src = m.Source(
                key=key,
                title="Co-design in local services",
                doi="10.1/xyz",
                authors=["Loeffler, E."],
                year=2015,
                text=text,
                text_hash=key,
            )
            s.add(src)
            s.flush()
            s.add(m.Coding(source_id=src.id, code_id=code.id, start=0, end=5, quote=text[:5]))
    res = cli("-w", ws.root, "dedupe", "--apply", "--json")
    assert res.code == 0, res.err
    doc = res.json()
    assert doc["merged"] == [] and len(doc["refused"]) == 1
    assert "coded text that differs" in doc["refused"][0]
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.DuplicateLink)).all() == []
        assert s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all() == []


BIB = """@article{Bovaird2007,
  author = {Bovaird, Tony},
  title = {Beyond Engagement and Participation: User and Community Coproduction of Public Services},
  journal = {Public Administration Review},
  year = {2007}, volume = {67}, number = {5}, pages = {846--860},
  doi = {10.1111/j.1540-6210.2007.00773.x},
  keywords = {co-production; public services}
}
@article{Parrado2013,
  author = {Parrado, Salvador and Van Ryzin, Gregg G. and Bovaird, Tony and L{\\"o}ffler, Elke},
  title = {Correlates of Co-production: Evidence from a Five-Nation Survey of Citizens},
  journal = {International Public Management Journal},
  year = {2013}, volume = {16}, number = {1}, pages = {85--112}
}
"""

RIS = """TY  - JOUR
AU  - Bovaird, T.
TI  - BEYOND ENGAGEMENT AND PARTICIPATION: USER AND COMMUNITY COPRODUCTION OF PUBLIC SERVICES
JO  - Public Adm. Rev.
PY  - 2007
VL  - 67
SP  - 846
EP  - 860
DO  - https://doi.org/10.1111/J.1540-6210.2007.00773.X
KW  - user involvement
ER  - 
TY  - JOUR
AU  - Parrado, S.
AU  - Van Ryzin, G. G.
AU  - Bovaird, T.
AU  - Loeffler, E.
TI  - Correlates of co-production: evidence from a five-nation survey of citizens
JO  - Int. Public Manag. J.
PY  - 2013
SP  - 85
EP  - 112
ER  - 
TY  - JOUR
AU  - Loeffler, E.
TI  - Erratum: Correlates of co-production: evidence from a five-nation survey of citizens
JO  - Int. Public Manag. J.
PY  - 2013
ER  - 
"""


def test_imported_bibtex_and_ris_exports_are_deduplicated(ws, cli, tmp_path):
    """The issue's scenario end to end: two databases' exports of the same papers."""
    (tmp_path / "scopus.bib").write_text(BIB, "utf-8")
    (tmp_path / "wos.ris").write_text(RIS, "utf-8")
    w = ["-w", ws.root]
    res = cli(*w, "import", tmp_path / "scopus.bib", tmp_path / "wos.ris", "--json")
    assert res.code == 0, res.err
    doc = cli(*w, "dedupe", "--json").json()
    assert doc["records"] == 5
    clusters = sorted(sorted(c["keys"]) for c in doc["clusters"])
    assert len(clusters) == 2 and ["Bovaird2007", "Parrado2013"] == sorted(
        k for c in clusters for k in c if k in ("Bovaird2007", "Parrado2013")
    )
    erratum = [p for p in doc["maybe"] if "erratum vs the paper itself" in p["reasons"]]
    assert erratum, doc["maybe"]  # the erratum is not merged, a person decides
    assert cli(*w, "dedupe", "--apply").code == 0
    status = cli(*w, "status", "--json").json()["counts"]
    assert status["sources"] == 3
    with session_scope(ws.engine) as s:
        bov = (
            s.exec(  # the survivor, whichever record it was
                select(m.Source).where(m.Source.merged_into_id.is_(None), m.Source.year == 2007)
            )
            .scalars()
            .one()
        )
        assert {"co-production", "user involvement"} <= {k.lower() for k in bov.keywords}
        assert not bov.title.isupper()


def test_chained_merges_undo_in_reverse_order(ws, cli):
    w = ["-w", ws.root]
    with session_scope(ws.engine) as s:
        for key in ("a", "b"):
            s.add(m.Source(key=key, title=f"Paper {key}", authors=["Smith, J."], year=2020))
        s.add(
            m.Source(
                key="c",
                title="Paper c",
                authors=["Smith, J."],
                year=2020,
                venue="Local Government Studies",
                doi="10.1/c",
            )
        )  # the most complete
    first = cli(*w, "dedupe", "--merge", "a,b", "--json").json()["merged"][0]
    assert first["survivor"] == "a"
    second = cli(*w, "dedupe", "--merge", "c,a", "--json").json()["merged"][0]
    assert second["survivor"] == "c"  # a, the first survivor, is merged again
    res = cli(*w, "dedupe", "--undo", first["cluster"])
    assert res.code == 1 and f"undo cluster {second['cluster']} first" in res.err
    assert cli(*w, "dedupe", "--undo", second["cluster"]).code == 0
    assert cli(*w, "dedupe", "--undo", first["cluster"]).code == 0
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all() == []
        statuses = s.exec(select(m.DuplicateLink.status)).scalars().all()
    assert statuses == ["undone", "undone"]


def test_report_says_which_shared_dois_were_not_used(ws, cli, tmp_path):
    """Abstracts of one supplement under one DOI: the report says the DOI was set aside."""
    path = tmp_path / "abstracts.ris"
    path.write_text(
        "".join(
            f"TY  - JOUR\nTI  - {title}\nAU  - Author{n}, A.\nPY  - 2011\n"
            f"T2  - American Journal of Respiratory and Critical Care Medicine\nVL  - 183\n"
            f"DO  - 10.1164/ajrccm-conference.2011.183.1\nER  - \n\n"
            for n, title in enumerate(
                [
                    "Streptokinase in tubercular pleural effusions",
                    "Indwelling pleural catheters and hospital admissions",
                    "Talc pleurodesis and days in hospital",
                ]
            )
        )
    )
    assert cli("-w", ws.root, "import", path).code == 0
    res = cli("-w", ws.root, "dedupe")
    assert res.code == 0
    assert "not used: 1 DOI(s) that several different works carry" in res.out
    assert "0 duplicate cluster(s), 0 pair(s) to decide" in res.out
    doc = cli("-w", ws.root, "dedupe", "--json").json()
    assert doc["shared_dois"] == ["10.1164/ajrccm-conference.2011.183.1"]


def test_the_most_complete_bibtex_record_survives_by_its_own_fields(ws, cli, testdata):
    """pybtex's xampl: `phdthesis-full` says more than `phdthesis-minimal` (type, address,
    month, note), though no citation column holds those: it survives, and its export keeps
    them (the minimal record, first in the file, used to win the tie on columns)."""
    w = ["-w", ws.root]
    assert cli(*w, "import", testdata / "bibtex" / "pybtex_xampl.bib").code == 0
    assert cli(*w, "dedupe", "--apply").code == 0
    history = cli(*w, "dedupe", "--history", "--json").json()
    pairs = {(h["merged"], h["survivor"]) for h in history["history"]}
    assert ("phdthesis-minimal", "phdthesis-full") in pairs
    assert ("mastersthesis-minimal", "mastersthesis-full") in pairs
    res = cli(*w, "export", "bibtex", "--key", "phdthesis-full", "-o", ws.root / "t.bib")
    assert res.code == 0, res.err
    text = (ws.root / "t.bib").read_text("utf-8")
    for line in ('type = "{PhD} Dissertation"', 'address = "Department of French"',
                 'month = jun # "-" # aug', 'note = "This is a full PHDTHESIS entry"'):  # fmt: skip
        assert line in text


SURVIVOR_BIB = """@string{mynote = "Read in translation"}

@article{first,
  author = {Smith, Jane and Jones, Kim},
  title = {Co-production in local government},
  journal = {Local Government Studies},
  year = 2015, volume = 41, number = 3, pages = {1--20}, doi = {10.1/lgs.3}
}

@article{second,
  author = {Smith, Jane and Jones, Kim},
  title = {Co-production in local government},
  journal = {Local Government Studies},
  year = 2015, address = {London}, note = mynote, crossref = {whole}, key = {}
}
"""


def test_a_merge_keeps_the_fields_only_the_other_bibtex_record_had(ws, cli, tmp_path):
    """The survivor gains the other record's `address` and `note` (with the @string the note
    uses) but not its `crossref` (how that record got its fields) or an empty `key`; undo
    puts the survivor's record back as it was."""
    path = tmp_path / "two.bib"
    path.write_text(SURVIVOR_BIB, "utf-8")
    w = ["-w", ws.root]
    assert cli(*w, "import", path).code == 0
    with session_scope(ws.engine) as s:
        before = _snapshot(s)
    res = cli(*w, "dedupe", "--merge", "first,second", "--json")
    assert res.code == 0, res.err
    (merge,) = res.json()["merged"]
    assert merge["survivor"] == "first"
    out = tmp_path / "out.bib"
    assert cli(*w, "export", "bibtex", "--key", "first", "-o", out).code == 0
    text = out.read_text("utf-8")
    assert "address = {London}" in text and "note = mynote" in text
    assert '@string{mynote = "Read in translation"}' in text
    assert "crossref" not in text and "key =" not in text
    assert "doi = {10.1/lgs.3}" in text
    assert cli(*w, "dedupe", "--undo", merge["cluster"]).code == 0
    with session_scope(ws.engine) as s:
        assert _snapshot(s) == before


def test_an_undo_is_its_own_dated_entry_and_status_counts_live_links(ws, cli, testdata):
    """After `--undo` the history lists the undo, dated, who made it, newest first (the merge
    stays listed as `undone`), and `review status` counts only the links still merged; a pair
    kept apart is no duplicate link either."""
    w = ["-w", ws.root]
    assert cli(*w, "import", testdata / "bibtex" / "pybtex_xampl.bib").code == 0
    applied = cli(*w, "dedupe", "--apply", "--json").json()
    n = sum(len(c["merged"]) for c in applied["merged"])
    assert cli(*w, "status", "--json").json()["counts"]["duplicate_links"] == n
    thesis = next(c for c in applied["merged"] if c["survivor"] == "phdthesis-full")
    assert cli(*w, "dedupe", "--undo", thesis["cluster"]).code == 0
    again = cli(*w, "dedupe", "--undo", thesis["cluster"])  # says so, not "no such cluster"
    assert again.code != 0 and "was undone already on 20" in again.err
    assert cli(*w, "dedupe", "--apart", "booklet-minimal,booklet-full").code == 0
    assert cli(*w, "status", "--json").json()["counts"]["duplicate_links"] == n - 1
    history = cli(*w, "dedupe", "--history", "--json").json()["history"]
    assert [h["status"] for h in history[:2]] == ["apart", "undo"]
    undo = history[1]
    assert (undo["cluster"], undo["merged"], undo["survivor"]) == (
        thesis["cluster"], "phdthesis-minimal", "phdthesis-full",
    )  # fmt: skip
    assert undo["coder"] and undo["created"]
    merge = next(h for h in history if h["cluster"] == thesis["cluster"] and h is not undo)
    assert merge["status"] == "undone" and merge["created"] < undo["created"]
    assert [h["created"] for h in history] == sorted((h["created"] for h in history), reverse=True)
    # merged again: the new merge comes first, the undo and the first merge stay listed
    assert cli(*w, "dedupe", "--merge", "phdthesis-minimal,phdthesis-full").code == 0
    statuses = [
        h["status"]
        for h in cli(*w, "dedupe", "--history", "--json").json()["history"]
        if h["cluster"] == thesis["cluster"]
    ]
    assert statuses == ["merged", "undo", "undone"]
    text = cli(*w, "dedupe", "--history").out
    # an undo does not read like a merge; the count is of entries, not of links
    assert (f"{thesis['cluster']}  undo    phdthesis-minimal and phdthesis-full separate "
            "again") in text  # fmt: skip
    assert text.rstrip().endswith(" entries")


def test_a_later_dedupe_does_not_chain_through_records_merged_before(ws, cli, tmp_path):
    """Found walking issue 14 on the respiratory search: `dedupe --apply` merged the two
    French-titled records 89 and 90 and left 88 (English title) for a person, since 88 and 90
    differ ('would join records that differ'). The next `review dedupe` proposed 88 | 89 as a
    cluster to merge: the survivor no longer stood for 90, so complete linkage was broken
    across runs. Now a join passes the vetoes against the records merged before too."""
    from tests.conftest import data_file

    rows = data_file("dedup/bibdedupe/respiratory/records_pre_merged.csv")
    lines = rows.read_text("utf-8").splitlines()
    path = tmp_path / "three.csv"
    path.write_text("\n".join([lines[0], *lines[88:91]]) + "\n", "utf-8")
    w = ["-w", ws.root]
    assert cli(*w, "import", path).code == 0
    first = cli(*w, "dedupe", "--apply", "--json").json()
    assert [sorted(c["keys"]) for c in first["clusters"]] == [["id_0000089", "id_0000090"]]
    again = cli(*w, "dedupe", "--json").json()
    assert again["clusters"] == []
    (pair,) = again["maybe"]
    assert {pair["a"], pair["b"]} == {"id_0000088", "id_0000089"}
    assert "id_0000090 (merged into id_0000089), titles differ" in pair["reasons"][0]
    # a reviewer may still merge them by hand
    assert cli(*w, "dedupe", "--merge", "id_0000088,id_0000089").code == 0
    assert cli(*w, "dedupe", "--json").json()["maybe"] == []


NON_ASCII_BIB = """@article{Müller2019,
  author = {M{\\"u}ller, Hans and Schmidt, Anna},
  title = {Co-production of public services in German municipalities},
  journal = {Public Administration Review},
  year = {2019}, volume = {79}, number = {3}, pages = {345--356}
}
@article{Muller2019,
  author = {Muller, Hans and Weber, Karl},
  title = {Citizen participation in Bavarian local budgets},
  journal = {Local Government Studies},
  year = {2019}, volume = {45}, number = {2}, pages = {201--220}
}
@article{Łukasz_2020,
  author = {Nowak, Łukasz and Wiśniewska, Zofia},
  title = {Social cooperatives and the co-production of care in Polish cities},
  journal = {Voluntas},
  year = {2020}, volume = {31}, pages = {88--101}
}
@article{王2019,
  author = {王, 伟 and 李, 娜},
  title = {社区治理中的共同生产：以上海为例},
  journal = {中国行政管理},
  year = {2019}, volume = {35}, number = {5}, pages = {12--18}
}
@article{Şahin2018,
  author = {Şahin, Ayşe},
  title = {Co-production in Turkish municipalities after the 2014 reform},
  journal = {Public Management Review},
  year = {2018}, volume = {20}, pages = {1201--1220}
}
"""

NON_ASCII_RIS = """TY  - JOUR
AU  - Müller, H.
AU  - Schmidt, A.
TI  - CO-PRODUCTION OF PUBLIC SERVICES IN GERMAN MUNICIPALITIES
JO  - Public Adm. Rev.
PY  - 2019
VL  - 79
IS  - 3
SP  - 345
EP  - 356
ER  - 
TY  - JOUR
AU  - Nowak, L.
AU  - Wisniewska, Z.
TI  - Social cooperatives and the co-production of care in Polish cities
JO  - VOLUNTAS
PY  - 2020
VL  - 31
SP  - 88
EP  - 101
ER  - 
TY  - JOUR
AU  - 王伟
AU  - 李娜
TI  - 社区治理中的共同生产：以上海为例
JO  - 中国行政管理
PY  - 2019
VL  - 35
IS  - 5
SP  - 12
EP  - 18
ER  - 
"""


def test_non_ascii_cite_keys_survive_import_dedupe_merge_and_undo(ws, cli, tmp_path):
    """Class: cite keys in other scripts ("Müller2019", "Łukasz_2020", "王2019"). They are
    the file's own keys: stored, reported, merged, kept apart and undone exactly as written,
    with no crash; and a key that differs from another only by a diacritic ("Müller2019" /
    "Muller2019") is no reason to merge two different papers — only their content decides."""
    (tmp_path / "scholar.bib").write_text(NON_ASCII_BIB, "utf-8")
    (tmp_path / "wos.ris").write_text(NON_ASCII_RIS, "utf-8")
    w = ["-w", ws.root]
    res = cli(*w, "import", tmp_path / "scholar.bib", tmp_path / "wos.ris", "--json")
    assert res.code == 0, res.err
    with session_scope(ws.engine) as s:
        keys = set(s.execute(select(m.Source.key)).scalars())
    assert {"Müller2019", "Muller2019", "Łukasz_2020", "王2019", "Şahin2018"} <= keys
    doc = cli(*w, "dedupe", "--json").json()
    clusters = {frozenset(c["keys"]) for c in doc["clusters"]}
    by_key = {k: c for c in clusters for k in c}
    assert {"Müller2019", "Łukasz_2020", "王2019"} <= set(by_key)
    assert all(len(c) == 2 for c in clusters) and len(clusters) == 3
    assert "Muller2019" not in by_key and "Şahin2018" not in by_key
    assert not any("Muller2019" in (p["a"], p["b"]) for p in doc["maybe"])
    text = cli(*w, "dedupe")
    assert text.code == 0 and "王2019" in text.out and "Łukasz_2020" in text.out
    # a person's calls with such keys: keep apart, merge by hand, undo
    res = cli(*w, "dedupe", "--apart", "Müller2019,Muller2019")
    assert res.code == 0, res.err
    assert "Müller2019 and Muller2019 kept apart" in res.out
    applied = cli(*w, "dedupe", "--apply", "--json")
    assert applied.code == 0, applied.err
    cluster = next(r["cluster"] for r in applied.json()["merged"] if "王2019" in r["merged"]
                   + [r["survivor"]])  # fmt: skip
    history = cli(*w, "dedupe", "--history")
    assert history.code == 0 and "王2019" in history.out
    undone = cli(*w, "dedupe", "--undo", cluster)
    assert undone.code == 0 and "王2019" in undone.out, undone.err
    with session_scope(ws.engine) as s:
        merged_into = dict(s.execute(select(m.Source.key, m.Source.merged_into_id)).all())
        ids = dict(s.execute(select(m.Source.key, m.Source.id)).all())
    assert merged_into["王2019"] is None and merged_into["Muller2019"] is None  # undone; never
    (twin,) = by_key["Müller2019"] - {"Müller2019"}  # the RIS record of the same paper
    pair = {merged_into["Müller2019"], merged_into[twin]}
    assert pair in ({None, ids[twin]}, {None, ids["Müller2019"]})  # one merged into the other
    assert cli(*w, "status").code == 0
    # the same key typed in a Latin-1 terminal reaches review as undecodable bytes: one line
    # that says so (it was "internal error: UnicodeEncodeError: … surrogates not allowed")
    for args in (("dedupe", "--merge", "M\udcfcller2019,Muller2019"),
                 ("dedupe", "--apart", "M\udcfcller2019,Muller2019"),
                 ("screen", "decide", "include", "M\udcfcller2019")):  # fmt: skip
        res = cli(*w, *args)
        assert res.code == 1 and "internal error" not in res.err, res.err
        assert "text given to review is not UTF-8 ('M\\xfcller2019')" in res.err
    # and the workspace log took the command line (a raw surrogate stopped its writing)
    logged = (ws.root / ".review" / "review.log").read_text(encoding="utf-8")
    assert "screen decide include M\\udcfcller2019" in logged
