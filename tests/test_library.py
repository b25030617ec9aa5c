"""The library listing service: pages, screening status, code and kind filters, searches."""

from __future__ import annotations

import pytest
from sqlmodel import select

from review.coding import library
from review.coding.codings import apply_code
from review.coding.library import LibraryFilter
from review.ingest.citation import author_year
from review.screening.decisions import store_status
from review.store import models as m
from review.store.coders import ensure_coder
from tests.tui_helpers import add_literature, add_transcript, sentences

pytestmark = pytest.mark.backends("sqlite", "postgres")


def test_author_year_forms():
    assert author_year(["Bovaird, Tony"], 2007) == "Bovaird 2007"
    assert author_year(["Tony Bovaird", "Elke Loeffler"], 2012) == "Bovaird & Loeffler 2012"
    assert author_year(["A, X", "B, Y", "C, Z"], 2013) == "A et al. 2013"
    assert author_year([], 2008, title="Fad or fact?", kind="book") == "“Fad or fact?” 2008"
    # no title either: APA 7's bracketed description (the cite key stood there: "fg1 n.d.")
    assert author_year([], None, kind="book") == "[Untitled book] n.d."
    assert author_year([], 1911) == "[Untitled work] 1911"


def test_status_code_and_kind_filters(ws, session):
    add_literature(ws, 12)
    sid = add_transcript(ws)
    ids = session.exec(select(m.Source.id).order_by(m.Source.id)).all()
    a, b = ensure_coder(session, "ann"), ensure_coder(session, "bob")
    session.add(m.ScreeningDecision(source_id=ids[0], coder_id=a.id, decision="include"))
    session.add(m.ScreeningDecision(source_id=ids[0], coder_id=b.id, decision="include"))
    session.add(m.ScreeningDecision(source_id=ids[1], coder_id=a.id, decision="include"))
    session.add(m.ScreeningDecision(source_id=ids[1], coder_id=b.id, decision="exclude"))
    session.add(m.ScreeningDecision(source_id=ids[2], coder_id=a.id, decision="include"))
    session.add(m.ScreeningDecision(source_id=ids[2], coder_id=b.id, decision="exclude"))
    session.add(m.ScreeningDecision(source_id=ids[2], decision="exclude", final=True))
    code = session.exec(select(m.Code).where(m.Code.name == "Co-delivery")).one()
    s0 = sentences(ws, sid)[0]
    apply_code(session, source_id=sid, code_id=code.id, start=s0[0], end=s0[1], coder="ann")
    store_status(session)  # the decisions above went in around the screening service

    def keys(**kw):
        return [r.id for r in library.page(session, LibraryFilter(**kw)).rows]

    assert keys(status="include") == [ids[0]]
    assert keys(status="conflict") == [ids[1]]
    assert keys(status="exclude") == [ids[2]]
    assert len(keys(status="unscreened")) == 12 - 3  # the transcript is never screened
    assert keys(code_id=code.parent_id) == [sid]  # a parent code finds its children's codings
    assert keys(kind="transcript") == [sid]
    row = library.page(session, LibraryFilter(kind="transcript")).rows[0]
    assert (row.codings, row.status, row.kind) == (1, "", "transcript")
    p = library.page(session, offset=10, limit=5)
    assert (p.total, len(p.rows), p.page_number, p.pages) == (13, 3, 3, 3)


def test_fuzzy_forgives_typos_and_bad_fts_syntax_is_safe(ws, session):
    add_literature(ws, 20)
    hits = library.page(session, LibraryFilter(fuzzy="bovard user coproduction")).rows
    assert hits[0].title == "Bovaird on user co-production"
    # The full-text filter parses what was typed as the search service does (on both
    # databases): a stray quote or operator is never a syntax error.
    result = library.page(session, LibraryFilter(text='"unbalanced NEAR( AND'))
    assert result.total == 0 and not result.notes
    result = library.page(session, LibraryFilter(text="?!"))
    assert result.total == 0 and "no words" in result.notes[0]
    # typed as you go, a word not finished yet finds nothing: the note says how to
    # find the words it begins (found by a new user: "volunt" gave an empty list)
    result = library.page(session, LibraryFilter(text="user Bovai"))
    assert result.total == 0
    assert result.notes == ["nothing has the whole word 'bovai'; try bovai* for words that "
                            "begin with it"]  # fmt: skip
    assert library.page(session, LibraryFilter(text="user Bovai*")).total >= 1


