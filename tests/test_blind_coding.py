"""Blind coding (`review code blind on`) everywhere codings are listed: a coder sees only their
own until it is off — in the excerpt and REFI-QDA exports, `review code list`, `review
excerpts`, the Excerpts screen and the Indicators screen's excerpt picker. The brief stays the
team's (every coder's work) and says so. One rule, `review.coding.codings.blind_coder`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import Label, OptionList

from review.coding.codings import blind_coder, set_blind
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
    _blind(ws, False)
    assert selections() == 2


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
