"""The portfolio summary workbook (portfolio_summary.xlsx), written with xlsxwriter in constant memory.

Sheets: a dashboard with headline figures and native charts; one Excel table per entity
(problems, root causes, solutions, actions, results, standards); a department scoreboard; the
trend from the history store; every validation issue. Column labels, sheet names and enum labels
come from the schema; only dashboard phrases live in `_TEXT`. Text typed by departments is
always written as a string, with a quote prefix when it would look like a formula.

`SummaryWriter` takes departments one at a time: their rows stream to disk (xlsxwriter's
constant_memory mode) and only each department's digest (`compute.department_digest`) is kept; at
`close` the digests are folded into the period (`compute.period_digest`, which ranks them) and the
dashboard and scoreboard format that: nothing here counts, averages or ranks departments. The
Excel tables are added after xlsxwriter is done (`xlsx_tables`), since it cannot make them in that
mode.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel import model, schema
from ci_excel.compute import department_digest, issue_severity, most_problems, period_digest
from ci_excel.fileio import atomic_path
from ci_excel.issues import CODES, Issue
from ci_excel.render.xlsx_tables import TablePart, add_tables, cell_text
from ci_excel.schema import ColType, Lang
from ci_excel.scoring import FLAGS, flag_label

Row = dict[str, Any]

# Phrases used only by this workbook: key -> (zh, en).
_TEXT: dict[str, tuple[str, str]] = {
    "dashboard": ("概览", "Dashboard"),
    "scoreboard": ("部门记分板", "Scoreboard"),
    "trend": ("趋势", "Trend"),
    "issues": ("数据问题", "Issues"),
    "chart_data": ("_图表数据", "_chart_data"),
    "title": ("持续改进组合概览", "Continuous improvement portfolio"),
    "generated": ("生成日期", "Generated on"),
    "figure": ("指标", "Figure"),
    "value": ("数值", "Value"),
    "departments": ("提交部门", "Departments submitted"),
    "expected": ("应提交部门", "Departments expected"),
    "missing": ("未提交", "Not submitted"),
    "late": ("逾期提交", "Submitted late"),
    "submitted": ("已提交", "Submitted"),
    "problems": ("问题总数", "Problems"),
    "new": ("本期新增", "New this period"),
    "open": ("未关闭", "Open"),
    "closed": ("已关闭", "Closed"),
    "p1_open": ("未关闭的P1问题", "Open P1 problems"),
    "actions": ("行动总数", "Actions"),
    "overdue_actions": ("逾期行动", "Overdue actions"),
    "kpis": ("KPI 数", "KPIs"),
    "kpis_met": ("KPI 达标数", "KPIs met"),
    "kpi_rate": ("KPI 达标率", "KPIs met (share)"),
    "benefit": ("年化收益合计(元)", "Annual benefit"),
    "solutions": ("方案数", "Solutions"),
    "passing": ("通过方案", "Passing"),
    "failing": ("未通过方案", "Not passing"),
    "pass_rate": ("方案通过率", "Solution pass rate"),
    "errors": ("数据错误", "Data errors"),
    "warnings": ("数据警告", "Data warnings"),
    "by_stage": ("按阶段", "By stage"),
    "by_priority": ("按优先级", "By priority"),
    "count": ("数量", "Count"),
    "chart_stage_dept": ("各部门问题阶段分布", "Problems by stage and department"),
    "top": ("问题最多的前{n}个部门", "top {n} departments"),
    "chart_priority": ("优先级分布", "Priority distribution"),
    "chart_matrix": ("影响 × 难度矩阵(问题数)", "Impact × difficulty matrix (problems)"),
    "axis_difficulty": ("解决难度:低 → 中 → 高", "Difficulty: low → medium → high"),
    "axis_impact": ("影响程度:低 → 中 → 高", "Impact: low → medium → high"),
    "chart_trend": ("月度趋势", "Month-over-month trend"),
    "chart_pass": ("方案通过率", "Solution pass rate"),
    "rank": ("排名", "Rank"),
    "status": ("提交状态", "Submission"),
    "avg_stage": ("平均阶段", "Average stage"),
    "avg_progress": ("平均进度", "Average progress"),
    "achievement": ("KPI 达标率", "KPIs met (share)"),
    "severity": ("严重程度", "Severity"),
    "error": ("错误", "Error"),
    "warning": ("警告", "Warning"),
    "code": ("代码", "Code"),
    "file": ("文件", "File"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "column": ("列", "Column"),
    "message": ("说明", "Message"),
    "not_verified": ("未验证", "Not verified"),
}

_FONT = {"zh": "Microsoft YaHei", "en": "Calibri"}
_PRIORITY_COLOURS = {"P1": "#C0392B", "P2": "#E67E22", "P3": "#F1C40F", "P4": "#95A5A6"}
_PRIORITY_FILLS = {"P1": "#F8D7DA", "P2": "#FDE5CC", "P3": "#FFF6BF", "P4": "#E9ECEF"}
_STAGE_COLOURS = ["#D6E4F0", "#A9CCE3", "#7FB3D5", "#5499C7", "#2874A6", "#1B4F72"]
_RED_FILL = {"bg_color": "#F8D7DA", "font_color": "#9C0006"}
_GREEN_FILL = {"bg_color": "#D4EDDA", "font_color": "#155724"}
_ORANGE_FILL = {"bg_color": "#FDE5CC", "font_color": "#7E4A00"}
_FORMULA_START = ("=", "+", "-", "@")
_TOP_DEPARTMENTS = 15


def text(key: str, lang: Lang) -> str:
    """A dashboard phrase in the report language."""
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def write_summary(result: model.PeriodResult, out: Path, *, lang: Lang = "zh") -> Path:
    """Write portfolio_summary.xlsx for a whole period, atomically; returns `out`."""
    with SummaryWriter(out, lang=lang) as writer:
        for d in result.departments:
            writer.add(d)
        return writer.close(result.outline)


class SummaryWriter:
    """The summary workbook, fed one department at a time; memory holds a few figures per department.

    `add` streams a department's rows to the entity and issues sheets; `close` writes the
    scoreboard, trend, general issues and dashboard and moves the finished file onto `out`. On an
    exception (or leaving a `with` block without `close`) everything is discarded and `out` is
    left as it was.
    """

    def __init__(self, out: Path, *, lang: Lang = "zh") -> None:
        self.out = Path(out)
        self.lang = lang
        self.out.parent.mkdir(parents=True, exist_ok=True)
        # xlsxwriter's row files and the staged workbook live beside `out`, on the same disk
        self._scratch = tempfile.TemporaryDirectory(prefix=f".{self.out.stem}.", dir=self.out.parent)
        self._staged = Path(self._scratch.name) / "staged.xlsx"
        self._book = _new_book(self._staged, lang)
        self._styles = styles = _Styles(self._book, lang)
        self._dashboard = self._book.add_worksheet(_sheet_name(text("dashboard", lang)))
        self._entities = {sheet: _TableSheet(self._book, _entity(sheet, lang), styles) for sheet in _LEAD}
        self._scoreboard = _TableSheet(self._book, _scoreboard(lang), styles)
        self._trend = _TableSheet(self._book, _trend(lang), styles)
        self._issues = _TableSheet(self._book, _issues(lang), styles)
        self._digests: list[model.DepartmentDigest] = []  # one per department, in the order added
        self._open = True

    def add(self, dept: model.DepartmentResult, digest: model.DepartmentDigest | None = None) -> None:
        """Append a department's rows to every entity sheet and the issues sheet; keep its digest
        (made from `dept` when not given)."""
        with self._discard_on_error():
            for sheet, table in self._entities.items():
                table.extend(_entity_rows(dept, sheet))
            self._issues.extend(_issue_row(i, dept.period, self.lang) for i in dept.issues)
            self._digests.append(digest or department_digest(dept))

    def close(self, outline: model.PeriodOutline, period: model.PeriodDigest | None = None) -> Path:
        """Write the period-wide sheets and the dashboard, then the file at `out`; returns `out`.

        period: the departments folded with the outline's general issues (folded here when not given).
        """
        with self._discard_on_error():
            tables = self._finish(outline, period or period_digest(self._digests, general=outline.issues))
            self._book.close()
            with atomic_path(self.out) as tmp:
                add_tables(self._staged, tmp, tables)
        self.discard()
        return self.out

    def discard(self) -> None:
        """Drop everything written so far (`out` is not touched)."""
        if self._open:
            self._open = False
            for ws in self._book.worksheets():
                ws._opt_close()  # xlsxwriter's row files, open until its close()
            self._scratch.cleanup()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.discard()

    @contextmanager
    def _discard_on_error(self) -> Iterator[None]:
        if not self._open:
            raise ValueError("the summary writer is closed")
        try:
            yield
        except BaseException:
            self.discard()
            raise

    def _finish(self, outline: model.PeriodOutline, period: model.PeriodDigest) -> list[TablePart]:
        lang = self.lang
        self._scoreboard.extend(_ranked(period, outline.missing, lang))
        self._trend.extend(_trend_row(f) for f in outline.trend)
        self._issues.extend(_issue_row(i, outline.period, lang) for i in outline.issues)
        tables = [t.finish() for t in (*self._entities.values(), self._scoreboard, self._trend, self._issues)]
        top = most_problems(period.departments, _TOP_DEPARTMENTS)
        data = _write_chart_data(self._book, top, len(period.departments), _matrix(period), self._styles)
        _write_dashboard(self._book, self._dashboard, outline, period, self._styles, trend=self._trend, data=data)
        return tables


def _new_book(path: Path, lang: Lang) -> Workbook:
    return xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "tmpdir": str(path.parent),
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "nan_inf_to_errors": True,
        "default_format_properties": {"font_name": _FONT[lang], "font_size": 10},
    })


def _sheet_name(name: str) -> str:
    return name[:31]


# ---- cell formats and writing ----------------------------------------------------------------


class _Styles:
    """The workbook's formats, made once."""

    def __init__(self, book: Workbook, lang: Lang) -> None:
        self.lang = lang
        self.font = _FONT[lang]
        add = book.add_format
        self.text: Format | None = None  # plain text cells carry no style: smaller, faster files
        self.quoted = add({"quote_prefix": True})
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "valign": "vcenter"})
        self.by_kind: dict[str, Format] = {
            "int": add({"num_format": "0"}),
            "number": add({"num_format": "#,##0.##"}),
            "percent": add({"num_format": "0%"}),
            "money": add({"num_format": "#,##0"}),
            "date": add({"num_format": "yyyy-mm-dd"}),
        }
        self.title = add({"bold": True, "font_size": 16, "font_color": "#1B4F72"})
        self.subtitle = add({"font_color": "#555555"})
        self.heading = add({"bold": True, "font_size": 11, "bottom": 2, "bottom_color": "#1B4F72"})
        self.label = add({"bottom": 1, "bottom_color": "#DDDDDD"})
        self.figure = add({"bold": True, "font_size": 12, "align": "right", "bottom": 1, "bottom_color": "#DDDDDD",
                           "num_format": "#,##0"})
        self.figure_pct = add({"bold": True, "font_size": 12, "align": "right", "bottom": 1,
                               "bottom_color": "#DDDDDD", "num_format": "0%"})
        self.figure_text = add({"bold": True, "align": "right", "bottom": 1, "bottom_color": "#DDDDDD",
                                "text_wrap": True})
        self.red = add(_RED_FILL)
        self.green = add(_GREEN_FILL)
        self.orange = add(_ORANGE_FILL)
        self.priority = {k: add({"bg_color": v}) for k, v in _PRIORITY_FILLS.items()}


