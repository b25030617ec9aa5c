"""Dual screening through the CLI: blind mode, reasons, conflicts, resolution, kappa."""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.screening.decisions import store_status
from review.stats import kappa_from_pairs
from review.store import models as m
from review.store.coders import ensure_coder
from review.store.db import session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def library(ws):
    with session_scope(ws.engine) as s:
        for n in range(10):
            s.add(
                m.Source(
                    key=f"r{n}",
                    title=f"Co-production study {n}",
                    year=2000 + n,
                    database="Scopus" if n < 6 else "Web of Science",
                )
            )
        s.add(m.Source(key="fg1", kind="transcript", title="Focus group 1"))
        s.add(m.Source(key="pdf1", kind="document", title="Council minutes", record_format="pdf"))
    return ws


def run(cli, ws, coder, *args):
    res = cli("-w", ws.root, "--coder", coder, "screen", *args)
    return res


def test_blind_mode_hides_the_other_decision_until_both_decided(library, cli):
    ws = library
    assert run(cli, ws, "ann", "decide", "include", "r1").code == 0
    bob_view = run(cli, ws, "bob", "list", "--json").json()
    assert bob_view["blind"] is True
    r1 = next(r for r in bob_view["records"] if r["key"] == "r1")
    assert r1["decisions"] == {} and r1["mine"] is None
    ann_view = run(cli, ws, "ann", "list", "--json").json()
    assert next(r for r in ann_view["records"] if r["key"] == "r1")["decisions"] == {
        "ann": "include"
    }
    assert [r["key"] for r in ann_view["records"]] == [f"r{n}" for n in range(10)]  # no fg1/pdf1
    assert run(cli, ws, "bob", "decide", "exclude", "r1", "-r", "wrong population").code == 0
    r1 = next(
        r for r in run(cli, ws, "bob", "list", "--json").json()["records"] if r["key"] == "r1"
    )
    assert r1["decisions"] == {"ann": "include", "bob": "exclude"}
    assert r1["status"] == "conflict"
    # with blind mode off, a lone decision is visible to the other reviewer
    assert run(cli, ws, "ann", "decide", "maybe", "r2").code == 0
    assert run(cli, ws, "bob", "blind", "off").code == 0
    bob_view = run(cli, ws, "bob", "list", "--json").json()
    assert next(r for r in bob_view["records"] if r["key"] == "r2")["decisions"] == {"ann": "maybe"}


def test_todo_lists_only_undecided(library, cli):
    ws = library
    run(cli, ws, "ann", "decide", "include", "r0", "r1", "r2")
    todo = run(cli, ws, "ann", "list", "--todo", "--json").json()
    assert [r["key"] for r in todo["records"]] == [f"r{n}" for n in range(3, 10)]
    assert todo["progress"]["mine"] == 3


def test_a_key_given_twice_is_decided_once(library, cli):
    """`decide include r1 r1` printed (and returned) the decision twice."""
    ws = library
    res = run(cli, ws, "ann", "decide", "include", "r1", "r2", "r1", "r1")
    assert res.code == 0
    assert res.out.splitlines() == [
        "recorded: r1 include at title-abstract by ann",
        "recorded: r2 include at title-abstract by ann",
    ]
    assert res.err.strip() == "r1 was given 3 times: decided once"
    doc = run(cli, ws, "ann", "decide", "exclude", "r2", "r2", "-r", "wrong population", "--json")
    assert [d["key"] for d in doc.json()["decisions"]] == ["r2"]
    with session_scope(ws.engine) as s:
        assert len(s.exec(select(m.ScreeningDecision)).all()) == 2


def test_reasons_conflicts_resolution_and_full_text(library, cli):
    ws = library
    res = run(cli, ws, "ann", "decide", "exclude", "r3", "-r", "made up")
    assert res.code == 1 and "unknown reason" in res.err
    assert run(cli, ws, "ann", "reasons", "--add", "made up").code == 0
    assert "made up" in [
        r["name"] for r in run(cli, ws, "ann", "reasons", "--json").json()["reasons"]
    ]
    run(cli, ws, "ann", "decide", "exclude", "r3", "-r", "made up")
    run(cli, ws, "bob", "decide", "include", "r3")
    conf = run(cli, ws, "cat", "conflicts", "--json").json()["conflicts"]
    assert conf == [
        {
            "key": "r3",
            "decisions": {"ann": "exclude", "bob": "include"},
            "reasons": {"ann": "made up"},
        }
    ]
    res = run(cli, ws, "ann", "decide", "include", "r3", "--stage", "full-text")
    assert res.code == 1 and "has not passed" in res.err
    assert run(cli, ws, "cat", "resolve", "include", "r3").code == 0
    assert run(cli, ws, "cat", "conflicts", "--json").json()["conflicts"] == []
    res = run(cli, ws, "ann", "decide", "exclude", "r3", "--stage", "full-text")
    assert res.code == 1 and "need a reason" in res.err  # bad input (README): exit 1
    assert run(cli, ws, "ann", "decide", "include", "r3", "-s", "full-text").code == 0
    res = run(cli, ws, "ann", "decide", "include", "fg1")
    assert res.code == 1 and "transcript" in res.err
    res = run(cli, ws, "ann", "decide", "perhaps", "r4")
    assert res.code == 2
    assert run(cli, ws, "ann", "decide", "include", "nope").code == 1


