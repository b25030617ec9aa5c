"""A code list that cannot mis-code: type part of a code's name, path or its shortcut key.

Ranking (`rank`): the code whose shortcut, name or path is exactly what was typed comes first,
then names starting with it, then paths containing every typed word (hyphens and accents
ignored: "codesign" finds "Co-design"), then fuzzy matches. `enter` applies only the row that
is highlighted. When nothing but fuzzy guesses match, the first (highlighted) row is
"create «typed»": enter then adds that code under the parent chosen in the same dialog
(`tab` to the parent list) and returns it as a `NewCode`, never a guess.

Keys typed in one burst act in the order typed (`QueryField`): the list is ranked again the
moment the text changes, and the field's own keys and the moves through the list run in line
with the letters around them, so enter applies the row highlighted for the text typed so far.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets._select import SelectOverlay
from textual.widgets.option_list import Option

from review.tui.widgets.in_order import InOrderInput

CREATE = "create"
TOP = -1  # the parent list's value for "top level"


class JumpSelect(Select):
    """A Select that jumps as you type while closed: the letters open its list and go to its
    search, as the help says ("tab to the parent list, type to jump in it"), where a closed
    Select took them for nothing until `down` opened it."""

    async def _on_key(self, event: events.Key) -> None:
        char = event.character
        overlay = self.query_one(SelectOverlay)
        if char and char.isprintable() and char != " " and not overlay.has_focus:
            event.stop()
            event.prevent_default()
            if not self.expanded:
                self.action_show_overlay()
            # (in order: keys typed at once behind the first reach this closed list too)
            overlay.post_message(events.Key(event.key, char))
            return
        await super()._on_key(event)


@dataclass
class CodeChoice:
    id: int
    path: str
    shortcut: str | None = None
    colour: str | None = None
    definition: str | None = None
    codable: bool = True


@dataclass
class NewCode:
    """The picker's answer when the reviewer chose "create «name»"."""

    name: str
    parent_id: int | None


@dataclass
class EditCode:
    """The picker's answer to ctrl+e: open the code form on this code (`code_id`), or on a
    new code named `name` under `parent_id` (the create row)."""

    code_id: int | None
    name: str = ""
    parent_id: int | None = None


