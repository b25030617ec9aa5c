"""The briefing note's figures as plain data (`Figure`), and text charts of them.

A figure holds the numbers it shows and nothing else; `plots` draws it with matplotlib (SVG
for the HTML page, PNG for the DOCX), `text_chart` draws it in characters (the TUI's Brief
screen, where a picture cannot show). Both read the same data, built from the same scan and
tables as the rest of the note, so a figure never disagrees with a table.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from review.ingest.citation import trim_words

SHADES = " ░▒▓█"


@dataclass
class Figure:
    id: str
    title: str
    caption: str
    kind: str  # prisma, heatmap, bars, indicators
    data: dict = field(default_factory=dict)


def excerpts_of(cell: object) -> int:
    """The excerpt count of a matrix cell ('2 / 5' -> 5; '–' -> 0; a number -> itself)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell)
    text = str(cell)
    if "/" in text:
        tail = text.rsplit("/", 1)[1].strip()
        return int(tail) if tail.isdigit() else 0
    return int(text) if text.isdigit() else 0


def leaf(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def path_cut(path: str, width: int) -> str:
    """A code path in `width` characters, its leaf kept: "Driv…/Personal benefit",
    "…/Tokenistic consultation where t…" (cut at the end, two codes under one long parent
    read alike: "Barriers to citizen co-production…" twice)."""
    if len(path) <= width or "/" not in path:
        return path
    head, name = path.rsplit("/", 1)
    room = width - len(name) - 2  # "…/"
    if room < 3:
        name = name if len(name) <= width - 2 else name[: width - 3] + "…"
        return "…/" + name
    return head[:room].rstrip() + "…/" + name


def number(text: object) -> float | None:
    """The leading number of an indicator value ('61', '58 %', '0.58 (0.5–0.6)')."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)", str(text).replace("−", "-"))
    return float(m.group(1)) if m else None


INDICATOR_NAME = 72  # characters of an indicator's name in the figure: two lines of its label
INDICATOR_ROWS = 16  # the indicator figure's most rows: 16 fit a portrait page, as 540 did not


def middle_cut(text: str, limit: int) -> str:
    """Text at most about `limit` long, cut in the middle at word boundaries: a survey's
    questions differ at their end ("E02. On which of the following grounds have you… than
    100%): Age" / "…: Disability"), so the head and the tail both stay."""
    t = " ".join(text.split())
    if len(t) <= limit:
        return t
    words = t.split(" ")
    tail: list[str] = []
    while len(words) > 1 and len(" ".join([words[-1], *tail])) <= limit // 3:
        tail.insert(0, words.pop())
    room = limit - len(" ".join(tail)) - 1
    head = trim_words(" ".join(words), room) if tail else trim_words(t, limit)
    if not head.endswith("…"):
        head += "…"
    return f"{head} {' '.join(tail)}".rstrip()


def has_evidence(row: list) -> bool:
    """A joint-display row with evidence: linked codes or linked excerpts (the rule of
    Table 2's rows and of the indicator figure's)."""
    return bool(row[7]) or int(row[8] or 0) > 0


def indicator_rows(rows: list[list]) -> tuple[list[list], str]:
    """The joint display's rows the indicator figure draws, and what its caption says about
    the others. Up to `INDICATOR_ROWS` rows, all of them; beyond that, the indicators linked
    to evidence (those with the most linked excerpts first, when even they are too many; in
    the table's order), or, with none linked, the table's first rows. A survey table of 540
    values gave a picture 6 m tall that Word and LibreOffice cut off."""
    if len(rows) <= INDICATOR_ROWS:
        return rows, ""
    total = len(rows)
    linked = [k for k, r in enumerate(rows) if has_evidence(r)]
    if not linked:
        return (rows[:INDICATOR_ROWS], f" Only the first {INDICATOR_ROWS} of the {total:,} "
                "indicators in Table 2 are shown; none is linked to evidence yet.")  # fmt: skip
    keep = sorted(linked, key=lambda k: (-int(rows[k][8] or 0), k))[:INDICATOR_ROWS]
    if len(keep) == len(linked):
        note = (f" Only the indicators linked to evidence are shown: {len(keep):,} of the "
                f"{total:,} in Table 2.")  # fmt: skip
    else:
        note = (
            f" Only the {len(keep):,} indicators with the most linked excerpts are shown "
            f"(of the {len(linked):,} linked to evidence; Table 2 lists all {total:,})."
        )
    return [rows[k] for k in sorted(keep)], note


def figures_for(tree, res, matrix, joint, flow: dict) -> list[Figure]:
    """The figures in the order the note shows them (each after the table it draws), numbered
    so: heat map of the evidence matrix, excerpts per code (literature beside transcripts),
    each indicator's value beside its linked excerpts, the PRISMA 2020 flow diagram."""
    prisma_figure = [
        Figure(
            "prisma-flow",
            "PRISMA 2020 flow diagram",
            "PRISMA 2020 flow diagram of the records identified, screened and included.",
            "prisma",
            {"flow": flow},
        )
    ]
    out: list[Figure] = []
    if matrix.rows and len(matrix.columns) > 1:
        out.append(
            Figure(
                "evidence-heatmap",
                "Evidence matrix heat map",
                "Excerpts per code and sector (Table 1), literature and transcripts "
                "apart; darker cells have more excerpts.",
                "heatmap",
                {
                    "rows": [str(r[0]) for r in matrix.rows],
                    "columns": list(matrix.columns[1:]),
                    "values": [[excerpts_of(c) for c in r[1:]] for r in matrix.rows],
                },
            )
        )
    bars = [
        (tree.paths[cid], res.per_code[(cid, False)], res.per_code[(cid, True)])
        for cid in tree.evidence_ids
        if res.per_code[(cid, False)] or res.per_code[(cid, True)]
    ]
    if bars:
        out.append(
            Figure(
                "excerpts-per-code",
                "Excerpts per code",
                "Coded excerpts per code: from the literature beside those from the "
                "transcripts and documents (each coded span once).",
                "bars",
                {
                    "labels": [b[0] for b in bars],
                    "series": ["Literature", "Transcripts"],
                    "values": [[b[1], b[2]] for b in bars],
                },
            )
        )
    ind = []
    shown, left_out = indicator_rows(joint.rows)
    for r in shown:
        value = number(r[4])
        # name, sector and year; the area too when it is short (not a list of five countries)
        area = r[2] if r[2] and len(str(r[2])) <= 24 else ""
        name = middle_cut(str(r[0]), INDICATOR_NAME)
        label = " · ".join(str(x) for x in (name, r[1], area, r[3]) if x not in ("", None))
        ind.append((label, value, str(r[4]), int(r[8] or 0)))
    if ind:
        out.append(
            Figure(
                "indicator-evidence",
                "Indicators and their evidence",
                "Each survey indicator's value (Table 2) beside the number of coded "
                "excerpts linked to it." + left_out,
                "indicators",
                {
                    "labels": [i[0] for i in ind],
                    "values": [i[1] for i in ind],
                    "value_text": [i[2] for i in ind],
                    "excerpts": [i[3] for i in ind],
                },
            )
        )
    out += prisma_figure
    for k, fig in enumerate(out, start=1):
        fig.caption = f"Figure {k}. {fig.caption}"
    return out


# --- PRISMA boxes -----------------------------------------------------------------------------


def prisma_boxes(flow: dict) -> dict[str, list[str]]:
    """The PRISMA 2020 template's boxes (new studies via databases and registers), each as
    its lines of text. Shared by the drawn and the text diagram."""
    ident, scr, elig = flow["identification"], flow["screening"], flow["eligibility"]
    stage = flow.get("stage_reached", "full-text")
    by_db = ident["by_database"]
    identified = ["Records identified from:"]
    identified += [f"  {db} (n = {n:,})" for db, n in by_db.items()] or ["  (none) (n = 0)"]
    removed = [
        "Records removed before screening:",
        f"  Duplicate records removed (n = {ident['duplicates_removed']:,})",
    ]
    screened = [f"Records screened (n = {scr['records_screened']:,})"]
    if scr["awaiting_screening"]:
        screened.append(f"Awaiting screening (n = {scr['awaiting_screening']:,})")
    excluded = [f"Records excluded (n = {scr['records_excluded']:,})"]
    sought = [f"Reports sought for retrieval (n = {elig['reports_sought']:,})"]
    not_retrieved = [f"Reports not retrieved (n = {elig.get('reports_not_retrieved', 0):,})"]
    assessed = [f"Reports assessed for eligibility (n = {elig['reports_assessed']:,})"]
    if elig["awaiting_assessment"]:
        assessed.append(f"Awaiting assessment (n = {elig['awaiting_assessment']:,})")
    reasons = [f"Reports excluded (n = {elig['reports_excluded']:,})"]
    reasons += [f"  {r} (n = {n:,})" for r, n in elig["excluded_by_reason"].items()]
    if stage == "full-text":
        n = flow["included"]["studies"]
        reports = flow["included"].get("reports", n)
        included = [f"Studies included in review (n = {n:,})",
                    f"Reports of included studies (n = {reports:,})"]  # fmt: skip
    else:
        included = ["Studies included in review:", "none yet: no full text is assessed"]
    return {
        "identified": identified,
        "removed": removed,
        "screened": screened,
        "excluded": excluded,
        "sought": sought,
        "not_retrieved": not_retrieved,
        "assessed": assessed,
        "reasons": reasons,
        "included": included,
    }


# --- text charts --------------------------------------------------------------------------------


def _bar(n: float, top: float, width: int) -> str:
    if top <= 0 or n <= 0:
        return ""
    cells = n / top * width
    full = int(cells)
    return "█" * full + ("▌" if cells - full >= 0.5 else "") or "▏"


def text_chart(fig: Figure, width: int = 40, across: int | None = None) -> str:
    """The figure in characters, for a terminal; `across`: the terminal's room, to
    which an indicator's name is wrapped (cut at the edge, five survey questions that
    differ in their year read alike)."""
    d = fig.data
    if fig.kind == "prisma":
        b = prisma_boxes(d["flow"])
        lines = []
        for left, right in (("identified", "removed"), ("screened", "excluded"),
                            ("sought", "not_retrieved"), ("assessed", "reasons"),
                            ("included", None)):  # fmt: skip
            lines += [f"┃ {x}" for x in b[left]]
            if right:
                # the box's first line behind the arrow, its other lines under that one
                lines += [f"┃      {'└─▶' if k == 0 else '   '} {x.strip()}"
                          for k, x in enumerate(b[right])]  # fmt: skip
            lines.append("┃" if right else "")
        return "\n".join(lines).rstrip() + "\n"
    if fig.kind == "heatmap":
        top = max((v for r in d["values"] for v in r), default=0)
        names = [leaf(r)[:24] for r in d["rows"]]
        w = max((len(n) for n in names), default=4)
        heads = [f"{i + 1:>2}" for i in range(len(d["columns"]))]
        out = [" " * w + " " + " ".join(heads)]
        for name, row in zip(names, d["values"], strict=True):
            cells = []
            for v in row:
                k = 0 if not v or not top else 1 + min(3, int(v / top * 3.999))
                cells.append(SHADES[k] * 2)
            out.append(f"{name:<{w}} " + " ".join(cells))
        out.append("")
        out += [f"{i + 1:>2} {c}" for i, c in enumerate(d["columns"])]
        out.append(f"shading: ░ few … █ {top} excerpts")
        return "\n".join(out) + "\n"
    if fig.kind == "bars":
        top = max((v for r in d["values"] for v in r), default=0)
        names = [leaf(x)[:24] for x in d["labels"]]
        w = max(len(n) for n in names)
        # as in the drawn chart, a series with nothing coded gets no rows, only its key
        keys = [("L", "literature"), ("T", "transcripts and documents")]
        drawn = [k for k in range(2) if any(v[k] for v in d["values"])] or [0]
        out = []
        for name, counts in zip(names, d["values"], strict=True):
            for n, k in enumerate(drawn):
                head = name if n == 0 else ""
                out.append(f"{head:<{w}} {keys[k][0]} {_bar(counts[k], top, width):<{width}} "
                           f"{counts[k]}")  # fmt: skip
        out.append(" · ".join(f"{a} {b}" + ("" if k in drawn else " (none)")
                              for k, (a, b) in enumerate(keys)))  # fmt: skip
        return "\n".join(out) + "\n"
    if fig.kind == "indicators":
        vals = [v or 0 for v in d["values"]]
        top_v, top_e = max(vals, default=0), max(d["excerpts"], default=0)
        half = max(8, width // 2)
        out = []
        for label, v, vt, e in zip(d["labels"], vals, d["value_text"], d["excerpts"],
                                   strict=True):  # fmt: skip
            out += textwrap.wrap(label, across) if across else [label]
            out.append(f"  value    {_bar(v, top_v, half):<{half}} {vt}")
            out.append(f"  excerpts {_bar(e, top_e, half):<{half}} {e}")
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown figure kind {fig.kind!r}")
