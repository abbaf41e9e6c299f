"""Text typed by a department never becomes a formula, and odd characters never stop a workbook writer.

Every writer ci-excel has (summary, distribution list, templates, feedback) is given a department
name and values like `=1+1` and `=HYPERLINK(...)`; the stored cells must be strings (no `<f>` in
the sheet XML), while formulas the code writes itself stay formulas.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from benchmarks.sample_data import sample_period
from ci_excel.issues import Issue
from ci_excel.render.distribution import write_distribution
from ci_excel.render.feedback_xlsx import write_feedback
from ci_excel.render.summary import write_summary
from ci_excel.render.xlsx_tables import cell_text, sheet_parts
from ci_excel.templates import write_workbook
from tests.builders import INFO, clean_tables

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

LINK = '=HYPERLINK("http://example.com","x")'
TYPED = ("=1+1", LINK)


def formulas(path: Path) -> list[str]:
    """The text of every formula stored in the workbook's sheets."""
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf).values()
        return [f.decode() for part in parts for f in re.findall(rb"<f(?:\s[^>]*)?>(.*?)</f>", zf.read(part))]


def string_cells(path: Path, value: str) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == value]


def test_cell_text() -> None:
    assert cell_text("a\x00b\x1fc\td\ne\rf") == "abc\td\ne\rf"
    assert cell_text("\ud800x\udfff") == "\ufffdx\ufffd"
    assert cell_text("\ud83d\ude00") == "\U0001f600"  # a pair split into halves is joined again
    assert cell_text(None) == "" and cell_text(12) == "12"


def test_summary_keeps_typed_text_and_survives_a_lone_surrogate(tmp_path: Path) -> None:
    period = sample_period(n_departments=3)
    period.departments[0].department = "=1+1"
    period.departments[1].department = "\ud800研发部"
    period.departments[2].info["contact"] = LINK
    period.departments[2].tables["problems"][0]["issue"] = LINK
    out = write_summary(period, tmp_path / "summary.xlsx")
    assert not any(f in ("1+1", LINK[1:]) for f in formulas(out))
    for value in TYPED:
        cells = string_cells(out, value)
        assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells), value
    assert string_cells(out, "\ufffd研发部")


def test_distribution_keeps_typed_text(tmp_path: Path) -> None:
    period = sample_period(n_departments=2)
    period.departments[0].department = "=1+1"
    period.departments[1].info["contact"] = LINK
    period.departments[1].info["contact_info"] = "\ud800@example.com"
    out = write_distribution(period.departments, {}, {}, tmp_path / "distribution.xlsx")
    assert formulas(out) == []
    for value in TYPED:
        assert [c.data_type for c in string_cells(out, value)] == ["s"], value
    assert string_cells(out, "\ufffd@example.com")


def test_template_prefilled_with_formula_text_keeps_it_as_text(tmp_path: Path) -> None:
    tables = clean_tables()
    tables["problems"][0]["scope"] = LINK
    tables["problems"][1]["issue"] = "=1+1"
    out = write_workbook(tmp_path / "register.xlsx", list(tables), info={**INFO, "department": "=1+1"}, rows=tables)
    stored = formulas(out)
    assert stored and all(f not in ("1+1", LINK[1:]) for f in stored)  # the totals it computes stay formulas
    for value in TYPED:
        assert {c.data_type for c in string_cells(out, value)} == {"s"}, value


def test_feedback_issues_sheet_keeps_typed_text(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "register.xlsx", list(clean_tables()), info=INFO, rows=clean_tables())
    issues = [
        Issue("enum-invalid", "register.xlsx", sheet="填报信息", cell="B2", column="部门", value=v) for v in TYPED
    ]
    out = write_feedback(source, issues, tmp_path / "fb.xlsx")
    assert not any(f in ("1+1", LINK[1:]) for f in formulas(out))
    for value in TYPED:
        [cell] = string_cells(out, value)
        assert cell.data_type == "s" and cell.parent.title == "问题清单"
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(out).read("xl/workbook.xml")  # the totals are formulas


def test_feedback_of_a_workbook_without_formulas_asks_for_no_recalculation(tmp_path: Path) -> None:
    source = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "S"
    book.active["A1"] = "x"
    book.save(source)
    out = write_feedback(
        source, [Issue("enum-invalid", "plain.xlsx", sheet="S", cell="A1", value="x")], tmp_path / "fb.xlsx"
    )
    assert b'fullCalcOnLoad="1"' not in zipfile.ZipFile(out).read("xl/workbook.xml")
