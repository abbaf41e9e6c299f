"""One writer per output folder and period: locks a run takes before it writes anything.

A `PathLock` is an operating-system file lock (filelock: `flock` on POSIX), so it is free again
the moment its process ends, `kill -9` included: a lock whose process is gone is never in the way
and needs no clean-up. Beside it a small note says who holds it, for the message a second run
shows while it waits ("waiting for the run started at 10:02 by pid 1234 on pmo-01").
`hold(locks, wait=...)` takes several locks in order, waiting its turn or raising `Busy`.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout

from ci_excel.errors import Busy

POLL_SECONDS = 0.25


class Lock(Protocol):
    """What `hold` needs of a lock: a try that never blocks, a release, and who has it."""

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...

    def holder(self) -> str: ...


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: written beside it by the run that took it."""

    pid: int
    host: str
    started: str  # ISO time, to the second
    command: str

    @classmethod
    def me(cls) -> Holder:
        return cls(
            os.getpid(),
            socket.gethostname(),
            datetime.now().isoformat(timespec="seconds"),
            " ".join(["ci-excel", *sys.argv[1:]])[:200],
        )

    def describe(self) -> str:
        at = self.started.replace("T", " ")
        return f"the run started at {at} by pid {self.pid} on {self.host} ({self.command})"


class PathLock:
    """An exclusive lock on a file (created if need be), released by the OS if its process dies."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self._note = path.with_name(path.name + ".holder")
        self._lock: FileLock | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path, thread_local=False, is_singleton=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._lock = lock
        self._note.write_text(json.dumps(Holder.me().__dict__), encoding="utf-8")
        return True

    def release(self) -> None:
        if self._lock is not None:
            self._note.unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def holder(self) -> str:
        try:
            found = Holder(**json.loads(self._note.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return f"another run, {self.what}"
        return f"{found.describe()}, {self.what}"


@contextmanager
def hold(locks: Sequence[Lock], *, wait: bool, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold every lock, taken in the order given, for the block.

    A lock another process holds is waited for (`on_wait` told once per lock, with who holds
    it), or, with `wait=False`, raises Busy naming the holder.
    """
    with ExitStack() as held:
        for lock in locks:
            _take(lock, wait=wait, on_wait=on_wait)
            held.callback(lock.release)
        yield


def _take(lock: Lock, *, wait: bool, on_wait: Callable[[str], None] | None) -> None:
    told = False
    while not lock.try_acquire():
        if not wait:
            raise Busy(f"{lock.holder()} is still going; try again when it ends, or leave out --no-wait to wait for it")
        if not told and on_wait is not None:
            on_wait(f"waiting for {lock.holder()}")
            told = True
        time.sleep(POLL_SECONDS)


def run_lock(out: Path, period: str) -> PathLock:
    """The lock on one period of an output folder."""
    return PathLock(out / ".locks" / f"{period}.lock", f"writing {out / period}")
