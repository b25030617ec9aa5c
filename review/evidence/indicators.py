"""Survey indicators: read CSV/XLSX tables (long or wide form), store them, link evidence to them.

Why a parser of our own rather than pandas: survey tables from agencies mix "58%", "0,58",
"n/a", trailing spaces and cp1252 headers, and a review team needs every rejected row named
(row number and reason), not a dtype error. Parsing is pure (rows in, `IndicatorRow`s and
problems out); `store_rows` writes them in one bulk insert; links are plain functions.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlmodel import Session, col, select

from review.errors import UsageError
from review.ingest import zipcheck
from review.ingest.sources import key_is, normal_key
from review.ingest.textio import allow_csv_fields, decode, sniff_delimiter
from review.store import models as m

FIELDS = ("name", "measure", "sector", "area", "year", "value", "unit", "n", "ci", "ci_low",
          "ci_high", "source", "note")  # fmt: skip
MISSING = {"", "n/a", "na", "n.a.", "-", "–", "—", "..", ".", "nan", "null", "none", "x", "*"}

# Header synonyms (normalised: lower case, straight quotes, single spaces).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("indicator", "indicator name", "name", "item", "question", "variable"),
    "measure": ("measure", "metric", "statistic", "measure type"),
    "sector": ("sector", "service", "service area", "policy area", "domain"),
    "area": ("area", "country", "country/area", "region", "geography", "location", "place"),
    "year": ("year", "survey year", "period", "wave"),
    "value": ("value", "score", "estimate", "result", "percentage", "percent", "%", "index"),
    "unit": ("unit", "units"),
    "n": ("n", "sample size", "sample", "base", "respondents", "sample n", "unweighted base"),
    "ci": ("ci", "confidence interval", "95% ci", "ci 95%", "95 % ci"),
    "ci_low": ("ci low", "ci lower", "lower ci", "lower", "lcl", "ci_low", "lower bound"),
    "ci_high": ("ci high", "ci upper", "upper ci", "upper", "ucl", "ci_high", "upper bound"),
    "source": ("source", "citation", "cite key", "citekey", "reference", "ref", "source key"),
    "note": ("note", "notes", "comment", "comments", "remarks"),
}
_LOOKUP = {syn: f for f, syns in SYNONYMS.items() for syn in syns}
COUNTRIES = {
    "austria", "belgium", "bulgaria", "croatia", "cyprus", "czech republic", "czechia",
    "denmark", "estonia", "finland", "france", "germany", "greece", "hungary", "ireland",
    "italy", "latvia", "lithuania", "luxembourg", "malta", "netherlands", "poland",
    "portugal", "romania", "slovakia", "slovenia", "spain", "sweden", "united kingdom", "uk",
    "england", "scotland", "wales", "northern ireland", "norway", "switzerland", "iceland",
    "united states", "usa", "us", "canada", "australia", "new zealand", "japan", "eu", "eu5",
    "all", "total", "overall",
}  # fmt: skip
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass
class IndicatorRow:
    """One parsed value, with the spreadsheet row it came from."""

    row: int
    name: str
    measure: str | None = None
    sector: str | None = None
    area: str | None = None
    year: int | None = None
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str | None = None
    note: str | None = None


@dataclass
class ParseResult:
    rows: list[IndicatorRow] = field(default_factory=list)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)  # row, msg, sev
    form: str = "long"
    records: int = 0


def norm_header(text: object) -> str:
    """Lower case, NFC, straight quotes, no trailing spaces: how headers are compared."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = s.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
    s = s.replace("\u201d", '"').replace("\u00a0", " ")
    return " ".join(s.split()).lower()


def parse_number(text: str) -> float:
    """'61', '58%', '0,58', '4,951', '1.234,5', '−3' -> float; ValueError when not a number."""
    s = text.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    s = s.rstrip("%").strip()
    if not s:
        raise ValueError(text)
    if "," in s and "." in s:  # the later one is the decimal mark
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        head, _, tail = s.rpartition(",")
        thousands = s.count(",") > 1 or (len(tail) == 3 and head.lstrip("-+") not in ("", "0"))
        s = s.replace(",", "") if thousands else s.replace(",", ".")
    return float(s)


