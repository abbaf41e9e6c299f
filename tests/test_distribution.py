"""distribution.xlsx: one row per department with contact details and links to its files."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from benchmarks.sample_data import UNSAFE_DEPARTMENT, sample_period
from ci_excel.render.distribution import distribution_headers, write_distribution
from ci_excel.render.docx import report_paths


def test_rows_links_and_full_paths(tmp_path: Path) -> None:
    result = sample_period(n_departments=3)
    result.departments[0].info["contact"] = '=HYPERLINK("http://x")'
    reports = report_paths((d.department for d in result.departments), tmp_path)
    for path in reports.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"docx")
    pdfs = {UNSAFE_DEPARTMENT: reports[UNSAFE_DEPARTMENT].with_suffix(".pdf")}
    out = write_distribution(result.departments, reports, pdfs, tmp_path / "distribution.xlsx", lang="zh")
    ws = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == distribution_headers("zh")
    assert rows[0][:3] == ["部门", "填报人", "联系方式"]
    assert [r[0] for r in rows[1:]] == [d.department for d in result.departments]
    first = rows[1]
    assert first[1] == '=HYPERLINK("http://x")' and ws.cell(2, 2).data_type == "s"  # text, never a formula
    assert first[2] == result.departments[0].info["contact_info"]
    assert first[3] == "reports/电商运营部.docx" and first[4] is None
    assert ws.cell(2, 4).hyperlink.target.replace("\\", "/") == "reports/电商运营部.docx"  # Excel stores backslashes
    assert Path(first[5]) == reports["电商运营部"].resolve()
    second = rows[2]
    assert second[3] == "reports/研发_测试部.docx" and second[4] == "reports/研发_测试部.pdf"
    assert ws.freeze_panes == "A2"


def test_english_headers(tmp_path: Path) -> None:
    result = sample_period(n_departments=1, lang="en")
    out = write_distribution(result.departments, {}, {}, tmp_path / "d.xlsx", lang="en")
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:5] == ["Department", "Prepared by", "Contact", "Report file", "PDF file"]
    assert ws.cell(2, 4).value is None


def test_full_paths_point_where_the_outputs_are_published(tmp_path: Path) -> None:
    result = sample_period(n_departments=1)
    staging = tmp_path / ".runs" / "2026-11.tmp"
    reports = report_paths((d.department for d in result.departments), staging)
    out = write_distribution(
        result.departments, reports, {}, staging / "distribution.xlsx", final_dir=tmp_path / "2026-11"
    )
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, 4).value == "reports/电商运营部.docx"
    assert Path(ws.cell(2, 6).value) == (tmp_path / "2026-11" / "reports" / "电商运营部.docx").resolve()
