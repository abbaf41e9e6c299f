"""Numbers as departments really type them: never NaN or infinite, and a percent sign understood."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from ci_excel.issues import flatten
from ci_excel.schema import SHEETS, ColType
from ci_excel.validation import _FAST, _SLOW, parse_value, validate_paths
from tests.builders import patch_cells, register, tables_with

P, R = "1-问题识别", "5-效果验证"
NOT_FINITE_TEXT = ["NaN", "nan", "inf", "-Infinity", "1e999", " -1E999 ", "ｎａｎ"]
NOT_FINITE_FLOATS = [math.nan, math.inf, -math.inf]
NUMBER_CELLS = [
    ("results", "baseline"),
    ("results", "annual_benefit"),
    ("fishbone", "frequency"),
    ("solutions", "effectiveness"),
    ("progress", "percent_done"),
    ("verification", "support_share"),
]


def col(sheet: str, key: str) -> Any:
    return SHEETS[sheet].column(key)


@pytest.mark.parametrize(("sheet", "key"), NUMBER_CELLS)
@pytest.mark.parametrize("typed", [*NOT_FINITE_TEXT, *NOT_FINITE_FLOATS], ids=repr)
def test_not_finite_is_an_issue_in_every_number_column(sheet: str, key: str, typed: Any) -> None:
    assert parse_value(col(sheet, key), typed) == (None, ("value-not-finite", {}))


@pytest.mark.parametrize(("sheet", "key"), [("results", "baseline"), ("progress", "percent_done")])
def test_not_finite_percent_text(sheet: str, key: str) -> None:
    assert parse_value(col(sheet, key), "inf%") == (None, ("value-not-finite", {}))


@pytest.mark.parametrize("kind", [ColType.NUMBER, ColType.MONEY, ColType.INT, ColType.PERCENT])
@pytest.mark.parametrize("typed", NOT_FINITE_FLOATS, ids=repr)
def test_fast_paths_never_let_a_non_finite_float_through(kind: ColType, typed: float) -> None:
    column = next(c for s in SHEETS.values() for c in s.columns if c.type == kind)
    assert _FAST[kind](column, typed) is _SLOW


@pytest.mark.parametrize(
    ("sheet", "key", "typed", "expected"),
    [
        ("results", "baseline", "60%", 0.6),
        ("results", "target", "1.8%", 0.018),
        ("results", "actual", "５%", 0.05),
        ("results", "actual", "５％", 0.05),
        ("results", "baseline", " 60 % ", 0.6),
        ("results", "baseline", "-2.5%", -0.025),
        ("problems", "current_value", "12%", 0.12),
        ("results", "baseline", 0.6, 0.6),  # what the reader hands over for a natively typed 60%
        ("progress", "percent_done", "1.8%", 0.018),  # percent columns: unchanged (30%, 0.3 and 30)
        ("progress", "percent_done", 30, 0.3),
    ],
)
def test_percent_sign_in_number_columns(sheet: str, key: str, typed: Any, expected: float) -> None:
    assert parse_value(col(sheet, key), typed) == (expected, None)


@pytest.mark.parametrize(
    ("sheet", "key", "code"),
    [
        ("results", "annual_benefit", "not-number"),  # money takes no percent sign
        ("fishbone", "frequency", "not-integer"),
        ("results", "baseline", "not-number"),
    ],
)
def test_percent_sign_where_it_means_nothing(sheet: str, key: str, code: str) -> None:
    typed = "%" if key == "baseline" else "60%"
    assert parse_value(col(sheet, key), typed) == (None, (code, {}))


def test_not_finite_text_and_cells_in_a_workbook(tmp_path: Path) -> None:
    """Text NaN/1e999 and numeric cells holding NaN or an overflow: errors, the rows are not used."""
    path = register(
        tmp_path, tables=tables_with({("results", 0, "actual"): "1e999", ("problems", 1, "current_value"): "-Infinity"})
    )
    patch_cells(path, R, {"E3": '<c r="E3"><v>NaN</v></c>', "F3": '<c r="F3"><v>1e999</v></c>'})
    run = validate_paths([path], root=tmp_path)
    dependants = [
        [sheet, cell, "ref-rejected"]
        for sheet, cell in (  # rows of the rejected problem P-002
            ("2-5Why分析", "A3"),
            ("2-鱼骨图", "A3"),
            ("3-方案评估", "B3"),
            ("3-改进计划", "B3"),
            ("4-实施跟踪", "A3"),
        )
    ]
    assert flatten(run.issues, ["sheet", "cell", "code"]) == [
        [P, "O3", "value-not-finite"],
        *dependants,
        [R, "G2", "value-not-finite"],
        [R, "E3", "value-not-finite"],
        [R, "F3", "value-not-finite"],
        ["6-标准化", "A2", "ref-rejected"],
    ]
    assert {i.value for i in run.issues if i.code == "value-not-finite"} == {"-Infinity", "1e999", "nan", "inf"}
    message = next(i for i in run.issues if i.cell == "E3").message("en")
    assert "5-效果验证!E3" in message and "plain number" in message
    [submission] = run.submissions
    assert submission.tables["results"] == []
    stats = submission.stats["results"]
    assert (stats.read, stats.used, stats.rejected) == (2, 0, 2)
    for rows in submission.tables.values():
        for record in rows:
            assert not any(isinstance(v, float) and not math.isfinite(v) for v in record.values.values())


def test_kpi_typed_as_percent_text_is_read(tmp_path: Path) -> None:
    tables = tables_with(
        {("results", 1, "baseline"): "80%", ("results", 1, "target"): "９５％", ("results", 1, "actual"): " 96 % "}
    )
    run = validate_paths([register(tmp_path, tables=tables)], root=tmp_path)
    assert run.issues == []
    row = run.submissions[0].rows("results")[1]
    assert (row["baseline"], row["target"], row["actual"]) == (0.8, 0.95, 0.96)


def test_percent_text_beside_native_fractions_is_one_scale(tmp_path: Path) -> None:
    tables = tables_with({("results", 1, "baseline"): "80%"})  # target 0.95 and actual 0.96 stay numbers
    run = validate_paths([register(tmp_path, tables=tables)], root=tmp_path)
    assert run.issues == []


def test_mixed_scales_in_one_kpi_row_warn_naming_the_cells(tmp_path: Path) -> None:
    tables = tables_with(
        {
            ("results", 1, "baseline"): "60%",
            ("results", 1, "target"): 80,
            ("results", 1, "actual"): 96,
            ("problems", 0, "current_value"): "4%",
        }
    )
    run = validate_paths([register(tmp_path, tables=tables)], root=tmp_path)
    assert flatten(run.issues, ["sheet", "cell", "code", "value"]) == [
        [P, "O2", "percent-scale-mixed", "4%"],
        [R, "E3", "percent-scale-mixed", "60%"],
    ]
    kpi = run.issues[1]
    assert "F3 = 80, G3 = 96" in kpi.message("en") and "0.6" in kpi.message("en")
    assert "F3 = 80, G3 = 96" in kpi.message("zh")
    assert run.submissions[0].stats["results"].used == 2  # a warning: the row is still used
