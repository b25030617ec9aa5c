"""Text fields whose own keys act in the order they were typed.

Textual runs a widget's key bindings (an `Input`'s ctrl+u, backspace, the arrows, enter) only
when the key has bubbled back up to the app, while a letter is inserted as soon as the field
takes it. Keys that arrive together — a fast typist, `tmux send-keys C-u 'comm' Enter` — were
therefore applied out of order: ctrl+u ran after "comm" had been typed behind it and wiped that
too, so enter in the code picker applied the first code of the empty list. These fields run
their own bindings the moment the key reaches them, in line with the letters around them;
other keys bubble on as before (a dialog's own keys, such as ctrl+s, then run after the
letters typed before them, so they must not be priority bindings, which run before).
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea


class InOrderKeys:
    """Mixed into a text widget (before it): its bound keys act when they reach it, in the
    order typed. (Not a Widget itself: Textual merges a widget's component classes only along
    its widget bases.)"""

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # the widget inserts it, in order already
        me = cast(Widget, self)
        active = me.screen.active_bindings.get(event.key)
        if active is None or active.node is not me or not active.enabled:
            return  # not this widget's key: it bubbles to the screen and the app as before
        if active.binding.priority:
            return  # (run by the app before the key reached the widget)
        event.stop()
        event.prevent_default()
        await me.run_action(active.binding.action)


class InOrderInput(InOrderKeys, Input):
    """An `Input` (same messages, same keys) whose bound keys act in the order typed."""


class InOrderTextArea(InOrderKeys, TextArea):
    """A `TextArea` (same messages, same keys) whose bound keys act in the order typed."""
