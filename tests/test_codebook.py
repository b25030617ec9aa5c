"""The codebook: the packaged TOML, loading it lazily, finding and editing codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from review.coding.codebook import (
    CodebookError,
    add_code,
    code_paths,
    code_tree,
    delete_code,
    ensure_codebook,
    find_code,
    load_toml,
    merge_codes,
    move_code,
    parse_toml,
    rename_code,
    save_toml,
    specs_from_db,
)
from review.coding.codings import apply_code, undo
from review.errors import NotFound, ReviewError, UsageError
from review.store import models as m
from review.store.workspace import default_codebook_text
from tests.test_coding_helpers import make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")

REPO = Path(__file__).resolve().parents[1]


def test_packaged_and_workspace_codebooks_are_identical():
    packaged = REPO / "review" / "data" / "co-production.toml"
    assert packaged.read_bytes() == (REPO / "codebook" / "co-production.toml").read_bytes()
    assert default_codebook_text() == packaged.read_text("utf-8")


def test_default_codebook_covers_the_field():
    meta, specs = load_toml(REPO / "codebook" / "co-production.toml")
    paths = {s.path for s in specs}
    for want in (
        "Four Cs/Co-commissioning",
        "Four Cs/Co-design",
        "Four Cs/Co-delivery",
        "Four Cs/Co-assessment",
        "Mode/Individual co-production",
        "Mode/Collective co-production",
        "Sector/Community safety",
        "Sector/Local environment",
        "Sector/Public health",
        "Sector/Social care",
        "Sector/Education",
        "Drivers/Political self-efficacy",
        "Drivers/Ease of action",
        "Drivers/Trust",
        "Citizen-input quality/Short-termism",
        "Citizen-input quality/Partial views",
    ):
        assert want in paths, want
    assert any(p.startswith("Barriers/") for p in paths)
    four_cs = [s for s in specs if s.path.startswith("Four Cs/")]
    for spec in four_cs:  # the four Cs are fully specified
        assert spec.definition and spec.include and spec.exclude and spec.example
        assert len(spec.keywords) >= 5 and spec.colour and spec.shortcut
    for spec in specs:
        assert spec.definition, spec.path
        assert spec.colour, spec.path
        if spec.codable:
            assert spec.keywords, spec.path
    colours = [s.colour for s in specs]
    assert len(colours) == len(set(colours)), "every code has its own colour"
    assert meta["name"]


def test_init_leaves_codes_empty_until_first_use(ws, cli, sample_codes):
    res = cli("-w", ws.root, "status", "--json")
    assert res.code == 0 and res.json()["counts"]["codes"] == 0
    res = cli("-w", ws.root, "codebook", "list", "--json")
    assert res.code == 0
    codes = res.json()["codes"]
    assert len(codes) == sample_codes > 0
    assert codes[0]["path"] == "Four Cs" and codes[1]["path"] == "Four Cs/Co-commissioning"
    assert codes[1]["depth"] == 1 and codes[1]["shortcut"] == "1"
    assert cli("-w", ws.root, "status", "--json").json()["counts"]["codes"] == sample_codes


def test_ensure_codebook_loads_once(session, ws, sample_codes):
    assert ensure_codebook(session, ws.codebook_path) == sample_codes > 0
    assert ensure_codebook(session, ws.codebook_path) == 0
    assert session.scalar(select(func.count()).select_from(m.Code)) == sample_codes
    tree = code_tree(session)
    assert [d for _, d, _ in tree][:2] == [0, 1]
    assert ensure_codebook(session, ws.root / "missing.toml") == 0


def test_find_code_by_path_name_id_and_case(session, ws):
    ensure_codebook(session, ws.codebook_path)
    design = find_code(session, "Four Cs/Co-design")
    assert find_code(session, "co-design").id == design.id
    assert find_code(session, str(design.id)).id == design.id
    assert find_code(session, "/Four Cs/Co-design/").id == design.id
    with pytest.raises(NotFound):
        find_code(session, "Co-nothing")
    add_code(session, "Barriers/Trust")  # a second "Trust"
    with pytest.raises(UsageError, match="ambiguous"):
        find_code(session, "Trust")
    assert find_code(session, "Drivers/Trust").name == "Trust"


def test_bad_toml_gives_clear_messages():
    with pytest.raises(CodebookError, match="duplicate path 'A'"):
        parse_toml('[[codes]]\npath = "A"\n[[codes]]\npath = "A"\n')
    with pytest.raises(CodebookError, match="parent 'X' must be defined first"):
        parse_toml('[[codes]]\npath = "X/Y"\n')
    with pytest.raises(CodebookError, match="not #RRGGBB"):
        parse_toml('[[codes]]\npath = "A"\ncolour = "red"\n')
    with pytest.raises(CodebookError, match="one key"):
        parse_toml('[[codes]]\npath = "A"\nshortcut = "ab"\n')
    with pytest.raises(CodebookError, match="already used"):
        parse_toml('[[codes]]\npath = "A"\nshortcut = "a"\n[[codes]]\npath = "B"\nshortcut = "a"\n')
    with pytest.raises(CodebookError, match="unknown field"):
        parse_toml('[[codes]]\npath = "A"\ncolor = "#000000"\n')
    with pytest.raises(CodebookError, match="not valid TOML"):
        parse_toml("[[codes]\n")


def test_toml_round_trip(session, ws, tmp_path, sample_codes):
    ensure_codebook(session, ws.codebook_path)
    before = specs_from_db(session)
    out = tmp_path / "book.toml"
    assert save_toml(session, out) == sample_codes
    _, again = load_toml(out)
    assert again == before


def test_add_rename_move(session, ws):
    ensure_codebook(session, ws.codebook_path)
    cost = add_code(session, "Barriers/Cost", keywords=["cost", "afford"], colour="#123456")
    assert code_paths(session)[cost.id] == "Barriers/Cost"
    with pytest.raises(UsageError, match="already exists"):
        add_code(session, "Barriers/Cost")
    with pytest.raises(CodebookError, match="does not exist"):
        add_code(session, "Nowhere/Thing")
    with pytest.raises(UsageError, match="already used"):
        add_code(session, "Barriers/Fear", shortcut="1")
    rename_code(session, "Barriers/Cost", "Money")
    assert code_paths(session)[cost.id] == "Barriers/Money"
    with pytest.raises(UsageError, match="already exists"):
        rename_code(session, "Barriers/Money", "Distrust")
    move_code(session, "Barriers/Money", "Drivers")
    assert code_paths(session)[cost.id] == "Drivers/Money"
    with pytest.raises(UsageError, match="under itself"):
        move_code(session, "Drivers", "Drivers/Money")
    move_code(session, "Drivers/Money", None)
    assert code_paths(session)[cost.id] == "Money"


def test_merge_keeps_every_coding(session, ws):
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg1", "Anna: We recycle together.\nBen: I volunteer at the park.")
    design, delivery = find_code(session, "Co-design"), find_code(session, "Co-delivery")
    made = [
        apply_code(session, source_id=src.id, code_id=design.id, start=6, end=26, coder="a"),
        apply_code(session, source_id=src.id, code_id=delivery.id, start=28, end=56, coder="b"),
        apply_code(session, source_id=src.id, code_id=design.id, start=0, end=4, coder="b"),
    ]
    moved = merge_codes(session, "Co-design", "Co-delivery")
    assert moved["coding"] == 2
    codings = session.scalars(select(m.Coding)).all()
    assert len(codings) == 3 and {c.code_id for c in codings} == {delivery.id}
    assert {c.id for c in codings} == {c.id for c in made}
    assert all(src.text[c.start : c.end] == c.quote for c in codings)
    with pytest.raises(NotFound):
        find_code(session, "Co-design")
    kws = find_code(session, "Co-delivery").keywords
    assert "volunteer" in kws and "workshop" in kws
    with pytest.raises(UsageError):
        merge_codes(session, "Co-delivery", "Co-delivery")
    with pytest.raises(UsageError, match="own children"):
        merge_codes(session, "Four Cs", "Co-delivery")
    assert undo(session, "a") is not None  # undo still works after a merge


def test_merge_folds_a_coding_the_same_coder_made_of_the_same_span_with_both_codes(session, ws):
    """ann coded 6:26 with Co-design and with Co-delivery: after the merge she has one coding
    there (the older), holding both memos, both evidence links (one per indicator) and the
    accepted suggestion; bob's coding of the same span is his own and stays."""
    from datetime import timedelta

    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg1", "Anna: We recycle together.\nBen: I volunteer at the park.")
    design, delivery = find_code(session, "Co-design"), find_code(session, "Co-delivery")

    def coding(code, coder, memo=None):
        return apply_code(session, source_id=src.id, code_id=code.id, start=6, end=26,
                          coder=coder, memo=memo)  # fmt: skip

    old = coding(delivery, "ann", "kept memo")
    new = coding(design, "ann", "folded memo")
    bobs = coding(design, "bob")
    new.created = old.created + timedelta(seconds=1)  # the older one is kept
    rate, size = m.Indicator(name="Volunteering rate"), m.Indicator(name="Group size")
    session.add_all([rate, size])
    session.flush()
    session.add_all(
        [
            m.EvidenceLink(indicator_id=rate.id, coding_id=old.id, note="old's"),
            m.EvidenceLink(indicator_id=rate.id, coding_id=new.id, note="new's, same indicator"),
            m.EvidenceLink(indicator_id=size.id, coding_id=new.id, note="new's only"),
            m.Suggestion(
                source_id=src.id,
                code_id=design.id,
                start=6,
                end=26,
                quote=new.quote,
                status="accepted",
                coding_id=new.id,
            ),  # fmt: skip
        ]
    )
    session.flush()
    old_id, new_id = old.id, new.id
    moved = merge_codes(session, "Co-design", "Co-delivery")
    assert moved["duplicates"] == 1 and moved["coding"] == 1  # bob's moved, ann's folded
    rows = session.execute(
        select(m.Coding.id, m.Coding.code_id, m.Coding.coder_id, m.Coding.memo)
    ).all()
    assert sorted(r.id for r in rows) == sorted([old_id, bobs.id])
    assert {r.code_id for r in rows} == {delivery.id}
    assert session.get(m.Coding, old_id).memo == "kept memo\n\nfolded memo"
    links = session.execute(select(m.EvidenceLink.coding_id, m.EvidenceLink.note)).all()
    assert sorted(links, key=lambda r: r.note) == [(old_id, "new's only"), (old_id, "old's")]
    assert session.scalars(select(m.Suggestion.coding_id)).all() == [old_id]
    assert session.get(m.Coding, new_id) is None


