"""`ci-excel templates --prefill`: next month's registers from the store, validated as submissions."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from benchmarks.sample_data import sample_period
from ci_excel.cli import main
from ci_excel.schema import SHEETS, TABLE_SHEETS
from ci_excel.templates.prefill import carried_rows
from tests.pipeline_data import write_register

SHOP, SERVICE = "电商运营部", "客户服务部"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_prefilled_registers_carry_open_problems_and_validate_clean(tmp_path: Path) -> None:
    subs, out, tpl = tmp_path / "subs", tmp_path / "out", tmp_path / "tpl"
    write_register(subs / "2026-10" / "shop.xlsx", SHOP, "2026-10", problems=4, done=2)
    write_register(subs / "2026-10" / "service.xlsx", SERVICE, "2026-10", problems=2)
    write_register(subs / "2026-11" / "shop.xlsx", SHOP, "2026-11", problems=5, done=3)
    for period in ("2026-10", "2026-11"):
        CliRunner().invoke(main, ["consolidate", str(subs / period), "--period", period, "--out", str(out)])

    said = _run("templates", "--prefill", "--period", "2026-12", "--from", str(out), "--out", str(tpl))
    folder = tpl / "prefilled-2026-12"
    assert f"{SHOP}.xlsx (2 open problems from 2026-11; 3 closed left out)" in said
    assert f"{SERVICE}.xlsx (2 open problems from 2026-10; 0 closed left out)" in said  # skipped a month

    report = json.loads(_run("validate", str(folder), "--format", "json"))
    assert report["valid"] and report["issues"] == [], report["issues"]
    assert {s["department"]: s["period"] for s in report["submissions"]} == {SHOP: "2026-12", SERVICE: "2026-12"}

    book = openpyxl.load_workbook(folder / f"{SHOP}.xlsx")
    column_a = {sheet: [c.value for c in book[sheet]["A"][1:] if c.value] for sheet in book.sheetnames}
    assert column_a["1-问题识别"] == ["P-004", "P-005"]
    assert column_a["3-改进计划"] == ["A-004", "A-005"] and column_a["4-实施跟踪"] == ["A-004", "A-005"]
    assert column_a["2-根因验证"] == ["P-004-R1", "P-005-R1"]
    assert column_a["6-标准化"] == []  # the closed problems' rows stay behind


def test_prefill_needs_a_period_and_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["templates", "--prefill", "--from", str(tmp_path)])
    assert result.exit_code == 2 and "--period" in result.output
    result = CliRunner().invoke(main, ["templates", "--prefill", "--period", "2026-12", "--from", str(tmp_path)])
    assert result.exit_code == 2 and "no history store" in result.output
    result = CliRunner().invoke(main, ["templates", "--department", SHOP])
    assert result.exit_code == 2 and "--prefill" in result.output


def test_carried_rows_hang_together() -> None:
    """Every carried row refers only to carried rows, and no carried problem is closed."""
    for dept in sample_period(n_departments=3, problems_per_department=8).departments:
        rows, closed = carried_rows(dept)
        problems = {p["problem_id"] for p in rows.get("problems", [])}
        assert closed == sum(1 for p in dept.rows("problems") if str(p.get("stage")) == "6")
        assert len(problems) == len(dept.rows("problems")) - closed
        ids = {
            "problem": problems,
            "root_cause": {r["root_cause_id"] for s in ("why_chains", "fishbone") for r in rows.get(s, [])},
            "solution": {r["solution_id"] for r in rows.get("solutions", [])},
            "action": {r["action_id"] for r in rows.get("actions", [])},
        }
        for sheet in TABLE_SHEETS:
            for row in rows.get(sheet.key, []):
                assert set(row) == {c.key for c in SHEETS[sheet.key].columns}  # input columns only
                for column in sheet.columns:
                    if column.ref and row.get(column.key):
                        assert row[column.key] in ids[column.ref], (sheet.key, column.key, row[column.key])
