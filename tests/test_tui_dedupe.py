"""Duplicates and Screening screens driven with the pilot, checked against the database."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable

from review.store import models as m
from review.store.db import session_scope
from tests.tui_helpers import running, settle, until


def _add(ws) -> None:
    with session_scope(ws.engine) as s:
        s.add(
            m.Source(
                key="scopus-1",
                title="Co-production of public services",
                authors=["Bovaird, Tony"],
                year=2007,
                doi="10.1111/j.1540-6210.2007.00773.x",
                database="Scopus",
            )
        )
        s.add(
            m.Source(
                key="wos-1",
                title="CO-PRODUCTION OF PUBLIC SERVICES [Review]",
                authors=["T. Bovaird"],
                year=2007,
                venue="Public Adm Rev",
                doi="https://doi.org/10.1111/J.1540-6210.2007.00773.X",
                database="Web of Science",
            )
        )
        s.add(
            m.Source(
                key="other",
                title="Citizens and the state in five countries",
                authors=["Loeffler, Elke"],
                year=2008,
                abstract="Survey of 4,951 people.",
            )
        )


async def test_duplicates_screen_merges_highlights_and_undoes(ws):
    _add(ws)
    async with running(ws, start="duplicates", size=(120, 40)) as (app, pilot):
        assert app.current_mode == "duplicates"
        listing = app.screen.query_one("#dup-list", DataTable)
        assert listing.row_count == 1
        compare = app.screen.query_one("#dup-compare", DataTable)
        cells = {
            str(compare.get_row_at(r)[0]): compare.get_row_at(r)[1:]
            for r in range(compare.row_count)
        }
        # the words that differ are marked, not the whole title (capitalisation is ignored)
        first, second = (cell.plain for cell in cells["title"])
        marked = [[t.plain[sp.start : sp.end] for sp in t.spans] for t in cells["title"]]
        assert (first, marked) == ("Co-production of public services", [[], ["[Review]"]])
        assert "Review" in second
        assert str(cells["year"][0].style) == ""  # the same year is not highlighted
        assert not list(ws.root.glob(".review/backups/auto-dedupe-*.db"))
        await pilot.press("m")
        await settle(app, pilot)
        assert len(list(ws.root.glob(".review/backups/auto-dedupe-*.db"))) == 1  # a way back
        with session_scope(ws.engine) as s:
            merged = s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all()
            assert [x.key for x in merged] == ["scopus-1"]  # wos-1 is more complete: survives
            survivor = s.exec(select(m.Source).where(m.Source.key == "wos-1")).one()
            assert merged[0].merged_into_id == survivor.id
            assert survivor.title == "Co-production of public services"  # the unshouted title
            # the history says who merged them (the screen's merges had no name)
            link = s.exec(select(m.DuplicateLink).where(m.DuplicateLink.status == "merged")).one()
            assert s.get(m.Coder, link.coder_id).name == ws.coder
        assert listing.row_count == 0
        await pilot.press("u")
        await settle(app, pilot)
        toasts = [n.message for n in app._notifications]
        # a sentence naming both records (it read "undid c1a2…: scopus-1 stand apart again")
        assert toasts[-1] == "Undone: wos-1 and scopus-1 are separate records again", toasts
        with session_scope(ws.engine) as s:
            assert s.exec(select(m.Source).where(m.Source.merged_into_id.is_not(None))).all() == []
            links = s.exec(select(m.DuplicateLink.status)).all()
            assert links == ["undone"]
        await pilot.press("a")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            assert "apart" in s.exec(select(m.DuplicateLink.status)).all()
            apart = s.exec(select(m.DuplicateLink).where(m.DuplicateLink.status == "apart")).one()
            assert s.get(m.Coder, apart.coder_id).name == ws.coder  # who decided it
        assert listing.row_count == 0


async def test_screening_screen_decides_with_keys_and_reasons(ws):
    _add(ws)
    ws.coder = "ann"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        assert app.current_mode == "screening"
        assert "0 of 3 decided by ann" in str(app.screen.query_one("#screen-progress").render())
        await pilot.press("i")  # scopus-1 (first record) included
        await settle(app, pilot)
        await pilot.press("e")  # wos-1: pick the first reason from the list
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            rows = s.exec(
                select(m.Source.key, m.ScreeningDecision.decision, m.ScreeningDecision.reason)
                .join(m.Source, m.Source.id == m.ScreeningDecision.source_id)
                .order_by(m.Source.key)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("other", "maybe", None),
            ("scopus-1", "include", None),
            ("wos-1", "exclude", "wrong population"),
        ]
        assert "3 of 3 decided by ann" in str(app.screen.query_one("#screen-progress").render())
        toasts = [n.message for n in app._notifications]
        assert toasts[-1] == "That was the last record: all 3 decided."


async def test_screening_screen_resolves_conflicts_and_hides_blind_decisions(ws):
    from review.screening import decisions as screening

    _add(ws)
    with session_scope(ws.engine) as s:
        screening.decide(s, "ann", "other", "include")
        screening.decide(s, "bob", "other", "exclude", reason="wrong outcome")
        screening.decide(s, "ann", "wos-1", "include")  # bob has not decided yet
    ws.coder = "bob"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        screen = app.screen
        seen = {it["key"]: it["decisions"] for it in screen.items}
        assert seen["wos-1"] == {}  # blind: ann's decision is hidden from bob
        assert seen["other"] == {"ann": "include", "bob": "exclude"}  # both decided
        assert screen.query_one("#screen-conflicts", DataTable).row_count == 1
        ws.coder = "cat"
        await pilot.press("c")  # conflicts only; a decision here is final
        await settle(app, pilot)
        assert [it["key"] for it in screen.items] == ["other"]
        await pilot.press("i")
        await settle(app, pilot)
        assert screen.query_one("#screen-conflicts", DataTable).row_count == 0
    with session_scope(ws.engine) as s:
        final = s.exec(
            select(m.Coder.name, m.ScreeningDecision.decision)
            .join(m.Coder, m.Coder.id == m.ScreeningDecision.coder_id)
            .where(m.ScreeningDecision.final)
        ).all()
    assert [tuple(r) for r in final] == [("cat", "include")]


async def test_a_resolved_conflict_shows_who_resolved_it_and_counts_for_the_resolver(ws):
    """A new user's walk: after resolving, the record read `your decision: not decided ·
    others: ann: exclude (wrong outcome); bob: exclude (wrong study design)` and the top
    line `0 of … decided by` the resolver. Now the final decision and its reason show, for
    the resolver and for a reviewer, and the resolver's count includes it."""
    from review.screening import decisions as screening
    from tests.tui_helpers import screen_text

    _add(ws)
    with session_scope(ws.engine) as s:
        screening.decide(s, "ann", "other", "exclude", reason="wrong outcome")
        screening.decide(s, "bob", "other", "exclude", reason="wrong study design")
    ws.coder = "cat"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        screen = app.screen
        await pilot.press("c")  # the conflicts; a decision here is final
        await settle(app, pilot)
        assert [it["key"] for it in screen.items] == ["other"]
        # the conflicts list gives each side's reason: both excluded, for different reasons
        listed = screen.query_one("#screen-conflicts", DataTable)
        assert [str(x) for x in listed.get_row_at(0)][1] == (
            "ann: exclude (wrong outcome); bob: exclude (wrong study design)"
        )
        await pilot.press("e")  # exclude: pick the reason
        await settle(app, pilot)
        picker = app.screen
        names = picker.reasons
        for _ in range(names.index("wrong outcome")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("c")  # back to every record
        await settle(app, pilot)
        screen.pos = [it["key"] for it in screen.items].index("other")
        screen._show()
        await pilot.pause()
        record = " ".join(screen_text(screen.query_one("#screen-record")).split())
        assert "final: cat: exclude (wrong outcome)" in record
        assert "your decision: exclude (wrong outcome)" in record
        assert "ann: exclude (wrong outcome); bob: exclude (wrong study design)" in record
        top = screen_text(screen.query_one("#screen-progress"))
        assert "1 of" in top and "decided by cat" in top
    ws.coder = "ann"
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        screen.pos = [it["key"] for it in screen.items].index("other")
        screen._show()
        await pilot.pause()
        record = " ".join(screen_text(screen.query_one("#screen-record")).split())
        assert "final: cat: exclude (wrong outcome)" in record


async def test_screening_at_80_columns_gives_the_record_the_width(ws):
    """QA at 80x24: a conflicts column with no conflicts took a third of the width and its
    "Decisions" header was cut; now it shows below the record, and only when there are any."""
    from review.screening import decisions as screening

    _add(ws)
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        conflicts = screen.query_one("#screen-conflicts", DataTable)
        record = screen.query_one("#screen-record-box")
        assert not conflicts.display and record.region.width >= 78
        with session_scope(ws.engine) as s:
            screening.decide(s, "ann", "other", "include")
            screening.decide(s, "bob", "other", "exclude", reason="wrong outcome")
        screen.reload()
        await settle(app, pilot)
        assert conflicts.display and conflicts.row_count == 1
        assert conflicts.region.y > record.region.y  # below the record, full width
        assert conflicts.region.width >= 78
        widths = sum(c.get_render_width(conflicts) for c in conflicts.columns.values())
        assert widths <= conflicts.size.width
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        conflicts = app.screen.query_one("#screen-conflicts", DataTable)
        assert conflicts.display  # wide: side by side, as before
        assert conflicts.region.x > app.screen.query_one("#screen-record-box").region.x


async def test_screening_conflicts_fit_their_pane_at_every_width(ws):
    """The conflicts' Decisions column takes the width left, on opening and after each
    resize, with no horizontal scrollbar (sized after the rows were in, it left the table
    its old scrollable width and a stray scrollbar under the rows)."""
    from review.screening import decisions as screening

    _add(ws)
    with session_scope(ws.engine) as s:
        screening.decide(s, "ann", "other", "include")
        screening.decide(s, "bob", "other", "exclude", reason="wrong outcome")

    def fits(table) -> bool:
        drawn = sum(c.get_render_width(table) for c in table.columns.values())
        return table.virtual_size.width <= table.size.width and drawn <= table.size.width

    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        table = app.screen.query_one("#screen-conflicts", DataTable)
        await until(pilot, lambda: fits(table))  # (sized once the layout is done)
        assert table.row_count == 1 and fits(table), (table.virtual_size, table.size)
        for size in ((80, 24), (140, 40), (120, 40)):
            await pilot.resize_terminal(*size)
            await settle(app, pilot)
            await until(pilot, lambda: fits(table))
            assert fits(table), (size, table.virtual_size, table.size)
            last = list(table.columns.values())[-1]
            assert last.get_render_width(table) >= table.size.width - 16 - 2 - 3  # filled


async def test_screening_screen_records_not_retrieved_at_full_text(ws):
    """`r` records PRISMA's "not retrieved" full-text outcome; at title/abstract it does
    nothing (and is not in the footer), since there it is no outcome at all."""
    from review.screening import decisions as screening
    from review.screening.prisma import prisma

    _add(ws)
    with session_scope(ws.engine) as s:
        screening.set_required_reviewers(s, 1)  # one reviewer's include passes a record
        for key in ("other", "scopus-1", "wos-1"):
            screening.decide(s, "ann", key, "include")
    ws.coder = "ann"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        screen = app.screen
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "not_retrieved" not in shown
        await pilot.press("r")  # title/abstract: nothing recorded
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            stages = s.exec(select(m.ScreeningDecision.stage)).all()
        assert set(stages) == {"title-abstract"}
        await pilot.press("t")  # the full-text stage
        await settle(app, pilot)
        assert screen.stage == "full-text"
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "not_retrieved" in shown  # in the footer now
        first = screen.current()["key"]
        await pilot.press("r")
        await settle(app, pilot)
        with session_scope(ws.engine) as s:
            rows = s.exec(
                select(m.Source.key, m.ScreeningDecision.decision, m.ScreeningDecision.reason)
                .join(m.Source, m.Source.id == m.ScreeningDecision.source_id)
                .where(m.ScreeningDecision.stage == "full-text")
            ).all()
            flow = prisma(s)
        assert [tuple(r) for r in rows] == [(first, "not-retrieved", None)]
        assert flow["eligibility"]["reports_not_retrieved"] == 1
        assert flow["eligibility"]["excluded_by_reason"] == {}  # not an exclusion
        assert "1 of 3 decided by ann" in str(screen.query_one("#screen-progress").render())


async def test_duplicates_list_fits_80_columns(ws):
    """QA at 80x24: the Why column ran off the screen, cut mid-word with no sign of the cut."""
    title = "Activating collective co-production of public services"
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="iras2015activating", title=title, year=2015,
                       venue="International Review of Administrative Sciences"))  # fmt: skip
        s.add(m.Source(key="anon2016activating", title=title, year=2016, kind="misc"))
    async with running(ws, start="duplicates", size=(80, 24)) as (app, pilot):
        await settle(app, pilot)
        listing = app.screen.query_one("#dup-list", DataTable)
        assert listing.row_count == 1
        why = listing.get_row_at(0)[-1]
        last = list(listing.columns.values())[-1]
        assert len(str(why)) > last.width  # the reasons are longer than the room left…
        widths = sum(c.get_render_width(listing) for c in listing.columns.values())
        assert widths <= listing.size.width  # …yet nothing runs off the edge
        assert why.overflow == "ellipsis" and why.no_wrap  # and the cut ends in "…"
        whole = " ".join(str(app.screen.query_one("#dup-why").render()).split())
        assert whole == f"why: {why.plain}"  # the reasons whole under the list
        assert len(whole) > last.width + 5 and "…" not in whole
        line = app.screen.query_one("#dup-summary").render()
        assert "keep apart" not in str(line)  # the footer lists the keys


async def test_duplicates_compare_shows_whole_titles_and_marks_the_differing_words(ws):
    """A new user's walk: the two titles were cut at the column's edge with no "…", hiding
    the words that told the records apart ("… in the UK"); worse at 80 columns."""
    from tests.tui_helpers import screen_text

    start = "Activating collective co-production {} public services: influencing citizens "
    end = "to participate in complex governance mechanisms"
    with session_scope(ws.engine) as s:
        s.add(m.Source(key="iras2015activating", title=start.format("of") + end + " in the UK",
                       year=2015, abstract="Previous research has suggested " * 8,
                       venue="International Review of Administrative Sciences"))  # fmt: skip
        s.add(m.Source(key="anon2016activating", title=start.format("for") + end, year=2016,
                       kind="misc", abstract="Previous research has suggested " * 8))  # fmt: skip
    for size in ((80, 24), (120, 40)):
        async with running(ws, start="duplicates", size=size) as (app, pilot):
            compare = app.screen.query_one("#dup-compare", DataTable)
            widths = sum(c.get_render_width(compare) for c in compare.columns.values())
            assert widths <= compare.size.width, size  # no column runs off the screen
            shown = " ".join(screen_text(compare).split())
            assert "governance mechanisms in the UK" in shown, (size, shown)  # whole, wrapped
            assert shown.count("governance mechanisms") == 2
            cells = {
                str(compare.get_row_at(r)[0]): compare.get_row_at(r)[1:]
                for r in range(compare.row_count)
            }
            marked = [[t.plain[sp.start : sp.end] for sp in t.spans] for t in cells["title"]]
            assert marked == [["of", "in", "the", "UK"], ["for"]]
            abstract = cells["abstract"][0]  # the long abstract: one line, "…" where cut
            assert abstract.no_wrap and abstract.overflow == "ellipsis"


async def test_screening_and_library_say_the_same_status_word(ws):
    """A new user's walk: a record nobody had decided read "status pending" on the Screening
    screen and "unscreened" in the Library; after one of two reviewers decides, both say
    "pending"."""
    _add(ws)
    ws.coder = "ann"
    async with running(ws, start="screening", size=(120, 40)) as (app, pilot):
        record = app.screen.query_one("#screen-record")
        assert "scopus-1 · status unscreened" in str(record.render())
        await pilot.press("i")  # ann includes scopus-1; two reviewers are required
        await settle(app, pilot)
        await pilot.press("p")  # back to scopus-1
        await settle(app, pilot)
        assert "scopus-1 · status pending" in str(record.render())
        await pilot.press("f2")
        await settle(app, pilot)
        table = app.screen.query_one("#library-table", DataTable)
        status = {
            str(table.get_row_at(r)[1]): str(table.get_row_at(r)[3]) for r in range(table.row_count)
        }
        assert status["Co-production of public services"] == "pending", status
        assert status["Citizens and the state in five countries"] == "unscreened", status


async def test_screening_footer_fits_80_columns_at_both_stages(ws):
    """A walk at 80x24: at the full-text stage the footer ran "… r Not retrieved n Next
    p Previous t Stag▏^p palette", cutting off the stage and conflicts keys. Moving (n/p,
    up/down) is in the help now; every key the footer shows fits beside the palette key."""
    from textual.widgets._footer import FooterKey

    from review.screening import decisions as screening

    _add(ws)
    with session_scope(ws.engine) as s:
        screening.set_required_reviewers(s, 1)
        screening.decide(s, "ann", "other", "include")  # so the full-text stage has a record
    ws.coder = "ann"
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        for stage in ("title-abstract", "full-text"):
            if screen.stage != stage:
                await pilot.press("t")
                await settle(app, pilot)
            keys = list(screen.query(FooterKey))
            palette = next(k for k in keys if k.has_class("-command-palette"))
            shown = {k.key: k for k in keys if k is not palette}
            expected = {"i", "e", "m", "t", "c"} | ({"r"} if stage == "full-text" else set())
            assert set(shown) == expected, (stage, set(shown))
            for k in shown.values():  # whole, and left of the palette key
                assert k.region.width > 0 and k.region.right <= palette.region.x, (stage, k.key)
        from review.tui.screens.help import HelpScreen

        help_rows = dict(HelpScreen("screening").sections()[0][2])
        assert help_rows["n,down"] == "Next" and help_rows["p,up"] == "Previous"


async def test_screening_undo_and_redo_never_touch_a_coding_made_in_the_reader(ws):
    """ctrl+z on the Screening screen said "Nothing to undo on this screen"; now it takes back
    this coder's last decision at this stage (the stored status with it) and ctrl+y puts it
    back — and neither it nor the Reader's undo ever takes back the other screen's work."""
    from tests.tui_helpers import add_transcript

    _add(ws)
    sid = add_transcript(ws)

    def state():
        with session_scope(ws.engine) as s:
            codings = s.exec(select(m.Coding.source_id)).all()
            decisions = s.exec(
                select(m.Source.key, m.ScreeningDecision.decision).join(
                    m.Source, m.Source.id == m.ScreeningDecision.source_id
                )
            ).all()
            stored = s.exec(select(m.Source.screening_status).where(m.Source.key == "scopus-1"))
            return codings, [tuple(d) for d in decisions], stored.one()

    async with running(ws, source=sid, size=(120, 40)) as (app, pilot):
        await pilot.press("1")  # a coding in the Reader
        await settle(app, pilot)
        assert state() == ([sid], [], "unscreened")
        await pilot.press("f8")
        await settle(app, pilot)
        screen = app.screen
        assert screen.current()["key"] == "scopus-1"
        await pilot.press("i")
        await settle(app, pilot)
        assert state() == ([sid], [("scopus-1", "include")], "pending")
        assert screen.current()["key"] != "scopus-1"  # on to the next record
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert state() == ([sid], [], "unscreened")  # the decision gone, the coding not
        assert screen.current()["key"] == "scopus-1"  # back on the record undone
        toasts = [n.message for n in app._notifications]
        assert toasts[-1] == (
            "Undo: scopus-1: include taken back at title-abstract (status unscreened)"
        )
        await pilot.press("ctrl+z")  # nothing more of this screen's: the coding stays
        await settle(app, pilot)
        assert state() == ([sid], [], "unscreened")
        assert [n.message for n in app._notifications][-1].startswith("Nothing to undo")
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert state() == ([sid], [("scopus-1", "include")], "pending")
        await pilot.press("f4")  # the Reader's undo takes back its coding, not the decision
        await settle(app, pilot)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert state() == ([], [("scopus-1", "include")], "pending")


async def test_resolving_conflicts_top_line_fits_80_columns(ws):
    """A walk at 80x24: resolving, the top line read "resolving conflicts · title-abstract ·
    0 of 46 decided by cat · blind · 3 confl" — the number of conflicts left was cut off.
    And once none were left the status line still said "record 3" of a record not shown."""
    from review.screening import decisions as screening
    from tests.tui_helpers import screen_text

    _add(ws)
    with session_scope(ws.engine) as s:
        for n in range(40):  # two-digit counts, as in a real search
            s.add(m.Source(key=f"extra-{n}", title=f"Study {n}", year=2000))
        s.flush()
        screening.decide(s, "ann", "other", "include")
        screening.decide(s, "bob", "other", "exclude", reason="wrong outcome")
    ws.coder = "cat"
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        await pilot.press("c")
        await settle(app, pilot)
        top = screen_text(screen.query_one("#screen-progress")).strip()
        assert top == "resolving 1 conflict(s) · title-abstract · 0 of 43 decided by cat · blind"
        assert len(top) <= screen.size.width - 2  # (the line's padding)
        await pilot.press("i")
        await settle(app, pilot)
        top = screen_text(screen.query_one("#screen-progress")).strip()
        assert top.startswith("resolving 0 conflict(s)") and top.endswith("· blind")
        assert "No conflicts." in screen_text(screen.query_one("#screen-record"))
        assert "record" not in screen.query_one("StatusLine").note


async def test_a_decision_moves_on_across_pages_and_after_the_last_goes_back(ws):
    """Deciding the 100th record stayed on it (`n` opened the next page, a decision did not);
    deciding the last record stayed there with no word of the records still undecided."""
    from tests.tui_helpers import add_literature

    add_literature(ws, 105)
    ws.coder = "ann"
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        screen.pos = 99
        screen._show()
        await pilot.press("i")
        await settle(app, pilot)
        assert (screen.page_start, screen.current()["key"]) == (100, "rec0100")
        screen.pos = 4  # the last record (rec0104)
        screen._show()
        await pilot.press("i")
        await settle(app, pilot)
        assert screen.current()["key"] == "rec0100"  # the first here without ann's decision
        toasts = [n.message for n in app._notifications]
        assert toasts[-1] == (
            "That was the last record; 103 still without your decision: back to the first, rec0100."
        )
        for _ in range(4):  # rec0100–rec0103, then on to rec0104 (decided)
            await pilot.press("i")
            await settle(app, pilot)
        assert screen.current()["key"] == "rec0104"
        await pilot.press("e", "enter")  # ann changes her mind on the last one
        await settle(app, pilot)
        assert screen.current()["key"] == "rec0104"  # this page is done: it stays
        toasts = [n.message for n in app._notifications]
        assert toasts[-1] == "That was the last record; 99 earlier ones await your decision."


async def test_the_last_of_exactly_one_page_stays_in_view(ws):
    """With exactly 100 records, `n` or a decision on the 100th opened an empty next page
    ("Nothing to screen here.")."""
    from tests.tui_helpers import add_literature

    add_literature(ws, 100)
    async with running(ws, start="screening", size=(80, 24)) as (app, pilot):
        screen = app.screen
        screen.pos = 99
        screen._show()
        await pilot.press("n")
        await settle(app, pilot)
        assert (screen.page_start, screen.current()["key"]) == (0, "rec0099")
        await pilot.press("i")
        await settle(app, pilot)
        assert (screen.page_start, screen.current()["key"]) == (0, "rec0000")  # the first undecided
        assert [n.message for n in app._notifications][-1].startswith("That was the last record")


def _pairs(ws, n: int) -> None:
    """`n` works, each exported twice (one DOI, two keys): `n` clusters to merge."""
    with session_scope(ws.engine) as s:
        for i in range(n):
            for db in ("Scopus", "Web of Science"):
                s.add(m.Source(key=f"{db[:3].lower()}-{i}", title=f"Co-production study {i}",
                               authors=[f"Author{i}, A."], year=2000 + i,
                               doi=f"10.1000/cp.{i}", database=db))  # fmt: skip


async def test_duplicates_counts_everything_found_and_a_merge_keeps_the_place(ws, monkeypatch):
    """Walk: with more than the list holds, the line counted only what was listed (500
    clusters, 0 pairs, where 864 and 100 were found), the pairs to decide were cut off whole
    behind the clusters, and after `m` the cursor went back to the first row."""
    from review.tui.screens import duplicates

    monkeypatch.setattr(duplicates, "MAX_ROWS", 4)
    _pairs(ws, 6)
    async with running(ws, start="duplicates", size=(80, 24)) as (app, pilot):
        screen = app.screen
        listing = screen.query_one("#dup-list", DataTable)
        line = str(screen.query_one("#dup-summary").render())
        # (the near-identical titles of different works are pairs to decide)
        assert "6 cluster(s) to merge" in line and "listed 2 + 2" in line, line
        assert listing.row_count == 4
        await pilot.press("down")
        await settle(app, pilot)
        assert listing.cursor_row == 1
        gone = screen.selected().keys
        await pilot.press("m")
        await settle(app, pilot)
        await until(pilot, lambda: "5 cluster(s)" in str(screen.query_one("#dup-summary").render()))
        assert listing.cursor_row == 1 and screen.selected().keys != gone  # the next one
        # pairs to decide keep up to half the list, however many clusters come first
        rows = [duplicates.Row("merge", [f"a{i}", f"b{i}"], 1.0, []) for i in range(9)]
        maybes = [duplicates.Row("maybe", [f"c{i}", f"d{i}"], 0.8, []) for i in range(5)]
        screen._show(rows, maybes, 28)
        assert [r.kind for r in screen.rows] == ["merge", "merge", "maybe", "maybe"]
        line = str(screen.query_one("#dup-summary").render())
        assert "9 cluster(s) to merge · 5 pair(s) to decide · listed 2 + 2" in line, line


async def test_keep_apart_is_undone_with_u(ws):
    """Walk: `u` undid earlier merges, then said "nothing to undo" for a keep-apart, one
    stray `a` meaning "never proposed again"."""
    _add(ws)
    async with running(ws, start="duplicates", size=(120, 40)) as (app, pilot):
        screen = app.screen
        listing = screen.query_one("#dup-list", DataTable)
        assert listing.row_count == 1
        await pilot.press("a")
        await settle(app, pilot)
        await until(pilot, lambda: listing.row_count == 0)
        assert listing.row_count == 0
        await pilot.press("u")
        await settle(app, pilot)
        await until(pilot, lambda: listing.row_count == 1)
        assert listing.row_count == 1  # proposed again
        said = [n.message for n in app._notifications]
        assert any("no longer kept apart" in x for x in said), said
    with session_scope(ws.engine) as s:
        assert s.exec(select(m.DuplicateLink.status)).all() == ["undone"]


async def test_duplicates_notices_records_imported_elsewhere(ws):
    """Walk: records imported on the Import screen (or by the CLI) were not on the list
    until `r` — it still counted the records of the first scan."""
    _add(ws)
    async with running(ws, start="duplicates", size=(120, 40)) as (app, pilot):
        screen = app.screen
        listing = screen.query_one("#dup-list", DataTable)
        assert listing.row_count == 1
        screen.database_changed()  # nothing changed: no rescan
        assert not screen.scanning
        _pairs(ws, 1)  # a work exported twice, imported meanwhile
        screen.database_changed()  # what the app's two-second check calls
        await settle(app, pilot)
        await until(pilot, lambda: listing.row_count == 2)
        line = str(screen.query_one("#dup-summary").render())
        assert line.startswith("5 records · 2 cluster(s)"), line