def test_merge_of_two_codes_linked_to_one_indicator_keeps_the_survivors_link(session):
    """Both codes tied to one indicator: the merge failed on the unique link index."""
    gone, keep = add_code(session, "Trust"), add_code(session, "Confidence")
    rate, size = m.Indicator(name="Volunteering rate"), m.Indicator(name="Group size")
    session.add_all([rate, size])
    session.flush()
    session.add_all(
        [
            m.EvidenceLink(indicator_id=rate.id, code_id=gone.id, note="gone's"),
            m.EvidenceLink(indicator_id=rate.id, code_id=keep.id, note="kept"),
            m.EvidenceLink(indicator_id=size.id, code_id=gone.id, note="moves"),
        ]
    )
    session.flush()
    merge_codes(session, gone.id, keep.id)
    links = session.execute(select(m.EvidenceLink.code_id, m.EvidenceLink.note)).all()
    assert sorted(links, key=lambda r: r.note) == [(keep.id, "kept"), (keep.id, "moves")]


def test_codebook_merge_command_says_how_many_duplicates_it_folded(ws, cli, session):
    make_source(session, "fg1", "Anna: We recycle together.")
    session.commit()
    w = ("-w", ws.root, "--coder", "ann")
    for code in ("Co-design", "Co-delivery"):
        assert cli(*w, "code", "apply", "fg1", code, "--span", "6:26").code == 0
    res = cli(*w, "codebook", "merge", "Co-design", "Co-delivery")
    assert res.code == 0, res.err
    assert "1 coding(s) moved, 1 duplicate(s) folded" in res.out, res.out  # the older
    listed = cli(*w, "code", "list", "fg1", "--json").json()["codings"]
    assert [(c["code"], c["quote"]) for c in listed] == [
        ("Four Cs/Co-delivery", "We recycle together.")
    ]


