"""Duplicates: clusters and "maybe" pairs, the records side by side with differing fields
highlighted; merge, keep apart, undo. Every action is the same service call as `review dedupe`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from review import safetext
from review.screening.dedupe import service
from review.tui.plain import fitted
from review.tui.screens.base import WorkbenchScreen, fill_last_column, row_at_cursor

NAME = "duplicates"
KEY = "f7"
TITLE = "Duplicates"
ORDER = 70
HELP = "Duplicate clusters and maybe pairs side by side: merge, keep apart, undo."
MAX_ROWS = 500


@dataclass
class Row:
    """One line of the list: a cluster to merge or a pair to decide."""

    kind: str  # "merge" or "maybe"
    keys: list[str]
    score: float | None
    reasons: list[str]
    cluster: str | None = None


class DuplicatesScreen(WorkbenchScreen):
    """A list of clusters on top, the selected one compared field by field below."""

    DEFAULT_CSS = """
    #dup-summary { height: auto; max-height: 2; padding: 0 1; }  /* 2: the counts at 80 columns */
    #dup-list { height: auto; max-height: 40%; }
    #dup-why { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    #dup-compare { height: 1fr; border-top: hkey $primary 30%; }
    """
    BINDINGS = [
        Binding("m", "merge", "Merge"),
        Binding("a", "apart", "Keep apart"),
        Binding("u", "undo", "Undo"),
        Binding("r", "rescan", "Rescan"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.undo_stack: list[str | list[str]] = []  # a merge's cluster, a keep-apart's pairs
        self._scanned: int | None = None  # the live records the list was scanned from
        self.scanning = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="dup-main"):
            yield Label("scanning for duplicates…", id="dup-summary")
            yield DataTable(id="dup-list", cursor_type="row", zebra_stripes=True)
            # the highlighted row's reasons whole: the list's Why column cuts them
            yield Static("", id="dup-why")
            yield DataTable(id="dup-compare", cursor_type="none")

    def on_mount(self) -> None:
        table = self.query_one("#dup-list", DataTable)
        table.add_column("What", width=6, key="kind")
        table.add_column("Score", width=6, key="score")
        table.add_column("Records", width=40, key="keys")
        table.add_column("Why", key="why")
        table.focus()
        self.rescan()

    # --- loading ----------------------------------------------------------------------------

    def action_rescan(self) -> None:
        self.rescan()

    def database_changed(self) -> None:
        """Records imported, merged or deleted elsewhere (another screen, the CLI, a
        colleague): scanned again, as the other screens read again. The list stayed as it
        was until `r`, counting 1,676 records after 1,988 more were imported. A change that
        leaves the count of live records as scanned (this screen's own merge, rescanned
        already; an edit) does not rescan."""
        if self.scanning:
            return
        ok, live = self.in_session(service.count_live)
        if ok and live is not None and live != self._scanned:
            self.rescan()

    def on_screen_resume(self) -> None:
        self.database_changed()  # (back from the Import screen: what it imported is listed)

    def rescan(self) -> None:
        self.scanning = True
        self._scan()

    @work(thread=True, exclusive=True, group="dedupe-scan")
    def _scan(self) -> None:
        ok, found = self.in_session(service.find_duplicates, from_thread=True)
        if not ok or found is None:  # (None only with not ok: the error is shown)
            return
        merges = [Row("merge", c.keys, c.score, c.reasons, c.id) for c in found.clusters]
        maybes = [Row("maybe", [p.a, p.b], p.score, p.reasons) for p in found.maybe]
        self.app.from_worker(self._show, merges, maybes, found.records)

    def _show(self, merges: list[Row], maybes: list[Row], records: int) -> None:
        self._scanned = records
        # a widget never holds the whole result; the pairs to decide keep up to half the list
        # (listed after the clusters, they were cut off whole by 500 clusters)
        pairs = maybes[: max(MAX_ROWS // 2, MAX_ROWS - len(merges))]
        self.rows = rows = merges[: MAX_ROWS - len(pairs)] + pairs
        self.scanning = False
        table = self.query_one("#dup-list", DataTable)
        at = table.cursor_row  # a merge or keep-apart keeps the place in the list
        table.clear()
        for n, row in enumerate(rows):
            table.add_row(
                row.kind,
                "" if row.score is None else f"{row.score:.2f}",
                fitted(" | ".join(row.keys)),
                fitted("; ".join(row.reasons)),
                key=str(n),
            )
        fill_last_column(table)
        if rows:
            table.move_cursor(row=min(at, len(rows) - 1), animate=False)
        listed = len(rows) - len(pairs)
        # the counts of everything found; what the list holds only when it is not all of it
        more = (
            f" · listed {listed:,} + {len(pairs):,}: decide these, then r for the rest"
            if (listed, len(pairs)) != (len(merges), len(maybes))
            else ""
        )
        self.query_one("#dup-summary", Label).update(
            f"{records:,} records · {len(merges):,} cluster(s) to merge · "
            f"{len(maybes):,} pair(s) to decide{more}"
        )
        self._compare()

    # --- comparison -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#dup-list")
    def _highlighted(self) -> None:
        self._compare()

    def selected(self) -> Row | None:
        return row_at_cursor(self.query_one("#dup-list", DataTable), self.rows)

    def _compare(self) -> None:
        table = self.query_one("#dup-compare", DataTable)
        table.clear(columns=True)
        row = self.selected()
        why = self.query_one("#dup-why", Static)
        why.update(Text(safetext.terminal(f"why: {'; '.join(row.reasons)}")) if row else "")
        if row is None:
            return
        ok, records = self.in_session(lambda s: service.compare(s, row.keys))
        if not ok or records is None:  # (None only with not ok: the error is shown)
            return
        table.add_column("Field", width=10)
        # the screen's width less the field column, each column's padding and the scrollbar
        n = len(records)
        width = max(20, (self.size.width - 12 - 2 * n - 2) // n)
        for rec in records:
            table.add_column(fitted(rec["key"]), width=width)
        for field in service.COMPARE_FIELDS[1:]:
            values = [safetext.terminal(_show_value(rec[field])) for rec in records]
            differ = len({v.casefold() for v in values if v}) > 1
            label = Text(field, style="bold" if differ else "")
            if field in WRAPPED:  # whole, on as many lines as it needs, differing words marked
                marks = differing_words(values) if differ else [[] for _ in values]
                cells = [_marked(v, spans) for v, spans in zip(values, marks, strict=True)]
                table.add_row(label, *cells, height=None)
            else:  # one line each, "…" where cut
                style = "bold reverse" if differ else ""
                table.add_row(label, *(_one_line(v, style) for v in values))

    def on_resize(self) -> None:
        # after the layout pass, when the list has its new width
        self.call_after_refresh(fill_last_column, self.query_one("#dup-list", DataTable))
        self._compare()  # the record columns share the new width

    # --- actions --------------------------------------------------------------------------

    def action_merge(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not getattr(self, "_backed_up", False):  # the first merge here: a way back first,
            from review.store.backup import auto_backup  # as `dedupe --apply` makes one

            auto_backup(self.app.ws.engine, "dedupe")
            self._backed_up = True
        coder = self.app.ws.coder  # who merged them (the history lists it)
        ok, result = self.in_session(lambda s: service.merge_keys(s, row.keys, coder=coder))
        if not ok or result is None:  # (None only with not ok: the error is shown)
            return
        self.undo_stack.append(result.cluster)
        self.notify(f"merged {', '.join(result.merged)} into {result.survivor}")
        self._after_change()

    def action_apart(self) -> None:
        row = self.selected()
        if row is None:
            return

        coder = self.app.ws.coder

        def keep_all_apart(s) -> list[str]:
            return [
                service.keep_apart(s, a, b, coder=coder)
                for i, a in enumerate(row.keys)
                for b in row.keys[i + 1 :]
            ]

        ok, clusters = self.in_session(keep_all_apart)
        if not ok or clusters is None:
            return
        self.undo_stack.append(clusters)  # `u` takes it back: they may be proposed again
        self.notify(f"kept apart: {' | '.join(row.keys)} (u undoes)")
        self._after_change()

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("nothing to undo in this session (see `review dedupe --history`)")
            return
        step = self.undo_stack.pop()
        coder = self.app.ws.coder  # who undid it (the history lists it)
        if isinstance(step, str):  # a merge's cluster
            ok, result = self.in_session(lambda s: service.undo(s, step, coder=coder))
            if not ok or result is None:  # (None only with not ok: the error is shown)
                return
            said = result.undone_line()
        else:  # a keep-apart's pairs
            ok, results = self.in_session(
                lambda s: [service.undo(s, cluster, coder=coder) for cluster in step]
            )
            if not ok or not results:
                return
            keys = list(dict.fromkeys(k for r in results for k in [r.survivor, *r.merged]))
            said = f"Undone: {' | '.join(keys)} no longer kept apart (they may be proposed again)"
        self.notify(said)
        self._after_change()

    def _after_change(self) -> None:
        self.app.refresh_status()
        self.rescan()


# The fields a reviewer reads to judge a pair: shown whole (wrapped), the words that differ
# marked, since a cut title hid exactly the words that told two reports apart.
WRAPPED = frozenset({"title", "authors", "venue"})
DIFFER = "bold reverse"


def _word_key(word: str) -> str:
    """A word as compared: case and the punctuation around it ignored ("Services:" is
    "services"), as the field-level comparison ignores case."""
    return "".join(ch for ch in word.casefold() if ch.isalnum()) or word


def differing_words(values: list[str]) -> list[list[tuple[int, int]]]:
    """For each value, the (start, end) spans of its words that the other values do not have
    in the same order (difflib's alignment of the word sequences, each value against every
    other), so "Activating collective co-production of public services" against "… for
    public services: …" marks "of" and "for", not the whole title."""
    words = [[(mt.start(), mt.end()) for mt in re.finditer(r"\S+", v)] for v in values]
    keys = [[_word_key(v[a:b]) for a, b in ws] for v, ws in zip(values, words, strict=True)]
    marks: list[list[tuple[int, int]]] = []
    for i, mine in enumerate(keys):
        unmatched: set[int] = set()
        for j, theirs in enumerate(keys):
            if j == i or not values[j]:  # an empty value: nothing to align with
                continue
            matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
            same = {a + k for a, _, n in matcher.get_matching_blocks() for k in range(n)}
            unmatched |= set(range(len(mine))) - same
        marks.append([words[i][k] for k in sorted(unmatched)])
    return marks


def _marked(value: str, spans: list[tuple[int, int]]) -> Text:
    text = Text(value, overflow="fold")  # a Text: never read as markup
    for a, b in spans:
        text.stylize(DIFFER, a, b)
    return text


def _one_line(value: str, style: str) -> Text:
    return Text(value, style=style, no_wrap=True, overflow="ellipsis")


def _show_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "…"


SCREEN = DuplicatesScreen
