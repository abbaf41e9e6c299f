"""Issues are values: a finding about one cell (or file), with a stable code and a fix-it message.

Every code lives in `CODES`, the one table the docs list. Messages are templates filled from
the issue's `params`, rendered in zh or en on demand, so a stored issue can be shown in either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ci_excel.schema import Lang

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class IssueCode:
    """One kind of finding: its severity and its message in both languages."""

    code: str
    severity: Severity
    zh: str
    en: str


def _codes(*rows: tuple[str, Severity, str, str]) -> dict[str, IssueCode]:
    return {r[0]: IssueCode(*r) for r in rows}


# code, severity, zh template, en template. Templates use {value}, {column}, {sheet}, {file}
# and the issue's own params. Add a code here, never inline a message elsewhere.
CODES: dict[str, IssueCode] = _codes(
    ("file-unreadable", "error", "无法读取文件:{reason}。请用 Excel 另存为 .xlsx 后重新提交。",
     "The file cannot be read: {reason}. Save it again as .xlsx in Excel and resubmit."),
    ("other-period", "warning", "此文件填报期间为 {value},不是本次汇总的 {period},未纳入本期。请确认填报信息中的期间。",
     "This file is for period {value}, not {period}; it was left out of this run. Check the period on the info sheet."),
)


@dataclass(frozen=True)
class Issue:
    """A finding at a place: file, sheet (as named in the workbook), cell (A1) and column header."""

    code: str
    file: str
    sheet: str = ""
    cell: str = ""
    column: str = ""
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    department: str = ""
    period: str = ""
    row: int | None = None  # sheet row number, for row-level exclusion

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, lang: Lang = "zh") -> str:
        spec = CODES[self.code]
        template = spec.zh if lang == "zh" else spec.en
        fields = {"value": self.value, "column": self.column, "sheet": self.sheet, "file": self.file}
        return template.format_map(_Default(fields | self.params))

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "severity": self.severity, "code": self.code, "file": self.file, "sheet": self.sheet,
            "cell": self.cell, "column": self.column, "value": self.value, "message": self.message(lang),
            "department": self.department, "period": self.period,
        }


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def flatten(issues: list[Issue], keys: list[str]) -> list[list[Any]]:
    """Issues as a table of the chosen fields, e.g. flatten(issues, ["cell", "code"])."""
    return [[getattr(i, k) for k in keys] for i in issues]


def has_errors(issues: list[Issue]) -> bool:
    return any(i.is_error for i in issues)
