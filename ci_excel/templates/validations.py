"""Data validation rules: the `_lists` columns feeding every dropdown, the header input messages,
stop-style dropdowns for enums and warning rules for typed values."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ci_excel.schema import INPUT_SHEETS, LISTS_SHEET, ColType, ColumnSpec, EnumSpec, Lang
from ci_excel.text import list_sep


def enum_columns() -> dict[str, EnumSpec]:
    """Every enum used by an input column, in `_lists` column order (one column per enum)."""
    return dict(_enum_columns())


@cache
def _enum_columns() -> tuple[tuple[str, EnumSpec], ...]:
    found: dict[str, EnumSpec] = {}
    for sheet in INPUT_SHEETS:
        for col in sheet.columns:
            if col.enum is not None:
                found.setdefault(col.enum.key, col.enum)
    return tuple(found.items())


def list_range(enum: EnumSpec) -> str:
    """The `_lists` range (absolute, quoted sheet) holding an enum's labels."""
    index = [key for key, _ in _enum_columns()].index(enum.key)
    letter = xl_col_to_name(index)
    return f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(enum.choices) + 1}"


_TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "pick_title": "请从下拉列表选择",
        "pick": "请从下拉列表中选择:{options}",
        "int_title": "请填写整数",
        "int": "请填写 {low} 到 {high} 之间的整数。",
        "int_min": "请填写不小于 {low} 的整数。",
        "pct_title": "请填写百分比",
        "pct": "请填写 0% 到 100% 之间的百分比,如 80%。",
        "date_title": "请填写日期",
        "date": "请填写日期,如 2026-11-03。",
        "num_title": "请填写数字",
        "num": "请填写数字(不要带单位)。",
        "period_title": "格式 YYYY-MM",
        "period": "请按 YYYY-MM 填写,如 2026-11。",
    },
    "en": {
        "pick_title": "Choose from the list",
        "pick": "Choose one of: {options}",
        "int_title": "Whole number",
        "int": "Enter a whole number from {low} to {high}.",
        "int_min": "Enter a whole number of at least {low}.",
        "pct_title": "Percent",
        "pct": "Enter a percent from 0% to 100%, e.g. 80%.",
        "date_title": "Date",
        "date": "Enter a date, e.g. 2026-11-03.",
        "num_title": "Number",
        "num": "Enter a number (no units).",
        "period_title": "Format YYYY-MM",
        "period": "Enter the month as YYYY-MM, e.g. 2026-11.",
    },
}
_BIG = 10**12  # "any number": Excel's decimal rule needs bounds
_DATE_RANGE = {"minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31)}


def _input_message(column: ColumnSpec, lang: Lang) -> dict[str, Any]:
    """The header cell's input message: the column name and its help (Excel's 32/255 limits)."""
    return {
        "validate": "any",
        "input_title": column.header(lang)[:32],
        "input_message": (column.help(lang) or column.header(lang))[:255],
    }


def _cell_validation(column: ColumnSpec, lang: Lang) -> dict[str, Any] | None:
    """The data-cell rule of a column: a stop-style dropdown for enums, warnings for typed values."""
    text = _TEXT[lang]
    if column.enum is not None:
        options = list_sep(lang).join(column.enum.labels(lang))
        return {
            "validate": "list",
            "source": list_range(column.enum),
            "error_type": "stop",
            "error_title": text["pick_title"],
            "error_message": text["pick"].format(options=options)[:255],
        }
    return _typed_validation(column, text)


def _typed_validation(column: ColumnSpec, text: dict[str, str]) -> dict[str, Any] | None:
    if column.type == ColType.INT:
        low = int(column.minimum or 0)
        if column.maximum is not None:
            rule = {"criteria": "between", "minimum": low, "maximum": int(column.maximum)}
            message = text["int"].format(low=low, high=int(column.maximum))
        else:
            rule, message = {"criteria": ">=", "value": low}, text["int_min"].format(low=low)
        return {
            "validate": "integer",
            **rule,
            "error_type": "warning",
            "error_title": text["int_title"],
            "error_message": message,
        }
    if column.type == ColType.PERCENT:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 1,
            "error_type": "warning",
            "error_title": text["pct_title"],
            "error_message": text["pct"],
        }
    if column.type == ColType.DATE:
        return {
            "validate": "date",
            "criteria": "between",
            **_DATE_RANGE,
            "error_type": "warning",
            "error_title": text["date_title"],
            "error_message": text["date"],
        }
    if column.type in (ColType.NUMBER, ColType.MONEY):
        bounds = {
            "minimum": -_BIG if column.minimum is None else column.minimum,
            "maximum": _BIG if column.maximum is None else column.maximum,
        }
        return {
            "validate": "decimal",
            "criteria": "between",
            **bounds,
            "error_type": "warning",
            "error_title": text["num_title"],
            "error_message": text["num"],
        }
    return None


def _form_validation(column: ColumnSpec, row: int, lang: Lang) -> dict[str, Any]:
    """An info value cell: its input message, plus a warning rule for the period and dates."""
    rule: dict[str, Any] = {"validate": "any"}
    if column.type == ColType.PERIOD:
        cell = xl_rowcol_to_cell(row, 1)
        rule = {
            "validate": "custom",
            "error_type": "warning",
            "error_title": _TEXT[lang]["period_title"],
            "error_message": _TEXT[lang]["period"],
            "value": f'=AND(LEN({cell})=7,MID({cell},5,1)="-",ISNUMBER(--LEFT({cell},4)),ISNUMBER(--RIGHT({cell},2)))',
        }
    elif column.type == ColType.DATE:
        rule = _typed_validation(column, _TEXT[lang]) or rule
    return {**rule, **{k: v for k, v in _input_message(column, lang).items() if k != "validate"}}
