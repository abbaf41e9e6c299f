"""Stored values as the reports show them, driven by the schema: enum labels, 是/否, percents,
dates, amounts; column headers, widths and alignment; a table of schema columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_xml import Cell, sanitize
from ci_excel.schema import SHEETS, ColType, ColumnSpec, Lang
from ci_excel.text import list_sep


def fmt(sheet: str, key: str, value: Any, lang: Lang) -> str:
    """A stored value as the report shows it: enum labels, 是/否, percents, dates, numbers."""
    return shown(SHEETS[sheet].column(key), value, lang)


def shown(column: ColumnSpec, value: Any, lang: Lang) -> str:
    """`value` of `column` as the report shows it (`fmt` with the column looked up)."""
    if value is None or value == "":
        return ""
    if column.type in (ColType.ENUM, ColType.BOOL) and column.enum is not None:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        return column.enum.label(str(value), lang) if str(value) in column.enum.by_key else sanitize(value)
    if column.type == ColType.PERCENT and isinstance(value, int | float):
        return f"{value:.0%}"
    if isinstance(value, date):
        return value.isoformat()
    if column.type == ColType.MONEY and isinstance(value, int | float):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return list_sep(lang).join(sanitize(v) for v in value)
    return sanitize(value)


def headers(sheet: str, keys: Sequence[str], lang: Lang) -> list[str]:
    return [SHEETS[sheet].column(k).header(lang) for k in keys]


def weights(sheet: str, keys: Sequence[str]) -> list[float]:
    """Relative column widths from the schema; dates get room for YYYY-MM-DD on one line."""
    return [
        float(max(SHEETS[sheet].column(k).width, 15 if SHEETS[sheet].column(k).type == ColType.DATE else 0))
        for k in keys
    ]


def aligns(sheet: str, keys: Sequence[str]) -> list[str]:
    numeric = (ColType.INT, ColType.NUMBER, ColType.PERCENT, ColType.MONEY)
    return ["right" if SHEETS[sheet].column(k).type in numeric else "left" for k in keys]


def sheet_table(
    doc: ReportDoc, sheet: str, keys: Sequence[str], rows: Sequence[dict[str, Any]], *, emphasis: Any = None
) -> None:
    """A table of schema columns; `emphasis(row, key)` may return a Styled for a cell."""
    lang = doc.lang
    columns = [SHEETS[sheet].column(k) for k in keys]
    body: list[list[Cell]] = []
    for row in rows:
        cells: list[Cell] = []
        for column in columns:
            styled = emphasis(row, column.key) if emphasis else None
            cells.append(styled if styled is not None else shown(column, row.get(column.key), lang))
        body.append(cells)
    doc.table(headers(sheet, keys, lang), body, weights(sheet, keys), align=aligns(sheet, keys))
