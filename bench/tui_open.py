"""Workbench speed on a big workspace against an empty one, measured in the same run.

Builds (once, cached under /tmp) a workspace of --sources sources, --passages passages and
--codings codings with bulk inserts, plus one 50,000-word transcript; the peer is a workspace
holding only that transcript. For each, in its own process (so peak memory is its own):

- start: workspace opened and app constructed -> the first frame showing Library's first page
  (headless driver, 120x40; Python's own imports before that are not counted);
- open: `open_source` on the 50,000-word transcript -> the first frame showing it;
- key: a code's shortcut key event -> coding stored, marks re-read, and the next frame
  (median, p95 over --presses presses);
- fuzzy_key: each key of "council budget" typed into the Library's fuzzy search -> the first
  frame showing that query's result (median and max of the 14 keys);
- library_ms: the Library's service queries alone (a page, the last page, kind, status and
  code filters; fuzzy search: building its index, then each keystroke of "council budget"
  typed one character at a time (first key, median, max) and a typo after it).

Prints one JSON document: figures per workspace, ratios big/peer, peak RSS (ru_maxrss).
Smoke run: `.venv/bin/python bench/tui_open.py --sources 2000 --passages 40000 --codings 20000`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

WORDS = (
    "residents council service volunteer budget panel design litter estate clinic safety "
    "police health community neighbourhood report app survey trust time meeting priority "
    "recycling watch care school parent patient nurse officer street park bin waste idea "
    "workshop feedback complaint decision project ward local public citizen help support"
).split()
SPEAKERS = ["Moderator", "Anna", "Ben", "Chloe", "Dev", "Erin", "Farid"]
BIG_WORDS = 50_000


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def transcript(rng: random.Random, n_sentences: int, per_turn: int):
    """(text, passages): turns of `per_turn` sentences, 'Speaker: ' prefixes outside turns."""
    parts: list[str] = []
    passages: list[tuple] = []
    pos = 0
    t = 0.0
    for turn in range(0, n_sentences, per_turn):
        speaker = SPEAKERS[(turn // per_turn) % len(SPEAKERS)]
        prefix = f"{speaker}: "
        start = pos + len(prefix)
        sents = [
            sentence(rng, rng.randint(6, 14)) for _ in range(min(per_turn, n_sentences - turn))
        ]
        body = " ".join(sents)
        passages.append(("turn", start, start + len(body), speaker, t))
        cursor = start
        for s in sents:
            passages.append(("sentence", cursor, cursor + len(s), speaker, None))
            cursor += len(s) + 1
        parts.append(prefix + body + "\n")
        pos += len(prefix) + len(body) + 1
        t += 20.0
    return "".join(parts), passages


def build(path: Path, n_sources: int, n_passages: int, n_codings: int, seed: int = 7) -> dict:
    """Create the workspace with bulk inserts (one transaction per batch of sources)."""
    from review.coding.codebook import ensure_codebook
    from review.store.db import session_scope
    from review.store.workspace import init

    ws, _ = init(path)
    with session_scope(ws.engine) as s:
        ensure_codebook(s, ws.codebook_path)
    ws.close()
    db = sqlite3.connect(path / "review.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    codes = [r[0] for r in db.execute("SELECT id FROM code WHERE codable = 1")]
    db.execute("INSERT INTO coder(name, created) VALUES ('bench', ?)", (_now(),))
    coder = db.execute("SELECT id FROM coder WHERE name = 'bench'").fetchone()[0]
    rng = random.Random(seed)
    now = _now()
    # the 50,000-word transcript first (id 1), so both workspaces open the same text
    big_text, big_passages = transcript(rng, BIG_WORDS // 10, 5)
    big_id = _insert_source(db, "fg-big", "transcript", "Focus group: the big one", big_text, now)
    _insert_passages(db, big_id, big_passages)
    n_text = max(1, n_sources // 10) if n_passages else 0
    left_passages = max(0, n_passages - len(big_passages))
    per_source = left_passages // max(1, n_text)
    codings_per = n_codings // max(1, n_text)
    n_sentences = max(1, int(per_source * 0.8))
    batch: list[tuple] = []
    for i in range(1, n_sources):
        key = f"src{i:06d}"
        if i <= n_text:
            text, passages = transcript(rng, n_sentences, 4)
            sid = _insert_source(db, key, "transcript", f"Transcript {i}", text, now)
            _insert_passages(db, sid, passages)
            sents = [p for p in passages if p[0] == "sentence"]
            rows = []
            for _ in range(codings_per):
                a = rng.randrange(len(sents))
                b = min(len(sents) - 1, a + rng.randrange(3))
                start, end = sents[a][1], sents[b][2]
                rows.append((sid, rng.choice(codes), start, end, text[start:end], coder, now))
            db.executemany(
                'INSERT INTO coding(source_id, code_id, start, "end", quote, coder_id, origin,'
                " created) VALUES (?, ?, ?, ?, ?, ?, 'manual', ?)",
                rows,
            )
        else:
            authors = json.dumps(
                [f"{rng.choice(WORDS).title()}, A.", f"{rng.choice(WORDS).title()}, B."]
            )
            title = sentence(rng, rng.randint(6, 12)).rstrip(".")
            batch.append(
                (
                    key,
                    rng.choice(["article", "report", "book"]),
                    title,
                    authors,
                    1990 + rng.randrange(35),
                    now,
                )
            )
        if len(batch) >= 5000 or (i == n_sources - 1 and batch):
            db.executemany(
                "INSERT INTO source(key, kind, title, authors, year, keywords, record, meta, "
                "created) VALUES (?, ?, ?, ?, ?, '[]', '{}', '{}', ?)",
                batch,
            )
            batch = []
        if i % 1000 == 0:
            db.commit()
    decisions = [
        (rng.randrange(1, n_sources + 1), coder, rng.choice(["include", "exclude", "maybe"]), now)
        for _ in range(n_sources // 2)
    ]
    db.executemany(
        "INSERT INTO screeningdecision(source_id, coder_id, stage, decision, final, created) "
        "VALUES (?, ?, 'title-abstract', ?, 0, ?)",
        decisions,
    )
    db.commit()
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("source", "passage", "coding")
    }
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    # the decisions went in around the screening service: it stores the statuses now
    from review.screening.decisions import store_status
    from review.store.workspace import Workspace

    ws = Workspace.open(path)
    with session_scope(ws.engine) as s:
        store_status(s)
    ws.close()
    counts["big_transcript_words"] = len(big_text.split())
    return counts


def _now() -> str:
    return datetime.now(UTC).isoformat(sep=" ")


def _insert_source(db, key, kind, title, text, now) -> int:
    cur = db.execute(
        "INSERT INTO source(key, kind, title, authors, keywords, record, meta, text, created) "
        "VALUES (?, ?, ?, '[]', '[]', '{}', '{}', ?, ?)",
        (key, kind, title, text, now),
    )
    return cur.lastrowid


def _insert_passages(db, sid, passages) -> None:
    db.executemany(
        'INSERT INTO passage(source_id, start, "end", kind, speaker, timestamp) '
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(sid, a, z, kind, spk, ts) for kind, a, z, spk, ts in passages],
    )


# --- measuring (in a child process per workspace) ---------------------------------------------


async def measure(path: Path, presses: int) -> dict:
    """Times from an action to the first frame the app sends to the terminal after it."""
    from textual import events

    from review.store.workspace import Workspace
    from review.tui.app import ReviewApp
    from review.tui.screens.library import LibraryScreen
    from review.tui.screens.reader import ReaderScreen

    done: dict[str, float] = {}
    _spy(LibraryScreen, "_show", done, "page")
    _spy(ReaderScreen, "_loaded", done, "loaded")
    _spy(ReaderScreen, "apply", done, "applied")

    t0 = time.perf_counter()
    ws = Workspace.open(path, coder="bench")
    app = ReviewApp(ws, sample_import=False)
    frames: list[float] = []
    display = app._display

    def spy_display(*a, **k):
        frames.append(time.perf_counter())
        return display(*a, **k)

    app._display = spy_display

    async def frame_after(mark: str) -> float:
        while mark not in done or not frames or frames[-1] < done[mark]:
            await asyncio.sleep(0.0005)
        return next(f for f in frames if f >= done[mark])

    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        out["start_s"] = await frame_after("page") - t0
        out["library_rows"] = len(app.screen.current.rows)
        out["library_total"] = app.screen.current.total
        await pilot.pause()

        # Fuzzy search in the Library: each key of "council budget" typed into `/`, from the
        # key event to the first frame after the table shows that query's result (the next
        # key waits for it). The fuzzy index is built in a thread when the Library opens:
        # wait for that first, as a reader would take a moment before typing.
        lib = app.screen
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "kinds"])
        await pilot.press("slash")
        await pilot.pause()
        typed, fuzzy = "council budget", []
        for n, ch in enumerate(typed, 1):
            done.pop("page", None)
            t = time.perf_counter()
            app._driver.send_message(events.Key("space" if ch == " " else ch, ch))
            fuzzy.append((await frame_after("page") - t) * 1000)
            assert lib.flt.fuzzy == typed[:n] and lib.current.ranked, (lib.flt, n)
            await pilot.pause()
        out["fuzzy_key_ms"] = [round(x, 1) for x in fuzzy]
        out["fuzzy_key_ms_median"] = statistics.median(fuzzy)
        out["fuzzy_key_ms_max"] = max(fuzzy)
        await pilot.press("escape", "x")  # back to the table, filters cleared
        await pilot.pause()

        big = 1
        t1 = time.perf_counter()
        app.open_source(big)
        out["open_s"] = await frame_after("loaded") - t1
        scr = app.screen
        out["open_words"] = len(scr.doc.text.split())
        out["open_units"] = len(scr.doc.units)
        await pilot.pause()

        lat, service = [], []
        for i in range(presses):
            await pilot.press("down")
            await pilot.pause()
            done.pop("applied", None)
            key = str(1 + i % 4)
            t2 = time.perf_counter()
            app._driver.send_message(events.Key(key, key))
            lat.append((await frame_after("applied") - t2) * 1000)
            service.append(scr.last_action_ms or 0.0)
            await pilot.pause()
        out["key_ms_median"] = statistics.median(lat)
        out["key_ms_p95"] = sorted(lat)[int(0.95 * (len(lat) - 1))]
        out["key_service_ms_median"] = statistics.median(service)
        out["codings_in_reader"] = len(scr.doc.codings)
    out["library_ms"] = library_timings(ws)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    ws.close()
    return out


def library_timings(ws) -> dict:
    """The Library's queries without the UI: a page, the last page, each filter, fuzzy."""
    from review.coding import library
    from review.coding.library import LibraryFilter
    from review.store.db import session_scope

    cases = [
        ("page", LibraryFilter(), 0),
        ("last_page", LibraryFilter(), 10**9),
        ("kind", LibraryFilter(kind="report"), 0),
        ("status", LibraryFilter(status="include"), 0),
        ("status_pending", LibraryFilter(status="pending"), 0),
        ("status_unscreened", LibraryFilter(status="unscreened"), 0),
        ("code_with_children", LibraryFilter(code_id=1), 0),
    ]
    out: dict = {}
    library._FUZZY = library._FuzzyIndex()  # measured afresh (the TUI run above built one)
    with session_scope(ws.engine) as s:
        total = library.page(s, limit=1).total
        for name, flt, offset in cases:
            offset = min(offset, max(0, total - 100))
            t = time.perf_counter()
            library.page(s, flt, offset=offset, limit=100)
            out[name] = round((time.perf_counter() - t) * 1000, 1)
        # Fuzzy search as the Library runs it: the index is built when the screen opens
        # (`warm_fuzzy`), then every keystroke of "council budget" is a query of its own,
        # then a typo ("council budgt"); none of these was asked before (no cached ranking).
        t = time.perf_counter()
        library.warm_fuzzy(s)
        out["fuzzy_index"] = round((time.perf_counter() - t) * 1000, 1)
        typed = "council budget"
        keys = []
        for n in range(1, len(typed) + 1):
            t = time.perf_counter()
            library.page(s, LibraryFilter(fuzzy=typed[:n]), limit=100)
            keys.append(round((time.perf_counter() - t) * 1000, 1))
        out["fuzzy_first_key"] = keys[0]
        out["fuzzy_keys_median"] = statistics.median(keys)
        out["fuzzy_keys_max"] = max(keys)
        t = time.perf_counter()
        library.page(s, LibraryFilter(fuzzy="council budgt"), limit=100)
        out["fuzzy_next_key"] = round((time.perf_counter() - t) * 1000, 1)
    return out


