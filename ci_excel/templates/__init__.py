"""Schema -> template-shaped workbooks (xlsxwriter): the blank templates and pre-filled copies.

Layout (the readers depend on it): an instructions sheet first; the info form (label in A, value
in B, from row 2); one table sheet per step sheet with the header in row 1 ("*" marks required
columns), the worked example in row 2 (grey italic, every id cell starting with the marker 示例- or
EXAMPLE-, by which it is recognised and ignored when read; see ci_excel.examples) and data from row 3; a
hidden `_lists` sheet feeding every dropdown and a hidden `_meta` sheet with the template id,
version, language, workbook stem and the sheet names as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from math import ceil
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel.config import DEFAULT_MATRIX, DEFAULT_STATEMENTS, Config
from ci_excel.examples import MARKS, example_row, template_example
from ci_excel.fileio import atomic_write
from ci_excel.schema import (
    FORM_HEADERS,
    INFO,
    INPUT_SHEETS,
    INSTRUCTIONS,
    LEVEL,
    LISTS_SHEET,
    META_SHEET,
    PRIORITY,
    PROBLEMS,
    REGISTER,
    SHEETS,
    SOLUTIONS,
    STEP_WORKBOOKS,
    STEPS,
    TABLE_SHEETS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    YES_NO,
    ColType,
    ColumnSpec,
    EnumSpec,
    Lang,
    SheetSpec,
)
from ci_excel.scoring import DIMENSIONS

LAST_VALIDATED_ROW = 1001  # dropdowns and the total formula cover rows 2..1001

_NUMBER_FORMATS: dict[ColType, str] = {
    ColType.TEXT: "@", ColType.PERIOD: "@", ColType.DATE: "yyyy-mm-dd", ColType.PERCENT: "0%",
    ColType.MONEY: "#,##0", ColType.NUMBER: "General", ColType.INT: "0",
}
_PRIORITY_FILLS = {"P1": "#F8CBAD", "P2": "#FFE699", "P3": "#E2EFDA", "P4": "#EDEDED"}
_FONT = "Microsoft YaHei"
_WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


REPORT_TEMPLATE = "report_template.docx"


def write_templates(out: Path, *, lang: Lang = "zh") -> list[Path]:
    """Write the blank register (every sheet) and one workbook per step into `out`, and the Word
    reference document `report_template.docx` when it is not there yet (a PMO's restyled copy is kept).
    """
    from ci_excel.render.reference_doc import write_reference_document

    plans: dict[str, Sequence[str]] = {REGISTER: [s.key for s in TABLE_SHEETS], **STEP_WORKBOOKS}
    paths = [write_workbook(out / f"{stem}.xlsx", sheets, lang=lang, workbook=stem) for stem, sheets in plans.items()]
    reference = out / REPORT_TEMPLATE
    if not reference.exists():
        paths.append(write_reference_document(reference))
    return paths


def write_workbook(
    path: Path,
    sheets: Sequence[str],
    *,
    lang: Lang = "zh",
    info: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    with_example: bool = True,
    workbook: str | None = None,
) -> Path:
    """Write a template-shaped workbook, optionally pre-filled, atomically; returns `path`.

    `sheets` are table sheet keys (the info form is always written). Values are typed as
    validation returns them: enum keys and booleans become labels in `lang`, dates and percent
    fractions get their formats, and any other string is written verbatim as text.
    """
    tables = [SHEETS[k] for k in dict.fromkeys(sheets) if k != INFO.key]
    stem = workbook or path.stem

    def write(tmp: Path) -> None:
        _Builder(tmp, lang).build(tables, info or {}, rows or {}, with_example=with_example, stem=stem)

    return atomic_write(path, write)


def sheet_names(tables: Sequence[SheetSpec], lang: Lang) -> dict[str, str]:
    """Sheet key -> sheet name as written, in workbook order (instructions excluded)."""
    return {s.key: s.name(lang) for s in (INFO, *tables)}


def header_text(column: ColumnSpec, lang: Lang) -> str:
    """The header as written: the label, with a trailing * when the column is required."""
    return column.header(lang) + ("*" if column.required else "")


def total_formula(row: int) -> str:
    """The solutions `total` formula of a 1-based sheet row: blank until all four scores are numbers."""
    cells = [f"{_letter(SOLUTIONS, key)}{row}" for key in DIMENSIONS]
    return f'=IF(COUNT({",".join(cells)})<{len(cells)},"",{"+".join(cells)})'


def enum_columns() -> dict[str, EnumSpec]:
    """Every enum used by an input column, in `_lists` column order (one column per enum)."""
    return dict(_enum_columns())


@cache
def _enum_columns() -> tuple[tuple[str, EnumSpec], ...]:
    found: dict[str, EnumSpec] = {}
    for sheet in INPUT_SHEETS:
        for col in sheet.columns:
            if col.enum is not None:
                found.setdefault(col.enum.key, col.enum)
    return tuple(found.items())


def list_range(enum: EnumSpec) -> str:
    """The `_lists` range (absolute, quoted sheet) holding an enum's labels."""
    index = [key for key, _ in _enum_columns()].index(enum.key)
    letter = xl_col_to_name(index)
    return f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(enum.choices) + 1}"


