"""Indicators: the survey figures on top, the evidence linked to the highlighted one below.

`l` links a code (picked from the codebook), `e` links one excerpt (pick a code, then one of its
excerpts), `r` cycles the highlighted link's relation, `d` removes it. Every action is the same
service call as `review indicators link|unlink|list`.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from review import safetext
from review.coding.codings import blind_hidden
from review.evidence import links as service
from review.ingest.citation import trim_words
from review.tui.plain import cells as plain_cells
from review.tui.plain import fitted
from review.tui.screens.base import WorkbenchScreen, row_at_cursor, share_width
from review.tui.widgets.status_line import StatusLine

NAME = "indicators"
KEY = "f9"
TITLE = "Indicators"
ORDER = 90
HELP = (
    "Survey indicators and their evidence: l link a code, e link an excerpt, r relation, d unlink."
)
MAX_ROWS = 1000
EXCERPTS = 200
# (name, width): the text columns' widths are their shares of the room the figures leave
# (`share_width`), so at 80 columns the value, n and links stay in view
COLUMNS = (("Id", 4), ("Indicator", 34), ("Sector", 18), ("Area", 18), ("Year", 4),
           ("Value", 7), ("n", 6), ("Source", 18), ("Links", 5))  # fmt: skip
SHARES = {"Indicator": 4, "Sector": 3, "Area": 2, "Source": 2}
LINK_COLUMNS = (("Link", 5), ("Relation", 12), ("Code", 34), ("Excerpt", 60))


class ExcerptPicker(ModalScreen[int | None]):
    """The excerpts of one code (first 200), one line each — code, coder and the quote cut at
    a word (`excerpt_line`) — with the highlighted one's source, speaker and whole quote
    below; Enter picks a coding id, Escape cancels. `note` says whose they are when not
    everyone's (blind coding)."""

    DEFAULT_CSS = """
    ExcerptPicker { align: center middle; }
    #excerpt-box { width: 90%; height: 80%; border: round $primary; background: $surface; }
    #excerpt-options { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    #excerpt-detail { height: auto; max-height: 4; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, rows: list[dict], total: int | None = None, note: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.note = note
        self.total = len(rows) if total is None else total
        self._width = 0  # the list's width the lines were cut for

    def compose(self) -> ComposeResult:
        n = len(self.rows)
        shown = f"first {n:,} of {self.total:,}" if self.total > n else f"{n:,}"
        with Vertical(id="excerpt-box"):
            yield Label(f"Link which excerpt? ({shown}; Enter to choose, Esc to cancel)")
            if self.note:
                yield Label(self.note, id="excerpt-note")
            yield OptionList(id="excerpt-options")
            yield Static("", id="excerpt-detail")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)  # cut again for the list's new width

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        width = options.scrollable_content_region.width
        if width <= 0 or width == self._width and options.option_count:
            return  # (not laid out yet: on_resize comes; or cut for this width already)
        self._width = width
        at = options.highlighted or 0
        code_w = min(24, max(len(_leaf(r["code"])) for r in self.rows))
        coder_w = min(16, max(len(r["coder"] or "") for r in self.rows))
        options.clear_options()
        options.add_options(
            Option(excerpt_line(r, code_w, coder_w, width - 2), id=str(r["coding_id"]))
            for r in self.rows
        )
        options.highlighted = min(at, len(self.rows) - 1)

    @on(OptionList.OptionHighlighted)
    def _detail(self, event: OptionList.OptionHighlighted) -> None:
        r = self.rows[event.option_index]
        quote = " ".join((r["quote"] or "").split())
        detail = Text(safetext.terminal(f"{r['citation']} · {r['start']}–{r['end']}: "))
        detail.append(f"“{safetext.terminal(quote)}”", style="italic")
        self.query_one("#excerpt-detail", Static).update(detail)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id  # (every option has its coding's id)
        if option_id is not None:
            self.dismiss(int(option_id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def excerpt_line(row: dict, code_w: int, coder_w: int, width: int) -> Text:
    """One excerpt on one line of `width` cells: its code (the name, cut to `code_w`), its
    coder (cut to `coder_w`) and as much of its quote as fits, cut at a word."""
    code, coder = _leaf(row["code"]), row["coder"] or ""
    code = code if len(code) <= code_w else code[: code_w - 1] + "…"
    coder = coder if len(coder) <= coder_w else coder[: coder_w - 1] + "…"
    room = width - code_w - coder_w - 6  # two gaps of two cells and the quote marks
    quote = trim_words(safetext.terminal(row["quote"] or ""), max(room, 8))
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(code.ljust(code_w), style="bold")
    line.append("  ")
    line.append(coder.ljust(coder_w), style="dim")
    line.append(f"  “{quote}”")
    return line


def _span(row: dict) -> tuple:
    """The excerpt an `excerpt_rows` row is of (`excerpt_groups`)."""
    return (row["source"], row["code"], row["start"], row["end"])


def _leaf(path: str) -> str:
    """A code's own name: the picker lists one code and its children."""
    return path.rsplit("/", 1)[-1]


