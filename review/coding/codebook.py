"""The codebook: a tree of codes kept in a diffable TOML file and mirrored in the `code` table.

Why both: the TOML file (`codebook/co-production.toml`) is what a team reviews in pull requests
and shares between projects; the table is what codings point at. The file is loaded lazily,
the first time a coding command needs codes (`ensure_codebook`), so `review init` leaves every
count at zero. After that the database is the truth; `save_toml` writes it back out.

A code is addressed by its path ("Four Cs/Co-design"), its name when that is unique, or its id.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import cast

import tomli_w
from sqlalchemy import and_, delete, func, literal, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from review.errors import NotFound, ReviewError, UsageError
from review.files import write_file
from review.store import models as m
from review.store import versions
from review.store.actions import codes_gone
from review.store.db import serialise
from review.store.models import pk

SEP = "/"
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
TEXT_FIELDS = ("definition", "include", "exclude", "example")


@dataclass
class CodeSpec:
    """One code as written in a codebook file (TOML, .qdc or CSV), independent of the DB."""

    path: str
    definition: str | None = None
    include: str | None = None
    exclude: str | None = None
    example: str | None = None
    keywords: list[str] = field(default_factory=list)
    colour: str | None = None
    shortcut: str | None = None
    codable: bool = True
    guid: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(SEP, 1)[-1]

    @property
    def parent_path(self) -> str | None:
        return self.path.rsplit(SEP, 1)[0] if SEP in self.path else None


class CodebookError(ReviewError):
    """A codebook file that cannot be used as it is (the message names file and code)."""


# --- files ----------------------------------------------------------------------------------


def normalise_path(path: str) -> str:
    """Trim each segment; refuse empty segments so "A//B" cannot make a nameless code."""
    parts = [p.strip() for p in str(path).split(SEP)]
    if not parts or any(not p for p in parts):
        raise UsageError(f"bad code path {path!r}: empty segment")
    return SEP.join(parts)


def validate_specs(specs: list[CodeSpec], where: str = "codebook") -> list[CodeSpec]:
    """Check paths are unique, parents exist and come first, colours and shortcuts are sane."""
    seen: set[str] = set()  # paths folded: sibling names are unique ignoring case
    keys: dict[str, str] = {}
    for i, spec in enumerate(specs, 1):
        try:
            spec.path = normalise_path(spec.path)
        except UsageError as exc:
            raise CodebookError(f"{where}: code {i}: {exc}") from None
        if spec.path.casefold() in seen:
            raise CodebookError(f"{where}: code {i}: duplicate path {spec.path!r}")
        if spec.parent_path and spec.parent_path.casefold() not in seen:
            raise CodebookError(
                f"{where}: code {spec.path!r}: parent {spec.parent_path!r} must be defined first"
            )
        if spec.colour and not COLOUR.match(spec.colour):
            raise CodebookError(
                f"{where}: code {spec.path!r}: colour {spec.colour!r} is not #RRGGBB"
            )
        if spec.shortcut:
            if len(spec.shortcut) != 1:
                raise CodebookError(
                    f"{where}: code {spec.path!r}: shortcut {spec.shortcut!r} must be one key"
                )
            if spec.shortcut in keys:
                raise CodebookError(
                    f"{where}: code {spec.path!r}: shortcut {spec.shortcut!r} already used by "
                    f"{keys[spec.shortcut]!r}"
                )
            keys[spec.shortcut] = spec.path
        seen.add(spec.path.casefold())
    return specs


def parse_toml(text: str, where: str = "codebook") -> tuple[dict, list[CodeSpec]]:
    """Parse a codebook TOML document: `[codebook]` metadata and flat `[[codes]]` tables."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodebookError(f"{where}: not valid TOML: {exc}") from None
    known = {f.name for f in fields(CodeSpec)}
    specs = []
    for i, raw in enumerate(doc.get("codes", []), 1):
        if not isinstance(raw, dict) or not raw.get("path"):
            raise CodebookError(f"{where}: code {i}: missing `path`")
        unknown = set(raw) - known
        if unknown:
            raise CodebookError(
                f"{where}: code {raw['path']!r}: unknown field(s) {sorted(unknown)}"
            )
        kw = raw.get("keywords", [])
        if not isinstance(kw, list) or not all(isinstance(k, str) for k in kw):
            raise CodebookError(f"{where}: code {raw['path']!r}: keywords must be a list of text")
        specs.append(CodeSpec(**raw))
    return doc.get("codebook", {}), validate_specs(specs, where)


