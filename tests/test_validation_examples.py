"""The template's example row is recognised by its marker, never by its values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ci_excel.examples import example_row, template_example
from ci_excel.issues import flatten
from ci_excel.schema import TABLE_SHEETS, TEMPLATE_VERSION
from ci_excel.validation import ValidationRun, validate_paths
from tests.builders import INFO, patch_cells, register

SHEETS = [s.key for s in TABLE_SHEETS]
NAMES = [s.zh for s in TABLE_SHEETS]
S = "3-方案评估"
EXAMPLE_WARNINGS = sorted([name, "A2", "example-row"] for name in NAMES)
UNCALCULATED_TOTAL = '<c r="J2"><f>IF(COUNT(F2,G2,H2,I2)&lt;4,"",F2+G2+H2+I2)</f></c>'


def manual_rows(**changes: Any) -> dict[str, list[dict[str, Any]]]:
    """The manual's worked example as a department's own data, one row per sheet."""
    return {key: [example_row(key) | changes.get(key, {})] for key in SHEETS}


def run(tmp_path: Path, path: Path) -> ValidationRun:
    return validate_paths([path], root=tmp_path)


def codes(result: ValidationRun) -> list[list[Any]]:
    return sorted(flatten(result.issues, ["sheet", "cell", "code"]))


def test_real_rows_equal_to_the_example_are_data(tmp_path: Path) -> None:
    result = run(tmp_path, register(tmp_path, tables=manual_rows()))
    assert result.issues == []
    [submission] = result.submissions
    assert all(submission.stats[key].used == 1 and submission.stats[key].ignored == 0 for key in SHEETS)
    assert submission.tables["problems"][0].values["problem_id"] == "P-001"


def test_the_marked_example_is_ignored_and_the_same_values_below_it_are_used(tmp_path: Path) -> None:
    result = run(tmp_path, register(tmp_path, tables=manual_rows(), with_example=True))
    assert codes(result) == EXAMPLE_WARNINGS
    [submission] = result.submissions
    assert all((submission.stats[key].ignored, submission.stats[key].used) == (1, 1) for key in SHEETS)
    assert [r.row for r in submission.tables["results"]] == [3]


def test_the_example_is_recognised_whatever_its_total_formula_holds(tmp_path: Path) -> None:
    for name, cell in (
        ("uncalculated", UNCALCULATED_TOTAL),
        ("error", '<c r="J2" t="e"><f>F2+G2</f><v>#VALUE!</v></c>'),
        ("text", '<c r="J2" t="inlineStr"><is><t>十四</t></is></c>'),
    ):
        path = register(tmp_path / name, with_example=True)
        patch_cells(path, S, {"J2": cell})
        assert codes(run(tmp_path, path)) == EXAMPLE_WARNINGS, name


def test_the_marker_of_either_language_is_recognised(tmp_path: Path) -> None:
    rows = {key: [template_example(key, "en")] for key in SHEETS}
    result = run(tmp_path, register(tmp_path, tables=rows))
    assert codes(result) == EXAMPLE_WARNINGS


def test_an_example_row_typed_over_is_data(tmp_path: Path) -> None:
    """Row 2 of 1-问题识别 got the department's own id: it is read (and checked) as data."""
    path = register(tmp_path, with_example=True)
    patch_cells(path, "1-问题识别", {"A2": "P-009"})
    result = run(tmp_path, path)
    assert codes(result) == [w for w in EXAMPLE_WARNINGS if w[0] != "1-问题识别"]
    assert [r.values["problem_id"] for r in result.submissions[0].tables["problems"]] == ["P-009", "P-001", "P-002"]


def test_a_partly_marked_row_is_data(tmp_path: Path) -> None:
    """A new solution id on the example row but its problem id left marked: data, whose reference fails."""
    path = register(tmp_path, with_example=True)
    patch_cells(path, S, {"A2": "S-009"})
    result = run(tmp_path, path)
    assert [S, "B2", "ref-missing"] in codes(result)
    assert [S, "A2", "example-row"] not in codes(result)


def test_an_older_template_s_unmarked_example_is_still_the_example(tmp_path: Path) -> None:
    """A version 1.0 workbook: row 2 holds the unmarked example (its total uncalculated), row 3 the same
    values as the department's data."""
    rows = {key: [example_row(key), example_row(key)] for key in SHEETS}
    path = register(tmp_path, tables=rows)
    patch_cells(path, "_meta", {"B3": "1.0"})
    patch_cells(path, S, {"J2": UNCALCULATED_TOTAL})
    result = run(tmp_path, path)
    assert codes(result) == sorted([*EXAMPLE_WARNINGS, ["", "", "template-version"]])
    assert TEMPLATE_VERSION in next(i for i in result.issues if i.code == "template-version").message("en")
    [submission] = result.submissions
    assert all((submission.stats[key].ignored, submission.stats[key].used) == (1, 1) for key in SHEETS)


def test_the_unmarked_example_in_a_current_template_is_data_even_in_row_2(tmp_path: Path) -> None:
    path = register(tmp_path, tables=manual_rows(), info={**INFO, "department": "客服部"})
    result = run(tmp_path, path)
    assert result.issues == [] and result.submissions[0].stats["solutions"].used == 1
