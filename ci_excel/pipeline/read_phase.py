"""The reading phase: every file under the submissions folder checked in bounded workers, its rows
spilled to disk, grouped by department; files of other periods noted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ci_excel.departments import DepartmentJob
from ci_excel.intake import read_checks, spill_path
from ci_excel.issues import Issue
from ci_excel.pipeline.running import Run
from ci_excel.run_files import RunRecord
from ci_excel.store import PeriodWriter
from ci_excel.validation import FileCheck, group_checks


@dataclass
class Reading:
    """The reading phase's outcome: the record, each department's spilled files, the loose issues."""

    record: RunRecord
    spills: dict[str, list[Path]]  # department -> its checked files on disk
    general: list[Issue]  # tied to no department of the period: other periods, no department named

    @property
    def departments(self) -> list[str]:
        return sorted(self.spills)

    def jobs(self, writer: PeriodWriter, reports: dict[str, Path]) -> Iterator[DepartmentJob]:
        """One job per department, with its history read from the store as the job is handed out."""
        previous = writer.previous_period()
        for department in self.departments:
            yield DepartmentJob(
                department,
                writer.period,
                reports[department],
                spills=tuple(self.spills[department]),
                stage_history=writer.stage_history(department),
                kpi_history=writer.kpi_history(department),
                previous_ids=frozenset(writer.problem_ids(previous, department)) if previous else frozenset(),
            )


def read_submissions(root: Path, period: str, run: Run, *, spill_dir: Path) -> Reading:
    """Check every file under `root` (each in a bounded worker), keeping their rows and the copies read
    on disk, grouped by department."""
    checks = read_checks(
        [root],
        root=root,
        workers=run.workers,
        work_dir=spill_dir,
        spill=True,
        progress=run.progress,
        map_files=run.executor.map_files,
    )
    spilled = {c.source.path: spill_path(spill_dir, n) for n, c in enumerate(checks)}
    current, other = split_by_period(checks, period)
    groups, loose = group_checks(current, canonical_department=run.config.canonical_department)
    return Reading(
        RunRecord([c.source for c in checks], {i.file for i in other}),
        {dep: [spilled[current[n].source.path] for n in found] for (dep, _), found in groups.items()},
        [*(i for n in loose for i in current[n].issues), *other],
    )


def split_by_period(checks: Sequence[FileCheck], period: str) -> tuple[list[FileCheck], list[Issue]]:
    """Checks for this period (or with no readable period, which validation reports) and notes on the rest."""
    current, other = [], []
    for check in checks:
        found = check.source.period
        if found and found != period:
            other.append(
                Issue(
                    "other-period",
                    file=check.source.path,
                    value=found,
                    params={"period": period},
                    department=check.source.department or "",
                )
            )
        else:
            current.append(check)
    return current, other
