"""Codebook: the code tree with counts; add, rename, move, merge and delete codes; definitions.

Every change goes through `review.coding.codebook` (the same functions as `review codebook ...`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from review.store.models import pk
from review.tui.codes import code_fields, save_code_form
from review.tui.screens.base import WorkbenchScreen
from review.tui.widgets.code_form import CodeFields, CodeForm
from review.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from review.store.models import Code

NAME = "codebook"
KEY = "f5"
TITLE = "Codebook"
ORDER = 40
HELP = "The code tree with counts: add, rename, move, merge; definitions."

TOP = -1  # the picker's "top level" choice when moving a code


class CodebookScreen(WorkbenchScreen):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("A", "add_top", "Add top", show=False),
        Binding("r", "rename", "Rename"),
        Binding("m", "move", "Move"),
        Binding("g", "merge", "Merge"),
        Binding("delete", "delete", "Delete"),
        Binding("e", "excerpts", "Excerpts"),
        Binding("M", "memo", "Memo"),
        Binding("E", "edit", "Edit…"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[int, Code] = {}  # as last read (reload)
        self.totals: dict[int, int] = {}  # codings of each code with its children, ditto
        self.own: dict[int, int] = {}  # each code's own codings, ditto

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="codebook-main"):
            tree: Tree[int] = Tree("Codebook", id="code-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="code-detail"):
                yield Static("", id="code-definition")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(Tree).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        """Rebuild the tree from the database (codebooks are small: tens to hundreds)."""
        from review.coding.codebook import code_tree
        from review.coding.codings import blind_coder, blind_note

        tree = self.query_one(Tree)
        current = select if select is not None else self.highlighted()
        with self.app.session() as s:
            # blind coding: only the reader's own codings are counted, as the Reader shows
            mine = blind_coder(s, self.app.ws.coder)
            rows = code_tree(s, counts=True, coder=mine)
            totals = _totals(rows)
        self.codes = {pk(code): code for code, _d, _n in rows}
        self.totals = totals
        self.own = {pk(code): n for code, _d, n in rows}
        parents = {code.parent_id for code, _d, _n in rows}
        tree.clear()
        nodes: dict[int | None, TreeNode[int]] = {None: tree.root}
        focus_line = None
        for line, (code, _depth, n) in enumerate(rows):
            code_id = pk(code)
            parent = nodes.get(code.parent_id, tree.root)
            label = Text()
            label.append("■ ", style=code.colour or "")
            if code.shortcut:
                label.append(f"[{code.shortcut}] ", style="bold")
            label.append(code.name, style="" if code.codable else "italic")
            total = totals.get(code_id, n)
            label.append(f"  {n}" + (f" ({total})" if total != n else ""), style="dim")
            if code_id in parents:
                node = parent.add(label, data=code_id, expand=True)
            else:
                node = parent.add_leaf(label, data=code_id)
            nodes[code_id] = node
            if code_id == current:
                focus_line = line  # every node is expanded: display line = tree order
        tree.root.expand_all()
        if rows:
            line = focus_line if focus_line is not None else 0
            tree.cursor_line = line
            # (the same line number again posts no highlight: a merge or delete left the
            # removed code's definition beside the survivor)
            self._detail(pk(rows[line][0]))
        self.query_one(StatusLine).note = f"{len(rows)} codes" + (
            f" · {blind_note(mine, 'codings')}" if mine is not None else ""
        )

    def highlighted(self) -> int | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None and node.data is not None else None

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        self._detail(event.node.data)

    def _detail(self, cid: int | None) -> None:
        """The highlighted code's definition, rules, example, keywords and key, beside it."""
        code = self.codes.get(cid) if cid is not None else None
        if code is None:
            return
        parts = [Text(code.name, style="bold")]
        for label, value in (
            ("Definition", code.definition),
            ("Use when", code.include),
            ("Not when", code.exclude),
            ("Example", code.example),
            ("Keywords", ", ".join(code.keywords or [])),
            ("Shortcut", code.shortcut),
        ):
            if value:
                parts.append(Text.assemble((f"{label}: ", "bold"), value))
        if not code.codable:
            parts.append(Text("A grouping code (not applied itself).", style="italic"))
        self.query_one("#code-definition", Static).update(Text("\n\n").join(parts))

    # --- editing -----------------------------------------------------------------------------

    def _run(self, fn, *args, select: int | None = None, note: str = "") -> None:
        """Call a codebook service in one transaction; show its error as one line."""
        ok, new_id = self.in_session(lambda s: getattr(fn(s, *args), "id", None))
        if not ok:
            return
        self.reload(select=select if select is not None else new_id)
        if note:
            self.notify(note)
        self.app.refresh_status()

    def _path(self, code_id: int | None) -> str:
        from review.coding.codebook import code_path

        with self.app.session() as s:
            return code_path(s, code_id) if code_id is not None else ""

    def action_add(self, top: bool = False) -> None:
        """a / A: the code form for a new code under the highlighted one (or at the top)."""
        parent = None if top else self.highlighted()
        where = f"under {self._path(parent)}" if parent is not None else "at the top"
        self._form(None, f"New code {where}", CodeFields(parent_id=parent))

    def action_edit(self) -> None:
        """E: every field of the highlighted code in one form."""
        from review.coding.codebook import find_code

        cid = self.highlighted()
        if cid is None:
            return
        with self.app.session() as s:
            fields = code_fields(find_code(s, cid))
        self._form(cid, f"Edit {self._path(cid)}", fields)

    def _form(self, cid: int | None, title: str, fields: CodeFields) -> None:
        from review.tui.codes import code_choices

        with self.app.session() as s:
            parents = [(c.path, c.id) for c in code_choices(s, codable_only=False)]
        if cid is not None:  # not under itself or one of its children
            parents = [p for p in parents if p[1] != cid and not p[0].startswith(
                self._path(cid) + "/")]  # fmt: skip

        def save(values: dict) -> dict:  # in the form: a refusal keeps it open, input kept
            with self.app.session() as s:
                return {**values, "id": save_code_form(s, cid, values)}

        def done(values: dict | None) -> None:
            if values is None:
                return
            self.reload(select=values["id"])
            # a toast, as rename, move and merge say theirs: the status line is rewritten
            # when the form's closing brings this screen back
            self.notify(f"{'added' if cid is None else 'saved'} {self._path(values['id'])}")
            self.app.data_changed()

        self.app.push_screen(CodeForm(title, fields, parents, save=save), done)

    def action_add_top(self) -> None:
        self.action_add(top=True)

    def action_rename(self) -> None:
        from review.coding.codebook import rename_code
        from review.tui.widgets.prompt import Prompt

        cid = self.highlighted()
        if cid is None:
            return

        old, was = self._path(cid), self.codes[cid].name

        def done(name: str | None) -> None:
            """None: escape (nothing to say); a blank name never comes back (the prompt
            refuses it, as the code form does); the same name renames nothing, and says so."""
            if name is None:
                return
            if name.strip() == was:
                self.notify(f"{old} keeps its name.")
                return
            note = f"renamed {old} to {name.strip()}"
            self._run(rename_code, cid, name.strip(), select=cid, note=note)

        prompt = Prompt("Rename code", was, empty="A code needs a name.")
        self.app.push_screen(prompt, done)

    def _pick(self, title: str, exclude: int, top: bool, then, groups: bool = True) -> None:
        """The codes `exclude` may go under or into: not itself nor one of its own children
        (refused after the question was asked), nor a group unless `groups`."""
        from review.coding.codebook import descendants
        from review.tui.codes import code_choices
        from review.tui.widgets.code_picker import CodeChoice, CodePicker

        with self.app.session() as s:
            below = set(descendants(s, exclude))
            choices = [
                c
                for c in code_choices(s, codable_only=False)
                if c.id not in below and (groups or c.codable)
            ]
        if top:
            choices.insert(0, CodeChoice(id=TOP, path="(top level)"))
        self.app.push_screen(CodePicker(choices, title), then)

    def action_move(self) -> None:
        from review.coding.codebook import move_code

        cid = self.highlighted()
        if cid is None:
            return

        old = self._path(cid)

        def done(parent: int | None) -> None:
            if parent is not None:
                target = None if parent == TOP else parent
                where = f"under {self._path(target)}" if target is not None else "to the top"
                self._run(move_code, cid, target, select=cid, note=f"moved {old} {where}")

        self._pick(f"Move {self.codes[cid].name} under…", cid, True, done)

    def action_merge(self) -> None:
        from review.coding.codebook import merge_codes

        cid = self.highlighted()
        if cid is None:
            return

        from review.tui.widgets.confirm import Confirm

        name = self.codes[cid].name
        n = self.totals.get(cid, 0)

        def done(into: int | None) -> None:
            if into is None:
                return
            where = self._path(into)

            def answered(yes: bool | None) -> None:
                if not yes:
                    return
                ok, moved = self.in_session(lambda s: merge_codes(s, cid, into))
                if not ok or moved is None:
                    return
                note = f"merged {name} into {where}: {moved['coding']} coding(s) moved"
                if moved["duplicates"]:
                    note += (
                        f", {moved['duplicates']} duplicate(s) folded into the same coder's "
                        "coding of the same span"
                    )
                self.reload(select=into)
                self.notify(note)
                self.app.refresh_status()

            # a merge cannot be undone (the code is gone): it asks first, as delete does
            detail = (
                f"Its {n} coding(s), memos, evidence links and children move to {where}; "
                f"{name!r} is deleted. This cannot be undone."
            )
            self.app.push_screen(Confirm(f"Merge {name!r} into {where}?", detail), answered)

        # codings merged into a group would count nowhere: only codable codes, unless none
        self._pick(f"Merge {name} into…", cid, False, done, groups=not self.own.get(cid))

    def action_delete(self) -> None:
        from review.coding.codebook import delete_code
        from review.tui.widgets.confirm import Confirm

        cid = self.highlighted()
        if cid is None:
            return
        code = self.codes.get(cid)
        name = getattr(code, "name", str(cid))
        n = self.totals.get(cid, 0)
        if n:  # refused by the service: say so and what to do, without asking first
            self.notify(
                f"{name!r} (with its children) has {n} coding(s), so it is not deleted: "
                "g merges them into another code (the command line's "
                "`review codebook delete --force` deletes them with it).",
                severity="warning",
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(delete_code, cid, note="deleted")

        detail = "Its children, memos and evidence links go with it. This cannot be undone."
        self.app.push_screen(Confirm(f"Delete the code {name!r}?", detail), answered)

    def action_memo(self) -> None:
        """M: a multi-line memo on the highlighted code (listed on the Memos screen): your own
        memo on it, opened to edit, if you wrote one; else a new one. Other coders' memos on
        the code are theirs and stay as they are."""
        from review.coding.memos import own_memo
        from review.tui.widgets.memo_editor import MemoEditor

        cid = self.highlighted()
        if cid is None:
            return
        name = getattr(self.codes.get(cid), "name", str(cid))
        coder = self.app.ws.coder
        with self.app.session(write=False) as s:
            mine = own_memo(s, "code", cid, coder)

        def save(text: str | None) -> None:
            from review.coding.codings import add_memo
            from review.coding.memos import edit_memo

            if text is None:
                return
            if not text.strip():
                if mine is not None:
                    self._clear_memo(mine.id, name, mine.text)
                return
            if mine is None:
                ok, _ = self.in_session(
                    lambda s: add_memo(s, target="code", target_id=cid, text=text, coder=coder)
                )
            else:
                memo_id, version = cast(int, mine.id), mine.version
                ok, _ = self.in_session(
                    lambda s: edit_memo(s, "code", memo_id, text, expected_version=version)
                )
            if ok:
                self.notify(f"memo {'saved' if mine is None else 'updated'} on {name}")

        title = f"{'Your memo' if mine else 'Memo'} on the code {name}"
        self.app.push_screen(MemoEditor(title, mine.text if mine else ""), save)

    def _clear_memo(self, memo_id: int | None, name: str, old: str) -> None:
        """Your code memo saved empty: deleted once you say yes (as in the Reader)."""
        from review.coding.memos import delete_memo
        from review.tui.widgets.confirm import Confirm

        def answered(yes: bool | None) -> None:
            if yes and memo_id is not None:
                ok, _ = self.in_session(lambda s: delete_memo(s, "code", memo_id))
                if ok:
                    self.notify(f"memo removed from {name}")
            else:
                self.notify(f"Your memo on {name} is kept.")

        first = " ".join(old.split())[:70]
        self.app.push_screen(Confirm(f"Remove your memo on {name}?", escape(first)), answered)

    def action_excerpts(self) -> None:
        cid = self.highlighted()
        if cid is not None:
            self.app.current_code_id = cid
            self.run_worker(self.app.action_go("excerpts"))


def _totals(rows) -> dict[int, int]:
    """Codings of each code including its descendants (rows come parents first)."""
    parent = {code.id: code.parent_id for code, _d, _n in rows}
    totals = {code.id: n for code, _d, n in rows}
    for code, _depth, _n in sorted(rows, key=lambda r: -r[1]):
        p = parent.get(code.id)
        if p in totals:
            totals[p] += totals[code.id]
    return totals


SCREEN = CodebookScreen