def fold(text: str) -> str:
    """Lower case without accents: what typing is compared on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass
class Ranked:
    choices: list[CodeChoice]
    strong: bool  # something matches what was typed (not only a fuzzy guess)
    exact: bool  # a code's shortcut, name or path is exactly what was typed


def rank(query: str, choices: list[CodeChoice], limit: int = 200) -> Ranked:
    """Codes matching `query`, best first (every code, in codebook order, for no query)."""
    q = fold(query.strip())
    if not q:
        return Ranked(choices[:limit], True, False)
    words = [_squash(w) for w in q.replace("/", " ").split()]
    words = [w for w in words if w]
    tiers: dict[int, int] = {}
    exact = False
    for i, c in enumerate(choices):
        name, path = fold(c.path.rsplit("/", 1)[-1]), fold(c.path)
        if (c.shortcut and query.strip() == c.shortcut) or q in (name, path):
            tiers[i], exact = 0, True
        elif name.startswith(q) or _squash(name).startswith(_squash(q) or "\0"):
            tiers[i] = 1
        elif words and all(w in _squash(path) for w in words):
            tiers[i] = 2
    strong = bool(tiers)
    ordered = sorted(tiers, key=lambda i: (tiers[i], i))
    out = [choices[i] for i in ordered]
    if len(out) < limit:
        from rapidfuzz import fuzz, process

        hits = process.extract(
            q, [fold(c.path) for c in choices], scorer=fuzz.WRatio, limit=limit, score_cutoff=60
        )
        out += [choices[h[2]] for h in hits if h[2] not in tiers]
    return Ranked(out[:limit], strong, exact)


class QueryField(InOrderInput):
    """The picker's query: `down`/`up` move through the list from here, in line with the
    letters typed around them (bound on the screen, they ran only after later letters had
    re-ranked the list, and the move was lost)."""

    BINDINGS = [
        Binding("down", "screen.move(1)", "Next", show=False),
        Binding("up", "screen.move(-1)", "Previous", show=False),
        # the code form (the Input's own ctrl+e, to the end, gives way): here, not a priority
        # binding of the dialog, which ran before the letters typed ahead of it were in
        Binding("ctrl+e", "screen.edit", "Edit code…", show=False),
    ]


class CodePicker(ModalScreen["int | NewCode | EditCode | None"]):
    """Returns the chosen code's id, a `NewCode` or an `EditCode` (with `allow_create`), or
    None (escape)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    /* opaque: the screen behind is not redrawn dimmed on every key (half the time to open) */
    CodePicker { align: center middle; background: $background; }
    CodePicker > Vertical {
        width: 90%; max-width: 100; height: 90%; border: round $accent; background: $surface;
    }
    CodePicker #code-options { height: 1fr; }
    CodePicker #code-definition { height: auto; max-height: 4; color: $text-muted; padding: 0 1; }
    CodePicker #code-parent-row { height: auto; display: none; }
    CodePicker #code-parent-row.-shown { display: block; }
    CodePicker #code-parent-row Label { padding: 1 1 0 1; }
    CodePicker #code-parent { width: 1fr; }
    """

    def __init__(
        self,
        choices: list[CodeChoice],
        title: str = "Pick a code",
        *,
        allow_create: bool = False,
        parents: list[CodeChoice] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.allow_create = allow_create
        self.rows: list[CodeChoice | str] = []  # a code, or CREATE
        self._all_items: tuple[int, list[Option]] | None = None  # the rows for no query
        self._set_choices(choices, parents)
        self._begin()

    def _set_choices(self, choices: list[CodeChoice], parents: list[CodeChoice] | None) -> None:
        self.choices = choices
        parents = parents if parents is not None else choices
        # A new code goes under a code that already groups others (or a grouping code): a
        # short list however big the codebook (the code form, ctrl+e, offers every code).
        heads = {c.path.rsplit("/", 1)[0] for c in parents if "/" in c.path}
        self.parents = [c for c in parents if not c.codable or c.path in heads]

    def _begin(self) -> None:
        self.typed = ""
        self._query = ""  # the field's text the list was last ranked for
        self._parent_chosen = False  # the reviewer picked a parent: stop guessing one
        self._answered = False  # a second enter before the dialog closes must not pop twice
        self._moved = False  # the reader moved the highlight (↑/↓): enter takes that row

    def reopen(
        self, choices: list[CodeChoice], parents: list[CodeChoice] | None = None
    ) -> CodePicker:
        """Ready this (installed, already built) picker for another pick: the codebook as it
        is now, an empty query, the first row highlighted. Re-using it saves building the
        dialog's widgets on every `enter` (a third of the time to open with 1,000 codes)."""
        old_parents = [(p.path, p.id) for p in self.parents]
        if choices is not self.choices:
            self._all_items = None
        self._set_choices(choices, parents)
        self._begin()
        if self.is_mounted:
            new_parents = [(p.path, p.id) for p in self.parents]
            select = self.query_one("#code-parent", Select)
            if new_parents != old_parents:
                select.set_options([("(top level)", TOP)] + new_parents)
            select.value = TOP
            field = self.query_one(QueryField)
            field.value = ""  # (ranked again if it held text: `_typed`)
            self._fill("")
            field.focus()
        return self

    @property
    def shown(self) -> list[CodeChoice]:
        return [r for r in self.rows if isinstance(r, CodeChoice)]

    def compose(self) -> ComposeResult:
        hint = "type a name, path or key; enter picks the highlighted row"
        if self.allow_create:
            hint += "; tab: parent of a new code; ctrl+e: the code's form"
        with Vertical():
            yield Static(f"[b]{self.title_text}[/b]  [dim]({hint})[/]")
            yield QueryField(placeholder="code name…", id="code-query")
            options = OptionList(id="code-options")
            options.can_focus = False  # typing stays in the field; tab goes to the parent
            yield options
            with Horizontal(id="code-parent-row"):
                yield Label("new code under:")
                parents = [("(top level)", TOP)] + [(p.path, p.id) for p in self.parents]
                yield JumpSelect(parents, value=TOP, allow_blank=False, id="code-parent")
            yield Static("", id="code-definition")

    def on_mount(self) -> None:
        self._fill("")
        field = self.query_one(QueryField)
        field.focus()
        self.watch(
            self.query_one("#code-parent", Select), "expanded", self._parent_closed, init=False
        )
        # ranked when the text changes, not when its Changed message comes round: a move or
        # an enter typed next must act on this text's list
        self.watch(field, "value", self._typed, init=False)

    def _typed(self, value: str) -> None:
        if value != self._query:
            self._fill(value)

    def _fill(self, query: str) -> None:
        self._query = query
        self.typed = " ".join(query.split())
        ranked = rank(query, self.choices)
        rows: list[CodeChoice | str] = list(ranked.choices)
        create = self.allow_create and self.typed and not ranked.exact and "/" not in self.typed
        if create:
            rows.insert(0 if not ranked.strong else len(rows), CREATE)
        self.rows = rows
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.typed and self._all_items and self._all_items[0] == id(self.choices):
            items = self._all_items[1]  # the same codebook, nothing typed: the same rows
        else:
            items = self._options(rows)
            if not self.typed:
                self._all_items = (id(self.choices), items)
        options.add_options(items)
        self.query_one("#code-parent-row").set_class(bool(create), "-shown")
        if create:
            self._default_parent(ranked.choices)
        if rows:
            options.highlighted = 0
            self._define(0)
        else:
            self._define(None)

    def _options(self, rows: list[CodeChoice | str]) -> list[Option]:
        items = []
        for r in rows:
            if isinstance(r, str):  # CREATE, the only text row
                label = Text.assemble(("+ ", "bold"), "create «", (self.typed, "bold"), "»")
                items.append(Option(label, id=CREATE))
                continue
            label = Text()
            label.append("■ ", style=r.colour or "")
            label.append(f"[{r.shortcut}] " if r.shortcut else "    ")
            label.append(r.path, style="" if r.codable else "dim")
            items.append(Option(label, id=str(r.id)))
        return items

    def _default_parent(self, guesses: list[CodeChoice]) -> None:
        """A new code goes beside the best guess (its parent), else at the top level."""
        select = self.query_one("#code-parent", Select)
        if self._parent_chosen:
            return
        best = guesses[0].path if guesses else ""
        parent_path = best.rsplit("/", 1)[0] if "/" in best else ""
        parent = next((p for p in self.parents if p.path == parent_path), None)
        select.value = parent.id if parent else TOP

    def _parent_closed(self, expanded: bool) -> None:
        """The parent list closed (a parent picked, or the same one kept): back to typing, so
        enter creates the code under it."""
        if not expanded:
            self._parent_chosen = True
            self.call_after_refresh(self.query_one(Input).focus)

    def _define(self, index: int | None) -> None:
        text = ""
        if index is not None and 0 <= index < len(self.rows):
            row = self.rows[index]
            if isinstance(row, str):  # CREATE
                text = "Adds this code under the parent shown, then applies it."
            else:
                text = row.definition or ""
        self.query_one("#code-definition", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._define(event.option_index)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.rows and not self.query_one(Select).has_focus:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.rows) - 1, current + step))
            self._moved = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value != self._query:  # typed on after enter: what was there at enter
            self._fill(event.value)
        if not self.typed and not self._moved:
            # nothing typed, nothing moved to: a stray enter (a double enter in the Reader
            # coded the span with the codebook's first code) chooses nothing
            self.query_one("#code-definition", Static).update(
                "Type a code's name, or move to one with ↑/↓, then enter."
            )
            return
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and 0 <= highlighted < len(self.rows):
            self._choose(self.rows[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.rows):
            self._choose(self.rows[event.option_index])

    def _parent_id(self) -> int | None:
        """The parent list's choice for a new code: a code's id, or None (the top level)."""
        parent = self.query_one("#code-parent", Select).value
        return parent if isinstance(parent, int) and parent != TOP else None  # not BLANK

    def _choose(self, row: CodeChoice | str) -> None:
        if isinstance(row, str):  # CREATE
            self._answer(NewCode(self.typed, self._parent_id()))
        else:
            self._answer(row.id)

    def action_edit(self) -> None:
        """ctrl+e (with `allow_create`): the highlighted code, or the new one, in the form."""
        highlighted = self.query_one(OptionList).highlighted
        if not self.allow_create or highlighted is None or highlighted >= len(self.rows):
            return
        row = self.rows[highlighted]
        if isinstance(row, str):  # CREATE
            self._answer(EditCode(None, self.typed, self._parent_id()))
        else:
            self._answer(EditCode(row.id))

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, value: int | NewCode | EditCode | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)