def load_toml(path: str | Path) -> tuple[dict, list[CodeSpec]]:
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_toml(text, str(path))


def _code_table(spec: CodeSpec) -> dict:
    """One code as a TOML table, keys in the order a reader scans them; empty fields left out."""
    table: dict = {"path": spec.path}
    for name in ("shortcut", "colour", *TEXT_FIELDS, "guid"):
        value = getattr(spec, name)
        if value:
            table[name] = value
    if spec.keywords:
        table["keywords"] = list(spec.keywords)
    if not spec.codable:
        table["codable"] = False
    return table


def _table(header: str, table: dict) -> str:
    """`[header]` and its keys, by tomli-w (which would otherwise inline a short table).

    Text that spans lines is written as a multi-line string where that is lossless: tomli-w's
    multi-line strings turn "\r\n" into "\n", so a table holding any "\r" uses escapes.
    """
    multiline = not any("\r" in t for t in _strings(table))
    return f"{header}\n" + tomli_w.dumps(table, multiline_strings=multiline)


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def dump_toml(meta: dict, specs: Iterable[CodeSpec]) -> str:
    """Write the same shape `parse_toml` reads: `[codebook]`, then one `[[codes]]` table per
    code, parents first. Values are written by tomli-w (every string escaped as TOML requires),
    one table at a time, so the file stays one diffable block per code and one code's carriage
    return does not turn every other code's lines into escapes."""
    head = {k: v for k, v in meta.items() if isinstance(v, str | int | bool | list)}
    parts = ["# Codebook written by `review codebook export`.\n", _table("[codebook]", head)]
    parts += [_table("[[codes]]", _code_table(spec)) for spec in specs]
    return "\n".join(parts)


def save_toml(session: Session, path: str | Path, meta: dict | None = None) -> int:
    """Write the database's codebook to a TOML file; returns the number of codes written."""
    specs = specs_from_db(session)
    write_file(Path(path), dump_toml(meta or {"name": "Codebook"}, specs).encode("utf-8"))
    return len(specs)


# --- database -------------------------------------------------------------------------------


def all_codes(session: Session) -> list[m.Code]:
    return list(session.scalars(select(m.Code).order_by(col(m.Code.position), col(m.Code.id))))


def codebook_stamp(session: Session) -> tuple:
    """A cheap fingerprint of the codebook (one aggregate row): it changes when a code is added,
    deleted, edited (every edit bumps `version`), moved or reordered, so a view can skip
    re-reading 1,000 codes when nothing changed."""
    return tuple(
        session.execute(
            select(
                func.count(col(m.Code.id)),
                func.max(col(m.Code.id)),
                func.sum(col(m.Code.version)),
                func.sum(col(m.Code.position)),
                func.sum(col(m.Code.parent_id)),
                func.max(col(m.Code.updated)),
            )
        ).one()
    )


def codable_ids(session: Session) -> set[int]:
    """The ids of the codes that can be applied (group codes such as "Sector" cannot)."""
    return set(session.scalars(select(col(m.Code.id)).where(col(m.Code.codable).is_(True))))


def code_paths(session: Session) -> dict[int, str]:
    """Every code's full path, computed once from the parent links."""
    rows = session.execute(select(col(m.Code.id), col(m.Code.parent_id), col(m.Code.name))).all()
    parent = {r.id: r.parent_id for r in rows}
    name = {r.id: r.name for r in rows}
    out: dict[int, str] = {}

    def path(cid: int, depth: int = 0) -> str:
        if cid in out:
            return out[cid]
        if depth > 100:
            raise ReviewError(f"code {cid}: the parent links form a cycle")
        p = parent[cid]
        out[cid] = name[cid] if p is None else path(p, depth + 1) + SEP + name[cid]
        return out[cid]

    for cid in parent:
        path(cid)
    return out


def code_path(session: Session, code: m.Code | int) -> str:
    cid = code if isinstance(code, int) else code.id
    assert cid is not None  # a stored code's primary key
    return code_paths(session)[cid]


