"""Passage segmentation throughput: our transcript pipeline vs spaCy's sentencizer alone.

Generates a deterministic focus-group transcript corpus of `--n` words (default 1,000,000),
then times, on the same texts:
  peer: `spacy.blank("en")` + `sentencizer` over each whole transcript, collecting sentences;
  ours: `parse_text` (header, speaker labels, turns) + `segment` (turns and their sentences,
        never across a turn or a blank line), i.e. everything an import does before the DB.
Prints JSON: words/s for both, the ratio ours/peer (target <= 1.5), peak memory of each
(tracemalloc, on a `--mem-n`-word slice so the measurement does not slow the timed runs), the
process's peak RSS, and the whole import (files -> SQLite with passages and the FTS index) on
a `--store-n`-word slice as words/s and as a ratio to segmenting the same slice.

    .venv/bin/python bench/segment_passages.py --n 1000000
    .venv/bin/python bench/segment_passages.py --n 20000      # smoke run
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review.ingest.passages import nlp, segment  # noqa: E402
from review.ingest.transcripts.text import parse_text  # noqa: E402

WORDS = (
    "the council residents we people park police health service community litter street "
    "volunteer group meeting time trust decide budget report app school neighbours think really "
    "because would could should about when they their there this that with from into over just "
    "café naïve Zoë rôle façade coöperate 😀 bins recycling safety clinic doctor walk priority"
).split()
SPEAKERS = ["Moderator", "Gary", "Aisha Rahman", "P1", "R2", "Interviewer", "Zoë", "JOE"]
STYLES = ["{}: ", "[{}] ", "{} (00:{:02d}:{:02d}): ", "[00:{:02d}:{:02d}] {}: "]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 25))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def transcript(rng: random.Random, words: int, number: int) -> tuple[str, int]:
    """One transcript of about `words` words; returns (text, words written)."""
    lines = [
        "ILLUSTRATIVE TRANSCRIPT: generated for the benchmark",
        f"Focus group: Bench {number}",
        "Date: 14 March 2024",
        "Moderator: Helen Marsh",
        "",
    ]
    style = STYLES[number % len(STYLES)]
    written = 0
    minute = 0
    while written < words:
        who = rng.choice(SPEAKERS)
        minute += 1
        if "00:" in style:
            if style.startswith("["):
                label = style.format(minute // 60 % 60, minute % 60, who)
            else:
                label = style.format(who, minute // 60 % 60, minute % 60)
        else:
            label = style.format(who)
        paragraphs = []
        for _ in range(rng.choice([1, 1, 1, 2])):
            para = " ".join(sentence(rng) for _ in range(rng.randint(1, 5)))
            written += len(para.split())
            paragraphs.append(para)
        lines.append(label + "\n\n".join(paragraphs))
        lines.append("")
    return "\n".join(lines), written


def corpus(n_words: int, seed: int = 20240314, per_file: int = 5000) -> tuple[list[str], int]:
    rng = random.Random(seed)
    texts, total, number = [], 0, 0
    while total < n_words:
        text, written = transcript(rng, min(per_file, n_words - total), number)
        texts.append(text)
        total += written
        number += 1
    return texts, total


def peer(texts: list[str]) -> int:
    """spaCy's sentencizer alone: sentences of each whole text."""
    count = 0
    for doc in nlp().pipe(texts, batch_size=64):
        count += sum(1 for _ in doc.sents)
    return count


def ours(texts: list[str]) -> int:
    """Header + speaker turns + sentences within turns: what an import segments."""
    return sum(len(segment(parse_text(text))) for text in texts)


def stored(texts: list[str]) -> int:
    """The whole import: files through `review import`'s pipeline into a fresh SQLite file
    (one transaction per file: source, participants, passages, FTS index)."""
    import tempfile

    from review.importers import import_paths
    from review.store.db import open_engine, sqlite_url

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"fg{i:04d}.txt").write_text(text, "utf-8")
        engine = open_engine(sqlite_url(Path(tmp) / "bench.db"))
        reports = import_paths(engine, [folder])
        engine.dispose()
    assert all(r.ok for r in reports), [r.problems for r in reports if not r.ok][:1]
    return len(reports)


def timed(fn, texts: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    result = fn(texts)
    return time.perf_counter() - start, result


def peak_memory(fn, texts: list[str]) -> int:
    tracemalloc.start()
    fn(texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="words in the corpus")
    parser.add_argument("--mem-n", type=int, default=100_000, help="words for memory peaks")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the best counts")
    parser.add_argument("--store-n", type=int, default=200_000, help="words for the DB import")
    args = parser.parse_args()
    texts, words = corpus(args.n)
    nlp()  # build the pipeline before timing either side
    peer(texts[:1])
    ours(texts[:1])
    peer_times, our_times = [], []
    for _ in range(args.repeat):
        t, sentences = timed(peer, texts)
        peer_times.append(t)
        t, passages = timed(ours, texts)
        our_times.append(t)
    slice_texts, slice_words = corpus(min(args.mem_n, args.n))
    store_texts, store_words = corpus(min(args.store_n, args.n))
    seg_time, _ = timed(ours, store_texts)
    store_time, _ = timed(stored, store_texts)
    peer_peak = peak_memory(peer, slice_texts)
    our_peak = peak_memory(ours, slice_texts)
    best_peer, best_ours = min(peer_times), min(our_times)
    print(
        json.dumps(
            {
                "words": words,
                "transcripts": len(texts),
                "chars": sum(len(t) for t in texts),
                "peer_sentencizer": {
                    "seconds": round(best_peer, 3),
                    "words_per_s": round(words / best_peer),
                    "sentences": sentences,
                },
                "ours_turns_and_sentences": {
                    "seconds": round(best_ours, 3),
                    "words_per_s": round(words / best_ours),
                    "passages": passages,
                },
                "ratio_ours_to_peer": round(best_ours / best_peer, 3),
                "target_ratio": 1.5,
                "peak_tracemalloc_bytes": {
                    "words": slice_words,
                    "peer": peer_peak,
                    "ours": our_peak,
                },
                "import_to_sqlite": {
                    "words": store_words,
                    "seconds": round(store_time, 3),
                    "words_per_s": round(store_words / store_time),
                    "ratio_to_segmentation_alone": round(store_time / seg_time, 3),
                },
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
