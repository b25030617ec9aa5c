"""Coding exact spans: offsets, quotes, overlaps, removal, undo, memos, and the CLI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from review.coding.codebook import ensure_codebook, find_code
from review.coding.codings import (
    add_memo,
    apply_code,
    apply_to_passages,
    bulk_apply,
    codings_at,
    codings_for_source,
    find_source,
    remove_coding,
    undo,
)
from review.coding.memos import memos
from review.errors import NotFound, UsageError
from review.store import models as m
from tests.test_coding_helpers import inserts_into, make_source

pytestmark = pytest.mark.backends("sqlite", "postgres")

# accents (NFC and a combining mark), an emoji outside the BMP, CJK: every offset is a code point
TEXT = (
    "Moderator: What do you do for your area?\n"
    "Zoë: I volunteer 🙂 at the café every week, and I recycle.\n"
    "Ben: We organised a residents' group; 町内会 style.\n"
    "Zoë: Honestly the council never listens."
)


@pytest.fixture
def coded(session, ws):
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "focus-group-1", TEXT)
    return session, src


def test_offsets_slice_to_the_quote(coded):
    session, src = coded
    code = find_code(session, "Co-delivery")
    start = TEXT.index("volunteer")
    end = TEXT.index("week") + len("week")
    c = apply_code(session, source_id=src.id, code_id=code.id, start=start, end=end, coder="zoe")
    assert c.quote == "volunteer 🙂 at the café every week"
    assert TEXT[c.start : c.end] == c.quote
    stored = session.get(m.Coding, c.id)
    assert stored.origin == "manual" and stored.coder_id is not None and stored.created.tzinfo


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_span_round_trips(coded, data):
    session, src = coded
    code = find_code(session, "Co-design")
    start = data.draw(st.integers(0, len(TEXT) - 1))
    end = data.draw(st.integers(start + 1, len(TEXT)))
    c = apply_code(session, source_id=src.id, code_id=code.id, start=start, end=end, coder="h")
    assert session.get(m.Source, src.id).text[c.start : c.end] == c.quote == TEXT[start:end]


def test_bad_spans_and_codes_are_refused(coded):
    session, src = coded
    code = find_code(session, "Co-design")
    for start, end in ((5, 5), (10, 3), (-1, 4), (0, len(TEXT) + 1)):
        with pytest.raises(UsageError, match="outside"):
            apply_code(session, source_id=src.id, code_id=code.id, start=start, end=end, coder="a")
    with pytest.raises(UsageError, match="not applied itself"):
        group = find_code(session, "Four Cs")
        apply_code(session, source_id=src.id, code_id=group.id, start=0, end=3, coder="a")
    with pytest.raises(NotFound):
        apply_code(session, source_id=999, code_id=code.id, start=0, end=3, coder="a")
    with pytest.raises(UsageError, match="coder"):
        apply_code(session, source_id=src.id, code_id=code.id, start=0, end=3, coder=" ")
    assert session.scalar(select(func.count()).select_from(m.Coding)) == 0


def test_overlapping_codings_are_kept(coded):
    session, src = coded
    a, b = find_code(session, "Co-delivery"), find_code(session, "Individual co-production")
    apply_code(session, source_id=src.id, code_id=a.id, start=46, end=80, coder="zoe")
    apply_code(session, source_id=src.id, code_id=b.id, start=50, end=100, coder="zoe")
    apply_code(session, source_id=src.id, code_id=a.id, start=46, end=80, coder="ben")
    assert len(codings_for_source(session, src.id)) == 3
    assert {c.code_id for c in codings_at(session, src.id, 60)} == {a.id, b.id}


def test_remove_and_undo(coded):
    session, src = coded
    code = find_code(session, "Co-delivery")
    c1 = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=9, coder="zoe")
    c2 = apply_code(session, source_id=src.id, code_id=code.id, start=10, end=20, coder="zoe")
    remove_coding(session, c1.id, "zoe")
    assert [c.id for c in codings_for_source(session, src.id)] == [c2.id]
    assert undo(session, "ben") is None  # ben did nothing: his undo touches nothing
    assert undo(session, "zoe") == f"restored Four Cs/Co-delivery at 0–9 (coding {c1.id})"
    restored = session.get(m.Coding, c1.id)
    assert restored is not None and restored.quote == TEXT[0:9] and restored.coder_id
    assert undo(session, "zoe") == f"removed Four Cs/Co-delivery at 10–20 (coding {c2.id})"
    assert session.get(m.Coding, c2.id) is None
    assert undo(session, "zoe").startswith("removed Four Cs/Co-delivery at 0–9")  # the first
    assert codings_for_source(session, src.id) == []
    assert undo(session, "zoe") is None
    with pytest.raises(NotFound):
        remove_coding(session, 12345, "zoe")


def test_a_coder_removes_only_their_own_codings(coded, cli, ws):
    """Walk: the Reader's `]` then delete removed a colleague's coding. Now the service
    refuses it, naming whose it is (with blind coding on, not even that); a coding with no
    coder (an import without one) is anyone's to remove."""
    from review.coding.codings import set_blind

    session, src = coded
    code = find_code(session, "Co-delivery")
    bobs = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=9, coder="bob")
    with pytest.raises(UsageError) as refused:
        remove_coding(session, bobs.id, "zoe")
    assert str(refused.value) == (
        f"coding {bobs.id} (Four Cs/Co-delivery) is bob's: you (zoe) can remove only your own "
        "codings"
    )
    set_blind(session, True)
    with pytest.raises(UsageError, match=f"only your codings .zoe's.; coding {bobs.id} is an"):
        remove_coding(session, bobs.id, "zoe")
    nobodys = m.Coding(source_id=src.id, code_id=code.id, start=10, end=20, quote=TEXT[10:20])
    session.add(nobodys)
    session.commit()
    res = cli("-w", ws.root, "--coder", "zoe", "code", "remove", str(bobs.id))
    assert res.code == 2 and "is another coder's" in res.err and "Traceback" not in res.err
    assert cli("-w", ws.root, "--coder", "zoe", "code", "remove", str(nobodys.id)).code == 0
    assert cli("-w", ws.root, "--coder", "bob", "code", "remove", str(bobs.id)).code == 0
    session.expire_all()
    assert session.scalars(select(m.Coding.id)).all() == []