def parse_value(text: object) -> tuple[float | None, str | None, str | None]:
    """A cell -> (value, value as written, unit implied by it). Raises ValueError if garbage."""
    if text is None:
        return None, None, None
    if isinstance(text, bool):
        raise ValueError(str(text))
    if isinstance(text, int | float):
        return float(text), _fmt(text), None
    raw = str(text).strip()
    if raw.lower() in MISSING:
        return None, raw or None, None
    unit = "%" if raw.endswith("%") else None
    return parse_number(raw), raw, unit


def parse_ci(text: str) -> tuple[float, float]:
    """'58-64', '58–64', '[58, 64]', '(0,55; 0,61)' -> (low, high)."""
    s = text.strip().strip("[]()").replace("–", ";").replace("—", ";").replace(" to ", ";")
    parts = [p for p in re.split(r";|\s+|(?<=\d)-(?=\d)|,\s", s) if p.strip()]
    if len(parts) != 2:
        raise ValueError(text)
    low, high = parse_number(parts[0]), parse_number(parts[1])
    if low > high:
        raise ValueError(text)
    return low, high


def _fmt(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


MAX_XLSX_BYTES = 256 * 1024 * 1024  # the workbook inflated (all members)
MAX_CELLS = 5_000_000  # cells read from one sheet (a survey table has thousands)


class TableError(ValueError):
    """The table cannot be read (damaged or refused workbook); one line."""


def read_table(data: bytes, filename: str, sheet: str | None = None) -> list[list[object]]:
    """Rows of a CSV/TSV (any encoding we read) or the first (or named) XLSX sheet.

    A workbook is checked before openpyxl sees it (size once inflated, inflation ratio,
    members: `review.ingest.zipcheck`), and whatever openpyxl or lxml raise on a damaged
    one is a TableError "damaged .xlsx sheet N: …"."""
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, sheet)
    text = decode(data).text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text[:4096], ",;\t|")
    allow_csv_fields(len(text))
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes, sheet: str | None) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        zipcheck.open_zip(data, ".xlsx", max_bytes=MAX_XLSX_BYTES)
    except zipcheck.ArchiveError as exc:
        raise TableError(str(exc)) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and lxml raise a dozen types on a broken workbook
        raise TableError(f"damaged .xlsx: {_why(exc)}") from None
    try:
        if sheet and sheet not in wb.sheetnames:
            # ValueError: the importer reports it as a failed file, which a retry with
            # the right --sheet may import (a UsageError surfaced as "could not import")
            raise TableError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        if not wb.worksheets:
            raise TableError("damaged .xlsx: the workbook has no sheet")
        number = wb.sheetnames.index(sheet) + 1 if sheet else 1
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows: list[list[object]] = []
        cells = 0
        try:
            for row in ws.iter_rows():
                rows.append([_xlsx_value(c) for c in row])
                cells += len(row)
                if cells > MAX_CELLS:
                    raise TableError(f"refused: .xlsx sheet {number} has over {MAX_CELLS:,} cells")
        except TableError:
            raise
        except Exception as exc:
            raise TableError(f"damaged .xlsx sheet {number}: {_why(exc)}") from None
        return rows
    finally:
        try:
            wb.close()
        except Exception:  # (closing a damaged archive may raise again: nothing to keep)
            pass


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _xlsx_value(cell) -> object:
    """A cell's value; a number shown as a percentage (0.58 formatted '0%') becomes '58%'."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
        return f"{round(value * 100, 10):g}%"
    return value


def classify_headers(
    headers: list[object], mapping: dict[str, str] | None = None
) -> tuple[dict[int, str], list[int], list[int]]:
    """Map column index -> field; also the year-like and area-like (wide form) columns."""
    mapping = {norm_header(k): v for k, v in (mapping or {}).items()}
    fields: dict[int, str] = {}
    years, areas = [], []
    for i, h in enumerate(headers):
        key = norm_header(h)
        target = mapping.get(key) or _LOOKUP.get(key)
        if target == "ignore":
            continue
        if target == "indicator":
            target = "name"
        if target in ("country",):
            target = "area"
        if target and target not in fields.values():
            if target not in FIELDS:
                raise UsageError(f"mapping: unknown field {target!r} (known: {', '.join(FIELDS)})")
            fields[i] = target
        elif _YEAR.match(key):
            years.append(i)
        elif key in COUNTRIES:
            areas.append(i)
    if "name" not in fields.values() and "measure" in fields.values():
        idx = next(i for i, f in fields.items() if f == "measure")
        fields[idx] = "name"  # a table with only "Measure" names its indicators there
    return fields, years, areas


def parse_rows(
    table: list[list[object]],
    mapping: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
) -> ParseResult:
    """Long form (a value column) or wide form (years or countries as columns) -> rows."""
    res = ParseResult()
    start = next((i for i, r in enumerate(table) if any(_cell(c) for c in r)), None)
    if start is None:
        res.problems.append((None, "empty table", "error"))
        return res
    headers = table[start]
    fields, years, areas = classify_headers(headers, mapping)
    aliases = {"indicator": "name", "country": "area"}
    defaults = {aliases.get(k, k): v for k, v in (defaults or {}).items()}
    names = set(fields.values()) | set(defaults)
    if "name" not in names:
        res.problems.append(
            (start + 1, "no indicator column (map one with --map HEADER=indicator)", "error")
        )
        return res
    wide = "value" not in names
    if wide and not (years or areas):
        res.problems.append(
            (start + 1, "no value column and no year or country columns "
             "(map one with --map HEADER=value)", "error")
        )  # fmt: skip
        return res
    res.form = "wide" if wide else "long"
    wide_cols = [(i, "year") for i in years] + [(i, "area") for i in areas]
    ignored = [
        str(headers[i]).strip()
        for i in range(len(headers))
        if i not in fields and (not wide or i not in dict(wide_cols)) and _cell(headers[i])
    ]
    if ignored:
        res.problems.append((start + 1, f"columns ignored: {', '.join(ignored)}", "warning"))
    for offset, raw in enumerate(table[start + 1 :], start=start + 2):
        if not any(_cell(c) for c in raw):
            continue
        res.records += 1
        base = {f: _cell(raw[i]) if i < len(raw) else "" for i, f in fields.items()}
        for k, v in defaults.items():
            if not base.get(k):
                base[k] = v
        if wide:
            for i, kind in wide_cols:
                cell = raw[i] if i < len(raw) else None
                if _cell(cell) == "":
                    continue
                cells = dict(base, value=cell)
                cells[kind] = norm_header(headers[i]) if kind == "year" else str(headers[i]).strip()
                _one(res, offset, cells)
        else:
            _one(res, offset, base)
    return res


def _cell(v: object) -> str:
    return "" if v is None else str(v).strip()


def _one(res: ParseResult, row: int, cells: dict) -> None:
    """Turn one row's cells into an IndicatorRow, or record why not."""
    name = _cell(cells.get("name"))
    if not name:
        res.problems.append((row, "no indicator name", "error"))
        return
    try:
        value, written, unit = parse_value(cells.get("value"))
    except ValueError:
        res.problems.append((row, f"value {_cell(cells.get('value'))!r} is not a number", "error"))
        return
    out = IndicatorRow(row=row, name=name, value=value, value_text=written)
    out.unit = _cell(cells.get("unit")) or unit
    for f in ("measure", "sector", "area", "source", "note"):
        setattr(out, f, _cell(cells.get(f)) or None)
    for f in ("year", "n", "ci", "ci_low", "ci_high"):
        raw = _cell(cells.get(f))
        if not raw:
            continue
        try:
            if f == "year":
                match = re.match(r"^((?:19|20)\d\d)(?:\b|[-/ ]|$)", raw)
                if not match:
                    raise ValueError(raw)
                out.year = int(match.group(1))
            elif f == "n":
                out.n = int(parse_number(raw))
                if out.n < 0:  # a sample size below zero is a typo or a shifted column
                    raise ValueError(raw)
            elif f == "ci":
                out.ci_low, out.ci_high = parse_ci(raw)
            else:
                setattr(out, f, parse_number(raw))
        except ValueError:
            what = {"ci": "confidence interval", "ci_low": "CI lower bound",
                    "ci_high": "CI upper bound"}.get(f, f)  # fmt: skip
            res.problems.append((row, f"{what} {raw!r} is not valid", "error"))
            return
    res.rows.append(out)


