"""The Textual workbench: `review` (or `review tui`) opens it on the workspace.

Thin on purpose: screens call the same service functions as the CLI and add no logic of
their own. Screens are modules in `review/tui/screens/` (see that package's docstring).
"""
