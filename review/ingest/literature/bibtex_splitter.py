"""bibtexparser's splitter with a fast path for the fields of ordinary entries.

bibtexparser 2's `Splitter` walks every mark of the file (`{`, `}`, `,`, `=`, `"` and each
line break) one Python call at a time, about 60 marks an entry; that walk is three quarters
of `bibtexparser.parse_file` and of our BibTeX import. `FastSplitter` is the same splitter
(blocks, `@string`, `@preamble`, comments, failed blocks, duplicate keys and line numbers are
all its own code) except for the one step that costs most, an `{`-delimited entry's fields:
a field `name = {value}` or `name = word` followed by `,` or the entry's `}` is read with one
regular expression, braces inside the value are matched by a scan over the braces alone, and
line numbers by `str.count`.

Anything else in an entry — a `"quoted"` value, `#` concatenation, text after a value, a
block start (`@name{`) inside a value, an escaped delimiter, unusual whitespace, a
`(`-delimited entry — and the fast path gives up *before it changes anything*: the whole
entry is then read by bibtexparser's own code, so every entry ends up with exactly the
blocks, fields, values and line numbers bibtexparser gives (tests compare both on every
shared `.bib` file and on thousands of mutated entries).
"""

from __future__ import annotations

import re
from typing import Any, cast

from bibtexparser import splitter as _splitter
from bibtexparser.model import Field
from bibtexparser.splitter import Splitter

# The splitter internals the fast path relies on (bibtexparser 2.1's); without them (another
# release) every entry takes bibtexparser's own walk.
_MARK_PATTERN: re.Pattern | None = getattr(_splitter, "_MARK_PATTERN", None)

# `name =` after the comma that ends the key or the previous field. The name holds no mark
# (nor `@` or a backslash); only ASCII blanks around it (bibtexparser strips any whitespace;
# other kinds of it take the slow path).
_NAME = re.compile(r"[ \t\n]*([^\s{}\",=@\\]+)[ \t\n]*(=)[ \t\n]*")
# A bare value: a number or a macro name, no mark, `#`, `@` or backslash in it.
_BARE = re.compile(r"[^\s{}\",=@\\#]+")
# What ends a field: blanks, then `,` (another field may follow) or `}` (the entry's end).
_AFTER = re.compile(r"[ \t\n]*([,}])")
_END = re.compile(r"[ \t\n]*\}")
# The common field in one: a name, `=`, a `{value}` without braces, backslashes or `@` in it
# (or a bare word), then `,` or `}`.
_SIMPLE = re.compile(
    r"[ \t\n]*([^\s{}\",=@\\]+)[ \t\n]*(=)[ \t\n]*(\{[^{}@\\]*\}|[^\s{}\",=@\\#]+)[ \t\n]*([,}])"
)


def _close_of(text: str, start: int) -> int:
    """The index after the `}` that closes the `{` at `start`, or -1 for the slow path: no
    closing brace, a brace escaped by a backslash (bibtexparser does not count it), or an `@`
    in the value (which bibtexparser may take for the start of a block). `str.find` from
    brace to brace: a value's text between them is never looked at in Python."""
    find = text.find
    depth, i = 1, start + 1
    while True:
        close = find("}", i)
        if close < 0:
            return -1
        opening = find("{", i, close)
        if opening >= 0:
            if text[opening - 1] == "\\":
                return -1
            depth += 1
            i = opening + 1
            continue
        if text[close - 1] == "\\":
            return -1
        depth -= 1
        i = close + 1
        if depth == 0:
            return -1 if find("@", start, i) >= 0 else i


class FastSplitter(Splitter):
    """`bibtexparser.splitter.Splitter`, with the fast path above for entries' fields."""

    def _move_to_end_of_entry(self, first_key_start: int) -> tuple[list[Field], int, set[str]]:
        state: Any = self
        if (
            _MARK_PATTERN is not None
            and getattr(state, "_closing_delimiter", None) == "}"
            and getattr(state, "_unaccepted_mark", 0) is None
        ):
            done = self._fields_fast(first_key_start)
            if done is not None:
                return done
        return super()._move_to_end_of_entry(first_key_start)

    def _fields_fast(self, first_key_start: int) -> tuple[list[Field], int, set[str]] | None:
        """The entry's fields, its end index and repeated names, or None (nothing changed)
        when any part of it is not the simple form this reads."""
        text = self.bibstr
        count = text.count

        def lines(a: int, b: int) -> int:
            # line breaks bibtexparser counts: not one escaped by a backslash (not a mark)
            return count("\n", a, b) - count("\\\n", a, b)

        pos = first_key_start
        line = self._current_line
        fields: list[Field] = []
        names: set[str] = set()
        repeated: set[str] = set()
        append = fields.append
        simple = _SIMPLE.match
        while True:
            m = simple(text, pos)
            if m is not None:  # most fields: name, value and what ends it in one match
                eq = m.start(2)
                line += count("\n", pos, eq)  # (no backslash in it: every break counts)
                name = m.group(1)
                if name in names:
                    repeated.add(name)
                names.add(name)
                append(Field(name, m.group(3), line))
                pos = m.end()
                line += count("\n", eq, pos)
                if m.group(4) == "}":
                    return self._finish(fields, pos, line, repeated)
                continue
            end = _END.match(text, pos)
            if end is not None:  # `}` (after a trailing comma, or right after the key)
                return self._finish(fields, end.end(), line + lines(pos, end.end()), repeated)
            m = _NAME.match(text, pos)
            if m is None:
                return None
            line += lines(pos, m.start(2))  # a field's line is its `=`'s line
            field_line = line
            start = m.end()
            if text.startswith("{", start):
                stop = _close_of(text, start)
                if stop < 0:
                    return None
            else:
                bare = _BARE.match(text, start)
                if bare is None:
                    return None
                stop = bare.end()
            after = _AFTER.match(text, stop)
            if after is None:
                return None
            name = m.group(1)
            if name in names:
                repeated.add(name)
            names.add(name)
            append(Field(name, text[start:stop], field_line))
            line += lines(m.start(2), after.end())
            pos = after.end()
            if after.group(1) == "}":
                return self._finish(fields, pos, line, repeated)

    def _finish(
        self, fields: list[Field], end: int, line: int, repeated: set[str]
    ) -> tuple[list[Field], int, set[str]]:
        """Leave the splitter as its own walk would: the entry's `}` consumed, the line
        count at it, the marks resuming after it."""
        state: Any = self  # (bibtexparser's own attributes, typed loosely there)
        state._current_line = line
        state._current_char_index = end - 1
        state._markiter = cast(re.Pattern, _MARK_PATTERN).finditer(self.bibstr, end)
        return fields, end, repeated
