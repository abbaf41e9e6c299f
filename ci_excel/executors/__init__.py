"""Where a consolidation's parallel work runs: this machine's process pools or a dask cluster.

The pipeline hands an `Executor` two kinds of work and does not care where it runs:
  map_files  each file read and checked (a function of one task, in bounded sandboxes), in input order
  run_jobs   each department merged, computed and reported (`departments.run_job`), in job order
Both keep a few tasks in flight and yield outcomes in order, so the main process holds a handful
at a time whatever the number of files. Everything else (the store, feedback copies, the portfolio
outputs, the swap) stays in the main process.

  local  today's pools (sandbox.bounded_map and departments.run_jobs), unchanged: the default
  dask   a dask.distributed cluster (`pip install 'ci-excel[dask]'`): see dask.py and docs/cluster.md
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar

from ci_excel.config import RunSettings
from ci_excel.departments import DepartmentDone, DepartmentJob
from ci_excel.errors import UsageError
from ci_excel.render.docx import RenderSettings
from ci_excel.sandbox import Crash, Limits

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def check_shared(self, *folders: Path) -> None:
        """Raise UsageError unless every worker sees `folders` at the same paths."""

    def prepare(self, *, workers: int, figures: str) -> None:
        """Get the department phase's workers ready while the files are read."""

    def map_files(
        self, fn: Callable[[T], R], items: Iterable[T], *, workers: int, limits: Limits
    ) -> Iterator[R | Crash[T]]:
        """fn(item) for every item in a bounded sandbox, in input order (see sandbox.bounded_map)."""
        ...

    def run_jobs(
        self, jobs: Iterable[DepartmentJob], *, settings: RenderSettings, workers: int
    ) -> Generator[DepartmentDone, None, None]:
        """Each department's outcome, in job order (see departments.run_jobs)."""
        ...


@contextmanager
def open_executor(run: RunSettings) -> Iterator[Executor]:
    """The executor `run` names, connected for the block. UsageError when the dask extra is not
    installed, no scheduler is given or it cannot be reached."""
    if run.executor == "local":
        from ci_excel.executors.local import LOCAL

        yield LOCAL
        return
    if not run.scheduler:
        raise UsageError(
            "--executor dask needs the scheduler's address: --scheduler tcp://HOST:8786 "
            "(or scheduler in the [run] section of ci_excel.toml)"
        )
    try:
        from ci_excel.executors.dask import DaskExecutor
    except ImportError as exc:
        raise UsageError(f"--executor dask needs dask.distributed ({exc}): pip install 'ci-excel[dask]'") from exc
    with DaskExecutor.connect(run.scheduler) as executor:
        yield executor
