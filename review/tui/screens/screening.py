"""Screening: one record at a time (title, authors, venue, keywords, abstract) and a single key
per decision — `i` include, `e` exclude (pick a reason), `m` maybe and, at the full-text stage,
`r` not retrieved (PRISMA 2020's "reports not retrieved": the full text could not be found, an
outcome of its own, not an exclusion reason) — with progress, blind mode and the conflicts
list. `c` switches to the conflicts, where a decision resolves (final)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from review.screening import decisions as screening
from review.tui.plain import cells, fitted
from review.tui.screens.base import WorkbenchScreen, fill_last_column
from review.tui.widgets.status_line import StatusLine

NAME = "screening"
KEY = "f8"
TITLE = "Screening"
ORDER = 80
HELP = (
    "Screen titles/abstracts and full texts: i include, e exclude, m maybe, "
    "r not retrieved (full text); conflicts."
)

PAGE = 100
KEYS = {"include": "i", "exclude": "e", "maybe": "m", screening.NOT_RETRIEVED: "r"}


@dataclass
class View:
    """One read of what the screen shows: the page of records, the counts, the conflicts."""

    items: list[dict]
    counts: dict
    conflicts: list[dict]
    blind: bool
    held: dict | None = None  # the record on view, read again when it left the list


def read_view(
    s: Session,
    coder: str,
    stage: str,
    conflict_mode: bool,
    page_start: int,
    hold: str | None = None,
) -> View:
    """The screen's data, the same service calls for a key press and a refresh. `hold`: the
    key of the record on view, read again (`View.held`) when it has left the list (a
    conflict someone else just resolved): the screen keeps it where it was, so the record
    being read never turns into another under the reviewer's next key."""
    status = screening.CONFLICT if conflict_mode else None
    items = screening.queue(s, coder, stage, status=status, limit=PAGE, offset=page_start)
    held = None
    if hold is not None and all(it["key"] != hold for it in items):
        held = next(iter(screening.queue(s, coder, stage, keys=[hold])), None)
    return View(
        items,
        screening.progress(s, coder, stage),
        screening.conflicts(s, stage),
        screening.is_blind(s),
        held,
    )