@dataclass(frozen=True)
class _Col:
    """One output column: its header, how to read it from a row and how to write it."""

    key: str
    header: str
    kind: str = "text"  # text | int | number | percent | money | date | label | list
    width: float = 14
    labels: dict[str, str] = field(default_factory=dict)  # stored key -> shown label
    get: Callable[[Row], Any] | None = None


@dataclass(frozen=True)
class _Cond:
    """A conditional format on one column of a table."""

    column: str
    options: dict[str, Any]
    style: str = ""  # name of a _Styles attribute, or "priority:P1"


@dataclass
class _Table:
    """What a sheet holding one Excel table shows: its name, the table's name, columns and rules."""

    name: str
    table: str
    columns: list[_Col]
    conditions: list[_Cond] = field(default_factory=list)
    freeze_cols: int = 1


_KIND = {ColType.INT: "int", ColType.NUMBER: "number", ColType.PERCENT: "percent", ColType.MONEY: "money",
         ColType.DATE: "date", ColType.ENUM: "label", ColType.BOOL: "label"}


def _schema_col(sheet: str, key: str, lang: Lang, *, out_key: str | None = None) -> _Col:
    spec = schema.SHEETS[sheet].column(key)
    labels: dict[str, str] = {}
    if spec.enum is not None:
        labels = {c.key: c.label(lang) for c in spec.enum.choices}
        if spec.type is ColType.BOOL:
            labels |= {"True": labels.get("yes", "yes"), "False": labels.get("no", "no")}
    return _Col(out_key or key, spec.header(lang), _KIND.get(spec.type, "text"), _width(spec.width, spec.header(lang)),
                labels)


