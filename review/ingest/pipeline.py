"""The import pipeline: find files, detect each one's format from its content, load it as one
transaction, and report what could not be read (file, line, why) without losing the rest.

A format is a module that declares `FORMAT = Format(...)` with a `detect` score and a
`load(ctx)` that writes through `ctx.session`. The formats of this stage live in
`review/ingest/formats/`; formats that make codes or indicators live with the stage that owns
them, and `review.importers` gathers them all. This module takes the list it is given, so it
never imports a stage above it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from review import collector, logs
from review.errors import BusyError
from review.ingest import textio
from review.ingest.sources import named_database
from review.store import faults
from review.store import models as m
from review.store.db import serialise, session_scope
from review.store.models import utcnow

log = logging.getLogger(__name__)

SKIP_NAMES = {"readme.md", "readme.txt", "readme", ".gitkeep", "thumbs.db", ".ds_store"}
SKIP_SUFFIXES = {".py", ".pyc"}  # helper scripts kept beside sample data (make_docx.py)
MAX_BYTES = 512 * 1024 * 1024


@dataclass
class Problem:
    """Something in an input file that could not be taken as it was."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # error: the record was not imported; warning: it was
    record: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" [{self.record}]" if self.record else ""
        return f"{where}: {self.severity}: {self.message}{what}"


@dataclass
class FileReport:
    """What happened to one file: the `--json` report and the TUI's import summary."""

    file: str
    format: str | None = None
    status: str = "imported"  # imported, partial, unchanged, rejected, failed
    records: int = 0
    imported: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    message: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "unchanged") and not self.errors

    def summary(self) -> str:
        """One line: "fg1.txt: transcript-text: imported, 1 of 1 records imported — transcript
        'fg1': 7 turns, 3 speakers, 23 passages" (the CLI prints it; the workbench's import
        report shows it for the highlighted file)."""
        line = f"{self.file}: {self.format + ': ' if self.format else ''}{self.status}"
        if self.records or self.imported:
            line += f", {self.imported} of {self.records} records imported"
        if self.skipped:
            line += f", {self.skipped} skipped"
        if self.message:
            line += f" — {self.message}"
        return line

    def to_dict(self) -> dict:
        doc = asdict(self)
        doc["problems"] = [
            {k: v for k, v in asdict(p).items() if k != "file"} for p in self.problems
        ]
        return doc


class ImportFailed(Exception):
    """A whole file cannot be read (encrypted PDF, not a zip, ...): nothing of it is kept."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class NoRecords(ImportFailed):
    """The file holds no record of the format it is read as (a text file or an RIS export
    given `--format bibtex`): nothing of it is kept, and `import_file` says so in one form
    for every format — "no BibTeX entry found in FILE (why)" — with the format its content
    looks like, if another one claims it (`no_records_message`)."""

    def __init__(self, what: str, why: str | None = None, line: int | None = None):
        super().__init__(f"no {what} found" + (f" ({why})" if why else ""), line)
        self.what = what
        self.why = why


def no_records_message(
    exc: NoRecords,
    path: Path,
    data: bytes,
    fmt: Format,
    candidates: Sequence[Format],
    forced: bool,
) -> str:
    """ "no BibTeX entry found in x.ris (...); it looks like RIS (.ris) (ris): import it
    without --format" — the file named, and what its content reads as if another format
    claims it (`--format NAME` forced the one that found nothing)."""
    message = f"no {exc.what} found in {shown(path.name)}"
    if exc.why:
        message += f" ({exc.why})"
    other = detect(path, data, [c for c in candidates if c.name != fmt.name])
    if other is not None:
        how = "without --format" if forced else f"with --format {other.name}"
        label = (other.description or other.name).split(":")[0]  # "RIS (.ris)"
        message += f"; it looks like {label} ({other.name}): import it {how}"
    return message


@dataclass
class ImportContext:
    """What a format's `load` gets: the file, the session (one transaction) and the report."""

    session: Session
    path: Path
    data: bytes
    batch: m.ImportBatch
    report: FileReport
    strict: bool = False
    options: dict = field(default_factory=dict)
    progress: Callable[[int, int | None], None] = lambda done, total: None

    @property
    def file(self) -> str:
        return shown(self.path)

    def problem(
        self, line: int | None, message: str, severity: str = "error", record: str | None = None
    ) -> None:
        self.report.problems.append(Problem(self.file, line, message, severity, record))

    def warn(self, line: int | None, message: str, record: str | None = None) -> None:
        self.problem(line, message, "warning", record)

    def read_text(self) -> textio.Decoded:
        """The file decoded and normalised (`textio.read_text`); bytes that were not what
        their byte-order mark said are a warning naming the first bad byte."""
        decoded = textio.read_text(self.data)
        if decoded.notice:  # (file:line: warning: …, as every other problem)
            self.warn(decoded.line, decoded.notice)
        if decoded.nuls:
            self.warn(
                decoded.nul_line,
                f"{decoded.nuls:,} NUL byte(s) removed (the first on this line): they are no text",
            )
        return decoded


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[Path, bytes], int]  # 0: not mine; higher: more sure (100 = certain)
    load: Callable[[ImportContext], None]
    order: int = 50  # import order within one run (literature before PDFs and participants)
    description: str = ""
    archives: bool = False  # it reads a zip container (.docx, .xlsx, .qdpx): see `detect`


