"""distribution.xlsx: who gets which report, ready for a mail merge.

One row per department: name, contact and contact info from its info sheet, the report and its
PDF as links relative to the workbook (they survive moving the output folder), then full paths
for mail-merge tools that attach files; after `ci-excel send`, each department's sent status and
time. Every cell is written as text (`cell_text`), so nothing a
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
from ci_excel.render.xlsx_tables import cell_text
from ci_excel.schema import INFO, Lang
from ci_excel.text import phrase

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
COLUMNS = ("department", "contact", "contact_info", "report_file", "pdf_file", "report_path", "pdf_path")
SENT_COLUMNS = ("sent_status", "sent_at")


def distribution_headers(lang: Lang, *, sent: bool = False) -> list[str]:
    keys = (*COLUMNS, *SENT_COLUMNS) if sent else COLUMNS
    return [INFO.column(k).header(lang) if k in INFO.by_key else phrase(k, lang) for k in keys]


def read_distribution(path: Path) -> dict[str, tuple[Path | None, Path | None]]:
    """Department -> (report, PDF) as distribution.xlsx at `path` lists them (relative to its folder)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(min_row=2, max_col=5, values_only=True))
    finally:
        book.close()
    return {str(r[0]): (_file(path.parent, r[3]), _file(path.parent, r[4])) for r in rows if r and r[0]}


def _file(base: Path, value: Any) -> Path | None:
    return base / str(value) if value else None


def write_distribution(
    departments: Iterable[DepartmentResult],
    reports: Mapping[str, Path],
    pdfs: Mapping[str, Path],
    out: Path,
    *,
    lang: Lang = "zh",
    final_dir: Path | None = None,
    sent: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Write the distribution list to `out` (atomically); `reports`/`pdfs` map department -> file;
    `sent` (given by `ci-excel send`) department -> (status, time) in two more columns.

    `final_dir` is where the workbook will live once published (when it is written into a staging
    folder first): the full-path columns point there, the links stay relative to the workbook.
    """
    rows: list[list[Any]] = []
    for dept in departments:
        report, pdf = reports.get(dept.department), pdfs.get(dept.department)
        status = [] if sent is None else list(sent.get(dept.department, ("", "")))
        rows.append(
            [
                cell_text(dept.department),
                cell_text(dept.info.get("contact") or ""),
                cell_text(dept.info.get("contact_info") or ""),
                report,
                pdf,
                *status,
            ]
        )
    final = (final_dir or out.parent).resolve()
    return atomic_write(out, lambda tmp: _write(tmp, rows, out.parent, final, lang, sent=sent is not None))


def _write(path: Path, rows: list[list[Any]], base: Path, final: Path, lang: Lang, *, sent: bool) -> None:
    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    sheet = book.add_worksheet(phrase("distribution", lang))
    head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1})
    link = book.add_format({"font_color": "#0563C1", "underline": 1})
    headers = distribution_headers(lang, sent=sent)
    widths = (18, 12, 26, 30, 30, 50, 50, 22, 20)[: len(headers)]
    for col, (text, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, col, text, head)
        sheet.set_column(col, col, width)
    for r, (dept, contact, info, report, pdf, *status) in enumerate(rows, start=1):
        for col, value in enumerate((dept, contact, info)):
            sheet.write_string(r, col, str(value))
        for col, value in enumerate(status, start=len(COLUMNS)):
            sheet.write_string(r, col, str(value))
        for col, file in ((3, report), (4, pdf)):
            if isinstance(file, Path):
                relative = Path(os.path.relpath(file, base)).as_posix()
                sheet.write_url(r, col, f"external:{relative}", link, string=relative)
                sheet.write_string(r, col + 2, str(final / relative))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(rows)), len(headers) - 1)
    book.close()
