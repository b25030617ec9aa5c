"""Codebook exchange: REFI-QDA `.qdc` (what NVivo, ATLAS.ti, MAXQDA and QualCoder read) and CSV.

A `.qdc` Code has only a name, a colour, `isCodable`, a GUID and a free-text Description, so our
richer fields (when to use, when not to, example, keywords, shortcut) travel as labelled lines
at the end of the Description. Other tools show them as text; we read them back, so an export
re-imports identically. Parsing is pure (bytes/text in, specs and problems out); XML is parsed
with defusedxml (no entity expansion, no external entities).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from sqlmodel import Session

from review.coding.codebook import (
    SEP,
    CodebookError,
    CodeSpec,
    code_paths,
    dump_toml,
    parse_toml,
    specs_from_db,
    upsert_specs,
)
from review.ingest.textio import allow_csv_fields

NS = "urn:QDA-XML:codebook:1.0"
GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
SHORT_RGB = re.compile(r"^#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])$")
LABELS = {
    "When to use": "include",
    "When not to use": "exclude",
    "Example": "example",
    "Keywords": "keywords",
    "Shortcut": "shortcut",
}
LABEL_LINE = re.compile(r"^(When to use|When not to use|Example|Keywords|Shortcut): (.*)$")
CSV_COLUMNS = [
    "path",
    "definition",
    "include",
    "exclude",
    "example",
    "keywords",
    "colour",
    "shortcut",
    "codable",
    "guid",
]
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class CodebookProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- .qdc ---------------------------------------------------------------------------------------


def describe(spec: CodeSpec) -> str:
    parts = [spec.definition or ""]
    tail = []
    for label, attr in LABELS.items():
        value = getattr(spec, attr)
        if attr == "keywords":
            value = "; ".join(value)
        if value:
            tail.append(f"{label}: {' '.join(str(value).split())}")
    if tail:
        parts.append("\n".join(tail))
    return "\n\n".join(p for p in parts if p)


def undescribe(text: str | None, spec: CodeSpec) -> None:
    lines = (text or "").replace("\r\n", "\n").split("\n")
    body = []
    for line in lines:
        hit = LABEL_LINE.match(line.strip())
        if hit is None:
            body.append(line)
            continue
        attr = LABELS[hit.group(1)]
        value = hit.group(2).strip()
        if attr == "keywords":
            spec.keywords = [k.strip() for k in value.split(";") if k.strip()]
        elif attr == "shortcut":
            spec.shortcut = value[:1] or None
        else:
            setattr(spec, attr, value or None)
    spec.definition = "\n".join(body).strip() or None


def write_qdc(specs: list[CodeSpec], origin: str = "review") -> bytes:
    """A standalone REFI-QDA codebook: <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>…"""
    root = Element("CodeBook", {"xmlns": NS, "origin": origin})
    codes_el = SubElement(root, "Codes")
    nodes: dict[str, Element] = {}
    for spec in specs:
        parent = nodes[spec.parent_path] if spec.parent_path else codes_el
        attrs = {
            "guid": spec.guid or str(uuid.uuid4()).upper(),
            "name": spec.name,
            "isCodable": "true" if spec.codable else "false",
        }
        if spec.colour:
            attrs["color"] = spec.colour
        el = SubElement(parent, "Code", attrs)
        description = describe(spec)
        if description:
            SubElement(el, "Description").text = description
        nodes[spec.path] = el
    body = tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


MAX_DEPTH = 50  # real codebooks are a few levels deep


def parse_qdc(data: bytes, where: str = "codebook.qdc") -> tuple[list[CodeSpec], list]:
    """Read a `.qdc` (or the CodeBook inside a `.qdpx` project.qde): specs in tree order."""
    if len(data) > MAX_BYTES:
        raise CodebookError(f"{where}: larger than {MAX_BYTES // 2**20} MB")
    try:
        root = SafeET.fromstring(data)
    except SafeET.ParseError as exc:
        raise CodebookError(f"{where}: not well-formed XML: {exc}") from None
    except DefusedXmlException:  # entities, a DTD, an external reference
        from review.ingest.refi.qde import ENTITIES_REFUSED

        raise CodebookError(f"{where}: refused: {ENTITIES_REFUSED}") from None
    except Exception as exc:  # (anything else the parser raises)
        raise CodebookError(f"{where}: refused: {type(exc).__name__}: {exc}") from None
    local = _local(root.tag)
    if local == "Project":
        book = next((c for c in root if _local(c.tag) == "CodeBook"), None)
        if book is None:
            raise CodebookError(f"{where}: the project has no CodeBook")
        root = book
    elif local != "CodeBook":
        raise CodebookError(f"{where}: root element is <{local}>, expected <CodeBook>")
    codes = next((c for c in root if _local(c.tag) == "Codes"), None)
    if codes is None:
        raise CodebookError(f"{where}: <CodeBook> has no <Codes>")
    specs: list[CodeSpec] = []
    problems: list[CodebookProblem] = []
    seen: set[str] = set()

    def walk(el: Element, parent: str | None, depth: int = 1) -> None:
        if depth > MAX_DEPTH:  # hostile nesting: a clear refusal, not a RecursionError
            raise CodebookError(f"{where}: codes nested deeper than {MAX_DEPTH} levels")
        for child in el:
            if _local(child.tag) != "Code":
                continue
            name = (child.get("name") or "").strip()
            if not name:
                problems.append(CodebookProblem(where, "a <Code> without a name was skipped"))
                continue
            if SEP in name:
                problems.append(
                    CodebookProblem(where, f"code {name!r}: '/' replaced by '-' in the name")
                )
                name = name.replace(SEP, "-")
            path = f"{parent}{SEP}{name}" if parent else name
            if path.casefold() in seen:  # sibling names are unique ignoring case
                problems.append(CodebookProblem(where, f"duplicate code {path!r} skipped"))
                continue
            seen.add(path.casefold())
            spec = CodeSpec(path=path, codable=(child.get("isCodable", "true") != "false"))
            guid = GUID.match((child.get("guid") or "").strip())
            spec.guid = guid.group(1).upper() if guid else None
            spec.colour = _colour(child.get("color"))
            desc = next((d for d in child if _local(d.tag) == "Description"), None)
            undescribe(desc.text if desc is not None else None, spec)
            specs.append(spec)
            walk(child, path, depth + 1)

    walk(codes, None)
    if any(_local(c.tag) == "Sets" and len(c) for c in root):
        problems.append(CodebookProblem(where, "code sets are not imported (codes are)"))
    return specs, problems


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    short = SHORT_RGB.match(value)
    if short:
        return "#" + "".join(c * 2 for c in short.groups())
    return value if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else None


# --- CSV ----------------------------------------------------------------------------------------


def _safe_cell(value: str) -> str:
    """Neutralise formula injection: a cell starting = + - @ (or tab/CR) gets a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _unsafe_cell(value: str) -> str:
    return (
        value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value
    )


