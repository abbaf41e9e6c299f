"""Steps 5 and 6's sheets (SPEC section 2): KPI results and the standards that hold the gains."""

from __future__ import annotations

from ci_excel.schema.columns import T, col, problem_ref
from ci_excel.schema.enums import DIRECTION, STANDARD_KIND, YES_NO
from ci_excel.schema.types import SheetSpec

RESULTS = SheetSpec(
    "results",
    "5-效果验证",
    "5-Results",
    5,
    columns=(
        problem_ref(),
        col("kpi", "指标", "KPI", required=True, width=18, help_zh="衡量效果的指标", help_en="The KPI measured"),
        col("unit", "单位", "Unit", width=8, help_zh="如 小时、%", help_en="e.g. hours, %"),
        col(
            "direction",
            "方向",
            "Direction",
            T.ENUM,
            required=True,
            enum=DIRECTION,
            width=11,
            help_zh="越低越好 或 越高越好",
            help_en="Lower or higher is better",
        ),
        col(
            "baseline",
            "基线值",
            "Baseline",
            T.NUMBER,
            required=True,
            width=10,
            help_zh="改进前的数值",
            help_en="Value before the change",
        ),
        col(
            "target",
            "目标值",
            "Target",
            T.NUMBER,
            required=True,
            width=10,
            help_zh="目标数值,不等于基线",
            help_en="Target, different from the baseline",
        ),
        col(
            "actual",
            "实际值",
            "Actual",
            T.NUMBER,
            width=10,
            help_zh="改进后的实测值",
            help_en="Measured after the change",
        ),
        col("measured_on", "测量日期", "Measured on", T.DATE, width=12, help_zh="日期", help_en="Date"),
        col(
            "annual_benefit",
            "年化收益(元)",
            "Annual benefit",
            T.MONEY,
            width=13,
            minimum=0,
            help_zh="年化收益金额(可选)",
            help_en="Annual benefit amount (optional)",
        ),
    ),
    computed=(
        col("achievement", "达成率", "Achievement", T.PERCENT, width=10),
        col("improvement", "改善幅度", "Improvement", T.PERCENT, width=10),
        col("met", "达标", "Met", T.BOOL, enum=YES_NO, width=7),
    ),
)

STANDARDS = SheetSpec(
    "standards",
    "6-标准化",
    "6-Standardization",
    6,
    columns=(
        problem_ref(),
        col(
            "kind",
            "固化方式",
            "Kind",
            T.ENUM,
            required=True,
            enum=STANDARD_KIND,
            width=11,
            help_zh="SOP更新/制度发布/培训/系统固化/检查表/其他",
            help_en="SOP / policy / training / system / checklist / other",
        ),
        col(
            "document",
            "文件名称/编号",
            "Document",
            required=True,
            width=24,
            help_zh="文件名称或编号",
            help_en="Document name or number",
        ),
        col("effective_on", "生效日期", "Effective on", T.DATE, width=12, help_zh="日期", help_en="Date"),
        col(
            "rollout_scope",
            "推广范围",
            "Rollout scope",
            width=18,
            help_zh="推广到哪些团队",
            help_en="Where it is rolled out",
        ),
        col("lessons", "经验教训", "Lessons learned", width=28, help_zh="经验与教训", help_en="What was learned"),
        col("closed", "是否关闭", "Closed", T.BOOL, enum=YES_NO, width=9, help_zh="是/否", help_en="Yes / No"),
    ),
)
