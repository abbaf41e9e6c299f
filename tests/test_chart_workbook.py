"""The embedded chart workbook holds what python-pptx's own (XlsxWriter) workbook holds, cell for cell."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from pptx.chart.data import CategoryChartData

from ci_excel.render.chart_workbook import category_workbook


def _cells(blob: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def _formats(blob: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    return [c.number_format for c in next(sheet.iter_cols(min_col=2, min_row=2, max_col=2)) if c.value is not None]


def test_same_cells_as_python_pptx() -> None:
    data = CategoryChartData(number_format="0")
    data.categories = ["订单审核 <A&B>", "2026-10", "很长的类别名称" * 5]
    data.add_series("开始", [46300.0, 46310.0, None], number_format="yyyy-mm-dd")
    data.add_series('累计占比 "%"', [0.25, 0.5, 1.0], number_format="0%")
    data.add_series("频次", [3, 2, 1])
    ours, theirs = category_workbook(data), data.xlsx_blob
    assert _cells(ours) == _cells(theirs)
    assert _formats(ours) == _formats(theirs) == ["yyyy-mm-dd"] * 2
    assert _cells(ours)[1][1].date() == date(2026, 10, 5)  # type: ignore[union-attr]  # a date in Edit Data


def test_many_series_columns() -> None:
    data = CategoryChartData()
    data.categories = ["a"]
    for n in range(30):
        data.add_series(f"s{n}", [n])
    assert _cells(category_workbook(data)) == _cells(data.xlsx_blob)