def test_kappa_equals_the_hand_computed_value(library, cli):
    ws = library
    ann = ["include"] * 4 + ["exclude"] * 5 + ["maybe"]
    bob = ["include"] * 3 + ["exclude"] * 5 + ["maybe"] * 2
    for n in range(10):
        run(cli, ws, "ann", "decide", ann[n], f"r{n}")
        run(cli, ws, "bob", "decide", bob[n], f"r{n}")
    # By hand: agreements r0-r2 (include), r4-r7 (exclude), r9 (maybe) = 8 of 10, po = 0.8.
    # ann: 4 include, 5 exclude, 1 maybe; bob: 3, 5, 2.
    # pe = (4*3 + 5*5 + 1*2) / 100 = 0.39; kappa = (0.8 - 0.39) / (1 - 0.39) = 0.41/0.61.
    doc = run(cli, ws, "ann", "kappa", "--stage", "title-abstract", "--json").json()
    (k,) = doc["kappa"]
    assert k["n"] == 10
    assert k["observed_agreement"] == 0.8 and k["expected_agreement"] == 0.39
    assert k["kappa"] == round(0.41 / 0.61, 4) == 0.6721
    assert k["table"]["include"]["exclude"] == 1 and k["table"]["exclude"]["maybe"] == 1
    text = run(cli, ws, "ann", "kappa", "--coders", "ann,bob")
    assert text.code == 0 and "title-abstract: kappa 0.672" in text.out


def test_kappa_edge_cases(library, cli):
    empty = kappa_from_pairs([])
    assert (empty.n, empty.observed, empty.chance, empty.kappa) == (0, None, None, None)
    same = kappa_from_pairs([("include", "include")] * 3)
    assert (same.observed, same.chance, same.kappa) == (1.0, 1.0, None)
    opposite = kappa_from_pairs([("include", "exclude"), ("exclude", "include")])
    assert (opposite.observed, opposite.chance, opposite.kappa) == (0.0, 0.5, -1.0)
    res = run(cli, library, "ann", "kappa", "--stage", "title-abstract")
    assert res.code == 1 and "two screeners" in res.err
    # a reviewer with no decisions (a typo) is named, not reported as agreeing on 0 records
    for who in ("ann", "bob"):
        assert run(cli, library, who, "decide", "include", "r1").code == 0
    res = run(cli, library, "ann", "kappa", "--coders", "ann,zed")
    assert res.code == 1
    assert "zed made no screening decision at title-abstract (screeners: ann, bob)" in res.err
    assert "zed made no screening decision at full-text (screeners: none yet)" in res.err


def test_screening_decisions_follow_a_merge(library, cli):
    ws = library
    run(cli, ws, "ann", "decide", "include", "r5")
    res = cli("-w", ws.root, "dedupe", "--merge", "r4,r5", "--json")
    assert res.code == 0, res.err
    survivor = res.json()["merged"][0]["survivor"]
    loser = "r5" if survivor == "r4" else "r4"
    res = run(cli, ws, "ann", "decide", "include", loser)
    assert res.code == 1 and f"merged into {survivor}" in res.err
    mine = {r["key"]: r["mine"] for r in run(cli, ws, "ann", "list", "--json").json()["records"]}
    assert loser not in mine and mine[survivor] == "include"


def test_unpublished_manuscript_from_a_citation_export_is_screened(library, cli):
    with session_scope(library.engine) as s:
        s.add(
            m.Source(
                key="ms1", kind="document", title="Unpublished manuscript", record_format="bibtex"
            )
        )
    keys = [r["key"] for r in run(cli, library, "ann", "list", "--json").json()["records"]]
    assert "ms1" in keys and "pdf1" not in keys
    res = run(cli, library, "ann", "decide", "include", "pdf1")
    assert res.code == 1 and "not a literature record" in res.err


