"""Reader/coder: read a source passage by passage and code it from the keyboard.

Every change goes through the coding services (`review.coding.codings`, `review.coding.suggest`):
the keys here only decide the span (the selection, else the sentence under the cursor) and the
code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel import Session
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, Static

from review.errors import NotFound
from review.store.models import pk
from review.tui import document
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.code_picker import CodeChoice, CodePicker
from review.tui.widgets.in_order import InOrderInput
from review.tui.widgets.reader_view import ReaderView
from review.tui.widgets.status_line import StatusLine
from review.tui.words import word_spans

if TYPE_CHECKING:  # imported when first used
    from rich.console import Console

    from review.tui.find import Finder

NAME = "reader"
KEY = "f4"
TITLE = "Reader"
ORDER = 30
HELP = "Read and code a source: code keys, suggestions, memos, undo."
WARNED_FOR = 5.0  # seconds a warning toast shows; the same one is not stacked meanwhile
# Keys that move the keyboard to a dialog or a field, with their actions: what is typed after
# one of them is for that dialog or field (`ReaderScreen.on_key`).
MOVES_KEYBOARD = {"enter": "pick_code", "slash": "find", "M": "memo"}


class ReaderScreen(WorkbenchScreen):
    """The text on the left, what is under the cursor (codes, suggestions, definitions) right."""

    class TypedAhead(Message):
        """Sent through the text view once a dialog or field has the keyboard: when it comes
        back here, so has every key typed before it had."""

    BINDINGS = [
        Binding("enter", "pick_code", "Code…"),
        Binding("A", "accept", "Accept", show=False),  # (the side panel says A / X)
        Binding("X", "reject", "Reject", show=False),
        Binding("slash", "find", "Find", key_display="/"),
        Binding("n", "find_next(1)", "Next hit", show=False),
        Binding("N", "find_next(-1)", "Previous hit", show=False),
        Binding("ctrl+n", "next_suggestion", "Next suggestion", show=False),
        Binding("S", "suggest", "Suggest", show=False),
        Binding("M", "memo", "Memo"),
        Binding(  # several codings on the span: the next is the ▶ one (delete, M)
            "right_square_bracket", "next_target", "Next coding here", key_display="]", show=False
        ),
        Binding("delete,backspace", "remove", "Uncode", key_display="del"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
    ]
    HELP_KEYS = [
        ("down/up", "next / previous sentence (passage)"),
        ("ctrl+down/up", "next / previous turn (paragraph)"),
        ("shift+down/up", "extend the selection a sentence down / up (also J / K)"),
        ("left/right", "word cursor: previous / next word, to code or to select from"),
        ("shift+→/←", "selection's end: a word on / back (also L / H)"),
        ("ctrl+shift+←/→", "selection's start: a word back / on (also < / >)"),
        ("pageup/pagedown", "scroll a page"),
        ("home/end", "start / end of the text"),
        ("escape", "clear the selection, then the word cursor"),
        ("1–9, a–z", "code the highlighted span with that shortcut (side panel)"),
        ("/", "find in this source (case and accents ignored); enter goes to the first hit"),
        ("n / N", "next / previous hit: it becomes the selection, so a code key codes it"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.doc: document.Document | None = None
        self.choices: list[CodeChoice] = []
        self._codes_stamp: tuple | None = None  # review.coding.codebook.codebook_stamp
        self._panel_shape: tuple | None = None  # the side panel's height, last laid out
        self._panel_retry = False  # redrawn once after layout (its width was unknown)
        self._picker: CodePicker | None = None  # built on the first enter, then re-used
        self._picker_choices: list[CodeChoice] | None = None  # the codebook it was given
        self._ahead: list[events.Key] | None = None  # typed after a MOVES_KEYBOARD key
        self.shortcuts: dict[str, int] = {}
        self.last_action_ms: float | None = None
        self.loading_id: int | None = None  # the source shown or being loaded
        self.finder: Finder | None = None  # over the open text, built on the first `/`
        self.find_query = ""

    def compose_body(self) -> ComposeResult:
        yield Static("Open a source from the Library (f2, then enter).", id="reader-title")
        with Horizontal(id="reader-main"):
            yield ReaderView(id="reader-view")
            with VerticalScroll(id="reader-side"):
                yield Static("", id="reader-panel")
        yield InOrderInput(
            placeholder="find in this source… (enter: go, escape: close)", id="reader-find"
        )

    def on_mount(self) -> None:
        self._check_width()

    def on_resize(self) -> None:
        self._check_width()
        # the side panel's lines are cut to its width (`_coding_line`): cut again for the new
        # one (a coding's memo cut for 80 columns wrapped onto a second line at 120)
        self.call_after_refresh(self._panel)

    def _check_width(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def on_screen_resume(self) -> None:
        wanted, offset = self.app.current_source_id, self.app.current_offset
        end, find = self.app.current_end, self.app.current_find
        self.app.current_offset = self.app.current_end = self.app.current_find = None
        if wanted is not None and wanted != self.loading_id:
            self.load_source(wanted, offset, end, find)
        elif wanted is not None and self.doc is not None and (offset is not None or find):
            self._arrive(offset, end, find)
        if self.doc is not None and wanted == self.loading_id:
            # the same source again: its codings as they are now (changed on another screen,
            # by the CLI or a colleague since it was opened), and the codebook
            self.database_changed()
        self.query_one(ReaderView).focus()

    def on_screen_suspend(self) -> None:
        """Leaving the Reader: the code it was on becomes the app's current code, so f6
        shows that code's excerpts (and the Indicators picker offers it first)."""
        code_id = self.code_here()
        if code_id is not None:
            self.app.current_code_id = code_id

    def code_here(self) -> int | None:
        """The code of the coding under the cursor: the app's current code when one of the
        codings here has it (back from an excerpt of it, the Excerpts screen stays on it),
        else the ▶ target's (the one delete and M act on). None: no coding here."""
        span = self.query_one(ReaderView).span()
        if self.doc is None or span is None:
            return None
        here = self.doc.marks_over(*span, "coding")
        if any(mk.code_id == self.app.current_code_id for mk in here):
            return self.app.current_code_id
        aim = self.doc.target(*span, "coding", self.app.ws.coder)
        return aim.code_id if aim is not None else None

    # --- loading -----------------------------------------------------------------------------

    def load_source(
        self,
        source_id: int,
        offset: int | None = None,
        end: int | None = None,
        find: str | None = None,
    ) -> None:
        self.loading_id = source_id
        self.query_one("#reader-title", Static).update("Loading…")
        self._load(source_id, offset, end, find)

    @work(thread=True, exclusive=True, group="reader-load")
    def _load(self, source_id: int, offset: int | None, end: int | None, find) -> None:
        try:
            doc, choices = self.app.read_source(source_id)
        except Exception as exc:
            self.app.call_from_thread(self.notify_error, exc)
            return
        self.app.from_worker(self._loaded, doc, choices, offset, end, find)

    def _loaded(
        self, doc: document.Document, choices: list[CodeChoice], offset, end=None, find=None
    ) -> None:
        self.finder = None
        self.find_query = ""
        if self.doc is not None and self.doc.source_id != doc.source_id:
            # what was done in the last source is not news about this one ("coded 607–629"
            # stayed on the line under another source's text)
            self.query_one(StatusLine).note = ""
        self.doc = doc
        self.choices = choices
        self.shortcuts = _shortcuts(choices)
        kind = doc.kind
        words = f"{len(doc.text.split()):,} words" if doc.text else "no text"
        title = f"[b]{escape(doc.title)}[/b]  [dim]{kind} · {words} · {len(doc.units):,} units[/]"
        self.query_one("#reader-title", Static).update(title)
        view = self.query_one(ReaderView)
        view.show(doc, {c.id: c.colour for c in choices}, offset)
        if end is not None or find:
            self._arrive(offset, end, find)
        bar = self.query_one("#reader-find", Input)
        if bar.has_class("-shown") and bar.value.strip():  # typed while it was loading
            self._find(bar.value, select_from=None)

    def _arrive(self, offset: int | None, end: int | None, find: str | None) -> None:
        """Open at a search hit: `find` highlights its words (n/N move) and selects the first
        hit at or after `offset`; else text[offset:end] becomes the selection."""
        view = self.query_one(ReaderView)
        if self.doc is None or not self.doc.units:
            return
        if find and self._find(find, select_from=offset if offset is not None else 0):
            return
        if offset is None:
            return
        if end is not None and 0 <= offset < end <= len(self.doc.text):
            view.select_span(offset, end)
        else:
            view.goto_offset(offset)

    def database_changed(self) -> None:
        """Someone (the CLI, a colleague) wrote: show the open source's codings as they are
        now, and the codebook as it is."""
        if self.doc is None or self.loading_id != self.doc.source_id:
            return
        self.reload_codes()
        with self.app.session() as s:
            document.reload_marks(s, self.doc)
        self.query_one(ReaderView).marks_changed()

    # --- the side panel ----------------------------------------------------------------------

    def on_reader_view_cursor_moved(self, event: ReaderView.CursorMoved) -> None:
        self._panel()

    def _panel(self) -> None:
        from review.coding.codings import removable_by

        doc = self.doc
        view = self.query_one(ReaderView)
        if doc is None or not doc.units:
            return
        if not doc.codable:
            self.query_one("#reader-panel", Static).update(
                "This record has no full text to code; its citation and abstract are shown. "
                "Import its PDF to read and code it."
            )
            return
        span = view.span()
        if span is None:  # (not while a document with units is shown)
            return
        start, end = span
        names = {c.id: c for c in self.choices}
        out = [f"[b]Sentence {view.cursor + 1:,}/{len(doc.units):,}[/b]"]
        if view.is_partial():
            words = len(word_spans(doc.text, start, end))
            out.append(f"[reverse]Selected[/] {start}–{end} · {words} word{'s'[: words != 1]}")
            out.append(f"[i]“{escape(_excerpt(doc.text[start:end]))}”[/]")
        else:
            out[0] += f" · {start}–{end}"
            if view.sentences() > 1:
                out[0] += f" · [reverse]{view.sentences()} selected[/]"
        here = doc.marks_over(start, end, "coding")
        aim = doc.target(start, end, "coding", self.app.ws.coder)
        out.append("")
        # what delete and M act on: the one marked ▶; delete only on your own (removable_by)
        mine = aim is None or removable_by(aim, self.app.ws.coder)
        width = self.query_one("#reader-panel", Static).content_size.width
        hint = ""
        if len(here) > 1:
            hint = "(▶ del, M; ] next)" if mine else "(▶ M; del: yours only; ] next)"
        elif here and not mine:
            hint = "(M; del: yours only)"
        if not here:
            out.append("[dim]Not coded here[/]")
        elif hint and len("Coded here ") + len(hint) > width > 0:  # on a line of its own
            out += ["[b]Coded here[/b]", f"[dim]{hint}[/]"]  # rather than cut in two
        else:
            out.append(f"[b]Coded here[/b] [dim]{hint}[/]" if hint else "[b]Coded here[/b]")
        if here and width <= 0 and not self._panel_retry:  # not laid out yet: draw again
            self._panel_retry = True  # once, when it has its width
            self.call_after_refresh(self._panel)
        elif width > 0:
            self._panel_retry = False
        for mk in here:
            c = names.get(mk.code_id)
            path, memo = _coding_line(_path(c, mk.code_id), mk.coder or "", mk.memo, width)
            memo = f" — {escape(memo)}" if memo else ""
            who = f" [dim]{escape(mk.coder or '')}[/]"
            box = "▶" if len(here) > 1 and mk is aim else "■"
            out.append(f"[{_colour(c)}]{box}[/] {escape(path)}{who}{memo}")
        sugg = doc.marks_over(start, end, "suggestion")
        pick = doc.target(start, end, "suggestion")
        if sugg:
            hint = "(▶ A accept, X reject)" if len(sugg) > 1 else "(A accept, X reject)"
            out += ["", f"[b]Suggested[/b] {hint}"]
            for mk in sugg:
                c = names.get(mk.code_id)
                why = ", ".join(mk.trigger) or "?"
                box = "▶" if len(sugg) > 1 and mk is pick else "■"
                out.append(f"[{_colour(c)}]{box}[/] {escape(_path(c, mk.code_id))} ← {escape(why)}")
        focus = pick if pick is not None else aim
        defined = names.get(focus.code_id) if focus is not None else None
        if defined is not None and defined.definition:
            out += ["", f"[i]{escape(defined.definition)}[/]"]
        keys = [c for c in self.choices if c.shortcut]
        if keys:
            out += ["", "[b]Keys[/b] (enter: pick any code)"]
            for c in keys:
                key, name = escape(c.shortcut or ""), escape(c.path.split("/")[-1])
                taken = reader_keys().get(c.shortcut or "")
                if taken:  # the key does what the Reader's own help says, not this code
                    out.append(f"[dim]{key} {name} (taken: {escape(taken)})[/]")
                elif not c.codable:  # a heading: its key explains, it does not code
                    out.append(f"[dim]{key} {name} (a group: not applied)[/]")
                else:
                    out.append(f"[{_colour(c)}]{key}[/] {name}")
        # Re-lay out the screen only when the panel's height changes (its lines as wrapped at
        # its width): moving along the text mostly changes figures inside the same lines.
        panel = self.query_one("#reader-panel", Static)
        shape = (self.size, _wrapped_height(out, panel.content_size.width))
        panel.update("\n".join(out), layout=shape != self._panel_shape)
        self._panel_shape = shape

    # --- coding ------------------------------------------------------------------------------

    def _code_key(self, event) -> None:
        """A code's shortcut key applies it (keys bound above take precedence).

        The code is applied from the app's queue, not here: a key reaches this screen before
        the app runs the bindings of the keys typed before it (Textual runs a binding when
        the key has bubbled back up to the app), so "down 2" typed ahead coded the sentence
        the cursor was leaving. Queued behind those keys, it codes the span they led to.

        A key that is no code's may be one a colleague or the CLI just gave a new code: the
        codebook is read again (when its stamp changed) before the key is let go, so the first
        press codes rather than only showing the new key in the side panel."""
        view = self.query_one(ReaderView)
        key = event.character
        if not view.has_focus or not key:
            return
        if key not in self.shortcuts and key.isprintable() and key not in reader_keys():
            self.reload_codes()
        if key not in self.shortcuts:
            return
        event.stop()
        event.prevent_default()
        self.app.call_later(self.apply, self.shortcuts[key])

    def apply(self, code_id: int) -> None:
        """Code the selection (or the cursor's sentence) with `code_id`."""
        from time import perf_counter

        from review.coding.codings import apply_code

        view = self.query_one(ReaderView)
        span = view.span()
        if self.doc is None or span is None or not self.doc.codable:
            self._warn_once(
                "Nothing to code: this record has no full text, only its citation and "
                "abstract (import its PDF to code it)."
                if self.doc is not None and not self.doc.codable
                else "Nothing to code here: no text is highlighted."
            )
            return
        t0 = perf_counter()
        start, end = span
        try:
            with self.app.session() as s:
                apply_code(
                    s,
                    source_id=self.doc.source_id,
                    code_id=code_id,
                    start=start,
                    end=end,
                    coder=self.app.ws.coder,
                )
                document.reload_marks(s, self.doc)
        except NotFound as exc:
            gone = next((c for c in self.choices if c.id == code_id), None)
            if gone is None or self._code_exists(code_id):
                self.notify_error(exc)
                return
            # merged or deleted elsewhere (the Codebook screen, the CLI, a colleague) in the
            # moments before the live refresh read the codebook again: say so, and read it
            self.reload_codes()
            self.notify(
                f"{_path(gone, code_id)} is no longer in the codebook (merged or deleted since "
                "this screen read it): nothing coded; the shortcuts are read again",
                severity="warning",
            )
            return
        except Exception as exc:
            self.notify_error(exc)
            return
        view.clear()
        view.marks_changed()
        self.last_action_ms = (perf_counter() - t0) * 1000
        c = next((c for c in self.choices if c.id == code_id), None)
        path = _path(c, code_id)
        status = self.query_one(StatusLine)
        note = f"coded {start}–{end} as {path}"
        if len(note) > status.size.width - 2 and "/" in path:  # narrow: the code's own name
            note = f"coded {start}–{end} as {path.rsplit('/', 1)[-1]}"
        status.note = note
        self.app.current_code_id = code_id  # f6 next: this code's excerpts
        self.app.data_changed()

    def action_pick_code(self):
        """enter: the code picker; returns its opening, to await (None: not opened)."""
        from review.tui.widgets.code_picker import CodePicker, EditCode, NewCode

        if self.doc is None or not self.doc.codable:
            return None
        self.reload_codes()  # the codebook may have changed since the source was opened
        choices = [c for c in self.choices if c.codable]

        def chosen(answer: int | NewCode | EditCode | None) -> None:
            if isinstance(answer, NewCode):
                self.create_and_apply(answer)
            elif isinstance(answer, EditCode):
                self.code_form(answer)
            elif answer is not None:
                self.apply(answer)

        name = f"code-picker-{id(self)}"  # built once, then re-used (CodePicker.reopen)
        if self._picker is None:
            self._picker = CodePicker(
                choices, "Apply code…", allow_create=True, parents=self.choices
            )
            self.app.install_screen(self._picker, name)
        elif self._picker_choices is not self.choices:
            self._picker.reopen(choices, self.choices)
        else:
            self._picker.reopen(self._picker.choices, self.choices)
        self._picker_choices = self.choices
        return self.app.push_screen(self._picker, chosen)

    def _warn_once(self, message: str) -> None:
        """A warning toast, not stacked again while the same one is still showing: each
        shortcut key typed on a record with no text said it again, four toasts deep."""
        from time import monotonic

        said, at = getattr(self, "_warned", ("", 0.0))
        if said == message and monotonic() - at < WARNED_FOR:
            return
        self._warned = (message, monotonic())
        self.notify(message, severity="warning", timeout=WARNED_FOR)

    def _code_exists(self, code_id: int) -> bool:
        from review.coding.codebook import code_paths

        with self.app.session() as s:
            return code_id in code_paths(s)

    def reload_codes(self) -> None:
        """Read the codebook afresh (names, shortcuts, colours): codes added on the Codebook
        screen or by the CLI since the source was opened show up at once."""
        from review.coding.codebook import codebook_stamp
        from review.tui.codes import code_choices

        with self.app.session() as s:
            stamp = codebook_stamp(s)
            if stamp == self._codes_stamp and self.choices:
                return  # unchanged: 1,000 codes are not re-read on every picker open
            self.choices = code_choices(s, codable_only=False)
        self._codes_stamp = stamp
        self.shortcuts = _shortcuts(self.choices)
        self.query_one(ReaderView).set_colours({c.id: c.colour for c in self.choices})

    def code_form(self, ask) -> None:
        """The code form from the picker (ctrl+e): edit a code and go back to the picker, or
        fill in a new code's fields, then add it and code the highlighted span with it."""
        from review.coding.codebook import find_code
        from review.tui.codes import code_fields, save_code_form
        from review.tui.widgets.code_form import CodeFields, CodeForm

        view = self.query_one(ReaderView)
        span = view.span()
        if ask.code_id is not None:
            with self.app.session() as s:
                fields = code_fields(find_code(s, ask.code_id))
            known = next((c for c in self.choices if c.id == ask.code_id), None)
            title = f"Edit {_path(known, ask.code_id)}"
        else:
            fields = CodeFields(name=ask.name, parent_id=ask.parent_id)
            title = "New code (then applied to the highlighted text)"
        parents = [(c.path, c.id) for c in self.choices if c.id != ask.code_id]

        def save(values: dict) -> dict:  # in the form: a refusal keeps it open, input kept
            from review.coding.codings import apply_code

            with self.app.session() as s:
                cid = save_code_form(s, ask.code_id, values)
                if ask.code_id is None and span is not None and self.doc is not None:
                    apply_code(s, source_id=self.doc.source_id, code_id=cid, start=span[0],
                               end=span[1], coder=self.app.ws.coder)  # fmt: skip
            return values

        def done(values: dict | None) -> None:
            if values is None:
                return
            self.reload_codes()
            if ask.code_id is None:
                view.clear()
                coded = f"; coded {span[0]}–{span[1]}" if span is not None else ""
                self._refresh_marks(f"new code {values['name']}{coded}")
            else:
                self._refresh_marks(f"saved {values['name']}")
                self.action_pick_code()  # back to choosing a code

        self.app.push_screen(CodeForm(title, fields, parents, save=save), done)

    def create_and_apply(self, new) -> None:
        """Add the code typed in the picker (under the parent chosen there) and code the
        highlighted span with it, in one transaction."""
        from review.coding.codebook import add_code, code_path

        view = self.query_one(ReaderView)
        span = view.span()
        if self.doc is None or span is None:
            return
        start, end = span
        source_id = self.doc.source_id

        def call(s: Session) -> str:
            from review.coding.codings import apply_code

            parent = code_path(s, new.parent_id) + "/" if new.parent_id else ""
            code_id = pk(add_code(s, parent + new.name))
            apply_code(
                s,
                source_id=source_id,
                code_id=code_id,
                start=start,
                end=end,
                coder=self.app.ws.coder,
            )
            return code_path(s, code_id)

        ok, path = self.in_session(call)
        if ok:
            self.reload_codes()
            view.clear()
            self._refresh_marks(f"new code {path}; coded {start}–{end}")

    def _change(self, call: Callable[[Session], object], note: str) -> None:
        """One coding change through its service; on success the marks and status follow."""
        ok, _ = self.in_session(call)
        if ok:
            self._refresh_marks(note)

    def _refresh_marks(self, note: str) -> None:
        if self.doc is not None:  # (there is: the change was made in the open source)
            with self.app.session() as s:
                document.reload_marks(s, self.doc)
        self.query_one(ReaderView).marks_changed()
        self.query_one(StatusLine).note = note
        self.app.data_changed()

    def action_undo(self) -> None:
        """ctrl+z: undo this coder's last step in the open source (never one made elsewhere)."""
        self._history("undo")

    def action_redo(self) -> None:
        """ctrl+y: redo the step undone last in the open source."""
        self._history("redo")

    def _history(self, which: str) -> None:
        from review.coding import history

        if self.doc is None:
            self.notify(f"Nothing to {which}: no source is open here.")
            return
        step = history.undo if which == "undo" else history.redo
        source_id = self.doc.source_id
        ok, what = self.in_session(lambda s: step(s, self.app.ws.coder, source_id=source_id))
        if not ok:
            return
        if isinstance(what, history.Refused):  # its code deleted since: nothing changed
            self._refresh_marks(what)
            self.notify(what[0].upper() + what[1:], severity="warning", timeout=8)
            return
        note = f"{which}: {what}" if what else f"nothing to {which} in this source"
        self._refresh_marks(note)
        self.notify(note[0].upper() + note[1:])

    def action_next_target(self) -> None:
        """]: with several codings on the highlighted span, the next one becomes the target
        (▶) that delete and M act on."""
        from review.coding.codings import removable_by

        span = self.query_one(ReaderView).span()
        if self.doc is None or span is None:
            return
        here = self.doc.marks_over(*span, "coding")
        if len(here) < 2:
            acts = "delete and M act on it" if not here or removable_by(
                here[0], self.app.ws.coder) else "M acts on it (del: yours only)"  # fmt: skip
            self.notify(f"One coding here at most: {acts}." if here else "No coding here.")
            return
        mark = self.doc.step_target(*span, "coding", self.app.ws.coder)
        assert mark is not None  # (there are codings here)
        c = next((c for c in self.choices if c.id == mark.code_id), None)
        who = f" by {mark.coder}" if mark.coder else ""
        at = here.index(mark) + 1
        acts = (
            "delete and M act on it"
            if removable_by(mark, self.app.ws.coder)
            else "M acts on it (del: yours only)"
        )
        status = self.query_one(StatusLine)
        path = _path(c, mark.code_id)
        note = f"▶ {path}{who} ({at} of {len(here)} here): {acts}"
        if len(note) > status.size.width - 2 and "/" in path:  # narrow: the code's own name
            note = note.replace(path, path.rsplit("/", 1)[-1], 1)
        status.note = note
        self._panel()

    def action_remove(self) -> None:
        from review.coding.codings import remove_coding

        view = self.query_one(ReaderView)
        span = view.span()
        if self.doc is None or span is None:
            return
        target = self.doc.target(*span, "coding", self.app.ws.coder)  # the panel's ▶
        if target is None:
            self.notify("No coding here to remove.", severity="warning")
            return
        c = next((c for c in self.choices if c.id == target.code_id), None)
        who = f" by {target.coder}" if target.coder else ""
        self._change(
            lambda s: remove_coding(s, target.id, self.app.ws.coder),
            f"removed coding {target.id}, {_path(c, target.code_id)}{who} (ctrl+z restores it)",
        )

    # --- find ------------------------------------------------------------------------------

    def action_find(self) -> None:
        """/: the find bar (also while a source is still loading: what is typed next must
        go into it, not be taken for code keys)."""
        if self.doc is not None and not self.doc.text:
            return
        bar = self.query_one("#reader-find", Input)
        bar.add_class("-shown")
        bar.value = self.find_query
        bar.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reader-find":
            event.stop()
            self._find(event.value, select_from=None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "reader-find":
            return
        event.stop()
        self._close_find()
        view = self.query_one(ReaderView)
        unit = self.doc.units[view.cursor] if self.doc and self.doc.units else None
        self._find(event.value, select_from=unit.start if unit else 0)

    def on_key(self, event) -> None:
        """escape in the find bar closes it; elsewhere a code key codes, and enter, / and M
        take the keyboard to the code picker, the find bar and the memo editor."""
        bar = self.query_one("#reader-find", Input)
        if self._ahead is not None:  # typed after enter, / or M: for where it leads
            event.stop()
            event.prevent_default()
            self._ahead.append(event)
            return
        if event.key == "escape" and bar.has_focus:
            event.stop()
            event.prevent_default()
            self._close_find()
            return
        action = MOVES_KEYBOARD.get(event.key)
        if action is not None and self.query_one(ReaderView).has_focus:
            event.stop()
            event.prevent_default()
            self._moving(action)
            return
        self._code_key(event)

    def _moving(self, action: str) -> None:
        """enter, / or M: the keys typed after it go to the picker, the find bar or the memo
        editor, even those typed before it was open. Those came here ("enter comm" coded
        Social care, shortcut c, and the picker got "omm"; "/trust" coded Trust, Professional
        resistance and Community safety): now they are kept (`_ahead`), the keys still to come
        wait in the app, and once the dialog or field has the keyboard both are typed into it
        in the order typed."""
        self._ahead = []
        self.app.hold_keys()
        # queued as a code key is: after what the keys typed before it do
        self.app.call_later(self._move_keyboard, action)

    async def _move_keyboard(self, action: str) -> None:
        try:
            opened = getattr(self, f"action_{action}")()
            if opened is not None:  # a dialog: until it is on screen, with its focus
                await opened
        finally:  # (behind the keys on their way through the text view)
            self.query_one(ReaderView).post_message(self.TypedAhead())

    def on_reader_screen_typed_ahead(self, message: TypedAhead) -> None:
        message.stop()
        ahead, self._ahead = self._ahead or [], None
        self.app.release_keys(ahead)

    def _close_find(self) -> None:
        bar = self.query_one("#reader-find", Input)
        bar.remove_class("-shown")
        self.query_one(ReaderView).focus()

    def _find(self, query: str, select_from: int | None) -> bool:
        """Highlight every hit of `query`; with `select_from`, select the first hit at or after
        that offset. True if anything was found."""
        from review.tui.find import Finder, next_hit

        view = self.query_one(ReaderView)
        if self.doc is None or not self.doc.text:
            return False
        if self.finder is None or self.finder.text is not self.doc.text:
            self.finder = Finder(self.doc.text)
        self.find_query = query
        hits = self.finder.find(query) if query.strip() else []
        view.set_hits(hits)
        note = f"find «{query}»: {len(hits):,} hit(s)" if query.strip() else ""
        i = next_hit(hits, select_from - 1, 1) if select_from is not None else None
        if i is not None:  # (None: no hits, or nothing to select)
            view.select_span(*hits[i])
            note = f"find «{query}»: hit {i + 1:,}/{len(hits):,} selected (n/N, a code key)"
        self.query_one(StatusLine).note = note
        return bool(hits)

    def action_find_next(self, step: int) -> None:
        from review.tui.find import next_hit

        view = self.query_one(ReaderView)
        if not view.hits:
            self.notify("Nothing found yet: / finds in this source.")
            return
        here = view.span() or (0, 0)
        on_hit = view.sel is not None and tuple(view.sel) in set(view.hits)
        # from a hit: the next one; from a sentence: the first hit in it counts as next
        i = next_hit(view.hits, here[0] if on_hit or step < 0 else here[0] - 1, step)
        if i is None:  # (not with hits)
            return
        view.select_span(*view.hits[i])
        note = f"find «{self.find_query}»: hit {i + 1:,}/{len(view.hits):,} selected"
        self.query_one(StatusLine).note = note

    # --- suggestions -------------------------------------------------------------------------

    def _suggestion_here(self):
        view = self.query_one(ReaderView)
        span = view.span()
        if self.doc is None or span is None:
            return None
        return self.doc.target(*span, "suggestion")  # the one the side panel marks

    def _settle(self, decide: Callable[[Session, int, str], object], done: str) -> None:
        """Accept or reject (`decide`) the suggestion under the cursor; `done` names the act."""
        mk = self._suggestion_here()
        if mk is None:
            self.notify("No suggestion here (N jumps to the next one).", severity="warning")
            return
        self._change(lambda s: decide(s, mk.id, self.app.ws.coder), f"{done} suggestion {mk.id}")

    def action_accept(self) -> None:
        from review.coding.suggest import accept_suggestion

        self._settle(accept_suggestion, "accepted")

    def action_reject(self) -> None:
        from review.coding.suggest import reject_suggestion

        self._settle(reject_suggestion, "rejected")

    def action_next_suggestion(self) -> None:
        view = self.query_one(ReaderView)
        span = view.span()
        if self.doc is None or not self.doc.suggestions or span is None:
            self.notify("No pending suggestions in this source (S suggests).")
            return
        _start, end = span
        later = [mk for mk in self.doc.suggestions if mk.start >= end]
        target = (later or self.doc.suggestions)[0]
        view.goto_offset(target.start)

    def action_suggest(self) -> None:
        if self.doc is None or not self.doc.codable:
            return
        self.query_one(StatusLine).note = "suggesting…"
        self._suggest(self.doc.source_id)

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, source_id: int) -> None:
        from review.coding.suggest import suggest

        ok, n = self.in_session(lambda s: suggest(s, [source_id]), from_thread=True)
        if not ok:
            return
        self.app.from_worker(self._refresh_marks, f"{n} new suggestion(s)")

    # --- memos -------------------------------------------------------------------------------

    def action_memo(self):
        """M: a multi-line memo on the coding here (its memo, edited), else on the source;
        returns the editor's opening, to await (None: not opened)."""
        from review.tui.widgets.memo_editor import MemoEditor

        view = self.query_one(ReaderView)
        if self.doc is None:
            return None
        span = view.span()
        target = self.doc.target(*span, "coding", self.app.ws.coder) if span else None
        if target is not None:  # the coding the side panel marks
            names = {c.id: c for c in self.choices}
            about, kind, tid, value = f"coding {target.id}", "coding", target.id, target.memo
            quote = _excerpt(self.doc.text[target.start : target.end], 120)
            detail = f"{_path(names.get(target.code_id), target.code_id)}: “{quote}”"
        else:
            about, kind, tid, value = "this source", "source", self.doc.source_id, ""
            detail = self.doc.title

        def save(text: str | None) -> None:
            from review.coding.codings import add_memo

            if text is None:
                return
            if not text.strip():  # emptied: a coding's memo goes (after a yes), else nothing
                if value:
                    self._clear_memo(tid, about, value)
                else:
                    self.notify("Nothing saved: the memo was empty.")
                return
            self._change(
                lambda s: add_memo(
                    s, target=kind, target_id=tid, text=text, coder=self.app.ws.coder
                ),
                f"memo saved on {about}",
            )

        return self.app.push_screen(
            MemoEditor(f"Memo on {about}", value or "", escape(detail)), save
        )

    def _clear_memo(self, coding_id: int, about: str, old: str) -> None:
        """A coding's memo saved empty: remove it once the reviewer says yes (as deleting a
        memo on the Memos screen asks first), rather than keep it silently."""
        from review.coding.memos import delete_memo
        from review.tui.widgets.confirm import Confirm

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(
                    lambda s: delete_memo(s, "coding", coding_id), f"memo removed from {about}"
                )
            else:
                self.notify(f"The memo on {about} is kept.")

        first = " ".join(old.split())[:70]
        self.app.push_screen(Confirm(f"Remove the memo on {about}?", escape(first)), answered)