def test_undo_is_per_coder(coded):
    session, src = coded
    code = find_code(session, "Trust")
    mine = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=5, coder="zoe")
    theirs = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=5, coder="ben")
    undo(session, "zoe")
    assert session.get(m.Coding, mine.id) is None
    assert session.get(m.Coding, theirs.id) is not None


def test_whole_passages_and_bulk(coded):
    session, src = coded
    code = find_code(session, "Collective co-production")
    passages = session.scalars(
        select(m.Passage).where(m.Passage.source_id == src.id).order_by(m.Passage.start)
    ).all()
    ids = apply_to_passages(
        session, passage_ids=[passages[2].id, passages[1].id], code_id=code.id, coder="zoe"
    )
    got = [session.get(m.Coding, i) for i in ids]
    assert [c.quote for c in got] == [TEXT[p.start : p.end] for p in (passages[2], passages[1])]
    assert "removed 2" in undo(session, "zoe")
    rows = [dict(source_id=src.id, code_id=code.id, start=i, end=i + 7) for i in range(0, 50, 5)]
    ids = bulk_apply(session, rows, coder="script")
    assert len(ids) == 10
    for cid, row in zip(ids, rows, strict=True):
        assert session.get(m.Coding, cid).quote == TEXT[row["start"] : row["end"]]
    with pytest.raises(UsageError, match="row 1"):
        bulk_apply(session, [dict(source_id=src.id, code_id=code.id, start=5, end=2)], coder="s")


def test_bulk_apply_gives_each_row_its_own_id_in_few_statements(coded):
    """600 rows out of text order, two alike but for their memo, two alike in every way: each
    id returned is its row's coding, in the rows' order, from a few multi-row INSERTs (asking
    SQLAlchemy for the parameters' order made SQLite take one INSERT a row)."""
    import random

    session, src = coded
    code = find_code(session, "Trust")
    other = find_code(session, "Collective co-production")
    rows = [dict(source_id=src.id, code_id=(code, other)[i % 2].id, start=i % 40,
                 end=i % 40 + 5 + i % 3, memo=f"m{i}" if i % 7 == 0 else None)
            for i in range(600)]  # fmt: skip
    random.Random(3).shuffle(rows)
    rows += [dict(rows[0], memo="one"), dict(rows[0], memo="two"), dict(rows[1]), dict(rows[1])]
    with inserts_into(session, "coding") as inserts:
        ids = bulk_apply(session, rows, coder="script")
    assert len(ids) == len(set(ids)) == len(rows)
    assert 1 <= len(inserts) <= 10, len(inserts)
    for cid, row in zip(ids, rows, strict=True):
        c = session.get(m.Coding, cid)
        assert (c.code_id, c.start, c.end, c.memo) == (
            row["code_id"], row["start"], row["end"], row.get("memo")
        )  # fmt: skip


