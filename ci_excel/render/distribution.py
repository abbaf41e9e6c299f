"""distribution.xlsx: who gets which report, ready for a mail merge.

One row per department: name, contact and contact info from its info sheet, the report and its
PDF as links relative to the workbook (they survive moving the output folder), then full paths
for mail-merge tools that attach files. Every cell is written as text (`cell_text`), so nothing a
department typed is taken for a formula.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import xlsxwriter

from ci_excel.fileio import atomic_write
from ci_excel.model import DepartmentResult
from ci_excel.render.phrases import phrase
from ci_excel.render.xlsx_tables import cell_text
from ci_excel.schema import INFO, Lang

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
COLUMNS = ("department", "contact", "contact_info", "report_file", "pdf_file", "report_path", "pdf_path")


def distribution_headers(lang: Lang) -> list[str]:
    return [INFO.column(k).header(lang) if k in INFO.by_key else phrase(k, lang) for k in COLUMNS]


def write_distribution(departments: Iterable[DepartmentResult], reports: Mapping[str, Path],
                       pdfs: Mapping[str, Path], out: Path, *, lang: Lang = "zh",
                       final_dir: Path | None = None) -> Path:
    """Write the distribution list to `out` (atomically); `reports`/`pdfs` map department -> file.

    `final_dir` is where the workbook will live once published (when it is written into a staging
    folder first): the full-path columns point there, the links stay relative to the workbook.
    """
    rows: list[list[Any]] = []
    for dept in departments:
        report, pdf = reports.get(dept.department), pdfs.get(dept.department)
        rows.append([cell_text(dept.department), cell_text(dept.info.get("contact") or ""),
                     cell_text(dept.info.get("contact_info") or ""), report, pdf])
    return atomic_write(out, lambda tmp: _write(tmp, rows, out.parent, (final_dir or out.parent).resolve(), lang))


def _write(path: Path, rows: list[list[Any]], base: Path, final: Path, lang: Lang) -> None:
    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    sheet = book.add_worksheet(phrase("distribution", lang))
    head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1})
    link = book.add_format({"font_color": "#0563C1", "underline": 1})
    headers = distribution_headers(lang)
    for col, (text, width) in enumerate(zip(headers, (18, 12, 26, 30, 30, 50, 50), strict=True)):
        sheet.write_string(0, col, text, head)
        sheet.set_column(col, col, width)
    for r, (dept, contact, info, report, pdf) in enumerate(rows, start=1):
        for col, value in enumerate((dept, contact, info)):
            sheet.write_string(r, col, str(value))
        for col, file in ((3, report), (4, pdf)):
            if isinstance(file, Path):
                relative = Path(os.path.relpath(file, base)).as_posix()
                sheet.write_url(r, col, f"external:{relative}", link, string=relative)
                sheet.write_string(r, col + 2, str(final / relative))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(rows)), len(headers) - 1)
    book.close()
