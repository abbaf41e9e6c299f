"""The summary workbook's own phrases (sheet names, dashboard labels, chart titles) in both languages.

Column headers and enum labels are never here: they come from the schema.
"""

from __future__ import annotations

from ci_excel.schema import Lang

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


def text(key: str, lang: Lang) -> str:
    """A dashboard phrase in the report language."""
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en
