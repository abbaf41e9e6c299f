"""`ci-excel validate`, run for real through click's CliRunner: exit codes, text table, JSON, feedback."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from ci_excel.cli import main
from tests.builders import INFO, register, tables_with


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_clean_file_exits_0(tmp_path: Path) -> None:
    code, output = invoke(str(register(tmp_path)))
    assert code == 0, output
    assert "OK ci_register.xlsx" in output
    assert "1 个文件,0 个错误,0 个警告" in output


def test_warnings_only_exit_0(tmp_path: Path) -> None:
    code, output = invoke(str(register(tmp_path, with_example=True)), "--lang", "en")
    assert code == 0, output
    assert "example-row" in output and "0 error(s), 9 warning(s)" in output


def test_errors_exit_1_with_a_table_grouped_by_file(tmp_path: Path) -> None:
    register(tmp_path / "a", tables=tables_with({("results", 0, "direction"): "更好"}))
    register(tmp_path / "b", info={**INFO, "department": "财务部"})
    code, output = invoke(str(tmp_path))
    assert code == 1
    assert "a/ci_register.xlsx" in output and "OK b/ci_register.xlsx" in output
    assert "enum-invalid" in output and "5-效果验证!D2" in output and "越低越好、越高越好" in output
    assert "错误" in output and "2 个文件,1 个错误,0 个警告" in output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke(str(tmp_path / "missing.xlsx"))[0] == 2
    assert invoke()[0] == 2
    assert invoke(str(register(tmp_path)), "--format", "yaml")[0] == 2
    (tmp_path / "empty").mkdir()
    code, output = invoke(str(tmp_path / "empty"))
    assert code == 2 and "no files found" in output


def test_json_output(tmp_path: Path) -> None:
    path = register(tmp_path, tables=tables_with({("progress", 1, "finished_on"): None}))
    code, output = invoke(str(path), "--format", "json", "--lang", "en")
    assert code == 1
    data = json.loads(output)
    assert data["valid"] is False
    assert data["summary"] == {"files": 1, "submissions": 1, "errors": 1, "warnings": 0}
    [issue] = data["issues"]
    assert {k: issue[k] for k in ("severity", "code", "file", "sheet", "cell", "column", "value")} == {
        "severity": "error",
        "code": "finish-date-required",
        "file": "ci_register.xlsx",
        "sheet": "4-实施跟踪",
        "cell": "D3",
        "column": "实际完成",
        "value": "",
    }
    assert issue["message"].startswith("4-实施跟踪!D3")
    assert data["submissions"][0]["stats"]["progress"] == {"read": 2, "used": 1, "rejected": 1, "ignored": 0}


def test_feedback_option_writes_annotated_copies(tmp_path: Path) -> None:
    src = tmp_path / "in"
    register(src / "dept", tables=tables_with({("results", 0, "direction"): "更好"}))
    register(src / "clean", info={**INFO, "department": "财务部"})
    before = (src / "dept" / "ci_register.xlsx").read_bytes()
    code, _ = invoke(str(src), "--feedback", str(tmp_path / "fb"))
    assert code == 1
    written = sorted(p.relative_to(tmp_path / "fb").as_posix() for p in (tmp_path / "fb").rglob("*.xlsx"))
    assert written == ["dept/ci_register.xlsx"]
    assert (src / "dept" / "ci_register.xlsx").read_bytes() == before
    book = openpyxl.load_workbook(tmp_path / "fb" / "dept" / "ci_register.xlsx")
    assert book.sheetnames[0] == "问题清单"
    assert book["5-效果验证"]["D2"].comment is not None
