"""Write a REFI-QDA project (`project.qde` + `sources/*.txt`) from plain records.

Deterministic on purpose: GUIDs are UUID5 of stable identities and elements are sorted, so
exporting the same database twice gives the same bytes (diffable, testable). The element
order inside each type follows the QDA-XML 1.0 schema's sequences.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from review import safetext
from review.ingest.refi.qde import NS, RefiCase, RefiCode, RefiNote, RefiSource

_NAMESPACE = uuid.UUID("6f1c0a52-8d55-4c55-9a57-7c3d2b1e0f11")
_RGB = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip member times: no clock in the output


def guid(*identity: object) -> str:
    """A stable upper-case GUID for an identity such as ('code', 12)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in identity))).upper()


@dataclass
class ExportProject:
    """Everything the writer needs; texts are keyed by source GUID."""

    name: str
    origin: str
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    cases: list[RefiCase] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    creating_user: str | None = None


def _el(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    clean = {k: str(v) for k, v in attrs.items() if v is not None}
    return ET.SubElement(parent, f"{{{NS}}}{tag}", clean)


def _desc(parent: ET.Element, text: str | None) -> None:
    if text:
        _el(parent, "Description").text = text


def project_xml(p: ExportProject) -> bytes:
    """The project.qde document (UTF-8, with declaration)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}Project", {"name": p.name, "origin": p.origin})
    if p.creating_user:
        root.set("creatingUserGUID", p.creating_user)
    if p.users:
        users = _el(root, "Users")
        for g, n in sorted(p.users.items(), key=lambda kv: (kv[1], kv[0])):
            _el(users, "User", guid=g, name=n)
    if p.codes:
        _codebook(_el(_el(root, "CodeBook"), "Codes"), p.codes)
    var_names = sorted(
        {k for s in p.sources for k in s.variables} | {k for c in p.cases for k in c.variables}
    )
    if var_names:
        variables = _el(root, "Variables")
        for name in var_names:
            _el(variables, "Variable", guid=guid("variable", name), name=name,
                typeOfVariable="Text")  # fmt: skip
    if p.cases:
        cases = _el(root, "Cases")
        for c in p.cases:
            case = _el(cases, "Case", guid=c.guid, name=c.name)
            _values(case, c.variables)
            for sg in c.sources:
                _el(case, "SourceRef", targetGUID=sg)
    if p.sources:
        sources = _el(root, "Sources")
        for s in p.sources:
            _source(sources, s)
    if p.notes:
        notes = _el(root, "Notes")
        for nt in p.notes:
            note = _el(notes, "Note", guid=nt.guid, name=nt.name, creatingUser=nt.user_guid,
                       creationDateTime=nt.created)  # fmt: skip
            _el(note, "PlainTextContent").text = nt.text
    for g in p.project_notes:
        _el(root, "NoteRef", targetGUID=g)
    _xml_safe(root)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _xml_safe(root: ET.Element) -> None:
    """Drop from every text and attribute the characters XML cannot hold (a control
    character in a memo or a code name made a project nothing could read back)."""
    for el in root.iter():
        if el.text:
            el.text = safetext.xml_chars(el.text)
        for key, value in el.attrib.items():
            el.set(key, safetext.xml_chars(value))


def _codebook(parent: ET.Element, codes: list[RefiCode]) -> None:
    """Nest codes by path: a code's children are the codes whose path extends its own."""
    by_path = {c.path: c for c in codes}
    children: dict[tuple[str, ...], list[RefiCode]] = {}
    for c in codes:
        children.setdefault(c.path[:-1] if c.path[:-1] in by_path else (), []).append(c)

    def emit(el: ET.Element, prefix: tuple[str, ...]) -> None:
        for c in children.get(prefix, []):
            name = "::".join(c.path) if c.path[:-1] and c.path[:-1] not in by_path else c.path[-1]
            attrs = {"guid": c.guid, "name": name, "isCodable": "true" if c.codable else "false"}
            if c.color and _RGB.match(c.color):
                attrs["color"] = c.color
            code = _el(el, "Code", **attrs)
            _desc(code, c.description)
            for g in c.notes:
                _el(code, "NoteRef", targetGUID=g)
            emit(code, c.path)

    emit(parent, ())


def _values(parent: ET.Element, values: dict[str, str]) -> None:
    for name in sorted(values):
        vv = _el(parent, "VariableValue")
        _el(vv, "VariableRef", targetGUID=guid("variable", name))
        _el(vv, "TextValue").text = values[name]


def _source(parent: ET.Element, s: RefiSource) -> None:
    src = _el(parent, "TextSource", guid=s.guid, name=s.name, plainTextPath=s.text_path)
    _desc(src, s.description)
    for sel in s.selections:
        el = _el(parent=src, tag="PlainTextSelection", guid=sel.guid, startPosition=sel.start,
                 endPosition=sel.end, creatingUser=sel.user_guid,
                 creationDateTime=sel.created)  # fmt: skip
        _desc(el, sel.description)
        for c in sel.codings:
            coding = _el(el, "Coding", guid=guid("coding", sel.guid, c.code_guid),
                         creatingUser=c.user_guid, creationDateTime=c.created)  # fmt: skip
            _el(coding, "CodeRef", targetGUID=c.code_guid)
    for g in s.notes:
        _el(src, "NoteRef", targetGUID=g)
    _values(src, s.variables)


def write_qdpx(p: ExportProject) -> bytes:
    """The .qdpx archive: project.qde plus each source's text as sources/<guid>.txt (UTF-8)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, "project.qde", project_xml(p))
        for s in p.sources:
            _add(zf, f"sources/{s.guid}.txt", p.texts[s.guid].encode("utf-8"))
    return buf.getvalue()


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)
