"""Memos: every memo with what it is about (the project, a source, a code, a coding), newest
first by when it was last written, whatever it is on (`review.coding.memos.memos`: a coding's
memo by its coding's time, the only one it has); the highlighted memo's whole text beside the
list, with that time. Through `review.coding.memos`; with blind coding on, the coding memos are
only those on the viewer's own codings."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import DataTable, Input, Static

from review.tui.plain import fitted
from review.tui.screens.base import WorkbenchScreen, row_at_cursor, share_width
from review.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from review.coding.memos import MemoView

NAME = "memos"
KEY = "f11"
TITLE = "Memos"
ORDER = 110
HELP = "Every memo with its target: write, edit, delete; open a coding's passage."


class MemosScreen(WorkbenchScreen):
    BINDINGS = [
        Binding("a", "add", "Project memo"),
        Binding("e,enter", "edit", "Edit"),
        Binding("delete", "delete", "Delete"),
        Binding("o", "open", "Open"),
        Binding("slash", "filter", "Filter", key_display="/"),
    ]
    DEFAULT_CSS = """
    #memos-filter { display: none; }
    #memos-filter.-shown { display: block; }
    #memos-main { height: 1fr; }
    #memos-table { width: 3fr; }
    #memos-side { width: 2fr; border-left: vkey $primary 30%; padding: 0 1; }
    MemosScreen.-narrow #memos-main { layout: vertical; }
    MemosScreen.-narrow #memos-table { width: 1fr; height: 1fr; }
    MemosScreen.-narrow #memos-side { width: 1fr; height: 8; border-left: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MemoView] = []

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="memos holding… (text, author, source, code; esc clears)",
                    id="memos-filter")  # fmt: skip
        with Horizontal(id="memos-main"):
            yield DataTable(id="memos-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="memos-side"):
                yield Static("", id="memo-full")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("On", width=8, key="kind")
        table.add_column("About", width=30, key="about")
        table.add_column("By", width=8, key="coder")
        table.add_column("Memo", key="text")
        table.focus()
        self.set_class(self.size.width < 100, "-narrow")
        self.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self.call_after_refresh(_fit, self.query_one(DataTable))  # once it has its new size

    def on_screen_resume(self) -> None:
        """Back from the Reader (`o`) or a dialog: the memos afresh, the cursor on the memo it
        was on (not the first row, where `e` or `delete` would act on another memo)."""
        r = row_at_cursor(self.query_one(DataTable), self.rows)
        self.reload(keep=(r.target, r.ref) if r else None)

    def database_changed(self) -> None:
        r = row_at_cursor(self.query_one(DataTable), self.rows)
        self.reload(keep=(r.target, r.ref) if r else None)

    def reload(self, keep: tuple[str, int | None] | None = None) -> None:
        """Re-read the memos; `keep` (target, ref) puts the cursor back on that memo."""
        from review.coding.codings import blind_coder, blind_note
        from review.coding.memos import memos

        me = self.app.ws.coder  # blind coding: the memos on others' codings are not listed
        search = self.query_one("#memos-filter", Input).value.strip() or None
        ok, got = self.in_session(
            lambda s: (
                memos(s, newest_first=True, limit=2000, viewer=me, search=search),
                blind_coder(s, me),
            )
        )
        if not ok or got is None:  # (None only with not ok: the error is shown)
            return
        rows, mine = got
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            first = " ".join(r.text.split())
            table.add_row(r.target, fitted(r.about), fitted(r.coder or ""), fitted(first))
        _fit(table)
        self.call_after_refresh(_fit, table)  # (on the first load the layout is still to come)
        if keep is not None:
            at = next((i for i, r in enumerate(rows) if (r.target, r.ref) == keep), 0)
            table.move_cursor(row=at)
        note = f"{len(rows)} memo(s)" + (f" holding {search!r}" if search else "")
        note += " · newest first"  # (one order, whatever a memo is on: say which)
        if mine is not None:
            note += f" · {blind_note(mine, 'coding memos')}"
        self.query_one(StatusLine).note = note
        self._show()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show()

    def _show(self) -> None:
        r = row_at_cursor(self.query_one(DataTable), self.rows)
        text = "No memos yet: a writes one on the project; M in the Reader on a coding."
        if self.query_one("#memos-filter", Input).value.strip():
            text = "No memo holds that: esc in the filter shows them all again."
        if r is not None:
            when = f" · {_when(r)}" if r.updated else ""
            text = f"[b]{escape(r.about or '')}[/b]"
            if r.quote:
                text += f"\n“{escape(r.quote)}”"
            text += f"\n[dim]{r.target} · {escape(r.coder or '')}{when}[/]"
            text += f"\n\n{escape(r.text)}"
        self.query_one("#memo-full", Static).update(text)

    def action_filter(self) -> None:
        box = self.query_one("#memos-filter", Input)
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "memos-filter":
            event.stop()
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "memos-filter":  # enter: to the list, the filter stays
            event.stop()
            self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        box = self.query_one("#memos-filter", Input)
        if event.key == "escape" and box.has_focus:  # esc: every memo again
            event.stop()
            box.value = ""
            box.remove_class("-shown")
            self.query_one(DataTable).focus()

    def action_add(self) -> None:
        from review.tui.widgets.memo_editor import MemoEditor

        def save(text: str | None) -> None:
            from review.coding.codings import add_memo

            if not text or not text.strip():
                return
            coder = self.app.ws.coder
            ok, memo = self.in_session(
                lambda s: add_memo(s, target="project", target_id=None, text=text, coder=coder)
            )
            if ok and memo is not None:  # (not None when ok)
                self.reload(keep=("project", memo.id))

        self.app.push_screen(MemoEditor("New memo on the project"), save)

    def action_edit(self) -> None:
        from review.tui.widgets.memo_editor import MemoEditor

        r = row_at_cursor(self.query_one(DataTable), self.rows)
        if r is None:
            return

        def save(text: str | None) -> None:
            from review.coding.memos import edit_memo

            if text is None or text == r.text:
                return
            if not text.strip():  # emptied: deleted after a yes (as in the Reader), not refused
                self._delete(r, emptied=True)
                return
            ok, _ = self.in_session(lambda s: edit_memo(s, r.target, _ref(r), text))
            if ok:
                self.reload(keep=(r.target, r.ref))

        self.app.push_screen(MemoEditor(f"Memo on {r.target}", r.text, escape(r.about or "")), save)

    def action_delete(self) -> None:
        r = row_at_cursor(self.query_one(DataTable), self.rows)
        if r is not None:
            self._delete(r)

    def _delete(self, r: MemoView, emptied: bool = False) -> None:
        """Delete `r` once the reviewer says yes; `emptied`: its text was saved empty, which
        asks the same (it was refused with "delete it instead"); no keeps it, and says so."""
        from review.tui.widgets.confirm import Confirm

        about = (r.about or "")[:50]

        def answered(yes: bool | None) -> None:
            from review.coding.memos import delete_memo

            if yes:
                ok, _ = self.in_session(lambda s: delete_memo(s, r.target, _ref(r)))
                if ok:
                    self.reload()
                    self.notify(f"memo deleted from {about}")
            elif emptied:
                self.notify(f"The memo on {about} is kept as it was.")

        first = " ".join(r.text.split())[:70]
        question = f"{'Saved empty: delete' if emptied else 'Delete'} this memo on {about}?"
        self.app.push_screen(Confirm(escape(question), escape(first)), answered)

    def action_open(self) -> None:
        """o: a coding memo opens its passage in the Reader, a source memo its source."""
        r = row_at_cursor(self.query_one(DataTable), self.rows)
        if r is None:
            return
        if r.target == "source":  # a source's memo always has its source's id
            self.app.open_source(cast(int, r.target_id))
        elif r.target == "coding":
            from review.coding.codings import get_codings

            ok, found = self.in_session(lambda s: [(c.source_id, c.start, c.end)
                                                   for c in get_codings(s, [_ref(r)])])  # fmt: skip
            if ok and found:
                self.app.open_source(*found[0])
        else:
            self.notify("A project or code memo has no passage to open.")


def _fit(table: DataTable) -> None:
    """About and Memo share the room the other columns leave, their text cut with "…" inside
    the table (the Memo column ran off its edge, cut mid-word with no sign of it, and About
    kept 30 cells however narrow the table)."""
    share_width(table, {"about": 1, "text": 1}, minimum=8)


def _when(memo: MemoView) -> str:
    """The time the list is ordered by, and what it is: a memo row's writing or last edit; a
    coding memo's is its coding's (the coding keeps no time for its memo), so it says "coded"
    rather than pass for when the memo was written."""
    from review.coding.memos import written

    at = written(memo)
    stamp = f"{at:%Y-%m-%d %H:%M}" if at else "?"
    if memo.target == "coding":
        return f"coded {stamp}"
    return f"{'edited' if (memo.version or 1) > 1 else 'written'} {stamp}"


def _ref(memo: MemoView) -> int:
    """The id `edit_memo` and `delete_memo` take: a listed memo has one (its row's, or its
    coding's); MemoView types it `int | None` for a view not stored yet."""
    return cast(int, memo.ref)


SCREEN = MemosScreen