def test_one_word_per_status_in_the_list_the_progress_and_the_stored_status(library, cli):
    """A new user's walk: for records nobody had decided, `review screen list` said
    `pending mine=-` (and the Screening screen "status pending") while the Library and
    `source.screening_status` said `unscreened`; "pending" now means only a record decided by
    fewer reviewers than required."""
    from sqlmodel import select

    ws = library
    assert run(cli, ws, "ann", "decide", "include", "r1").code == 0  # one of two reviewers
    listing = run(cli, ws, "bob", "list")
    assert listing.code == 0, listing.err
    lines = {ln.split()[0]: ln.split()[1] for ln in listing.out.splitlines() if ln[:1] == "r"}
    assert lines["r0"] == "unscreened" and lines["r1"] == "pending", listing.out
    doc = run(cli, ws, "bob", "list", "--json").json()
    shown = {r["key"]: r["status"] for r in doc["records"]}
    assert doc["progress"]["unscreened"] == 9 and doc["progress"]["pending"] == 1
    with session_scope(ws.engine) as s:
        stored = dict(s.exec(select(m.Source.key, m.Source.screening_status)).all())
    assert all(stored[k] == v for k, v in shown.items()), (stored, shown)  # the same words
    only = run(cli, ws, "bob", "list", "--status", "unscreened", "--json").json()["records"]
    assert sorted(r["key"] for r in only) == [f"r{n}" for n in range(10) if n != 1]
    bad = run(cli, ws, "bob", "list", "--status", "undecided")
    assert bad.code == 2 and "unknown screening status 'undecided'" in bad.err


def test_conflicts_and_the_list_show_each_reviewers_reason(library, cli):
    """Found by a new user: two exclusions with different reasons are a conflict, but the
    text said only 'ann: exclude, bob: exclude', which reads as agreement."""
    root, key = library.root, "r3"
    for who, why in (("ann", "wrong outcome"), ("bob", "wrong study design")):
        res = cli("-w", root, "--coder", who, "screen", "decide", "exclude", key, "-r", why)
        assert res.code == 0, res.err
    out = cli("-w", root, "screen", "conflicts").out
    assert f"{key}" in out
    assert "ann: exclude (wrong outcome); bob: exclude (wrong study design)" in out
    listed = cli("-w", root, "--coder", "ann", "screen", "list", "--status", "conflict").out
    assert "[bob: exclude (wrong study design)]" in listed


def test_a_resolved_conflict_says_who_resolved_it_and_why(library, cli):
    """A new user's walk: after `screen resolve exclude KEY -r "wrong outcome"` the list
    showed only the two reviewers' sides, and the resolver's line said `0 of 10 decided`.
    Now the final decision and its reason are in the list (text and --json), the resolver's
    progress counts it, and it leaves the resolver's --todo."""
    ws = library
    run(cli, ws, "ann", "decide", "exclude", "r2", "-r", "wrong outcome")
    run(cli, ws, "bob", "decide", "exclude", "r2", "-r", "wrong study design")
    assert [c["key"] for c in run(cli, ws, "cat", "conflicts", "--json").json()["conflicts"]] == [
        "r2"
    ]
    assert run(cli, ws, "cat", "resolve", "exclude", "r2", "-r", "wrong outcome").code == 0
    doc = run(cli, ws, "cat", "list", "--json").json()
    r2 = next(r for r in doc["records"] if r["key"] == "r2")
    assert r2["status"] == "exclude" and r2["final"] == "exclude"
    assert r2["resolution"] == {"coder": "cat", "decision": "exclude", "reason": "wrong outcome"}
    assert r2["mine"] == "exclude"  # the resolver's decision is theirs
    assert doc["progress"]["mine"] == 1
    todo = run(cli, ws, "cat", "list", "--todo", "--json").json()["records"]
    assert "r2" not in [r["key"] for r in todo]
    text = run(cli, ws, "cat", "list").out
    line = next(ln for ln in text.splitlines() if ln.startswith("r2 "))
    assert "[ann: exclude (wrong outcome); bob: exclude (wrong study design)]" in line
    assert line.endswith("final: cat: exclude (wrong outcome)")
    assert "1 of 10 decided by cat" in text
    # a reviewer sees the resolution too; their own count is theirs alone
    ann = run(cli, ws, "ann", "list").out
    line = next(ln for ln in ann.splitlines() if ln.startswith("r2 "))
    assert "mine=exclude" in line and "final: cat: exclude (wrong outcome)" in line
    assert "[bob: exclude (wrong study design)]" in line


