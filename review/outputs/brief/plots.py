"""Draw the briefing figures with matplotlib, headless: SVG (for the HTML page) and PNG at
print resolution (for the DOCX), each also written as a file.

Deterministic: the Agg backend without pyplot (no display, no global figure state), a fixed
font (DejaVu Sans, shipped with matplotlib), a fixed SVG id salt and no creation date, so the
same database gives byte-identical SVG.

SVG text stays text (`svg.fonttype: none`): it can be selected, searched and read aloud, and
it is a third of the work of writing every glyph as a path. The margins are worked out from
the labels' font metrics before drawing (`text_inches`, `_frame`) rather than by a layout
engine, which draws each figure several times to measure it: the figures are simple grids of
labels, and that measuring was half the cost of the brief's figures.
"""

from __future__ import annotations

import io
import math
import sys
import textwrap
from functools import cache
from typing import TYPE_CHECKING, Any

from review.ingest.citation import trim_words
from review.outputs.brief.figures import Figure, leaf, prisma_boxes

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

DPI = 300  # PNG for print
WIDTH_IN = 6.5  # fits a portrait A4 or Letter page between 2 cm margins
RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "review-brief",
    "svg.fonttype": "none",
    # the metrics come from DejaVu Sans; a reader's browser without it falls back to a sans
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "path.simplify": True,
    # true outlines: hinting snaps glyphs to a screen's pixel grid, which a 300-dpi print has
    # no need of; the measured margins and the drawing use the same metrics either way, and
    # rasterising unhinted is an eighth cheaper (0.80 -> 0.70 s for the bench note's PNGs)
    "text.hinting": "no_hinting",
}
BLUE, ORANGE, GREY, BOX = "#2b6cb0", "#dd8a3e", "#6b7280", "#f1f5f9"


@cache
def _matplotlib() -> None:
    """Import matplotlib without writing its artists' `set()` docstrings.

    Every artist class matplotlib defines builds, at import, a docstring listing each of its
    properties (`matplotlib.artist.kwdoc`, walking every setter's docstring): a quarter of
    matplotlib's import (0.42 -> 0.32 s CPU here), for text only `help()` shows, which no
    brief reads. Done before any artist module is imported; if one already was (a user's
    own session), nothing changes."""
    import matplotlib.artist

    if "matplotlib.figure" not in sys.modules and hasattr(matplotlib.artist, "kwdoc"):
        matplotlib.artist.kwdoc = lambda artist: ""


def render(fig: Figure, fmt: str) -> bytes:
    """The figure as 'svg' or 'png' bytes."""
    return render_all(fig, (fmt,))[fmt]


def render_all(fig: Figure, fmts: tuple[str, ...]) -> dict[str, bytes]:
    """The figure in each of `fmts` ('svg', 'png'), drawn from one set of matplotlib artists
    (a brief in every format builds each figure once, not once per picture)."""
    _matplotlib()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out: dict[str, bytes] = {}
    with matplotlib.rc_context(RC):
        mfig = DRAW[fig.kind](fig)
        for fmt in fmts:
            if fmt == "svg":
                buf = io.BytesIO()
                mfig.savefig(buf, format="svg", dpi=DPI, metadata={"Date": None, "Creator": None})
                out[fmt] = buf.getvalue()
            elif fmt == "png":
                mfig.set_dpi(DPI)
                canvas = FigureCanvasAgg(mfig)
                canvas.draw()
                out[fmt] = png_bytes(canvas.buffer_rgba(), DPI)
            else:
                raise ValueError(f"unknown figure format {fmt!r}")
    return out