def _width(width: float, header: str) -> float:
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return max(float(width), shown + 3.0)  # room for the filter button


Put = Callable[[Worksheet, int, int, Any], None]


def _writer(col: _Col, styles: _Styles) -> Put:
    """A function that writes one non-blank value of `col`: made once per column, called per cell."""
    if col.kind == "label":
        labels = col.labels
        return lambda ws, r, c, v: _write_text(ws, r, c, labels.get(str(v), str(v)), styles)
    if col.kind == "list":
        sep = "、" if styles.lang == "zh" else ", "
        return lambda ws, r, c, v: _write_text(ws, r, c, _joined(v, col.labels, sep), styles)
    fmt = styles.by_kind.get(col.kind)
    if fmt is None:
        return lambda ws, r, c, v: _write_text(ws, r, c, str(v), styles)
    if col.kind == "date":
        return lambda ws, r, c, v: (ws.write_datetime(r, c, v, fmt) if isinstance(v, date)
                                    else _write_text(ws, r, c, str(v), styles))
    return lambda ws, r, c, v: (ws.write_number(r, c, v, fmt) if isinstance(v, int | float) and not isinstance(v, bool)
                                else _write_text(ws, r, c, str(v), styles))


def _joined(value: Any, labels: dict[str, str], sep: str) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    return sep.join(labels.get(str(v), str(v)) for v in items)


def _write_text(ws: Worksheet | _SmallSheet, r: int, c: int, value: str, styles: _Styles) -> None:
    """Where typed text is written: always a string, storable (`cell_text`), with a quote prefix when
    Excel would read it as a formula."""
    value = cell_text(value)
    ws.write_string(r, c, value, styles.quoted if value.startswith(_FORMULA_START) else styles.text)


class _TableSheet:
    """A worksheet holding one Excel table, written a row at a time (rows go to disk at once)."""

    def __init__(self, book: Workbook, spec: _Table, styles: _Styles) -> None:
        self.spec = spec
        self.rows = 0
        self._styles = styles
        self._cells = [(c, col.key, col.get, _writer(col, styles)) for c, col in enumerate(spec.columns)]
        self.ws = ws = book.add_worksheet(spec.name)
        for c, col in enumerate(spec.columns):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.header, styles.header)
        ws.freeze_panes(1, spec.freeze_cols)
        ws.set_landscape()
        ws.repeat_rows(0)

    def extend(self, rows: Iterable[Row]) -> None:
        ws = self.ws
        for row in rows:
            self.rows += 1
            for c, key, get, put in self._cells:
                value = get(row) if get else row.get(key)
                if value is not None and value != "" and value == value:  # NaN (from pandas, say) is blank
                    put(ws, self.rows, c, value)

    def finish(self) -> TablePart:
        """Add the conditional formats over the rows written; the table to add to the finished file."""
        last = max(self.rows, 1)  # a table needs a data row: an empty one when there is none
        _conditions(self.ws, self.spec, self._styles, last)
        ref = f"A1:{xl_rowcol_to_cell(last, len(self.spec.columns) - 1)}"
        return TablePart(self.ws.index + 1, self.spec.table, ref, tuple(col.header for col in self.spec.columns))


def _conditions(ws: Worksheet, spec: _Table, styles: _Styles, last: int) -> None:
    index = {col.key: c for c, col in enumerate(spec.columns)}
    for cond in spec.conditions:
        c = index[cond.column]
        options = dict(cond.options)
        if cond.style.startswith("priority:"):
            options["format"] = styles.priority[cond.style.split(":")[1]]
        elif cond.style:
            options["format"] = getattr(styles, cond.style)
        ws.conditional_format(1, c, last, c, options)


def _ref(spec: _Table, key: str, row: int = 2) -> str:
    """A relative A1 reference to `key`'s column in sheet row `row`, for formula conditions."""
    c = next(i for i, col in enumerate(spec.columns) if col.key == key)
    return f"${xlsxwriter.utility.xl_col_to_name(c)}{row}"


# ---- entity sheets ---------------------------------------------------------------------------