def _letter(sheet: SheetSpec, key: str) -> str:
    return xl_col_to_name([c.key for c in sheet.columns].index(key))


def cell_value(column: ColumnSpec, value: Any, lang: Lang) -> Any:
    """A typed value as it is written: enum keys and booleans as labels, Decimal as float."""
    if column.enum is not None and isinstance(value, bool):
        return YES_NO.label("yes" if value else "no", lang)
    if column.enum is not None and isinstance(value, str) and value in column.enum.by_key:
        return column.enum.label(value, lang)
    if isinstance(value, Decimal):
        return float(value)
    return value


def scores_total(values: Mapping[str, Any]) -> float | None:
    """The sum of the four scores when all are numbers, else None (what the formula shows)."""
    scores = [values.get(k) for k in DIMENSIONS]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores):
        return sum(scores)  # type: ignore[arg-type]
    return None


class _Builder:
    """Writes one workbook: formats are made once and shared by every sheet."""

    def __init__(self, path: Path, lang: Lang) -> None:
        self.lang = lang
        self.book: Workbook = xlsxwriter.Workbook(str(path), _WORKBOOK_OPTIONS)
        self.fmt = _Formats(self.book)

    def build(self, tables: Sequence[SheetSpec], info: Mapping[str, Any],
              rows: Mapping[str, Sequence[Mapping[str, Any]]], *, with_example: bool, stem: str) -> None:
        _write_instructions(self.book.add_worksheet(INSTRUCTIONS[self.lang]), self.fmt, self.lang)
        self._form(info)
        for sheet in tables:
            self._table(sheet, rows.get(sheet.key, ()), with_example=with_example)
        self._lists()
        self._meta(tables, stem)
        self.book.close()

    # -- info form -------------------------------------------------------------------------
    def _form(self, info: Mapping[str, Any]) -> None:
        ws = self.book.add_worksheet(INFO.name(self.lang))
        ws.set_column(0, 0, 20)
        ws.set_column(1, 1, 40, self.fmt.data(ColType.TEXT))
        ws.set_row(0, 24)
        for col, text in enumerate(FORM_HEADERS[self.lang]):
            ws.write_string(0, col, text, self.fmt.header)
        for index, column in enumerate(INFO.columns, start=1):
            label_fmt = self.fmt.label_required if column.required else self.fmt.label
            ws.set_row(index, 20)
            ws.write_string(index, 0, header_text(column, self.lang), label_fmt)
            self._write(ws, index, 1, column, info.get(column.key), self.fmt.form_value(column.type))
            ws.data_validation(index, 1, index, 1, _form_validation(column, index, self.lang))
        ws.freeze_panes(1, 0)
        _print_setup(ws, landscape=False)

    # -- table sheets ----------------------------------------------------------------------
    def _table(self, sheet: SheetSpec, data: Sequence[Mapping[str, Any]], *, with_example: bool) -> None:
        ws = self.book.add_worksheet(sheet.name(self.lang))
        self._header(ws, sheet)
        records: list[Mapping[str, Any]] = [template_example(sheet.key, self.lang)] if with_example else []
        records += data
        last = max(LAST_VALIDATED_ROW, len(records) + 1)
        for offset, record in enumerate(records):
            style = "example" if with_example and offset == 0 else "data"
            self._row(ws, sheet, offset + 1, record, style)
        if sheet.key == SOLUTIONS.key:
            self._blank_totals(ws, len(records) + 2, last)
            self._pass_colours(ws, last)
        ws.print_area(0, 0, max(1, len(records)), len(sheet.columns) - 1)
        self._validations(ws, sheet, last)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(sheet.columns) - 1)
        _print_setup(ws, landscape=True)

    def _header(self, ws: Worksheet, sheet: SheetSpec) -> None:
        ws.set_row(0, 32)
        for col, column in enumerate(sheet.columns):
            ws.set_column(col, col, column.width, self.fmt.data(column.type))
            fmt = self.fmt.header_required if column.required else self.fmt.header
            ws.write_string(0, col, header_text(column, self.lang), fmt)
            ws.data_validation(0, col, 0, col, _input_message(column, self.lang))

    def _row(self, ws: Worksheet, sheet: SheetSpec, row: int, record: Mapping[str, Any], style: str) -> None:
        height = _row_height(sheet, record)
        if height is not None:
            ws.set_row(row, height)
        for col, column in enumerate(sheet.columns):
            fmt = self.fmt.example(column.type) if style == "example" else self.fmt.data(column.type)
            if _is_total(sheet, column) and _formula_total(record):
                total = scores_total(record)
                ws.write_formula(row, col, total_formula(row + 1), fmt, "" if total is None else total)
            else:
                self._write(ws, row, col, column, record.get(column.key), fmt)

    def _blank_totals(self, ws: Worksheet, first: int, last: int) -> None:
        """The total formula on every empty row (1-based `first`..`last`), cached as blank."""
        col = [c.key for c in SOLUTIONS.columns].index("total")
        fmt = self.fmt.data(ColType.NUMBER)
        for row in range(first, last + 1):
            ws.write_formula(row - 1, col, total_formula(row), fmt, "")

    def _pass_colours(self, ws: Worksheet, last: int) -> None:
        """Green when the total passes the threshold, orange when it does not (blank stays plain)."""
        col = _letter(SOLUTIONS, "total")
        threshold = f"{Config().threshold:g}"
        for test, fmt in ((">=", self.fmt.passed), ("<", self.fmt.failed)):
            ws.conditional_format(f"{col}2:{col}{last}", {
                "type": "formula", "criteria": f"=AND(ISNUMBER({col}2),{col}2{test}{threshold})", "format": fmt})

    def _write(self, ws: Worksheet, row: int, col: int, column: ColumnSpec, value: Any, fmt: Any) -> None:
        value = cell_value(column, value, self.lang)
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def _validations(self, ws: Worksheet, sheet: SheetSpec, last: int) -> None:
        for col, column in enumerate(sheet.columns):
            rule = None if _is_total(sheet, column) else _cell_validation(column, self.lang)
            if rule is not None:
                ws.data_validation(1, col, last - 1, col, rule)

    # -- hidden sheets ---------------------------------------------------------------------
    def _lists(self) -> None:
        ws = self.book.add_worksheet(LISTS_SHEET)
        for col, enum in enumerate(enum_columns().values()):
            ws.write_string(0, col, enum.key)
            ws.write_column(1, col, enum.labels(self.lang))
        ws.hide()

    def _meta(self, tables: Sequence[SheetSpec], stem: str) -> None:
        ws = self.book.add_worksheet(META_SHEET)
        pairs = [("key", "value"), ("template_id", TEMPLATE_ID), ("template_version", TEMPLATE_VERSION),
                 ("lang", self.lang), ("workbook", stem)]
        pairs += [(f"sheet:{key}", name) for key, name in sheet_names(tables, self.lang).items()]
        for row, (key, value) in enumerate(pairs):
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
        ws.set_column(0, 1, 24)
        ws.hide()


