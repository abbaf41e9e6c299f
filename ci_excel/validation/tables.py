"""A table sheet typed column by column (fast paths first), each cell checked, each row finished."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ci_excel.examples import ID_COLUMNS, MARKS, is_example
from ci_excel.model import Record, Row, SheetStats
from ci_excel.reading import BadCells, column_letter
from ci_excel.schema import ColType, ColumnSpec, SheetSpec, fold
from ci_excel.validation.cells import _EXCEL_ERRORS, _percent_digits, parse_value
from ci_excel.validation.fast import _FAST, _HASH, _SLOW
from ci_excel.validation.results import _Ctx
from ci_excel.validation.rows import _ROW_RULES, _Col, _RowPlace, _Where
from ci_excel.validation.sheets import _layout, _missing_columns


def _is_blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


def _read_table(
    spec: SheetSpec, name: str, grid: list[list[Any]], bad: BadCells, ctx: _Ctx, rejected_ids: dict[str, set[str]]
) -> tuple[list[Record], SheetStats]:
    """Type a table sheet column by column (fast paths for well-typed cells), then check row by row."""
    stats = SheetStats()
    layout = _layout(spec, name, grid, ctx)
    if layout is None:
        return [], stats
    unusable = _missing_columns(spec, name, layout, ctx)
    rows = [r for r in range(layout.header_row + 1, len(grid)) if not _blank_row(grid[r])]
    stats.read = len(rows)
    if unusable:
        stats.rejected = len(rows)
        if rows:
            ctx.add("sheet-rejected", sheet=name, rows=len(rows))
        return [], stats
    cols = [(spec.column(k), i, h, column_letter(i)) for k, (i, h) in layout.columns.items()]
    where = _Where(name, ctx, {})
    data = [grid[r] for r in rows]
    typed = [_type_column(c, data, rows, bad, where) for c in cols]
    shape = _Shape(spec, cols)
    records: list[Record] = []
    for r, row_values in zip(rows, zip(*typed, strict=True), strict=True):
        record, ok = _finish_row(shape, r, row_values, where)
        if record is None:
            stats.ignored += 1
        elif not ok:
            stats.rejected += 1
            _note_rejected_id(spec, record, rejected_ids)
        else:
            stats.used += 1
            records.append(record)
    return records, stats


def _blank_row(raw: list[Any]) -> bool:
    if raw.count("") == len(raw):
        return True
    return not any(v != "" and v is not None and not (v.__class__ is str and not v.strip()) for v in raw)


def _type_column(c: _Col, data: list[list[Any]], rows: list[int], bad: BadCells, where: _Where) -> list[Any]:
    """Typed values of one column over the data rows (`data`, sheet rows `rows`); cells off the fast
    path are checked one by one."""
    col, index, header, letter = c
    fast = _FAST[col.type]
    blank = _SLOW if col.required or bad else None
    raw = [g[index] if index < len(g) else "" for g in data]
    if col.type == ColType.TEXT and (col.defines or col.ref):  # ids: ASCII ones need no folding
        out = [
            blank if v == "" else " ".join(v.split()) if v.__class__ is str and v[:1] != "#" and v.isascii() else _SLOW
            for v in raw
        ]
    elif col.type == ColType.TEXT:  # the commonest cell, inlined
        out = [
            blank
            if v == ""
            else " ".join(v.split())
            if v.__class__ is str and v[:1] not in _HASH and "\n" not in v and "\r" not in v
            else _SLOW
            for v in raw
        ]
    else:
        out = [blank if v == "" else fast(col, v) for v in raw]
    for n, typed in enumerate(out):
        if typed is _SLOW or typed == "":
            r, value = rows[n], raw[n]
            a1, row_ctx = f"{letter}{r + 1}", where.ctx(r)
            if _is_blank(value):
                _blank_cell(col, a1, bad, where.sheet, header, r + 1, row_ctx)
                out[n] = None
            else:
                out[n] = _cell(col, value, a1, where.sheet, header, r + 1, row_ctx)
    return out


@dataclass(frozen=True)
class _Shape:
    """What every row of one table shares: its sheet, columns and their letters."""

    spec: SheetSpec
    cols: list[_Col]

    @cached_property
    def keys(self) -> list[str]:
        return [c[0].key for c in self.cols]

    @cached_property
    def letters(self) -> list[str]:
        return [c[3] for c in self.cols]

    @cached_property
    def blank(self) -> Row:
        return dict.fromkeys(c.key for c in self.spec.columns)


def _finish_row(shape: _Shape, r: int, typed: Sequence[Any], where: _Where) -> tuple[Record | None, bool]:
    """Row rules on a typed row; no record for the example row (ignored with a warning)."""
    row, suffix, key = r + 1, str(r + 1), shape.spec.key
    values = shape.blank.copy()
    values.update(zip(shape.keys, typed, strict=True))
    cells = dict(zip(shape.keys, [letter + suffix for letter in shape.letters], strict=True))
    ctx = where.file_ctx
    if _is_example(key, values, legacy=row == 2 and ctx.legacy_example):
        where.row_ctxs.pop(r, None)
        ctx.add("example-row", sheet=where.sheet, cell=f"A{row}", row=row, line=row)
        return None, False
    rules = _ROW_RULES.get(key)
    if rules is not None:
        rules(values, _RowPlace(where.sheet, row, cells, shape.cols, where, r))
    row_ctx = where.row_ctxs.pop(r, None)
    ok = row_ctx is None or not any(i.is_error for i in row_ctx.issues)
    if row_ctx is not None:
        ctx.issues.extend(row_ctx.issues)
    return Record(values, ctx.file, where.sheet, row, cells), ok


def _note_rejected_id(spec: SheetSpec, record: Record, rejected_ids: dict[str, set[str]]) -> None:
    col = spec.id_column
    if col is not None and col.defines and record.values.get(col.key):
        rejected_ids[col.defines].add(record.values[col.key])


def _blank_cell(col: ColumnSpec, a1: str, bad: BadCells, sheet: str, header: str, row: int, ctx: _Ctx) -> None:
    """A cell read as blank: an error value, a formula without a result, a required cell, or just blank."""
    error, damage = bad.error(a1), bad.damage(a1)
    if damage is not None:
        ctx.add("cell-corrupt", sheet=sheet, cell=a1, column=header, row=row, reason=damage)
    elif error is not None:
        ctx.add("formula-error", sheet=sheet, cell=a1, column=header, value=error, row=row)
    elif bad.lacks_value(a1):
        code = "formula-no-value" if col.required else "formula-no-value-optional"
        ctx.add(code, sheet=sheet, cell=a1, column=header, row=row)
    elif col.required:
        ctx.add("required", sheet=sheet, cell=a1, column=header, row=row)


def _is_example(sheet: str, values: Row, *, legacy: bool = False) -> bool:
    """The template's example row (examples.is_example: its ids carry the marker; with `legacy`, row 2
    of an older template equal to the unmarked example), checked cheaply on the ids' first letter."""
    if legacy:
        return is_example(sheet, values, legacy=True)
    heads = [values.get(k) for k in ID_COLUMNS.get(sheet, ())]
    return any(v.__class__ is str and v[:1] in _MARK_HEADS for v in heads) and is_example(sheet, values)


_MARK_HEADS = frozenset(c for mark in MARKS.values() for c in (mark[0], mark[0].lower()))  # ids are folded


def _cell(col: ColumnSpec, value: Any, a1: str, sheet: str, header: str, row: int, ctx: _Ctx) -> Any:
    """One non-blank cell's typed value; adds an issue and returns None when it cannot be used."""
    if isinstance(value, str) and value.lstrip()[:1] in ("#", "＃") and fold(value) in _EXCEL_ERRORS:
        ctx.add("formula-error", sheet=sheet, cell=a1, column=header, value=value, row=row)
        return None
    typed, problem = parse_value(col, value)
    if problem is not None:
        code, params = problem
        ctx.add(code, sheet=sheet, cell=a1, column=header, value=value, row=row, **params)
        return None
    if col.type is ColType.NUMBER and _percent_digits(value) is not None:
        ctx.percent_typed |= {col.key}  # for the row's scale rule (_mixed_scales)
    return typed
