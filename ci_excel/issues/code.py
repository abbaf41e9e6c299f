"""The shape of an issue code: its severity and its message templates in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# code, severity, zh template, en template. Templates use {value}, {column}, {sheet}, {file}
# and the issue's own params. Add a code to its group's table, never inline a message elsewhere.
CodeRow = tuple[str, Severity, str, str]


@dataclass(frozen=True)
class IssueCode:
    """One kind of finding: its severity and its message in both languages."""

    code: str
    severity: Severity
    zh: str
    en: str