# Per entity: the columns shown first, columns left out, and extra columns joined from other sheets.
_LEAD: dict[str, tuple[str, ...]] = {
    "problems": ("problem_id", "statement", "priority", "stage", "progress", "flags", "owner", "impact", "difficulty"),
    "root_causes": ("root_cause_id", "problem_id", "root_cause", "source", "verified"),
    "solutions": ("solution_id", "problem_id", "root_cause_id", "description", "category", "effectiveness",
                  "feasibility", "cost", "risk", "score", "passes", "rank", "recommended", "selected"),
    "actions": ("action_id", "solution_id", "what", "who", "how", "start_on", "due_on", "status", "percent_done",
                "overdue", "days_overdue", "late", "days_late"),
    "results": ("problem_id", "kpi", "unit", "direction", "baseline", "target", "actual", "achievement", "improvement",
                "met", "annual_benefit", "measured_on"),
    "standards": ("problem_id", "kind", "document", "effective_on", "closed", "rollout_scope", "lessons"),
}
_OMIT: dict[str, frozenset[str]] = {"solutions": frozenset({"total"})}  # the typed total; `score` is recomputed
_JOINED = {"actions": ("progress", "action_id", ("finished_on", "updated_on", "blockers"))}


def _entity(sheet: str, lang: Lang) -> _Table:
    spec = schema.SHEETS[sheet]
    keys = [*_LEAD[sheet], *(k for k in spec.by_key if k not in _LEAD[sheet] and k not in _OMIT.get(sheet, ()))]
    columns = [*_owner_cols(lang), *(_schema_col(sheet, k, lang) for k in keys)]
    if sheet in _JOINED:
        other, _, extra = _JOINED[sheet]
        columns += [_schema_col(other, k, lang, out_key=f"{other}.{k}") for k in extra]
    _relabel(sheet, columns, lang)
    table = _Table(_sheet_name(spec.name(lang)), f"tbl_{sheet}", columns, freeze_cols=3)
    table.conditions.extend(_entity_conditions(sheet, table, lang))
    return table


def _owner_cols(lang: Lang) -> list[_Col]:
    return [_schema_col("info", "department", lang), _schema_col("info", "period", lang)]


def _entity_rows(d: model.DepartmentResult, sheet: str) -> Iterator[Row]:
    owner = {"department": d.department, "period": d.period}
    joined = _join_index(d, sheet)
    for row in d.rows(sheet):
        yield {**row, **owner, **joined.get(row.get("action_id"), {})} if joined else {**row, **owner}


def _join_index(d: model.DepartmentResult, sheet: str) -> dict[Any, Row]:
    if sheet not in _JOINED:
        return {}
    other, key, extra = _JOINED[sheet]
    return {r.get(key): {f"{other}.{k}": r.get(k) for k in extra} for r in d.rows(other)}


def _relabel(sheet: str, columns: list[_Col], lang: Lang) -> None:
    """Labels for columns whose values are keys outside an enum: flags, root-cause source, unverified."""
    for i, col in enumerate(columns):
        if sheet == "problems" and col.key == "flags":
            flags = {key: flag_label(key, lang) for key in FLAGS}  # the Word reports' labels too
            columns[i] = _Col(col.key, col.header, "list", col.width, flags)
        elif sheet == "root_causes" and col.key == "source":
            columns[i] = _Col(col.key, col.header, "text", col.width, get=_source_label(lang))
        elif sheet == "root_causes" and col.key == "verified":
            columns[i] = _Col(col.key, col.header, "label", col.width, col.labels, get=_or_default(
                "verified", text("not_verified", lang)))


def _source_label(lang: Lang) -> Callable[[Row], Any]:
    """Where a root cause was found ("why_chains+fishbone"), as the sheets' names."""
    names = {key: schema.sheet_label(key, lang) for key in ("why_chains", "fishbone")}
    names["5why"] = names["why_chains"]

    def label(row: Row) -> Any:
        source = row.get("source")
        return " + ".join(names.get(part, part) for part in source.split("+")) if isinstance(source, str) else source

    return label


def _or_default(key: str, default: str) -> Callable[[Row], Any]:
    return lambda row: row.get(key) or default


