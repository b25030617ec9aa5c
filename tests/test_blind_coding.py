"""Blind coding (`review code blind on`) everywhere codings are listed: a coder sees only their
own until it is off — in the excerpt and REFI-QDA exports, `review code list`, `review
excerpts`, the Excerpts screen and the Indicators screen's excerpt picker; the memos on
others' codings (`review memo list`, the Memos screen) and the quotes of others' excerpts
linked to indicators (`review indicators list`, the Indicators screen's links). The brief stays
the team's (every coder's work) and says so. One rule, `review.coding.codings.blind_coder`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import Label, OptionList

from review.coding.codings import add_memo, blind_coder, set_blind
from review.store import models as m
from review.store.db import session_scope
from review.tui.app import ReviewApp
from tests.tui_helpers import settle, until

REPO = Path(__file__).resolve().parents[1]
BOTH = pytest.mark.backends("sqlite", "postgres")
KEY = "fg1_community_safety"
SPANS = {"ann": (0, 40), "bob": (50, 90)}


def _coded_by_ann_and_bob(ws, cli) -> None:
    """The sample transcripts and indicators, and Co-design applied once by ann, once by bob."""
    for folder in ("transcripts", "indicators"):
        assert cli("-w", ws.root, "import", REPO / "corpus" / folder).code in (0, 1)
    for who, (a, z) in SPANS.items():
        res = cli("-w", ws.root, "--coder", who, "code", "apply", KEY, "Co-design",
                  "--span", f"{a}:{z}")  # fmt: skip
        assert res.code == 0, res.err


def _blind(ws, on: bool) -> None:
    with session_scope(ws.engine) as s:
        set_blind(s, on)


def test_the_rule_has_one_answer(ws, session):
    assert blind_coder(session, "ann") is None  # off by default: everyone's
    set_blind(session, True)
    assert blind_coder(session, "ann") == "ann"
    assert blind_coder(session, None) is None  # no viewer: the team's outputs
    assert blind_coder(session, "  ") is None


@BOTH
def test_the_excerpt_export_holds_only_the_coders_own_while_blind(ws, cli, tmp_path):
    _coded_by_ann_and_bob(ws, cli)
    out = tmp_path / "x.json"

    def exported(*flags: str) -> tuple[dict, list[str]]:
        res = cli("-w", ws.root, "--coder", "ann", "export", "excerpts", "-o", out, *flags)
        assert res.code == 0, res.err
        rows = json.loads(out.read_text("utf-8"))["excerpts"]
        return res, sorted(r["coder"] for r in rows)

    _blind(ws, True)
    res, coders = exported("--json")
    assert coders == ["ann"] and res.json()["blind_coder"] == "ann"
    assert res.json()["excerpts"] == 1
    res, _ = exported()
    assert "blind coding is on: only your excerpts (ann's)" in res.out
    _blind(ws, False)
    res, coders = exported("--json")
    assert coders == ["ann", "bob"] and res.json()["blind_coder"] is None
    res, _ = exported()
    assert "blind" not in res.out


@BOTH
def test_the_qdpx_export_holds_only_the_coders_own_while_blind(ws, cli, tmp_path):
    _coded_by_ann_and_bob(ws, cli)
    out = tmp_path / "p.qdpx"

    def selections() -> int:
        res = cli("-w", ws.root, "--coder", "bob", "export", "qdpx", "-o", out, "--json")
        assert res.code == 0, res.err
        with zipfile.ZipFile(out) as z:
            xml = z.read("project.qde").decode("utf-8")
        assert res.json()["codings"] == xml.count("<PlainTextSelection ")
        return res.json()["codings"]

    _blind(ws, True)
    assert selections() == 1
    with session_scope(ws.engine) as s:  # and it is bob's span
        from review.outputs.qdpx import build_project

        proj = build_project(s, viewer="bob")
        spans = [(x.start, x.end) for src in proj.sources for x in src.selections]
    assert spans == [SPANS["bob"]]
    # and the file names only bob among its users: ann coded, but nothing of hers is in it
    with zipfile.ZipFile(out) as z:
        xml = z.read("project.qde").decode("utf-8")
    assert 'name="bob"' in xml and 'name="ann"' not in xml
    assert sorted(proj.users.values()) == ["bob"]
    # a project memo by ann is everyone's: then she is named, as its author
    with session_scope(ws.engine) as s:
        add_memo(s, target="project", target_id=None, text="plan", coder="ann")
        assert sorted(build_project(s, viewer="bob").users.values()) == ["ann", "bob"]
    _blind(ws, False)
    assert selections() == 2
    with zipfile.ZipFile(out) as z:
        assert 'name="ann"' in z.read("project.qde").decode("utf-8")


@BOTH
def test_code_list_and_excerpts_show_only_the_coders_own_while_blind(ws, cli):
    _coded_by_ann_and_bob(ws, cli)
    _blind(ws, True)
    listed = cli("-w", ws.root, "--coder", "ann", "code", "list", KEY, "--json").json()
    assert [c["coder"] for c in listed["codings"]] == ["ann"]
    assert listed["blind_coder"] == "ann"
    text = cli("-w", ws.root, "--coder", "ann", "code", "list", KEY).out
    assert text.startswith("blind coding is on: only your codings (ann's)") and "bob" not in text
    found = cli("-w", ws.root, "--coder", "ann", "excerpts", "Co-design", "--json").json()
    assert [x["coder"] for x in found["excerpts"]] == ["ann"] and found["blind_coder"] == "ann"
    text = cli("-w", ws.root, "--coder", "ann", "excerpts", "Co-design").out
    assert "only your excerpts (ann's)" in text and "(bob)" not in text
    peek = cli("-w", ws.root, "--coder", "ann", "excerpts", "--by", "bob")
    assert peek.code == 2 and "not bob's" in peek.err and "Traceback" not in peek.err
    _blind(ws, False)
    found = cli("-w", ws.root, "--coder", "ann", "excerpts", "Co-design", "--json").json()
    assert sorted(x["coder"] for x in found["excerpts"]) == ["ann", "bob"]
    assert found["blind_coder"] is None
    listed = cli("-w", ws.root, "--coder", "ann", "code", "list", KEY, "--json").json()
    assert len(listed["codings"]) == 2


@BOTH
def test_the_brief_stays_the_teams_and_says_so_while_blind(ws, cli, tmp_path):
    _coded_by_ann_and_bob(ws, cli)

    def brief(out: str) -> tuple[dict, str]:
        res = cli("-w", ws.root, "--coder", "ann", "brief", "-f", "md", "-o", tmp_path / out,
                  "--json")  # fmt: skip
        assert res.code == 0, res.err
        return res.json(), (tmp_path / out / "brief.md").read_text("utf-8")

    open_doc, open_md = brief("open")
    _blind(ws, True)
    blind_doc, blind_md = brief("blind")
    assert blind_doc["blind_coding"] is True and open_doc["blind_coding"] is False
    assert any("every coder's work" in h for h in blind_doc["hints"])
    assert not any("blind" in h for h in open_doc["hints"])
    assert blind_doc["tables"] == open_doc["tables"]  # the counts are not changed
    assert blind_md == open_md  # the document itself says nothing of it
    text = cli("-w", ws.root, "brief", "-f", "md", "-o", tmp_path / "t").out
    assert "hint: blind coding is on, but the brief is the team's" in text


async def _picker_rows(ws, coder: str) -> tuple[list[int], str]:
    """Press e on the Indicators screen as `coder`, pick Co-design: the excerpt picker's
    coding ids and its labels."""
    from review.tui.screens.indicators import ExcerptPicker

    ws.coder = coder
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press(*"Co-design")
        await settle(app, pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExcerptPicker))
        picker = app.screen
        assert isinstance(picker, ExcerptPicker), type(picker)
        options = picker.query_one(OptionList)
        ids = [int(options.get_option_at_index(i).id or 0) for i in range(options.option_count)]
        labels = " | ".join(str(x.render()) for x in picker.query(Label))
        await pilot.press("escape")
    return ids, labels


def _coding_ids(ws) -> dict[str, int]:
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.Coding.id, m.Coder.name).join(m.Coder)).all()
    return {name: cid for cid, name in rows}


async def test_the_indicators_excerpt_picker_shows_only_the_coders_own_while_blind(ws, cli):
    _coded_by_ann_and_bob(ws, cli)
    ids = _coding_ids(ws)
    _blind(ws, True)
    shown, labels = await _picker_rows(ws, "ann")
    assert shown == [ids["ann"]] and "only your excerpts (ann's)" in labels
    shown, _ = await _picker_rows(ws, "bob")
    assert shown == [ids["bob"]]
    _blind(ws, False)
    shown, labels = await _picker_rows(ws, "ann")
    assert sorted(shown) == sorted(ids.values()) and "blind" not in labels


async def test_the_picker_says_why_a_blind_coder_sees_no_excerpt(ws, cli):
    _coded_by_ann_and_bob(ws, cli)
    _blind(ws, True)
    ws.coder = "cat"  # has coded nothing: ann's and bob's are hidden
    app = ReviewApp(ws, start="indicators", sample_import=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e", *"Co-design")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
    assert any("no excerpts of yours" in s and "blind coding" in s for s in said), said


# Memos: a coding's memo is part of the coding (it shows the quote), so blind coding hides the
# memos on another coder's codings; memos on the project, a source or a code are everyone's.


def _memos_by_ann_and_bob(ws, cli) -> dict[str, int]:
    """ann's and bob's codings, each with a memo; bob's memos on the project, the source and
    the code too. The coding ids by coder."""
    _coded_by_ann_and_bob(ws, cli)
    ids = _coding_ids(ws)
    for who in ("ann", "bob"):
        res = cli("-w", ws.root, "--coder", who, "memo", "add", "coding", str(ids[who]),
                  f"{who} on their coding")  # fmt: skip
        assert res.code == 0, res.err
    for target, ref in (("project", None), ("source", KEY), ("code", "Co-design")):
        args = [ref] if ref else []
        res = cli("-w", ws.root, "--coder", "bob", "memo", "add", target, *args,
                  f"bob on the {target}")  # fmt: skip
        assert res.code == 0, res.err
    return ids


def _quote(ws, coding_id: int) -> str:
    with session_scope(ws.engine) as s:
        coding = s.get(m.Coding, coding_id)
        assert coding is not None
        return " ".join(coding.quote.split())


@BOTH
def test_memo_list_holds_only_the_coders_own_coding_memos_while_blind(ws, cli):
    ids = _memos_by_ann_and_bob(ws, cli)
    everyone = {("project", "bob"), ("source", "bob"), ("code", "bob")}
    _blind(ws, True)
    doc = cli("-w", ws.root, "--coder", "ann", "memo", "list", "--json").json()
    assert {(x["target"], x["coder"]) for x in doc["memos"]} == everyone | {("coding", "ann")}
    assert doc["blind_coder"] == "ann"
    text = cli("-w", ws.root, "--coder", "ann", "memo", "list").out
    assert text.startswith("blind coding is on: only your coding memos (ann's)")
    assert "bob on the code" in text and "bob on their coding" not in text
    assert f"coding {ids['bob']}:" not in text
    only = cli("-w", ws.root, "--coder", "ann", "memo", "list", "coding", str(ids["bob"]))
    assert only.code == 0 and "bob on their coding" not in only.out
    bob = cli("-w", ws.root, "--coder", "bob", "memo", "list", "coding", "--json").json()
    assert [x["text"] for x in bob["memos"]] == ["bob on their coding"]
    _blind(ws, False)
    doc = cli("-w", ws.root, "--coder", "ann", "memo", "list", "--json").json()
    assert len(doc["memos"]) == 5 and doc["blind_coder"] is None
    assert "blind" not in cli("-w", ws.root, "--coder", "ann", "memo", "list").out


@BOTH
def test_a_blind_coder_cannot_write_over_another_coders_coding_memo(ws, cli):
    ids = _memos_by_ann_and_bob(ws, cli)
    _blind(ws, True)
    res = cli("-w", ws.root, "--coder", "ann", "memo", "add", "coding", str(ids["bob"]), "mine")
    assert res.code == 2 and "another coder's" in res.err and "Traceback" not in res.err
    assert _quote(ws, ids["bob"]) not in res.out + res.err
    with session_scope(ws.engine) as s:
        bobs = s.get(m.Coding, ids["bob"])
        assert bobs is not None and bobs.memo == "bob on their coding"  # kept
    res = cli("-w", ws.root, "--coder", "ann", "memo", "add", "coding", str(ids["ann"]), "again")
    assert res.code == 0, res.err
    _blind(ws, False)  # once it is off, a colleague's coding memo may be written again
    res = cli("-w", ws.root, "--coder", "ann", "memo", "add", "coding", str(ids["bob"]), "both")
    assert res.code == 0, res.err


async def test_the_memos_screen_holds_only_the_coders_own_coding_memos_while_blind(ws, cli):
    from review.tui.widgets.status_line import StatusLine

    ids = _memos_by_ann_and_bob(ws, cli)

    async def listed(coder: str) -> tuple[list[tuple[str, str | None]], str, str]:
        ws.coder = coder
        app = ReviewApp(ws, start="memos", sample_import=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            rows = [(r.target, r.coder) for r in screen.rows]
            note = screen.query_one(StatusLine).note
            shown = ""  # every memo's side panel in turn: its quote and text
            for i in range(len(rows)):
                screen.query_one("DataTable").move_cursor(row=i)
                await settle(app, pilot)
                shown += str(screen.query_one("#memo-full").render())
        return rows, note, shown

    _blind(ws, True)
    rows, note, shown = await listed("ann")
    assert sorted(rows) == [("code", "bob"), ("coding", "ann"), ("project", "bob"),
                            ("source", "bob")]  # fmt: skip
    assert "only your coding memos (ann's)" in note
    assert "bob on their coding" not in shown and _quote(ws, ids["bob"])[:40] not in shown
    assert "bob on the source" in shown
    rows, _, _ = await listed("bob")
    assert ("coding", "bob") in rows and ("coding", "ann") not in rows
    _blind(ws, False)
    rows, note, _ = await listed("ann")
    assert len(rows) == 5 and "blind" not in note


# Indicators: a link to another coder's excerpt is the team's evidence and stays listed (and
# counted), but while blind coding is on its quote is not shown; the link is never changed.


def _bob_links_his_excerpt(ws, cli) -> tuple[int, int, dict[str, int]]:
    """bob links his Co-design excerpt to the first indicator, ann links hers: the indicator
    id, bob's link id and the coding ids by coder."""
    _coded_by_ann_and_bob(ws, cli)
    ids = _coding_ids(ws)
    ind = cli("-w", ws.root, "indicators", "list", "--json").json()["indicators"][0]["id"]
    made = {}
    for who in ("bob", "ann"):
        res = cli("-w", ws.root, "--coder", who, "indicators", "link", str(ind), "--coding",
                  str(ids[who]), "--note", f"{who}'s reason", "--json")  # fmt: skip
        assert res.code == 0, res.err
        made[who] = res.json()["id"]
    return ind, made["bob"], ids


