"""A second writer never loses a row: two and four processes writing one workspace at once
(codings, memos, screening decisions, imports), on SQLite and on PostgreSQL; exact counts
afterwards. And the one race a deferred BEGIN always lost, shown deterministically."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from review.errors import BusyError
from review.store import models as m
from review.store.db import make_engine, open_engine, retry_write, session_scope

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def url(db_url, tmp_path) -> str:
    """The test's database: a SQLite file, or the fresh PostgreSQL database."""
    return db_url or f"sqlite:///{tmp_path / 'review.db'}"


BODY = " ".join(f"Sentence {i} about co-producing public services." for i in range(200))
ROUNDS = 15
RIS = Path(__file__).parent / "data" / "four_databases" / "embase.ris"


def _setup(url: str, tmp: Path, writers: int) -> tuple[int, list[Path]]:
    from review.coding.codebook import ensure_codebook
    from review.store.workspace import default_codebook_text

    engine = open_engine(url)
    book = tmp / "codebook.toml"
    book.write_text(default_codebook_text(), "utf-8")
    with session_scope(engine) as s:
        ensure_codebook(s, book)
        src = m.Source(key="race", kind="transcript", title="Race", text=BODY)
        s.add(src)
        for k in range(writers * ROUNDS):
            s.add(m.Source(key=f"lit{k}", kind="article", title=f"Record {k}", text=None))
        s.flush()
        sid = src.id
    engine.dispose()
    files = []
    for k in range(writers):  # each writer imports its own copy (distinct content: a comment)
        f = tmp / f"w{k}.ris"
        f.write_bytes(RIS.read_bytes().replace(b"TY  -", f"N1  - writer {k}\nTY  -".encode(), 1))
        files.append(f)
    return sid, files


def _writer(url: str, k: int, writers: int, sid: int, ris: str, out) -> None:
    from review.coding.codebook import codable_ids
    from review.coding.codings import add_memo, apply_code
    from review.importers import import_file
    from review.screening.decisions import decide

    engine = make_engine(url)
    with session_scope(engine, write=False) as s:
        codes = sorted(codable_ids(s))
    done, errors = 0, []
    for i in range(ROUNDS):
        start = (k * ROUNDS + i) * 7 % (len(BODY) - 50)
        try:
            with session_scope(engine, write=True) as s:  # read, then write
                apply_code(s, source_id=sid, code_id=codes[i % len(codes)], start=start,
                           end=start + 30, coder=f"coder{k}")  # fmt: skip
                add_memo(s, target="source", target_id=sid, text=f"w{k} r{i}", coder=f"coder{k}")
                decide(s, f"coder{k}", f"lit{k * ROUNDS + i}", "include")
            done += 1
        except Exception as exc:  # any failure is the test's failure, with its text
            errors.append(f"{type(exc).__name__}: {exc}")
    report = import_file(engine, Path(ris))
    engine.dispose()
    out.put((done, errors, report.status, report.imported, [p.message for p in report.problems]))


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_lose_nothing(url, tmp_path, writers):
    sid, files = _setup(url, tmp_path, writers)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(url, k, writers, sid, str(files[k]), out))
        for k in range(writers)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [r[1] for r in results] == [[]] * writers  # no writer saw an error
    assert sum(r[0] for r in results) == writers * ROUNDS
    assert {r[2] for r in results} == {"imported"}, [r[4] for r in results]
    engine = make_engine(url)
    with session_scope(engine, write=False) as s:

        def n(model):
            return s.execute(select(func.count()).select_from(model)).scalar_one()

        assert n(m.Coding) == writers * ROUNDS
        assert n(m.Memo) == writers * ROUNDS
        assert n(m.ScreeningDecision) == writers * ROUNDS
        assert n(m.Coder) == writers  # each coder once, though all started at once
        batches = s.execute(select(m.ImportBatch.status)).scalars().all()
        assert sorted(batches) == ["imported"] * writers
        imported = sum(r[3] for r in results)
        literature = n(m.Source) - 1 - writers * ROUNDS
        assert imported == literature > 0
        codes = s.execute(select(m.Code.parent_id, m.Code.name)).all()
        assert len(codes) == len(set(codes))  # the codebook was not loaded twice
    engine.dispose()


