"""What people really type is understood: each accepted form gives the right typed value."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from ci_excel.schema import SHEETS
from ci_excel.validation import parse_value, validate_paths
from tests.builders import INFO, info_rows, patch_cells, raw_workbook, register, tables_with


def col(sheet: str, key: str) -> Any:
    return SHEETS[sheet].column(key)


@pytest.mark.parametrize(
    ("sheet", "key", "typed", "expected"),
    [
        # numbers stored as text, full-width digits, separators and currency
        ("results", "baseline", "4", 4.0),
        ("results", "baseline", "１２", 12.0),
        ("results", "baseline", " 3.5 ", 3.5),
        ("results", "annual_benefit", "¥120,000", 120000.0),
        ("results", "annual_benefit", "120000元", 120000.0),
        ("fishbone", "frequency", "４２", 42),
        ("fishbone", "frequency", 42.0, 42),
        # percentages: 30%, 0.3 and 30 all mean 30 %
        ("progress", "percent_done", "30%", 0.3),
        ("progress", "percent_done", "３０％", 0.3),
        ("progress", "percent_done", 0.3, 0.3),
        ("progress", "percent_done", "0.3", 0.3),
        ("progress", "percent_done", 30, 0.3),
        ("progress", "percent_done", "100", 1.0),
        # dates: cells, Excel serials, and the ways people write them
        ("actions", "due_on", date(2026, 11, 3), date(2026, 11, 3)),
        ("actions", "due_on", datetime(2026, 11, 3, 9, 30), date(2026, 11, 3)),
        ("actions", "due_on", 46329, date(2026, 11, 3)),
        ("actions", "due_on", 46329.0, date(2026, 11, 3)),
        ("actions", "due_on", "2026/11/3", date(2026, 11, 3)),
        ("actions", "due_on", "2026-11-03", date(2026, 11, 3)),
        ("actions", "due_on", "2026.11.03", date(2026, 11, 3)),
        ("actions", "due_on", "2026年11月3日", date(2026, 11, 3)),
        ("actions", "due_on", "２０２６年１１月３日", date(2026, 11, 3)),
        ("actions", "due_on", "20261103", date(2026, 11, 3)),
        ("actions", "due_on", "2026-11-03 00:00:00", date(2026, 11, 3)),
        # periods
        ("info", "period", "2026-11", "2026-11"),
        ("info", "period", "2026/11", "2026-11"),
        ("info", "period", "2026年11月", "2026-11"),
        ("info", "period", "202611", "2026-11"),
        ("info", "period", date(2026, 11, 1), "2026-11"),
        ("info", "period", "2026-11-01", "2026-11"),
        # enum synonyms across languages
        ("problems", "impact", "高", "high"),
        ("problems", "impact", "High", "high"),
        ("problems", "impact", " h ", "high"),
        ("problems", "impact", "中等", "medium"),
        ("problems", "impact", 1.0, "low"),
        ("progress", "status", "Done", "done"),
        ("progress", "status", "完成", "done"),
        ("progress", "status", "ＷＩＰ", "in_progress"),
        ("fishbone", "category", "Machine", "machine"),
        ("fishbone", "category", "设备", "machine"),
        ("standards", "closed", "是", True),
        ("standards", "closed", "No", False),
        ("standards", "closed", True, True),
        ("standards", "closed", "√", True),
        # stray spaces and line breaks
        ("problems", "problem_id", "  P-001\n", "P-001"),
        ("problems", "problem_id", "Ｐ－００１", "P-001"),
        ("problems", "problem_id", 7.0, "7"),
        ("problems", "issue", "  人工  重复录入 \r\n 第二行 ", "人工 重复录入\n第二行"),
    ],
)
def test_accepted_forms(sheet: str, key: str, typed: Any, expected: Any) -> None:
    value, problem = parse_value(col(sheet, key), typed)
    assert problem is None
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("sheet", "key", "typed", "code"),
    [
        ("results", "baseline", "四", "not-number"),
        ("fishbone", "frequency", "4.5", "not-integer"),
        ("fishbone", "frequency", -1, "out-of-range"),
        ("progress", "percent_done", "八成", "not-percent"),
        ("progress", "percent_done", "120%", "out-of-range"),
        ("actions", "due_on", "2026-02-30", "not-date"),
        ("actions", "due_on", "next week", "not-date"),
        ("info", "period", "2026-13", "not-period"),
        ("problems", "impact", "超高", "enum-invalid"),
        ("standards", "closed", "maybe", "bool-invalid"),
    ],
)
def test_rejected_forms(sheet: str, key: str, typed: Any, code: str) -> None:
    value, problem = parse_value(col(sheet, key), typed)
    assert value is None and problem is not None and problem[0] == code


def test_typed_forms_in_a_workbook(tmp_path: Path) -> None:
    """Text numbers, text dates, a text percent and enum synonyms, read from real cells."""
    tables = tables_with(
        {
            ("results", 0, "baseline"): "４",
            ("results", 0, "target"): "2",
            ("results", 0, "direction"): "Lower",
            ("progress", 0, "percent_done"): "60%",
            ("progress", 0, "updated_on"): "2026年11月28日",
            ("progress", 1, "finished_on"): "2026/10/30",
            ("problems", 0, "impact"): "H",
        }
    )
    run = validate_paths([register(tmp_path, tables=tables)], root=tmp_path)
    assert run.issues == []
    [s] = run.submissions
    assert s.rows("results")[0]["baseline"] == 4.0 and s.rows("results")[0]["direction"] == "lower"
    assert s.rows("progress")[0]["percent_done"] == 0.6
    assert s.rows("progress")[0]["updated_on"] == date(2026, 11, 28)
    assert s.rows("progress")[1]["finished_on"] == date(2026, 10, 30)
    assert s.rows("problems")[0]["impact"] == "high"


def test_serial_date_in_a_general_cell(tmp_path: Path) -> None:
    path = register(tmp_path)
    patch_cells(path, "4-实施跟踪", {"F2": '<c r="F2"><v>46354</v></c>'})
    run = validate_paths([path], root=tmp_path)
    assert run.issues == []
    assert run.submissions[0].rows("progress")[0]["updated_on"] == date(2026, 11, 28)


def test_moved_header_blank_rows_and_folded_headers(tmp_path: Path) -> None:
    """A title above the header, headers typed full-width with spaces and ＊, blank rows between data rows."""
    rows: list[list[Any]] = [
        ["电商运营部 结果跟踪"],
        [],
        ["问题编号 ＊", " 指标", "方向*", "基线值", "目标值", "实际值", "ＫＰＩ备注"],
        ["P-001", "时效", "越低越好", 4, 2, 2.5, "x"],
        [],
        [None, "  ", None],
        ["P-001", "成本", "越低越好", 10, 8, 9, None],
    ]
    problems = [
        ["问题编号", "场景", "环节", "问题", "影响", "影响程度(量化)", "影响程度", "解决难度", "责任人"],
        ["P-001", "大促", "审核", "录入", "变慢", "2小时", "高", "低", "张敏"],
    ]
    path = raw_workbook(
        tmp_path / "moved.xlsx", {"填报信息": info_rows(INFO), "1-问题识别": problems, "5-效果验证": rows}
    )
    run = validate_paths([path], root=tmp_path)
    assert [(i.sheet, i.cell, i.code) for i in run.issues if i.code != "column-missing-optional"] == [
        ("5-效果验证", "G3", "column-unknown")
    ]
    [s] = run.submissions
    assert [(r.row, r.cells["target"], r.values["kpi"]) for r in s.tables["results"]] == [
        (4, "E4", "时效"),
        (7, "E7", "成本"),
    ]
    assert s.stats["results"].read == 2


def test_formula_rows_of_the_template_are_blank(tmp_path: Path) -> None:
    """The solutions total formula fills rows 2..1001 with a blank cached value: those rows are not data."""
    path = register(tmp_path, sheets=["problems", "why_chains", "fishbone", "solutions"])
    run = validate_paths([path], root=tmp_path)
    assert run.issues == []
    assert run.submissions[0].stats["solutions"].read == 2
