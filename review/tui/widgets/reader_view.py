"""A line-API view of one source's text: only the lines in view are rendered, so a 50,000-word
transcript opens as fast as a short one. Coded spans are tinted in their code's colour,
pending suggestions underlined, the cursor unit (a sentence) and the selection reversed, and
each turn starts with its speaker and time.
"""

from __future__ import annotations

import bisect

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from review.tui.document import BLANK, HEADER, Document, Layout, clock, layout
from review.tui.words import trim

GUTTER = 2


class ReaderView(ScrollView, can_focus=True):
    """The text with a cursor that moves by unit and a selection that extends by unit."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("shift+down,J", "extend(1)", "Extend", show=False),
        Binding("shift+up,K", "extend(-1)", "Extend up", show=False),
        Binding("right", "word(1)", "Next word", show=False),
        Binding("left", "word(-1)", "Previous word", show=False),
        Binding("shift+right,L", "end_word(1)", "End a word on", show=False),
        Binding("shift+left,H", "end_word(-1)", "End a word back", show=False),
        Binding(
            "ctrl+shift+left,less_than_sign", "start_word(-1)", "Start a word back", show=False
        ),
        Binding(
            "ctrl+shift+right,greater_than_sign", "start_word(1)", "Start a word on", show=False
        ),
        Binding("ctrl+down", "block(1)", "Next turn", show=False),
        Binding("ctrl+up", "block(-1)", "Previous turn", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "jump(0)", "Start", show=False),
        Binding("end", "jump(-1)", "End", show=False),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]
    DEFAULT_CSS = """
    ReaderView { height: 1fr; }
    """

    class CursorMoved(Message):
        """The cursor or selection changed (the side panel follows it)."""

        def __init__(self, view: ReaderView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.doc: Document | None = None
        self.lines: Layout | None = None
        self.cursor = 0
        self.sel: tuple[int, int] | None = None  # an explicit selection, text offsets
        self.word: tuple[int, int] | None = None  # the word cursor, text offsets
        self.side = "end"  # the edge a sentence-wise extension moved last
        self.colours: dict[int, str | None] = {}  # code id -> colour (None: grey)
        self._tints: dict[int, Style] = {}
        self.hits: list[tuple[int, int]] = []  # find-in-text hits, in text order
        self._hit_starts: list[int] = []

    # --- content -----------------------------------------------------------------------------

    def show(
        self, doc: Document, colours: dict[int, str | None], offset: int | None = None
    ) -> None:
        """Display a document; put the cursor on the unit at `offset` (default: the start)."""
        self.doc = doc
        self.colours = colours
        self._tints = {}
        self.hits, self._hit_starts = [], []
        self.clear()
        self.cursor = doc.unit_at(offset) if offset is not None and doc.units else 0
        self._relayout()
        self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self._follow(centre=offset is not None)
        self.post_message(self.CursorMoved(self))

    def set_hits(self, hits: list[tuple[int, int]]) -> None:
        """Highlight these find hits (text offsets, in order); [] clears them."""
        self.hits = hits
        self._hit_starts = [h[0] for h in hits]
        self.refresh()

    def select_span(self, start: int, end: int) -> None:
        """Make text[start:end] the selection (a find or search hit): a code key codes it."""
        if self.doc is None or not self.doc.units:
            return
        self.clear()
        self.sel = (start, end)
        self._set_cursor(self.doc.unit_at(start), centre=True)

    def set_colours(self, colours: dict[int, str | None]) -> None:
        """New code colours (a code was added or recoloured): redraw with them."""
        self.colours = colours
        self._tints = {}
        self.refresh()

    def marks_changed(self) -> None:
        """Codings or suggestions changed: redraw without re-wrapping."""
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def on_resize(self) -> None:
        if self.doc is not None:
            self._relayout()
            self._follow()

    def _text_width(self) -> int:
        """Cells for text: the gutter and the vertical scrollbar are reserved even before the
        scrollbar shows, so no line's last characters end up under it."""
        return max(10, self.size.width - GUTTER - self.styles.scrollbar_size_vertical)

    def _relayout(self) -> None:
        if self.doc is None:
            return
        self.lines = layout(self.doc, self._text_width())
        self.virtual_size = Size(self.size.width, len(self.lines))
        self.refresh()

    # --- selection ---------------------------------------------------------------------------
    # Three levels, finest wins: an explicit selection `sel` (text offsets), else the word under
    # the word cursor `word`, else the sentence under the cursor. The cursor unit always
    # follows the edge that moved last, so the view scrolls with it.

    def span(self) -> tuple[int, int] | None:
        """The text offsets the next code applies to, without surrounding whitespace."""
        if self.doc is None or not self.doc.units:
            return None
        if self.sel is not None:
            start, end = self.sel
        elif self.word is not None:
            start, end = self.word
        else:
            unit = self.doc.units[self.cursor]
            start, end = unit.start, unit.end
        return trim(self.doc.text, start, end)

    def is_partial(self) -> bool:
        """Is the span narrower than whole sentences (a word-level selection)?"""
        span = self.span()
        if span is None or self.doc is None or (self.sel is None and self.word is None):
            return False
        starts, ends = self.doc.unit_bounds()
        i, j = bisect.bisect_left(starts, span[0]), bisect.bisect_left(ends, span[1])
        return not (
            i < len(starts) and starts[i] == span[0] and j < len(ends) and ends[j] == span[1]
        )

    def sentences(self) -> int:
        """How many sentences the span touches."""
        span = self.span()
        if span is None or self.doc is None:
            return 0
        return self.doc.unit_at(max(span[0], span[1] - 1)) - self.doc.unit_at(span[0]) + 1

    def clear(self) -> None:
        """Back to the whole sentence under the cursor (after coding, moving away)."""
        self.sel = None
        self.word = None
        self.side = "end"

    def action_move(self, step: int) -> None:
        self.clear()
        self._set_cursor(self.cursor + step)

    def action_extend(self, step: int) -> None:
        """Grow or shrink the selection by a sentence (shift+down/up)."""
        span = self.span()
        if span is None or self.doc is None:
            return
        start, end, self.side = self.doc.unit_step(*span, step, self.side)
        self.word = None
        self._select(start, end, end - 1 if self.side == "end" else start)

    def action_word(self, step: int) -> None:
        """Move the word cursor (left/right): a word-sized span to code or to select from."""
        if self.doc is None or not self.doc.units:
            return
        if self.sel is not None:  # collapse the selection onto the word at its moving edge
            self.sel = None
            if self.word is not None:
                self._word_to(self.word)
                return
        target = self.doc.word_step(self.word, step, self.cursor)
        if target is not None:
            self._word_to(target)

    def action_end_word(self, step: int) -> None:
        """Grow (step 1) or shrink (-1) the selection's end by a word (shift+right/left)."""
        self._move_edge("end", step)

    def action_start_word(self, step: int) -> None:
        """Move the selection's start a word right (1) or left (-1) (ctrl+shift+right/left)."""
        self._move_edge("start", step)

    def _move_edge(self, side: str, step: int) -> None:
        span = self.span()
        if span is None or self.doc is None:
            return
        stepper = self.doc.end_step if side == "end" else self.doc.start_step
        word = stepper(*span, step)
        if word is None:
            self.app.bell()
            return
        self.side = side
        self.word = word
        if side == "end":
            self._select(span[0], word[1], word[0])
        else:
            self._select(word[0], span[1], word[0])

    def _select(self, start: int, end: int, follow: int) -> None:
        self.sel = (start, end)
        if self.doc is not None:  # (there is: the selection was made in it)
            self._set_cursor(self.doc.unit_at(follow))

    def _word_to(self, word: tuple[int, int]) -> None:
        self.word = word
        if self.doc is not None:  # (there is: the word is in it)
            self._set_cursor(self.doc.unit_at(word[0]))

    def action_block(self, step: int) -> None:
        """To the first sentence of the next (previous) turn or paragraph."""
        if self.doc is None or not self.doc.units or not self.doc.blocks:
            return
        starts = [b.start for b in self.doc.blocks]
        here = bisect.bisect_right(starts, self.doc.units[self.cursor].start) - 1
        target = max(0, min(len(starts) - 1, here + step))
        self.clear()
        self._set_cursor(self.doc.unit_at(starts[target]))

    def action_page(self, step: int) -> None:
        if self.doc is None or self.lines is None or not self.doc.units:
            return
        target_line = self.lines.line_of(self.doc.units[self.cursor].start)
        target_line += step * max(1, self.size.height - 2)
        target_line = max(0, min(len(self.lines) - 1, target_line))
        self.clear()
        self._set_cursor(self.doc.unit_at(self.lines.starts[target_line]))

    def action_jump(self, where: int) -> None:
        if self.doc is not None and self.doc.units:
            self.clear()
            self._set_cursor(where if where >= 0 else len(self.doc.units) - 1)

    def action_clear_selection(self) -> None:
        """escape: drop the selection (back to the word cursor), then the word cursor."""
        if self.sel is not None:
            self.sel = None
        elif self.word is not None:
            self.word = None
        else:
            return
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def goto_offset(self, offset: int) -> None:
        if self.doc is not None and self.doc.units:
            self.clear()
            self._set_cursor(self.doc.unit_at(offset), centre=True)

    def _set_cursor(self, index: int, centre: bool = False) -> None:
        if self.doc is None or not self.doc.units:
            return
        self.cursor = max(0, min(len(self.doc.units) - 1, index))
        self._follow(centre)
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def _follow(self, centre: bool = False) -> None:
        """Scroll so the cursor unit is in view. Forced: until the first layout with this
        text's height has shown the scrollbar, Textual refuses to scroll, so a source opened
        in a new Reader at an excerpt (Excerpts, Memos) or a search hit showed its start."""
        if self.doc is None or self.lines is None or not self.doc.units:
            return
        unit = self.doc.units[self.cursor]
        top = self.lines.line_of(unit.start)
        bottom = self.lines.line_of(max(unit.start, unit.end - 1))
        height = max(1, self.size.height)
        y = self.scroll_offset.y
        if centre:
            self.scroll_to(y=max(0, top - height // 3), animate=False, immediate=True, force=True)
        elif top < y:
            self.scroll_to(y=max(0, top - 1), animate=False, immediate=True, force=True)
        elif bottom >= y + height:
            self.scroll_to(y=bottom - height + 2, animate=False, immediate=True, force=True)

    # --- rendering ---------------------------------------------------------------------------

    def _tint(self, code_id: int) -> Style:
        style = self._tints.get(code_id)
        if style is None:
            base = Color.parse(self.app.get_css_variables().get("background", "#000000"))
            colour = Color.parse(self.colours.get(code_id) or "#888888")
            bg = base.blend(colour, 0.45)
            style = Style(bgcolor=bg.rich_color, color=bg.get_contrast_text(1.0).rich_color)
            self._tints[code_id] = style
        return style

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, *_args: object) -> None:
        """Tints are blended with the theme's background: recompute them for the new one."""
        self._tints = {}
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        n = y + self.scroll_offset.y
        if self.doc is None or self.lines is None or n >= len(self.lines):
            return Strip.blank(width)
        kind = self.lines.kinds[n]
        if kind == BLANK:
            return Strip.blank(width)
        if kind == HEADER:
            block = self.doc.blocks[self.lines.block_of[n]]
            who = block.speaker or ""
            when = clock(block.timestamp)
            label = f"{who} · {when}" if who and when else who or when
            segs = [Segment("▌ ", Style(dim=True)), Segment(label, Style(bold=True))]
            return Strip(segs).adjust_cell_length(width)
        return self._text_line(n, width)

    def _text_line(self, n: int, width: int) -> Strip:
        doc, lines = self.doc, self.lines
        assert doc is not None and lines is not None  # render_line draws text lines only then
        start, end = lines.starts[n], lines.ends[n]
        sel = self.span() or (0, 0)
        codings = doc.marks_over(start, end + 1, "coding")
        suggestions = doc.marks_over(start, end + 1, "suggestion")
        cuts = {start, end}
        for mk in codings + suggestions:
            cuts.update(x for x in (mk.start, mk.end) if start < x < end)
        cuts.update(x for x in sel if start < x < end)
        hits = self._hits_over(start, end)
        for h in hits:
            cuts.update(x for x in h if start < x < end)
        edges = sorted(cuts)
        segs: list[Segment] = []
        gutter = Style(color=self.colours.get(codings[-1].code_id, "#888888")) if codings else None
        segs.append(Segment("▍ " if gutter else "  ", gutter or Style()))
        for a, z in zip(edges, edges[1:], strict=False):
            style = Style()
            covering = [mk for mk in codings if mk.start <= a and mk.end > a]
            if covering:
                style += self._tint(covering[-1].code_id)
            if any(mk.start <= a and mk.end > a for mk in suggestions):
                style += Style(underline=True, italic=True)
            if any(h[0] <= a < h[1] for h in hits):
                style += self._hit_style()
            if sel[0] <= a < sel[1] and self.has_focus:
                style += Style(reverse=True)
            elif sel[0] <= a < sel[1]:
                style += Style(bold=True)
            segs.append(Segment(doc.text[a:z].replace("\t", " "), style))
        return Strip(segs).adjust_cell_length(width)

    def _hits_over(self, start: int, end: int) -> list[tuple[int, int]]:
        if not self.hits:
            return []
        i = max(0, bisect.bisect_right(self._hit_starts, start) - 1)
        out = []
        while i < len(self.hits) and self.hits[i][0] < end:
            if self.hits[i][1] > start:
                out.append(self.hits[i])
            i += 1
        return out

    def _hit_style(self) -> Style:
        style = self._tints.get(-1)  # cached with the tints (theme changes reset both)
        if style is None:
            colour = Color.parse(self.app.get_css_variables().get("warning", "#ffa62b"))
            text = colour.get_contrast_text(1.0).rich_color
            style = self._tints[-1] = Style(bgcolor=colour.rich_color, color=text, bold=True)
        return style

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