def test_first_use_codebook_loads_once_under_a_race(url, tmp_path):
    """Two processes' first coding commands at once: the codebook is loaded by one of them."""
    from review.store.workspace import default_codebook_text

    book = tmp_path / "codebook.toml"
    book.write_text(default_codebook_text(), "utf-8")
    open_engine(url).dispose()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_load_book, args=(url, str(book), out)) for _ in range(4)]
    for p in procs:
        p.start()
    loaded = sorted(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert loaded[:-1] == [0, 0, 0] and loaded[-1] > 0
    engine = make_engine(url)
    with session_scope(engine, write=False) as s:
        assert s.execute(select(func.count()).select_from(m.Code)).scalar_one() == loaded[-1]
    engine.dispose()


def _load_book(url: str, book: str, out) -> None:
    from review.coding.codebook import ensure_codebook

    engine = make_engine(url)
    with session_scope(engine, write=True) as s:
        n = ensure_codebook(s, book)
        s.execute(select(m.Code.id)).all()
        time.sleep(0.2)  # hold the transaction open so the others really overlap
    engine.dispose()
    out.put(n)


def test_a_deferred_read_then_write_race_is_busy_not_an_internal_error(tmp_path):
    """The race a plain BEGIN loses: A reads, B commits a write, A writes. SQLite refuses A at
    once (its snapshot is stale). That is a BusyError with a plain message, and `retry_write`
    runs the work again and succeeds; a write session (BEGIN IMMEDIATE) never hits it."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = open_engine(url)
    insert = text("INSERT INTO coder(name, created) VALUES (:n, '2026-01-01')")
    with pytest.raises(BusyError, match="busy .*try again"):
        with session_scope(engine, write=False) as a:
            a.execute(text("SELECT count(*) FROM coder")).scalar()
            with session_scope(engine, write=True) as b:
                b.execute(insert, {"n": "b"})
            a.execute(insert, {"n": "a"})
    attempts = []

    def work(s):
        attempts.append(1)
        s.execute(text("SELECT count(*) FROM coder")).scalar()
        if len(attempts) == 1:  # the first attempt loses the race as above
            with session_scope(engine, write=True) as b:
                b.execute(insert, {"n": "b2"})
        s.execute(insert, {"n": f"a{len(attempts)}"})

    # retry_write's sessions take the write lock first, so the race cannot even happen there:
    # the first attempt runs on a deferred session (and loses), then retry_write runs it again.
    with pytest.raises(BusyError):
        with session_scope(engine) as s:
            work(s)
    retry_write(engine, work)
    with session_scope(engine, write=False) as s:
        names = set(s.execute(text("SELECT name FROM coder")).scalars())
    assert {"b", "b2", "a2"} <= names and "a" not in names and "a1" not in names
    engine.dispose()


def test_a_write_session_waits_for_the_other_writer(tmp_path):
    """BEGIN IMMEDIATE: B's write transaction waits while A holds the lock, then goes through,
    reading what A committed (with a deferred BEGIN it read before A's commit, then failed)."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = open_engine(url)
    insert = text("INSERT INTO coder(name, created) VALUES (:n, '2026-01-01')")
    started = threading.Event()

    def other():
        started.wait()
        with session_scope(engine, write=True) as b:
            n = b.execute(text("SELECT count(*) FROM coder")).scalar()
            b.execute(insert, {"n": f"b saw {n}"})

    t = threading.Thread(target=other)
    t.start()
    with session_scope(engine, write=True) as a:
        a.execute(text("SELECT count(*) FROM coder")).scalar()
        started.set()
        time.sleep(0.3)
        a.execute(insert, {"n": "a"})
    t.join(timeout=30)
    with session_scope(engine, write=False) as s:
        assert set(s.execute(text("SELECT name FROM coder")).scalars()) == {"a", "b saw 1"}
    engine.dispose()
