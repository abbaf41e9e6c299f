"""Feedback workbooks: the department's own workbook with every issue marked where it is.

Offending cells are filled (red for errors, orange for warnings) and carry a comment with the
message; a first sheet "问题清单"/"Issues" lists every issue with a link to its cell. The
department fixes that copy and resubmits it. The original is never modified: the copy is
written atomically to a new path. .xlsm keeps its macros (never run); .xls and .ods become an
.xlsx built from their values.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import python_calamine as pc
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook

from ci_excel.fileio import atomic_path, safe_filename
from ci_excel.issues import Issue
from ci_excel.schema import Lang

if TYPE_CHECKING:
    from ci_excel.validation import ValidationRun

ISSUES_SHEET = {"zh": "问题清单", "en": "Issues"}
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFD8A8")}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_COLUMNS = {
    "zh": ("严重程度", "代码", "工作表", "单元格", "列", "值", "说明"),
    "en": ("Severity", "Code", "Sheet", "Cell", "Column", "Value", "How to fix"),
}
_WIDTHS = (10, 22, 16, 9, 16, 18, 90)
_SEVERITY = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "Error", "warning": "Warning"}}


def write_feedback(source: Path, issues: Sequence[Issue], out: Path, *, lang: Lang = "zh") -> Path:
    """Write the annotated copy of `source` to `out` (suffix fixed to .xlsx for .xls/.ods)."""
    out = feedback_name(out)
    book = _load(source)
    _drop_old_issue_sheets(book)
    by_cell = _group_by_cell(book, issues)
    for (sheet, cell), found in by_cell.items():
        _mark(book[sheet][cell], found, lang)
    _issues_sheet(book, issues, set(by_cell), lang)
    _recalculate_on_open(book)
    with atomic_path(out) as tmp:
        book.save(tmp)
    return out


def write_feedback_files(run: ValidationRun, out_dir: Path, *, lang: Lang = "zh",
                         root: Path | None = None) -> list[Path]:
    """An annotated copy of every readable file with issues, keeping its folders under `out_dir`.

    Unreadable files have nothing to annotate; their issue is in the run's report.
    """
    by_file = run.issues_by_file()
    written: list[Path] = []
    for source in run.files:
        issues = by_file.get(source.path)
        if not issues or source.outcome == "unreadable":
            continue
        original = (root / source.path) if root is not None else Path(source.path)
        written.append(write_feedback(original, issues, out_dir / safe_relative(source.path), lang=lang))
    return written


def feedback_name(path: Path) -> Path:
    """Where a feedback copy goes: .xlsm stays .xlsm, everything else becomes .xlsx."""
    return path if path.suffix.lower() in (".xlsx", ".xlsm") else path.with_suffix(".xlsx")


def safe_relative(label: str) -> Path:
    """A file's label as a path that stays inside the folder it is joined to (no root, no ..)."""
    parts = [p for p in Path(label).parts if p not in ("", ".", "..", "/")]
    *folders, name = parts or ["unnamed.xlsx"]
    suffix = Path(name).suffix
    return Path(*(safe_filename(f) for f in folders), safe_filename(Path(name).stem) + suffix)


def _load(source: Path) -> Workbook:
    suffix = source.suffix.lower()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not keep
        if suffix in (".xlsx", ".xlsm"):
            return openpyxl.load_workbook(source, keep_vba=suffix == ".xlsm", rich_text=True)
    return _from_values(source)


def _from_values(source: Path) -> Workbook:
    """An .xlsx holding the values of a legacy .xls or an .ods (formats are not carried over)."""
    reader = pc.CalamineWorkbook.from_path(str(source))
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for meta in reader.sheets_metadata:
        ws = book.create_sheet(meta.name[:31])
        for row in reader.get_sheet_by_name(meta.name).to_python(skip_empty_area=False):
            ws.append([None if v == "" else v for v in row])
        if meta.visible != pc.SheetVisibleEnum.Visible:
            ws.sheet_state = "hidden"
    reader.close()
    return book


def _recalculate_on_open(book: Workbook) -> None:
    """openpyxl keeps formulas but not their results: have Excel/LibreOffice recompute them on open."""
    from openpyxl.workbook.properties import CalcProperties

    book.calculation = book.calculation or CalcProperties()
    book.calculation.fullCalcOnLoad = True


def _drop_old_issue_sheets(book: Workbook) -> None:
    """A resubmitted feedback copy still has last round's issues sheet: replace it."""
    for name in ISSUES_SHEET.values():
        if name in book.sheetnames:
            book.remove(book[name])


def _group_by_cell(book: Workbook, issues: Sequence[Issue]) -> dict[tuple[str, str], list[Issue]]:
    grouped: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in book.sheetnames and _is_cell(issue.cell):
            grouped[(issue.sheet, issue.cell)].append(issue)
    return grouped


def _is_cell(ref: str) -> bool:
    return _A1.fullmatch(ref) is not None


_A1 = re.compile(r"[A-Z]{1,3}[1-9][0-9]*")


def _mark(cell: Any, issues: list[Issue], lang: Lang) -> None:
    worst = "error" if any(i.is_error for i in issues) else "warning"
    cell.fill = FILLS[worst]
    text = "\n".join(f"[{_SEVERITY[lang][i.severity]}] {i.message(lang)}" for i in issues)
    comment = Comment(text, "ci-excel")
    comment.width, comment.height = 320, min(60 + 40 * len(issues) + len(text) // 2, 400)
    cell.comment = comment


def _issues_sheet(book: Workbook, issues: Sequence[Issue], marked: set[tuple[str, str]], lang: Lang) -> None:
    ws = book.create_sheet(ISSUES_SHEET[lang], 0)
    ws.append(list(_COLUMNS[lang]))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    ordered = sorted(issues, key=lambda i: (not i.is_error, i.sheet, i.row or 0, i.cell))
    for issue in ordered:
        ws.append([_SEVERITY[lang][issue.severity], issue.code, issue.sheet, issue.cell, issue.column, issue.value,
                   issue.message(lang)])
        row = ws.max_row
        ws.cell(row, 1).fill = FILLS[issue.severity]
        if (issue.sheet, issue.cell) in marked:
            link = ws.cell(row, 4)
            link.hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            link.style = "Hyperlink"
        ws.cell(row, 7).alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A1:G{max(ws.max_row, 1)}"
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0
