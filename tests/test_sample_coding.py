"""The coded sample project: corpus/coding/sample-coding.json loads with the first import of
corpus/, so the first brief fills every table and two coders can be compared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import func, select

from review.coding.agreement import agreement
from review.evidence.coding_file import anchor
from review.importers import import_paths
from review.outputs.brief.tables import build
from review.store import models as m
from review.store.db import session_scope
from review.store.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    shutil.copytree(ROOT / "codebook", root / "codebook")
    ws = Workspace.open(root)
    reports = import_paths(ws.engine, [root / "corpus"], options={"coder": "newcomer"})
    return ws, reports


def test_every_sample_coding_memo_and_link_loads(sample):
    ws, reports = sample
    coding = next(r for r in reports if r.file.endswith("sample-coding.json"))
    doc = json.loads((ROOT / "corpus/coding/sample-coding.json").read_text())
    assert coding.status == "imported" and not coding.problems
    assert coding.imported == len(doc["codings"])
    with session_scope(ws.engine) as s:
        coders = s.exec(
            select(m.Coder.name, func.count(m.Coding.id))
            .join(m.Coding, m.Coding.coder_id == m.Coder.id)
            .group_by(m.Coder.name)
        ).all()
        assert {name for name, _n in coders} == {"maya", "tariq"}
        assert s.exec(select(func.count(m.Memo.id))).one() == len(doc["memos"])
        assert s.exec(select(func.count(m.EvidenceLink.id))).one() == len(doc["links"])
        for c in s.exec(select(m.Coding)).all():  # each quote is the text at its offsets
            assert s.get(m.Source, c.source_id).text[c.start : c.end] == c.quote


def test_the_first_brief_fills_every_table(sample):
    ws, _ = sample
    with session_scope(ws.engine) as s:
        brief = build(s)
        tables = {t.id: t for t in brief.tables}
        matrix = tables["evidence-matrix"]
        fours = [r for r in matrix.rows if str(r[0]).startswith("Four Cs/")]
        assert len(fours) == 4 and all(any(c != "–" for c in r[1:]) for r in fours)
        joint = tables["joint-display"]
        values = {str(r[4]).split()[0]: r for r in joint.rows}
        assert set(values) == {"61", "52", "45"}
        assert all(r[-1] and r[-2] for r in values.values())  # excerpts and quotes beside each
        assert tables["codes-by-area"].rows
        kappa = agreement(s, "maya", "tariq")["overall"]["character"]["kappa"]
        assert 0.5 < kappa < 1  # two coders who mostly, not always, agree


def test_anchor_is_whitespace_insensitive_and_refuses_an_ambiguous_quote():
    text = "We do a litter\npick. We do a litter pick."
    assert anchor(text, "a litter pick", 2) == (text.rindex("a litter"), len(text) - 1)
    with pytest.raises(Exception, match="2 times"):
        anchor(text, "litter pick")
    with pytest.raises(Exception, match="not found"):
        anchor(text, "bin day")