def stage_formats() -> list[Format]:
    """Every format module in `review.ingest.formats` that declares `FORMAT` (or `FORMATS`)."""
    import review.ingest.formats as pkg

    return formats_in(pkg)


def formats_in(pkg) -> list[Format]:
    """The formats declared by the modules of one package, by module name."""
    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if fmt is not None:
            found.append(fmt)
        found.extend(getattr(module, "FORMATS", ()))
    return found


def detect(
    path: Path, data: bytes, candidates: Sequence[Format], wanted: str | None = None
) -> Format | None:
    """The format that claims the file most surely (or the one named by `wanted`)."""
    if wanted:
        by_name = {f.name: f for f in candidates}
        if wanted not in by_name:
            names = ", ".join(sorted(by_name))
            raise ValueError(f"unknown format {wanted!r} (known: {names})")
        return by_name[wanted]
    if is_archive(data):  # only a format that reads one: RIS lines inside a stored zip are
        candidates = [f for f in candidates if f.archives]  # not an RIS file
    elif b"\r" in data[:DETECT_HEAD] and b"\n" not in data[:DETECT_HEAD]:
        # old Mac line ends (EndNote, Excel's "CSV (Macintosh)"): lines for the detectors'
        # `^TY  - `, `^@article{`, ... as reading the text gives them (`textio.read_text`)
        data = data.replace(b"\r", b"\n")
    scored = [(s, f) for f in candidates if (s := _score(f, path, data)) > 0]
    if not scored:
        return None
    return max(scored, key=lambda sf: sf[0])[1]


DETECT_HEAD = 65536  # bytes looked at for the line ends
ARCHIVES = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")  # zip, gzip, 7z, rar


def is_archive(data: bytes) -> bool:
    """Whether the bytes are a compressed archive (a zip of exports, a .gz)."""
    return data.startswith(ARCHIVES)


def _score(fmt: Format, path: Path, data: bytes) -> int:
    """How surely `fmt` claims the file; a detector that raises is a bug, logged, and counts
    as "not mine" so one odd file never stops a folder import (nor reads as a usage error)."""
    try:
        return fmt.detect(path, data)
    except Exception as exc:
        logs.log_bug(log, exc, f"format {fmt.name} failed to detect {shown(path)}")
        return 0


def shown(path: str | Path) -> str:
    """A path as text that can be printed and stored: a name that is not valid in the file
    system's encoding (undecodable bytes) keeps its readable part, the rest as U+FFFD."""
    raw = str(path)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return raw


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files under the given paths (folders recursively), skipping hidden files and READMEs."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            before = len(files)
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p).parts
                if any(part.startswith(".") for part in rel):
                    continue
                if child.is_file():
                    name = child.name.lower()
                    if name not in SKIP_NAMES and child.suffix.lower() not in SKIP_SUFFIXES:
                        files.append(child)
                elif child.is_symlink() and not child.exists():  # not silently nothing
                    problems.append(Problem(shown(child), None, _not_readable(child)))
            if len(files) == before:  # a mistyped or empty folder: not silently nothing
                why = "no files to import in this folder (hidden files and READMEs are skipped)"
                problems.append(Problem(shown(p), None, why))
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(shown(p), None, _not_readable(p)))
    return files, problems


# XML and HTML files people take for exports, and what to do instead (what a reader needs
# more than "format not recognised").
_MARKUP = (
    (b"<pubmedarticleset", "PubMed XML, which is not read: save the search as PubMed (.nbib)"),
    (b"<records><record>", "EndNote XML, which is not read: export the library as RIS"),
    (b"<html", "a web page (HTML), not an export: save the results as RIS, BibTeX or CSV"),
)


