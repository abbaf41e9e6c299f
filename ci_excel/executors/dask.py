"""The dask executor: reading and departments run on a dask.distributed cluster's workers.

Workers get paths, not bytes: the submissions folder and the output folder must be on a filesystem
every worker mounts at the same path as this machine (docs/cluster.md); `check_shared` proves it
before any work is sent. A worker reads each file in its own pebble sandbox (time and memory caps
as on one machine: sandbox.py; dask workers must run with `distributed.worker.daemon: false` so they
may start it), writes the run folder's `.work/` copies and spilled rows, and writes each
department's Word report into the run folder; it returns the same values the local pools return,
and never touches the store.

Tasks go in a bounded window (a few per worker thread) and come back through
`distributed.as_completed`, yielded in input order, so the client holds a handful whatever N is.
A task whose worker is lost is run again by dask; a task that raises is retried once
(`retries=1`). A file whose worker is lost every time becomes its own `file-limit` issue; a
department whose task still fails is computed here without its report (`output-failed`), and the
run goes on. A disk failure (OutputError) stops the run, as it does locally.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, Future, KilledWorker, WorkerPlugin, as_completed

from ci_excel import __version__, departments
from ci_excel.departments import DepartmentDone, DepartmentJob
from ci_excel.errors import OutputError, UsageError
from ci_excel.faults import checkpoint
from ci_excel.render import docx
from ci_excel.sandbox import Crash, Limits, Sandbox
from ci_excel.sniff import reason

T = TypeVar("T")
R = TypeVar("R")

CONNECT_SECONDS = 20
WORKERS_SECONDS = 60  # how long a cluster with no worker yet is waited for
# Tasks submitted per worker thread and not yet handed back: enough that no worker waits for the
# next task (a file takes tens of milliseconds, a round trip through the scheduler a few), few enough
# that what waits in memory stays small.
FILES_PER_THREAD = 8
DEPARTMENTS_PER_THREAD = 3


class DaskExecutor:
    """A connected dask.distributed client; see the module docstring."""

    name = "dask"

    def __init__(self, client: Client, address: str) -> None:
        self.client, self.address = client, address

    @classmethod
    @contextmanager
    def connect(cls, address: str) -> Iterator[DaskExecutor]:
        try:
            client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"cannot reach the dask scheduler at {address}: {reason(exc)}; start it with "
                "'dask scheduler' and check the address and firewall (docs/cluster.md)"
            ) from exc
        try:
            client.register_plugin(SandboxesPlugin(), name="ci-excel-sandboxes")
            yield cls(client, address)
        finally:
            client.close()

    def slots(self) -> int:
        """Worker threads in the cluster, waiting a while for a first worker."""
        if not self.client.nthreads():
            try:
                self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            except TimeoutError as exc:
                raise UsageError(
                    f"the dask scheduler at {self.address} has no worker; start some with 'dask worker {self.address}'"
                ) from exc
        threads: int = sum(self.client.nthreads().values())
        return max(1, threads)

    def check_shared(self, *folders: Path) -> None:
        """Every worker runs this ci-excel, may start sandboxes, and sees `folders` as this machine does."""
        self.slots()
        paths = [str(f.absolute()) for f in folders]
        here = [_entries(p) for p in paths]
        for worker, seen in self.client.run(_probe, paths).items():
            if seen["version"] != __version__:
                raise UsageError(
                    f"dask worker {worker} runs ci-excel {seen['version']}, this machine "
                    f"{__version__}: install the same version on every worker"
                )
            if seen["daemon"]:
                raise UsageError(
                    f"dask worker {worker} cannot start the reading sandboxes: start workers with "
                    "DASK_DISTRIBUTED__WORKER__DAEMON=False (docs/cluster.md)"
                )
            for path, mine, theirs in zip(paths, here, seen["folders"], strict=True):
                if mine != theirs:
                    raise UsageError(
                        f"dask worker {worker} does not see {path} as this machine does: the "
                        "submissions and output folders must be on a filesystem every worker "
                        "mounts at the same path (docs/cluster.md)"
                    )

    def prepare(self, *, workers: int, figures: str) -> None:
        return None  # the cluster's workers are running already

    def map_files(
        self, fn: Callable[[T], R], items: Iterable[T], *, workers: int, limits: Limits
    ) -> Iterator[R | Crash[T]]:
        """fn(item) in a sandbox on a worker, in input order; `workers` is this machine's and unused."""

        def submit(item: T) -> Future[Any]:
            return self.client.submit(_sandboxed, fn, item, limits, pure=False, retries=1)

        for item, future in in_order(self.client, submit, items, self.slots() * FILES_PER_THREAD):
            yield _file_outcome(item, future)

    def run_jobs(
        self, jobs: Iterable[DepartmentJob], *, settings: docx.RenderSettings, workers: int
    ) -> Generator[DepartmentDone, None, None]:
        """Each department on a worker, in job order; one that fails twice is computed here without
        its report."""
        # Sent once as a task of its own rather than with every job (and not scattered: a task's
        # result is computed again when the worker holding it is lost; scattered data is not).
        shared = self.client.submit(_keep, settings, pure=False)

        def submit(job: DepartmentJob) -> Future[Any]:
            return self.client.submit(_department, job, shared, pure=False, retries=1)

        for job, future in in_order(self.client, submit, jobs, self.slots() * DEPARTMENTS_PER_THREAD):
            yield _department_outcome(job, future, settings)