def test_memos_on_sources_codes_and_codings(coded):
    session, src = coded
    code = find_code(session, "Trust")
    c = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=5, coder="zoe")
    add_memo(session, target="source", target_id=src.id, text="Lively group.", coder="zoe")
    add_memo(session, target="code", target_id=code.id, text="Watch for irony.", coder="ben")
    add_memo(session, target="coding", target_id=c.id, text="Tentative.", coder="zoe")
    add_memo(session, target="project", target_id=None, text="Pilot.", coder="zoe")
    assert session.get(m.Coding, c.id).memo == "Tentative."
    assert [x.text for x in memos(session, "source", src.id)] == ["Lively group."]
    assert [x.coder for x in memos(session, "code", code.id)] == ["ben"]
    assert {x.target for x in memos(session)} == {"source", "code", "coding", "project"}
    with pytest.raises(UsageError):
        add_memo(session, target="source", target_id=src.id, text="  ", coder="zoe")
    with pytest.raises(NotFound):
        add_memo(session, target="coding", target_id=999, text="x", coder="zoe")
    with pytest.raises(UsageError):
        add_memo(session, target="planet", target_id=1, text="x", coder="zoe")


def test_find_source_by_key_id_stem_and_case(coded):
    session, src = coded
    assert find_source(session, "focus-group-1").id == src.id
    assert find_source(session, str(src.id)).id == src.id
    assert find_source(session, "corpus/transcripts/Focus-Group-1.txt").id == src.id
    with pytest.raises(NotFound, match="no source"):
        find_source(session, "nope")
    dup = m.Source(key="fg-dup", text="x", merged_into_id=src.id)
    session.add(dup)
    session.flush()
    assert find_source(session, "fg-dup").id == src.id  # a merged duplicate resolves


def test_cli_codes_exact_spans(ws, cli, session):
    make_source(session, "focus-group-1", TEXT)
    session.commit()
    w = ("-w", ws.root)
    start, end = TEXT.index("I volunteer"), TEXT.index(" every")
    res = cli(
        *w,
        "code",
        "apply",
        "focus-group-1",
        "Four Cs/Co-delivery",
        "--span",
        f"{start}:{end}",
        "--coder",
        "alice",
        "--json",
    )
    assert res.code == 0, res.err
    doc = res.json()
    assert doc["codings"][0]["quote"] == TEXT[start:end] == "I volunteer 🙂 at the café"
    assert doc["codings"][0]["code"] == "Four Cs/Co-delivery"
    res = cli(*w, "--coder", "bob", "code", "apply", "focus-group-1", "trust", "--span", "0:9")
    assert res.code == 0 and "coding 2" in res.out
    listed = cli(*w, "code", "list", "focus-group-1", "--json").json()["codings"]
    assert [c["quote"] for c in listed] == ["Moderator", "I volunteer 🙂 at the café"]
    res = cli(*w, "code", "apply", "focus-group-1", "trust", "--span", "0:99999")
    assert res.code == 2 and "outside" in res.err and "Traceback" not in res.err
    res = cli(*w, "code", "apply", "focus-group-1", "trust", "--span", "abc")
    assert res.code == 2 and "START:END" in res.err
    res = cli(*w, "code", "apply", "ghost", "trust", "--span", "0:3")
    assert res.code == 1 and "no source 'ghost'" in res.err
    res = cli(*w, "code", "apply", "focus-group-1", "trust")
    assert res.code == 2
    assert cli(*w, "code", "remove", "1", "--coder", "alice").code == 0
    res = cli(*w, "code", "undo", "--coder", "alice", "--json")
    assert res.code == 0 and "restored" in res.json()["undone"]
    res = cli(*w, "memo", "add", "source", "focus-group-1", "Good group", "--json")
    assert res.code == 0 and res.json()["memo"]["text"] == "Good group"
    res = cli(*w, "memo", "list", "source", "focus-group-1", "--json")
    assert [x["text"] for x in res.json()["memos"]] == ["Good group"]


