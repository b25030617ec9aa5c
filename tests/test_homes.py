"""One home per concept: each shared concept is defined once, and every caller agrees with it.

The first round wrote eight concepts two to four times and the copies disagreed (a kappa of
1.0 in one command and "undefined" in another; excluded `@unpublished` records in the brief's
table of included sources). These tests pin each concept to its home and check the callers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlmodel import func, select

import review
from review.coding.codebook import ensure_codebook, find_code
from review.errors import NotFound, UsageError
from review.evidence.links import link
from review.outputs.writer import write_pack
from review.screening import decisions
from review.stats import kappa_from_counts, kappa_from_pairs
from review.store import models as m
from review.store.coders import coder_id, ensure_coder
from review.store.db import session_scope
from review.store.kinds import DOCUMENT, LITERATURE, TRANSCRIPT, source_class

pytestmark = pytest.mark.backends("sqlite", "postgres")

PACKAGE = Path(review.__file__).parent

# concept -> the one module (relative to review/) allowed to define it
HOMES = {
    "find_code": "coding/codebook.py",
    "code_paths": "coding/codebook.py",
    "coder_id": "store/coders.py",
    "ensure_coder": "store/coders.py",
    "author_year": "ingest/citation.py",
    "short_title": "ingest/citation.py",
    "surname": "ingest/citation.py",
    "citation": "ingest/citation.py",
    "is_literature": "store/kinds.py",
    "is_transcript": None,  # the old name must not come back
    "get_code": None,
    "get_coder": None,
    "kappa_from_counts": "stats.py",
    "included_source_ids": "screening/decisions.py",
    "write_export": "outputs/writer.py",
    "blind_coder": "coding/codings.py",
    "coded_by": "coding/codings.py",
    "blind_note": "coding/codings.py",
    "blind_hidden": "coding/codings.py",
    "normal_key": "ingest/sources.py",
    "key_is": "ingest/sources.py",
    "source_by_key": "ingest/sources.py",
}

BIB = """
@article{kept2010, title={Kept and included}, author={Doe, Jane}, year={2010}, journal={J}}
@unpublished{draft2011, title={An unpublished manuscript excluded at screening},
  author={Roe, Rick}, year={2011}, note={draft}}
@manual{guide2012, title={A manual nobody screened in}, year={2012}}
"""


def _defined(name: str, root: Path = PACKAGE) -> list[str]:
    """Modules under review/ that define a function or class called `name` at top level."""
    out = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                out.append(str(path.relative_to(root)))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(HOMES))
def test_each_concept_is_defined_once_in_its_home(name):
    home = HOMES[name]
    assert _defined(name) == ([home] if home else [])


def test_the_guard_sees_a_second_definition(tmp_path):
    (tmp_path / "a.py").write_text("def code_paths():\n    pass\n")
    (tmp_path / "b.py").write_text("class code_paths:\n    pass\n")
    assert _defined("code_paths", tmp_path) == ["a.py", "b.py"]


def test_a_source_is_looked_up_by_key_in_one_place():
    """`Source.key == typed` written anywhere but `key_is` misses a key typed decomposed
    (a macOS terminal's "Müller2020"): every look-up by key goes through it."""
    found = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "Source.key) ==" in path.read_text("utf-8")
    ]
    assert found == ["ingest/sources.py"]


def test_code_lookup_is_the_codebook_s_everywhere(ws, session):
    ensure_codebook(session, ws.codebook_path)
    code = find_code(session, "Four Cs/Co-design")
    assert find_code(session, str(code.id)).id == code.id
    assert find_code(session, "co-design").id == code.id  # unique name, any case
    with pytest.raises(NotFound):
        find_code(session, "Epistemic stance")
    session.add(m.Indicator(name="Trust", sector="Health", value=1.0))
    session.flush()
    # the evidence stage finds codes the same way (it had its own lookup with other errors)
    row = link(session, "Trust", code="co-design", coder="ann")
    assert row.code_id == code.id
    with pytest.raises(NotFound) as err:
        link(session, "Trust", code="Epistemic stance")
    assert "no code 'Epistemic stance'" in str(err.value)