def test_a_workspace_seeded_with_full_text_not_available_hides_it(library, cli):
    """Workspaces made before held "full text not available" among the default reasons; it is
    no exclusion (PRISMA 2020: reports not retrieved), so it is no longer offered, and a
    decision naming it says what to do instead."""
    ws = library
    with session_scope(ws.engine) as s:
        s.add(m.ExclusionReason(name="full text not available", stage="full-text"))
        s.add(m.Setting(key="screening.reasons-seeded", value="yes"))
    shown = run(cli, ws, "ann", "reasons", "-s", "full-text", "--json").json()["reasons"]
    assert "full text not available" not in [r["name"] for r in shown]
    for who in ("ann", "bob"):
        assert run(cli, ws, who, "decide", "include", "r1").code == 0
    res = run(
        cli,
        ws,
        "ann",
        "decide",
        "exclude",
        "r1",
        "-s",
        "full-text",
        "-r",
        "full text not available",
    )
    assert res.code == 2 and "decide not-retrieved" in res.err
    assert run(cli, ws, "ann", "decide", "not-retrieved", "r1", "-s", "full-text").code == 0
    # exclusions made with it before are pointed out by `review prisma`
    for who in ("ann", "bob"):
        assert run(cli, ws, who, "decide", "include", "r2").code == 0
    with session_scope(ws.engine) as s:
        r2 = s.exec(select(m.Source).where(m.Source.key == "r2")).one()
        for who in ("ann", "bob"):
            s.add(m.ScreeningDecision(source_id=r2.id, coder_id=ensure_coder(s, who).id,
                                      stage="full-text", decision="exclude",
                                      reason="full text not available"))  # fmt: skip
        store_status(s, [r2.id])
    res = cli("-w", ws.root, "prisma")
    assert res.code == 0
    assert "note: 1 report(s) excluded as 'full text not available' could not be" in res.err


def test_a_resolution_settles_a_conflict_and_names_the_reason(library, cli):
    """`resolve` is for a conflict (or to change a resolution): on a record both reviewers
    agree on, or one waiting for its second reviewer, it says there is nothing to resolve —
    before, a third person's 'resolution' silently overrode two agreeing reviewers. Settling
    two different exclusion reasons with an exclusion names the reason that counts (before,
    it was stored without one and PRISMA counted "reason not given")."""
    ws = library
    for who in ("ann", "bob"):
        assert run(cli, ws, who, "decide", "include", "r0").code == 0
    assert run(cli, ws, "ann", "decide", "include", "r1").code == 0
    res = run(cli, ws, "cat", "resolve", "exclude", "r0", "-r", "wrong outcome")
    assert res.code == 1 and "r0 is no conflict at title-abstract (status include)" in res.err
    res = run(cli, ws, "cat", "resolve", "exclude", "r1")
    assert res.code == 1 and "waiting for another reviewer" in res.err
    assert run(cli, ws, "ann", "decide", "exclude", "r2", "-r", "wrong population").code == 0
    assert run(cli, ws, "bob", "decide", "exclude", "r2", "-r", "wrong outcome").code == 0
    res = run(cli, ws, "cat", "resolve", "exclude", "r2")
    assert res.code == 2
    assert "gave reasons (wrong outcome; wrong population): name the one" in res.err
    assert run(cli, ws, "cat", "resolve", "exclude", "r2", "-r", "wrong outcome").code == 0
    # a resolution may be changed: the record has a final decision
    assert run(cli, ws, "cat", "resolve", "exclude", "r2", "-r", "wrong population").code == 0
    doc = cli("-w", ws.root, "prisma", "--json").json()
    assert doc["screening"]["excluded_by_reason"] == {"wrong population": 1}
    assert run(cli, ws, "ann", "decide", "include", "r0", "-s", "full-text").code == 0
    assert run(cli, ws, "bob", "decide", "maybe", "r0", "-s", "full-text").code == 0
    res = run(cli, ws, "cat", "resolve", "maybe", "r0", "-s", "full-text")
    assert res.code == 2 and "include, exclude or not-retrieved" in res.err
    assert run(cli, ws, "cat", "resolve", "not-retrieved", "r0", "-s", "full-text").code == 0


