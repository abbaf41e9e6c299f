"""The bad-input corpus: each kind of mistake, built in code, gives exactly these issues at these cells.

Every case starts from the clean register of tests/builders.py (two problems through all six
steps, data from row 2) and changes one thing. `flatten(issues, ["sheet", "cell", "code"])`
must equal the expected table exactly, so no stray issue goes unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ci_excel.issues import flatten
from ci_excel.schema import TEMPLATE_VERSION
from ci_excel.validation import ValidationRun, validate_paths
from tests.builders import INFO, patch_cells, raw_workbook, register, tables_with

P, W, FB, V, S, A, G, R, STD, INF = (
    "1-问题识别",
    "2-5Why分析",
    "2-鱼骨图",
    "2-根因验证",
    "3-方案评估",
    "3-改进计划",
    "4-实施跟踪",
    "5-效果验证",
    "6-标准化",
    "填报信息",
)


def run_on(tmp_path: Path, **kw: Any) -> ValidationRun:
    path = register(tmp_path, **kw)
    return validate_paths([path], root=tmp_path)


def cells(run: ValidationRun) -> list[list[Any]]:
    return flatten(run.issues, ["sheet", "cell", "code"])


# (id, changes to the clean tables, expected [sheet, cell, code])
CELL_CASES: list[tuple[str, dict[tuple[str, int, str], Any], list[list[str]]]] = [
    ("required", {("standards", 0, "document"): None}, [[STD, "C2", "required"]]),
    ("not-number", {("results", 0, "actual"): "两点五"}, [[R, "G2", "not-number"]]),
    ("not-integer", {("fishbone", 1, "frequency"): "3.5"}, [[FB, "E3", "not-integer"]]),
    ("int-below-minimum", {("verification", 0, "sample_size"): 0}, [[V, "D2", "out-of-range"]]),
    (
        "score-above-5",
        {("solutions", 1, "cost"): 6},
        [[S, "H3", "out-of-range"], [A, "B3", "ref-rejected"], [G, "A3", "ref-rejected"]],
    ),
    ("not-percent", {("verification", 0, "support_share"): "八成"}, [[V, "E2", "not-percent"]]),
    ("percent-above-100", {("progress", 0, "percent_done"): "150%"}, [[G, "C2", "out-of-range"]]),
    ("not-date", {("progress", 0, "updated_on"): "2026/13/45"}, [[G, "F2", "not-date"]]),
    ("date-words", {("actions", 0, "resources"): None, ("results", 1, "measured_on"): "下周"}, [[R, "H3", "not-date"]]),
    ("enum-invalid", {("results", 0, "direction"): "更好"}, [[R, "D2", "enum-invalid"]]),
    ("bool-invalid", {("standards", 0, "closed"): "可能"}, [[STD, "G2", "bool-invalid"]]),
    ("excel-error-as-text", {("results", 0, "actual"): "#N/A"}, [[R, "G2", "formula-error"]]),
    (
        "quantification-no-number",
        {("problems", 1, "quantification"): "很严重"},
        [[P, "H3", "quantification-no-number"]],
    ),
    ("why-gap", {("why_chains", 1, "why_2"): None}, [[W, "D3", "why-gap"]]),
    ("why-shallow", {("why_chains", 1, "why_2"): None, ("why_chains", 1, "why_3"): None}, [[W, "C3", "why-shallow"]]),
    ("why-1-missing", {("why_chains", 1, "why_1"): None}, [[W, "C3", "required"]]),
    ("root-id-required", {("fishbone", 1, "is_root"): True}, [[FB, "G3", "root-id-required"]]),
    ("total-mismatch", {("solutions", 1, "total"): 99}, [[S, "J3", "total-mismatch"]]),
    (
        "due-before-start",
        {("actions", 1, "due_on"): date(2026, 10, 1)},
        [[A, "G3", "due-before-start"], [G, "A3", "ref-rejected"]],
    ),
    ("finish-date-required", {("progress", 1, "finished_on"): None}, [[G, "D3", "finish-date-required"]]),
    ("done-not-complete", {("progress", 1, "percent_done"): 0.5}, [[G, "C3", "done-not-complete"]]),
    (
        "finish-date-unexpected",
        {("progress", 0, "finished_on"): date(2026, 11, 20)},
        [[G, "D2", "finish-date-unexpected"]],
    ),
    ("baseline-equals-target", {("results", 0, "target"): 4}, [[R, "F2", "baseline-equals-target"]]),
    ("duplicate-id", {("actions", 1, "action_id"): "A-001"}, [[A, "A3", "duplicate-id"], [G, "A3", "ref-missing"]]),
    ("ref-missing", {("results", 0, "problem_id"): "P-009"}, [[R, "A2", "ref-missing"]]),
    ("ref-missing-root-cause", {("verification", 0, "root_cause_id"): "P-001-R9"}, [[V, "A2", "ref-missing"]]),
    ("fishbone-points-at-unknown-root", {("fishbone", 1, "root_cause_id"): "P-002-R7"}, [[FB, "G3", "ref-missing"]]),
    ("duplicate-progress", {("progress", 1, "action_id"): "A-001"}, [[G, "A3", "duplicate-progress"]]),
    (
        "below-threshold",
        {("solutions", 1, "effectiveness"): 2, ("solutions", 1, "feasibility"): 2},
        [[S, "K3", "below-threshold"]],
    ),
    ("closed-kpi-missed", {("results", 1, "actual"): 0.85}, [[STD, "G2", "closed-kpi-missed"]]),
    ("closed-kpi-not-measured", {("results", 1, "actual"): None}, [[STD, "G2", "closed-kpi-missed"]]),
    # An error on a problem excludes every row that depends on it, each named by an issue.
    (
        "cascade",
        {("problems", 1, "owner"): None},
        [
            [P, "L3", "required"],
            [W, "A3", "ref-rejected"],
            [FB, "A3", "ref-rejected"],
            [S, "B3", "ref-rejected"],
            [A, "B3", "ref-rejected"],
            [G, "A3", "ref-rejected"],
            [R, "A3", "ref-rejected"],
            [STD, "A2", "ref-rejected"],
        ],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES])
def test_cell_case(tmp_path: Path, changes: dict[tuple[str, int, str], Any], expected: list[list[str]]) -> None:
    run = run_on(tmp_path, tables=tables_with(changes))
    assert cells(run) == expected


def test_clean_register_has_no_issues(tmp_path: Path) -> None:
    run = run_on(tmp_path)
    assert run.issues == []
    assert not run.has_errors
    assert [f.outcome for f in run.files] == ["ok"]


def test_cascade_reconciles_every_row(tmp_path: Path) -> None:
    run = run_on(tmp_path, tables=tables_with({("problems", 1, "owner"): None}))
    [submission] = run.submissions
    for key, stats in submission.stats.items():
        assert stats.read == stats.used + stats.rejected + stats.ignored, key
        assert stats.used == len(submission.tables.get(key, [])), key
    named = {(i.sheet, i.row) for i in run.issues if i.is_error}
    assert sum(s.rejected for s in submission.stats.values()) == len(named) == 8
    assert [r.values["problem_id"] for r in submission.tables["problems"]] == ["P-001"]


def test_example_row_left_in_place_is_ignored_with_a_warning(tmp_path: Path) -> None:
    run = run_on(tmp_path, with_example=True)
    sheets = [P, W, FB, V, S, A, G, R, STD]
    assert sorted(cells(run)) == sorted([s, "A2", "example-row"] for s in sheets)
    [submission] = run.submissions
    assert submission.stats["problems"].ignored == 1 and submission.stats["problems"].used == 2
    assert not run.has_errors


def test_info_period_not_a_month(tmp_path: Path) -> None:
    run = run_on(tmp_path, info={**INFO, "period": "十一月"})
    assert cells(run) == [[INF, "B3", "not-period"]]
    assert run.submissions == []


def test_info_department_blank(tmp_path: Path) -> None:
    run = run_on(tmp_path, info={**INFO, "department": None})
    assert cells(run) == [[INF, "B2", "required"]]


# Structural damage, done in the sheet XML after the template was written.
PatchCase = tuple[str, dict[str, str | None], list[list[str]]]
PATCH_CASES: list[tuple[str, PatchCase]] = [
    ("formula-error", (R, {"E2": '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'}, [[R, "E2", "formula-error"]])),
    ("formula-no-value", (R, {"E2": '<c r="E2"><f>4*1</f></c>'}, [[R, "E2", "formula-no-value"]])),
    (
        "formula-no-value-optional",
        (R, {"G2": '<c r="G2"><f>2.5*1</f><v></v></c>'}, [[R, "G2", "formula-no-value-optional"]]),
    ),
    ("column-unknown", (G, {"G1": "备注"}, [[G, "G1", "column-unknown"]])),
    ("column-duplicate", (G, {"G1": "状态"}, [[G, "G1", "column-duplicate"]])),
    ("column-missing-optional", (G, {"E1": None}, [[G, "A1", "column-missing-optional"]])),
    ("column-missing", (G, {"B1": None}, [[G, "", "sheet-rejected"], [G, "A1", "column-missing"]])),
    ("header-not-found", (R, {f"{c}1": None for c in "ABCDEFGHI"}, [[R, "", "header-not-found"]])),
    ("info-label-missing", (INF, {"A3": None}, [[INF, "", "info-label-missing"]])),
]


@pytest.mark.parametrize("case", [c[1] for c in PATCH_CASES], ids=[c[0] for c in PATCH_CASES])
def test_patch_case(tmp_path: Path, case: PatchCase) -> None:
    sheet, patch, expected = case
    path = register(tmp_path)
    patch_cells(path, sheet, patch)
    assert cells(validate_paths([path], root=tmp_path)) == expected


def test_template_version_mismatch_warns_and_reads(tmp_path: Path) -> None:
    path = patch_cells(register(tmp_path), "_meta", {"B3": "0.9"})
    run = validate_paths([path], root=tmp_path)
    assert flatten(run.issues, ["code", "value"]) == [["template-version", "0.9"]]
    assert "0.9" in run.issues[0].message("en") and TEMPLATE_VERSION in run.issues[0].message("en")
    assert run.submissions[0].stats["problems"].used == 2


def test_unknown_sheet_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = raw_workbook(
        tmp_path / "book.xlsx", {INF: [["部门", "财务部"], ["填报期间", "2026-11"]], "备注": [["随便写写"]]}
    )
    assert cells(validate_paths([path], root=tmp_path)) == [["备注", "", "sheet-unknown"]]


def test_not_a_template(tmp_path: Path) -> None:
    path = raw_workbook(tmp_path / "book.xlsx", {"Sheet1": [["name", "amount"], ["x", 1]]})
    run = validate_paths([path], root=tmp_path)
    assert flatten(run.issues, ["file", "code"]) == [["book.xlsx", "not-template"]]


def test_info_sheet_missing(tmp_path: Path) -> None:
    path = raw_workbook(tmp_path / "book.xlsx", {P: [["问题编号", "场景"], ["P-001", "x"]]})
    run = validate_paths([path], root=tmp_path)
    assert flatten(run.issues, ["file", "code"])[0] == ["book.xlsx", "info-missing"]


def test_same_sheet_from_two_files_names_both(tmp_path: Path) -> None:
    register(tmp_path, "a_register.xlsx")
    register(tmp_path, "b_progress.xlsx", sheets=["progress"])
    run = validate_paths([tmp_path], root=tmp_path)
    assert flatten(run.issues, ["file", "sheet", "code"]) == [["b_progress.xlsx", G, "sheet-duplicate"]]
    message = run.issues[0].message("en")
    assert "a_register.xlsx" in message and "b_progress.xlsx" in message
    [submission] = run.submissions
    stats = submission.stats["progress"]
    assert (stats.read, stats.used, stats.rejected) == (4, 2, 2)


def test_per_step_workbooks_merge_and_resolve(tmp_path: Path) -> None:
    for stem, sheets in {
        "s1": ["problems"],
        "s2": ["why_chains", "fishbone", "verification"],
        "s3": ["solutions", "actions"],
        "s4": ["progress"],
        "s5": ["results"],
        "s6": ["standards"],
    }.items():
        register(tmp_path / "dept", f"{stem}.xlsx", sheets=sheets)
    run = validate_paths([tmp_path], root=tmp_path)
    assert run.issues == []
    [submission] = run.submissions
    assert len(submission.files) == 6 and submission.stats["progress"].used == 2
    assert run.files[0].path == "dept/s1.xlsx"


def test_english_template_reads_the_same(tmp_path: Path) -> None:
    run = run_on(tmp_path, lang="en", with_example=True)
    assert {i.code for i in run.issues} == {"example-row"}
    assert run.submissions[0].stats["results"].used == 2
    assert "1-Problems" in {i.sheet for i in run.issues}


ISSUE_FIELDS: Callable[[ValidationRun], list[dict[str, Any]]] = lambda run: run.to_json("en")["issues"]  # noqa: E731


def test_issue_carries_every_field(tmp_path: Path) -> None:
    run = run_on(tmp_path, tables=tables_with({("results", 0, "direction"): "更好"}))
    [issue] = ISSUE_FIELDS(run)
    assert issue == {
        "severity": "error",
        "code": "enum-invalid",
        "file": "ci_register.xlsx",
        "sheet": R,
        "cell": "D2",
        "column": "方向",
        "value": "更好",
        "department": "电商运营部",
        "period": "2026-11",
        "message": "5-效果验证!D2 (方向): '更好' is not an allowed value. Pick one from the list: "
        "Lower is better, Higher is better.",
    }
    assert "越低越好、越高越好" in run.issues[0].message("zh")


def test_file_check_is_picklable_for_worker_processes(tmp_path: Path) -> None:
    import pickle

    from ci_excel.validation import check_file

    check = check_file(register(tmp_path, tables=tables_with({("results", 0, "direction"): "更好"})), root=tmp_path)
    again = pickle.loads(pickle.dumps(check))
    assert again.issues == check.issues and again.stats == check.stats
    assert again.records["problems"][0].values == check.records["problems"][0].values


def test_merge_uses_the_canonical_department_name(tmp_path: Path) -> None:
    from ci_excel.validation import check_file, merge

    a = check_file(register(tmp_path, "a.xlsx", sheets=["problems"]), root=tmp_path)
    b = check_file(
        register(tmp_path, "b.xlsx", sheets=["results"], info={**INFO, "department": "电商部"}), root=tmp_path
    )
    merged = merge([a, b], canonical_department=lambda name: {"电商部": "电商运营部"}.get(name, name))
    [submission] = merged.submissions
    assert submission.department == "电商运营部" and [f.path for f in submission.files] == ["a.xlsx", "b.xlsx"]
    assert submission.issues == [] and len(submission.tables["results"]) == 2
