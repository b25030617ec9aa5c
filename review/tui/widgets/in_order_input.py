"""A text field whose own keys act in the order they were typed.

Textual runs a widget's key bindings (an `Input`'s ctrl+u, backspace, the arrows, enter) only
when the key has bubbled back up to the app, while a letter is inserted as soon as the field
takes it. Keys that arrive together — a fast typist, a paste of keys, `tmux send-keys C-u
'comm' Enter` — were therefore applied out of order: ctrl+u ran after "comm" had been typed
behind it and wiped that too, so enter in the code picker applied the first code of the empty
list. `InOrderInput` runs its own bindings the moment the key reaches it, in line with the
letters around it; other keys bubble on as before.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class InOrderInput(Input):
    """An `Input` (same messages, same keys) whose bound keys act in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # Input inserts it, in order already
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.node is not self or not active.enabled:
            return  # not this field's key: it bubbles to the screen and the app as before
        if active.binding.priority:
            return  # (run by the app before the key reached the field)
        event.stop()
        event.prevent_default()
        await self.run_action(active.binding.action)
