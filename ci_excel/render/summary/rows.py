"""The table sheets' data rows as SpreadsheetML, made where the department is computed (its worker).

xlsxwriter writes a cell in about ten microseconds, in the one process that writes the workbook:
for 300 departments of 40 problems that was a quarter of a run's CPU, none of it parallel. So each
department's rows are written here as `<row>` XML (the cells xlsxwriter's constant_memory mode
would write: inline strings, numbers, dates as serial numbers), with ROW where the row number goes;
the summary writer numbers them as it appends them (`TableSheet.append`) and the package step puts
them into each sheet (`xlsx_tables.add_tables`). Cell styles are the workbook's first formats,
registered by `Styles` in the order of DATA_STYLES.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name

from ci_excel import model
from ci_excel.render.summary.columns import FORMULA_START, Col, Row, Table
from ci_excel.render.summary.sheets import LEAD, entity_rows, entity_table, issue_row, issues_table
from ci_excel.render.summary.style import DATA_STYLES
from ci_excel.render.xlsx_tables import cell_text
from ci_excel.schema import Lang
from ci_excel.text import list_sep

ROW = "\x00"  # where a row's number goes: no cell holds it, since cell_text drops control characters
ISSUES = "issues"  # the issues sheet's key beside the entity sheets' in a department's rows
_STYLE_ID = {name: f' s="{n}"' for n, name in enumerate(DATA_STYLES, 1)}
_EXCEL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")  # literal text Excel would read as an escape
_MAX_UTF16 = 32767  # Excel's longest cell text
_EPOCH = datetime(1899, 12, 31)

SheetRows = dict[str, list[str]]  # sheet key -> its rows' XML, ROW for each row number
Cell = Callable[[str, Any], str]  # (reference without the row number, value) -> the cell's XML


def department_rows(dept: model.DepartmentResult, lang: Lang) -> SheetRows:
    """The department's rows on every entity sheet and on the issues sheet."""
    rows = {sheet: rows_xml(table, entity_rows(dept, sheet), lang) for sheet, table in entity_tables(lang).items()}
    rows[ISSUES] = rows_xml(issues_spec(lang), (issue_row(i, dept.period, lang) for i in dept.issues), lang)
    return rows


def rows_xml(table: Table, rows: Iterable[Row], lang: Lang) -> list[str]:
    """Each row as `<row>` XML; blank values (None, "", NaN) are left out."""
    cells = [(xl_col_to_name(c) + ROW, col.key, col.get, cell_xml(col, lang)) for c, col in enumerate(table.columns)]
    out = []
    for row in rows:
        parts = [f'<row r="{ROW}">']
        for ref, key, get, put in cells:
            value = get(row) if get else row.get(key)
            if value is not None and value != "" and value == value:
                parts.append(put(ref, value))
        parts.append("</row>")
        out.append("".join(parts))
    return out


@lru_cache(maxsize=4)
def entity_tables(lang: Lang) -> Mapping[str, Table]:
    """The entity sheets' specifications, made once per process: the rows and the sheets share them."""
    return {sheet: entity_table(sheet, lang) for sheet in LEAD}


@lru_cache(maxsize=4)
def issues_spec(lang: Lang) -> Table:
    """The issues sheet's specification, made once per process."""
    return issues_table(lang)


def cell_xml(col: Col, lang: Lang) -> Cell:
    """How a non-blank value of `col` becomes a cell: made once per column, called per cell."""
    if col.kind == "label":
        labels = col.labels
        return lambda ref, v: text_cell(ref, labels.get(str(v), str(v)))
    if col.kind == "list":
        sep, labels = list_sep(lang), col.labels
        return lambda ref, v: text_cell(ref, _joined(v, labels, sep))
    style = _STYLE_ID.get(col.kind)
    if style is None:
        return lambda ref, v: text_cell(ref, str(v))
    if col.kind == "date":
        return lambda ref, v: _date_cell(ref, v, style) if isinstance(v, date) else text_cell(ref, str(v))
    return lambda ref, v: (
        _number_cell(ref, v, style)
        if isinstance(v, int | float) and not isinstance(v, bool)
        else text_cell(ref, str(v))
    )


def text_cell(ref: str, value: str) -> str:
    """Typed text: always a string, storable (`cell_text`), quote-prefixed when Excel would read a formula."""
    text = _excel_text(cell_text(value))
    if not text:
        return ""
    style = _STYLE_ID["quoted"] if text.startswith(FORMULA_START) else ""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _excel_text(text: str) -> str:
    """As xlsxwriter writes it: literal `_xHHHH_` escaped, carriage returns as `_x000D_`, at most 32,767
    UTF-16 units."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)
    if "\r" in text:
        text = text.replace("\r", "_x000D_")
    if len(text) > _MAX_UTF16 // 2:
        units = text.encode("utf-16-le")[: 2 * _MAX_UTF16]
        text = units.decode("utf-16-le", "ignore")  # a pair cut in two is dropped whole
    return text


def _number_cell(ref: str, value: float, style: str) -> str:
    if not math.isfinite(value):
        return text_cell(ref, str(value))
    return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'


def _date_cell(ref: str, value: date, style: str) -> str:
    return _number_cell(ref, excel_serial(value), style)


def excel_serial(value: date) -> float:
    """Excel's serial number of a date (its 1900 system, time zone dropped), as xlsxwriter counts it."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial  # Excel's 1900 has a 29 February that never was


def _joined(value: Any, labels: dict[str, str], sep: str) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    return sep.join(labels.get(str(v), str(v)) for v in items)