def reader_keys() -> dict[str, str]:
    """The printable keys the Reader binds itself (its own keys, its text view's selection
    keys, the app's help key) by character, each with what it does. A code whose shortcut is
    one of them is not applied by that key — `J` extends the selection, it never codes — and
    the side panel says so; the code picker (enter) still finds the code by its key."""
    global _READER_KEYS
    if _READER_KEYS is None:
        from review.tui.app import ReviewApp

        names: dict[str, str] = {}
        for owner in (ReaderScreen, WorkbenchScreen, ReaderView, ReviewApp):
            for b in owner.BINDINGS:
                if isinstance(b, Binding):
                    for key in b.key.split(","):
                        names.setdefault(key.strip(), b.description.lower() or b.action)
        visible = (chr(i) for i in range(33, 127))
        _READER_KEYS = {ch: names[_key_name(ch)] for ch in visible if _key_name(ch) in names}
    return _READER_KEYS


_READER_KEYS: dict[str, str] | None = None


def _key_name(ch: str) -> str:
    """Textual's name for the key that types `ch` ("J", "slash", "less_than_sign")."""
    import unicodedata

    from textual.keys import KEY_NAME_REPLACEMENTS

    if ch.isalnum():
        return ch
    name = unicodedata.name(ch, ch).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


def _shortcuts(choices: list[CodeChoice]) -> dict[str, int]:
    """Code keys the Reader applies: every shortcut but the keys it binds itself."""
    taken = reader_keys()
    return {c.shortcut: c.id for c in choices if c.shortcut and c.shortcut not in taken}