def descendants(session: Session, code_id: int) -> list[int]:
    """The code and every code below it (for excerpts "with children")."""
    rows = session.execute(select(col(m.Code.id), col(m.Code.parent_id))).all()
    children: dict[int | None, list[int]] = {}
    for cid, pid in rows:
        children.setdefault(pid, []).append(cid)
    out, todo = [], [code_id]
    while todo:
        cid = todo.pop()
        out.append(cid)
        todo.extend(children.get(cid, []))
    return out


def find_code(session: Session, ref: str | int) -> m.Code:
    """A code by id, full path ("Four Cs/Co-design") or unique name (case-insensitive)."""
    text = str(ref).strip()
    if text.isdigit():
        code = session.get(m.Code, int(text))
        if code is not None:
            return code
    paths = code_paths(session)
    want = text.strip(SEP).casefold()
    by_path = [cid for cid, p in paths.items() if p.casefold() == want]
    if by_path:
        return cast(m.Code, session.get(m.Code, by_path[0]))  # an id just read
    by_name = [cid for cid, p in paths.items() if p.rsplit(SEP, 1)[-1].casefold() == want]
    if len(by_name) == 1:
        return cast(m.Code, session.get(m.Code, by_name[0]))  # an id just read
    if len(by_name) > 1:
        options = ", ".join(sorted(paths[c] for c in by_name))
        raise UsageError(f"code {text!r} is ambiguous: {options}")
    if not paths:
        raise NotFound(f"no code {text!r}: the codebook is empty")
    raise NotFound(f"no code {text!r} (see `review codebook list`)")


def spec_of(code: m.Code, path: str) -> CodeSpec:
    return CodeSpec(
        path=path,
        definition=code.definition,
        include=code.include,
        exclude=code.exclude,
        example=code.example,
        keywords=list(code.keywords or []),
        colour=code.colour,
        shortcut=code.shortcut,
        codable=code.codable,
        guid=code.guid,
    )


def specs_from_db(session: Session) -> list[CodeSpec]:
    """The codebook in tree order (parents before children), as plain specs."""
    paths = code_paths(session)
    return [
        spec_of(code, paths[cast(int, code.id)])  # stored codes: primary keys are set
        for code, _, _ in code_tree(session, counts=False)
    ]


