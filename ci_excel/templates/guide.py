"""The instructions sheet: how to fill, the six steps, the rules (statement, priority matrix, scores,
example row) and a sheet-by-sheet column guide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ci_excel.config import DEFAULT_MATRIX, DEFAULT_STATEMENTS, Config
from ci_excel.examples import MARKS, example_row, template_example
from ci_excel.schema import (
    INFO,
    LEVEL,
    PRIORITY,
    PROBLEMS,
    SOLUTIONS,
    STEPS,
    TABLE_SHEETS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ColumnSpec,
    Lang,
)
from ci_excel.scoring import DIMENSIONS
from ci_excel.templates.cells import _height, header_text
from ci_excel.templates.formats import _Formats
from ci_excel.text import pick

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
            (
                "3",
                "第 2 行是灰色斜体的示例行,编号以「{mark}」开头,处理时自动忽略(可保留,也可删除);"
                "请从第 3 行起填写,一行一条记录。",
            ),
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
        "types": {
            "text": "文本",
            "int": "整数",
            "number": "数字",
            "percent": "百分比",
            "money": "金额(元)",
            "date": "日期",
            "period": "年月 YYYY-MM",
            "enum": "下拉选择",
            "bool": "下拉选择",
        },
        "options": "可选值:{options}",
        "join": ";",
        "sep": "、",
        "dims_sep": "、",
    },
    "en": {
        "title": "Continuous improvement six-step method: how to fill this workbook",
        "subtitle": "Template {id} version {version}. Do not rename sheets or headers or touch the hidden sheets; "
        "columns are recognised by their headers.",
        "how": "How to fill",
        "how_items": [
            ("1", "Fill the “{info}” sheet first: {required} are required; the period is YYYY-MM (e.g. 2026-11)."),
            (
                "2",
                "Row 1 of every sheet is the header; columns marked * are required. Select a header cell "
                "to see how to fill that column.",
            ),
            (
                "3",
                "Row 2 is the worked example in grey italics; its IDs start with {mark} and it is ignored when "
                "processed (keep or delete it). Enter your data from row 3, one record per row.",
            ),
            (
                "4",
                "Pick values from the dropdown lists; write dates as 2026-11-03, percents as 80%, scores as "
                "whole numbers 1-5.",
            ),
            (
                "5",
                "IDs are unique within the department (e.g. P-001, P-001-R1, S-001, A-001); later sheets refer "
                "to earlier ones by these IDs.",
            ),
            (
                "6",
                "Update the same register every month and submit it: each submission is that month's snapshot. "
                "Teams may use the per-step workbooks instead.",
            ),
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
        "types": {
            "text": "Text",
            "int": "Whole number",
            "number": "Number",
            "percent": "Percent",
            "money": "Amount",
            "date": "Date",
            "period": "Month YYYY-MM",
            "enum": "Choose from list",
            "bool": "Choose from list",
        },
        "options": "Options: {options}",
        "join": "; ",
        "sep": ", ",
        "dims_sep": ", ",
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
        text = g["step_text"].format(
            deliverable=pick(lang, deliverable_zh, deliverable_en), guide=g["guides"][step], sheets=sheets
        )
        doc.item(g["step_label"].format(step=step, name=pick(lang, zh, en)), text)


def _rules(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    doc.heading(g["rules"])
    doc.item(
        g["statement_label"], g["statement"].format(formula=statement_formula(lang), example=example_statement(lang))
    )
    _matrix(doc)
    cols = {k: SOLUTIONS.column(k).header(lang) for k in (*DIMENSIONS, "total")}
    doc.item(
        g["score_label"],
        g["score"].format(
            dims=g["dims_sep"].join(cols[k] for k in DIMENSIONS),
            cost=cols["cost"],
            risk=cols["risk"],
            total=cols["total"],
            threshold=f"{Config().threshold:g}",
        ),
    )
    doc.item(
        g["example_label"], g["example"].format(mark=MARKS[lang], id=template_example(PROBLEMS.key, lang)["problem_id"])
    )


def _matrix(doc: _Instructions) -> None:
    g, lang = doc.g, doc.lang
    impact, difficulty = (PROBLEMS.column(k).header(lang) for k in ("impact", "difficulty"))
    doc.item(g["matrix_label"], g["matrix_note"].format(impact=impact, difficulty=difficulty))
    columns = ("low", "medium", "high")
    doc.cells(
        [g["matrix_corner"].format(impact=impact, difficulty=difficulty), *(LEVEL.label(k, lang) for k in columns)],
        ["matrix_head"] * 4,
    )
    for level in ("high", "medium", "low"):
        classes = [DEFAULT_MATRIX[level][d] for d in columns]
        doc.cells(
            [LEVEL.label(level, lang), *(PRIORITY.label(p, lang) for p in classes)],
            ["matrix_head", *(f"matrix_{p}" for p in classes)],
        )


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
    joined: str = g["join"].join(p for p in parts if p)
    return f"[{g['types'][column.type.value]}] " + joined


def statement_formula(lang: Lang) -> str:
    """The problem statement formula with the problems sheet's own headers as placeholders."""
    keys = ("scenario", "process_step", "issue", "effect", "quantification")
    return DEFAULT_STATEMENTS[lang].format(**{k: "{" + PROBLEMS.column(k).header(lang) + "}" for k in keys})


def example_statement(lang: Lang) -> str:
    """The worked example's problem statement."""
    return DEFAULT_STATEMENTS[lang].format(**example_row(PROBLEMS.key, lang))
