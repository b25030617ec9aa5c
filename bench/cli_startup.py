"""CLI start-up: `review --help` and `review status` as whole processes, against the bare
`python -c "import sqlmodel"` in the same run (hyperfine-like).

Every command a person types pays for Python starting and the CLI importing what it needs
before any work is done; the target (issue 11) is both commands within 1.25x the time Python
takes just to import sqlmodel, the one library every database command needs. Each round runs
every command once as a separate process, in an order that rotates round by round (so drift
in machine load falls on all of them alike), after a few untimed warm-up rounds (to fill the
OS file cache). Reported per command: median, min, max and the inter-quartile range of the
wall time, the median's ratio to the peer's median (the figure the target is about; also the
ratio of the minimums), and the child's peak RSS (ru_maxrss from wait4, the largest over the
rounds).

    .venv/bin/python bench/cli_startup.py --runs 40     # the README's figure
    .venv/bin/python bench/cli_startup.py --runs 5      # smoke run

`review status` runs on a fresh workspace made by `review init` in a temporary folder (the
counts are all zero: this measures start-up, not counting).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.25


def review_command() -> list[str]:
    """The installed `review` script beside this interpreter (what a user runs), else -m."""
    script = Path(sys.executable).parent / "review"
    return [str(script)] if script.exists() else [sys.executable, "-m", "review"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and the child's peak RSS in KiB for one whole-process run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return elapsed, usage.ru_maxrss


def summarise(times: list[float], rss: list[int]) -> dict:
    q = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
        "iqr_s": round(q[2] - q[0], 4),
        "peak_rss_mb": round(max(rss) / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=40, help="timed rounds (each runs every command)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = ap.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_")}
    review = review_command()
    with tempfile.TemporaryDirectory(prefix="review-bench-startup-") as tmp:
        ws = Path(tmp) / "ws"
        subprocess.run([*review, "init", str(ws)], check=True, capture_output=True, env=env)
        commands = {
            "peer: python -c 'import sqlmodel'": [sys.executable, "-c", "import sqlmodel"],
            "review --help": [*review, "--help"],
            "review status": [*review, "-w", str(ws), "status"],
        }
        names = list(commands)
        times: dict[str, list[float]] = {n: [] for n in names}
        rss: dict[str, list[int]] = {n: [] for n in names}
        for _ in range(args.warmup):
            for name in names:
                run_once(commands[name], env)
        for i in range(args.runs):
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                t, r = run_once(commands[name], env)
                times[name].append(t)
                rss[name].append(r)

    peer = names[0]
    results = {name: summarise(times[name], rss[name]) for name in names}
    for name in names[1:]:
        ratio = results[name]["median_s"] / results[peer]["median_s"]
        results[name]["ratio_to_peer"] = round(ratio, 3)
        # (the fastest runs, least disturbed by other load: a second view of the same ratio)
        results[name]["min_ratio_to_peer"] = round(
            results[name]["min_s"] / results[peer]["min_s"], 3
        )
        results[name]["within_target"] = ratio <= TARGET
    doc = {
        "runs": args.runs,
        "warmup": args.warmup,
        "target_ratio": TARGET,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "results": results,
    }
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