def test_fuzzy_ranks_an_author_and_a_title_word_first(ws, session, testdata):
    """The import walk over a real 988-entry library: "mcallester planning" ranked
    McAllester's "Systematic Nonlinear Planning" third, under a title by Bonasso et al.
    holding "planning" in a stretch that looks like "llester planning"; "minsky framework"
    put Minsky's "A framework for representing knowledge" third."""
    from review.importers import import_paths

    import_paths(ws.engine, [testdata / "bibtex" / "bbt_873_quietly_discarded.bib"])
    for query, author, title in (
        ("mcallester planning", "McAllester", "Systematic Nonlinear Planning"),
        ("minsky framework", "Minsky", "A framework for representing knowledge"),
        ("framework minsky", "Minsky", "A framework for representing knowledge"),
    ):
        first = library.page(session, LibraryFilter(fuzzy=query)).rows[0]
        assert author in first.author_year and first.title == title, (query, first)


def test_tui_command_rejects_an_unknown_screen(cli, tmp_path):
    w = tmp_path / "w"
    cli("init", w)
    r = cli("-w", w, "tui", "--screen", "nowhere")
    assert r.code == 2
    assert "library" in r.err and "Traceback" not in r.err


def _ranked_by_sorting_all(q: str, choices: list[str], limit: int, cutoff: float) -> list[int]:
    """The fuzzy rule spelled out plainly: score every choice, sort them all."""
    from rapidfuzz import fuzz

    words = q.split()

    def every_word(c: str) -> bool:
        return len(words) > 1 and all(w in c for w in words)

    scored = [(i, fuzz.partial_ratio(q, c)) for i, c in enumerate(choices)]
    hits = [(i, s) for i, s in scored if s >= cutoff or every_word(choices[i])]
    hits.sort(key=lambda h: (q not in choices[h[0]], not every_word(choices[h[0]]), -h[1], h[0]))
    return [i for i, _ in hits[:limit]]


@pytest.mark.parametrize("limit", [1, 7, 60, 400])
def test_quick_fuzzy_ranking_equals_scoring_everything(monkeypatch, limit):
    """`rank_fuzzy` skips work (exact substrings first, a rising cutoff over chunks): it must
    give exactly what scoring and sorting every choice gives."""
    import random

    monkeypatch.setattr(library, "FUZZY_CHUNK", 97)  # many chunks, so the cutoff rises
    rng = random.Random(limit)
    words = "council budget police health panel design clinic trust survey estate".split()
    choices = [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) + f" {1990 + i % 35}"
        for i in range(1500)
    ]
    queries = ["c", "co", "counc", "cuncil budgt", "plice helth 2001", "zqx", "trust 19", "e"]
    queries += ["estate council", "2001 panel", "design clinic trust"]  # every word, any order
    for q in queries:
        assert library.rank_fuzzy(q, choices, limit, 60) == _ranked_by_sorting_all(
            q, choices, limit, 60
        ), q


def test_code_filter_pages_and_counts(ws, session):
    """The code filter reads the page and the total in one statement: both must be right on
    every page, and past the last page the total is still the number of matching sources."""
    sids = [add_transcript(ws, key=f"fg{i}") for i in range(5)]
    code = session.exec(select(m.Code).where(m.Code.name == "Co-delivery")).one()
    for sid in sids[:4]:
        s0 = sentences(ws, sid)[0]
        apply_code(session, source_id=sid, code_id=code.id, start=s0[0], end=s0[1], coder="ann")
        apply_code(session, source_id=sid, code_id=code.id, start=s0[0], end=s0[1], coder="bob")
    session.flush()
    flt = LibraryFilter(code_id=code.parent_id)
    pages = [library.page(session, flt, offset=o, limit=3) for o in (0, 3, 6)]
    assert [p.total for p in pages] == [4, 4, 4]  # two codings each, counted once per source
    assert [[r.id for r in p.rows] for p in pages] == [sids[:3], sids[3:4], []]
    assert [r.codings for r in pages[0].rows] == [2, 2, 2]