def _entity_conditions(sheet: str, table: _Table, lang: Lang) -> list[_Cond]:
    no = schema.YES_NO.label("no", lang)
    yes = schema.YES_NO.label("yes", lang)
    if sheet == "problems":
        return [*_priority_conditions("priority"), _Cond("flags", {"type": "no_blanks"}, "orange"),
                _Cond("progress", {"type": "data_bar", "bar_color": "#63BE7B", "bar_solid": True,
                                   "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})]
    if sheet == "root_causes":
        confirmed = schema.CONCLUSION.label("confirmed", lang)
        return [_Cond("verified", {"type": "cell", "criteria": "!=", "value": f'"{confirmed}"'}, "orange")]
    if sheet == "solutions":
        return [_Cond("score", {"type": "formula", "criteria": f'={_ref(table, "passes")}="{no}"'}, "red"),
                _Cond("passes", {"type": "cell", "criteria": "==", "value": f'"{no}"'}, "red"),
                _Cond("recommended", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "green")]
    if sheet == "actions":
        return [_Cond("days_overdue", {"type": "cell", "criteria": ">", "value": 0}, "red"),
                _Cond("overdue", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "red"),
                _Cond("percent_done", {"type": "data_bar", "bar_color": "#5499C7", "bar_solid": True,
                                       "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})]
    if sheet == "results":
        return [_Cond("achievement", {"type": "data_bar", "bar_color": "#63BE7B", "bar_solid": True,
                                      "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1}),
                _Cond("met", {"type": "cell", "criteria": "==", "value": f'"{no}"'}, "red")]
    if sheet == "standards":
        return [_Cond("closed", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "green")]
    return []


def _priority_conditions(column: str) -> list[_Cond]:
    return [_Cond(column, {"type": "text", "criteria": "begins with", "value": key}, f"priority:{key}")
            for key in _PRIORITY_FILLS]


# ---- scoreboard, trend, issues ---------------------------------------------------------------


def _scoreboard(lang: Lang) -> _Table:
    stages = [c.key for c in schema.STAGE.choices]
    cols = [
        _Col("rank", text("rank", lang), "int", 7), _schema_col("info", "department", lang),
        _Col("status", text("status", lang), "text", 12), _Col("problems", text("problems", lang), "int", 10),
        *(_Col(f"stage_{s}", schema.STAGE.label(s, lang), "int", 12) for s in stages),
        _Col("p1_open", text("p1_open", lang), "int", 12), _Col("avg_stage", text("avg_stage", lang), "number", 10),
        _Col("avg_progress", text("avg_progress", lang), "percent", 11),
        _Col("overdue_actions", text("overdue_actions", lang), "int", 11), _Col("kpis", text("kpis", lang), "int", 9),
        _Col("kpis_met", text("kpis_met", lang), "int", 11), _Col("kpi_rate", text("kpi_rate", lang), "percent", 11),
        _Col("benefit", text("benefit", lang), "money", 16), _Col("errors", text("errors", lang), "int", 10),
        _Col("warnings", text("warnings", lang), "int", 10), _schema_col("info", "submitted_on", lang),
        _schema_col("info", "contact", lang), _schema_col("info", "contact_info", lang),
    ]
    table = _Table(text("scoreboard", lang), "tbl_scoreboard", cols, freeze_cols=2)
    table.conditions += [
        _Cond("status", {"type": "cell", "criteria": "==", "value": f'"{text("missing", lang)}"'}, "red"),
        _Cond("status", {"type": "cell", "criteria": "==", "value": f'"{text("late", lang)}"'}, "orange"),
        _Cond("overdue_actions", {"type": "cell", "criteria": ">", "value": 0}, "red"),
        _Cond("avg_progress", {"type": "data_bar", "bar_color": "#5499C7", "bar_solid": True, "min_type": "num",
                               "min_value": 0, "max_type": "num", "max_value": 1}),
        _Cond("kpi_rate", {"type": "data_bar", "bar_color": "#63BE7B", "bar_solid": True, "min_type": "num",
                           "min_value": 0, "max_type": "num", "max_value": 1}),
    ]
    return table


def _ranked(period: model.PeriodDigest, missing: list[str], lang: Lang) -> Iterator[Row]:
    """The scoreboard's rows: departments in the period's rank order (compute.rank_departments), then
    the missing ones."""
    for rank, d in enumerate(period.departments, 1):
        yield _scoreboard_row(d, rank, lang)
    for name in missing:
        yield {"department": name, "status": text("missing", lang)}


def _scoreboard_row(d: model.DepartmentDigest, rank: int, lang: Lang) -> Row:
    return {
        "rank": rank, "department": d.department, "status": text("late" if d.late else "submitted", lang),
        "problems": d.problems, **{f"stage_{c.key}": n for c, n in zip(schema.STAGE.choices, d.stages, strict=True)},
        "p1_open": d.p1_open, "avg_stage": round(d.avg_stage or 0.0, 2), "avg_progress": d.progress or 0.0,
        "overdue_actions": d.overdue_actions, "kpis": d.kpis, "kpis_met": d.kpis_met, "kpi_rate": d.kpi_rate,
        "benefit": d.benefit, "errors": d.errors, "warnings": d.warnings, "submitted_on": d.submitted_on,
        "contact": d.contact, "contact_info": d.contact_info,
    }


def _trend(lang: Lang) -> _Table:
    stages, priorities = schema.STAGE.choices, schema.PRIORITY.choices
    cols = [
        _schema_col("info", "period", lang),
        *(_Col(k, text(k, lang), "int", 11) for k in ("departments", "problems", "new", "closed", "open",
                                                       "overdue_actions", "kpis", "kpis_met")),
        _Col("kpi_rate", text("kpi_rate", lang), "percent", 11), _Col("benefit", text("benefit", lang), "money", 16),
        *(_Col(f"stage_{c.key}", c.label(lang), "int", 12) for c in stages),
        *(_Col(f"priority_{c.key}", c.label(lang), "int", 12) for c in priorities),
    ]
    return _Table(text("trend", lang), "tbl_trend", cols)


def _trend_row(f: model.PeriodFigures) -> Row:
    row: Row = {k: getattr(f, k) for k in ("period", "departments", "problems", "new", "closed", "open",
                                           "overdue_actions", "kpis", "kpis_met", "benefit")}
    row["kpi_rate"] = f.kpis_met / f.kpis if f.kpis else None
    row |= {f"stage_{k}": v for k, v in f.by_stage.items()}
    row |= {f"priority_{k}": v for k, v in f.by_priority.items()}
    return row


def _issues(lang: Lang) -> _Table:
    severities = {"error": text("error", lang), "warning": text("warning", lang)}
    cols = [_schema_col("info", "department", lang), _schema_col("info", "period", lang),
            _Col("severity", text("severity", lang), "label", 10, severities),
            _Col("code", text("code", lang), "text", 18),
            _Col("file", text("file", lang), "text", 36), _Col("sheet", text("sheet", lang), "text", 14),
            _Col("cell", text("cell", lang), "text", 9), _Col("column", text("column", lang), "text", 14),
            _Col("value", text("value", lang), "text", 18), _Col("message", text("message", lang), "text", 70)]
    table = _Table(text("issues", lang), "tbl_issues", cols, freeze_cols=1)
    table.conditions.append(_Cond("severity", {"type": "cell", "criteria": "==", "value": f'"{severities["error"]}"'},
                                  "red"))
    return table


def _issue_row(issue: Issue, period: str, lang: Lang) -> Row:
    known = issue.code in CODES
    return {"department": issue.department, "period": issue.period or period, "severity": issue_severity(issue),
            "code": issue.code, "file": issue.file, "sheet": issue.sheet, "cell": issue.cell, "column": issue.column,
            "value": issue.value, "message": issue.message(lang) if known else issue.code}


# ---- figures ---------------------------------------------------------------------------------


def headline(result: model.PeriodResult) -> dict[str, Any]:
    """The dashboard's headline figures for the period (None when not recorded)."""
    period = period_digest([department_digest(d) for d in result.departments], general=result.issues)
    return _figures(period, result.outline)


def _figures(period: model.PeriodDigest, outline: model.PeriodOutline) -> dict[str, Any]:
    current = outline.figures
    departments = len(period.departments)
    return {
        "departments": departments, "expected": departments + len(outline.missing),
        "problems": period.problems, "new": current.new if current else None, "open": period.open,
        "closed": period.closed, "p1_open": period.p1_open, "actions": period.actions,
        "overdue_actions": period.overdue_actions, "kpis": period.kpis, "kpis_met": period.kpis_met,
        "kpi_rate": period.kpi_rate, "benefit": period.benefit,
        "solutions": period.solutions, "passing": period.passing, "failing": period.failing,
        "pass_rate": period.pass_rate, "errors": period.errors, "warnings": period.warnings,
        "by_stage": dict(zip(schema.STAGE.by_key, period.stages, strict=True)),
        "by_priority": dict(zip(schema.PRIORITY.by_key, period.priorities, strict=True)),
    }


_Cell = tuple[str, str, str]  # priority, impact, difficulty
_LEVEL = {c.key: i for i, c in enumerate(reversed(schema.LEVEL.choices), 1)}  # low 1 .. high 3


def _matrix(period: model.PeriodDigest) -> dict[_Cell, int]:
    """The period's problems per priority x impact x difficulty, the cells the chart can place."""
    return {(p, i, d): n for (p, i, d), n in period.matrix.items() if i in _LEVEL and d in _LEVEL}


# ---- dashboard -------------------------------------------------------------------------------

# Headline figures in two groups of label/value columns, then the two breakdowns, then notes.
_HEADLINE_GROUPS = (
    (0, ("departments", "expected", "problems", "new", "open", "closed", "p1_open", "actions", "overdue_actions")),
    (3, ("kpis", "kpis_met", "kpi_rate", "benefit", "solutions", "passing", "failing", "pass_rate", "errors",
         "warnings")),
)
_PERCENT_ROWS = frozenset({"kpi_rate", "pass_rate"})
_DASH_WIDTHS = (22, 11, 2, 20, 14, 2, 22, 8, 2, 22, 8, 16)
_DASH_TOP = 3  # first row of the figures block
_CHARTS_TOP = 15  # first row of the charts


@dataclass
class _Dash:
    """Where the dashboard put the figures the charts read."""

    sheet: _SmallSheet
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    priority_at: tuple[int, int, int] = (0, 0, 0)  # first row, last row, label column


class _SmallSheet:
    """A small sheet's cells (dashboard, chart data): writes are replayed in row order, as constant_memory
    needs, and their values kept to fill the charts' caches (xlsxwriter cannot read them back in that mode)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.name = ws.get_name()
        self._values: dict[tuple[int, int], Any] = {}
        self._writes: list[tuple[int, Callable[[], object]]] = []

    def write_string(self, row: int, col: int, value: str, fmt: Format | None = None) -> None:
        self._values[row, col] = value
        self._writes.append((row, partial(self.ws.write_string, row, col, value, fmt)))

    def write_number(self, row: int, col: int, value: float, fmt: Format | None = None) -> None:
        self._values[row, col] = value
        self._writes.append((row, partial(self.ws.write_number, row, col, value, fmt)))

    def merge_range(self, row: int, first: int, last: int, value: str, fmt: Format) -> None:
        """Merge `first`..`last` columns of one row."""
        self._values[row, first] = value
        self._writes.append((row, partial(self.ws.merge_range, row, first, row, last, value, fmt)))

    def flush(self) -> None:
        for _, write in sorted(self._writes, key=lambda w: w[0]):  # stable: a row's writes keep their order
            write()
        self._writes.clear()

    def ref(self, first_row: int, first_col: int, last_row: int | None = None, last_col: int | None = None
            ) -> dict[str, Any]:
        """A chart range on this sheet with its cached values (row by row; None where blank)."""
        last_row, last_col = first_row if last_row is None else last_row, first_col if last_col is None else last_col
        values = [self._values.get((r, c)) for r in range(first_row, last_row + 1)
                  for c in range(first_col, last_col + 1)]
        return {"ref": [self.name, first_row, first_col, last_row, last_col], "data": values}


def _write_dashboard(book: Workbook, ws: Worksheet, outline: model.PeriodOutline, period: model.PeriodDigest,
                     styles: _Styles, *, trend: _TableSheet, data: _ChartData) -> None:
    """The first sheet: headline figures, breakdowns, missing and late departments, then the charts."""
    lang = styles.lang
    figures = _figures(period, outline)
    ws.hide_gridlines(2)
    for c, width in enumerate(_DASH_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_row(0, 26)
    cells = _SmallSheet(ws)
    cells.write_string(0, 0, f"{text('title', lang)} {outline.period}", styles.title)
    cells.write_string(1, 0, _subtitle(outline, lang), styles.subtitle)
    dash = _Dash(cells)
    _write_headline(cells, figures, styles, dash, top=_DASH_TOP)
    _write_breakdown(cells, figures, styles, dash, top=_DASH_TOP)
    _write_notes(cells, outline.missing, period.late, styles, top=_DASH_TOP + 6, col=9)
    cells.flush()
    trend_rows = [_trend_row(f) for f in outline.trend]
    last_row = _insert_charts(book, ws, dash, data, (trend, trend_rows), figures, styles, top=_CHARTS_TOP)
    ws.print_area(0, 0, last_row, len(_DASH_WIDTHS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.activate()


def _subtitle(outline: model.PeriodOutline, lang: Lang) -> str:
    made = outline.generated_on or date.today()
    period = schema.column_label("info", "period", lang)
    return f"{period}: {outline.period}    {text('generated', lang)}: {made.isoformat()}"


def _write_headline(ws: _SmallSheet, figures: dict[str, Any], styles: _Styles, dash: _Dash, *, top: int) -> None:
    lang = styles.lang
    for col, keys in _HEADLINE_GROUPS:
        ws.write_string(top, col, text("figure", lang), styles.heading)
        ws.write_string(top, col + 1, text("value", lang), styles.heading)
        for i, key in enumerate(keys, start=top + 1):
            ws.write_string(i, col, text(key, lang), styles.label)
            value = figures[key]
            if value is None:
                ws.write_string(i, col + 1, "—", styles.figure_text)
            else:
                ws.write_number(i, col + 1, value, styles.figure_pct if key in _PERCENT_ROWS else styles.figure)
            dash.cells[key] = (i, col + 1)


def _write_breakdown(ws: _SmallSheet, figures: dict[str, Any], styles: _Styles, dash: _Dash, *, top: int) -> None:
    lang = styles.lang
    for col, key, enum, counts in ((6, "by_stage", schema.STAGE, figures["by_stage"]),
                                   (9, "by_priority", schema.PRIORITY, figures["by_priority"])):
        ws.write_string(top, col, text(key, lang), styles.heading)
        ws.write_string(top, col + 1, text("count", lang), styles.heading)
        for i, choice in enumerate(enum.choices, start=top + 1):
            ws.write_string(i, col, choice.label(lang), styles.label)
            ws.write_number(i, col + 1, counts[choice.key], styles.figure)
        if key == "by_priority":
            dash.priority_at = (top + 1, top + len(enum.choices), col)


def _write_notes(ws: _SmallSheet, missing: list[str], late: list[str], styles: _Styles, *, top: int,
                 col: int) -> None:
    """Missing and late departments, named."""
    lang = styles.lang
    sep = "、" if lang == "zh" else ", "
    for i, (key, names) in enumerate((("missing", missing), ("late", late))):
        ws.merge_range(top + 2 * i, col, col + 2, text(key, lang), styles.heading)
        ws.merge_range(top + 2 * i + 1, col, col + 2, "", styles.label)
        _write_text(ws, top + 2 * i + 1, col, sep.join(names) or "—", styles)


_Points = dict[str, list[tuple[int, int, int, int]]]  # priority -> [(sheet row, x, y, problems)]


@dataclass(frozen=True)
class _ChartData:
    sheet: _SmallSheet
    departments: int  # rows of the department x stage block (from row 1)
    most: int  # the largest department's problem count
    truncated: bool  # more departments than the chart shows
    matrix: _Points


def _write_chart_data(book: Workbook, top: list[model.DepartmentDigest], departments: int,
                      matrix: dict[_Cell, int], styles: _Styles) -> _ChartData:
    """A hidden sheet with what the charts plot that no visible sheet holds in that shape."""
    lang = styles.lang
    ws = book.add_worksheet(text("chart_data", lang))
    ws.hide()
    cells = _SmallSheet(ws)
    cells.write_string(0, 0, schema.column_label("info", "department", lang))
    for j, choice in enumerate(schema.STAGE.choices, 1):
        cells.write_string(0, j, choice.label(lang))
    for i, d in enumerate(top, 1):
        _write_text(cells, i, 0, d.department, styles)
        for j, n in enumerate(d.stages, 1):
            cells.write_number(i, j, n)
    most = max((d.problems for d in top), default=0)
    truncated = departments > len(top)
    points = _write_matrix(cells, matrix, start=len(top) + 3)
    cells.flush()
    return _ChartData(cells, len(top), most, truncated, points)


def _write_matrix(ws: _SmallSheet, cells: dict[_Cell, int], *, start: int) -> _Points:
    """One point per impact x difficulty cell that holds problems, grouped by the cell's priority."""
    points: _Points = {}
    for r, ((priority, impact, difficulty), n) in enumerate(sorted(cells.items()), start=start):
        ws.write_string(r, 0, priority)
        ws.write_number(r, 1, _LEVEL[difficulty])
        ws.write_number(r, 2, _LEVEL[impact])
        ws.write_number(r, 3, n)
        points.setdefault(priority, []).append((r, _LEVEL[difficulty], _LEVEL[impact], n))
    return points


def _font(styles: _Styles, size: int = 9, **extra: Any) -> dict[str, Any]:
    return {"name": styles.font, "size": size, **extra}


def _series(chart: Any, options: dict[str, Any], **ranges: dict[str, Any]) -> None:
    """chart.add_series, with each range ("name", "categories", "values") as a `_SmallSheet.ref`: its
    values go in the chart's cache, which xlsxwriter leaves empty in constant_memory mode."""
    for key, ref in ranges.items():
        options |= {key: ref["ref"], f"{key}_data": ref["data"]}
    chart.add_series(options)


def _chart(book: Workbook, kind: str, title: str, styles: _Styles, **options: Any) -> Any:
    chart = book.add_chart({"type": kind, **options})
    chart.set_title({"name": title, "name_font": _font(styles, 11, bold=True)})
    chart.set_legend({"position": "bottom", "font": _font(styles)})
    chart.set_chartarea({"border": {"color": "#BBBBBB"}})
    return chart


# Chart grid on the dashboard, in pixels: (band, left x, width, height). Band 0 shares the first
# page with the figures; bands 1 and 2 make the second page.
_LAYOUT = {"stage": (0, 0, 640, 340), "priority": (0, 660, 410, 340), "trend": (1, 0, 640, 300),
           "pass": (1, 660, 410, 300), "matrix": (2, 0, 640, 400)}
_ROW_PX = 20


def _insert_charts(book: Workbook, ws: Worksheet, dash: _Dash, data: _ChartData, trend: tuple[_TableSheet, list[Row]],
                   figures: dict[str, Any], styles: _Styles, *, top: int) -> int:
    """Place the charts in bands from row `top`; returns the last row they cover."""
    charts = {"stage": _stage_chart(book, data, styles), "priority": _priority_chart(book, dash, styles),
              "trend": _trend_chart(book, trend, styles), "pass": _pass_chart(book, dash, figures, styles),
              "matrix": _matrix_chart(book, data, styles)}
    heights = [max(h for b, _, _, h in _LAYOUT.values() if b == band) for band in range(3)]
    starts = [top]
    for h in heights:
        starts.append(starts[-1] + -(-(h + 10) // _ROW_PX))
    for key, (band, x, width, height) in _LAYOUT.items():
        ws.insert_chart(starts[band], 0, charts[key], {"x_offset": x, "y_offset": 4, "object_position": 3,
                                                      "x_scale": width / 480, "y_scale": height / 288})
    ws.set_h_pagebreaks([starts[1]])
    return starts[-1]


def _stage_chart(book: Workbook, data: _ChartData, styles: _Styles) -> Any:
    lang = styles.lang
    title = text("chart_stage_dept", lang)
    if data.truncated:
        top = text("top", lang).format(n=_TOP_DEPARTMENTS)
        title += f"({top})" if lang == "zh" else f" ({top})"
    chart = _chart(book, "column", title, styles, subtype="stacked")
    n, cells = max(data.departments, 1), data.sheet
    for j, colour in enumerate(_STAGE_COLOURS, 1):
        _series(chart, {"fill": {"color": colour}, "gap": 60},
                name=cells.ref(0, j), categories=cells.ref(1, 0, n, 0), values=cells.ref(1, j, n, j))
    chart.set_x_axis({"num_font": _font(styles, 8, rotation=-30)})
    chart.set_y_axis({"num_font": _font(styles), "num_format": "0", "min": 0, "major_unit": max(1, -(-data.most // 6)),
                      "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})
    return chart


def _priority_chart(book: Workbook, dash: _Dash, styles: _Styles) -> Any:
    chart = _chart(book, "pie", text("chart_priority", styles.lang), styles)
    first, last, col = dash.priority_at
    _series(chart, {
        "name": text("chart_priority", styles.lang),
        "points": [{"fill": {"color": c}} for c in _PRIORITY_COLOURS.values()],
        "data_labels": {"value": True, "percentage": True, "separator": "\n", "font": _font(styles, 9, bold=True)},
    }, categories=dash.sheet.ref(first, col, last, col), values=dash.sheet.ref(first, col + 1, last, col + 1))
    return chart


def _trend_chart(book: Workbook, trend: tuple[_TableSheet, list[Row]], styles: _Styles) -> Any:
    """The trend sheet's figures by period; `trend` is the sheet and the rows written to it."""
    chart = _chart(book, "line", text("chart_trend", styles.lang), styles)
    sheet, rows = trend
    n = max(sheet.rows, 1)
    columns = sheet.spec.columns
    name = sheet.spec.name

    def ref(c: int) -> dict[str, Any]:
        return {"ref": [name, 1, c, n, c], "data": [r.get(columns[c].key) for r in rows] or [None]}
    colours = {"problems": "#1B4F72", "open": "#E67E22", "closed": "#27AE60", "overdue_actions": "#C0392B",
               "kpis_met": "#8E44AD"}
    for key, colour in colours.items():
        c = next(i for i, col in enumerate(columns) if col.key == key)
        _series(chart, {"line": {"color": colour, "width": 2.25},
                        "marker": {"type": "circle", "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
                        **({"data_labels": {"value": True, "position": "above", "font": _font(styles, 8)}}
                           if key == "problems" else {})},
                name={"ref": [name, 0, c], "data": [columns[c].header]}, categories=ref(0), values=ref(c))
    chart.set_x_axis({"num_font": _font(styles)})
    chart.set_y_axis({"num_font": _font(styles), "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})
    return chart


def _pass_chart(book: Workbook, dash: _Dash, figures: dict[str, Any], styles: _Styles) -> Any:
    lang = styles.lang
    rate = figures["pass_rate"]
    title = f"{text('chart_pass', lang)} {rate:.0%}" if rate is not None else text("chart_pass", lang)
    chart = _chart(book, "doughnut", title, styles)
    (r1, c), (r2, _) = dash.cells["passing"], dash.cells["failing"]
    _series(chart, {
        "name": text("chart_pass", lang),
        "points": [{"fill": {"color": "#27AE60"}}, {"fill": {"color": "#C0392B"}}],
        "data_labels": {"value": True, "percentage": True, "separator": "\n", "font": _font(styles, 9, bold=True)},
    }, categories=dash.sheet.ref(r1, c - 1, r2, c - 1), values=dash.sheet.ref(r1, c, r2, c))
    chart.set_hole_size(50)
    return chart


def _matrix_chart(book: Workbook, data: _ChartData, styles: _Styles) -> Any:
    lang = styles.lang
    chart = _chart(book, "scatter", text("chart_matrix", lang), styles)
    for priority, points in sorted(data.matrix.items()):
        first, last = points[0][0], points[-1][0]
        colour = _PRIORITY_COLOURS.get(priority, "#777777")
        _series(chart, {
            "name": schema.PRIORITY.label(priority, lang) if priority in schema.PRIORITY.by_key else priority,
            "marker": {"type": "circle", "size": 22, "fill": {"color": colour}, "border": {"color": "#FFFFFF"}},
            "data_labels": {"custom": [{"value": str(n)} for _, _, _, n in points],
                            "position": "center", "font": _font(styles, 9, bold=True, color="#FFFFFF")},
        }, categories=data.sheet.ref(first, 1, last, 1), values=data.sheet.ref(first, 2, last, 2))
    if not data.matrix:  # no problems: an empty series keeps the chart (and the file) valid
        _series(chart, {}, categories=data.sheet.ref(0, 8), values=data.sheet.ref(0, 9))
    grid = {"visible": True, "line": {"color": "#BBBBBB"}}
    axis = {"min": 0.5, "max": 3.5, "major_unit": 1, "label_position": "none", "major_gridlines": grid}
    chart.set_x_axis({**axis, "name": text("axis_difficulty", lang), "name_font": _font(styles, 9)})
    chart.set_y_axis({**axis, "name": text("axis_impact", lang), "name_font": _font(styles, 9)})
    return chart