def load_mapping(text: str) -> dict[str, str]:
    """A mapping file: `Header = field` lines (TOML-like; '#' comments) or a JSON object."""
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            return {str(k): str(v) for k, v in json.loads(text).items()}
        except ValueError as exc:  # a broken JSON mapping file: one line, not a traceback
            raise UsageError(f"mapping file is not a JSON object: {exc}") from exc
    out = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            continue
        if "=" not in line:
            raise UsageError(f"mapping line {lineno}: expected 'Header = field'")
        k, v = (p.strip().strip('"').strip("'") for p in line.split("=", 1))
        out[k] = v
    return out


def check_options(mapping: dict[str, str], defaults: dict[str, str]) -> None:
    """Refuse unknown fields in --map/--mapping targets and --set names before any file is read.

    Why here: an unknown --set field was silently dropped, and an unknown --map target only
    failed inside the import (an exception class in the report, exit 1, not a usage error).
    """
    known = (*FIELDS, "indicator", "country")
    bad = [f"--map target {v!r}" for v in mapping.values() if v not in (*known, "ignore")]
    bad += [f"--set field {k!r}" for k in defaults if k not in known]
    if bad:
        raise UsageError(
            f"unknown {', '.join(bad)} (fields: {', '.join(known)}; --map also ignore)"
        )


