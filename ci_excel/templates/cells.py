"""What a template cell holds: header text, typed values as written, the solutions total formula,
and row heights for wrapped text (Excel does not autofit)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from math import ceil
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from ci_excel.schema import INFO, SOLUTIONS, YES_NO, ColumnSpec, Lang, SheetSpec
from ci_excel.scoring import DIMENSIONS

LAST_VALIDATED_ROW = 1001  # dropdowns and the total formula cover rows 2..1001


def sheet_names(tables: Sequence[SheetSpec], lang: Lang) -> dict[str, str]:
    """Sheet key -> sheet name as written, in workbook order (instructions excluded)."""
    return {s.key: s.name(lang) for s in (INFO, *tables)}


def header_text(column: ColumnSpec, lang: Lang) -> str:
    """The header as written: the label, with a trailing * when the column is required."""
    return column.header(lang) + ("*" if column.required else "")


def total_formula(row: int) -> str:
    """The solutions `total` formula of a 1-based sheet row: blank until all four scores are numbers."""
    cells = [f"{_letter(SOLUTIONS, key)}{row}" for key in DIMENSIONS]
    return f'=IF(COUNT({",".join(cells)})<{len(cells)},"",{"+".join(cells)})'


def _letter(sheet: SheetSpec, key: str) -> str:
    letter: str = xl_col_to_name([c.key for c in sheet.columns].index(key))
    return letter


def cell_value(column: ColumnSpec, value: Any, lang: Lang) -> Any:
    """A typed value as it is written: enum keys and booleans as labels, Decimal as float."""
    if column.enum is not None and isinstance(value, bool):
        return YES_NO.label("yes" if value else "no", lang)
    if column.enum is not None and isinstance(value, str) and value in column.enum.by_key:
        return column.enum.label(value, lang)
    if isinstance(value, Decimal):
        return float(value)
    return value


def scores_total(values: Mapping[str, Any]) -> float | None:
    """The sum of the four scores when all are numbers, else None (what the formula shows)."""
    scores = [values.get(k) for k in DIMENSIONS]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores):
        return sum(scores)  # type: ignore[arg-type]
    return None


def _row_height(sheet: SheetSpec, record: Mapping[str, Any]) -> float | None:
    """A taller row when a wrapped text value needs more than one line (Excel does not autofit)."""
    heights = [_height(v, c.width) for c in sheet.columns if isinstance(v := record.get(c.key), str)]
    tallest = max(heights, default=0.0)
    return tallest if tallest > _height("", 10) else None


def _is_total(sheet: SheetSpec, column: ColumnSpec) -> bool:
    return sheet.key == SOLUTIONS.key and column.key == "total"


def _formula_total(record: Mapping[str, Any]) -> bool:
    """Write the live formula unless the row types a total that differs from its scores."""
    typed = record.get("total")
    return typed is None or (not isinstance(typed, str) and typed == scores_total(record))


def _height(text: str, width: int) -> float:
    """Row height (points) for wrapped text in a cell `width` characters wide (CJK count double)."""
    lines = 0
    for paragraph in text.split("\n"):
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        lines += max(1, ceil(units * 0.95 / max(width - 1, 1)))
    return max(18.0, lines * 14.5 + 4)
