"""The default executor: this machine's process pools, exactly as the pipeline has always run."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from ci_excel import departments, worker_server
from ci_excel.departments import DepartmentDone, DepartmentJob
from ci_excel.render.docx import RenderSettings
from ci_excel.sandbox import Crash, Limits, bounded_map

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor:
    """Pebble sandboxes for reading (sandbox.py), a process pool for departments (departments.py)."""

    name = "local"

    def check_shared(self, *folders: Path) -> None:
        return None

    def prepare(self, *, workers: int, figures: str) -> None:
        """Start the server the department workers fork from: it imports their code meanwhile."""
        if workers > 1:
            worker_server.start(worker_server.preload_for(figures))

    def map_files(
        self, fn: Callable[[T], R], items: Iterable[T], *, workers: int, limits: Limits
    ) -> Iterator[R | Crash[T]]:
        return bounded_map(fn, items, workers=workers, limits=limits)

    def run_jobs(
        self, jobs: Iterable[DepartmentJob], *, settings: RenderSettings, workers: int
    ) -> Generator[DepartmentDone, None, None]:
        return departments.run_jobs(jobs, settings=settings, workers=workers)


LOCAL = LocalExecutor()
