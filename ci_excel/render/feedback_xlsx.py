"""Feedback workbooks: the department's own workbook with every issue marked where it is.

Offending cells are filled (red for errors, orange for warnings) and carry a comment with the
message; a first sheet "问题清单"/"Issues" lists every issue with a link to its cell. The
department fixes that copy and resubmits it. The original is never modified: the copy is
written atomically to a new path. .xlsx/.xlsm are annotated in place (macros kept, never run;
the x14 dropdowns openpyxl drops are carried back); .xls, .ods and .xlsb become an .xlsx built
from their values. The loader follows the file's real type (`kind`), not its name.

Never stopped by a bad input: when the workbook cannot be loaded or annotated (or the reader
found it too large to load whole), a stand-alone workbook holds the same issues sheet, cells
named as text, under a note that says why.

Names (`feedback_names`): a copy keeps its source's name when that already ends in what is
written; otherwise that suffix is appended.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import count
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine as pc
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.properties import CalcProperties
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ci_excel.fileio import atomic_path
from ci_excel.issues import Issue
from ci_excel.render.feedback_names import final_path, source_kind
from ci_excel.render.xlsx_tables import cell_text, mend_openpyxl_save
from ci_excel.schema import Lang
from ci_excel.sheet_scan import column_number, sheet_parts
from ci_excel.sniff import reader_failure

ISSUES_SHEET = {"zh": "问题清单", "en": "Issues"}
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFD8A8")}
MAX_COPY_CELLS = 2_000_000  # a legacy sheet's grid copied as values, at most
MAX_SHEETS = 1_000  # openpyxl's own load is quadratic in sheets (2,000: 3-12 s; 8,000: 40 s)
MAX_COPY_COLUMNS = 200
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_COLUMNS = {
    "zh": ("严重程度", "代码", "工作表", "单元格", "列", "值", "说明"),
    "en": ("Severity", "Code", "Sheet", "Cell", "Column", "Value", "How to fix"),
}
_WIDTHS = (10, 22, 16, 9, 16, 18, 90)
_SEVERITY = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "Error", "warning": "Warning"}}
_NOTE = {
    "zh": "未能在原工作簿上标注问题({reason})。下表列出全部问题及其单元格位置,请在原文件中逐一修改后重新提交。",
    "en": "The original workbook could not be annotated ({reason}). Every issue is listed below with its cell: "
    "fix them in your original file and resubmit.",
}
_TOO_LARGE = {"zh": "工作簿过大,无法整体载入", "en": "the workbook is too large to load whole"}
_ANNOTATED = {"xlsx", "xlsm"}  # loaded with openpyxl, formats kept; other kinds are copied as values
_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_MERGES = re.compile(rb"<(?:\w+:)?mergeCells\b[^>]*?(?:/>|>.*?</(?:\w+:)?mergeCells>)", re.DOTALL)
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')

Link = Callable[[Issue], str | None]


class TooLarge(Exception):
    """A workbook with too many sheets to annotate, or a legacy sheet too large to copy as values."""


def write_feedback(
    source: Path,
    issues: Sequence[Issue],
    out: Path,
    *,
    lang: Lang = "zh",
    kind: str | None = None,
    annotate: bool = True,
    reason: str | None = None,
) -> Path:
    """Write the feedback copy of `source` at `out` (suffix per the module docstring); returns its path.

    `kind` is the file's real type ("xlsx", "xlsm", "xls", "ods", "xlsb"; None: from its suffix).
    `annotate=False` (the reader found the workbook too large to load whole) writes the stand-alone
    issues workbook directly, its note giving `reason` (default: too large to load whole); so does any
    failure to load or annotate, its note naming the error. Only a failure of the stand-alone copy raises.
    """
    kind = kind or source_kind(source)
    reason = reason or _TOO_LARGE[lang]
    if annotate:
        try:
            return _annotated(source, issues, final_path(out, ".xlsm" if kind == "xlsm" else ".xlsx"), lang, kind)
        except BaseException as exc:  # a panic in calamine is a BaseException
            if not reader_failure(exc):
                raise
            reason = f"{type(exc).__name__}: {exc}"[:300]
    return _standalone(issues, final_path(out, ".xlsx"), lang, reason)


# ---- the annotated copy -----------------------------------------------------------------------


def _annotated(source: Path, issues: Sequence[Issue], out: Path, lang: Lang, kind: str | None) -> Path:
    book, sheets = _load(source, kind)
    _drop_old_issue_sheets(book, sheets)
    by_cell = _group_by_cell(sheets, issues)
    for (sheet, ref), found in by_cell.items():
        _mark(_target_cell(sheets[sheet], ref), found, lang)
    _recalculate_on_open(book, _has_formulas(book))
    _issues_sheet(book, issues, lang, link=lambda i: _link(sheets, i) if (i.sheet, i.cell) in by_cell else None)
    with atomic_path(out) as tmp:
        book.save(tmp)
        mend_openpyxl_save(tmp, original=source if kind in _ANNOTATED else None)
    return out


def _load(source: Path, kind: str | None) -> tuple[Workbook, dict[str, Worksheet]]:
    """The workbook to annotate and its sheets by the names the reader gave them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not keep
        if kind in _ANNOTATED:
            original = source.read_bytes()
            package, merges, sheets = _without_merges(original)
            book = _openpyxl_load(package, kind)
            if len(book.sheetnames) != sheets or not set(merges) <= set(book.sheetnames):
                book, merges = _openpyxl_load(original, kind), {}  # names openpyxl changed (duplicates)
            for name, refs in merges.items():  # ranges only: the cells keep the borders the file gave them
                book[name].merged_cells = MultiCellRange([CellRange(ref) for ref in refs])
            return book, {ws.title: ws for ws in book.worksheets}
    return _from_values(source)


