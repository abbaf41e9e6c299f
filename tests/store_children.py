"""What tests/test_store_concurrency.py's spawned children do.

A spawned child is a fresh interpreter that imports the module of its target before it runs it, so
the targets live here, in a module that imports only the store and SQLAlchemy (not pytest, not the
test modules and what they build their data with): each child starts in a fraction of the time.
The period a saving child writes is built by the test and handed to it (pickled, as any argument).
Check what a child imports with `python -X importtime -c "import tests.store_children"`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ci_excel.store import Store

WAIT = 120  # seconds any child may take (spawning imports the store)


def _report(results: Any, work: Callable[[], None]) -> None:
    try:
        work()
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")
    else:
        results.put("ok")


def open_stores(urls: Any, start: Any, results: Any) -> None:
    """For each URL taken from `urls` until None: wait for the others, then open the store at it."""
    for url in iter(urls.get, None):
        start.wait(WAIT)
        _report(results, partial(_open, url))


def _open(url: str) -> None:
    Store(url).close()


def save_periods(urls: Any, start: Any, results: Any, saved: Any) -> None:
    """For each URL taken from `urls` until None: save `saved` there, its copy into the store begun
    together with the others'."""
    for url in iter(urls.get, None):
        _report(results, partial(_save, url, start, saved))


def _save(url: str, start: Any, saved: Any) -> None:
    with Store(url) as store, store.period_writer(saved.period, generated_on=saved.generated_on) as writer:
        for dept in saved.departments:
            writer.add(dept)
        writer.finish(store._figures(saved), missing=saved.missing, issues=saved.issues)
        start.wait(WAIT)  # both copies into the store begin together


def hold_lock(url: str, key: str, held: Any) -> None:
    lock = Store(url).lock(key)
    held.put(lock.try_acquire())
    time.sleep(WAIT)  # until killed
