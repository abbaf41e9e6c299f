"""The web app's own words in both languages: its pages' frame, buttons and explanations.

Everything the pages share with the other outputs comes from there, so a concept reads the same
in the Word reports, the summary workbook and the pages: words from the text catalogue
(`ci_excel.text.PHRASES`: sheet, cell, 数据错误, 已关闭, 逾期行动 ...), headers, stages and
priorities from the schema, findings from `issues.CODES`. A key is in one table or the other.
"""

from __future__ import annotations

from typing import Any

from ci_excel.schema import Lang
from ci_excel.text import PHRASES, phrase, pick

TEXT: dict[str, tuple[str, str]] = {
    "app": ("持续改进填报", "Continuous improvement submissions"),
    "lang_other": ("English", "中文"),
    "logout": ("退出", "Sign out"),
    "period_field": ("填报期间", "Period"),
    "show": ("查看", "Show"),
    # department page
    "dept_title": ("{department} · {period} 填报", "{department} · {period} submission"),
    "step_download": ("1. 下载模板", "1. Download a template"),
    "blank_register": ("空白登记册(中文)", "Blank register (Chinese)"),
    "blank_register_en": ("空白登记册(英文)", "Blank register (English)"),
    "prefilled": (
        "预填登记册:{problems} 个未关闭问题,来自 {source}",
        "Pre-filled register: {problems} open problems from {source}",
    ),
    "prefilled_none": (
        "预填登记册(尚无历史数据,仅含填报信息)",
        "Pre-filled register (no history yet: the info sheet only)",
    ),
    "step_upload": ("2. 上传并检查", "2. Upload and check"),
    "upload_hint": (
        "把工作簿拖到这里,或选择文件后点击上传。每次上传都会立即校验;可以反复上传,直到没有错误。",
        "Drop your workbook here, or choose it and press Upload. Each upload is checked at once; "
        "upload again until no error is left.",
    ),
    "choose": ("选择文件", "Choose a file"),
    "upload": ("上传并检查", "Upload and check"),
    "accepted": (
        "接受 .xlsx、.xlsm、.xls、.ods,不超过 {mb} MB。",
        "Accepted: .xlsx, .xlsm, .xls, .ods, at most {mb} MB.",
    ),
    "step_history": ("3. 我的上传记录", "3. My uploads"),
    "no_uploads": ("本期尚未上传。", "Nothing uploaded for this period yet."),
    "version": ("版本", "Version"),
    "uploaded_at": ("上传时间", "Uploaded"),
    "result": ("结果", "Result"),
    "findings": ("查看结果", "Findings"),
    "submission_note": (
        "最新一次上传即本部门本期的正式提交。",
        "Your latest upload is your department's submission for the period.",
    ),
    # one upload
    "version_title": ("第 {n} 版:{file}", "Version {n}: {file}"),
    "status_clean": ("通过:没有发现问题。", "Clean: no issue found."),
    "status_warnings": (
        "通过,但有 {warnings} 个警告:请看下表,能改则改。",
        "Accepted with {warnings} warnings: see the table below and fix what you can.",
    ),
    "status_errors": (
        "有 {errors} 个错误、{warnings} 个警告:请按下表修改后重新上传。",
        "{errors} errors and {warnings} warnings: fix them as the table says and upload again.",
    ),
    "not_submission": ("此版本未作为本部门的提交:{reason}", "This version was not taken as your submission: {reason}"),
    "feedback": (
        "下载批注版工作簿(问题单元格已标色并附说明)",
        "Download the annotated copy (cells marked, with the fix in a comment)",
    ),
    "feedback_pending": (
        "正在生成批注版工作簿,几秒后本页自动刷新……",
        "The annotated copy is being written; this page refreshes in a few seconds…",
    ),
    "back": ("返回本期页面", "Back to the period's page"),
    "upload_again": ("修改后重新上传", "Upload the corrected workbook"),
    "fix": ("如何修改", "What to fix"),
    # refusals
    "refused_title": ("无法接受此文件", "This file cannot be accepted"),
    "too_large": (
        "文件超过 {mb} MB 的上限。请只保留模板中的数据,另存为 .xlsx 后重新上传。",
        "The file is larger than {mb} MB. Keep only the template's data, save it as .xlsx and upload it again.",
    ),
    "no_file": ("没有收到文件。请选择一个工作簿后再上传。", "No file was received. Choose a workbook, then upload."),
    "wrong_type": (
        "只接受 Excel/ODS 工作簿(.xlsx、.xlsm、.xls、.ods)。",
        "Only Excel/ODS workbooks are accepted (.xlsx, .xlsm, .xls, .ods).",
    ),
    "bad_form": (
        "页面已过期或请求无效,请刷新页面后重试。",
        "The page has expired or the request is not valid: reload the page and try again.",
    ),
    "forbidden": (
        "您无权访问此页面。请使用 PMO 发给您的链接,或以管理员身份登录。",
        "You may not open this page. Use the link the PMO sent you, or sign in as the PMO.",
    ),
    "not_found": ("找不到此页面。", "This page does not exist."),
    "busy": ("服务器正忙,请稍后重试。", "The server is busy: try again in a minute."),
    "link_invalid": (
        "此链接无效或已被 PMO 重置。请向 PMO 索取新链接。",
        "This link is not valid or the PMO has replaced it. Ask the PMO for a new one.",
    ),
    "wrong_department": (
        "工作簿的部门为「{found}」,不是「{department}」。请在填报信息中填写本部门名称。",
        "The workbook says department {found!r}, not {department!r}. Put your department on the info sheet.",
    ),
    "wrong_period": (
        "工作簿的填报期间为 {found},不是 {period}。请在填报信息中填写 {period}。",
        "The workbook is for period {found}, not {period}. Put {period} on the info sheet.",
    ),
    "no_submission": ("未能从工作簿读出部门和期间。", "No department and period could be read from the workbook."),
    # PMO
    "login_title": ("PMO 登录", "PMO sign in"),
    "password": ("密码", "Password"),
    "login": ("登录", "Sign in"),
    "login_failed": ("密码不正确。", "The password is not right."),
    "board_title": ("{period} 填报状态", "{period} submission status"),
    "department": ("部门", "Department"),
    "last_upload": ("最近上传", "Last upload"),
    "uploads": ("上传次数", "Uploads"),
    "link": ("部门链接", "Department link"),
    "new_link": ("生成新链接", "New link"),
    "add_department": ("添加部门", "Add a department"),
    "st_missing": ("未提交", "Missing"),
    "st_errors": ("有错误", "With errors"),
    "st_warnings": ("通过(有警告)", "Clean (warnings)"),
    "st_clean": ("通过", "Clean"),
    "st_late": ("逾期", "Late"),
    "counts": (
        "应交 {expected} · 已交 {submitted} · 通过 {clean} · 有错误 {errors} · 未交 {missing}",
        "Expected {expected} · submitted {submitted} · clean {clean} · with errors {errors} · missing {missing}",
    ),
    "deadline": ("截止日期 {date}", "Deadline {date}"),
    "roster_source": ("应交部门来自:{source}", "Expected departments from: {source}"),
    "src_roster": ("ci_excel.toml 的名册", "the roster in ci_excel.toml"),
    "src_history": ("历史数据中提交过的部门", "departments in the history store"),
    "src_links": ("已发链接的部门", "departments given a link"),
    "link_made_title": ("{department} 的新链接", "New link for {department}"),
    "link_made": (
        "请把下面的链接发给该部门。链接只显示这一次;旧链接已失效。",
        "Send this link to the department. It is shown only this once; any earlier link no longer works.",
    ),
    "consolidate": ("运行本期汇总", "Run the consolidation"),
    "run_title": ("{period} 汇总", "{period} consolidation"),
    "run_idle": ("尚未从这里运行本期汇总。", "Not run from here yet."),
    "run_running": ("正在运行:{phase} {done}/{total}", "Running: {phase} {done}/{total}"),
    "run_done": (
        "已完成:{departments} 个部门,{errors} 个错误,{warnings} 个警告。",
        "Done: {departments} departments, {errors} errors, {warnings} warnings.",
    ),
    "run_failed": ("失败:{reason}", "Failed: {reason}"),
    "run_nothing": ("本期还没有任何提交。", "Nothing has been submitted for this period yet."),
    "outputs": ("输出文件", "Outputs"),
    "dashboard_page": ("组合看板", "Portfolio dashboard"),
    "board": ("填报状态", "Status board"),
    "dash_title": ("{period} 组合看板", "{period} portfolio dashboard"),
    "dash_none": (
        "本期尚未汇总。运行汇总后即可查看看板。",
        "This period has not been consolidated yet. Run the consolidation to see it.",
    ),
    "days_overdue": ("逾期天数", "Days overdue"),
}


def text(key: str, lang: Lang, **params: Any) -> str:
    """The page phrase, or else the catalogue phrase, `key` in `lang`, with `params` filled in."""
    if key not in TEXT:
        return phrase(key, lang, **params)
    found = pick(lang, *TEXT[key])
    return found.format(**params) if params else found


assert not set(TEXT) & set(PHRASES), "a key is in the pages' table or the catalogue, not both"