def markup(data: bytes) -> str | None:
    """For bytes that are an XML document or a web page, why they are not imported and what
    to export instead (a saved results page, EndNote's or PubMed's XML); else None. The
    plain-text reader asks too, so `savedrecs.txt` holding a sign-in page is no document."""
    head = textio.read_text(data[:4096]).text.lower().encode("utf-8", "replace").lstrip()
    if not head.startswith((b"<?xml", b"<!doctype", b"<html", b"<xml")):
        return None
    flat = b"".join(head.split())  # (EndNote writes `<records><record>` with or without
    for needle, what in _MARKUP:  # line breaks between them)
        if needle in flat:
            return what
    return "format not recognised: XML of no format read here (import RIS, BibTeX or CSV)"


def unrecognised(data: bytes) -> str:
    """The message for text no format claims (see `markup`)."""
    return markup(data) or "format not recognised"


def _not_readable(p: Path) -> str:
    """Why a path that is neither a file nor a folder gives nothing: a link whose target is
    gone (a moved export), a pipe or device (reading it would wait forever), or nothing."""
    if p.is_symlink():
        try:
            target = shown(os.readlink(p))
        except OSError:
            target = "a file"
        return f"a link to {target}, which is not there"
    if p.exists():
        return "not a regular file (a pipe, socket or device): nothing to import"
    return "no such file or folder"


# Options that say who and where, not how to read the file: they do not make a re-import new
# (the same search file named with --database or without is the same search, imported once).
_IDENTITY_OPTIONS = {"coder", "workspace", "database"}