def _row_height(sheet: SheetSpec, record: Mapping[str, Any]) -> float | None:
    """A taller row when a wrapped text value needs more than one line (Excel does not autofit)."""
    heights = [_height(v, c.width) for c in sheet.columns if isinstance(v := record.get(c.key), str)]
    tallest = max(heights, default=0.0)
    return tallest if tallest > _height("", 10) else None


def _is_total(sheet: SheetSpec, column: ColumnSpec) -> bool:
    return sheet.key == SOLUTIONS.key and column.key == "total"


def _formula_total(record: Mapping[str, Any]) -> bool:
    """Write the live formula unless the row types a total that differs from its scores."""
    typed = record.get("total")
    return typed is None or (not isinstance(typed, str) and typed == scores_total(record))


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&L&A&R&P / &N")


# -- data validation rules ---------------------------------------------------------------------
_TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "pick_title": "请从下拉列表选择", "pick": "请从下拉列表中选择:{options}",
        "int_title": "请填写整数", "int": "请填写 {low} 到 {high} 之间的整数。",
        "int_min": "请填写不小于 {low} 的整数。",
        "pct_title": "请填写百分比", "pct": "请填写 0% 到 100% 之间的百分比,如 80%。",
        "date_title": "请填写日期", "date": "请填写日期,如 2026-11-03。",
        "num_title": "请填写数字", "num": "请填写数字(不要带单位)。",
        "period_title": "格式 YYYY-MM", "period": "请按 YYYY-MM 填写,如 2026-11。",
    },
    "en": {
        "pick_title": "Choose from the list", "pick": "Choose one of: {options}",
        "int_title": "Whole number", "int": "Enter a whole number from {low} to {high}.",
        "int_min": "Enter a whole number of at least {low}.",
        "pct_title": "Percent", "pct": "Enter a percent from 0% to 100%, e.g. 80%.",
        "date_title": "Date", "date": "Enter a date, e.g. 2026-11-03.",
        "num_title": "Number", "num": "Enter a number (no units).",
        "period_title": "Format YYYY-MM", "period": "Enter the month as YYYY-MM, e.g. 2026-11.",
    },
}
_BIG = 10**12  # "any number": Excel's decimal rule needs bounds
_DATE_RANGE = {"minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31)}


def _input_message(column: ColumnSpec, lang: Lang) -> dict[str, Any]:
    """The header cell's input message: the column name and its help (Excel's 32/255 limits)."""
    return {"validate": "any", "input_title": column.header(lang)[:32],
            "input_message": (column.help(lang) or column.header(lang))[:255]}


def _cell_validation(column: ColumnSpec, lang: Lang) -> dict[str, Any] | None:
    """The data-cell rule of a column: a stop-style dropdown for enums, warnings for typed values."""
    text = _TEXT[lang]
    if column.enum is not None:
        options = ("、" if lang == "zh" else ", ").join(column.enum.labels(lang))
        return {"validate": "list", "source": list_range(column.enum), "error_type": "stop",
                "error_title": text["pick_title"], "error_message": text["pick"].format(options=options)[:255]}
    return _typed_validation(column, text)


def _typed_validation(column: ColumnSpec, text: dict[str, str]) -> dict[str, Any] | None:
    if column.type == ColType.INT:
        low = int(column.minimum or 0)
        if column.maximum is not None:
            rule = {"criteria": "between", "minimum": low, "maximum": int(column.maximum)}
            message = text["int"].format(low=low, high=int(column.maximum))
        else:
            rule, message = {"criteria": ">=", "value": low}, text["int_min"].format(low=low)
        return {"validate": "integer", **rule, "error_type": "warning", "error_title": text["int_title"],
                "error_message": message}
    if column.type == ColType.PERCENT:
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "error_type": "warning", "error_title": text["pct_title"], "error_message": text["pct"]}
    if column.type == ColType.DATE:
        return {"validate": "date", "criteria": "between", **_DATE_RANGE, "error_type": "warning",
                "error_title": text["date_title"], "error_message": text["date"]}
    if column.type in (ColType.NUMBER, ColType.MONEY):
        bounds = {"minimum": -_BIG if column.minimum is None else column.minimum,
                  "maximum": _BIG if column.maximum is None else column.maximum}
        return {"validate": "decimal", "criteria": "between", **bounds,
                "error_type": "warning", "error_title": text["num_title"], "error_message": text["num"]}
    return None