def test_a_reason_is_one_whatever_its_case_and_spacing(library, cli):
    """`reasons --add "Wrong  Population"` listed a second reason that no decision could use
    (a decision's reason is matched case aside, so it took the first); `--remove` needed the
    exact case. One reason, found the way a decision finds it."""
    ws = library
    shown = run(cli, ws, "ann", "reasons", "--add", "Wrong  Population").out.splitlines()
    assert [n for n in shown if n.casefold() == "wrong population"] == ["wrong population"]
    res = run(cli, ws, "ann", "decide", "exclude", "r1", "-r", "WRONG   population")
    assert res.code == 0 and "(wrong population)" in res.out
    assert run(cli, ws, "ann", "reasons", "--remove", "Wrong Population").code == 0
    assert "wrong population" not in run(cli, ws, "ann", "reasons").out


def test_a_list_cut_at_its_limit_says_more_records_follow(library, cli):
    """A walk on a 57-record search: `screen list` showed 50 rows and '0 of 57 decided', never
    saying that 7 more were not shown."""
    ws = library  # ten records, r0 to r9
    cut = run(cli, ws, "ann", "list", "--limit", "4")
    assert cut.out.count("unscreened") == 4
    assert "… and more: --offset 4 lists the next 4" in cut.out
    assert run(cli, ws, "ann", "list", "--limit", "4", "--json").json()["more"] is True
    last = run(cli, ws, "ann", "list", "--limit", "4", "--offset", "8")
    assert last.out.count("unscreened") == 2 and "and more" not in last.out
    assert run(cli, ws, "ann", "list", "--json").json()["more"] is False


def _status(ws, key):
    with session_scope(ws.engine) as s:
        src = s.exec(select(m.Source).where(m.Source.key == key)).one()
        mine = s.exec(
            select(m.ScreeningDecision.decision).where(m.ScreeningDecision.source_id == src.id)
        ).all()
        return src.screening_status, list(mine)


def test_screen_undo_and_redo_at_the_command_line(library, cli):
    """`review screen undo|redo`: the Screening screen's ctrl+z / ctrl+y (one service,
    `review.coding.history.screen_step`), with the record's stored status; a clear line when
    there is nothing to undo or redo, and --json like the other screen commands."""
    ws = library
    res = run(cli, ws, "ann", "undo")
    assert res.code == 0 and res.out.strip() == (
        "nothing to undo: no screening decision of yours (ann) to take back"
    )
    assert run(cli, ws, "ann", "redo", "--json").json() == {
        "redone": None, "key": None, "stage": None, "coder": "ann"
    }  # fmt: skip
    assert run(cli, ws, "ann", "decide", "include", "r1").code == 0
    assert run(cli, ws, "ann", "decide", "exclude", "r1", "-r", "wrong population").code == 0
    assert _status(ws, "r1") == ("pending", ["exclude"])
    res = run(cli, ws, "bob", "undo")  # another reviewer's decision is not bob's to undo
    assert "nothing to undo" in res.out and _status(ws, "r1") == ("pending", ["exclude"])
    res = run(cli, ws, "ann", "undo")
    assert res.code == 0 and res.out.strip() == (
        "undone: r1: exclude (wrong population) taken back, include again at title-abstract "
        "(status pending)"
    )
    assert _status(ws, "r1") == ("pending", ["include"])
    doc = run(cli, ws, "ann", "undo", "--json").json()
    assert doc == {
        "undone": "r1: include taken back at title-abstract (status unscreened)",
        "key": "r1",
        "stage": "title-abstract",
        "coder": "ann",
    }
    assert _status(ws, "r1") == ("unscreened", [])
    assert "nothing to undo" in run(cli, ws, "ann", "undo").out
    assert "nothing to undo" in run(cli, ws, "ann", "undo", "--stage", "full-text").out
    res = run(cli, ws, "ann", "redo")
    assert res.code == 0
    assert res.out.strip() == "redone: r1: include again at title-abstract (status pending)"
    assert _status(ws, "r1") == ("pending", ["include"])
    assert run(cli, ws, "ann", "decide", "maybe", "r2").code == 0  # a new step ends the chain
    res = run(cli, ws, "ann", "redo")
    assert res.code == 0 and res.out.strip() == (
        "nothing to redo: you decided again since undoing r1, which ends the redo chain"
    )
    assert _status(ws, "r1") == ("pending", ["include"])
    res = run(cli, ws, "ann", "undo", "--stage", "nonsense")
    assert res.code == 2 and "unknown stage 'nonsense'" in res.err