def _link_rows(ws) -> list[tuple]:
    with session_scope(ws.engine) as s:
        rows = s.exec(select(m.EvidenceLink).order_by(m.EvidenceLink.id)).all()
        return [(r.id, r.indicator_id, r.coding_id, r.relation, r.note, r.coder_id) for r in rows]


@BOTH
def test_indicators_list_hides_another_coders_linked_quote_while_blind(ws, cli):
    ind, bobs, ids = _bob_links_his_excerpt(ws, cli)
    before = _link_rows(ws)
    _blind(ws, True)
    doc = cli("-w", ws.root, "--coder", "ann", "indicators", "list", str(ind), "--json").json()
    assert doc["blind_coder"] == "ann"
    by_id = {x["id"]: x for x in doc["links"]}
    assert len(by_id) == 2  # bob's link is listed (and counted), its quote is not
    assert by_id[bobs]["hidden"] is True and by_id[bobs]["quote"] is None
    assert by_id[bobs]["coding_id"] == ids["bob"] and by_id[bobs]["code"] == "Four Cs/Co-design"
    assert by_id[bobs]["note"] == "bob's reason"
    (annes,) = set(by_id) - {bobs}
    assert by_id[annes]["hidden"] is False and by_id[annes]["quote"]
    text = cli("-w", ws.root, "--coder", "ann", "indicators", "list", str(ind)).out
    assert "an excerpt by another coder, hidden while blind coding is on" in text
    assert "1 excerpt by another coder, hidden while blind coding is on" in text
    assert _quote(ws, ids["bob"])[:40] not in text and _quote(ws, ids["ann"])[:40] in text
    every = cli("-w", ws.root, "--coder", "ann", "indicators", "list", "--links", "--json")
    assert [x["hidden"] for x in every.json()["links"] if x["id"] == bobs] == [True]
    count = cli("-w", ws.root, "--coder", "ann", "indicators", "list", "--json").json()
    assert count["indicators"][0]["links"] == 2  # the count is the team's
    doc = cli("-w", ws.root, "--coder", "bob", "indicators", "list", str(ind), "--json").json()
    assert [x["hidden"] for x in doc["links"] if x["id"] == bobs] == [False]
    assert _link_rows(ws) == before  # looking never changes a link
    _blind(ws, False)
    doc = cli("-w", ws.root, "--coder", "ann", "indicators", "list", str(ind), "--json").json()
    assert not any(x["hidden"] for x in doc["links"]) and doc["blind_coder"] is None
    assert "hidden" not in cli("-w", ws.root, "--coder", "ann", "indicators", "list", str(ind)).out