def in_order(
    client: Client, submit: Callable[[T], Future[Any]], items: Iterable[T], window: int
) -> Iterator[tuple[T, Future[Any]]]:
    """(item, its finished future) in item order, with at most `window` submitted and not yet handed
    back; futures still out when the caller stops are cancelled."""
    waiting: deque[tuple[T, Future[Any]]] = deque()
    finished: set[str] = set()
    completions = as_completed(loop=client.loop)
    source = iter(items)
    try:
        while True:
            while len(waiting) < window and (item := next(source, _END)) is not _END:
                future = submit(item)
                waiting.append((item, future))
                completions.add(future)
            if not waiting:
                return
            head = waiting[0][1]
            while head.key not in finished:
                finished.add(next(completions).key)
            finished.discard(head.key)
            yield waiting.popleft()
    finally:
        if waiting:
            with suppress(Exception):  # the client may be closing already
                client.cancel([f for _, f in waiting])


_END: Any = object()


def _file_outcome(item: T, future: Future[Any]) -> Any:  # R | Crash[T]
    try:
        return future.result()
    except Exception as exc:
        if future.status != "error" or not _lost(exc):
            raise  # a bug raises here as it would locally
        return Crash(
            item,
            "file-limit",
            "the cluster worker reading it stopped each time it was tried (out of memory or a crash)",
        )


def _department_outcome(job: DepartmentJob, future: Future[Any], settings: docx.RenderSettings) -> DepartmentDone:
    try:
        done: DepartmentDone = future.result()
    except OutputError:
        raise
    except Exception as exc:
        if future.status != "error":
            raise  # cancelled: the scheduler is gone
        why = "its worker was lost each time it was tried" if _lost(exc) else f"{type(exc).__name__}: {exc}"
        return departments.without_report(job, settings, f"the dask task failed twice ({why})")
    return done


def _lost(exc: BaseException) -> bool:
    return isinstance(exc, KilledWorker)  # its worker died each time the scheduler allowed


# --- on the workers --------------------------------------------------------------------------

_SANDBOXES: dict[Limits, Sandbox] = {}
_LOCK = threading.Lock()


class SandboxesPlugin(WorkerPlugin):
    """Ends a worker's reading sandboxes with the worker, which would otherwise wait for them."""

    def teardown(self, worker: Any) -> None:
        with _LOCK:
            for sandbox in _SANDBOXES.values():
                sandbox.__exit__(RuntimeError, None, None)  # stop, do not wait for queued tasks
            _SANDBOXES.clear()


def _sandboxed(fn: Callable[[T], R], item: T, limits: Limits) -> R | Crash[T]:
    """In a dask worker: fn(item) in this worker's own pebble sandbox (one process per worker thread)."""
    checkpoint("file-task")
    with _LOCK:
        sandbox = _SANDBOXES.get(limits)
        if sandbox is None:
            from distributed import get_worker

            sandbox = _SANDBOXES[limits] = Sandbox(get_worker().state.nthreads, limits)
    return sandbox.outcome((item, sandbox.submit(fn, item)))


def _department(job: DepartmentJob, settings: docx.RenderSettings) -> DepartmentDone:
    """In a dask worker: `departments.run_job` with the run's render settings taken once per process."""
    checkpoint("department-task", subject=job.department)
    current = docx.current_settings() if docx.has_settings() else None
    if current is not settings and current != settings:
        docx.use_settings(settings)
    for stray in job.report.parent.glob(f".{job.report.stem}.*{job.report.suffix}"):
        stray.unlink(missing_ok=True)  # a lost worker's half-written report
    return departments.run_job(job)


def _keep(value: T) -> T:
    return value


def _probe(paths: list[str]) -> dict[str, Any]:
    return {
        "version": __version__,
        "daemon": multiprocessing.current_process().daemon,
        "folders": [_entries(p) for p in paths],
    }


def _entries(path: str) -> list[str] | None:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return None
