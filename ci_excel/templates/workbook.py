"""One template-shaped workbook (xlsxwriter): the instructions sheet, the info form, the table sheets
with their example row, totals and validations, and the hidden `_lists` and `_meta` sheets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel.config import Config
from ci_excel.examples import template_example
from ci_excel.fileio import atomic_write
from ci_excel.schema import (
    FORM_HEADERS,
    INFO,
    INSTRUCTIONS,
    LISTS_SHEET,
    META_SHEET,
    SHEETS,
    SOLUTIONS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ColType,
    ColumnSpec,
    Lang,
    SheetSpec,
)
from ci_excel.templates.cells import (
    LAST_VALIDATED_ROW,
    _formula_total,
    _is_total,
    _letter,
    _row_height,
    cell_value,
    header_text,
    scores_total,
    sheet_names,
    total_formula,
)
from ci_excel.templates.formats import _Formats
from ci_excel.templates.guide import _write_instructions
from ci_excel.templates.validations import _cell_validation, _form_validation, _input_message, enum_columns

_WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def write_workbook(
    path: Path,
    sheets: Sequence[str],
    *,
    lang: Lang = "zh",
    info: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    with_example: bool = True,
    workbook: str | None = None,
) -> Path:
    """Write a template-shaped workbook, optionally pre-filled, atomically; returns `path`.

    `sheets` are table sheet keys (the info form is always written). Values are typed as
    validation returns them: enum keys and booleans become labels in `lang`, dates and percent
    fractions get their formats, and any other string is written verbatim as text.
    """
    tables = [SHEETS[k] for k in dict.fromkeys(sheets) if k != INFO.key]
    stem = workbook or path.stem

    def write(tmp: Path) -> None:
        _Builder(tmp, lang).build(tables, info or {}, rows or {}, with_example=with_example, stem=stem)

    return atomic_write(path, write)


class _Builder:
    """Writes one workbook: formats are made once and shared by every sheet."""

    def __init__(self, path: Path, lang: Lang) -> None:
        self.lang = lang
        self.book: Workbook = xlsxwriter.Workbook(str(path), _WORKBOOK_OPTIONS)
        self.fmt = _Formats(self.book)

    def build(
        self,
        tables: Sequence[SheetSpec],
        info: Mapping[str, Any],
        rows: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        with_example: bool,
        stem: str,
    ) -> None:
        _write_instructions(self.book.add_worksheet(INSTRUCTIONS[self.lang]), self.fmt, self.lang)
        self._form(info)
        for sheet in tables:
            self._table(sheet, rows.get(sheet.key, ()), with_example=with_example)
        self._lists()
        self._meta(tables, stem)
        self.book.close()

    # -- info form -------------------------------------------------------------------------
    def _form(self, info: Mapping[str, Any]) -> None:
        ws = self.book.add_worksheet(INFO.name(self.lang))
        ws.set_column(0, 0, 20)
        ws.set_column(1, 1, 40, self.fmt.data(ColType.TEXT))
        ws.set_row(0, 24)
        for col, text in enumerate(FORM_HEADERS[self.lang]):
            ws.write_string(0, col, text, self.fmt.header)
        for index, column in enumerate(INFO.columns, start=1):
            label_fmt = self.fmt.label_required if column.required else self.fmt.label
            ws.set_row(index, 20)
            ws.write_string(index, 0, header_text(column, self.lang), label_fmt)
            self._write(ws, index, 1, column, info.get(column.key), self.fmt.form_value(column.type))
            ws.data_validation(index, 1, index, 1, _form_validation(column, index, self.lang))
        ws.freeze_panes(1, 0)
        _print_setup(ws, landscape=False)

    # -- table sheets ----------------------------------------------------------------------
    def _table(self, sheet: SheetSpec, data: Sequence[Mapping[str, Any]], *, with_example: bool) -> None:
        ws = self.book.add_worksheet(sheet.name(self.lang))
        self._header(ws, sheet)
        records: list[Mapping[str, Any]] = [template_example(sheet.key, self.lang)] if with_example else []
        records += data
        last = max(LAST_VALIDATED_ROW, len(records) + 1)
        for offset, record in enumerate(records):
            style = "example" if with_example and offset == 0 else "data"
            self._row(ws, sheet, offset + 1, record, style)
        if sheet.key == SOLUTIONS.key:
            self._blank_totals(ws, len(records) + 2, last)
            self._pass_colours(ws, last)
        ws.print_area(0, 0, max(1, len(records)), len(sheet.columns) - 1)
        self._validations(ws, sheet, last)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(sheet.columns) - 1)
        _print_setup(ws, landscape=True)

    def _header(self, ws: Worksheet, sheet: SheetSpec) -> None:
        ws.set_row(0, 32)
        for col, column in enumerate(sheet.columns):
            ws.set_column(col, col, column.width, self.fmt.data(column.type))
            fmt = self.fmt.header_required if column.required else self.fmt.header
            ws.write_string(0, col, header_text(column, self.lang), fmt)
            ws.data_validation(0, col, 0, col, _input_message(column, self.lang))

    def _row(self, ws: Worksheet, sheet: SheetSpec, row: int, record: Mapping[str, Any], style: str) -> None:
        height = _row_height(sheet, record)
        if height is not None:
            ws.set_row(row, height)
        for col, column in enumerate(sheet.columns):
            fmt = self.fmt.example(column.type) if style == "example" else self.fmt.data(column.type)
            if _is_total(sheet, column) and _formula_total(record):
                total = scores_total(record)
                ws.write_formula(row, col, total_formula(row + 1), fmt, "" if total is None else total)
            else:
                self._write(ws, row, col, column, record.get(column.key), fmt)

    def _blank_totals(self, ws: Worksheet, first: int, last: int) -> None:
        """The total formula on every empty row (1-based `first`..`last`), cached as blank."""
        col = [c.key for c in SOLUTIONS.columns].index("total")
        fmt = self.fmt.data(ColType.NUMBER)
        for row in range(first, last + 1):
            ws.write_formula(row - 1, col, total_formula(row), fmt, "")

    def _pass_colours(self, ws: Worksheet, last: int) -> None:
        """Green when the total passes the threshold, orange when it does not (blank stays plain)."""
        col = _letter(SOLUTIONS, "total")
        threshold = f"{Config().threshold:g}"
        for test, fmt in ((">=", self.fmt.passed), ("<", self.fmt.failed)):
            ws.conditional_format(
                f"{col}2:{col}{last}",
                {"type": "formula", "criteria": f"=AND(ISNUMBER({col}2),{col}2{test}{threshold})", "format": fmt},
            )

    def _write(self, ws: Worksheet, row: int, col: int, column: ColumnSpec, value: Any, fmt: Any) -> None:
        value = cell_value(column, value, self.lang)
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def _validations(self, ws: Worksheet, sheet: SheetSpec, last: int) -> None:
        for col, column in enumerate(sheet.columns):
            rule = None if _is_total(sheet, column) else _cell_validation(column, self.lang)
            if rule is not None:
                ws.data_validation(1, col, last - 1, col, rule)

    # -- hidden sheets ---------------------------------------------------------------------
    def _lists(self) -> None:
        ws = self.book.add_worksheet(LISTS_SHEET)
        for col, enum in enumerate(enum_columns().values()):
            ws.write_string(0, col, enum.key)
            ws.write_column(1, col, enum.labels(self.lang))
        ws.hide()

    def _meta(self, tables: Sequence[SheetSpec], stem: str) -> None:
        ws = self.book.add_worksheet(META_SHEET)
        pairs = [
            ("key", "value"),
            ("template_id", TEMPLATE_ID),
            ("template_version", TEMPLATE_VERSION),
            ("lang", self.lang),
            ("workbook", stem),
        ]
        pairs += [(f"sheet:{key}", name) for key, name in sheet_names(tables, self.lang).items()]
        for row, (key, value) in enumerate(pairs):
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
        ws.set_column(0, 1, 24)
        ws.hide()


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&L&A&R&P / &N")