@BOTH
def test_linking_another_coders_excerpt_by_id_does_not_print_its_quote_while_blind(ws, cli):
    _coded_by_ann_and_bob(ws, cli)
    ids = _coding_ids(ws)
    _blind(ws, True)
    res = cli("-w", ws.root, "--coder", "ann", "indicators", "link", "1", "--coding",
              str(ids["bob"]))  # fmt: skip
    assert res.code == 0, res.err
    assert "another coder, hidden while blind coding is on" in res.out
    assert _quote(ws, ids["bob"])[:30] not in res.out


async def test_the_indicators_screen_hides_another_coders_linked_quote_while_blind(ws, cli):
    from textual.widgets import DataTable

    from review.tui.widgets.status_line import StatusLine

    ind, bobs, ids = _bob_links_his_excerpt(ws, cli)

    async def links_table(coder: str) -> tuple[dict[int, str], str]:
        ws.coder = coder
        app = ReviewApp(ws, start="indicators", sample_import=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert screen.selected()["id"] == ind
            table = screen.query_one("#ind-links", DataTable)
            cells = {int(str(table.get_row_at(i)[0])): " ".join(str(c) for c in
                     table.get_row_at(i)) for i in range(table.row_count)}  # fmt: skip
            return cells, screen.query_one(StatusLine).note

    before = _link_rows(ws)
    _blind(ws, True)
    cells, note = await links_table("ann")
    assert len(cells) == 2 and "an excerpt by another coder, hidden" in cells[bobs]
    assert _quote(ws, ids["bob"])[:30] not in " ".join(cells.values())
    assert note == "1 excerpt by another coder, hidden while blind coding is on"
    cells, note = await links_table("bob")
    assert _quote(ws, ids["bob"])[:30] in cells[bobs] and "hidden" not in cells[bobs]
    assert note == "1 excerpt by another coder, hidden while blind coding is on"  # ann's
    assert _link_rows(ws) == before
    _blind(ws, False)
    cells, note = await links_table("ann")
    assert "hidden" not in " ".join(cells.values()) and note == ""


def _co_design(listed: dict) -> int:
    return next(c["codings"] for c in listed["codes"] if c["path"].endswith("/Co-design"))


@BOTH
def test_codebook_counts_only_the_coders_own_codings_while_blind(ws, cli):
    # a count that rose when a colleague coded would show where they coded
    _coded_by_ann_and_bob(ws, cli)
    assert _co_design(cli("-w", ws.root, "codebook", "list", "--json").json()) == 2
    _blind(ws, True)
    listed = cli("-w", ws.root, "--coder", "ann", "codebook", "list", "--json").json()
    assert _co_design(listed) == 1 and listed["blind_coder"] == "ann"
    text = cli("-w", ws.root, "--coder", "ann", "codebook", "list").out
    assert text.startswith("blind coding is on: only your codings (ann's)")
    assert "Co-design  (1)" in text
    carl = cli("-w", ws.root, "--coder", "carl", "codebook", "list", "--json").json()
    assert _co_design(carl) == 0  # no codings of their own yet
    _blind(ws, False)
    listed = cli("-w", ws.root, "--coder", "ann", "codebook", "list", "--json").json()
    assert _co_design(listed) == 2 and listed["blind_coder"] is None


async def test_the_codebook_screen_counts_only_the_coders_own_while_blind(ws, cli):
    from textual.widgets import Tree

    from review.tui.widgets.status_line import StatusLine

    _coded_by_ann_and_bob(ws, cli)

    async def shown() -> tuple[str, str]:
        app = ReviewApp(ws, start="codebook", sample_import=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            tree = app.screen.query_one(Tree)
            labels = [str(n.label) for n in tree._tree_nodes.values() if n.data is not None]
            line = next(x for x in labels if "Co-design" in x)
            return line, app.screen.query_one(StatusLine).note

    ws.coder = "ann"
    line, note = await shown()
    assert line.endswith("Co-design  2") and "blind" not in note
    _blind(ws, True)
    line, note = await shown()
    assert line.endswith("Co-design  1") and note.endswith("only your codings (ann's)")
