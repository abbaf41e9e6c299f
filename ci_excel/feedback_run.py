"""Feedback copies for a run, each written in a bounded worker (sandbox.py).

A department's workbook is untrusted input for the feedback writer too: openpyxl loads it whole.
So each copy is written in a worker under a time and memory cap; one that crashes, hangs or runs
out of memory gets the stand-alone feedback workbook instead (written here: it holds only the
issues), and the run goes on. Copies are made from the bytes that were read and checked (the
run's snapshot of the file), never from a file that may have changed since.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ci_excel.fileio import stop_on_disk_failure
from ci_excel.issues import Issue
from ci_excel.model import SourceFile
from ci_excel.render.feedback_names import feedback_paths
from ci_excel.sandbox import Crash, Limits, Sandbox
from ci_excel.schema import Lang
from ci_excel.sniff import reason

if TYPE_CHECKING:
    from ci_excel.validation import ValidationRun

LIMITS = Limits(seconds=60.0, memory_bytes=512 << 20, work="writing the feedback copy")
MAX_ANNOTATED_XML = 24 << 20  # worksheet XML openpyxl may load whole (about a million cells)
MAX_VALUES_COPY = 4 << 20  # size of a legacy file copied as values
NOT_ANNOTATED = ("unreadable", "skipped", "other_period")


@dataclass(frozen=True)
class FeedbackTask:
    """One feedback copy: the file as the run names it, the copy to read, its issues, where it goes."""

    source: SourceFile
    read_from: Path
    issues: tuple[Issue, ...]
    out: Path
    lang: Lang


def plan(
    sources: Iterable[SourceFile], issues: Iterable[Issue], names: Mapping[str, Path], *, root: Path | None, lang: Lang
) -> Iterator[FeedbackTask]:
    """A task for every readable file that has issues (in `names`, the run's feedback paths)."""
    by_file: dict[str, list[Issue]] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    for source in sources:
        found = by_file.get(source.path)
        if found and source.outcome not in NOT_ANNOTATED and source.path in names:
            read_from = Path(source.snapshot) if source.snapshot else (root or Path()) / source.path
            yield FeedbackTask(source, read_from, tuple(found), names[source.path], lang)


def names_for(folder: Path, sources: Sequence[SourceFile]) -> dict[str, Path]:
    """Label -> feedback path for every file of the run, allocated once so no two collide."""
    return feedback_paths(folder, [(s.path, s.kind or None) for s in sources])


class FeedbackWriter:
    """Writes tasks as they are added, a few at a time, in bounded workers; `close` says what came of them."""

    def __init__(self, workers: int) -> None:
        self._sandbox = Sandbox(workers, LIMITS)
        self._pending: deque[tuple[FeedbackTask, Future[Path]]] = deque()
        self.written: list[Path] = []
        self.failed: list[Issue] = []

    def add(self, task: FeedbackTask) -> None:
        self._pending.append((task, self._sandbox.submit(write_one, task)))
        while self._pending and self._pending[0][1].done():
            self._settle(*self._pending.popleft())

    def close(self) -> tuple[list[Path], list[Issue]]:
        while self._pending:
            self._settle(*self._pending.popleft())
        return self.written, self.failed

    def _settle(self, task: FeedbackTask, future: Future[Path]) -> None:
        outcome = self._sandbox.outcome((task, future))
        if not isinstance(outcome, Crash):
            self.written.append(outcome)
            return
        from ci_excel.render.feedback_xlsx import write_feedback

        try:  # the stand-alone workbook: only the issues, nothing of the file
            self.written.append(
                write_feedback(
                    task.read_from,
                    task.issues,
                    task.out,
                    lang=task.lang,
                    kind=task.source.kind or None,
                    annotate=False,
                    reason=outcome.reason,
                )
            )
        except Exception as exc:
            stop_on_disk_failure(exc, task.out)
            self.failed.append(
                Issue(
                    "output-failed",
                    file=task.source.path,
                    department=task.source.department or "",
                    period=task.source.period or "",
                    params={"output": task.out.name, "reason": reason(exc)},
                )
            )

    def __enter__(self) -> FeedbackWriter:
        self._sandbox.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sandbox.__exit__(*exc)


def write_one(task: FeedbackTask) -> Path:
    """In a worker: the annotated copy, or the stand-alone one when the file is too large to load whole.
    A disk that cannot take it stops the run (OutputError), where a file's own fault fails alone."""
    from ci_excel.render.feedback_xlsx import write_feedback  # here: openpyxl loads only where feedback is written

    try:
        return write_feedback(
            task.read_from,
            task.issues,
            task.out,
            lang=task.lang,
            kind=task.source.kind or None,
            annotate=annotatable(task.read_from, task.source.kind),
        )
    except OSError as exc:
        stop_on_disk_failure(exc, task.out)
        raise


def annotatable(path: Path, kind: str) -> bool:
    """Whether the workbook is small enough to load whole: its worksheet XML for .xlsx/.xlsm, its size
    for a legacy file copied as values."""
    try:
        if kind in ("xlsx", "xlsm"):
            with zipfile.ZipFile(path) as zf:
                return sum(i.file_size for i in zf.infolist() if "worksheets/" in i.filename) <= MAX_ANNOTATED_XML
        return path.stat().st_size <= MAX_VALUES_COPY
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def write_run_feedback(run: ValidationRun, out_dir: Path, *, lang: Lang, root: Path | None, workers: int) -> list[Path]:
    """`ci-excel validate --feedback`: a copy for every readable file with issues; a copy that cannot be
    written at all becomes an output-failed issue of the run."""
    tasks = plan(run.files, run.issues, names_for(out_dir, run.files), root=root, lang=lang)
    written, failed = write_all(tasks, workers=workers)
    run.issues.extend(failed)
    return written


def write_all(tasks: Iterable[FeedbackTask], *, workers: int) -> tuple[list[Path], list[Issue]]:
    """Every task's copy; the paths written and an output-failed issue for any that could not be."""
    with FeedbackWriter(workers) as writer:
        for task in tasks:
            writer.add(task)
        return writer.close()
