"""Key-to-redraw while coding: the code picker opening with 1,000 codes, find-next, and a code
key, on a transcript of about 50,000 words (the generator of bench/tui_open.py).

Each figure is from the key event sent to the driver to the first frame the app writes after
the work is done (the same spy on `_display` as bench/tui_open.py); headless, 120x40.

    .venv/bin/python bench/tui_coding.py [--codes 1000] [--presses 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_open import BIG_WORDS, _insert_passages, _insert_source, _now, transcript  # noqa: E402


def build(root: Path, n_codes: int) -> None:
    import sqlite3

    from review.store.workspace import Workspace

    (root / "codebook").mkdir(parents=True)
    (root / "corpus").mkdir()
    ws = Workspace.open(root)
    _ = ws.engine  # the schema
    ws.close()
    rng = random.Random(7)
    text, passages = transcript(rng, BIG_WORDS // 10, 6)
    db = sqlite3.connect(root / "review.db")
    sid = _insert_source(db, "big-interview", "transcript", "A long interview", text, _now())
    _insert_passages(db, sid, passages)
    groups = max(1, n_codes // 20)
    for g in range(groups):
        cur = db.execute(
            "INSERT INTO code(name, keywords, position, codable) VALUES (?, '[]', ?, 0)",
            (f"Theme {g:03d}", g),
        )
        parent = cur.lastrowid
        for k in range(n_codes // groups - 1):
            shortcut = str(1 + k) if g == 0 and k < 9 else None
            db.execute(
                "INSERT INTO code(parent_id, name, keywords, position, codable, shortcut) "
                "VALUES (?, ?, '[]', ?, 1, ?)",
                (parent, f"Code {g:03d}-{k:02d} {rng.choice(['trust', 'time', 'care'])}",
                 g * 100 + k, shortcut),
            )  # fmt: skip
    db.commit()
    db.close()


async def measure(root: Path, presses: int) -> dict:
    from textual import events

    from review.store.workspace import Workspace
    from review.tui.app import ReviewApp
    from review.tui.widgets.code_picker import CodePicker
    from review.tui.widgets.reader_view import ReaderView

    done: dict[str, float] = {}

    def spy(cls, name, mark):
        original = getattr(cls, name)

        def wrapped(self, *a, **k):
            result = original(self, *a, **k)
            done[mark] = time.perf_counter()
            return result

        setattr(cls, name, wrapped)

    spy(CodePicker, "_fill", "picker")
    spy(ReaderView, "select_span", "hit")
    spy(ReaderView, "marks_changed", "applied")
    ws = Workspace.open(root, coder="bench")
    app = ReviewApp(ws, sample_import=False)
    frames: list[float] = []
    display = app._display

    def spy_display(*a, **k):
        frames.append(time.perf_counter())
        return display(*a, **k)

    app._display = spy_display

    async def frame_after(mark: str, since: float) -> float:
        while mark not in done or done[mark] < since or not frames or frames[-1] < done[mark]:
            await asyncio.sleep(0.0005)
        return next(f for f in frames if f >= done[mark])

    def key(name: str, char: str | None = None) -> float:
        t = time.perf_counter()
        app._driver.send_message(events.Key(name, char))
        return t

    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_source(1)
        while getattr(app.screen, "doc", None) is None:
            await pilot.pause(0.05)
        scr = app.screen
        out["words"] = len(scr.doc.text.split())
        out["codes"] = len(scr.choices)
        await pilot.pause(0.3)
        picker = []
        for _ in range(max(5, presses // 3)):
            t = key("enter")
            picker.append((await frame_after("picker", t) - t) * 1000)
            await pilot.pause(0.05)
            await pilot.press("escape")
            await pilot.pause(0.05)
        await pilot.press("slash", *"trust", "enter")
        await pilot.pause(0.2)
        out["find_hits"] = len(scr.query_one(ReaderView).hits)
        nxt = []
        for _ in range(presses):
            t = key("n", "n")
            nxt.append((await frame_after("hit", t) - t) * 1000)
            await pilot.pause(0.02)
        apply = []
        for i in range(presses):
            await pilot.press("n")
            await pilot.pause(0.02)
            t = key(str(1 + i % 9), str(1 + i % 9))
            apply.append((await frame_after("applied", t) - t) * 1000)
            await pilot.pause(0.02)

    def summary(xs):
        xs = sorted(xs)
        return {"median_ms": round(statistics.median(xs), 1),
                "p95_ms": round(xs[int(0.95 * (len(xs) - 1))], 1)}  # fmt: skip

    out["picker_open"] = summary(picker)
    out["find_next"] = summary(nxt)
    out["code_key"] = summary(apply)
    ws.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-bench-coding-") as tmp:
        root = Path(tmp) / "ws"
        t = time.perf_counter()
        build(root, args.codes)
        built = time.perf_counter() - t
        out = asyncio.run(measure(root, args.presses))
        out["build_s"] = round(built, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
