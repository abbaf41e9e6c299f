"""Steps 3 and 4's sheets (SPEC section 2): candidate solutions, the action plan and its progress."""

from __future__ import annotations

from ci_excel.schema.columns import T, col, problem_ref, root_ref
from ci_excel.schema.enums import SOLUTION_CATEGORY, STATUS, YES_NO
from ci_excel.schema.types import SheetSpec

SOLUTIONS = SheetSpec(
    "solutions",
    "3-方案评估",
    "3-Solutions",
    3,
    columns=(
        col(
            "solution_id",
            "方案编号",
            "Solution ID",
            required=True,
            defines="solution",
            width=11,
            help_zh="部门内唯一,如 S-001",
            help_en="Unique in the department, e.g. S-001",
        ),
        problem_ref(),
        root_ref(False, "针对的根因编号(建议填写)", "The Root cause ID it addresses (recommended)"),
        col(
            "description",
            "方案描述",
            "Description",
            required=True,
            width=30,
            help_zh="方案内容",
            help_en="What the solution is",
        ),
        col(
            "category",
            "方案类别",
            "Category",
            T.ENUM,
            enum=SOLUTION_CATEGORY,
            width=13,
            help_zh="流程优化/工具升级/人员能力/制度规范",
            help_en="Process / Tool / People / Policy",
        ),
        *(
            col(k, zh, en, T.INT, required=True, width=9, minimum=1, maximum=5, help_zh=hz, help_en=he)
            for k, zh, en, hz, he in (
                (
                    "effectiveness",
                    "有效性",
                    "Effectiveness",
                    "1-5分,能否解决根本原因",
                    "1-5: does it remove the root cause",
                ),
                (
                    "feasibility",
                    "可行性",
                    "Feasibility",
                    "1-5分,资源/技术是否支持",
                    "1-5: are resources and technology there",
                ),
                ("cost", "成本", "Cost", "1-5分,5=投入最低", "1-5: 5 = cheapest"),
                ("risk", "风险", "Risk", "1-5分,5=风险最低", "1-5: 5 = safest"),
            )
        ),
        col(
            "total",
            "总分",
            "Total",
            T.NUMBER,
            width=8,
            help_zh="公式自动计算,≥12分进入下一轮",
            help_en="Computed by formula; ≥ 12 passes",
        ),
        col("selected", "是否采纳", "Selected", T.BOOL, enum=YES_NO, width=9, help_zh="是/否", help_en="Yes / No"),
    ),
    computed=(
        col("score", "评分", "Score", T.NUMBER, width=8),
        col("passes", "通过", "Passes", T.BOOL, enum=YES_NO, width=8),
        col("rank", "排名", "Rank", T.INT, width=7),
        col("recommended", "推荐", "Recommended", T.BOOL, enum=YES_NO, width=9),
    ),
)

ACTIONS = SheetSpec(
    "actions",
    "3-改进计划",
    "3-Action plan",
    3,
    columns=(
        col(
            "action_id",
            "行动编号",
            "Action ID",
            required=True,
            defines="action",
            width=11,
            help_zh="部门内唯一,如 A-001",
            help_en="Unique in the department, e.g. A-001",
        ),
        col(
            "solution_id",
            "方案编号",
            "Solution ID",
            required=True,
            ref="solution",
            width=11,
            help_zh="3-方案评估 表中的方案编号",
            help_en="A Solution ID from 3-Solutions",
        ),
        col("what", "做什么", "What", required=True, width=26, help_zh="行动内容", help_en="The action"),
        col("who", "谁来做", "Who", required=True, width=10, help_zh="负责人", help_en="Who does it"),
        col("how", "怎么做", "How", required=True, width=26, help_zh="方法与步骤", help_en="How it is done"),
        col("start_on", "计划开始", "Planned start", T.DATE, width=12, help_zh="日期", help_en="Date"),
        col(
            "due_on",
            "计划完成",
            "Due",
            T.DATE,
            width=12,
            help_zh="日期,不早于计划开始",
            help_en="Date, not before the start",
        ),
        col(
            "resources",
            "所需资源",
            "Resources",
            width=16,
            help_zh="人力、预算等(可选)",
            help_en="People, budget (optional)",
        ),
        col(
            "deliverable",
            "交付物",
            "Deliverable",
            width=16,
            help_zh="交付成果(可选)",
            help_en="What it delivers (optional)",
        ),
    ),
    computed=(
        col("status", "状态", "Status", T.ENUM, enum=STATUS, width=9),
        col("percent_done", "完成进度", "% done", T.PERCENT, width=9),
        col("overdue", "逾期", "Overdue", T.BOOL, enum=YES_NO, width=7),
        col("days_overdue", "逾期天数", "Days overdue", T.INT, width=9),
        col("late", "延迟完成", "Finished late", T.BOOL, enum=YES_NO, width=9),
        col("days_late", "延迟天数", "Days late", T.INT, width=9),
    ),
)

PROGRESS = SheetSpec(
    "progress",
    "4-实施跟踪",
    "4-Progress",
    4,
    columns=(
        col(
            "action_id",
            "行动编号",
            "Action ID",
            required=True,
            ref="action",
            width=11,
            help_zh="3-改进计划 表中的行动编号",
            help_en="An Action ID from 3-Action plan",
        ),
        col(
            "status",
            "状态",
            "Status",
            T.ENUM,
            required=True,
            enum=STATUS,
            width=10,
            help_zh="未开始/进行中/已完成/延期/已取消",
            help_en="Not started / In progress / Done / Delayed / Cancelled",
        ),
        col(
            "percent_done",
            "完成进度",
            "% done",
            T.PERCENT,
            width=10,
            minimum=0,
            maximum=1,
            help_zh="0-100%",
            help_en="0-100 %",
        ),
        col(
            "finished_on",
            "实际完成",
            "Finished on",
            T.DATE,
            width=12,
            help_zh="状态为已完成时必填",
            help_en="Required when Done",
        ),
        col("blockers", "问题与风险", "Blockers", width=26, help_zh="遇到的问题与风险", help_en="Issues and risks"),
        col("updated_on", "更新日期", "Updated on", T.DATE, width=12, help_zh="日期", help_en="Date"),
    ),
)