def _form_validation(column: ColumnSpec, row: int, lang: Lang) -> dict[str, Any]:
    """An info value cell: its input message, plus a warning rule for the period and dates."""
    rule: dict[str, Any] = {"validate": "any"}
    if column.type == ColType.PERIOD:
        cell = xl_rowcol_to_cell(row, 1)
        rule = {"validate": "custom", "error_type": "warning", "error_title": _TEXT[lang]["period_title"],
                "error_message": _TEXT[lang]["period"],
                "value": f'=AND(LEN({cell})=7,MID({cell},5,1)="-",ISNUMBER(--LEFT({cell},4)),'
                         f"ISNUMBER(--RIGHT({cell},2)))"}
    elif column.type == ColType.DATE:
        rule = _typed_validation(column, _TEXT[lang]) or rule
    return {**rule, **{k: v for k, v in _input_message(column, lang).items() if k != "validate"}}


# -- formats -----------------------------------------------------------------------------------
class _Formats:
    """Every cell format of a workbook, made once."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        base = {"font_name": _FONT, "font_size": 10, "valign": "top"}
        self.base = base
        head = {**base, "bold": True, "text_wrap": True, "border": 1, "valign": "vcenter", "align": "center"}
        self.header = book.add_format({**head, "bg_color": "#DDEBF7"})
        self.header_required = book.add_format({**head, "bg_color": "#FCE4D6", "font_color": "#9C0006"})
        label = {**base, "bold": True, "border": 1, "valign": "vcenter"}
        self.label = book.add_format({**label, "bg_color": "#F2F2F2"})
        self.label_required = book.add_format({**label, "bg_color": "#FCE4D6", "font_color": "#9C0006"})
        self.passed = book.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.failed = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self._data: dict[tuple[str, ColType], Any] = {}

    def _make(self, kind: str, type_: ColType) -> Any:
        key = (kind, type_)
        if key not in self._data:
            props: dict[str, Any] = {**self.base, "num_format": _NUMBER_FORMATS.get(type_, "General")}
            if kind == "example":
                props |= {"italic": True, "font_color": "#808080", "bg_color": "#F2F2F2"}
            if kind == "form":
                props |= {"border": 1, "valign": "vcenter"}
            if type_ == ColType.TEXT:
                props["text_wrap"] = kind != "form"
            self._data[key] = self.book.add_format(props)
        return self._data[key]

    def data(self, type_: ColType) -> Any:
        return self._make("data", type_)

    def example(self, type_: ColType) -> Any:
        return self._make("example", type_)

    def form_value(self, type_: ColType) -> Any:
        return self._make("form", type_)

    def text(self, name: str) -> Any:
        """Instruction-sheet formats, by role."""
        key = (name, ColType.TEXT)
        if key not in self._data:
            self._data[key] = self.book.add_format({**self.base, **_TEXT_STYLES[name]})
        return self._data[key]


_TEXT_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "font_color": "#1F4E79", "valign": "vcenter"},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "heading": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "valign": "vcenter"},
    "subheading": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "label": {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"},
    "label_required": {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#FCE4D6", "font_color": "#9C0006"},
    "text": {"text_wrap": True, "border": 1},
    "matrix_head": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#DDEBF7",
                    "text_wrap": True},
    **{f"matrix_{p}": {"border": 1, "align": "center", "valign": "vcenter", "bg_color": fill, "bold": True}
       for p, fill in _PRIORITY_FILLS.items()},
}


# -- the instructions sheet --------------------------------------------------------------------
_WIDTHS = (22, 30, 30, 30)  # column A: labels; B-D: merged text (or the matrix columns)
_TEXT_WIDTH = sum(_WIDTHS[1:])

_GUIDE: dict[Lang, dict[str, Any]] = {
    "zh": {
        "title": "持续改进六步法 · 填报模板说明",
        "subtitle": "模板 {id} 版本 {version}。请勿修改表名、表头和隐藏表;处理程序按表头识别各列。",
        "how": "填写须知",
        "how_items": [
            ("1", "先填写“{info}”表:{required} 为必填项;填报期间按 YYYY-MM 填写(如 2026-11)。"),
            ("2", "每张表第 1 行是表头,带 * 的列为必填列;选中表头单元格可查看该列的填写提示。"),
            ("3", "第 2 行是灰色斜体的示例行,编号以「{mark}」开头,处理时自动忽略(可保留,也可删除);"
                  "请从第 3 行起填写,一行一条记录。"),
            ("4", "带下拉箭头的列请从下拉列表中选择;日期写成 2026-11-03;百分比写成 80%;评分填 1-5 的整数。"),
            ("5", "编号在部门内唯一(如 P-001、P-001-R1、S-001、A-001),后面的表通过编号引用前面的表。"),
            ("6", "每月在同一份登记册上更新并提交,每次提交即当月快照;也可按步骤分别使用分步模板。"),
        ],
        "steps": "六步法与对应表格",
        "step_label": "步骤{step} {name}",
        "step_text": "输出成果:{deliverable}\n{guide}\n填写表格:{sheets}",
        "guides": {
            1: "通过数据监控、用户反馈、一线访谈、对标分析等渠道收集信息,明确需要改进的具体业务问题,"
               "避免“泛泛而谈”或“错误归因”。用问题描述公式定义问题,用优先级矩阵排序:"
               "优先解决“高影响-中低难度”问题,暂缓“低影响-高难度”问题。",
            2: "穿透表面现象,定位根本原因。5Why分析法:连续追问“为什么”,直至无法再追问(通常5层以内);"
               "鱼骨图分析法:从人、机、料、法、环、测6个维度梳理潜在原因。根因须通过数据验证或小范围试验验证。",
            3: "基于根本原因设计具体、可落地、成本可控的方案(流程优化类、工具升级类、人员能力类、制度规范类),"
               "按4个维度评分筛选,并制定计划,明确做什么、谁来做、怎么做、何时做。",
            4: "按计划实施,每月更新每项行动的状态、完成进度、实际完成日期及遇到的问题与风险;"
               "未完成且超过计划完成日期的行动视为逾期。",
            5: "以改进前的基线值和目标值衡量效果并记录实际值。达成率:越低越好 =(基线-实际)/(基线-目标);"
               "越高越好 =(实际-基线)/(目标-基线);达成率 ≥ 100% 为达标。",
            6: "通过SOP更新、制度发布、培训、系统固化、检查表等方式固化成果,记录推广范围和经验教训;"
               "指标全部达标并完成固化后,可将问题标记为关闭。",
        },
        "rules": "规则",
        "statement_label": "问题描述公式",
        "statement": "{formula}\n示例:{example}",
        "matrix_label": "优先级矩阵",
        "matrix_corner": "{impact} \\ {difficulty}",
        "matrix_note": "按{impact}和{difficulty}确定优先级,优先解决“高影响-中低难度”问题,暂缓“低影响-高难度”问题。",
        "score_label": "方案评分",
        "score": "{dims} 每项 1-5 分,分数越高越有利:{cost} 5 分 = 投入最低,{risk} 5 分 = 风险最低。"
                 "{total} = 四项之和(表中公式自动计算),{total} ≥ {threshold} 分可进入下一轮。"
                 "示例:5 + 4 + 3 + 2 = 14 分,通过。",
        "example_label": "示例行",
        "example": "各表第 2 行为示例行(灰色斜体),处理时自动忽略。示例行的每个编号都以「{mark}」开头(如 {id}),"
                   "程序凭此识别示例行,而不是凭内容:与示例内容相同的真实数据照常读取。如要在第 2 行填写自己的数据,"
                   "把编号改成自己的编号(去掉「{mark}」)即可;编号全部以「{mark}」开头的行都按示例行忽略。",
        "sheets": "各表填写说明",
        "sheet_heading": "{name}(步骤{step})",
        "form_heading": "{name}(封面信息:标签在A列,内容填在B列)",
        "types": {"text": "文本", "int": "整数", "number": "数字", "percent": "百分比", "money": "金额(元)",
                  "date": "日期", "period": "年月 YYYY-MM", "enum": "下拉选择", "bool": "下拉选择"},
        "options": "可选值:{options}", "join": ";",
        "sep": "、", "dims_sep": "、",
    },
    "en": {
        "title": "Continuous improvement six-step method: how to fill this workbook",
        "subtitle": "Template {id} version {version}. Do not rename sheets or headers or touch the hidden sheets; "
                    "columns are recognised by their headers.",
        "how": "How to fill",
        "how_items": [
            ("1", "Fill the “{info}” sheet first: {required} are required; the period is YYYY-MM (e.g. 2026-11)."),
            ("2", "Row 1 of every sheet is the header; columns marked * are required. Select a header cell "
                  "to see how to fill that column."),
            ("3", "Row 2 is the worked example in grey italics; its IDs start with {mark} and it is ignored when "
                  "processed (keep or delete it). Enter your data from row 3, one record per row."),
            ("4", "Pick values from the dropdown lists; write dates as 2026-11-03, percents as 80%, scores as "
                  "whole numbers 1-5."),
            ("5", "IDs are unique within the department (e.g. P-001, P-001-R1, S-001, A-001); later sheets refer "
                  "to earlier ones by these IDs."),
            ("6", "Update the same register every month and submit it: each submission is that month's snapshot. "
                  "Teams may use the per-step workbooks instead."),
        ],
        "steps": "The six steps and their sheets",
        "step_label": "Step {step} {name}",
        "step_text": "Deliverable: {deliverable}\n{guide}\nSheets: {sheets}",
        "guides": {
            1: "Collect information through data monitoring, user feedback, frontline interviews and benchmarking, "
               "and pin down the specific problem to improve. State it with the problem statement formula and rank "
               "it with the priority matrix: solve high-impact, low/medium-difficulty problems first; defer "
               "low-impact, high-difficulty ones.",
            2: "Look past the symptoms to the root cause. 5 Whys: keep asking why until no further answer "
               "(usually within 5 levels). Fishbone: list causes under Man, Machine, Material, Method, "
               "Environment, Measurement. Verify root causes with data or a small-scale trial.",
            3: "Design concrete, feasible, affordable solutions to the root cause (process, tool, people, policy), "
               "score them on four dimensions, and plan what, who, how and when.",
            4: "Carry out the plan; every month update each action's status, % done, finish date, blockers and "
               "risks. An unfinished action past its due date is overdue.",
            5: "Measure the effect against the baseline and target. Achievement: lower is better = "
               "(baseline - actual) / (baseline - target); higher is better = (actual - baseline) / "
               "(target - baseline); met at 100 % or more.",
            6: "Lock the gain in with SOP updates, policies, training, system changes or checklists; record the "
               "rollout scope and lessons learned. Close the problem once every KPI is met and standardized.",
        },
        "rules": "Rules",
        "statement_label": "Problem statement",
        "statement": "{formula}\nExample: {example}",
        "matrix_label": "Priority matrix",
        "matrix_corner": "{impact} \\ {difficulty}",
        "matrix_note": "{impact} and {difficulty} set the priority: high impact with low or medium difficulty "
                       "first, low impact with high difficulty deferred.",
        "score_label": "Solution scores",
        "score": "{dims}: each 1-5, higher is more favourable ({cost} 5 = cheapest, {risk} 5 = safest). "
                 "{total} = the sum of the four (a formula in the sheet); {total} ≥ {threshold} passes to the "
                 "next round. Example: 5 + 4 + 3 + 2 = 14, passes.",
        "example_label": "Example row",
        "example": "Row 2 of every sheet is the worked example (grey italics) and is ignored when processed. Every "
                   "ID in it starts with {mark} (e.g. {id}): that marker, not the content, identifies the example, "
                   "so real data equal to the example is read as data. To use row 2 for your own data, replace the "
                   "IDs with your own (without {mark}); a row whose IDs all start with {mark} is ignored.",
        "sheets": "Sheet by sheet",
        "sheet_heading": "{name} (step {step})",
        "form_heading": "{name} (cover form: labels in column A, values in column B)",
        "types": {"text": "Text", "int": "Whole number", "number": "Number", "percent": "Percent",
                  "money": "Amount", "date": "Date", "period": "Month YYYY-MM", "enum": "Choose from list",
                  "bool": "Choose from list"},
        "options": "Options: {options}", "join": "; ",
        "sep": ", ", "dims_sep": ", ",
    },
}


class _Instructions:
    """Writes the instructions sheet top to bottom: a cursor over rows with block writers."""

    def __init__(self, ws: Worksheet, fmt: _Formats, lang: Lang) -> None:
        self.ws, self.fmt, self.lang, self.row = ws, fmt, lang, 0
        self.g = _GUIDE[lang]

    def title(self, text: str, subtitle: str) -> None:
        self.ws.set_row(self.row, 30)
        self.ws.merge_range(self.row, 0, self.row, 3, text, self.fmt.text("title"))
        self.ws.merge_range(self.row + 1, 0, self.row + 1, 3, subtitle, self.fmt.text("subtitle"))
        self.ws.set_row(self.row + 1, _height(subtitle, sum(_WIDTHS)))
        self.row += 3

    def heading(self, text: str, style: str = "heading") -> None:
        if style == "heading" and self.row > 3:
            self.row += 1
        self.ws.set_row(self.row, 22 if style == "heading" else 18)
        self.ws.merge_range(self.row, 0, self.row, 3, text, self.fmt.text(style))
        self.row += 1

    def item(self, label: str, text: str, *, required: bool = False) -> None:
        self.ws.write_string(self.row, 0, label, self.fmt.text("label_required" if required else "label"))
        self.ws.merge_range(self.row, 1, self.row, 3, text, self.fmt.text("text"))
        self.ws.set_row(self.row, max(_height(text, _TEXT_WIDTH), _height(label, _WIDTHS[0])))
        self.row += 1

    def cells(self, values: Sequence[str], styles: Sequence[str]) -> None:
        for col, (value, style) in enumerate(zip(values, styles, strict=True)):
            self.ws.write_string(self.row, col, value, self.fmt.text(style))
        self.ws.set_row(self.row, 20)
        self.row += 1


def _write_instructions(ws: Worksheet, fmt: _Formats, lang: Lang) -> None:
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    doc = _Instructions(ws, fmt, lang)
    g = doc.g
    doc.title(g["title"], g["subtitle"].format(id=TEMPLATE_ID, version=TEMPLATE_VERSION))
    _how_to_fill(doc)
    _steps(doc)
    _rules(doc)
    _sheet_guide(doc)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.activate()


def _how_to_fill(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    required = g["sep"].join(c.header(lang) for c in INFO.columns if c.required)
    doc.heading(g["how"])
    for label, text in g["how_items"]:
        doc.item(label, text.format(info=INFO.name(lang), required=required, mark=MARKS[lang]))


def _steps(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    doc.heading(g["steps"])
    for step, (zh, en, deliverable_zh, deliverable_en) in STEPS.items():
        sheets = g["sep"].join(s.name(lang) for s in TABLE_SHEETS if s.step == step)
        text = g["step_text"].format(deliverable=deliverable_zh if lang == "zh" else deliverable_en,
                                     guide=g["guides"][step], sheets=sheets)
        doc.item(g["step_label"].format(step=step, name=zh if lang == "zh" else en), text)


def _rules(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    doc.heading(g["rules"])
    doc.item(g["statement_label"], g["statement"].format(formula=statement_formula(lang),
                                                         example=example_statement(lang)))
    _matrix(doc)
    cols = {k: SOLUTIONS.column(k).header(lang) for k in (*DIMENSIONS, "total")}
    doc.item(g["score_label"], g["score"].format(
        dims=g["dims_sep"].join(cols[k] for k in DIMENSIONS), cost=cols["cost"], risk=cols["risk"],
        total=cols["total"], threshold=f"{Config().threshold:g}"))
    doc.item(g["example_label"], g["example"].format(mark=MARKS[lang],
                                                     id=template_example(PROBLEMS.key, lang)["problem_id"]))


def _matrix(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    impact, difficulty = (PROBLEMS.column(k).header(lang) for k in ("impact", "difficulty"))
    doc.item(g["matrix_label"], g["matrix_note"].format(impact=impact, difficulty=difficulty))
    columns = ("low", "medium", "high")
    doc.cells([g["matrix_corner"].format(impact=impact, difficulty=difficulty),
               *(LEVEL.label(k, lang) for k in columns)], ["matrix_head"] * 4)
    for level in ("high", "medium", "low"):
        classes = [DEFAULT_MATRIX[level][d] for d in columns]
        doc.cells([LEVEL.label(level, lang), *(PRIORITY.label(p, lang) for p in classes)],
                  ["matrix_head", *(f"matrix_{p}" for p in classes)])


def _sheet_guide(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    doc.heading(g["sheets"])
    for sheet in (INFO, *TABLE_SHEETS):
        key = "form_heading" if sheet.form else "sheet_heading"
        doc.heading(g[key].format(name=sheet.name(lang), step=sheet.step), "subheading")
        for column in sheet.columns:
            doc.item(header_text(column, lang), column_guide(column, lang), required=column.required)


def column_guide(column: ColumnSpec, lang: Lang) -> str:
    """One line of the sheet guide: the column's type, help and (for enums) its options."""
    g = _GUIDE[lang]
    parts = [column.help(lang)]
    if column.enum is not None:
        parts.append(g["options"].format(options=g["sep"].join(column.enum.labels(lang))))
    return f"[{g['types'][column.type.value]}] " + g["join"].join(p for p in parts if p)


def statement_formula(lang: Lang) -> str:
    """The problem statement formula with the problems sheet's own headers as placeholders."""
    keys = ("scenario", "process_step", "issue", "effect", "quantification")
    return DEFAULT_STATEMENTS[lang].format(**{k: "{" + PROBLEMS.column(k).header(lang) + "}" for k in keys})


def example_statement(lang: Lang) -> str:
    """The worked example's problem statement."""
    return DEFAULT_STATEMENTS[lang].format(**example_row(PROBLEMS.key, lang))


def _height(text: str, width: int) -> float:
    """Row height (points) for wrapped text in a cell `width` characters wide (CJK count double)."""
    lines = 0
    for paragraph in text.split("\n"):
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        lines += max(1, ceil(units * 0.95 / max(width - 1, 1)))
    return max(18.0, lines * 14.5 + 4)
