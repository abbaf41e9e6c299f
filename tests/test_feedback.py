"""Feedback workbooks: the department's own workbook, annotated, with an issues sheet linking to cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from ci_excel.feedback_run import write_run_feedback
from ci_excel.fileio import sha256_of
from ci_excel.render.feedback_xlsx import FILLS, write_feedback
from ci_excel.validation import validate_paths
from tests.builders import INFO, patch_cells, register, replace_entry, tables_with

BAD = {
    ("results", 0, "direction"): "更好",
    ("progress", 1, "percent_done"): 0.5,
    ("problems", 1, "quantification"): "很严重",
}


def _fill(cell: object) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]  # type: ignore[attr-defined]


def test_cells_are_marked_and_the_issues_sheet_links_to_them(tmp_path: Path) -> None:
    source = register(tmp_path / "in", tables=tables_with(BAD))
    patch_cells(source, "4-实施跟踪", {"G1": "备注"})
    before = sha256_of(source)
    run = validate_paths([source], root=tmp_path / "in")
    out = write_feedback(source, run.issues, tmp_path / "out" / "fb.xlsx", lang="zh")
    assert sha256_of(source) == before
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "问题清单" and book.active.title == "问题清单"
    error_cell, warning_cell = book["5-效果验证"]["D2"], book["4-实施跟踪"]["C3"]
    assert _fill(error_cell) == str(FILLS["error"].fgColor.rgb)[-6:]
    assert _fill(warning_cell) == str(FILLS["warning"].fgColor.rgb)[-6:]
    assert "越低越好、越高越好" in error_cell.comment.text
    assert "100%" in warning_cell.comment.text
    sheet = book["问题清单"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("错误", "enum-invalid", "5-效果验证", "D2"),
        ("警告", "quantification-no-number", "1-问题识别", "H3"),
        ("警告", "column-unknown", "4-实施跟踪", "G1"),
        ("警告", "done-not-complete", "4-实施跟踪", "C3"),
    ]
    links = {r[3].value: r[3].hyperlink.location or r[3].hyperlink.target for r in sheet.iter_rows(min_row=2)}
    assert links["D2"] in ("'5-效果验证'!D2", "#'5-效果验证'!D2")
    assert book["_meta"].sheet_state == "hidden"


def test_a_copy_keeps_every_merged_range(tmp_path: Path) -> None:
    """The guide's merged ranges (and any other sheet's) are in the copy as they were in the file."""
    source = register(tmp_path / "in", tables=tables_with(BAD))
    run = validate_paths([source], root=tmp_path / "in")
    out = write_feedback(source, run.issues, tmp_path / "out" / "fb.xlsx", lang="zh")

    def merges(path: Path) -> dict[str, list[str]]:
        book = openpyxl.load_workbook(path)
        return {ws.title: sorted(str(r) for r in ws.merged_cells.ranges) for ws in book.worksheets}

    before, after = merges(source), merges(out)
    assert len(before["说明"]) > 50
    assert {name: after[name] for name in before} == before


def test_merged_ranges_stay_on_their_sheets_when_two_sheets_share_a_name(tmp_path: Path) -> None:
    """A broken package naming two sheets alike (openpyxl renames the second): loaded as openpyxl
    alone would, each sheet keeps its own merged ranges."""
    source = register(tmp_path / "in", tables=tables_with(BAD))
    book = openpyxl.load_workbook(source)
    book["1-问题识别"].merge_cells("C2:D2")
    book.save(source)
    with zipfile.ZipFile(source) as zf:
        book_xml = zf.read("xl/workbook.xml")
    replace_entry(source, "xl/workbook.xml", book_xml.replace("1-问题识别".encode(), "说明".encode()))
    out = openpyxl.load_workbook(write_feedback(source, [], tmp_path / "out" / "fb.xlsx", lang="zh"))
    assert len(out["说明"].merged_cells.ranges) > 50
    assert [str(r) for r in out["说明1"].merged_cells.ranges] == ["C2:D2"]


def test_an_issue_inside_a_merged_range_is_marked_on_its_first_cell(tmp_path: Path) -> None:
    source = register(tmp_path / "in", tables=tables_with(BAD))
    issues = validate_paths([source], root=tmp_path / "in").issues
    book = openpyxl.load_workbook(source)
    book["5-效果验证"].merge_cells("C2:D2")  # the enum-invalid issue is at D2
    book.save(source)
    out = write_feedback(source, issues, tmp_path / "out" / "fb.xlsx", lang="zh")
    marked = openpyxl.load_workbook(out)["5-效果验证"]["C2"]
    assert _fill(marked) == str(FILLS["error"].fgColor.rgb)[-6:]
    assert "越低越好、越高越好" in marked.comment.text


def test_english_feedback(tmp_path: Path) -> None:
    source = register(tmp_path, tables=tables_with(BAD), lang="en")
    run = validate_paths([source], root=tmp_path)
    out = write_feedback(source, run.issues, tmp_path / "out.xlsx", lang="en")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Issues"
    assert "Pick one from the list" in book["5-Results"]["D2"].comment.text


def test_feedback_files_for_files_with_issues_only(tmp_path: Path) -> None:
    src = tmp_path / "in"
    register(src / "电商 运营部", "reg:1.xlsx", tables=tables_with(BAD))
    register(src / "ok", info={**INFO, "department": "财务部"})
    (src / "broken.xlsx").write_text("not a workbook")
    run = validate_paths([src], root=src)
    written = write_run_feedback(run, tmp_path / "fb", lang="zh", root=src, workers=1)
    assert [p.relative_to(tmp_path / "fb").as_posix() for p in written] == ["电商 运营部/reg_1.xlsx"]


def test_resubmitted_feedback_copy_reads_cleanly_once_fixed(tmp_path: Path) -> None:
    source = register(tmp_path / "in", tables=tables_with({("results", 0, "direction"): "更好"}))
    run = validate_paths([source], root=tmp_path / "in")
    copy = write_feedback(source, run.issues, tmp_path / "back" / "ci_register.xlsx")
    book = openpyxl.load_workbook(copy)
    book["5-效果验证"]["D2"] = "越低越好"
    book.save(copy)
    again = validate_paths([copy], root=tmp_path / "back")
    assert not again.has_errors
    # openpyxl keeps the total formulas without results; Excel recomputes them on open and save.
    assert {(i.cell, i.code) for i in again.issues} <= {
        ("J2", "formula-no-value-optional"),
        ("J3", "formula-no-value-optional"),
    }


def test_ods_feedback_becomes_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "dept.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame([["部门", "财务部"], ["填报期间", "2026-11"]]).to_excel(
            writer, sheet_name="填报信息", header=False, index=False
        )
        headers = [
            "问题编号*",
            "场景*",
            "环节*",
            "问题*",
            "影响*",
            "影响程度(量化)*",
            "影响程度*",
            "解决难度*",
            "责任人*",
        ]
        row = ["P-001", "大促", "审核", "录入", "变慢", "2小时", "超高", "低", "张敏"]
        pd.DataFrame([row], columns=headers).to_excel(writer, sheet_name="1-问题识别", index=False)
    run = validate_paths([path], root=tmp_path)
    [out] = write_run_feedback(run, tmp_path / "fb", lang="zh", root=tmp_path, workers=1)
    assert out.name == "dept.ods.xlsx"
    book = openpyxl.load_workbook(out)
    assert book["1-问题识别"]["G2"].comment is not None and book["1-问题识别"]["A2"].value == "P-001"
