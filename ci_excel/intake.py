"""Every file under the submissions folder, read and checked in bounded worker processes.

One `FileCheck` per file found, in file order: checked, failed (its worker crashed, ran out of
time or memory: one clear issue naming the file) or not read at all (hidden files, Office lock
files, links leading outside the folder: a warning each). Nothing found is dropped without a word,
and nothing one file does reaches another file's result.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ci_excel.fileio import writing
from ci_excel.issues import Issue
from ci_excel.model import SourceFile
from ci_excel.reading import discover
from ci_excel.sandbox import DEFAULT_LIMITS, Crash, Limits, bounded_map
from ci_excel.validation import FileCheck, check_file, file_label, file_sha, file_size, no_gc_passes

Progress = Callable[[str, int, int], None]  # phase ("read", "departments"), done, total
MapFiles = Callable[..., Iterator[Any]]  # bounded_map's signature: (fn, items, *, workers, limits)
SPILL_SUFFIX, SNAPSHOT_SUFFIX = ".pickle", ".snapshot"


@dataclass(frozen=True)
class _Task:
    """One file for a worker: where to read it, and where to keep its copy and its rows."""

    path: Path
    root: Path | None
    snapshot: Path | None
    spill: Path | None


def read_checks(
    paths: Sequence[Path],
    *,
    root: Path | None,
    workers: int,
    work_dir: Path | None = None,
    spill: bool = False,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    map_files: MapFiles = bounded_map,
) -> list[FileCheck]:
    """check_file over every file found under `paths`, each in a bounded worker.

    With `work_dir`, each file is copied there first (`<n>.snapshot`) and the copy is what is read,
    hashed and later annotated; with `spill` too, its rows are kept in `<n>.pickle` and its check
    comes back without them. `map_files` runs the tasks (an executor's: this machine's sandboxes by
    default).
    """
    found = discover(paths)
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    tasks = [_task(n, path, root, work_dir, spill) for n, path in enumerate(found.files)]
    report = progress or (lambda phase, done, total: None)
    report("read", 0, len(tasks))
    checks: list[FileCheck] = []
    with no_gc_passes():  # many small acyclic objects come back: collections would only cost time
        for outcome in map_files(_check, tasks, workers=min(workers, max(len(tasks), 1)), limits=limits):
            checks.append(_crashed(outcome) if isinstance(outcome, Crash) else outcome)
            report("read", len(checks), len(tasks))
    return [*checks, *(_skipped(path, why, root) for path, why in found.skipped)]


def spill_path(work_dir: Path, n: int) -> Path:
    """Where the n-th file's rows are kept."""
    return work_dir / f"{n}{SPILL_SUFFIX}"


def _task(n: int, path: Path, root: Path | None, work_dir: Path | None, spill: bool) -> _Task:
    if work_dir is None:
        return _Task(path, root, None, None)
    return _Task(path, root, work_dir / f"{n}{SNAPSHOT_SUFFIX}", spill_path(work_dir, n) if spill else None)


def _check(task: _Task) -> FileCheck:
    """In a worker: read and check one file, keep its rows on disk when asked."""
    check = check_file(task.path, root=task.root, snapshot=task.snapshot)
    return spill(check, task.spill) if task.spill is not None else check


def spill(check: FileCheck, path: Path) -> FileCheck:
    """Keep a checked file's rows on disk (the department's worker loads them); what stays in memory
    is the check without its rows. Here, not beside that loader: a reading worker imports only this."""
    with writing(path):
        path.write_bytes(pickle.dumps(check, protocol=pickle.HIGHEST_PROTOCOL))
    return replace(check, records={})


def _crashed(crash: Crash[_Task]) -> FileCheck:
    task = crash.item
    label = file_label(task.path, task.root)
    issue = Issue(crash.code, file=label, params={"reason": crash.reason})
    source = SourceFile(label, file_sha(task.path), file_size(task.path), outcome="unreadable")
    return FileCheck(source, {}, {}, [issue], {})


def _skipped(path: Path, why: str, root: Path | None) -> FileCheck:
    label = file_label(path, root)
    issue = Issue("file-skipped", file=label, params={"reason": why})
    return FileCheck(SourceFile(label, "", 0, outcome="skipped"), {}, {}, [issue], {})