def png_bytes(rgba: Any, dpi: int) -> bytes:
    """A PNG of an 8-bit RGBA picture (rows x columns x 4): RGB when every pixel is opaque,
    each row unfiltered, zlib's fastest level, the resolution in a pHYs chunk, no text or time
    chunk (the same picture gives the same bytes).

    Why not Pillow (which matplotlib's `savefig` uses): its encoder tries PNG's row filters on
    every row, which pays on photographs, not on flat charts; for the four figures of the
    bench note at 300 dpi it took 0.28 s for 816 KB where this takes 0.10 s for 707 KB."""
    import struct
    import zlib

    import numpy as np

    px = np.asarray(rgba, dtype=np.uint8)
    height, width, _ = px.shape
    opaque = bool((px[:, :, 3] == 255).all())
    if opaque:
        px = px[:, :, :3]
    rows = np.zeros((height, 1 + width * px.shape[2]), dtype=np.uint8)  # filter byte 0
    rows[:, 1:] = px.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    per_metre = round(dpi / 0.0254)
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)),
        chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
        chunk(b"IEND", b""),
    ])  # fmt: skip


PAD = 0.08  # inches between the outermost label and the figure's edge
TICK_PAD = 3.5 / 72  # matplotlib's default gap between a tick and its label (3.5 points)


@cache
def _measurer():
    _matplotlib()
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, DPI)  # at print resolution, under the same RC as the drawing


def text_inches(text: str, size: float) -> tuple[float, float]:
    """Width and height of a (possibly multi-line) label at `size` points, in inches: the
    renderer's own text metrics (what a layout engine learns by drawing), without drawing."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family=RC["font.family"], size=size)
    lines = text.split("\n")
    width = max(_measurer().get_text_width_height_descent(x, prop, False)[0] for x in lines)
    return width / DPI, len(lines) * size * 1.2 / 72


def _frame(height: float, left: float, right: float, top: float, bottom: float, **space):
    """A figure WIDTH_IN wide whose subplots leave these margins (inches) for their labels."""
    from matplotlib.figure import Figure as MplFigure

    mfig = MplFigure(figsize=(WIDTH_IN, height))
    # (matplotlib 3.11 ignores a `subplotpars` given to the constructor)
    mfig.subplots_adjust(left=left / WIDTH_IN, right=1 - right / WIDTH_IN,
                         top=1 - top / height, bottom=bottom / height, **space)  # fmt: skip
    return mfig


SLACK = 1.06  # a browser sets SVG text unhinted, a few per cent wider than Agg measures it


def _y_labels(labels: list[str], size: float) -> float:
    """The left margin that y tick labels of this size need."""
    widest = max((text_inches(x, size)[0] for x in labels), default=0.0)
    return widest * SLACK + TICK_PAD + PAD


def _x_end(size: float = 8) -> float:
    """The right margin an x axis needs: its last tick label is centred on the axis's end."""
    return PAD + text_inches("000000", size)[0] / 2


def _x_axis(size: float = 8, label: bool = False) -> float:
    """The bottom margin of an x axis with tick labels (and an axis label) of `size` points."""
    line = size * 1.2 / 72
    return PAD + TICK_PAD + line + ((4 / 72 + line) if label else 0)


# --- PRISMA 2020 flow -----------------------------------------------------------------------