class ReasonPicker(ModalScreen[str | None]):
    """The shared list of exclusion reasons; Enter picks, Escape cancels."""

    DEFAULT_CSS = """
    ReasonPicker { align: center middle; }
    #reason-box { width: 60; height: auto; max-height: 80%; border: round $primary;
                  background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reasons: list[str]) -> None:
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Label("Exclude because… (Enter to choose, Esc to cancel)")
            yield OptionList(*(Option(r, id=str(n)) for n, r in enumerate(self.reasons)))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])  # ids are set: "0", "1", …

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScreeningScreen(WorkbenchScreen):
    """The record in focus on the left; conflicts on the right."""

    DEFAULT_CSS = """
    #screen-progress { height: 1; padding: 0 1; background: $boost; }
    #screen-main { height: 1fr; }
    #screen-record-box { width: 2fr; padding: 0 1; }
    #screen-conflicts { width: 1fr; border-left: vkey $primary 30%; }
    ScreeningScreen.-narrow #screen-main { layout: vertical; }
    ScreeningScreen.-narrow #screen-record-box { width: 1fr; height: 1fr; }
    ScreeningScreen.-narrow #screen-conflicts {
        width: 1fr; height: 7; border-left: none; border-top: hkey $primary 30%;
    }
    """
    NARROW = 100  # columns: under this the conflicts go below the record, and only when any
    BINDINGS = [
        Binding("i", "decide('include')", "Include"),
        Binding("e", "exclude", "Exclude"),
        Binding("m", "decide('maybe')", "Maybe"),
        # full text only: shown in the footer (and run) at the full-text stage
        Binding("r", "not_retrieved", "Not retrieved"),
        # moving is what up/down do anywhere: in the help (?), not the footer, which at the
        # full-text stage cut "t Stage" and "c Conflicts" off at 80 columns
        Binding("n,down", "move(1)", "Next", show=False),
        Binding("p,up", "move(-1)", "Previous", show=False),
        Binding("t", "toggle_stage", "Stage"),
        Binding("c", "toggle_conflicts", "Conflicts"),
        # this coder's screening steps at this stage only, never a coding (the Reader's)
        Binding("ctrl+z", "undo", "Undo decision", show=False),
        Binding("ctrl+y", "redo", "Redo decision", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stage = "title-abstract"
        self.conflict_mode = False
        self.items: list[dict] = []
        self.page_start = 0
        self.pos = 0
        self.n_conflicts = 0
        self.counts: dict = {"records": 0, "mine": 0}
        # the record on view and its resolution as the reviewer came to it, which a decision
        # here is made from: a refresh shows another's later resolution, but replacing it
        # takes a second key press, never the one already on its way (`action_decide`)
        self.seen: tuple[str, str, screening.Resolution | None] | None = None  # stage, key, …
        self.reads = 0  # reads made for keys: a refresh begun before the last one is stale

    @property
    def coder(self) -> str:
        return self.app.ws.coder

    def compose_body(self) -> ComposeResult:
        yield Label("", id="screen-progress")
        with Horizontal(id="screen-main"):
            with VerticalScroll(id="screen-record-box"):
                yield Static("", id="screen-record")
            yield DataTable(id="screen-conflicts", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#screen-conflicts", DataTable)
        table.add_column("Conflict", width=16)
        table.add_column("Decisions")
        self.reload(first_todo=True)

    def on_screen_resume(self) -> None:
        self.reload()

    def database_changed(self) -> None:
        """Someone (a colleague's workbench, the CLI) wrote: read the counts, the conflicts
        and the page again in a thread, the record on view kept in view with its status as
        it is now. (The screen used to stay as it was until the reviewer's next decision:
        "0 conflict(s)" while a colleague's conflict waited, a record resolved meanwhile
        still shown as a conflict.)"""
        it = self.current()
        hold = it["key"] if it is not None else None
        self._refresh(self.reads, self.stage, self.conflict_mode, self.page_start, hold)

    @work(thread=True, exclusive=True, group="screening-refresh")
    def _refresh(
        self, reads: int, stage: str, conflict_mode: bool, page_start: int, hold: str | None
    ) -> None:
        coder = self.coder
        try:
            with self.app.session(write=False) as s:  # (never waits for a writer)
                view = read_view(s, coder, stage, conflict_mode, page_start, hold)
        except Exception as exc:  # (shown unless stale: the app closing, a newer refresh)
            self.app.from_worker(self.notify_error, exc)
            return
        self.app.from_worker(self._refreshed, reads, view)

    def _refreshed(self, reads: int, view: View) -> None:
        if reads != self.reads:  # a key read the screen again meanwhile: this read is older
            return
        before = self.current()
        self._apply(view)
        now = self.current()
        if before is None or now is None or now["key"] != before["key"]:
            return
        res = now.get("resolution")
        if res and res != before.get("resolution") and res["coder"] != self.coder:
            self.notify(
                f"{now['key']} was just resolved by {res['coder']}: "
                f"{screening.said(res['decision'], res['reason'])}"
            )

    # --- loading ----------------------------------------------------------------------------

    def reload(self, first_todo: bool = False, hold: bool = False) -> None:
        """Read the screen's data again (a key, the stage or mode changed, back on view);
        `hold`: keep the record on view even if it has left the list (`read_view`)."""
        self.reads += 1
        it = self.current()
        try:
            with self.app.session() as s:
                view = read_view(
                    s,
                    self.coder,
                    self.stage,
                    self.conflict_mode,
                    self.page_start,
                    it["key"] if hold and it else None,
                )
        except Exception as exc:
            self.notify_error(exc)
            return
        self._apply(view, first_todo)

    def _apply(self, view: View, first_todo: bool = False) -> None:
        """Show a read: the record on view stays on view where it is still listed (or is
        held); else the same place in the list (after a resolution: the next conflict)."""
        before = self.current()
        key = before["key"] if before is not None else None
        items = list(view.items)
        if view.held is not None:
            items.insert(min(self.pos, len(items)), view.held)
        at = next((n for n, it in enumerate(items) if it["key"] == key), None)
        self.items = items
        prog = self.counts = view.counts
        conflicts, blind = view.conflicts, view.blind
        if first_todo:
            self.pos = next((n for n, it in enumerate(self.items) if not it["mine"]), 0)
        elif at is not None:
            self.pos = at
        self.pos = max(0, min(self.pos, len(self.items) - 1))
        # the count of conflicts said once: "resolving conflicts · … · 3 conflict(s)" ran past
        # 80 columns ("· 3 confl"), cutting the very number being worked down
        done = f"{prog['mine']:,} of {prog['records']:,} decided by {self.coder}"
        blind_words = " · blind" if blind else ""
        self.query_one("#screen-progress", Label).update(
            f"resolving {len(conflicts)} conflict(s) · {self.stage} · {done}{blind_words}"
            if self.conflict_mode
            else f"{self.stage} · {done}{blind_words} · {len(conflicts)} conflict(s)"
        )
        table = self.query_one("#screen-conflicts", DataTable)
        table.clear()
        for c in conflicts:  # with the reasons: two exclusions differ only in them
            table.add_row(*cells(c["key"]), fitted(screening.conflict_words(c)))
        self.n_conflicts = len(conflicts)
        self._layout()
        self._show()

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        """Side by side when wide; at 80 columns the record gets the width and the conflicts
        (if there are any, or while resolving them) a strip below it."""
        narrow = self.size.width < self.NARROW
        self.set_class(narrow, "-narrow")
        table = self.query_one("#screen-conflicts", DataTable)
        table.display = not narrow or self.conflict_mode or self.n_conflicts > 0
        if table.display:
            self.call_after_refresh(fill_last_column, table)  # once it has its new size

    def current(self) -> dict | None:
        return self.items[self.pos] if 0 <= self.pos < len(self.items) else None

    def _show(self) -> None:
        it = self.current()
        box = self.query_one("#screen-record", Static)
        if it is None:
            box.update("Nothing to screen here." if not self.conflict_mode else "No conflicts.")
            self.query_one(StatusLine).note = ""  # no record: not the last one's number
            return
        if self.seen is None or self.seen[:2] != (self.stage, it["key"]):  # come to a record
            self.seen = (self.stage, it["key"], screening.resolution_of(it))  # as it is now
        words = screening.described(it, self.coder)
        mine = words["mine"] or "not decided"
        others = _esc(words["others"] or "")
        final = words["final"]
        authors = it.get("authors") or []
        who = "; ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
        venue = it.get("venue") or ""
        keywords = it["keywords"]
        shown_kw = "; ".join(keywords[:12]) + (
            f" … (+{len(keywords) - 12})" if len(keywords) > 12 else ""
        )
        lines = [
            f"[b]{_esc(it['title'] or '(no title)')}[/b]",
            _esc(
                " · ".join(
                    x for x in (who or "(no authors)", venue, str(it["year"] or "n.d.")) if x
                )
            ),
            f"[dim]{_esc(it['key'])} · status {it['status']}[/]",
            f"your decision: [b]{_esc(mine)}[/b]" + (f" · others: {others}" if others else ""),
            *([f"final: [b]{_esc(final)}[/b]"] if final else []),
            "",
            _esc(it["abstract"] or "(no abstract)"),
            "",
            "[dim]keywords: " + _esc(shown_kw or "—") + "[/]",
        ]
        box.update("\n".join(lines))
        # the keys are in the footer; the status line says where we are, uncut at 80 columns
        self.query_one(StatusLine).note = f"record {self.page_start + self.pos + 1:,}"

    # --- actions ----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        new = self.pos + step
        if new >= len(self.items) and len(self.items) == PAGE:
            self.page_start += PAGE
            self.pos, self.items = 0, []  # (another page: no record on view to keep)
            self.reload()
            if not self.items:  # exactly a page's worth: the last record stays in view
                self.page_start -= PAGE
                self.pos = PAGE - 1
                self.reload()
            return
        if new < 0 and self.page_start > 0:
            self.page_start = max(0, self.page_start - PAGE)
            self.pos, self.items = PAGE - 1, []
            self.reload()
            return
        self.pos = max(0, min(new, len(self.items) - 1))
        self._show()

    def action_decide(self, decision: str, reason: str | None = None) -> None:
        """Record the decision (in the conflicts: resolve), made from the record as the
        reviewer came to it (`seen`): a resolution someone else made since, even one a refresh
        has shown, is refused with who made it, and the same key again replaces it."""
        it = self.current()
        if it is None:
            return
        key = it["key"]
        seen = (
            self.seen[2]
            if self.seen and self.seen[:2] == (self.stage, key)
            else screening.resolution_of(it)
        )
        try:
            with self.app.session() as s:
                screening.decide(
                    s,
                    self.coder,
                    key,
                    decision,
                    self.stage,
                    reason,
                    final=self.conflict_mode,
                    seen_final=seen,
                )
        except screening.AlreadyResolved as exc:
            self.reload(hold=True)  # the record as it is now, kept in view to decide again
            self.seen = (self.stage, key, exc.final)  # seen now: the next press replaces it
            self.notify(
                f"{exc} — press {KEYS[decision]} again to change it",
                severity="warning",
                timeout=8,
            )
            return
        except Exception as exc:
            self.notify_error(exc)
            return
        self.reload()
        if not self.conflict_mode:
            self._after_decision()

    def _after_decision(self) -> None:
        """On to the next record, as `n` (deciding the 100th stayed on it: the next page was
        not opened); after the last one, back to the first still without your decision."""
        where = (self.page_start, self.pos)
        self.action_move(1)
        if (self.page_start, self.pos) != where:
            return
        todo = next((n for n, it in enumerate(self.items) if not it["mine"]), None)
        left = self.counts["records"] - self.counts["mine"]
        if todo is not None:
            self.pos = todo
            self._show()
            self.notify(
                f"That was the last record; {left:,} still without your decision: "
                f"back to the first, {self.items[todo]['key']}."
            )
        elif left:
            self.notify(f"That was the last record; {left:,} earlier ones await your decision.")
        else:
            self.notify(f"That was the last record: all {self.counts['records']:,} decided.")

    def action_exclude(self) -> None:
        if self.current() is None:
            return
        with self.app.session() as s:
            names = [r.name for r in screening.reasons(s, self.stage)]

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self.action_decide("exclude", reason)

        self.app.push_screen(ReasonPicker(names), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "not_retrieved":
            return self.stage == "full-text"  # a title/abstract outcome it is not
        return True

    def action_not_retrieved(self) -> None:
        """The full text could not be obtained: PRISMA's "reports not retrieved"."""
        if self.stage != "full-text":
            self.notify("Not retrieved is a full-text outcome: press t for the full-text stage.")
            return
        self.action_decide(screening.NOT_RETRIEVED)

    def action_undo(self) -> None:
        """ctrl+z: take back this coder's last decision at this stage (and its status)."""
        self._history("undo")

    def action_redo(self) -> None:
        """ctrl+y: the decision undone last at this stage, again."""
        self._history("redo")

    def _history(self, which: str) -> None:
        from review.coding import history

        ok, result = self.in_session(
            lambda s: history.screen_step(s, self.coder, which, stage=self.stage)
        )
        if not ok or result is None:
            return
        key, what = result.key, result.what
        if what is None:
            self.notify(f"Nothing to {which} at {self.stage} (decisions by {self.coder}).")
            return
        self.reload()
        at = next((n for n, it in enumerate(self.items) if it["key"] == key), None)
        if at is not None:  # show the record whose decision changed
            self.pos = at
            self.seen = None  # as this step left it: the reviewer's own doing
            self._show()
        self.app.data_changed()
        self.notify(f"{which.capitalize()}: {what}")

    def action_toggle_stage(self) -> None:
        self.stage = "full-text" if self.stage == "title-abstract" else "title-abstract"
        self.page_start, self.items = 0, []
        self.refresh_bindings()
        self.reload(first_todo=True)

    def action_toggle_conflicts(self) -> None:
        self.conflict_mode = not self.conflict_mode
        self.page_start = self.pos = 0
        self.items = []  # another list: it starts at its top
        self.reload()


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


SCREEN = ScreeningScreen
