"""Excerpts: every coded excerpt of a code (and its children), with source and speaker;
enter jumps to the passage in the reader. Paged through `review.coding.retrieval.excerpts`.
`s` narrows the list to one speaker, picked from the speakers of what is listed
(`excerpt_speakers`), as `review excerpts --speaker` does; the title line says so while it
holds, and `S` (or "every speaker" in the picker) lifts it.

The table shows each quote cut to one line; the strip below it shows the highlighted one
whole, with where it is and its memo, so a coder reads an excerpt without leaving the list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option

from review import safetext
from review.ingest.citation import trim_words
from review.tui.plain import cells, fitted
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from review.coding.retrieval import Excerpt
    from review.tui.widgets.code_picker import EditCode, NewCode

NAME = "excerpts"
KEY = "f6"
TITLE = "Excerpts"
ORDER = 50
HELP = "All excerpts of a code and its children, or of one speaker (s); jump to the passage."

CODER = 8  # the coder column's width
PAGE = 200
PROMPT = "Pick a code with c (or press e on the Codebook screen), or a speaker with s."
EVERY = ""  # the speaker picker's answer for "every speaker" (None: cancelled)


class SpeakerPicker(ModalScreen[str | None]):
    """The speakers of the excerpts listed, each with how many excerpts they speak in, after
    "every speaker" (which lifts the filter); the current one highlighted. Enter picks a
    speaker as stored (or EVERY), escape cancels (None)."""

    DEFAULT_CSS = """
    SpeakerPicker { align: center middle; }
    #speaker-box {
        width: 60%; max-width: 70; height: auto; max-height: 80%; border: round $primary;
        background: $surface;
    }
    #speaker-options { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, speakers: list[tuple[str, int]], current: str | None) -> None:
        super().__init__()
        self.speakers = speakers
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="speaker-box"):
            yield Label("Whose excerpts? (Enter chooses, Esc cancels)")
            yield OptionList(id="speaker-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.add_option(Option(Text("every speaker", style="italic"), id="every"))
        width = max(len(name) for name, _ in self.speakers)
        for i, (name, n) in enumerate(self.speakers):
            line = Text(safetext.terminal(name).ljust(width), style="bold")
            line.append(f"  {n} excerpt{'s' if n != 1 else ''}", style="dim")
            options.add_option(Option(line, id=str(i)))
        names = [name for name, _ in self.speakers]
        options.highlighted = names.index(self.current) + 1 if self.current in names else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self.dismiss(EVERY if option_id in (None, "every") else self.speakers[int(option_id)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExcerptsScreen(WorkbenchScreen):
    DEFAULT_CSS = """
    #excerpts-table { height: 1fr; }
    #excerpts-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [
        Binding("c", "pick_code", "Code…"),
        Binding("s", "pick_speaker", "Speaker…"),
        Binding("S", "every_speaker", "Every speaker"),
        Binding("enter", "open", "Go to passage"),
        Binding("right_square_bracket", "page(1)", "More", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "Back", key_display="["),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.code_id: int | None = None
        self.speaker: str | None = None  # only this speaker's excerpts (a label as stored)
        self.page_offset = 0
        self.rows: list[Excerpt] = []

    def compose_body(self) -> ComposeResult:
        yield Static(PROMPT, id="excerpts-title")
        yield DataTable(id="excerpts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="excerpts-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Source", width=14, key="source")
        table.add_column("Speaker", width=10, key="speaker")
        table.add_column("Code", width=14, key="code")
        table.add_column("Coder", width=CODER, key="coder")
        table.add_column("Excerpt", key="quote")
        table.focus()

    def on_screen_resume(self) -> None:
        wanted = self.app.current_code_id
        keep = None  # back from the Reader: the cursor stays on the excerpt it was on
        if wanted is not None and wanted != self.code_id:
            self.code_id = wanted
            self.page_offset = 0
        elif self.rows:
            table = self.query_one(DataTable)
            keep = self.rows[max(0, min(table.cursor_row, len(self.rows) - 1))].coding_id
        if self.code_id is not None or self.speaker is not None:
            self.load(keep)

    def load(self, keep: int | None = None) -> None:
        """The page of excerpts; `keep` (a coding id) puts the cursor back on that excerpt."""
        from review.coding.codebook import code_path
        from review.coding.codings import blind_coder, blind_note, excerpt_groups
        from review.coding.retrieval import excerpts

        code_id, speaker = self.code_id, self.speaker
        if code_id is None and speaker is None:  # (not called before either is chosen)
            return
        try:
            with self.app.session() as s:
                # blind coding: only the reader's own excerpts, as in the Reader they open in
                mine = blind_coder(s, self.app.ws.coder)
                self.rows = excerpts(
                    s,
                    code_id,
                    True,
                    coder=mine,
                    speakers=[speaker] if speaker is not None else (),
                    limit=PAGE,
                    offset=self.page_offset,
                )
                path = code_path(s, code_id) if code_id is not None else "every code"
        except Exception as exc:
            self.notify_error(exc)
            return
        self._fill(keep)
        first = self.page_offset + 1 if self.rows else 0
        self.query_one("#excerpts-title", Static).update(
            Text(
                safetext.terminal(
                    f"{path}: excerpts {first}–{self.page_offset + len(self.rows)}"
                    + (f" · speaker {speaker} (S: every speaker)" if speaker is not None else "")
                    + (" (more: ])" if len(self.rows) == PAGE else "")
                    + (f" · {blind_note(mine, 'excerpts')}" if mine is not None else "")
                )
            )
        )
        spans = len(excerpt_groups(self.rows, lambda x: (x.source_id, x.code_id, x.start, x.end)))
        # two coders' codings of one span are one excerpt (`excerpt_groups`), a row each here
        n = len(self.rows)
        self.query_one(StatusLine).note = (
            f"{n} codings of {spans} excerpt(s) shown" if spans < n else f"{n} excerpt(s) shown"
        )

    def on_resize(self) -> None:
        if self.rows:  # the excerpts cut again for the new width, the cursor where it was
            table = self.query_one(DataTable)
            self._fill(self.rows[max(0, min(table.cursor_row, len(self.rows) - 1))].coding_id)

    def _fill(self, keep: int | None) -> None:
        """The rows shown: who coded each (two coders' excerpts of one sentence read alike
        without it), the quote cut at a word to the room the other columns leave."""
        table = self.query_one(DataTable)
        table.clear()
        width = max(20, self.size.width - 14 - 10 - 14 - CODER - 12)  # 2 cells padding a column
        quote_column = table.columns[ColumnKey("quote")]
        quote_column.width = width
        quote_column.auto_width = False
        for x in self.rows:
            table.add_row(
                fitted(x.source_key),
                fitted(x.speaker or ""),
                fitted(x.code_path.split("/")[-1]),
                fitted(x.coder or ""),
                *cells(trim_words(x.quote, width)),
            )
        at = next((i for i, x in enumerate(self.rows) if x.coding_id == keep), None)
        if at is not None:
            table.move_cursor(row=at)
        self._detail(table.cursor_row if self.rows else None)

    def _detail(self, row: int | None) -> None:
        """The highlighted excerpt whole: source, speaker, coder, offsets, memo, quote."""
        strip = self.query_one("#excerpts-detail", Static)
        if row is None or not 0 <= row < len(self.rows):
            strip.update("")
            return
        x = self.rows[row]
        where = " · ".join(
            p for p in (x.source_key, x.speaker, x.code_path, x.coder, f"{x.start}–{x.end}") if p
        )
        text = Text(safetext.terminal(where), style="dim")
        text.append("\n“" + safetext.terminal(" ".join(x.quote.split())) + "”", style="italic")
        if x.memo:
            text.append("\nmemo: " + safetext.terminal(" ".join(x.memo.split())))
        strip.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def action_page(self, step: int) -> None:
        new = self.page_offset + step * PAGE
        if new >= 0 and (step < 0 or len(self.rows) == PAGE):
            self.page_offset = new
            self.load()

    def action_pick_code(self) -> None:
        from review.tui.codes import code_choices
        from review.tui.widgets.code_picker import CodePicker

        with self.app.session() as s:
            choices = code_choices(s, codable_only=False)

        def chosen(code_id: int | NewCode | EditCode | None) -> None:
            if isinstance(code_id, int):  # (a code's id or None: this picker cannot create)
                self.code_id = self.app.current_code_id = code_id
                self.page_offset = 0
                self.load()

        self.app.push_screen(CodePicker(choices, "Excerpts of…"), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "every_speaker":  # in the footer, and acting, only while a speaker is set
            return self.speaker is not None
        return True

    def action_pick_speaker(self) -> None:
        """The speakers of what is listed (the code in view, else every code), to narrow the
        list to one of them."""
        from review.coding.codings import blind_coder
        from review.coding.retrieval import excerpt_speakers

        def speakers(s) -> list[tuple[str, int]]:
            mine = blind_coder(s, self.app.ws.coder)
            return excerpt_speakers(s, self.code_id, True, coder=mine)

        ok, found = self.in_session(speakers)
        if not ok:
            return
        if not found:
            where = "this code's excerpts" if self.code_id is not None else "the excerpts"
            self.notify(f"No speaker to pick: none of {where} lies in a speaker's turn.")
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                self._set_speaker(name or None)

        self.app.push_screen(SpeakerPicker(found, self.speaker), chosen)

    def action_every_speaker(self) -> None:
        self._set_speaker(None)

    def _set_speaker(self, name: str | None) -> None:
        """Narrow to `name`'s excerpts (None: everyone's) from the first page."""
        if name == self.speaker:
            return
        self.speaker = name
        self.page_offset = 0
        self.refresh_bindings()
        if self.code_id is None and name is None:  # back to nothing chosen
            self.rows = []
            self._fill(None)
            self.query_one("#excerpts-title", Static).update(PROMPT)
            self.query_one(StatusLine).note = ""
            return
        self.load()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows:
            x = self.rows[max(0, min(table.cursor_row, len(self.rows) - 1))]
            self.app.open_source(x.source_id, x.start, x.end)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


SCREEN = ExcerptsScreen