def _spy(cls, name: str, done: dict, mark: str) -> None:
    """Record when a screen method returns (the state the next frame must show)."""
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        done[mark] = time.perf_counter()
        return result

    setattr(cls, name, wrapper)


def child(path: Path, presses: int) -> dict:
    return asyncio.run(measure(path, presses))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=int, default=100_000)
    ap.add_argument("--passages", type=int, default=2_000_000)
    ap.add_argument("--codings", type=int, default=1_000_000)
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--cache", default="/tmp/review-bench-tui")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.presses)))
        return
    cache = Path(args.cache)
    big = cache / f"ws-{args.sources}-{args.passages}-{args.codings}"
    peer = cache / "ws-peer"
    built: dict = {}
    for path, sizes in ((big, (args.sources, args.passages, args.codings)), (peer, (1, 0, 0))):
        marker = path / "built.json"
        if not marker.exists():
            t = time.perf_counter()
            counts = build(path, *sizes)
            counts["build_s"] = round(time.perf_counter() - t, 1)
            marker.write_text(json.dumps(counts))
        built[path.name] = json.loads(marker.read_text())
    results, cold = {}, {}
    for name, path in (("big", big), ("peer", peer)):
        # Two runs each: the first may read the database file from disk (cold page cache),
        # the second is what a reviewer reopening the workspace sees. Both are reported.
        for run in ("cold", "warm"):
            _reset_codings(path, built[path.name])
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path), "--presses", str(args.presses)],
                capture_output=True,
                text=True,
                check=True,
            )
            doc = json.loads(proc.stdout.strip().splitlines()[-1])
            (cold if run == "cold" else results)[name] = doc
    b, p = results["big"], results["peer"]
    doc = {
        "workspace": built[big.name],
        "big": b,
        "peer_empty_workspace": p,
        "first_run_cold_cache": {
            n: {k: round(v, 3) for k, v in d.items() if k.endswith(("_s", "_ms_median"))}
            for n, d in cold.items()
        },
        "ratio_big_over_peer": {
            k: round(b[k] / p[k], 2)
            for k in ("start_s", "open_s", "key_ms_median", "fuzzy_key_ms_median")
            if p[k]
        },
        "targets": {
            "start_s": 1.0,
            "open_s": 1.0,
            "key_ms_median": 50,
            "fuzzy_key_ms_max": 100,
            "library filters (service)": 100,
        },
        "met": {
            "start": b["start_s"] < 1.0,
            "open": b["open_s"] < 1.0,
            "key": b["key_ms_median"] < 50,
            "fuzzy_key": b["fuzzy_key_ms_max"] < 100,
            "filters": all(
                b["library_ms"][k] < 100
                for k in ("kind", "status", "status_pending", "status_unscreened")
                + ("code_with_children", "fuzzy_first_key", "fuzzy_keys_max", "fuzzy_next_key")
            ),
        },
    }
    print(json.dumps(doc, indent=2))


def _reset_codings(path: Path, counts: dict) -> None:
    """Remove codings a previous measurement added, so every run sees the same database."""
    db = sqlite3.connect(path / "review.db")
    db.execute("DELETE FROM action")
    db.execute("DELETE FROM coding WHERE id > ?", (counts.get("coding", 0),))
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