def test_a_numeric_key_wins_over_an_id(coded):
    session, src = coded
    other = make_source(session, str(src.id), "Ann: a source whose cite key looks like an id.")
    assert find_source(session, str(src.id)).id == other.id
    assert find_source(session, str(other.id)).id == other.id


def test_cli_codes_whole_passages(ws, cli, session):
    src = make_source(session, "focus-group-1", TEXT)
    other = make_source(session, "other", "Ann: elsewhere.")
    session.commit()
    first = session.scalars(
        select(m.Passage).where(m.Passage.source_id == src.id).order_by(m.Passage.start)
    ).all()[1]
    foreign = session.scalars(select(m.Passage).where(m.Passage.source_id == other.id)).first()
    w = ("-w", ws.root)
    res = cli(*w, "code", "apply", "focus-group-1", "Co-delivery", "--passage", first.id, "--json")
    assert res.code == 0, res.err
    assert res.json()["codings"][0]["quote"] == TEXT[first.start : first.end]
    res = cli(*w, "code", "apply", "focus-group-1", "Co-delivery", "--passage", foreign.id)
    assert res.code == 2 and "not in source" in res.err
    listed = cli(*w, "code", "list", "focus-group-1", "--json").json()["codings"]
    assert len(listed) == 1  # the refused command left nothing behind
    res = cli(*w, "codebook", "list")
    assert res.code == 0 and "[3]   Co-delivery  (1)" in res.out


def test_memo_cli_targets_project_and_rejects_unknown_targets(cli, ws):
    w = str(ws.root)
    assert cli("-w", w, "memo", "add", "project", "-", "Scope: UK councils").code == 0
    listed = cli("-w", w, "memo", "list", "project", "-", "--json")
    assert listed.code == 0
    assert [m["text"] for m in listed.json()["memos"]] == ["Scope: UK councils"]
    bad = cli("-w", w, "memo", "list", "bogus", "x")
    assert bad.code == 2 and "not 'bogus'" in bad.err
    assert cli("-w", w, "memo", "add", "coding", "abc", "x").code == 2


def test_removing_a_linked_coding_leaves_no_empty_link_and_undo_restores_it(coded):
    """QA: removing a coding (or force-deleting its code) left an evidence link to nothing
    ("← None" in `indicators list`); undo of the removal now brings the link back too."""
    from review.coding.codebook import delete_code

    session, src = coded
    code = find_code(session, "Co-delivery")
    c = apply_code(session, source_id=src.id, code_id=code.id, start=0, end=4, coder="zoe")
    ind = m.Indicator(name="Volunteering rate", value=23.0)
    session.add(ind)
    session.flush()
    session.add(m.EvidenceLink(indicator_id=ind.id, coding_id=c.id, relation="explains", note="n"))
    session.flush()

    def links():
        rows = session.scalars(select(m.EvidenceLink))
        return [(x.coding_id, x.code_id, x.note) for x in rows]

    remove_coding(session, c.id, "zoe")
    assert links() == []
    assert undo(session, "zoe").endswith(f"(coding {c.id}) with its 1 evidence link")
    assert links() == [(c.id, None, "n")]
    delete_code(session, "Co-delivery", force=True)
    assert links() == []


def test_removable_by_is_the_one_rule_remove_coding_keeps(session, ws):
    """Your own coding, or one that names no coder, you may remove; another coder's never
    (`removable_by`, which the Reader's side panel and `]` use too)."""
    from review.coding.codings import Owner, owner, removable_by

    assert removable_by(Owner("ann"), "ann") and removable_by(Owner(None), "ann")
    assert not removable_by(Owner("bob"), "ann") and removable_by(Owner("ann"), " ann ")
    ensure_codebook(session, ws.codebook_path)
    src = make_source(session, "fg-r", "Ann: We run the community garden together.")
    code = find_code(session, "Co-delivery").id
    bobs = apply_code(session, source_id=src.id, code_id=code, start=5, end=11, coder="bob")
    assert owner(session, bobs) == Owner("bob") and not removable_by(owner(session, bobs), "ann")
    with pytest.raises(UsageError, match=r"is bob's: you \(ann\) can remove only your own"):
        remove_coding(session, bobs.id, "ann")
    remove_coding(session, bobs.id, "bob")
    assert session.get(m.Coding, bobs.id) is None
