"""The code form: every field of a code in one dialog (name, parent, definition, when to use,
when not to, example, keywords, colour, shortcut, codable). ctrl+s saves, escape cancels;
tab moves between fields. Returns a dict of the fields (keywords as a list, parent as a code
id or None for the top level); the screen hands it to `review.coding.codebook`. Given `save`
(the screen's call of that service, in one transaction), the form saves before it closes: a
refusal (a shortcut another code holds, a name already there) is shown in the form, which
stays open with everything typed, and it returns what `save` returned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from review import logs
from review.errors import ReviewError
from review.tui.widgets.in_order import InOrderInput

TOP = -1
HINT = "enter or ctrl+s save · escape cancel · tab next field"
log = logging.getLogger(__name__)


@dataclass
class CodeFields:
    name: str = ""
    parent_id: int | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    colour: str = ""
    shortcut: str = ""
    codable: bool = True


TEXTS = (
    ("name", "Name"),
    ("definition", "Definition"),
    ("include", "Use when"),
    ("exclude", "Do not use when"),
    ("example", "Example"),
    ("keywords", "Keywords (a, b)"),
    ("colour", "Colour (#RRGGBB)"),
    ("shortcut", "Shortcut (1 key)"),
)


class CodeForm(ModalScreen["dict | None"]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]
    DEFAULT_CSS = """
    CodeForm { align: center middle; }
    CodeForm > Vertical {
        width: 90%; max-width: 100; height: 90%; border: round $accent; background: $surface;
        padding: 0 1;
    }
    CodeForm VerticalScroll { height: 1fr; }
    CodeForm .row { height: 3; }
    CodeForm .row Label { width: 18; padding: 1 1 0 0; }
    CodeForm .row Input, CodeForm .row Select { width: 1fr; }
    CodeForm #form-hint { color: $text-muted; height: auto; }
    CodeForm #form-hint.-refused { color: $error; text-style: bold; }
    CodeForm.-compact .row { height: 1; }
    CodeForm.-compact .row Label { padding: 0 1 0 0; }
    CodeForm.-compact Checkbox { border: none; padding: 0; height: 1; }
    """
    COMPACT_BELOW = 40  # rows: under this the fields lose their borders so all of them fit

    def __init__(
        self,
        title: str,
        values: CodeFields,
        parents: list[tuple[str, int]],
        focus: str = "name",
        save: Callable[[dict], dict] | None = None,
    ) -> None:
        super().__init__()
        self.save = save
        self.title_text = title
        self.values = values
        self.parents = parents
        self.first = focus
        self._answered = False

    def compose(self) -> ComposeResult:
        v = self.values
        with Vertical():
            yield Label(f"[b]{self.title_text}[/b]")
            with VerticalScroll():
                for name, label in TEXTS[:1]:
                    yield from self._row(name, label, v.name)
                with Horizontal(classes="row"):
                    yield Label("Parent")
                    options = [("(top level)", TOP), *self.parents]
                    value = v.parent_id if v.parent_id is not None else TOP
                    yield Select(options, value=value, allow_blank=False, id="f-parent")
                for name, label in TEXTS[1:]:
                    text = getattr(v, name)
                    text = ", ".join(text) if isinstance(text, list) else text or ""
                    yield from self._row(name, label, text)
                yield Checkbox("Codable (applied to text; off for a grouping code)", v.codable,
                               id="f-codable")  # fmt: skip
            yield Static(HINT, id="form-hint", markup=False)

    def _row(self, name: str, label: str, value: str) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(label)
            yield InOrderInput(value=value, id=f"f-{name}")

    def on_mount(self) -> None:
        if self.app.size.height < self.COMPACT_BELOW:  # 80x24: every field in view at once
            self.add_class("-compact")
            for field in self.query("Input, Select"):
                field.compact = True  # type: ignore[attr-defined]
        self.query_one(f"#f-{self.first}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()  # enter in any field saves (a name and enter: a quick add)

    def action_save(self) -> None:
        out: dict = {}
        for name, _label in TEXTS:
            out[name] = self.query_one(f"#f-{name}", Input).value.strip()
        out["keywords"] = [k.strip() for k in out["keywords"].split(",") if k.strip()]
        parent = self.query_one("#f-parent", Select).value
        out["parent_id"] = None if parent in (TOP, Select.BLANK) else parent
        out["codable"] = self.query_one("#f-codable", Checkbox).value
        if not out["name"]:
            self.notify("A code needs a name.", severity="warning")
            return
        if self.save is not None:
            try:
                out = self.save(out)
            except ReviewError as exc:  # refused: the form stays open with what was typed
                self._refused(str(exc))
                return
            except Exception as exc:  # a bug: logged, one line, and nothing typed is lost
                self._refused(logs.internal_error(log, exc, "saving the code form"))
                return
        self._answer(out)

    def _refused(self, message: str) -> None:
        hint = self.query_one("#form-hint", Static)
        hint.update(f"Not saved: {message} · fix it and save again, or escape")
        hint.add_class("-refused")
        self.app.bell()

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, value: dict | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)
