"""What people type: one cell value parsed by its column's type, or the problem named."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ci_excel.schema import ColType, ColumnSpec, fold

_EPOCH = date(1899, 12, 30)
_EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


def _text(value: Any) -> str:
    """A cell as text: whole floats without '.0', dates in ISO, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


Problem = tuple[str, dict[str, Any]]


def parse_value(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """Type one non-blank cell value by its column spec: (value, None) or (None, (code, params)).

    A number is never NaN or infinite: `NaN`, `inf`, `-Infinity`, `1e999` (typed as text, or a
    numeric cell holding such a float) are `value-not-finite`, whatever the column's type.
    """
    parsed, problem = _PARSERS[col.type](col, value)
    if problem is None and parsed.__class__ is float and not math.isfinite(parsed):
        return None, _NOT_FINITE
    if problem is None and isinstance(parsed, int | float) and not isinstance(parsed, bool):
        low, high = col.minimum, col.maximum
        if (low is not None and parsed < low) or (high is not None and parsed > high):
            shown = _range_text(col, low, high)
            return None, ("out-of-range", {"low": shown[0], "high": shown[1]})
    return parsed, problem


def _range_text(col: ColumnSpec, low: float | None, high: float | None) -> tuple[str, str]:
    def show(v: float | None) -> str:
        if v is None:
            return "∞"
        return f"{v * 100:g}%" if col.type == ColType.PERCENT else f"{v:g}"

    return show(low), show(high)


def _parse_text(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    text = value if isinstance(value, str) else _text(value)
    if col.defines or col.ref:
        return (" ".join(text.split()) if text.isascii() else fold(text)), None
    if "\n" not in text and "\r" not in text:
        return " ".join(text.split()), None
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line), None


_NUMBER_NOISE = re.compile(r"[,\s¥$€元]|RMB|CNY", re.IGNORECASE)


_NOT_FINITE: Problem = ("value-not-finite", {})


def _to_float(value: Any) -> float | None:
    """A number cell or number text (separators, spaces, currency dropped); None when it is neither.

    NaN and infinities come back as they are (float("nan") parses): the parsers name them.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = _NUMBER_NOISE.sub("", fold(value))
    try:
        return float(text)
    except ValueError:
        return None


def _parse_number(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """A plain number. In a NUMBER column (KPI baseline/target/actual, current and benchmark
    values) text with a percent sign is understood: `60%`, ` 60 % `, `1.8%`, `５％` give the
    fraction it denotes (0.6, 0.018). That is what Excel itself stores for a typed 60% (0.6 with a
    percent format, which is what the reader hands us), so text and native percents agree. MONEY
    columns take no percent sign."""
    digits = _percent_digits(value) if col.type is ColType.NUMBER else None
    number = _to_float(value if digits is None else digits)
    if number is None:
        return None, ("not-number", {})
    return (number if digits is None else _hundredth(number)), None


def _percent_digits(value: Any) -> str | None:
    """The number part of text ending in a percent sign (`60 %`, `５％`), else None."""
    if value.__class__ is not str:
        return None
    text = fold(value)
    return text[:-1] if text.endswith("%") else None


def _hundredth(number: float) -> float:
    """number / 100 as typed (1.8 -> 0.018, not 0.018000000000000002)."""
    if not math.isfinite(number):
        return number
    return float(Decimal(repr(number)) / 100)


def _parse_int(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    number = _to_float(value)
    if number is None:
        return None, ("not-integer", {})
    if not math.isfinite(number):
        return None, _NOT_FINITE
    if not number.is_integer():
        return None, ("not-integer", {})
    return int(number), None


def _parse_percent(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """30%, "30 %", 0.3 and 30 all mean 30 %: a plain number above 1 is read as percent points."""
    digits = _percent_digits(value)
    if digits is not None:
        number = _to_float(digits)
        return (None, ("not-percent", {})) if number is None else (_hundredth(number), None)
    number = _to_float(value)
    if number is None:
        return None, ("not-percent", {})
    return (number / 100 if 1 < number <= 100 else number), None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _parse_date(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """Dates as cells, Excel serials, 2026/11/3, 2026-11-03, 2026.11.3, 2026年11月3日, 20261103."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(float(value))
    if isinstance(value, str):
        text = fold(value)
        match = _DATE.match(text) or _COMPACT_DATE.match(text)
        if match:
            return _make_date(*match.groups())
        if text.isdigit():
            return _from_number(float(text))
    return None, ("not-date", {})


def _from_number(number: float) -> tuple[Any, Problem | None]:
    if number.is_integer() and _COMPACT_DATE.match(str(int(number))):
        return _make_date(*_COMPACT_DATE.match(str(int(number))).groups())  # type: ignore[union-attr]
    if 1 <= number < 2958466:
        return _EPOCH + timedelta(days=int(number)), None
    return None, ("not-date", {})


def _make_date(year: str, month: str, day: str) -> tuple[Any, Problem | None]:
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, ("not-date", {})


_PERIOD = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def _parse_period(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}", None
    text = fold(value) if isinstance(value, str) else ""
    match = _PERIOD.match(text)
    if match and 1 <= int(match.group(2) or match.group(3)) <= 12:
        return f"{match.group(1)}-{int(match.group(2) or match.group(3)):02d}", None
    day, _ = _parse_date(col, value) if text else (None, None)
    if isinstance(day, date):
        return f"{day.year:04d}-{day.month:02d}", None
    return None, ("not-period", {})


def _parse_enum(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    assert col.enum is not None
    key = col.enum.match(_text(value))
    if key is None:
        return None, (
            "enum-invalid",
            {"allowed_zh": "、".join(col.enum.labels("zh")), "allowed_en": ", ".join(col.enum.labels("en"))},
        )
    return key, None


def _parse_bool(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    if isinstance(value, bool):
        return value, None
    key, problem = _parse_enum(col, value)
    if problem is not None:
        return None, ("bool-invalid", {})
    return key == "yes", None


_PARSERS: dict[ColType, Callable[[ColumnSpec, Any], tuple[Any, Problem | None]]] = {
    ColType.TEXT: _parse_text,
    ColType.INT: _parse_int,
    ColType.NUMBER: _parse_number,
    ColType.MONEY: _parse_number,
    ColType.PERCENT: _parse_percent,
    ColType.DATE: _parse_date,
    ColType.PERIOD: _parse_period,
    ColType.ENUM: _parse_enum,
    ColType.BOOL: _parse_bool,
}


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = _text(value)
    return text if len(text) <= 200 else text[:197] + "..."