def test_fuzzy_pages_rank_only_as_far_as_shown(ws, session):
    """A fuzzy search alone ranks down to the page asked for (a key no longer waits for ranks
    101–2,000): each page is the same as in the full ranking, the total a lower bound ("12+")
    until the ranking runs out, and paging on reaches every match."""
    for i in range(12):
        session.add(m.Source(key=f"c{i}", kind="article", year=2000 + i,
                             title=f"The council and its residents, part {i}"))  # fmt: skip
    for i in range(4):  # fuzzy matches that do not contain the query as typed
        session.add(m.Source(key=f"t{i}", kind="article", year=2010, title=f"Councl residnts {i}"))
    session.add(m.Source(key="other", kind="article", year=2001, title="Recycling bins"))
    session.flush()
    q = "council and its"
    full = library.fuzzy_ids(session, q)
    assert 12 <= len(full) < 17
    flt = LibraryFilter(fuzzy=q)
    first = library.page(session, flt, offset=0, limit=5)
    assert [r.id for r in first.rows] == full[:5]
    assert first.more and first.total == 12 and first.total_label == "12+"  # the substrings
    seen, offset = [], 0
    while True:
        p = library.page(session, flt, offset=offset, limit=5)
        seen += [r.id for r in p.rows]
        if not p.more and offset + 5 >= p.total:
            break
        offset += 5
    assert seen == full and p.total == len(full) and not p.more
    # with another filter the whole ranking is taken, as before (filters apply after it)
    both = library.page(session, LibraryFilter(fuzzy=q, kind="article"), offset=0, limit=5)
    assert not both.more and both.total == len(full)


def test_library_cites_a_truncated_author_list_as_the_brief_does(cli, ws, tmp_path):
    """Found by a new user: BibTeX's `and others` made the brief say "Loeffler et al. 2008"
    and the library "Loeffler 2008". Both now come from the same rule."""
    from review.ingest.citation import source_author_year
    from review.store.db import session_scope

    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@techreport{loeffler2008fast, author = {Loeffler, Elke and others},"
        " title = {Fast forward}, year = {2008}}\n"
        "@article{two2010, author = {Bovaird, Tony and Loeffler, Elke},"
        " title = {Two authors}, year = {2010}}\n"
        # biber's and older JabRef files write field names in capitals: the brief and the
        # library cited "Smith 2001" (the fields were looked up in lower case only)
        "@ARTICLE{up2001, AUTHOR = {Smith, John and others}, TITLE = {Capitals},"
        " YEAR = {2001}}\n",
        "utf-8",
    )
    assert cli("-w", ws.root, "import", bib).code == 0
    with session_scope(ws.engine) as s:
        shown = {r.key: r.author_year for r in library.page(s).rows}
        cited = {src.key: source_author_year(src) for src in s.exec(select(m.Source)).all()}
    assert shown["loeffler2008fast"] == "Loeffler et al. 2008"
    assert shown["two2010"] == "Bovaird & Loeffler 2010"
    assert shown["up2001"] == "Smith et al. 2001"
    assert shown == cited


def test_source_at_finds_the_record_each_problem_is_about(ws, session, testdata):
    """Enter on an import problem opens its record: for every problem of the real 988-entry
    library that names a record (281, most an undefined macro on a field's line), the
    source whose entry begins last at or before the problem's line is that record."""
    from review.importers import import_paths

    (report,) = import_paths(ws.engine, [testdata / "bibtex" / "bbt_873_quietly_discarded.bib"])
    named = [p for p in report.problems if p.record and p.line]
    assert len(named) > 200
    for p in named:
        sid = library.source_at(session, report.batch_id, p.line)
        assert session.get(m.Source, sid).key == p.record, p
    assert library.source_at(session, report.batch_id, None) is None  # not one source
    assert library.source_at(session, report.batch_id + 1, 10) is None
