"""The issue codes of single cells: required, typed as the column's type, within its choices."""

from __future__ import annotations

from ci_excel.issues.code import CodeRow

CELL_CODES: tuple[CodeRow, ...] = (
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
)
