"""Issues are values: a finding about one cell (or file), with a stable code and a fix-it message.

Every code lives in `CODES`, the one table the docs list. Messages are templates filled from
the issue's `params`, rendered in zh or en on demand, so a stored issue can be shown in either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ci_excel.schema import Lang
from ci_excel.text import pick

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class IssueCode:
    """One kind of finding: its severity and its message in both languages."""

    code: str
    severity: Severity
    zh: str
    en: str


def _codes(*rows: tuple[str, Severity, str, str]) -> dict[str, IssueCode]:
    return {r[0]: IssueCode(*r) for r in rows}


# code, severity, zh template, en template. Templates use {value}, {column}, {sheet}, {file}
# and the issue's own params. Add a code here, never inline a message elsewhere.
CODES: dict[str, IssueCode] = _codes(
    (
        "file-unreadable",
        "error",
        "无法读取文件:{reason}。请用 Excel 另存为 .xlsx 后重新提交。",
        "The file cannot be read: {reason}. Save it again as .xlsx in Excel and resubmit.",
    ),
    (
        "other-period",
        "warning",
        "此文件填报期间为 {value},不是本次汇总的 {period},未纳入本期。请确认填报信息中的期间。",
        "This file is for period {value}, not {period}; it was left out of this run. "
        "Check the period on the info sheet.",
    ),
    (
        "output-failed",
        "error",
        "未能生成{output}:{reason}。数据已校验并入库;请把此消息转给 PMO 的 ci-excel 维护人员。",
        "{output} could not be written: {reason}. The data was validated and stored; pass this message to the "
        "PMO's ci-excel maintainer.",
    ),
    # Reading (ci_excel.reading / validation): files that cannot be read at all.
    (
        "file-not-workbook",
        "error",
        "文件 {file} 不是 Excel/ODS 工作簿。请用模板填写并另存为 .xlsx 后重新提交。",
        "{file} is not an Excel/ODS workbook. Fill in the template and save it as .xlsx, then resubmit.",
    ),
    (
        "file-corrupt",
        "error",
        "文件 {file} 已损坏或不完整({reason})。请在 Excel 中打开并另存为 .xlsx 后重新提交。",
        "{file} is corrupt or incomplete ({reason}). Open it in Excel, save it as .xlsx and resubmit.",
    ),
    (
        "file-encrypted",
        "error",
        "文件 {file} 设置了打开密码,无法读取。请在 Excel 中取消密码(文件 > 信息 > 保护工作簿)后重新提交。",
        "{file} is password-protected. Remove the password in Excel (File > Info > Protect Workbook) and resubmit.",
    ),
    (
        "file-bomb",
        "error",
        "文件 {file} 解压后异常巨大({reason}),为安全起见拒绝读取。请只提交模板内容,另存为 .xlsx 后重新提交。",
        "{file} expands to an abnormal size ({reason}) and was refused for safety. Submit only the template "
        "content saved as .xlsx.",
    ),
    (
        "file-xml-forbidden",
        "error",
        "文件 {file} 内含不允许的 XML 声明({reason}),为安全起见拒绝读取。请用 Excel 另存为 .xlsx 后重新提交。",
        "{file} contains a forbidden XML declaration ({reason}) and was refused for safety. Save it again as "
        ".xlsx in Excel and resubmit.",
    ),
    (
        "file-limit",
        "error",
        "文件 {file} 超出了单个文件的读取上限({reason}),未能读取。请只保留模板中的数据(删除多余的行、列和工作表),"
        "另存为 .xlsx 后重新提交。",
        "{file} exceeds what one file may take to read ({reason}) and was not read. Keep only the template's data "
        "(delete extra rows, columns and sheets), save it as .xlsx and resubmit.",
    ),
    (
        "file-extension",
        "warning",
        "文件 {file} 的扩展名与内容不符:实际是 {kind} 文件,已按 {kind} 读取。请以正确的扩展名保存(建议 .xlsx)。",
        "{file} is named like another type: it is really a {kind} file and was read as one. Save it with the right "
        "extension (preferably .xlsx).",
    ),
    (
        "file-skipped",
        "warning",
        "未读取 {file}:{reason}。如这是要提交的工作簿,请把文件本身(而不是链接)放入提交文件夹。",
        "{file} was not read: {reason}. If it is a workbook to submit, put the file itself (not a link) in the "
        "submissions folder.",
    ),
    (
        "file-unsupported",
        "error",
        "文件 {file} 是 {kind} 格式,ci-excel 不读取此格式。请把数据填入 PMO 下发的模板,另存为 .xlsx 后重新提交。",
        "{file} is a {kind} file, a format ci-excel does not read. Put the data into the PMO's template, save it as "
        ".xlsx and resubmit.",
    ),
    (
        "sheet-too-large",
        "error",
        "工作表「{sheet}」有 {rows} 行数据,超过上限 {limit} 行,未读取。请删除模板表格以外的行后重新提交。",
        "Sheet '{sheet}' holds {rows} rows of data, more than the {limit} a register may have, and was not read. "
        "Delete the rows that are not part of the register and resubmit.",
    ),
    (
        "cells-outside",
        "warning",
        "工作表「{sheet}」在表格范围之外还有内容(如 {cell}:「{value}」),已忽略。请删除这些单元格的内容。",
        "Sheet '{sheet}' has content far outside the table (e.g. {cell}: '{value}'); it was ignored. Clear those "
        "cells.",
    ),
    (
        "cell-corrupt",
        "error",
        "{sheet}!{cell} 的存储内容已损坏({reason}),无法读取。请重新填写该单元格后保存。",
        "{sheet}!{cell} is stored damaged ({reason}) and cannot be read. Type its value again and save.",
    ),
    (
        "sheet-unreadable",
        "error",
        "工作表「{sheet}」无法读取:{reason}。请复制内容到新的模板工作表后重新提交。",
        "Sheet '{sheet}' cannot be read: {reason}. Copy its content into a fresh template sheet and resubmit.",
    ),
    (
        "not-template",
        "error",
        "文件 {file} 不是 ci-excel 模板(工作表:{sheets})。请使用 PMO 下发的模板填写。",
        "{file} is not a ci-excel template (sheets: {sheets}). Fill in the template the PMO sent.",
    ),
    (
        "info-missing",
        "error",
        "缺少「{sheet_zh}」工作表,无法确定部门和期间。请从模板复制该表并填写部门与填报期间。",
        "The '{sheet_en}' sheet is missing, so department and period are unknown. Copy it from the template and "
        "fill in department and period.",
    ),
    (
        "info-label-missing",
        "error",
        "「{sheet}」表中找不到「{label_zh}」一行。请在 A 列写「{label_zh}」,在 B 列填写内容。",
        "The '{sheet}' sheet has no '{label_en}' line. Put '{label_en}' in column A and its value in column B.",
    ),
    (
        "template-version",
        "warning",
        "此文件来自模板版本 {found},当前版本为 {current};已按表头读取。下次请使用最新模板。",
        "This file comes from template version {found}; the current one is {current}. It was read by its headers; "
        "use the current template next time.",
    ),
    (
        "sheet-unknown",
        "warning",
        "工作表「{sheet}」不属于模板,已忽略。如其中有需要上报的数据,请移到对应的模板工作表。",
        "Sheet '{sheet}' is not part of the template and was ignored. Move any data to be reported into the "
        "matching template sheet.",
    ),
    (
        "sheet-duplicate",
        "error",
        "工作表「{sheet}」在同一部门同一期间由两个文件提供:{first} 和 {second}。已采用 {first};"
        "请删除其中一个文件里的该表数据。",
        "Sheet '{sheet}' is given for the same department and period by two files: {first} and {second}. {first} "
        "was used; remove the sheet's rows from one of them.",
    ),
    (
        "sheet-rejected",
        "error",
        "工作表「{sheet}」缺少必填列,其 {rows} 行数据均未采用。请补上缺少的列后重新提交。",
        "Sheet '{sheet}' lacks a required column, so none of its {rows} rows were used. Add the missing column and "
        "resubmit.",
    ),
    (
        "header-not-found",
        "error",
        "工作表「{sheet}」前 {rows} 行中找不到表头。请恢复模板的表头行(第1行)。",
        "No header row found in the first {rows} rows of sheet '{sheet}'. Restore the template's header row (row 1).",
    ),
    (
        "column-missing",
        "error",
        "工作表「{sheet}」缺少必填列「{header_zh}」。请在表头行({cell}所在行)加回该列。",
        "Sheet '{sheet}' lacks the required column '{header_en}'. Add it back to the header row (the row of {cell}).",
    ),
    (
        "column-missing-optional",
        "warning",
        "工作表「{sheet}」缺少可选列「{header_zh}」,该列视为空白。建议使用最新模板。",
        "Sheet '{sheet}' lacks the optional column '{header_en}'; it is read as blank. Use the current template.",
    ),
    (
        "column-unknown",
        "warning",
        "{sheet}!{cell} 的表头「{column}」不是模板列,该列已忽略。如是模板列,请改回模板中的名称。",
        "Header '{column}' at {sheet}!{cell} is not a template column and was ignored. If it is one, restore the "
        "template's name.",
    ),
    (
        "column-duplicate",
        "warning",
        "{sheet}!{cell} 的列「{column}」与 {first} 重复,只读取第一列。请删除重复的列。",
        "Column '{column}' at {sheet}!{cell} repeats {first}; only the first is read. Delete the duplicate column.",
    ),
    (
        "example-row",
        "warning",
        "{sheet} 第 {line} 行({cell})仍是模板的示例行,已忽略。请删除该示例行。",
        "Row {line} of {sheet} ({cell}) is still the template's example row and was ignored. Delete the example row.",
    ),
    # Cell values.
    (
        "required",
        "error",
        "{sheet}!{cell}「{column}」为必填项,请填写。",
        "{sheet}!{cell} ({column}) is required: fill it in.",
    ),
    (
        "not-number",
        "error",
        "{sheet}!{cell}「{column}」应为数字,现为「{value}」。请只填写数字,如 1200 或 3.5。",
        "{sheet}!{cell} ({column}) must be a number, not '{value}'. Type a number only, e.g. 1200 or 3.5.",
    ),
    (
        "not-integer",
        "error",
        "{sheet}!{cell}「{column}」应为整数,现为「{value}」。请填写整数,如 10。",
        "{sheet}!{cell} ({column}) must be a whole number, not '{value}'. Type e.g. 10.",
    ),
    (
        "not-percent",
        "error",
        "{sheet}!{cell}「{column}」应为百分比,现为「{value}」。请填写如 80% 或 0.8。",
        "{sheet}!{cell} ({column}) must be a percentage, not '{value}'. Type e.g. 80% or 0.8.",
    ),
    (
        "value-not-finite",
        "error",
        "{sheet}!{cell}「{column}」的值「{value}」不是有限的数字(NaN 或无穷大)。请填写一个普通数字,如 1200 或 3.5。",
        "{sheet}!{cell} ({column}) holds '{value}', which is not a finite number (NaN or infinity). Type a plain "
        "number, e.g. 1200 or 3.5.",
    ),
    (
        "out-of-range",
        "error",
        "{sheet}!{cell}「{column}」的值 {value} 超出范围 {low} 至 {high}。请填写范围内的值。",
        "{sheet}!{cell} ({column}) is {value}, outside {low} to {high}. Type a value in that range.",
    ),
    (
        "not-date",
        "error",
        "{sheet}!{cell}「{column}」应为日期,现为「{value}」。请填写如 2026-11-03。",
        "{sheet}!{cell} ({column}) must be a date, not '{value}'. Type e.g. 2026-11-03.",
    ),
    (
        "not-period",
        "error",
        "{sheet}!{cell}「{column}」应为年月,现为「{value}」。请填写如 2026-11。",
        "{sheet}!{cell} ({column}) must be a month, not '{value}'. Type e.g. 2026-11.",
    ),
    (
        "enum-invalid",
        "error",
        "{sheet}!{cell}「{column}」的值「{value}」不在可选项中。请从下拉列表选择:{allowed_zh}。",
        "{sheet}!{cell} ({column}): '{value}' is not an allowed value. Pick one from the list: {allowed_en}.",
    ),
    (
        "bool-invalid",
        "error",
        "{sheet}!{cell}「{column}」只能填「是」或「否」,现为「{value}」。",
        "{sheet}!{cell} ({column}) must be Yes or No, not '{value}'.",
    ),
    (
        "formula-no-value",
        "error",
        "{sheet}!{cell}「{column}」是公式,但文件中没有计算结果。请在 Excel 中打开、确认计算后保存,或直接填写数值。",
        "{sheet}!{cell} ({column}) holds a formula with no calculated value saved. Open the file in Excel, let it "
        "calculate and save, or type the value.",
    ),
    (
        "formula-no-value-optional",
        "warning",
        "{sheet}!{cell}「{column}」是公式,但文件中没有计算结果,按空白处理。请在 Excel 中打开并保存以更新计算结果。",
        "{sheet}!{cell} ({column}) holds a formula with no calculated value saved; it was read as blank. Open and "
        "save the file in Excel to store the result.",
    ),
    (
        "formula-error",
        "error",
        "{sheet}!{cell}「{column}」的公式结果为错误值 {value}。请修正公式或直接填写数值。",
        "{sheet}!{cell} ({column}) shows the error {value}. Fix the formula or type the value.",
    ),
    # Rules within a row.
    (
        "quantification-no-number",
        "warning",
        "{sheet}!{cell}「{column}」没有数字。请量化影响,如「时效延长2小时」。",
        "{sheet}!{cell} ({column}) has no number. Quantify the effect, e.g. 'takes 2 hours longer'.",
    ),
    (
        "why-gap",
        "error",
        "{sheet}!{cell}「{column}」为空,但后面的 {next_why} 已填写。5Why 不可跳层,请补上这一层。",
        "{sheet}!{cell} ({column}) is empty while {next_why} is filled. Five whys have no gaps: fill this level.",
    ),
    (
        "why-shallow",
        "warning",
        "{sheet}!{cell} 的 5Why 只追问了 {depth} 层。请继续追问直到找到根本原因(通常3-5层)。",
        "The five whys at {sheet}!{cell} stop after {depth} level(s). Keep asking why until the root cause is "
        "reached (usually 3-5).",
    ),
    (
        "root-id-required",
        "error",
        "{sheet}!{cell}「{column}」:「是否根因」为「是」时必须填写根因编号(已有编号或新编号)。",
        "{sheet}!{cell} ({column}): a root-cause row needs a Root cause ID (an existing one or a new one).",
    ),
    (
        "total-mismatch",
        "warning",
        "{sheet}!{cell}「{column}」为 {value},但四项评分之和为 {computed};已按 {computed} 计算。请恢复模板的总分公式。",
        "{sheet}!{cell} ({column}) is {value} but the four scores add up to {computed}; {computed} was used. Restore "
        "the template's total formula.",
    ),
    (
        "due-before-start",
        "error",
        "{sheet}!{cell}「{column}」{value} 早于计划开始 {start}。请修正日期。",
        "{sheet}!{cell} ({column}) {value} is before the planned start {start}. Correct the dates.",
    ),
    (
        "finish-date-required",
        "error",
        "{sheet}!{cell}「{column}」:状态为「已完成」时必须填写实际完成日期。",
        "{sheet}!{cell} ({column}): a Done action needs its finish date.",
    ),
    (
        "finish-date-unexpected",
        "warning",
        "{sheet}!{cell}「{column}」已填写 {value},但状态不是「已完成」。请更新状态或删除该日期。",
        "{sheet}!{cell} ({column}) is {value} but the status is not Done. Update the status or clear the date.",
    ),
    (
        "done-not-complete",
        "warning",
        "{sheet}!{cell}「{column}」为 {share_text},但状态为「已完成」。请把进度改为 100% 或更新状态。",
        "{sheet}!{cell} ({column}) is {share_text} but the status is Done. Set it to 100% or update the status.",
    ),
    (
        "baseline-equals-target",
        "error",
        "{sheet}!{cell}「{column}」{value} 与基线值相同。目标值必须不同于基线值。",
        "{sheet}!{cell} ({column}) {value} equals the baseline. The target must differ from the baseline.",
    ),
    (
        "percent-scale-mixed",
        "warning",
        "{sheet}!{cell}「{column}」写成了百分比 {value}(按 {fraction} 读取),但同一行的 {others} 是普通数字;"
        "两种写法混用会算错达成率。请统一写法:都写百分比(如 60%、80%)或都写普通数字(如 60、80)。",
        "{sheet}!{cell} ({column}) is typed as a percent, {value} (read as {fraction}), but {others} in the same row "
        "is a plain number; mixing the two gives a wrong achievement. Write them the same way: all as percents "
        "(60%, 80%) or all as plain numbers (60, 80).",
    ),
    # Rules across sheets (merge).
    (
        "duplicate-id",
        "error",
        "{sheet}!{cell}「{column}」{value} 重复(首次出现在 {first})。编号在部门内必须唯一,请改用新编号。",
        "{sheet}!{cell} ({column}) {value} is a duplicate (first at {first}). Ids are unique in a department: use a "
        "new one.",
    ),
    (
        "duplicate-progress",
        "error",
        "{sheet}!{cell}「{column}」{value} 已在 {first} 行填写过进度。每个行动只保留一行最新状态。",
        "{sheet}!{cell} ({column}) {value} already has a progress row ({first}). Keep one row per action, its latest "
        "state.",
    ),
    (
        "ref-missing",
        "error",
        "{sheet}!{cell}「{column}」{value} 在「{target_zh}」表中不存在。请填写该表中已有的编号。",
        "{sheet}!{cell} ({column}) {value} does not exist in '{target_en}'. Use an id from that sheet.",
    ),
    (
        "ref-rejected",
        "error",
        "{sheet}!{cell}「{column}」{value} 所指的「{target_zh}」行有错误,本行一并未采用。请先修正那一行。",
        "{sheet}!{cell} ({column}) {value} points at a row of '{target_en}' that has errors, so this row was not "
        "used either. Fix that row first.",
    ),
    (
        "below-threshold",
        "warning",
        "{sheet}!{cell}:已采纳的方案总分 {total} 低于门槛 {threshold}。请确认是否采纳,或改选达标方案。",
        "{sheet}!{cell}: the selected solution scores {total}, below the threshold {threshold}. Confirm the choice or "
        "select a passing solution.",
    ),
    (
        "closed-kpi-missed",
        "warning",
        "{sheet}!{cell}:问题 {problem} 已标记关闭,但指标 {kpis} 未达到目标。请确认效果后再关闭。",
        "{sheet}!{cell}: problem {problem} is marked closed but KPI {kpis} missed its target. Confirm the effect "
        "before closing.",
    ),
)


@dataclass(frozen=True)
class Issue:
    """A finding at a place: file, sheet (as named in the workbook), cell (A1) and column header."""

    code: str
    file: str
    sheet: str = ""
    cell: str = ""
    column: str = ""
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    department: str = ""
    period: str = ""
    row: int | None = None  # sheet row number, for row-level exclusion

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, lang: Lang = "zh") -> str:
        spec = CODES[self.code]
        template = pick(lang, spec.zh, spec.en)
        fields = {"value": self.value, "column": self.column, "sheet": self.sheet, "file": self.file}
        return template.format_map(_Default(fields | self.params))

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
            "department": self.department,
            "period": self.period,
        }


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def flatten(issues: list[Issue], keys: list[str]) -> list[list[Any]]:
    """Issues as a table of the chosen fields, e.g. flatten(issues, ["cell", "code"])."""
    return [[getattr(i, k) for k in keys] for i in issues]