def _wrapped_height(lines: list[str], width: int) -> int:
    """How many rows these markup lines take when word-wrapped at `width` cells."""
    from rich.console import Console
    from rich.text import Text

    global _CONSOLE
    if width <= 0:
        return -1
    if _CONSOLE is None:
        _CONSOLE = Console(width=200, color_system=None)
    return sum(len(Text.from_markup(line).wrap(_CONSOLE, width)) for line in lines)


_CONSOLE: Console | None = None  # the one console _wrapped_height measures with (made on first use)


def _excerpt(quote: str, most: int = 160) -> str:
    """A long selection shortened in the middle, on one line."""
    quote = " ".join(quote.split())
    return quote if len(quote) <= most else f"{quote[: most - 50]} … {quote[-45:]}"


def _coding_line(path: str, coder: str, memo: str | None, width: int) -> tuple[str, str]:
    """A coding on one panel line of `width` cells: the path shortened from the middle
    ("Barriers/…/Leaf", then "…/Leaf", then the leaf cut with "…") and the memo's first words
    in what is left, ending in "…" when cut — so long names do not push the other codings
    here out of the panel (the memo's whole text is one `M` away). Width 0: unknown, as is."""
    memo = " ⏎ ".join((memo or "").splitlines())
    if width <= 0:
        return path, memo
    room = width - 2 - (len(coder) + 1 if coder else 0)  # "■ " and " coder"
    fit = room - 4 if memo else room  # keep " — ✎" in view at least
    if len(path) > fit:
        parts = path.split("/")
        for short in (f"{parts[0]}/…/{parts[-1]}", f"…/{parts[-1]}"):
            if len(parts) > 2 - short.startswith("…") and len(short) <= fit:
                path = short
                break
        else:
            path = parts[-1] if len(parts[-1]) <= fit else parts[-1][: max(1, fit - 1)] + "…"
    left = room - len(path) - 3  # " — "
    if not memo or left < 8:
        return path, ("✎" if memo else "")
    return path, memo if len(memo) <= left else memo[: left - 1].rstrip() + "…"


def _colour(choice: CodeChoice | None) -> str:
    return (choice.colour if choice and choice.colour else "#888888") or "#888888"


def _path(choice: CodeChoice | None, code_id: int) -> str:
    return choice.path if choice else f"code {code_id}"


SCREEN = ReaderScreen
