"""Storage layer: SQLModel tables, engine and sessions, schema migrations.

Nothing here imports the interfaces (CLI, TUI); `tests/test_layers.py` guards that.
"""
