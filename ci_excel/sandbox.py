"""Untrusted work in worker processes that one input cannot take down with the others.

Each input is one task in a pebble `ProcessPool`: a task that runs past `Limits.seconds` is
killed; a worker's address space is capped at `Limits.memory_bytes` above what it started with,
so an allocation past it fails (Python raises MemoryError; Rust code such as python-calamine
aborts the process); a worker that dies takes only its own task with it, and the pool starts a
new one, forked from the worker server (worker_server.py), never from the threaded caller.
Outcomes come back in input order, each the task's result or a `Crash` saying why not.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, TimeoutError
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pebble import ProcessExpired, ProcessPool

from ci_excel import worker_server
from ci_excel.sniff import reader_failure, reason

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 4
TASKS_PER_WORKER = 500  # a worker is replaced after this many tasks: no slow creep of its memory


@dataclass(frozen=True)
class Limits:
    """What one task may take."""

    seconds: float = 30.0
    memory_bytes: int = 512 << 20
    work: str = "reading"  # what the task does, as the limit messages name it


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Crash(Generic[T]):
    """A task that did not return: the input, an issue code (file-limit or file-unreadable) and why."""

    item: T
    code: str
    reason: str


def bounded_map(
    fn: Callable[[T], R], items: Iterable[T], *, workers: int, limits: Limits = DEFAULT_LIMITS
) -> Iterator[R | Crash[T]]:
    """fn(item) for every item, in worker processes under `limits`, in input order."""
    with Sandbox(workers, limits) as sandbox:
        waiting: deque[tuple[T, Future[R]]] = deque()
        for item in items:
            waiting.append((item, sandbox.submit(fn, item)))
            if len(waiting) >= max(workers, 1) * IN_FLIGHT_PER_WORKER:
                item, future = waiting.popleft()
                yield _outcome(item, future, limits)
        while waiting:
            item, future = waiting.popleft()
            yield _outcome(item, future, limits)


class Sandbox:
    """A pool of bounded workers for tasks handed in one at a time (see `bounded_map`)."""

    def __init__(self, workers: int, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._pool = ProcessPool(
            max_workers=max(workers, 1),
            max_tasks=TASKS_PER_WORKER,
            initializer=start_worker,
            initargs=(limits.memory_bytes, os.getpid()),
            context=worker_server.clean_context(worker_server.SANDBOXED),  # never fork this (threaded) process
        )

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R]:
        future: Future[R] = self._pool.schedule(fn, args=(item,), timeout=self.limits.seconds)
        return future

    def outcome(self, task: tuple[T, Future[R]]) -> R | Crash[T]:
        """The task's result, or why it has none."""
        result: R | Crash[T] = _outcome(task[0], task[1], self.limits)
        return result

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.close() if exc[0] is None else self._pool.stop()
        self._pool.join()


def _outcome(item: T, future: Future[Any], limits: Limits) -> Any:  # R | Crash[T]
    try:
        return future.result()
    except TimeoutError:
        return Crash(item, "file-limit", time_limit_text(limits))
    except ProcessExpired as exc:
        return Crash(item, *_death(exc.exitcode, limits))
    except MemoryError:
        return Crash(item, "file-limit", _memory_text(limits))
    except BaseException as exc:  # the task raised (a reader panic is a BaseException); it fails alone
        if not reader_failure(exc):
            raise
        return Crash(item, "file-unreadable", reason(exc))


def _death(exitcode: int | None, limits: Limits) -> tuple[str, str]:
    """How a worker died: an abort or a kill is an allocation that failed at the memory cap."""
    if exitcode in (-signal.SIGABRT, -signal.SIGKILL, 134, 137):
        return "file-limit", _memory_text(limits)
    return "file-unreadable", f"{limits.work} stopped unexpectedly (exit code {exitcode})"


def time_limit_text(limits: Limits) -> str:
    """Why a task that ran past its time limit has no result."""
    return f"{limits.work} took longer than {limits.seconds:.0f} s"


def _memory_text(limits: Limits) -> str:
    return f"{limits.work} needed more than {limits.memory_bytes >> 20} MB of memory"


def start_worker(extra_bytes: int, run_pid: int) -> None:
    """In a new worker: end with the run, cap its memory, and keep what native readers print on a crash
    (a Rust panic's backtrace) off the user's terminal: the crash comes back as the file's issue instead."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker would inherit the run's clean-up handler
    watch_parent(run_pid)
    cap_memory(extra_bytes)
    faulthandler.disable()  # an inherited handler would print the crash's Python stack on the parent's stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def watch_parent(pid: int) -> None:
    """In a worker: end this process as soon as process `pid` (the run) is gone, `kill -9` included,
    so no worker outlives its run (nor the forkserver and resource tracker, which wait for them)."""
    threading.Thread(target=_exit_with, args=(pid,), daemon=True, name="ci-excel-parent-watch").start()


def _exit_with(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # Linux 5.3+: readable once the process has ended
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(1)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cap_memory(extra_bytes: int) -> None:
    """In a worker: allow `extra_bytes` of address space above what the process already maps."""
    current = _mapped_bytes()
    if current is None or extra_bytes <= 0:
        return
    limit = current + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
