"""Who may write a period, and whether there is room: the store opened (its URL checked first), the
period's locks held (locking.py) for one writer at a time, killed runs tidied away, free space
checked before the first byte."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ci_excel import fileio, run_folders, worker_server
from ci_excel.config import check_db_url
from ci_excel.errors import UsageError
from ci_excel.faults import checkpoint
from ci_excel.locking import hold, run_lock
from ci_excel.store import DEFAULT_PATH, Store, sqlite_url

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SPACE_PER_FILE = 256 << 10  # outputs per input file, when no earlier run tells: report, feedback, summary share
SPACE_MARGIN = 16 << 20


def check_period(period: str) -> str:
    if not _PERIOD.match(period):
        raise UsageError(f"--period must be YYYY-MM, e.g. 2026-11 (got {period!r})")
    return period


def default_db_url(out: Path) -> str:
    return sqlite_url((out / DEFAULT_PATH.name).resolve())


def store_url(db_url: str | None, out: Path, *, create: bool) -> str:
    """`db_url`, checked (nothing is made for a URL that cannot work), else the default SQLite file in
    `out`, which must exist unless `create`."""
    if db_url:
        return check_db_url(db_url)
    if not create and not (out / DEFAULT_PATH.name).is_file():
        raise UsageError(f"no history store in {out}: give the --out folder of your consolidate runs, or --db")
    return default_db_url(out)


def open_store(db_url: str | None, out: Path) -> Store:
    """An existing store, for reading: at `db_url`, else the default SQLite file in `out`."""
    return Store(store_url(db_url, out, create=False), create=False)


@contextmanager
def period_session(
    out: Path,
    period: str,
    db_url: str | None,
    *,
    create: bool = True,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Store]:
    """The store, with the period's locks held for the block: one writer of `out/<period>` and of the
    stored period at a time. A swap a kill interrupted is finished and killed runs' folders removed
    before the block starts. With `create=False` the store must exist, and nothing is made before
    it has opened. Refused in a worker still starting (a script without a main guard)."""
    worker_server.check_not_starting_a_worker()  # else it waits for ever on its caller's locks
    url = store_url(db_url, out, create=create)
    if create:
        _make_folder(out)  # the default store's file goes in it
    store = Store(url, create=create)
    try:
        _make_folder(out)  # the outputs and the locks go in it, wherever the store is
        with (
            fileio.writing(out),
            hold([run_lock(out, period), store.lock(f"period-{period}")], wait=wait, on_wait=on_wait),
        ):
            _tidy(out, period, store)
            checkpoint("locked")
            yield store
    finally:
        store.close()


def _make_folder(out: Path) -> None:
    with fileio.writing(out):
        out.mkdir(parents=True, exist_ok=True)


def _tidy(out: Path, period: str, store: Store) -> None:
    """Finish interrupted swaps and remove killed runs' folders: this period's (its lock is held) and
    those of other periods whose lock is free (taken while tidying them)."""
    for each in sorted({period, *run_folders.periods_with_runs(out)}):
        lock = None if each == period else run_lock(out, each)
        if lock is not None and not lock.try_acquire():
            continue
        try:
            stored = store.run_id(each)
            run_folders.finish_interrupted_swap(out / each, stored)
            run_folders.remove_stale(out, each, keep=stored)
        finally:
            if lock is not None:
                lock.release()


def space_needed(submissions_dir: Path, out: Path) -> int:
    """Bytes a run needs free before it starts: a copy of every input and its rows, and outputs the
    size of the largest earlier run (or SPACE_PER_FILE an input when there is none)."""
    inputs = [entry.stat().st_size for entry in _walk(submissions_dir)]
    runs = out / run_folders.RUNS
    earlier = [sum(f.stat().st_size for f in _walk(folder)) for folder in runs.iterdir()] if runs.is_dir() else []
    return 2 * sum(inputs) + max([*earlier, len(inputs) * SPACE_PER_FILE]) + SPACE_MARGIN


def nearest_folder(path: Path) -> Path:
    """`path`, or the nearest folder above it that exists (where it would be made)."""
    path = path.absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _walk(folder: Path) -> Iterator[os.DirEntry[str]]:
    """The files under `folder`, not following links."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            yield entry
