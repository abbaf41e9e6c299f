"""The issue codes of a run and of whole files and sheets: unreadable, unsafe, unrecognised, misplaced."""

from __future__ import annotations

from ci_excel.issues.code import CodeRow

FILE_CODES: tuple[CodeRow, ...] = (
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
)