def write_csv(specs: list[CodeSpec]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in specs:
        row = [
            s.path,
            s.definition or "",
            s.include or "",
            s.exclude or "",
            s.example or "",
            "; ".join(s.keywords),
            s.colour or "",
            s.shortcut or "",
            "true" if s.codable else "false",
            s.guid or "",
        ]
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def parse_csv(
    text: str, where: str = "codebook.csv", existing: set[str] | frozenset = frozenset()
) -> tuple[list[CodeSpec], list]:
    """Rows with a `path` (or `name` + optional `parent`) column; bad rows are reported with
    their line and skipped, good rows are kept. A parent must be a row above or one of the
    `existing` code paths."""
    allow_csv_fields(len(text))  # (a long definition is a field, not "internal error")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise CodebookError(f"{where}: line 1: not a readable CSV: {exc}") from None
    header = [h.strip().lower() for h in (fieldnames or [])]
    reader.fieldnames = header
    if "path" not in header and "name" not in header:
        raise CodebookError(f"{where}: line 1: needs a `path` or `name` column")
    specs: list[CodeSpec] = []
    problems: list[CodebookProblem] = []
    seen: set[str] = set()
    there = {e.casefold() for e in existing}
    for row in _rows(reader, where):
        line = reader.line_num
        cell = {k: _unsafe_cell((v or "").strip()) for k, v in row.items() if k}
        path = cell.get("path") or SEP.join(p for p in (cell.get("parent"), cell.get("name")) if p)
        path = SEP.join(p.strip() for p in path.split(SEP))
        if not path or any(not p for p in path.split(SEP)):
            problems.append(CodebookProblem(f"{where}:{line}", "row without a code path skipped"))
            continue
        parent = path.rsplit(SEP, 1)[0] if SEP in path else None
        if parent and parent.casefold() not in seen and parent.casefold() not in there:
            problems.append(
                CodebookProblem(f"{where}:{line}", f"{path!r}: parent {parent!r} not defined above")
            )
            continue
        if path.casefold() in seen:  # sibling names are unique ignoring case
            problems.append(CodebookProblem(f"{where}:{line}", f"duplicate code {path!r} skipped"))
            continue
        colour = _colour(cell.get("colour") or cell.get("color"))
        if (cell.get("colour") or cell.get("color")) and colour is None:
            problems.append(CodebookProblem(f"{where}:{line}", f"{path!r}: bad colour ignored"))
        shortcut = cell.get("shortcut") or None
        if shortcut and len(shortcut) != 1:
            problems.append(CodebookProblem(f"{where}:{line}", f"{path!r}: shortcut ignored"))
            shortcut = None
        guid = GUID.match(cell.get("guid", ""))
        specs.append(
            CodeSpec(
                path=path,
                definition=cell.get("definition") or cell.get("description") or None,
                include=cell.get("include") or None,
                exclude=cell.get("exclude") or None,
                example=cell.get("example") or None,
                keywords=[k.strip() for k in cell.get("keywords", "").split(";") if k.strip()],
                colour=colour,
                shortcut=shortcut,
                codable=cell.get("codable", "true").lower() not in ("false", "0", "no"),
                guid=guid.group(1).upper() if guid else None,
            )
        )
        seen.add(path.casefold())
    return specs, problems


def _rows(reader: csv.DictReader, where: str):
    """The reader's rows; a row the csv module cannot read ends the file with a message."""
    try:
        yield from reader
    except csv.Error as exc:
        raise CodebookError(f"{where}: line {reader.line_num}: not a readable CSV: {exc}") from None


# --- files <-> database -------------------------------------------------------------------------


def _project_xml(data: bytes, path: Path) -> bytes:
    """The project.qde inside a .qdpx archive, read with a size limit (no extraction to disk,
    so no path traversal; a declared or actual size over the limit is refused)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [i for i in z.infolist() if i.filename.lower().endswith(".qde")]
            if not names:
                raise CodebookError(f"{path}: no project.qde in the archive")
            info = names[0]
            if info.file_size > MAX_BYTES:
                raise CodebookError(f"{path}: {info.filename} is larger than the limit")
            with z.open(info) as fh:
                body = fh.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise CodebookError(f"{path}: {info.filename} is larger than the limit")
            return body
    except zipfile.BadZipFile:
        raise CodebookError(f"{path}: not a .qdpx (zip) archive") from None


def detect(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".qdpx" or data[:4] == b"PK\x03\x04":
        return "qdpx"
    if suffix in (".qdc", ".xml", ".qde"):
        return "qdc"
    if suffix == ".toml":
        return "toml"
    if suffix == ".csv":
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"<"):
        return "qdc"
    if b"[[codes]]" in data[:20000] or head.startswith((b"#", b"[")):
        return "toml"
    return "csv"


def read_codebook_file(
    path: str | Path, existing: set[str] | frozenset = frozenset()
) -> tuple[list[CodeSpec], list[CodebookProblem]]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES * 4:
            raise CodebookError(f"{path}: too large for a codebook")
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read: {exc.strerror}") from None
    kind = detect(path, data)
    if kind == "qdpx":
        return parse_qdc(_project_xml(data, path), f"{path}:project.qde")
    if kind == "qdc":
        return parse_qdc(data, str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if kind == "toml":
        return parse_toml(text, str(path))[1], []
    return parse_csv(text, str(path), existing)


def import_codebook(session: Session, path: str | Path) -> dict:
    """Merge a codebook file (.qdc, .csv, .toml, or the codebook of a .qdpx project) into the
    database's codebook."""
    specs, problems = read_codebook_file(path, set(code_paths(session).values()))
    counts = upsert_specs(session, specs)
    return {**counts, "problems": [str(p) for p in problems]}


def export_codebook(session: Session, path: str | Path) -> int:
    """Write the database's codebook as .qdc, .csv or .toml (by extension)."""
    path = Path(path)
    specs = specs_from_db(session)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        data = write_qdc(specs)
    elif suffix == ".csv":
        data = write_csv(specs).encode("utf-8")
    elif suffix == ".toml":
        data = dump_toml({"name": "Codebook"}, specs).encode("utf-8")
    else:
        raise CodebookError(f"{path}: unknown codebook format (use .qdc, .csv or .toml)")
    try:
        path.write_bytes(data)
    except OSError as exc:  # a missing folder or no permission: one line, not a traceback
        raise CodebookError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return len(specs)