def _openpyxl_load(package: bytes, kind: str | None) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(package), keep_vba=kind == "xlsm", rich_text=True)


def _without_merges(package: bytes) -> tuple[bytes, dict[str, list[str]], int]:
    """The package with its sheets' merged ranges taken out, those ranges by sheet name, and how
    many sheets have a name of their own.

    openpyxl re-borders every cell on a merged range's edges as it loads it, through its style
    tables: a third of the time of a feedback copy of our templates, whose guide sheet has over a
    hundred merged, bordered ranges. Taken out here and given back to the loaded sheets as plain
    ranges, they are saved as they were."""
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        parts = sheet_parts(zin)
        _check_sheets(len(parts))
        merges: dict[str, list[str]] = {}
        changed: dict[str, bytes] = {}
        for name, part in parts.items():
            xml = zin.read(part)
            if b"mergeCell" in xml and (found := _MERGES.search(xml)):
                merges[name] = [ref.decode() for ref in _MERGE_REF.findall(found[0])]
                changed[part] = xml[: found.start()] + xml[found.end() :]
        if not changed:
            return package, {}, len(parts)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info, changed.get(info.filename) or zin.read(info))
    return out.getvalue(), merges, len(parts)


def _from_values(source: Path) -> tuple[Workbook, dict[str, Worksheet]]:
    """An .xlsx holding the values of a legacy .xls, an .ods or an .xlsb (formats are not carried over)."""
    reader = pc.CalamineWorkbook.from_filelike(io.BytesIO(source.read_bytes()))  # typed by content
    book = Workbook()
    book.remove(book.active)
    sheets: dict[str, Worksheet] = {}
    used: set[str] = set()
    try:
        _check_sheets(len(reader.sheets_metadata))
        for meta in reader.sheets_metadata:
            ws = sheets[meta.name] = book.create_sheet(_sheet_title(meta.name, used))
            _copy_values(ws, reader.get_sheet_by_name(meta.name))
            if meta.visible != pc.SheetVisibleEnum.Visible:
                ws.sheet_state = "hidden"
    finally:
        reader.close()
    return book, sheets


def _check_sheets(n: int) -> None:
    if n > MAX_SHEETS:
        raise TooLarge(f"{n:,} sheets, more than the {MAX_SHEETS:,} a copy is annotated for")


def _copy_values(ws: Worksheet, sheet: pc.CalamineSheet) -> None:
    """The sheet's values at their cells, the first `MAX_COPY_COLUMNS` columns; text stays text."""
    end = sheet.end
    if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_COPY_CELLS:
        raise TooLarge(f"sheet {sheet.name!r} spans {end[0] + 1} rows x {end[1] + 1} columns")
    for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        for c, value in enumerate(row[:MAX_COPY_COLUMNS], start=1):
            if value != "" and value is not None:
                _put(ws, r, c, value)


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet title openpyxl accepts, unique (case-insensitively) among `used`, which it joins."""
    first = _TITLE_UNSAFE.sub("_", cell_text(name)).strip("'")[:31] or "Sheet"
    title = first
    for n in count(2):
        if title.casefold() not in used:
            used.add(title.casefold())
            return title
        title = f"{first[:27]}~{n}"
    raise AssertionError("unreachable")


def _recalculate_on_open(book: Workbook, formulas: bool) -> None:
    """openpyxl keeps formulas but not their results: Excel recomputes them on open, when there are any."""
    book.calculation = book.calculation or CalcProperties()
    book.calculation.fullCalcOnLoad = formulas


def _has_formulas(book: Workbook) -> bool:
    return any(cell.data_type == "f" for ws in book.worksheets for cell in ws._cells.values())


def _drop_old_issue_sheets(book: Workbook, sheets: dict[str, Worksheet]) -> None:
    """A resubmitted feedback copy still has last round's issues sheet: replace it."""
    for name in ISSUES_SHEET.values():
        if name in sheets:
            book.remove(sheets.pop(name))


