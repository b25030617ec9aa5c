"""The workbench application: screens from the registry as modes, a status line, help.

Every screen module in `review/tui/screens/` becomes a Textual mode bound to its key and
listed in the footer, the help screen and the command palette. The app holds what screens
share: the workspace, a transaction helper, the source and code in focus, and the status text.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from sqlmodel import Session
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from review import logs
from review.errors import ReviewError
from review.store.db import session_scope
from review.store.models import pk
from review.store.status import counts
from review.store.workspace import Workspace
from review.tui.screens import ScreenSpec, discover

if TYPE_CHECKING:  # imported when first used (start-up stays quick)
    from review.store.watch import ChangeWatcher
    from review.tui.screens.importer import ImportScreen
    from review.tui.screens.reader import ReaderScreen

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0  # how often the workbench looks for writes by other processes


HOLD_MOST = 2.0  # seconds: the longest that keys typed ahead wait (`ReviewApp.hold_keys`)


class ReviewApp(App):
    """The evidence-review workbench."""

    CSS_PATH = "review.tcss"
    TITLE = "review"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?", show=False),
        # (not in the footer: at 80 columns it pushed screen keys under the palette's; the
        # help screen and the palette list it)
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        # priority: the focus moves as the app takes the key, in line with the keys around
        # it. Bound on the screen (Textual's default), tab moved it only once it had bubbled
        # back up from the field, and the letters typed behind it had already gone into
        # that field ("Name" tab "Definition" typed at once: "NameDefinitio" | "n")
        Binding("tab", "focus_next", "Next field", priority=True, show=False),
        Binding("shift+tab", "focus_previous", "Previous field", priority=True, show=False),
    ]

    status_text: reactive[str] = reactive("")

    def __init__(
        self,
        ws: Workspace,
        *,
        start: str = "library",
        sample_import: bool = True,
        open_at: tuple[str, int | None, int | None] | None = None,
    ) -> None:
        super().__init__()
        self.open_at = open_at  # (source key or id, start, end): open the Reader there
        self.ws = ws
        logs.configure(ws.root)  # bugs behind a toast are logged in .review/review.log
        _ = ws.engine  # open (and upgrade) once, here, before any worker thread needs it
        self.start = start
        self.sample_import = sample_import
        self.specs: list[ScreenSpec] = discover()
        self.current_source_id: int | None = None
        self.current_offset: int | None = None
        self.current_end: int | None = None  # with current_offset: the span to select
        self.current_find: str | None = None  # words to find and highlight on arrival
        self.current_code_id: int | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-read")
        self._prefetch: tuple[int, Future] | None = None
        self._recount: Timer | None = None
        self._watcher: ChangeWatcher | None = None  # made on mount
        self.status_short = ""
        for spec in self.specs:
            self.add_mode(spec.name, partial(_make_screen, spec))
            # Shown on the navigation line above the footer, so not repeated in the footer.
            self.bind(spec.key, f"go('{spec.name}')", description=spec.title, show=False)
        self.sub_title = str(ws.root)
        self._held: list[events.Key] | None = None  # keys waiting (`hold_keys`)
        self._hold_timer: Timer | None = None

    # --- keys typed ahead of a dialog or a field -------------------------------------------

    def hold_keys(self) -> None:
        """Keys arriving from now on wait for `release_keys` instead of going to the focused
        widget: a key has just moved the keyboard to a dialog or a field that is not there
        yet, and keys typed before it opened are still on their way through the old focus.
        (Released after HOLD_MOST seconds at the latest, so a hold never locks the keyboard.)"""
        if self._held is None:
            self._held = []
            self._hold_timer = self.set_timer(HOLD_MOST, lambda: self.release_keys([]))

    def release_keys(self, ahead: list[events.Key]) -> None:
        """Type `ahead` (the keys that reached the old focus after the key that moved the
        keyboard), then the keys held meanwhile, in that order, into whatever has the
        keyboard now, as if typed there."""
        held, self._held = self._held or [], None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        for key in (*ahead, *held):
            self.post_message(events.Key(key.key, key.character))  # fresh events

    async def on_event(self, event: events.Event) -> None:
        if self._held is not None and isinstance(event, events.Key) and not event.is_forwarded:
            self._held.append(event)  # (a key from the terminal, not one bubbling up)
            return
        await super().on_event(event)

    # --- shared helpers for screens --------------------------------------------------------

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction on the workspace's database (`write=False`: reads only, which on
        SQLite never wait for a CLI import's write lock)."""
        with session_scope(self.ws.engine, write=write) as s:
            s.info["coder"] = self.ws.coder  # who edits (store/versions)
            yield s

    def spec(self, name: str) -> ScreenSpec | None:
        return next((s for s in self.specs if s.name == name), None)

    async def action_go(self, name: str) -> None:
        """Switch to a screen by registry name (closing any dialog first). The key of the
        screen on view (f4 in the Reader) reads what it shows again, as a write elsewhere
        does (its `database_changed`): the Reader's codings as they are now."""
        dialog = isinstance(self.screen, ModalScreen)
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()  # (the screen below resumes: the Reader re-reads there)
        if name == self.current_mode and not dialog:
            hook = getattr(self.screen, "database_changed", None)
            if hook is not None:
                hook()
            return
        await self.switch_mode(name)

    def open_source(
        self,
        source_id: int,
        offset: int | None = None,
        end: int | None = None,
        find: str | None = None,
    ) -> None:
        """Show a source in the reader, at `offset` if given; with `end`, text[offset:end] is
        selected (a search hit, an excerpt); with `find`, its hits are highlighted and the
        first one at or after `offset` is selected.

        Reading the source starts at once in a thread, while the reader screen is being
        switched to (or built, the first time): the reader then takes the prefetched result.
        """
        self.current_source_id = source_id
        self.current_offset = offset
        self.current_end = end
        self.current_find = find
        self._prefetch = (source_id, self._pool.submit(self._read_source, source_id))
        if self.current_mode == "reader" and not isinstance(self.screen, ModalScreen):
            # already there: switching would do nothing (the reader mode's screen is the Reader)
            cast("ReaderScreen", self.screen).on_screen_resume()
        else:
            self.run_worker(self.action_go("reader"), exclusive=False)

    def _read_source(self, source_id: int):
        from review.tui import document
        from review.tui.codes import code_choices

        with self.session(write=False) as s:
            doc = document.load(s, source_id, viewer=self.ws.coder)
            return doc, code_choices(s, codable_only=False)

    def read_source(self, source_id: int):
        """(document, code choices) of a source: the prefetched one if it is this source."""
        pending = self._prefetch
        if pending is not None and pending[0] == source_id:
            self._prefetch = None
            return pending[1].result()
        return self._read_source(source_id)

    def from_worker(self, fn: Callable[..., Any], *args: Any) -> None:
        """From a thread worker: `fn(*args)` on the app's thread (the worker waits for it),
        unless by then the result is stale, and then it is dropped: the worker was cancelled
        (a newer worker of its exclusive group started, or its screen closed), a newer worker
        of its group is running, or the app is closing. The one way a worker's result reaches
        the screen. (Cancelling a thread worker does not stop its thread: an older recount
        that finished last put old counts back, and a poll landing while the app closed
        raised on a screen already taken apart.)"""
        worker = get_current_worker()
        if self.superseded(worker):  # (cheap early out; the check that counts is below)
            return

        async def apply() -> None:
            if self.superseded(worker):  # on the app's thread: no cancel can come between
                return
            result = fn(*args)
            if inspect.isawaitable(result):
                await result

        try:
            # mypy solves call_from_thread's `T | Awaitable[T]` for a coroutine function as
            # Awaitable[Never] (a mypy limitation): Textual awaits the coroutine, as meant
            self.call_from_thread(apply)  # type: ignore[arg-type]
        except RuntimeError:
            if self.is_running:
                raise
            return  # the app stopped meanwhile ("App is not running")

    def superseded(self, worker: Worker) -> bool:
        """Is this worker's result stale (see `from_worker`)?"""
        if worker.is_cancelled or not self.is_running or not worker.node.is_running:
            return True
        for other in reversed(self.workers):  # newest first, down to this one
            if other is worker:
                return False
            if other.group == worker.group and other.node is worker.node:
                return True
        return False

    def refresh_status(self) -> None:
        """Recount the workspace in a thread and update every status line."""
        self.run_worker(self._count, thread=True, exclusive=True, group="status")

    def data_changed(self) -> None:
        """Something was coded, accepted, imported...: recount once things are quiet again
        (half a second after the last change), never in the way of the next key press."""
        if self._recount is not None:
            self._recount.stop()
        self._recount = self.set_timer(0.5, self.refresh_status)

    def _count(self) -> None:
        with self.session(write=False) as s:  # (counting never waits for a writer)
            doc = counts(s)
        text = (
            f"{self.ws.root.name} · coder {self.ws.coder} · {doc['sources']:,} sources · "
            f"{doc['passages']:,} passages · {doc['codes']:,} codes · {doc['codings']:,} codings"
            f" · {doc['suggestions']:,} suggestions"
        )
        short = (
            f"{self.ws.coder} · {doc['sources']:,} sources · {doc['codes']:,} codes · "
            f"{doc['codings']:,} codings"
        )
        self.from_worker(self._set_status, text, short)

    def _set_status(self, text: str, short: str) -> None:
        self.status_short = short  # what a narrow status line shows (set first: the line
        self.status_text = text  # redraws when status_text changes)

    # --- app lifecycle ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.status_text = f"{self.ws.root.name} · coder {self.ws.coder} · counting…"
        first = self.start if self.spec(self.start) else self.specs[0].name
        self.switch_mode(first)
        self.refresh_status()
        self.run_worker(self._ensure_codebook, thread=True, group="codebook")
        if self.sample_import:
            self.run_worker(self._maybe_import_sample, thread=True, group="sample")
        self.set_timer(0.3, self._warm_up)
        from review.store.backup import is_read_only

        if is_read_only(self.ws.engine):
            self.notify(
                "The database is read-only: opened for reading; changes will be refused.",
                severity="warning",
                timeout=10,
            )
        from review.store.watch import ChangeWatcher

        self._watcher = ChangeWatcher(self.ws.engine)
        self._watcher.changed()  # the baseline: a write from now on is seen at the next poll
        self.set_interval(POLL_SECONDS, self._poll)
        if self.open_at is not None:
            self._open_at(*self.open_at)

    def _open_at(self, ref: str, start: int | None, end: int | None) -> None:
        """`review tui --open KEY --at START[:END]`: the Reader on that source, the span
        selected (an offset alone: the sentence there)."""
        from review.coding.codings import find_source

        try:
            with self.session() as s:
                source_id = pk(find_source(s, ref))
        except ReviewError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.open_source(source_id, start, end)

    def _warm_up(self) -> None:
        """Import the reader and coding services while the reviewer looks at the library, so
        the first source opens without that wait. (The timer may fire while the app closes,
        after the pool has shut down: then there is nothing to warm up.)"""
        try:
            self._pool.submit(
                _import_quietly, ["review.tui.screens.reader", "review.coding.suggest"]
            )
        except RuntimeError:  # "cannot schedule new futures after shutdown"
            return

    def _poll(self) -> None:
        """Every two seconds: has anything (another process included) written since? Then
        recount, and let the screen on view refresh what it lists."""
        self.run_worker(self._check_changes, thread=True, exclusive=True, group="poll")

    def _check_changes(self) -> None:
        if self._watcher is not None and self._watcher.changed():
            self.from_worker(self._changed_elsewhere)

    def _changed_elsewhere(self) -> None:
        from textual.app import ScreenStackError

        if not self.is_running:  # closing: the screen may have lost its widgets already
            return  # (a poll landing then failed with NoMatches on the Reader's text view)
        try:
            screen = self.screen
        except ScreenStackError:  # the app is closing: a poll landed after the last screen
            return
        self.refresh_status()
        hook = getattr(screen, "database_changed", None)
        if hook is not None:
            hook()

    def on_unmount(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._watcher is not None:
            self._watcher.close()

    def _ensure_codebook(self) -> None:
        """An empty code table gets the workspace's codebook (the coding service decides)."""
        from review.coding.codebook import ensure_codebook

        try:
            with self.session() as s:
                n = ensure_codebook(s, self.ws.codebook_path)
        except Exception as exc:  # a broken codebook file: say so, keep the app usable
            if isinstance(exc, ReviewError):
                line = str(exc)
            else:  # a bug: the toast names the log
                line = logs.internal_error(log, exc, "loading the codebook")
            self.call_from_thread(self.notify, f"codebook: {line}", severity="error")
            return
        if n:
            self.from_worker(self.refresh_status)

    def _maybe_import_sample(self) -> None:
        """First run on a workspace with an empty database and files in corpus/: import them."""
        from review.importers import first_run_paths

        with self.session() as s:
            paths = first_run_paths(s, self.ws.corpus)
        if paths:
            self.from_worker(self._start_sample_import, paths)

    async def _start_sample_import(self, paths: list) -> None:
        await self.action_go("import")
        screen = cast("ImportScreen", self.screen)  # the import mode's screen
        screen.start_import(paths, note="First run: importing the sample corpus")

    def action_help(self) -> None:
        from review.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "registry_name", None)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from self._screen_commands(screen)
        yield from super().get_system_commands(screen)
        for spec in self.specs:
            yield SystemCommand(
                f"Go to {spec.title}", spec.help or spec.title, partial(self._go_sync, spec.name)
            )
        yield SystemCommand("Help", "Every key of every screen", self.action_help)
        # (a second reviewer searched the palette for "coder" and found nothing): who the
        # workbench records decisions and codings as is fixed for the session
        said = (
            f"You are working as {self.ws.coder}: to work as another reviewer, start "
            "`review --coder NAME` (or set REVIEW_CODER) in a terminal of your own"
        )
        yield SystemCommand("Coder: who you are working as", said, partial(self.notify, said))

    def _screen_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action the current screen (and its focused widget) offers, with its key."""
        seen: set[str] = set()
        title = getattr(screen, "registry_name", None) or "this screen"
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action.startswith(("go(", "command_palette")):
                continue
            if binding.action in seen or active.node is self:
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{shown} · on {title}",
                partial(self._run_binding, active.node, binding.action),
            )

    def _run_binding(self, node, action: str) -> None:
        self.call_later(self.run_action, action, node)

    def _go_sync(self, name: str) -> None:
        self.run_worker(self.action_go(name))


def _make_screen(spec: ScreenSpec) -> Screen:
    """Build a registry screen on first use (its module is imported only now)."""
    return spec.screen()


def _import_quietly(modules: list[str]) -> None:
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S110 - a warm-up; the real import reports any error
            pass
    settle_heap()


def settle_heap() -> None:
    """Take what is alive now (the modules, the workbench, an index just built) out of the
    garbage collector's full walks (`gc.freeze`). On 100,000 sources such a walk over the
    fuzzy index and the imported libraries paused a keystroke for 100–120 ms about once
    every fourteen keys (`bench/tui_open.py`; none with the collector off). Objects frozen
    are still freed by reference counting; only cycles among them would stay."""
    import gc

    gc.freeze()
