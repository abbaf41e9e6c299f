"""What validation returns: one file's check, a merge, a `validate` run; and `_Ctx`, what every
issue of one file carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ci_excel.issues import CODES, Issue
from ci_excel.model import Record, Row, SheetStats, SourceFile, Submission
from ci_excel.schema import Lang
from ci_excel.validation.cells import _show


@dataclass
class FileCheck:
    """One workbook read and checked on its own: picklable, returned from worker processes."""

    source: SourceFile
    info: Row
    records: dict[str, list[Record]]  # sheet key -> rows without errors
    issues: list[Issue]
    stats: dict[str, SheetStats]
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key -> name in the workbook
    rejected_ids: dict[str, set[str]] = field(default_factory=dict)  # id space -> ids typed on rejected rows

    @property
    def department(self) -> str | None:
        return self.source.department

    @property
    def period(self) -> str | None:
        return self.source.period


@dataclass
class MergeResult:
    """Submissions, one per (department, period), and the issues tied to no department."""

    submissions: list[Submission]
    issues: list[Issue]


@dataclass
class ValidationRun:
    """What `ci-excel validate` reports: every file, every submission and ALL issues, flat."""

    files: list[SourceFile]
    submissions: list[Submission]
    issues: list[Issue]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    def issues_by_file(self) -> dict[str, list[Issue]]:
        grouped: dict[str, list[Issue]] = {f.path: [] for f in self.files}
        for issue in self.issues:
            grouped.setdefault(issue.file, []).append(issue)
        return grouped

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        errors = sum(i.is_error for i in self.issues)
        return {
            "valid": not self.has_errors,
            "summary": {
                "files": len(self.files),
                "submissions": len(self.submissions),
                "errors": errors,
                "warnings": len(self.issues) - errors,
            },
            "files": [
                {
                    "path": f.path,
                    "department": f.department,
                    "period": f.period,
                    "outcome": f.outcome,
                    "template_version": f.template_version,
                    "sha256": f.sha256,
                    "size": f.size,
                    "sheets": list(f.sheets),
                }
                for f in self.files
            ],
            "submissions": [
                {
                    "department": s.department,
                    "period": s.period,
                    "files": [f.path for f in s.files],
                    "stats": {k: vars(v) for k, v in s.stats.items()},
                }
                for s in self.submissions
            ],
            "issues": [i.as_dict(lang) for i in self.issues],
        }


@dataclass
class _Ctx:
    """What every issue of one file carries."""

    file: str
    department: str = ""
    period: str = ""
    issues: list[Issue] = field(default_factory=list)
    percent_typed: frozenset[str] = frozenset()  # a row's number columns typed with a percent sign
    legacy_example: bool = False  # a template from before the example marker (see ci_excel.examples)

    def add(
        self,
        code: str,
        *,
        sheet: str = "",
        cell: str = "",
        column: str = "",
        value: Any = "",
        row: int | None = None,
        **params: Any,
    ) -> Issue:
        assert code in CODES, code
        issue = Issue(
            code,
            self.file,
            sheet,
            cell,
            column,
            _show(value),
            {"cell": cell, **params},
            self.department,
            self.period,
            row,
        )
        self.issues.append(issue)
        return issue


def _with_outcome(source: SourceFile, issues: Iterable[Issue]) -> SourceFile:
    if source.outcome in ("unreadable", "skipped"):
        return source
    mine = [i for i in issues if i.file == source.path]
    outcome = "errors" if any(i.is_error for i in mine) else "warnings" if mine else "ok"
    return replace(source, outcome=outcome)