def test_looking_up_a_coder_never_creates_one(session):
    before = session.exec(select(func.count()).select_from(m.Coder)).one()
    assert coder_id(session, "nobody") is None
    assert session.exec(select(func.count()).select_from(m.Coder)).one() == before
    ann = ensure_coder(session, " ann ")
    assert ann.name == "ann" and ensure_coder(session, "ann").id == ann.id
    assert coder_id(session, "ann") == ann.id
    with pytest.raises(UsageError):
        ensure_coder(session, "  ")


def test_one_kappa_and_undefined_is_undefined():
    # both raters said the same single thing every time: kappa is 0/0
    assert kappa_from_pairs([("include", "include")] * 5).kappa is None
    assert kappa_from_counts({(1, 1): 0, (0, 0): 50, (1, 0): 0, (0, 1): 0}).kappa is None
    # the binary table and the paired labels give the same kappa (one formula)
    pairs = [(1, 1)] * 80 + [(1, 0)] * 20 + [(0, 1)] * 20 + [(0, 0)] * 880
    by_pairs, by_table = (
        kappa_from_pairs(pairs),
        kappa_from_counts({(1, 1): 80, (1, 0): 20, (0, 1): 20, (0, 0): 880}),
    )
    assert by_pairs == by_table and round(by_table.kappa, 3) == 0.778


def test_both_commands_say_undefined_with_no_variation(ws, cli, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, "utf-8")
    assert cli("-w", ws.root, "import", bib).code == 0
    for who in ("ann", "bob"):
        for key in ("kept2010", "draft2011", "guide2012"):
            assert cli("-w", ws.root, "--coder", who, "screen", "decide", "include", key).code == 0
    res = cli("-w", ws.root, "screen", "kappa", "-s", "title-abstract", "--coders", "ann,bob")
    assert res.code == 0 and "kappa undefined" in res.out
    # coding agreement: both coders code the same whole text -> no variation at all
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
        src = s.exec(select(m.Source).where(m.Source.key == "kept2010")).one()
        src.text = "All of this text is coded."
        s.add(src)
    n = len("All of this text is coded.")
    for who in ("ann", "bob"):
        args = ("code", "apply", "kept2010", "Co-design", "--span", f"0:{n}")
        assert cli("-w", ws.root, "--coder", who, *args).code == 0
    res = cli("-w", ws.root, "agreement", "--coders", "ann", "bob", "--json")
    assert res.code == 0, res.err
    assert res.json()["overall"]["character"]["kappa"] is None
    text = cli("-w", ws.root, "agreement", "--coders", "ann", "bob")
    assert "undefined" in text.out and "1.000" not in text.out


def test_one_literature_rule(ws, cli, tmp_path):
    assert source_class("transcript", "text") == TRANSCRIPT
    assert source_class("document", "pdf") == DOCUMENT
    assert source_class("document", "bibtex") == LITERATURE  # @unpublished / @manual
    assert source_class("article", None) == LITERATURE
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, "utf-8")
    assert cli("-w", ws.root, "import", bib).code == 0
    kinds = {}
    with session_scope(ws.engine) as s:
        for src in s.exec(select(m.Source)).all():
            kinds[src.key] = src.kind
    assert kinds["draft2011"] == "document" and kinds["guide2012"] == "document"
    for who in ("ann", "bob"):
        run = ("--coder", who, "screen", "decide")
        assert cli("-w", ws.root, *run, "include", "kept2010").code == 0
        assert cli("-w", ws.root, *run, "exclude", "draft2011", "-r", "wrong outcome").code == 0
        assert cli("-w", ws.root, *run, "exclude", "guide2012", "-r", "wrong outcome").code == 0
    # screening, PRISMA, the brief and the exports all see the excluded manuscripts as
    # literature that is out of the review
    prisma = cli("-w", ws.root, "prisma", "--json").json()
    assert prisma["screening"]["records_screened"] == 3
    assert prisma["screening"]["records_excluded"] == 2
    with session_scope(ws.engine) as s:
        included = decisions.included_source_ids(s, literature_only=False)
        keys = {s.get(m.Source, i).key for i in included}
    assert keys == {"kept2010"}
    brief = cli("-w", ws.root, "brief", "--format", "md", "-o", tmp_path / "b", "--json")
    assert brief.code == 0, brief.err
    md = (tmp_path / "b" / "brief.md").read_text("utf-8")
    assert "unpublished manuscript" not in md and "A manual nobody" not in md
    assert "Kept and included" in md
    listed = cli("-w", ws.root, "transcripts", "--json").json()["sources"]
    assert listed == []  # the manuscripts are not the team's own documents


