"""Fast paths: a well-typed cell's value in one step, else `_SLOW` (then `parse_value` decides)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ci_excel.schema import ColType, ColumnSpec

# Fast paths: a well-typed cell gets its value in one step; anything else returns _SLOW and goes
# through parse_value, which knows every accepted form and names the problem.
_SLOW: Any = object()
_HASH = ("#", "＃")
_ENUM_MEMO: dict[str, dict[str, Any]] = {}


def _in_range(col: ColumnSpec, number: float) -> bool:
    """Finite and within the column's bounds (NaN and infinities take the slow path and its issue)."""
    low, high = col.minimum, col.maximum
    return -_INF < number < _INF and (low is None or number >= low) and (high is None or number <= high)


_INF = math.inf


def _fast_text(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is not str or value[:1] in _HASH:
        return _SLOW
    if (col.defines or col.ref) and not value.isascii():
        return _SLOW  # full-width ids are folded by parse_value
    if "\n" in value or "\r" in value:
        return _SLOW
    return " ".join(value.split()) or _SLOW


def _fast_number(col: ColumnSpec, value: Any) -> Any:
    if (value.__class__ is float or value.__class__ is int) and _in_range(col, value):
        return float(value)
    return _SLOW


def _fast_int(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is float and value.is_integer() and _in_range(col, value):
        return int(value)
    return _SLOW


def _fast_percent(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is float or value.__class__ is int:
        share = value / 100 if 1 < value <= 100 else float(value)
        return share if _in_range(col, share) else _SLOW
    return _SLOW


def _fast_date(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is date:
        return value
    if value.__class__ is datetime:
        return value.date()
    return _SLOW


def _fast_enum(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is not str or col.enum is None:
        return _SLOW
    memo = _ENUM_MEMO.setdefault(col.enum.key, {})
    key = memo.get(value)
    if key is None:
        key = col.enum.match(value)
        if key is None:
            return _SLOW
        if len(memo) < 10_000:
            memo[value] = key
    return key


def _fast_bool(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is bool:
        return value
    key = _fast_enum(col, value)
    return _SLOW if key is _SLOW else key == "yes"


def _slow(col: ColumnSpec, value: Any) -> Any:
    return _SLOW


_FAST: dict[ColType, Callable[[ColumnSpec, Any], Any]] = {
    ColType.TEXT: _fast_text,
    ColType.INT: _fast_int,
    ColType.NUMBER: _fast_number,
    ColType.MONEY: _fast_number,
    ColType.PERCENT: _fast_percent,
    ColType.DATE: _fast_date,
    ColType.ENUM: _fast_enum,
    ColType.BOOL: _fast_bool,
    ColType.PERIOD: _slow,
}