class IndicatorsScreen(WorkbenchScreen):
    DEFAULT_CSS = """
    #ind-summary { height: 1; padding: 0 1; }
    #ind-list { height: 55%; }
    #ind-detail { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    #ind-links { height: 1fr; border-top: hkey $primary 30%; }
    """
    BINDINGS = [
        Binding("l", "link_code", "Link code"),
        Binding("e", "link_excerpt", "Link excerpt"),
        Binding("r", "relation", "Relation"),
        Binding("d", "unlink", "Unlink"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.links: list[dict] = []
        self._links_of: int | None = None  # the indicator whose links are shown

    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="ind-summary")
            yield DataTable(id="ind-list", cursor_type="row", zebra_stripes=True)
            # the highlighted indicator whole: at 80 columns the table cuts every name
            yield Static("", id="ind-detail")
            yield DataTable(id="ind-links", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#ind-list", DataTable)
        for name, width in COLUMNS:
            table.add_column(name, width=width, key=name)
        links = self.query_one("#ind-links", DataTable)
        for name, width in LINK_COLUMNS:
            links.add_column(name, width=width, key=name)
        table.focus()
        self.reload()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)  # once the tables have their new size

    def _fit(self) -> None:
        share_width(self.query_one("#ind-list", DataTable), SHARES)
        share_width(self.query_one("#ind-links", DataTable), {"Code": 1, "Excerpt": 2})

    def on_screen_resume(self) -> None:
        current = self.selected()  # keep the cursor on the same indicator after a dialog
        self.reload(keep=current["id"] if current else None)

    def reload(self, keep: int | None = None) -> None:
        ok, rows = self.in_session(service.list_indicators)
        if not ok or rows is None:  # (None only with not ok: the error is shown)
            return
        total = len(rows)
        self.rows = rows[:MAX_ROWS]
        table = self.query_one("#ind-list", DataTable)
        table.clear()
        for r in self.rows:
            value = r["value_text"] or ("" if r["value"] is None else f"{r['value']:g}")
            cells = (r["id"], fitted(r["name"]), fitted(r["sector"] or ""),
                     fitted(r["area"] or ""), r["year"] or "", value, r["n"] or "",
                     fitted(r["source"] or ""), r["links"])  # fmt: skip
            table.add_row(*plain_cells(*cells), key=str(r["id"]))
        if keep is not None:
            index = next((i for i, r in enumerate(self.rows) if r["id"] == keep), 0)
            table.move_cursor(row=index)
        more = f" (showing {MAX_ROWS:,})" if total > MAX_ROWS else ""
        self.query_one("#ind-summary", Label).update(f"{total:,} indicator(s){more}")
        self._show_links()

    def selected(self) -> dict | None:
        return row_at_cursor(self.query_one("#ind-list", DataTable), self.rows)

    @on(DataTable.RowHighlighted, "#ind-list")
    def _highlighted(self) -> None:
        self._show_links()

    def _show_links(self) -> None:
        """The highlighted indicator's links; shown again for the same indicator (after `r`,
        a link made, a refresh), the highlight stays on the link it was on, so the next `r`
        or `d` acts on the link the reviewer chose, not on the first row."""
        table = self.query_one("#ind-links", DataTable)
        ind = self.selected()
        self.query_one("#ind-detail", Static).update(
            Text(safetext.terminal(service.indicator_line(ind))) if ind is not None else ""
        )
        was = self._selected_link() if ind is not None and ind["id"] == self._links_of else None
        table.clear()
        self.links = []
        self._links_of = ind["id"] if ind is not None else None
        if ind is None:
            self._say_hidden(0)
            return
        with self.app.session() as s:  # blind coding: others' excerpts listed, their text not
            self.links = service.list_links(s, ind["id"], viewer=self.app.ws.coder)
        for ln in self.links:
            quote = (ln["quote"] or "").replace("\n", " ")
            if ln["hidden"]:
                quote = f"({blind_hidden()})"
            table.add_row(
                *plain_cells(
                    ln["id"], ln["relation"], fitted(ln["code"] or ""), fitted(quote[:200])
                ),
                key=str(ln["id"]),
            )
        at = next((i for i, ln in enumerate(self.links) if was and ln["id"] == was["id"]), None)
        if at is not None:
            table.move_cursor(row=at)
        self._say_hidden(sum(ln["hidden"] for ln in self.links))

    def _say_hidden(self, n: int) -> None:
        """The status line counts the highlighted indicator's links whose excerpt blind coding
        hides (another coder's), so a row without a quote is not read as a broken link."""
        self.query_one(StatusLine).note = blind_hidden(n) if n else ""

    def _link(self, said: str | None = None, **what) -> None:
        ind = self.selected()
        if ind is None:
            return
        ok, _ = self.in_session(
            lambda s: service.link(s, ind["id"], coder=self.app.ws.coder, **what)
        )
        if not ok:
            return
        self.notify(said or f"linked to indicator {ind['id']}")
        self.reload(keep=ind["id"])

    def _link_in_focus(self, key: str, does: str) -> dict | None:
        """The highlighted link, when the links table has the focus: `r` and `d` act on the
        link the reader can see is chosen (with the indicators in focus the links table shows
        no cursor, and `r` changed its first link, saying only "linked to indicator 1")."""
        ln = self._selected_link()
        if ln is None or self.selected() is None:
            self.notify("this indicator has no links yet: l links a code, e an excerpt")
            return None
        if not self.query_one("#ind-links", DataTable).has_focus:
            self.notify(f"tab to the links below, then {key} {does} the highlighted one")
            return None
        return ln

    def _pick_code(self, then) -> None:
        from review.coding.codebook import code_paths
        from review.tui.widgets.code_picker import CodeChoice, CodePicker

        with self.app.session() as s:
            paths = code_paths(s)
        choices = [CodeChoice(cid, p) for cid, p in sorted(paths.items(), key=lambda kv: kv[1])]
        current = self.app.current_code_id
        choices.sort(key=lambda c: c.id != current)  # the code in focus elsewhere comes first
        self.app.push_screen(CodePicker(choices, "Link which code?"), then)

    def action_link_code(self) -> None:
        if self.selected() is None:
            return

        def code_chosen(cid: int | None) -> None:
            if cid is not None:
                self._link(code=cid)

        self._pick_code(code_chosen)

    def action_link_excerpt(self) -> None:
        if self.selected() is None:
            return

        def code_chosen(cid: int | None) -> None:
            if cid is None:
                return
            from review.coding.codings import blind_coder, blind_note, excerpt_groups
            from review.outputs.excerpts import excerpt_rows

            me = self.app.ws.coder
            with self.app.session() as s:  # blind coding: only the linker's own excerpts
                codings = excerpt_rows(s, code=str(cid), viewer=me)
                mine = blind_coder(s, me)
            # one line per excerpt (coded span): two coders' codings of it are one choice,
            # their names side by side; the link goes to the first coding of it
            every = [
                {**g[0], "coder": ", ".join(r["coder"] for r in g if r["coder"])}
                for g in excerpt_groups(codings, _span)
            ]
            rows = every[:EXCERPTS]
            note = blind_note(mine, "excerpts") if mine is not None else None
            if not rows:
                said = "that code has no excerpts yet"
                if mine is not None:  # others' may exist: the coder cannot see them
                    said = "no excerpts of yours in that code yet (blind coding hides others')"
                self.notify(said, severity="warning")
                return

            def excerpt_chosen(coding_id: int | None) -> None:
                if coding_id is not None:
                    self._link(coding_id=coding_id)

            self.app.push_screen(ExcerptPicker(rows, len(every), note), excerpt_chosen)

        self._pick_code(code_chosen)

    @on(DataTable.RowHighlighted, "#ind-links")
    def _link_highlighted(self) -> None:
        """The highlighted link whole under the indicators (its code path and quote are cut
        in the table); back on the indicators, the indicator's line again."""
        ln = self._selected_link()
        if ln is None or not self.query_one("#ind-links", DataTable).has_focus:
            return
        quote = (ln["quote"] or "").replace("\n", " ")
        if ln["hidden"]:
            quote = f"({blind_hidden()})"
        line = f"link {ln['id']}: {ln['relation']} · {ln['code'] or ''}"
        line += f" · “{trim_words(quote, 140)}”" if quote else ""  # two lines at 80 columns
        self.query_one("#ind-detail", Static).update(Text(safetext.terminal(line)))

    def on_descendant_focus(self, event) -> None:
        if getattr(event.widget, "id", None) == "ind-links":
            self._link_highlighted()
        elif getattr(event.widget, "id", None) == "ind-list":
            ind = self.selected()
            self.query_one("#ind-detail", Static).update(
                Text(safetext.terminal(service.indicator_line(ind))) if ind is not None else ""
            )

    def _selected_link(self) -> dict | None:
        return row_at_cursor(self.query_one("#ind-links", DataTable), self.links)

    def action_relation(self) -> None:
        ln = self._link_in_focus("r", "changes the relation of")
        if ln is None:
            return
        rels = service.RELATIONS
        nxt = rels[(rels.index(ln["relation"]) + 1) % len(rels)]
        what = {"coding_id": ln["coding_id"]} if ln["coding_id"] else {"code": ln["code"]}
        said = f"link {ln['id']}: {ln['relation']} → {nxt}"
        self._link(said, relation=nxt, note=ln["note"], **what)

    def action_unlink(self) -> None:
        """d: remove the highlighted link, after a yes (a link removal is not undoable)."""
        from review.tui.widgets.confirm import Confirm

        ln, ind = self._link_in_focus("d", "removes"), self.selected()
        if ln is None or ind is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify("link kept")
                return
            ok, _ = self.in_session(lambda s: service.unlink(s, ln["id"]))
            if not ok:
                return
            self.notify(f"removed link {ln['id']}")
            self.reload(keep=ind["id"])

        what = ln.get("code") or f"excerpt {ln.get('coding_id')}"
        question = f"Remove the link from {what} to indicator {ind['id']} ({ln['relation']})?"
        self.app.push_screen(Confirm(question, ind.get("name") or ""), answered)


SCREEN = IndicatorsScreen