def test_delete_refused_while_coded_unless_forced(session, ws):
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg1", "Anna: We recycle together.")
    trust = find_code(session, "Drivers/Trust")
    apply_code(session, source_id=src.id, code_id=trust.id, start=0, end=4, coder="a")
    with pytest.raises(ReviewError, match="1 coding"):
        delete_code(session, "Drivers")
    assert session.scalar(select(func.count()).select_from(m.Coding)) == 1
    assert delete_code(session, "Drivers", force=True) == 1
    assert session.scalar(select(func.count()).select_from(m.Coding)) == 0
    assert not [p for p in code_paths(session).values() if p.startswith("Drivers")]
    assert delete_code(session, "Sector/Education") == 0


def test_codebook_edit_commands(ws, cli):
    w = ("-w", ws.root)
    assert cli(*w, "codebook", "add", "Barriers/Cost", "--keywords", "cost; afford").code == 0
    assert cli(*w, "codebook", "rename", "Barriers/Cost", "Money").code == 0
    assert cli(*w, "codebook", "move", "Barriers/Money", "Drivers").code == 0
    res = cli(*w, "codebook", "merge", "Drivers/Money", "Drivers/Trust", "--json")
    assert res.code == 0 and res.json()["moved"]["coding"] == 0
    res = cli(*w, "codebook", "add", "Nowhere/Thing")
    assert res.code == 1 and "does not exist" in res.err and "Traceback" not in res.err
    res = cli(*w, "codebook", "rename", "Ghost", "X")
    assert res.code == 1 and "no code 'Ghost'" in res.err
    assert cli(*w, "codebook", "delete", "Sector/Education").code == 0
    paths = [c["path"] for c in cli(*w, "codebook", "list", "--json").json()["codes"]]
    assert "Sector/Education" not in paths and "Drivers/Money" not in paths


