"""Survey indicator tables (CSV/TSV/XLSX, long or wide form) in `review import`.

Detected by headers: an indicator/measure column plus a value column or year/country columns.
Mapping and fixed values come from `ctx.options` (`indicator_mapping`, `indicator_set`,
`indicator_sheet`) when `review indicators import` is used.
"""

from __future__ import annotations

from pathlib import Path

from review.evidence.indicators import classify_headers, parse_rows, read_table, store_rows
from review.ingest.pipeline import Format, ImportContext, ImportFailed

_EXTS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def detect(path: Path, data: bytes) -> int:
    """60 when the header row names an indicator and values (or years/countries)."""
    if not path.name.lower().endswith(_EXTS) or not data.strip():
        return 0
    if data[:2] == b"PK" and not path.name.lower().endswith((".xlsx", ".xlsm")):
        return 0
    try:
        rows = read_table(data if data[:2] == b"PK" else data[:8192], path.name)
    except Exception:
        return 0
    head = next((r for r in rows if any(c not in (None, "") for c in r)), None)
    if not head or len(head) < 2:
        return 0
    fields, years, areas = classify_headers(head)
    named = "name" in fields.values()
    valued = "value" in fields.values() or years or areas
    return 60 if named and valued else 0


def load(ctx: ImportContext) -> None:
    opts = ctx.options
    try:
        table = read_table(ctx.data, ctx.path.name, opts.get("indicator_sheet"))
    except (ValueError, KeyError, OSError) as exc:
        raise ImportFailed(f"cannot read table: {exc}") from exc
    res = parse_rows(table, opts.get("indicator_mapping"), opts.get("indicator_set"))
    for row, message, severity in res.problems:
        ctx.problem(row, message, severity)
    n, missing = store_rows(ctx.session, res.rows, ctx.batch.id)
    for key in missing:
        ctx.warn(None, f"source {key!r} is not in the workspace: indicators kept unlinked "
                 "(import the literature first)")  # fmt: skip
    ctx.report.imported = n
    ctx.report.skipped = sum(1 for _, _, sev in res.problems if sev == "error")
    # counted in indicators like `imported` (a wide table's row holds one per year/area
    # column: "540 of 108 records imported" read as nonsense); the rows go in the message
    ctx.report.records = len(res.rows) + ctx.report.skipped
    if res.records != ctx.report.records:
        ctx.report.message = f"{res.records} table rows, {len(res.rows)} indicator values"
    ctx.progress(n, n)


FORMAT = Format(
    "indicators",
    detect,
    load,
    order=60,
    archives=True,
    description="survey indicator table (CSV/XLSX, long or wide)",
)