def test_the_cli_and_the_pack_write_the_same_exports(ws, cli, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, "utf-8")
    assert cli("-w", ws.root, "import", bib).code == 0
    by_cli = tmp_path / "cli"
    by_cli.mkdir()
    for what in ("bibtex", "ris", "excerpts", "qdpx"):
        assert cli("-w", ws.root, "export", what, "-o", by_cli).code == 0
    by_pack = tmp_path / "pack"
    written = write_pack(ws.engine, by_pack, formats=(), name=ws.root.name)
    names = sorted(p.name for p in written)
    assert names == sorted(p.name for p in by_cli.iterdir())
    for name in ("included.bib", "included.ris", "excerpts.csv"):
        assert (by_pack / name).read_bytes() == (by_cli / name).read_bytes(), name


def test_the_library_status_is_the_screening_outcome(ws, session):
    """The library's SQL status and `decisions.outcomes` agree record by record, for one and
    two required reviewers, conflicts, resolutions, pending records and full text."""
    session.add_all(m.Source(key=f"r{i}", title=f"Record {i}", kind="article") for i in range(9))
    session.flush()
    ann, bob, cat = (ensure_coder(session, n) for n in ("ann", "bob", "cat"))
    ids = session.exec(select(m.Source.id).order_by(m.Source.id)).all()
    plan = [
        [(ann, "include"), (bob, "include")],
        [(ann, "include"), (bob, "exclude")],
        [(ann, "include"), (bob, "exclude"), (cat, "exclude", True)],
        [(ann, "maybe")],
        [(ann, "maybe"), (bob, "maybe")],
        [(ann, "include"), (bob, "include"), ("ft", ann, "maybe"), ("ft", bob, "maybe")],
        [(ann, "include"), (bob, "include"), ("ft", ann, "exclude")],
        [(ann, "exclude"), (bob, "exclude")],
        [],
    ]
    for sid, steps in zip(ids, plan, strict=True):
        for step in steps:
            stage = "full-text" if step[0] == "ft" else "title-abstract"
            coder, decision, *final = step[1:] if step[0] == "ft" else step
            session.add(
                m.ScreeningDecision(
                    source_id=sid,
                    coder_id=coder.id,
                    stage=stage,
                    decision=decision,
                    final=bool(final),
                )  # fmt: skip
            )
    session.flush()

    def by_sql() -> dict[int, str]:
        stmt = select(m.Source.id, decisions.status_sql(session)).order_by(m.Source.id)
        return dict(session.exec(stmt).all())

    def by_outcomes() -> dict[int, str]:
        ft = decisions.outcomes(session, "full-text")
        ta = decisions.outcomes(session, "title-abstract")
        return {i: decisions.latest_status(ta.get(i), ft.get(i)) for i in ids}

    seen = set()
    for need in (2, 1):
        decisions.set_required_reviewers(session, need)
        session.flush()
        assert by_sql() == by_outcomes()
        seen |= set(by_sql().values())
    assert seen >= {"include", "conflict", "exclude", "pending", "unscreened", "maybe"}