def test_edit_code_as_the_code_form_calls_it(session, ws):
    import pytest as _pytest

    from review.coding.codebook import edit_code, ensure_codebook, find_code
    from review.coding.codings import apply_code
    from review.errors import UsageError
    from tests.test_coding_helpers import make_source

    ensure_codebook(session, ws.codebook_path)
    edit_code(
        session,
        "Drivers/Trust",
        name="Trust in the council",
        parent="Barriers",
        definition="  Residents rely on the council to act.  ",
        include="",
        keywords=["rely on", " trust ", ""],
        colour="#112233",
        shortcut="z",
    )
    code = find_code(session, "Barriers/Trust in the council")
    barriers = find_code(session, "Barriers").id
    assert (code.name, code.parent_id) == ("Trust in the council", barriers)
    assert code.definition == "Residents rely on the council to act." and code.include is None
    assert code.keywords == ["rely on", "trust"]
    assert (code.colour, code.shortcut) == ("#112233", "z")
    with _pytest.raises(UsageError, match="already used"):
        edit_code(session, code.id, shortcut="1")
    with _pytest.raises(UsageError, match="#RRGGBB"):
        edit_code(session, code.id, colour="red")
    src = make_source(session, "fg", "We trust them to act.")
    apply_code(session, source_id=src.id, code_id=code.id, start=0, end=8, coder="zoe")
    with _pytest.raises(UsageError, match="group"):
        edit_code(session, code.id, codable=False)
    edit_code(session, code.id, shortcut="", parent=None)
    assert code.shortcut is None and code.parent_id is None


def test_a_coded_code_is_not_merged_into_a_group(session, ws):
    """Walk: "Career motivation" (1 coding) merged into the group "Four Cs", which kept its
    coding but counts it in no table of the brief (a group is a heading, not applied itself).
    Refused; a code with no codings of its own may still go into a group."""
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg1", "Anna: We recycle together.\nBen: I volunteer at the park.")
    add_code(session, "Career motivation")
    add_code(session, "Spare")
    career = find_code(session, "Career motivation")
    assert not find_code(session, "Four Cs").codable
    apply_code(session, source_id=src.id, code_id=career.id, start=6, end=26, coder="a")
    with pytest.raises(UsageError, match="a group .*1 coding.*--codable"):
        merge_codes(session, "Career motivation", "Four Cs")
    assert session.get(m.Coding, 1).code_id == career.id  # nothing moved
    assert find_code(session, "Career motivation").id == career.id
    merge_codes(session, "Spare", "Four Cs")  # nothing to count nowhere
    with pytest.raises(NotFound):
        find_code(session, "Spare")