def _group_by_cell(sheets: Mapping[str, Worksheet], issues: Iterable[Issue]) -> dict[tuple[str, str], list[Issue]]:
    """Issues at a cell of a sheet the copy has, by (sheet, cell): one pass, set lookups."""
    grouped: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in sheets and _is_cell(issue.cell):
            grouped[(issue.sheet, issue.cell)].append(issue)
    return grouped


def _is_cell(ref: str) -> bool:
    found = _A1.fullmatch(ref)
    return found is not None and int(found[2]) <= _MAX_ROW and column_number(found[1]) <= _MAX_COLUMN


def _target_cell(ws: Worksheet, ref: str) -> Cell:
    """The cell at `ref`, or the top-left cell of the merged range that covers it."""
    merged = next((r for r in ws.merged_cells.ranges if ref in r), None)
    cell: Cell = ws.cell(merged.min_row, merged.min_col) if merged is not None else ws[ref]
    return cell


def _mark(cell: Cell, issues: list[Issue], lang: Lang) -> None:
    worst = "error" if any(i.is_error for i in issues) else "warning"
    cell.fill = FILLS[worst]
    text = cell_text("\n".join(f"[{_SEVERITY[lang][i.severity]}] {i.message(lang)}" for i in issues))
    comment = Comment(text, "ci-excel")
    comment.width, comment.height = 320, min(60 + 40 * len(issues) + len(text) // 2, 400)
    cell.comment = comment


def _link(sheets: Mapping[str, Worksheet], issue: Issue) -> str:
    """An in-workbook link to the issue's cell; quotes in the sheet's name doubled, as Excel wants."""
    title = sheets[issue.sheet].title.replace("'", "''")
    return f"#'{title}'!{issue.cell}"


# ---- the issues sheet and the stand-alone workbook --------------------------------------------


def _standalone(issues: Sequence[Issue], out: Path, lang: Lang, reason: str) -> Path:
    """A new workbook with the issues sheet alone, cells named as text, under a note that says why."""
    book = Workbook()
    book.remove(book.active)
    _issues_sheet(book, issues, lang, link=lambda _: None, note=_NOTE[lang].format(reason=reason))
    _recalculate_on_open(book, False)
    with atomic_path(out) as tmp:
        book.save(tmp)
        mend_openpyxl_save(tmp)
    return out


def _issues_sheet(book: Workbook, issues: Sequence[Issue], lang: Lang, *, link: Link, note: str | None = None) -> None:
    """The first sheet: every issue, errors first; a cell with a `link` target becomes a link."""
    ws = book.create_sheet(ISSUES_SHEET[lang], 0)
    top = 1
    if note is not None:
        _put(ws, 1, 1, note).font = Font(bold=True, color="9C0006")
        top = 2
    _header(ws, top, lang)
    ordered = sorted(issues, key=lambda i: (not i.is_error, i.sheet, i.row or 0, i.cell))
    for row, issue in enumerate(ordered, start=top + 1):
        _issue_row(ws, row, issue, lang, link(issue))
    _layout(ws, top, top + len(ordered))
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0


def _header(ws: Worksheet, row: int, lang: Lang) -> None:
    for col, text in enumerate(_COLUMNS[lang], start=1):
        cell = _put(ws, row, col, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL


def _issue_row(ws: Worksheet, row: int, issue: Issue, lang: Lang, target: str | None) -> None:
    values = (
        _SEVERITY[lang][issue.severity],
        issue.code,
        issue.sheet,
        issue.cell,
        issue.column,
        issue.value,
        issue.message(lang),
    )
    for col, value in enumerate(values, start=1):
        _put(ws, row, col, value)
    ws.cell(row, 1).fill = FILLS[issue.severity]
    if target is not None:
        cell = ws.cell(row, 4)
        cell.hyperlink = target
        cell.style = "Hyperlink"
    ws.cell(row, 7).alignment = Alignment(wrap_text=True, vertical="top")


def _layout(ws: Worksheet, header: int, last: int) -> None:
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = f"A{header + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A{header}:G{max(last, header)}"


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write `value` at (row, column); text is stored as text, even when it starts with '='."""
    is_text = isinstance(value, str)
    cell = ws.cell(row, column, cell_text(value) if is_text else value)
    if is_text and cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
