"""Parse a REFI-QDA `project.qde` (QDA-XML 1.0) into plain records, through defusedxml.

Pure: bytes in, a `RefiProject` out. What we cannot use (picture, PDF-region, audio/video
selections, transcripts) is listed in `skipped` so the importer can report it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DET

NS = "urn:QDA-XML:project:1.0"
NON_TEXT_SELECTIONS = (
    "PictureSelection",
    "PDFSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
)


@dataclass
class RefiCode:
    guid: str
    path: tuple[str, ...]  # names from the root ('::' in a name is hierarchy too)
    codable: bool = True
    color: str | None = None
    description: str | None = None
    notes: list[str] = field(default_factory=list)  # GUIDs of the notes (memos) on it


@dataclass
class RefiCoding:
    code_guid: str
    user_guid: str | None = None
    created: str | None = None


@dataclass
class RefiSelection:
    guid: str
    start: int
    end: int
    user_guid: str | None = None
    created: str | None = None
    description: str | None = None
    codings: list[RefiCoding] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    element: str  # TextSource, or PDFSource for a PDF's text representation
    text_path: str | None = None
    text: str | None = None  # PlainTextContent, when inline
    description: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiNote:
    """A REFI-QDA Note (a memo): its text, who wrote it and when."""

    guid: str
    name: str
    text: str
    user_guid: str | None = None
    created: str | None = None


@dataclass
class RefiCase:
    guid: str
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiProject:
    name: str
    origin: str | None = None
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # what -> how many
    notes: list[RefiNote] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)  # GUIDs referenced by the project


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _kid(el, name: str):
    found = _kids(el, name)
    return found[0] if found else None


def _text(el, name: str) -> str | None:
    k = _kid(el, name)
    return k.text if k is not None and k.text is not None else None


def _var_values(el, var_names: dict[str, str]) -> dict[str, str]:
    out = {}
    for vv in _kids(el, "VariableValue"):
        ref = _kid(vv, "VariableRef")
        name = var_names.get(ref.get("targetGUID", "")) if ref is not None else None
        if name is None:
            continue
        for child in vv:
            if _local(child.tag).endswith("Value") and child.text is not None:
                out[name] = child.text
    return out


# why defusedxml refused a REFI-QDA file (project.qde, a .qdc codebook): one wording for both
ENTITIES_REFUSED = (
    "it declares a DTD or XML entities, which are never read (entity expansion, external files)"
)


def parse_qde(data: bytes) -> RefiProject:
    """Parse project.qde bytes. Raises ValueError for XML that is not a REFI-QDA project."""
    try:
        root = DET.fromstring(data)
    except DET.ParseError as exc:
        raise ValueError(f"project.qde is not well-formed XML: {exc}") from exc
    except DefusedXmlException as exc:  # entities, a DTD, an external reference
        raise ValueError(f"project.qde refused: {ENTITIES_REFUSED}") from exc
    except Exception as exc:  # (anything else the parser raises)
        raise ValueError(f"project.qde refused: {type(exc).__name__}: {exc}") from exc
    if _local(root.tag) != "Project":
        raise ValueError(f"project.qde: root element is {_local(root.tag)!r}, not 'Project'")
    proj = RefiProject(name=root.get("name", ""), origin=root.get("origin"))
    users = _kid(root, "Users")
    for u in _kids(users, "User") if users is not None else []:
        proj.users[u.get("guid", "")] = u.get("name") or u.get("id") or u.get("guid", "")
    book = _kid(root, "CodeBook")
    codes = _kid(book, "Codes") if book is not None else None
    if codes is not None:
        _codes(codes, (), proj.codes)
    var_names = {}
    variables = _kid(root, "Variables")
    for v in _kids(variables, "Variable") if variables is not None else []:
        var_names[v.get("guid", "")] = v.get("name", "")
    cases = _kid(root, "Cases")
    for c in _kids(cases, "Case") if cases is not None else []:
        proj.cases.append(
            RefiCase(
                guid=c.get("guid", ""),
                name=c.get("name") or c.get("guid", ""),
                variables=_var_values(c, var_names),
                sources=[r.get("targetGUID", "") for r in _kids(c, "SourceRef")],
            )
        )
    sources = _kid(root, "Sources")
    for s in list(sources) if sources is not None else []:
        _source(s, proj, var_names)
    notes = _kid(root, "Notes")
    for n in _kids(notes, "Note") if notes is not None else []:
        text = _text(n, "PlainTextContent") or _text(n, "Description") or ""
        proj.notes.append(
            RefiNote(
                n.get("guid", ""),
                n.get("name") or "",
                text,
                n.get("creatingUser"),
                n.get("creationDateTime"),
            )  # fmt: skip
        )
    proj.project_notes = _note_refs(root)
    return proj


def _note_refs(el) -> list[str]:
    return [r.get("targetGUID", "") for r in _kids(el, "NoteRef")]


def _codes(parent, prefix: tuple[str, ...], out: list[RefiCode]) -> None:
    if len(prefix) > 50:  # hostile nesting: a clear refusal, not a RecursionError
        raise ValueError("project.qde: codes nested deeper than 50 levels")
    for c in _kids(parent, "Code"):
        name = (c.get("name") or "").strip()
        parts = tuple(p.strip() for p in name.split("::") if p.strip()) or ("(unnamed)",)
        full = prefix + parts
        out.append(
            RefiCode(
                guid=c.get("guid", ""),
                path=full,
                codable=c.get("isCodable", "true").lower() in ("true", "1"),
                color=c.get("color"),
                description=_text(c, "Description"),
                notes=_note_refs(c),
            )
        )
        _codes(c, full, out)


def _selections(el, skipped: Counter) -> list[RefiSelection]:
    out = []
    for sel in el:
        tag = _local(sel.tag)
        if tag in NON_TEXT_SELECTIONS:
            skipped[tag] += 1
            continue
        if tag != "PlainTextSelection":
            continue
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            skipped["PlainTextSelection without valid positions"] += 1
            continue
        out.append(
            RefiSelection(
                guid=sel.get("guid", ""),
                start=start,
                end=end,
                user_guid=sel.get("creatingUser"),
                created=sel.get("creationDateTime"),
                description=_text(sel, "Description"),
                codings=[
                    RefiCoding(
                        _kid(c, "CodeRef").get("targetGUID", ""),
                        c.get("creatingUser") or sel.get("creatingUser"),
                        c.get("creationDateTime"),
                    )
                    for c in _kids(sel, "Coding")
                    if _kid(c, "CodeRef") is not None
                ],
            )
        )
    return out


def _source(s, proj: RefiProject, var_names: dict[str, str]) -> None:
    tag = _local(s.tag)
    name = s.get("name") or s.get("guid", "")
    if tag == "TextSource":
        proj.sources.append(
            RefiSource(
                guid=s.get("guid", ""),
                name=name,
                element=tag,
                text_path=s.get("plainTextPath"),
                text=_text(s, "PlainTextContent"),
                description=_text(s, "Description"),
                selections=_selections(s, proj.skipped),
                variables=_var_values(s, var_names),
                notes=_note_refs(s),
            )
        )
        return
    rep = _kid(s, "Representation")
    if tag == "PDFSource" and rep is not None:
        proj.skipped["PDF file (its text representation is read instead)"] += 1
    else:
        proj.skipped[f"{tag} (not text)"] += 1
    _selections(s, proj.skipped)  # count its non-text selections
    for t in _kids(s, "Transcript"):
        proj.skipped["Transcript of audio/video"] += 1
        _selections(t, proj.skipped)
    if tag == "PDFSource" and rep is not None:
        proj.sources.append(
            RefiSource(
                guid=rep.get("guid") or s.get("guid", ""),
                name=name,
                element=tag,
                text_path=rep.get("plainTextPath"),
                text=_text(rep, "PlainTextContent"),
                selections=_selections(rep, proj.skipped),
                variables=_var_values(s, var_names),
            )
        )
