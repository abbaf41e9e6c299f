"""The history store under real concurrent processes: first use, one period saved twice at once,
and locks that outlive neither their release nor their process (SQLite always, PostgreSQL when
CI_EXCEL_TEST_PG_URL is set). Children are spawned: fresh interpreters, as two commands would be;
what they run is in tests/store_children.py, which imports little, so they start quickly."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ci_excel.store import _PERIOD_CHILDREN, PERIODS, SCHEMA_VERSION, STORE_VERSION, Store
from tests.pg import PG_URL, drop_all
from tests.store_children import WAIT, hold_lock, open_stores, save_periods
from tests.test_store import _department, _period, _same

SPAWN = multiprocessing.get_context("spawn")
OPENERS, OPEN_TRIALS, SAVE_TRIALS = 6, 4, 3


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Gives the URL of a store that does not exist yet, each time it is called."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("CI_EXCEL_TEST_PG_URL is not set")
    made = iter(range(1000))

    def new() -> str:
        if PG_URL and request.param == "postgresql":
            drop_all(PG_URL)
            return PG_URL
        return f"sqlite:///{tmp_path / f'history{next(made)}.sqlite'}"

    yield new
    if PG_URL and request.param == "postgresql":
        drop_all(PG_URL)


def _big_period() -> Any:
    return _period(departments=[_department(f"部门{n:02}", "2026-11", problems=5) for n in range(20)])


# -- running them ---------------------------------------------------------------------------------


@contextmanager
def _children(target: Callable[..., None], n: int, *args: Any) -> Iterator[Callable[[str], list[str]]]:
    """`n` spawned processes running `target` (spawned once, for every trial: each is a fresh
    interpreter that imports the store); gives `trial(url)`, which hands `url` to each of them, lets
    them start its work at one moment and returns their outcomes."""
    start, urls, results = SPAWN.Barrier(n), SPAWN.Queue(), SPAWN.Queue()
    children = [SPAWN.Process(target=target, args=(urls, start, results, *args)) for _ in range(n)]

    def trial(url: str) -> list[str]:
        for _ in children:
            urls.put(url)
        return [results.get(timeout=WAIT) for _ in children]

    try:
        for child in children:
            child.start()
        yield trial
        for _ in children:
            urls.put(None)
    finally:
        _end(children)


def _end(children: list[SpawnProcess]) -> None:
    for child in children:
        child.join(timeout=WAIT)
        if child.is_alive():
            child.kill()
            child.join()


# -- the tests --------------------------------------------------------------------------------------


def test_many_processes_open_a_new_store_at_once(fresh: Callable[[], str]) -> None:
    with _children(open_stores, OPENERS) as trial:
        for _ in range(OPEN_TRIALS):
            url = fresh()
            assert trial(url) == ["ok"] * OPENERS
            with Store(url) as store, store.engine.connect() as conn:
                versions = list(conn.scalars(sa.select(SCHEMA_VERSION.c.version).order_by(SCHEMA_VERSION.c.version)))
            assert versions == list(range(1, STORE_VERSION + 1))


def test_one_period_saved_by_two_processes_at_once_is_stored_once(fresh: Callable[[], str]) -> None:
    url = fresh()
    Store(url).close()
    with _children(save_periods, 2, _big_period()) as trial:
        for _ in range(SAVE_TRIALS):
            assert trial(url) == ["ok", "ok"]
            concurrent = _row_counts(url)
            with Store(url) as store:
                _same(store.load_period("2026-11"), _big_period())
                store.save_period(_big_period())  # one save alone, for comparison
            assert _row_counts(url) == concurrent
            assert concurrent["periods"] == 1 and concurrent["problems"] == 100


def _row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in (PERIODS, *_PERIOD_CHILDREN)
        }
    engine.dispose()
    return counts


def test_a_held_lock_is_refused_until_its_holder_is_killed(fresh: Callable[[], str]) -> None:
    url = fresh()
    Store(url).close()
    held = SPAWN.Queue()
    holder = SPAWN.Process(target=hold_lock, args=(url, "period-2026-11", held))
    holder.start()
    try:
        assert held.get(timeout=WAIT) is True
        with Store(url) as store:
            lock = store.lock("period-2026-11")
            assert not lock.try_acquire()
            assert f"pid {holder.pid}" in lock.holder() and "period-2026-11 on the" in lock.holder()
            other = store.lock("period-2026-10")  # another key is free
            assert other.try_acquire()
            other.release()
            assert holder.pid is not None
            os.kill(holder.pid, signal.SIGKILL)
            holder.join(timeout=WAIT)
            assert _taken_within(lock, seconds=30)
            lock.release()
            again = store.lock("period-2026-11")
            assert again.try_acquire()  # released: free again
            again.release()
    finally:
        _end([holder])


def _taken_within(lock: Any, *, seconds: float) -> bool:
    """The server notices a killed client's closed socket at once, but give it a moment."""
    deadline = time.monotonic() + seconds
    while not lock.try_acquire():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