def fingerprint(data: bytes, options: dict | None = None) -> str:
    """The file's SHA-256; with reading options (a column mapping, a sheet), of both, so the
    same file read another way is a new import, not "already imported"."""
    h = hashlib.sha256(data)
    reading = {k: v for k, v in (options or {}).items() if k not in _IDENTITY_OPTIONS and v}
    if reading:
        h.update(b"\0" + json.dumps(reading, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()


def already_imported(session: Session, sha: str, fmt: str) -> m.ImportBatch | None:
    """An earlier import of the same file that landed something (a file that imported nothing
    may be tried again, e.g. with a column mapping)."""
    return session.exec(
        select(m.ImportBatch).where(
            col(m.ImportBatch.sha256) == sha,
            col(m.ImportBatch.format) == fmt,
            col(m.ImportBatch.status).in_(("imported", "partial")),
            col(m.ImportBatch.n_imported) > 0,
        )
    ).first()


def import_file(
    engine: Engine,
    path: Path,
    candidates: Sequence[Format],
    *,
    strict: bool = False,
    fmt: Format | None = None,
    options: dict | None = None,
    progress: Callable[[int, int | None], None] = lambda done, total: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> FileReport:
    """Import one file as one transaction; never raises for bad input. `cancelled` is asked
    at every progress report of the format (every few hundred records while parsing, before
    and after a transcript is segmented): when it says yes the transaction rolls back and the
    file is reported as cancelled, with nothing of it stored."""
    report = FileReport(file=shown(path))

    def tick(done: int, total: int | None) -> None:
        if cancelled():
            raise ImportCancelled
        progress(done, total)

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _failed(engine, report, f"file is too large ({size} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        return _failed(engine, report, f"cannot read file: {exc.strerror or exc}")
    forced = fmt is not None  # `--format NAME`: not what detection chose
    if fmt is None:
        fmt = detect(path, data, candidates)
    if fmt is None:
        if not data.strip():
            what = "empty file"
        elif is_archive(data):
            what = "a compressed archive (zip, gzip, 7z or rar): unpack it and import its files"
        elif textio.looks_binary(data):
            what = "looks like a binary file: not a bibliography, transcript or document"
        else:
            what = unrecognised(data)
        return _failed(engine, report, what)
    report.format = fmt.name
    sha = fingerprint(data, options)
    with session_scope(engine) as s:
        earlier = already_imported(s, sha, fmt.name)
    if earlier is not None:
        report.status = "unchanged"
        report.batch_id = earlier.id
        report.message = f"already imported (batch {earlier.id}); nothing added"
        named = named_database(options)
        if named and (earlier.database or "").casefold() != named.casefold():
            report.message += (  # the same search: it is not counted again under another name
                f"; its records stay under {earlier.database or 'no database'}: to name "
                f"them {named}, `review import --undo {earlier.id}` and import it again"
            )
        return report
    try:
        with collector.paused(), session_scope(engine, write=True) as s:
            serialise(s, "import")  # keys are allocated against what is stored: one at a time
            batch = m.ImportBatch(path=report.file, format=fmt.name, sha256=sha, strict=strict)
            s.add(batch)
            s.flush()
            ctx = ImportContext(s, path, data, batch, report, strict, options or {}, tick)
            fmt.load(ctx)
            if strict and report.errors:
                raise _StrictRejected
            report.status = "partial" if report.errors else "imported"
            if report.errors and report.records and not report.imported:
                report.status = "failed"  # every record had an error: nothing of it is stored
                report.message = "no record could be read; see the errors"
            _finish(batch, report)
            s.add(batch)
            report.batch_id = batch.id
    except ImportCancelled:
        report.status = "cancelled"
        report.imported = 0
        report.message = "cancelled: nothing imported from this file"
    except _StrictRejected:
        report.status = "rejected"
        report.imported = 0
        report.message = "--strict: nothing imported from this file because of the errors"
        _record_batch(engine, report, sha, strict)
    except ImportFailed as exc:
        message = str(exc)
        if isinstance(exc, NoRecords):
            message = no_records_message(exc, path, data, fmt, candidates, forced)
        report.problems.append(Problem(report.file, exc.line, message))
        report.status = "failed"
        report.imported = 0
        _record_batch(engine, report, sha, strict)
    except BusyError:  # another process held the workspace: nothing written, say so plainly
        raise
    except Exception as exc:  # a bug or an unforeseen input: report it, lose nothing else
        fault = faults.describe(exc)  # a full disk, a read-only database: not a bug
        if fault is not None:
            report.problems.append(Problem(report.file, None, fault))
            report.status = "failed"
            report.imported = 0
            return report
        where = logs.log_bug(log, exc, f"could not import {report.file} as {fmt.name}")
        message = f"internal error: {type(exc).__name__}: {one_line(exc)} ({logs.details(where)})"
        report.problems.append(Problem(report.file, None, message))
        report.status = "failed"
        report.imported = 0
        _record_batch(engine, report, sha, strict)
    return report


class _StrictRejected(Exception):
    pass


class ImportCancelled(Exception):
    """The person cancelled while this file was loading: roll its transaction back."""


def one_line(error: object, limit: int = 300) -> str:
    """An exception's message as one line of at most `limit` characters (some libraries put
    whole paragraphs, or a traceback-like context, in theirs)."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish(batch: m.ImportBatch, report: FileReport) -> None:
    batch.status = report.status
    batch.n_records = report.records
    batch.n_imported = report.imported
    batch.n_skipped = report.skipped
    batch.problems = [p.__dict__ | {} for p in report.problems]
    batch.finished = utcnow()


def _record_batch(engine: Engine, report: FileReport, sha: str | None, strict: bool) -> None:
    """The audit trail keeps failed and rejected files too (in their own transaction)."""
    with session_scope(engine, write=True) as s:
        batch = m.ImportBatch(
            path=report.file, format=report.format or "unknown", sha256=sha, strict=strict
        )
        _finish(batch, report)
        s.add(batch)
        s.flush()
        report.batch_id = batch.id


def _failed(engine: Engine, report: FileReport, message: str) -> FileReport:
    report.status = "failed"
    report.problems.append(Problem(report.file, None, message))
    _record_batch(engine, report, None, False)
    return report


def plan(paths: Iterable[str | Path], candidates: Sequence[Format], wanted: str | None = None):
    """Files to import in a sensible order (literature first), with their formats."""
    if wanted:
        detect(
            Path(), b"", candidates, wanted
        )  # an unknown name is a ValueError even when no file is found
    files, problems = collect(paths)
    planned: list[tuple[Path, Format | None]] = []
    for f in files:
        try:
            head = f.read_bytes()
        except OSError:
            head = b""
        planned.append((f, detect(f, head, candidates, wanted)))
    planned.sort(key=lambda pf: (pf[1].order if pf[1] else 999, str(pf[0])))
    return planned, problems


def import_paths(
    engine: Engine,
    paths: Iterable[str | Path],
    candidates: Sequence[Format],
    *,
    strict: bool = False,
    wanted: str | None = None,
    options: dict | None = None,
    on_file: Callable[[Path, int, int], None] = lambda path, index, total: None,
    progress: Callable[[int, int | None], None] = lambda done, total: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[FileReport]:
    """Import files and folders; one report per file. When cancelled, the file loading rolls
    back (reported as cancelled) and no further file starts."""
    planned, problems = plan(paths, candidates, wanted)
    reports = [FileReport(file=p.file, status="failed", problems=[p]) for p in problems]
    for index, (path, fmt) in enumerate(planned):
        if cancelled():
            break
        on_file(path, index, len(planned))
        reports.append(
            import_file(
                engine,
                path,
                candidates,
                strict=strict,
                fmt=fmt,
                options=options,
                progress=progress,
                cancelled=cancelled,
            )  # fmt: skip
        )
    return reports