def code_tree(
    session: Session, counts: bool = True, coder: str | None = None
) -> list[tuple[m.Code, int, int]]:
    """(code, depth, number of codings) in display order: depth-first by position, then name.
    `coder`: count only that coder's codings (blind coding: `blind_coder`), so a codebook's
    counts do not show where colleagues have coded."""
    codes = all_codes(session)
    n: dict[int | None, int] = {}
    if counts:
        stmt = select(col(m.Coding.code_id), func.count()).group_by(col(m.Coding.code_id))
        if coder is not None:
            from review.coding.codings import coded_by  # (codings imports this module)

            stmt = stmt.where(coded_by(coder))
        n = {cid: k for cid, k in session.execute(stmt).all()}
    children: dict[int | None, list[m.Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[tuple[m.Code, int, int]] = []

    def walk(pid: int | None, depth: int) -> None:
        for code in sorted(children.get(pid, []), key=lambda c: (c.position, c.id)):
            out.append((code, depth, n.get(code.id, 0)))
            walk(code.id, depth + 1)

    walk(None, 0)
    return out


def upsert_specs(session: Session, specs: list[CodeSpec], *, replace: bool = True) -> dict:
    """Add codes that are new (matched by guid, else by path) and update those that exist.

    Returns {"added": n, "updated": n}. `replace=False` only fills fields that are empty.
    """
    # paths folded: "A/trust" is the existing "A/Trust" (sibling names are unique ignoring case)
    paths = {p.casefold(): cid for cid, p in code_paths(session).items()}
    by_guid = {
        g: cid
        for cid, g in session.execute(select(col(m.Code.id), col(m.Code.guid))).all()
        if g is not None
    }
    used_keys = {
        k: cid
        for cid, k in session.execute(select(col(m.Code.id), col(m.Code.shortcut))).all()
        if k is not None
    }
    top = session.scalar(select(func.max(col(m.Code.position)))) or 0
    added = updated = 0
    for spec in specs:
        cid = by_guid.get(spec.guid) if spec.guid else None
        cid = cid or paths.get(spec.path.casefold())
        parent_id = paths.get(spec.parent_path.casefold()) if spec.parent_path else None
        if spec.parent_path and parent_id is None:
            raise CodebookError(f"code {spec.path!r}: parent {spec.parent_path!r} does not exist")
        shortcut = spec.shortcut
        if shortcut and used_keys.get(shortcut) not in (None, cid):
            shortcut = None  # an existing code keeps its key; the newcomer goes without
        if cid is None:
            top += 1
            code = m.Code(
                parent_id=parent_id,
                name=spec.name,
                position=top,
                guid=spec.guid or str(uuid.uuid4()).upper(),
            )
            session.add(code)
            added += 1
        else:
            code = cast(m.Code, session.get(m.Code, cid))  # an id read from code_paths
            updated += 1
        for name in (*TEXT_FIELDS, "colour"):
            value = getattr(spec, name)
            if replace or not getattr(code, name):
                setattr(code, name, value if replace else value or getattr(code, name))
        if replace or not code.keywords:
            code.keywords = list(spec.keywords)
        if replace or code.shortcut is None:
            code.shortcut = shortcut
        code.codable = spec.codable
        session.flush()
        assert code.id is not None  # flushed just above
        paths[spec.path.casefold()] = code.id
        if code.shortcut:
            used_keys[code.shortcut] = code.id
    return {"added": added, "updated": updated}


def ensure_codebook(session: Session, path: str | Path | None) -> int:
    """Load the workspace codebook into an empty code table; returns the codes loaded (0 if the
    table already has codes or there is no file). Called lazily by coding commands and the TUI.
    Two processes' first commands may race here: SQLite's write transactions are serialised
    (BEGIN IMMEDIATE), and on PostgreSQL a transaction-scoped advisory lock makes the second
    wait and then find the codes the first loaded (it doubled the codebook before)."""
    if session.scalar(select(func.count()).select_from(m.Code)):
        return 0
    if path is None or not Path(path).exists():
        return 0
    serialise(session, "codebook")
    if session.scalar(select(func.count()).select_from(m.Code)):  # the other loaded it
        return 0
    _, specs = load_toml(path)
    return upsert_specs(session, specs)["added"]


# --- editing ----------------------------------------------------------------------------------


def add_code(session: Session, path: str, **values) -> m.Code:
    """Add one code at `path` (its parent must exist), with any of the `CodeSpec` fields
    (definition, include, exclude, example, keywords, colour, shortcut, codable).

    A top-level code that gets its first child here and has no codings becomes a group: a
    heading of the codebook and of the evidence matrix, not a row coded itself (a code with
    codings stays codable; `edit_code(..., codable=...)` changes either way)."""
    values = {k: v for k, v in values.items() if v is not None}
    spec = CodeSpec(path=normalise_path(path), **values)
    if spec.path.casefold() in {p.casefold() for p in code_paths(session).values()}:
        raise UsageError(f"code {spec.path!r} already exists")
    validate_specs_single(session, spec)
    parent = None
    if spec.parent_path:
        by_path = {p.casefold(): cid for cid, p in code_paths(session).items()}
        pid = by_path.get(spec.parent_path.casefold())
        if pid is None:
            raise CodebookError(f"code {spec.path!r}: parent {spec.parent_path!r} does not exist")
        parent = session.get(m.Code, pid)
    was_leaf = parent is not None and not session.scalar(
        select(func.count()).select_from(m.Code).where(col(m.Code.parent_id) == parent.id)
    )
    upsert_specs(session, [spec])
    if was_leaf and parent is not None and parent.parent_id is None and parent.codable:
        used = session.scalar(
            select(func.count()).select_from(m.Coding).where(col(m.Coding.code_id) == parent.id)
        )
        if not used:
            parent.codable = False
            session.add(parent)
            session.flush()
    return find_code(session, spec.path)


_UNSET: object = object()


def edit_code(
    session: Session,
    ref: str | int,
    *,
    name: str | None = None,
    parent: object = _UNSET,
    codable: bool | None = None,
    keywords: list[str] | None = None,
    **values: str | None,
) -> dict:
    """Change a code in place (its codings keep pointing at it): rename (`name`), move
    (`parent`: a code, or None / "" / "/" for the top), any text field (definition, include,
    exclude, example, colour, shortcut: an empty string clears it; None leaves it), keywords
    (a list) and codable (False makes a group, refused while the code has codings). The one
    function the CLI's `codebook edit` and the workbench's code form call. Returns
    {field: [old, new]} of what changed."""
    code = find_code(session, ref)
    assert code.id is not None  # a stored code's primary key
    unknown = set(values) - {*TEXT_FIELDS, "colour", "shortcut"}
    if unknown:
        raise UsageError(f"not a code field: {', '.join(sorted(unknown))}")
    changed: dict[str, list] = {}
    paths = code_paths(session)
    if name is not None and name.strip() != code.name:
        old = code.name
        rename_code(session, code.id, name)
        changed["name"] = [old, code.name]
    if parent is not _UNSET:
        old_parent = code.parent_id
        move_code(
            session,
            code.id,
            cast("str | int", parent) if parent not in (None, "", SEP) else None,
        )
        if code.parent_id != old_parent:
            changed["parent"] = [
                paths.get(old_parent) if old_parent else None,
                code_path(session, code.parent_id) if code.parent_id else None,
            ]
    for field_name, raw in values.items():
        if raw is None:
            continue
        value = raw.strip() or None
        if field_name == "colour" and value and not COLOUR.match(value):
            raise UsageError(f"colour {value!r} is not #RRGGBB")
        if field_name == "shortcut" and value:
            if len(value) != 1:
                raise UsageError(f"shortcut {value!r} must be one key")
            taken = session.scalar(
                select(m.Code).where(col(m.Code.shortcut) == value, col(m.Code.id) != code.id)
            )
            if taken is not None:
                raise UsageError(
                    f"shortcut {value!r} is already used by {code_path(session, taken)!r}"
                )
        old = getattr(code, field_name)
        if old != value:
            setattr(code, field_name, value)
            changed[field_name] = [old, value]
    if keywords is not None:
        kws = [k.strip() for k in keywords if k.strip()]
        if kws != list(code.keywords or []):
            changed["keywords"] = [list(code.keywords or []), kws]
            code.keywords = kws
    if codable is not None and codable != code.codable:
        if not codable:
            n = session.scalar(
                select(func.count()).select_from(m.Coding).where(col(m.Coding.code_id) == code.id)
            )
            if n:
                raise UsageError(
                    f"code {code.name!r} has {n} coding(s): a group is not applied itself "
                    "(move them to a child code first: `review codebook merge`)"
                )
        changed["codable"] = [code.codable, codable]
        code.codable = codable
    session.add(code)
    session.flush()
    return changed


def validate_specs_single(session: Session, spec: CodeSpec) -> None:
    if spec.colour and not COLOUR.match(spec.colour):
        raise UsageError(f"colour {spec.colour!r} is not #RRGGBB")
    if spec.shortcut:
        if len(spec.shortcut) != 1:
            raise UsageError(f"shortcut {spec.shortcut!r} must be one key")
        taken = session.scalar(select(m.Code).where(col(m.Code.shortcut) == spec.shortcut))
        if taken is not None:
            raise UsageError(
                f"shortcut {spec.shortcut!r} is already used by {code_path(session, taken)!r}"
            )


def _sibling_clash(session: Session, parent_id: int | None, name: str, self_id: int) -> None:
    clash = session.scalar(
        select(m.Code).where(
            col(m.Code.parent_id).is_(None)
            if parent_id is None
            else col(m.Code.parent_id) == parent_id,
            func.lower(col(m.Code.name)) == func.lower(literal(name)),  # as ux_code_sibling_name
            col(m.Code.id) != self_id,
        )
    )
    if clash is not None:
        raise UsageError(f"a code named {name!r} already exists there")


def rename_code(
    session: Session, ref: str | int, new_name: str, *, expected_version: int | None = None
) -> m.Code:
    """Rename a code; `expected_version` is the version the editor saw (a stale one is a
    conflict: review.store.versions)."""
    code = find_code(session, ref)
    versions.check(code, expected_version, f"code {code_path(session, code)!r}")
    new_name = new_name.strip()
    if not new_name or SEP in new_name:
        raise UsageError(f"bad code name {new_name!r} (no '/' and not empty)")
    assert code.id is not None  # a stored code's primary key
    _sibling_clash(session, code.parent_id, new_name, code.id)
    code.name = new_name
    session.flush()
    return code


def move_code(
    session: Session,
    ref: str | int,
    new_parent: str | int | None,
    *,
    expected_version: int | None = None,
) -> m.Code:
    """Move a code (with its children) under another code, or to the top with None."""
    code = find_code(session, ref)
    versions.check(code, expected_version, f"code {code_path(session, code)!r}")
    parent = find_code(session, new_parent) if new_parent not in (None, "", SEP) else None
    assert code.id is not None  # a stored code's primary key
    if parent is not None and parent.id in descendants(session, code.id):
        raise UsageError(f"cannot move {code.name!r} under itself or one of its children")
    _sibling_clash(session, parent.id if parent else None, code.name, code.id)
    code.parent_id = parent.id if parent else None
    session.flush()
    return code


def merge_codes(session: Session, ref: str | int, into: str | int) -> dict:
    """Merge code `ref` into `into`: codings, suggestions, links and children move to the
    survivor; the merged code is deleted. A coding that would repeat one already there — same
    source, span and coder, now the same code — is folded into the older of the two
    (`_fold_duplicates`). Returns counts of what moved, and "duplicates": how many were
    folded."""
    gone, keep = find_code(session, ref), find_code(session, into)
    if gone.id == keep.id:
        raise UsageError("cannot merge a code into itself")
    assert gone.id is not None  # a stored code's primary key
    if keep.id in descendants(session, gone.id):
        raise UsageError(f"cannot merge {gone.name!r} into one of its own children")
    if not keep.codable:
        # a group's own codings count nowhere in the brief's tables (a heading, not applied
        # itself): the merged code's codings would be kept but drop out of every table
        n = session.scalar(
            select(func.count()).select_from(m.Coding).where(col(m.Coding.code_id) == gone.id)
        )
        if n:
            raise UsageError(
                f"cannot merge {gone.name!r} into {keep.name!r}, a group (not applied itself): "
                f"its {n} coding(s) would count nowhere — merge into one of its codes, or make it "
                "codable first (`review codebook edit … --codable`)"
            )
    taken = {
        n.lower()
        for n in session.scalars(select(col(m.Code.name)).where(col(m.Code.parent_id) == keep.id))
    }
    clash = sorted(
        n for n in session.scalars(select(col(m.Code.name)).where(col(m.Code.parent_id) == gone.id))
        if n.lower() in taken
    )  # fmt: skip
    if clash:
        raise UsageError(
            f"{keep.name!r} already has a child named {', '.join(map(repr, clash))}: "
            "merge or rename those children first"
        )
    paths = {gone.id: code_path(session, gone), pk(keep): code_path(session, keep)}
    folded = _fold_duplicates(session, gone.id, pk(keep))
    # one link per indicator and code: where the survivor has its own, the merged code's goes
    session.execute(
        delete(m.EvidenceLink).where(
            col(m.EvidenceLink.code_id) == gone.id,
            col(m.EvidenceLink.indicator_id).in_(
                select(col(m.EvidenceLink.indicator_id)).where(
                    col(m.EvidenceLink.code_id) == keep.id
                )
            ),
        )
    )
    moved = {}
    for table in (m.Coding, m.Suggestion, m.EvidenceLink):
        result = session.exec(
            update(table).where(col(table.code_id) == gone.id).values(code_id=keep.id)
        )
        moved[table.__tablename__] = result.rowcount
    result = session.exec(
        update(m.Code).where(col(m.Code.parent_id) == gone.id).values(parent_id=keep.id)
    )
    moved["children"] = result.rowcount
    moved["duplicates"] = len(folded)
    # the merged code's memos are about the survivor now (deleting it would cascade to them)
    session.execute(update(m.Memo).where(col(m.Memo.code_id) == gone.id).values(code_id=keep.id))
    keep.keywords = list(dict.fromkeys([*(keep.keywords or []), *(gone.keywords or [])]))
    session.flush()
    session.delete(session.get(m.Code, gone.id))
    codes_gone(session, {gone.id: pk(keep)}, paths, folded)  # what undo needs to know
    session.flush()
    return moved


def _fold_duplicates(session: Session, gone_id: int, keep_id: int) -> dict[int, int]:
    """Before `gone`'s codings move to `keep`: each set of codings that would then be one
    coding repeated (same source, start, end and coder — no coder counts as the same — on
    `gone` or `keep`, at least one of them on `gone`) is folded into its oldest coding. What
    pointed at the others goes to that one: their memo (added below its own, if different),
    their evidence links (one per indicator: the kept coding's own link wins) and accepted
    suggestions. Returns the codings folded away (deleted): id -> the id of the one kept."""
    mine, other = aliased(m.Coding), aliased(m.Coding)
    pairs = session.execute(
        select(col(mine.id), col(other.id)).where(
            col(mine.code_id) == gone_id,
            col(other.code_id).in_((gone_id, keep_id)),
            col(other.id) != col(mine.id),
            col(other.source_id) == col(mine.source_id),
            col(other.start) == col(mine.start),
            col(other.end) == col(mine.end),
            or_(
                col(other.coder_id) == col(mine.coder_id),
                and_(col(mine.coder_id).is_(None), col(other.coder_id).is_(None)),
            ),
        )
    ).all()
    groups: dict[int, set[int]] = {}  # coding id -> the set of codings that are one
    for a, b in pairs:
        group = groups.get(a, {a}) | groups.get(b, {b})
        for cid in group:
            groups[cid] = group
    folded: dict[int, int] = {}
    for group in {id(g): g for g in groups.values()}.values():
        codings = sorted(
            (cast(m.Coding, session.get(m.Coding, cid)) for cid in group),
            key=lambda c: (c.created, c.id),
        )
        kept, rest = codings[0], codings[1:]
        for dup in rest:
            if dup.memo and dup.memo != kept.memo:
                kept.memo = f"{kept.memo}\n\n{dup.memo}" if kept.memo else dup.memo
            linked = set(
                session.scalars(
                    select(col(m.EvidenceLink.indicator_id)).where(
                        col(m.EvidenceLink.coding_id) == kept.id
                    )
                )
            )
            session.execute(
                delete(m.EvidenceLink).where(
                    col(m.EvidenceLink.coding_id) == dup.id,
                    col(m.EvidenceLink.indicator_id).in_(linked),
                )
            )
            session.execute(
                update(m.EvidenceLink)
                .where(col(m.EvidenceLink.coding_id) == dup.id)
                .values(coding_id=kept.id)
            )
            session.execute(
                update(m.Suggestion)
                .where(col(m.Suggestion.coding_id) == dup.id)
                .values(coding_id=kept.id)
            )
            session.add(kept)
            session.flush()
            session.delete(dup)
            session.flush()
            folded[pk(dup)] = pk(kept)
    return folded


def delete_code(session: Session, ref: str | int, *, force: bool = False) -> int:
    """Delete a code and its children; refused while any of them has codings unless forced
    (then their codings and suggestions go too). Their memos and evidence links go with them
    (the database cascades). Returns the number of codings deleted."""
    code = find_code(session, ref)
    assert code.id is not None  # a stored code's primary key
    ids = descendants(session, code.id)
    n = session.scalar(
        select(func.count()).select_from(m.Coding).where(col(m.Coding.code_id).in_(ids))
    )
    if n and not force:
        raise ReviewError(
            f"code {code.name!r} (with its children) has {n} coding(s); "
            "merge it into another code, or delete with --force"
        )
    coding_ids = select(col(m.Coding.id)).where(col(m.Coding.code_id).in_(ids))
    session.execute(
        update(m.Suggestion)
        .where(col(m.Suggestion.coding_id).in_(coding_ids))
        .values(coding_id=None)
    )
    # a link to one of these codings would point at nothing once they are gone
    session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.coding_id).in_(coding_ids)))
    session.execute(delete(m.Suggestion).where(col(m.Suggestion.code_id).in_(ids)))
    session.execute(delete(m.EvidenceLink).where(col(m.EvidenceLink.code_id).in_(ids)))
    session.execute(delete(m.Coding).where(col(m.Coding.code_id).in_(ids)))
    paths = code_paths(session)
    # children first, so the parent foreign key is never left dangling
    for cid in reversed(ids):
        session.execute(delete(m.Code).where(col(m.Code.id) == cid))
    deleted: dict[int, int | None] = {cid: None for cid in ids}
    codes_gone(session, deleted, {cid: paths[cid] for cid in ids})
    return int(n or 0)
