"""Issues are values: a finding about one cell (or file), with a stable code and a fix-it message.

Every code lives in `CODES`, the one table the docs list, gathered in order from the tables of
file, cell and rule codes (`file_codes`, `cell_codes`, `rule_codes`; `code` holds their shape).
Messages are templates filled from the issue's `params`, rendered in zh or en on demand, so a
stored issue can be shown in either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ci_excel.issues.cell_codes import CELL_CODES
from ci_excel.issues.code import IssueCode, Severity
from ci_excel.issues.file_codes import FILE_CODES
from ci_excel.issues.rule_codes import RULE_CODES
from ci_excel.schema import Lang
from ci_excel.text import pick

__all__ = ["CODES", "Issue", "IssueCode", "Severity", "flatten"]

CODES: dict[str, IssueCode] = {row[0]: IssueCode(*row) for row in (*FILE_CODES, *CELL_CODES, *RULE_CODES)}


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
        template = pick(lang, spec.zh, spec.en)
        fields = {"value": self.value, "column": self.column, "sheet": self.sheet, "file": self.file}
        return template.format_map(_Default(fields | self.params))

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
            "department": self.department,
            "period": self.period,
        }


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def flatten(issues: list[Issue], keys: list[str]) -> list[list[Any]]:
    """Issues as a table of the chosen fields, e.g. flatten(issues, ["cell", "code"])."""
    return [[getattr(i, k) for k in keys] for i in issues]
