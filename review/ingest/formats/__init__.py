"""Input formats, one module each; a module declares `FORMAT = Format(...)` (or `FORMATS`).

Parsers are pure (bytes/text in, plain records and problems out); `load(ctx)` stores them.
"""