def parse_pairs(pairs: Iterable[str], what: str) -> dict[str, str]:
    """`HEADER=field` options from the command line."""
    out = {}
    for p in pairs:
        if "=" not in p:
            raise UsageError(f"{what} {p!r}: expected NAME=VALUE")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def store_rows(
    session: Session, rows: list[IndicatorRow], batch_id: int | None
) -> tuple[int, list[str]]:
    """Bulk-insert parsed rows; link each to its literature source by cite key (or DOI)."""
    keys = sorted({normal_key(r.source) for r in rows if r.source})
    found: dict[str, int] = {}
    if keys:
        for sid, key, doi in session.exec(
            select(col(m.Source.id), col(m.Source.key), col(m.Source.doi)).where(
                (col(m.Source.key).in_(keys)) | (col(m.Source.doi).in_(keys))
            )
        ).all():
            assert sid is not None  # a stored row's primary key
            found[key] = sid
            if doi:
                found[doi] = sid
    missing = [k for k in keys if k not in found]
    values = []
    for r in rows:
        ref = normal_key(r.source) if r.source else None
        pending = ref if ref and ref not in found else None
        values.append(
            dict(name=r.name, measure=r.measure, sector=r.sector, area=r.area, year=r.year,
                 value=r.value, value_text=r.value_text, unit=r.unit, n=r.n, ci_low=r.ci_low,
                 ci_high=r.ci_high, source_id=found.get(ref or ""), batch_id=batch_id,
                 note=r.note, pending_source=pending)
        )  # fmt: skip
    if values:
        session.execute(insert(m.Indicator), values)
    return len(values), missing


def relink_sources(session: Session) -> list[tuple[int, str]]:
    """Link indicators imported before their literature record: (indicator id, key) linked."""
    done: list[tuple[int, str]] = []
    rows = session.exec(
        select(m.Indicator).where(
            col(m.Indicator.source_id).is_(None), col(m.Indicator.pending_source).is_not(None)
        )
    ).all()
    for ind in rows:
        key = ind.pending_source
        assert key is not None  # the query's filter
        src = session.exec(
            select(col(m.Source.id)).where(
                key_is(key) | (col(m.Source.doi) == key),
                col(m.Source.merged_into_id).is_(None),
            )
        ).first()
        if src is None:
            continue
        ind.source_id, ind.pending_source = src, None
        session.add(ind)
        assert ind.id is not None  # a stored row
        done.append((ind.id, key))
    session.flush()
    return done


def pending_source(ind: m.Indicator) -> str | None:
    """The cite key an unlinked indicator names (not yet in the workspace), if any."""
    return ind.pending_source if ind.source_id is None else None