def _prisma(fig: Figure):
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    b = prisma_boxes(fig.data["flow"])
    line_h = 0.17  # inches per text line

    def height(lines: list[str]) -> float:
        return len(lines) * line_h + 0.16

    rows = [("identified", "removed"), ("screened", "excluded"), ("sought", "not_retrieved"),
            ("assessed", "reasons"), ("included", None)]  # fmt: skip
    heights = [max(height(b[a]), height(b[c]) if c else 0) for a, c in rows]
    # the phase bands' rotated labels need room: "Identification" one row, "Included" one
    heights[0], heights[-1] = max(heights[0], 0.95), max(heights[-1], 0.7)
    gap = 0.28
    top_bar = 0.32
    total = top_bar + 0.12 + sum(heights) + gap * (len(rows) - 1) + 0.12
    mfig = MplFigure(figsize=(WIDTH_IN, total))
    ax = mfig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH_IN)
    ax.set_ylim(0, total)
    ax.axis("off")
    side_w, left_x, left_w, right_x = 0.32, 0.45, 2.75, 3.55
    right_w = WIDTH_IN - right_x - 0.05

    def box(x, y_top, w, h, lines, fill="white", bold_first=False):
        ax.add_patch(
            FancyBboxPatch(
                (x, y_top - h),
                w,
                h,
                boxstyle="square,pad=0",
                facecolor=fill,
                edgecolor="#334155",
                linewidth=0.8,
            )
        )
        for i, text in enumerate(lines):
            # a sub-item's indent as an offset: SVG text collapses leading spaces
            indent = (len(text) - len(text.lstrip(" "))) * 0.045
            ax.text(
                x + 0.08 + indent,
                y_top - 0.08 - (i + 0.5) * line_h,
                text.strip(),
                va="center",
                ha="left",
                fontsize=7.5,
                fontweight="bold" if bold_first and i == 0 else "normal",
            )

    def arrow(x0, y0, x1, y1):
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=9,
                linewidth=0.8,
                color="#334155",
                shrinkA=0,
                shrinkB=0,
            )
        )

    y = total - 0.05
    ax.add_patch(
        FancyBboxPatch(
            (left_x, y - top_bar),
            WIDTH_IN - left_x - 0.05,
            top_bar,
            boxstyle="square,pad=0",
            facecolor="#fde68a",
            edgecolor="#334155",
            linewidth=0.8,
        )
    )
    ax.text((left_x + WIDTH_IN) / 2, y - top_bar / 2,
            "Identification of new studies via databases and registers",
            ha="center", va="center", fontsize=8.5, fontweight="bold")  # fmt: skip
    y -= top_bar + 0.12
    tops = []
    for (left, right), h in zip(rows, heights, strict=True):
        tops.append(y)
        box(left_x, y, left_w, h, b[left])
        if right:
            box(right_x, y, right_w, h, b[right])
            arrow(left_x + left_w, y - h / 2, right_x, y - h / 2)
        y -= h + gap
    for i in range(len(rows) - 1):
        arrow(left_x + left_w / 2, tops[i] - heights[i], left_x + left_w / 2, tops[i + 1])
    # the phase bands down the left edge, as in the template
    phases = [("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, 4)]
    for name, a, z in phases:
        y_top, y_bot = tops[a], tops[z] - heights[z]
        ax.add_patch(
            FancyBboxPatch(
                (0.05, y_bot),
                side_w,
                y_top - y_bot,
                boxstyle="round,pad=0,rounding_size=0.06",
                facecolor="#bfdbfe",
                edgecolor="#334155",
                linewidth=0.8,
            )
        )
        ax.text(0.05 + side_w / 2, (y_top + y_bot) / 2, name, rotation=90, ha="center",
                va="center", fontsize=8, fontweight="bold")  # fmt: skip
    return mfig


# --- heat map -------------------------------------------------------------------------------


ROW_LABEL = 48  # characters: a longer code name would squeeze the cells to slivers
COLUMN_LABEL = 36
ANGLE = 40  # degrees the heat map's column labels slant


def _clip(text: str, most: int) -> str:
    """At most `most` characters, cut at a word boundary where there is one ("Tokenistic
    consultation where the…", not "…where the bu…")."""
    return text if len(text) <= most else trim_words(text, most)


def _column_label(col: str) -> str:
    """One line ("Community safety (transcripts)"), drawn slanted: side by side, wrapped
    labels of narrow columns ran into each other."""
    if ": " in col:  # the sector is cut, not its kind: a long sector's literature and
        sector, kind = col.rsplit(": ", 1)  # transcripts columns read alike
        return f"{_clip(sector, max(8, COLUMN_LABEL - len(kind) - 3))} ({kind})"
    return _clip(col, COLUMN_LABEL)


def _row_label(path: str) -> str:
    """The code's name with its parent's in brackets, cut to ROW_LABEL characters (the
    parent's name first, then the code's), so every label leaves the cells their room."""
    name = leaf(path)
    parent = path.rsplit("/", 1)[0].rsplit("/", 1)[-1] if "/" in path else ""
    if not parent:
        return _clip(name, ROW_LABEL)
    room = ROW_LABEL - len(name) - 3
    if room >= 8:
        return f"{name} ({_clip(parent, room)})"
    return f"{_clip(name, ROW_LABEL - 11)} ({_clip(parent, 8)})"


def _heatmap(fig: Figure):
    d = fig.data
    values, rows, cols = d["values"], d["rows"], d["columns"]
    row_labels, col_labels = [_row_label(r) for r in rows], [_column_label(c) for c in cols]
    # column labels slant up to the right from their cell's centre at ANGLE degrees
    sin, cos = math.sin(math.radians(ANGLE)), math.cos(math.radians(ANGLE))
    slant = [text_inches(x, 6.5) for x in col_labels]
    top = max((w * sin + h * cos for w, h in slant), default=0.0) + TICK_PAD + 2 * PAD
    left = _y_labels(row_labels, 7)
    # the cells' width A: label j starts at the centre of cell j, (j + 0.5) * A / n from the
    # left margin, and must end (w cos + h sin further right) inside the figure
    room = WIDTH_IN - left - PAD
    n = max(len(cols), 1)
    cells = min([room, *(n * (room - w * cos - h * sin) / (j + 0.5)
                         for j, (w, h) in enumerate(slant))])  # fmt: skip
    right = WIDTH_IN - left - max(cells, room / 3)  # (a label too long for any width: cut)
    mfig = _frame(top + 0.28 * len(rows) + PAD, left, right, top, PAD)
    ax = mfig.add_subplot()
    top = max((v for r in values for v in r), default=0) or 1
    # the cells as vector quadrilaterals, not an image: an SVG keeps them sharp and small
    # (imshow wrote a 300-dpi raster, PNG-encoded, into every SVG: half its cost)
    import numpy as np

    grid = np.asarray(values, dtype=float).reshape(len(rows), len(cols))
    ax.pcolormesh(np.arange(len(cols) + 1) - 0.5, np.arange(len(rows) + 1) - 0.5, grid,
                  cmap="Blues", vmin=0, vmax=top, edgecolors="white", linewidth=1.2)  # fmt: skip
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first row on top
    ax.xaxis.tick_top()  # first: moving the ticks later would reset the labels' size
    ax.set_xticks(range(len(cols)), col_labels, fontsize=6.5, rotation=ANGLE, ha="left",
                  rotation_mode="anchor")  # fmt: skip
    ax.set_yticks(range(len(rows)), row_labels, fontsize=7)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    from matplotlib import colormaps

    from review.outputs.brief.render import white_text

    blues = colormaps["Blues"]
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            # the tables' rule: white digits only where they contrast more than dark ones
            fill = [round(255 * x) for x in blues(v / top)[:3]]
            ax.text(j, i, str(v) if v else "–", ha="center", va="center", fontsize=7,
                    color="white" if white_text(fill) else "#1f2937")  # fmt: skip
    return mfig


# --- bars -------------------------------------------------------------------------------------


LABEL_GAP = 2.5  # points between a bar's end and its value label


def _value_label(ax, x: float, y: float, text: str, size: float) -> None:
    """A bar's value just right of its end: a gap in points, not a leading space (SVG text
    collapses leading spaces, and the label touched the bar)."""
    from matplotlib.transforms import ScaledTranslation

    shift = ScaledTranslation(LABEL_GAP / 72, 0, ax.figure.dpi_scale_trans)
    ax.text(x, y, text, va="center", ha="left", fontsize=size, transform=ax.transData + shift)


def _fit_values(ax, values: list, texts: list[str], width: float, size: float) -> None:
    """x limits that leave each bar's value label room inside its own axes (`width` inches
    wide): a bar of value v ends at (v - low) / span of the width, its label right after it.
    Looked at in print: "61 index score" ran into the next panel."""
    low = min(0.0, *values)
    span = (max(0.0, *values) - low) or 1.0
    need = span * 1.05
    for v, text in zip(values, texts, strict=True):
        free = max(width - text_inches(text, size)[0] - LABEL_GAP / 72 - 0.02, width * 0.2)
        if v > 0:
            need = max(need, (v - low) * width / free)
    ax.set_xlim(low - (0.05 * span if low < 0 else 0.0), low + need)


def _whole_numbers(ax) -> None:
    """Ticks at whole numbers: an axis of excerpt counts has no 2.5."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _bars(fig: Figure):
    d = fig.data
    labels, values = d["labels"], d["values"]
    n = len(labels)
    row_labels = [_row_label(x) for x in labels]
    legend = 7 * 1.2 / 72 + 0.1  # one row of keys above the bars
    left = _y_labels(row_labels, 7)
    mfig = _frame(0.9 + 0.32 * n, left, _x_end(), PAD + legend, _x_axis(label=True))
    ax = mfig.add_subplot()
    shown: tuple[list, list[str]] = ([], [])
    ys = list(range(n))
    series = list(zip(d["series"], (BLUE, ORANGE), strict=False))
    # a series with nothing coded keeps its key ("Literature (none)") but not a bar's slot:
    # the bars stay level with their labels
    drawn = [k for k in range(len(series)) if any(v[k] for v in values)] or [0]
    h = 0.76 / len(drawn) if len(drawn) > 1 else 0.6
    for k, (name, colour) in enumerate(series):
        if k not in drawn:
            ax.barh([], [], color=colour, label=f"{name} (none)")
            continue
        xs = [v[k] for v in values]
        pos = [y + (drawn.index(k) - (len(drawn) - 1) / 2) * h for y in ys]
        ax.barh(pos, xs, height=h, color=colour, label=name)
        for p, x in zip(pos, xs, strict=True):
            if x:
                _value_label(ax, x, p, f"{x:,}", 6.5)
                shown[0].append(x)
                shown[1].append(f"{x:,}")
    ax.set_yticks(ys, row_labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("coded excerpts")
    _fit_values(ax, shown[0] or [0], shown[1] or [""], WIDTH_IN - left - _x_end(), 6.5)
    _whole_numbers(ax)
    # above the bars, never over one
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, fontsize=7, frameon=False,
              borderaxespad=0.2)  # fmt: skip
    return mfig


def _indicators(fig: Figure):
    d = fig.data
    labels = ["\n".join(textwrap.wrap(x, 38)) for x in d["labels"]]
    n = len(labels)
    title = 9 * 1.2 / 72 + 6 / 72  # a title line and its gap above the axes
    margin = _y_labels(labels, 7)
    gap = 0.3  # inches between the two panels
    panel = (WIDTH_IN - margin - _x_end() - gap) / 2
    mfig = _frame(0.9 + 0.45 * n, margin, _x_end(), PAD + title, _x_axis(), wspace=gap / panel)
    left, right = mfig.subplots(1, 2, sharey=True, width_ratios=(1, 1))
    ys = list(range(n))
    vals = [v if v is not None else 0 for v in d["values"]]
    left.barh(ys, vals, color=BLUE, height=0.6)
    value_texts = [t or "n/a" for t in d["value_text"]]
    for y, v, t in zip(ys, vals, value_texts, strict=True):
        _value_label(left, v, y, t, 7)
    right.barh(ys, d["excerpts"], color=ORANGE, height=0.6)
    excerpt_texts = [f"{e:,}" for e in d["excerpts"]]
    for y, e, t in zip(ys, d["excerpts"], excerpt_texts, strict=True):
        _value_label(right, e, y, t, 7)
    left.set_yticks(ys, labels, fontsize=7)
    left.invert_yaxis()
    left.set_title("Indicator value", loc="left")
    right.set_title("Linked coded excerpts", loc="left")
    _fit_values(left, vals, value_texts, panel, 7)
    _fit_values(right, d["excerpts"], excerpt_texts, panel, 7)
    _whole_numbers(right)
    right.tick_params(left=False)
    return mfig


DRAW = {"prisma": _prisma, "heatmap": _heatmap, "bars": _bars, "indicators": _indicators}
