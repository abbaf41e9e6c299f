"""`validate_paths`: every file checked in workers, then merged (what `ci-excel validate` runs)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ci_excel.config import Config
from ci_excel.issues import Issue
from ci_excel.schema import INFO, TABLE_SHEETS
from ci_excel.validation.merge import merge
from ci_excel.validation.results import ValidationRun, _with_outcome


def validate_paths(
    paths: Sequence[Path],
    *,
    root: Path | None = None,
    canonical_department: Callable[[str], str] | None = None,
    threshold: float | None = None,
    config: Config | None = None,
    work_dir: Path | None = None,
    jobs: int | None = None,
) -> ValidationRun:
    """Check every file under `paths` (each in a bounded worker), merging the files of one department
    and period. With `work_dir`, the copies read are kept there (`SourceFile.snapshot`) for feedback."""
    from ci_excel.intake import read_checks

    checks = read_checks(paths, root=root, workers=jobs or os.cpu_count() or 1, work_dir=work_dir)
    with no_gc_passes():
        merged = merge(checks, canonical_department=canonical_department, threshold=threshold, config=config)
    issues = [*merged.issues, *(i for s in merged.submissions for i in s.issues)]
    files = [_with_outcome(c.source, issues) for c in checks]
    return ValidationRun(files, merged.submissions, sorted(issues, key=_issue_order))


@contextmanager
def no_gc_passes() -> Iterator[None]:
    """Reading builds many small acyclic objects that reference counting frees; cyclic-GC passes over
    the growing result would only cost time (about a tenth of a run), so they wait until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _issue_order(issue: Issue) -> tuple[Any, ...]:
    """File, then sheets in template order, then row and column."""
    return (
        issue.file,
        _SHEET_RANK.get(issue.sheet, 99) if issue.sheet else -1,
        issue.sheet,
        issue.row or 0,
        _cell_order(issue.cell),
        issue.code,
    )


_SHEET_RANK = {name: rank for rank, spec in enumerate((INFO, *TABLE_SHEETS)) for name in (spec.zh, spec.en)}


def _cell_order(cell: str) -> tuple[int, str]:
    letters = cell.rstrip("0123456789")
    return (len(letters), letters)
