"""Every sheet and column of the templates (SPEC section 2), the steps and their workbooks."""

from __future__ import annotations

from ci_excel.schema.enums import (
    CHANNEL,
    CONCLUSION,
    DIRECTION,
    FISHBONE,
    LEVEL,
    PRIORITY,
    SOLUTION_CATEGORY,
    STAGE,
    STANDARD_KIND,
    STATUS,
    TRIGGER,
    VERIFY_METHOD,
    YES_NO,
)
from ci_excel.schema.types import ColType, ColumnSpec, SheetSpec
from ci_excel.text import Lang

T = ColType


def _col(key: str, zh: str, en: str, type_: ColType = T.TEXT, **kw: object) -> ColumnSpec:
    return ColumnSpec(key, zh, en, type_, **kw)  # type: ignore[arg-type]


def _problem_ref(required: bool = True) -> ColumnSpec:
    return _col(
        "problem_id",
        "问题编号",
        "Problem ID",
        required=required,
        ref="problem",
        help_zh="填写 1-问题识别 表中已有的问题编号",
        help_en="A Problem ID from the 1-Problems sheet",
    )


def _root_ref(required: bool, help_zh: str, help_en: str) -> ColumnSpec:
    return _col(
        "root_cause_id",
        "根因编号",
        "Root cause ID",
        required=required,
        ref="root_cause",
        help_zh=help_zh,
        help_en=help_en,
    )


INFO = SheetSpec(
    "info",
    "填报信息",
    "Submission info",
    0,
    form=True,
    columns=(
        _col(
            "department",
            "部门",
            "Department",
            required=True,
            help_zh="部门全称,与PMO名册一致",
            help_en="Department name as on the PMO roster",
        ),
        _col(
            "period",
            "填报期间",
            "Period",
            T.PERIOD,
            required=True,
            help_zh="格式 YYYY-MM,如 2026-11",
            help_en="YYYY-MM, e.g. 2026-11",
        ),
        _col("contact", "填报人", "Prepared by", help_zh="填报人姓名", help_en="Who prepared this workbook"),
        _col("contact_info", "联系方式", "Contact", help_zh="邮箱或电话", help_en="E-mail or phone"),
        _col(
            "submitted_on",
            "提交日期",
            "Submitted on",
            T.DATE,
            help_zh="提交给PMO的日期",
            help_en="Date sent to the PMO",
        ),
    ),
)

PROBLEMS = SheetSpec(
    "problems",
    "1-问题识别",
    "1-Problems",
    1,
    columns=(
        _col(
            "problem_id",
            "问题编号",
            "Problem ID",
            required=True,
            defines="problem",
            width=11,
            help_zh="部门内唯一,如 P-001",
            help_en="Unique in the department, e.g. P-001",
        ),
        _col(
            "trigger",
            "触发场景",
            "Trigger",
            T.ENUM,
            enum=TRIGGER,
            width=14,
            help_zh="启动改进的业务场景",
            help_en="Which situation triggered the improvement",
        ),
        _col(
            "channel",
            "发现渠道",
            "Discovery channel",
            T.ENUM,
            enum=CHANNEL,
            width=12,
            help_zh="问题从哪个渠道发现",
            help_en="How the problem was found",
        ),
        _col(
            "scenario",
            "场景",
            "Scenario",
            required=True,
            width=16,
            help_zh="在什么场景下,如 电商大促",
            help_en="In which situation, e.g. peak-sale orders",
        ),
        _col(
            "process_step",
            "环节",
            "Process step",
            required=True,
            width=14,
            help_zh="哪个环节,如 订单审核",
            help_en="Which step, e.g. order review",
        ),
        _col("issue", "问题", "Issue", required=True, width=24, help_zh="存在什么问题", help_en="What goes wrong"),
        _col("effect", "影响", "Effect", required=True, width=24, help_zh="导致什么影响", help_en="What it causes"),
        _col(
            "quantification",
            "影响程度(量化)",
            "Magnitude",
            required=True,
            width=22,
            help_zh="量化数据,必须含数字,如 时效延长2小时",
            help_en="Quantified, must contain a number",
        ),
        _col(
            "scope",
            "影响范围",
            "Scope",
            width=16,
            help_zh="涉及的客户、订单或团队范围",
            help_en="Customers, orders or teams affected",
        ),
        _col(
            "impact",
            "影响程度",
            "Impact",
            T.ENUM,
            required=True,
            enum=LEVEL,
            width=10,
            help_zh="高/中/低",
            help_en="High / Medium / Low",
        ),
        _col(
            "difficulty",
            "解决难度",
            "Difficulty",
            T.ENUM,
            required=True,
            enum=LEVEL,
            width=10,
            help_zh="高/中/低",
            help_en="High / Medium / Low",
        ),
        _col("owner", "责任人", "Owner", required=True, width=10, help_zh="问题责任人", help_en="Who owns it"),
        _col(
            "identified_on",
            "识别日期",
            "Identified on",
            T.DATE,
            width=12,
            help_zh="日期,如 2026-11-03",
            help_en="Date, e.g. 2026-11-03",
        ),
        _col(
            "metric",
            "核心指标",
            "Metric",
            width=14,
            help_zh="对标的核心指标(可选)",
            help_en="Benchmarked metric (optional)",
        ),
        _col(
            "current_value",
            "当前值",
            "Current",
            T.NUMBER,
            width=10,
            help_zh="当前水平(数字)",
            help_en="Current level (number)",
        ),
        _col(
            "benchmark_value",
            "标杆值",
            "Benchmark",
            T.NUMBER,
            width=10,
            help_zh="标杆水平(数字)",
            help_en="Benchmark level (number)",
        ),
    ),
    computed=(
        _col("statement", "问题描述", "Problem statement", width=48),
        _col("priority", "优先级", "Priority", T.ENUM, enum=PRIORITY, width=14),
        _col("stage", "阶段", "Stage", T.ENUM, enum=STAGE, width=16),
        _col("progress", "进度", "Progress", T.PERCENT, width=9),
        _col("flags", "健康提示", "Health flags", width=24),
    ),
)

WHY_CHAINS = SheetSpec(
    "why_chains",
    "2-5Why分析",
    "2-Five whys",
    2,
    columns=(
        _problem_ref(),
        _col(
            "root_cause_id",
            "根因编号",
            "Root cause ID",
            required=True,
            defines="root_cause",
            width=13,
            help_zh="部门内唯一,如 P-001-R1",
            help_en="Unique in the department, e.g. P-001-R1",
        ),
        *(
            _col(
                f"why_{i}",
                f"为什么{i}",
                f"Why {i}",
                required=i == 1,
                width=22,
                help_zh=f"第{i}层追问的回答" + ("(必填)" if i == 1 else "(不可跳层)"),
                help_en=f"Answer to why #{i}" + (" (required)" if i == 1 else " (no gaps)"),
            )
            for i in range(1, 6)
        ),
        _col(
            "root_cause",
            "根本原因",
            "Root cause",
            required=True,
            width=26,
            help_zh="追问到底后的根本原因",
            help_en="The cause found at the end of the chain",
        ),
    ),
)

FISHBONE_SHEET = SheetSpec(
    "fishbone",
    "2-鱼骨图",
    "2-Fishbone",
    2,
    columns=(
        _problem_ref(),
        _col(
            "category",
            "维度",
            "Category",
            T.ENUM,
            required=True,
            enum=FISHBONE,
            width=10,
            help_zh="人、机、料、法、环、测",
            help_en="Man, Machine, Material, Method, Environment, Measurement",
        ),
        _col("cause", "原因", "Cause", required=True, width=26, help_zh="该维度下的原因", help_en="The cause"),
        _col("sub_cause", "细分原因", "Sub-cause", width=22, help_zh="进一步细分(可选)", help_en="Detail (optional)"),
        _col(
            "frequency",
            "频次",
            "Frequency",
            T.INT,
            width=8,
            minimum=0,
            help_zh="出现次数,用于帕累托图(可选)",
            help_en="Count, for the Pareto chart (optional)",
        ),
        _col("is_root", "是否根因", "Root cause?", T.BOOL, enum=YES_NO, width=10, help_zh="是/否", help_en="Yes / No"),
        _root_ref(False, "是根因时填写:已有根因编号或新编号", "When a root cause: an existing or a new Root cause ID"),
    ),
)

VERIFICATION = SheetSpec(
    "verification",
    "2-根因验证",
    "2-Verification",
    2,
    columns=(
        _root_ref(True, "被验证的根因编号", "The Root cause ID being checked"),
        _col(
            "method",
            "验证方法",
            "Method",
            T.ENUM,
            required=True,
            enum=VERIFY_METHOD,
            width=12,
            help_zh="数据验证 或 小范围试验",
            help_en="Data check or small-scale trial",
        ),
        _col(
            "evidence",
            "验证依据",
            "Evidence",
            required=True,
            width=30,
            help_zh="数据或试验的说明",
            help_en="What the data or trial showed",
        ),
        _col(
            "sample_size",
            "样本量",
            "Sample size",
            T.INT,
            width=9,
            minimum=1,
            help_zh="整数 ≥ 1",
            help_en="Whole number ≥ 1",
        ),
        _col(
            "support_share",
            "支持占比",
            "Share",
            T.PERCENT,
            width=9,
            minimum=0,
            maximum=1,
            help_zh="0-100%,如 80%",
            help_en="0-100 %, e.g. 80 %",
        ),
        _col(
            "conclusion",
            "验证结论",
            "Conclusion",
            T.ENUM,
            required=True,
            enum=CONCLUSION,
            width=11,
            help_zh="已证实/部分证实/未证实",
            help_en="Confirmed / Partly / Not confirmed",
        ),
        _col("verified_on", "验证日期", "Verified on", T.DATE, width=12, help_zh="日期", help_en="Date"),
    ),
)

SOLUTIONS = SheetSpec(
    "solutions",
    "3-方案评估",
    "3-Solutions",
    3,
    columns=(
        _col(
            "solution_id",
            "方案编号",
            "Solution ID",
            required=True,
            defines="solution",
            width=11,
            help_zh="部门内唯一,如 S-001",
            help_en="Unique in the department, e.g. S-001",
        ),
        _problem_ref(),
        _root_ref(False, "针对的根因编号(建议填写)", "The Root cause ID it addresses (recommended)"),
        _col(
            "description",
            "方案描述",
            "Description",
            required=True,
            width=30,
            help_zh="方案内容",
            help_en="What the solution is",
        ),
        _col(
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
            _col(k, zh, en, T.INT, required=True, width=9, minimum=1, maximum=5, help_zh=hz, help_en=he)
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
        _col(
            "total",
            "总分",
            "Total",
            T.NUMBER,
            width=8,
            help_zh="公式自动计算,≥12分进入下一轮",
            help_en="Computed by formula; ≥ 12 passes",
        ),
        _col("selected", "是否采纳", "Selected", T.BOOL, enum=YES_NO, width=9, help_zh="是/否", help_en="Yes / No"),
    ),
    computed=(
        _col("score", "评分", "Score", T.NUMBER, width=8),
        _col("passes", "通过", "Passes", T.BOOL, enum=YES_NO, width=8),
        _col("rank", "排名", "Rank", T.INT, width=7),
        _col("recommended", "推荐", "Recommended", T.BOOL, enum=YES_NO, width=9),
    ),
)

ACTIONS = SheetSpec(
    "actions",
    "3-改进计划",
    "3-Action plan",
    3,
    columns=(
        _col(
            "action_id",
            "行动编号",
            "Action ID",
            required=True,
            defines="action",
            width=11,
            help_zh="部门内唯一,如 A-001",
            help_en="Unique in the department, e.g. A-001",
        ),
        _col(
            "solution_id",
            "方案编号",
            "Solution ID",
            required=True,
            ref="solution",
            width=11,
            help_zh="3-方案评估 表中的方案编号",
            help_en="A Solution ID from 3-Solutions",
        ),
        _col("what", "做什么", "What", required=True, width=26, help_zh="行动内容", help_en="The action"),
        _col("who", "谁来做", "Who", required=True, width=10, help_zh="负责人", help_en="Who does it"),
        _col("how", "怎么做", "How", required=True, width=26, help_zh="方法与步骤", help_en="How it is done"),
        _col("start_on", "计划开始", "Planned start", T.DATE, width=12, help_zh="日期", help_en="Date"),
        _col(
            "due_on",
            "计划完成",
            "Due",
            T.DATE,
            width=12,
            help_zh="日期,不早于计划开始",
            help_en="Date, not before the start",
        ),
        _col(
            "resources",
            "所需资源",
            "Resources",
            width=16,
            help_zh="人力、预算等(可选)",
            help_en="People, budget (optional)",
        ),
        _col(
            "deliverable",
            "交付物",
            "Deliverable",
            width=16,
            help_zh="交付成果(可选)",
            help_en="What it delivers (optional)",
        ),
    ),
    computed=(
        _col("status", "状态", "Status", T.ENUM, enum=STATUS, width=9),
        _col("percent_done", "完成进度", "% done", T.PERCENT, width=9),
        _col("overdue", "逾期", "Overdue", T.BOOL, enum=YES_NO, width=7),
        _col("days_overdue", "逾期天数", "Days overdue", T.INT, width=9),
        _col("late", "延迟完成", "Finished late", T.BOOL, enum=YES_NO, width=9),
        _col("days_late", "延迟天数", "Days late", T.INT, width=9),
    ),
)

PROGRESS = SheetSpec(
    "progress",
    "4-实施跟踪",
    "4-Progress",
    4,
    columns=(
        _col(
            "action_id",
            "行动编号",
            "Action ID",
            required=True,
            ref="action",
            width=11,
            help_zh="3-改进计划 表中的行动编号",
            help_en="An Action ID from 3-Action plan",
        ),
        _col(
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
        _col(
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
        _col(
            "finished_on",
            "实际完成",
            "Finished on",
            T.DATE,
            width=12,
            help_zh="状态为已完成时必填",
            help_en="Required when Done",
        ),
        _col("blockers", "问题与风险", "Blockers", width=26, help_zh="遇到的问题与风险", help_en="Issues and risks"),
        _col("updated_on", "更新日期", "Updated on", T.DATE, width=12, help_zh="日期", help_en="Date"),
    ),
)

RESULTS = SheetSpec(
    "results",
    "5-效果验证",
    "5-Results",
    5,
    columns=(
        _problem_ref(),
        _col("kpi", "指标", "KPI", required=True, width=18, help_zh="衡量效果的指标", help_en="The KPI measured"),
        _col("unit", "单位", "Unit", width=8, help_zh="如 小时、%", help_en="e.g. hours, %"),
        _col(
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
        _col(
            "baseline",
            "基线值",
            "Baseline",
            T.NUMBER,
            required=True,
            width=10,
            help_zh="改进前的数值",
            help_en="Value before the change",
        ),
        _col(
            "target",
            "目标值",
            "Target",
            T.NUMBER,
            required=True,
            width=10,
            help_zh="目标数值,不等于基线",
            help_en="Target, different from the baseline",
        ),
        _col(
            "actual",
            "实际值",
            "Actual",
            T.NUMBER,
            width=10,
            help_zh="改进后的实测值",
            help_en="Measured after the change",
        ),
        _col("measured_on", "测量日期", "Measured on", T.DATE, width=12, help_zh="日期", help_en="Date"),
        _col(
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
        _col("achievement", "达成率", "Achievement", T.PERCENT, width=10),
        _col("improvement", "改善幅度", "Improvement", T.PERCENT, width=10),
        _col("met", "达标", "Met", T.BOOL, enum=YES_NO, width=7),
    ),
)

STANDARDS = SheetSpec(
    "standards",
    "6-标准化",
    "6-Standardization",
    6,
    columns=(
        _problem_ref(),
        _col(
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
        _col(
            "document",
            "文件名称/编号",
            "Document",
            required=True,
            width=24,
            help_zh="文件名称或编号",
            help_en="Document name or number",
        ),
        _col("effective_on", "生效日期", "Effective on", T.DATE, width=12, help_zh="日期", help_en="Date"),
        _col(
            "rollout_scope",
            "推广范围",
            "Rollout scope",
            width=18,
            help_zh="推广到哪些团队",
            help_en="Where it is rolled out",
        ),
        _col("lessons", "经验教训", "Lessons learned", width=28, help_zh="经验与教训", help_en="What was learned"),
        _col("closed", "是否关闭", "Closed", T.BOOL, enum=YES_NO, width=9, help_zh="是/否", help_en="Yes / No"),
    ),
)

# Root causes are an output entity gathered from 5-Why chains and fishbone roots.
ROOT_CAUSES = SheetSpec(
    "root_causes",
    "根因",
    "Root causes",
    2,
    columns=(
        _col("root_cause_id", "根因编号", "Root cause ID", defines="root_cause", width=13),
        _problem_ref(),
        _col("root_cause", "根本原因", "Root cause", width=30),
        _col("source", "来源", "Source", width=12),
    ),
    computed=(_col("verified", "验证结论", "Verification", T.ENUM, enum=CONCLUSION, width=12),),
)

INPUT_SHEETS: tuple[SheetSpec, ...] = (
    INFO,
    PROBLEMS,
    WHY_CHAINS,
    FISHBONE_SHEET,
    VERIFICATION,
    SOLUTIONS,
    ACTIONS,
    PROGRESS,
    RESULTS,
    STANDARDS,
)
TABLE_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in INPUT_SHEETS if not s.form)
SHEETS: dict[str, SheetSpec] = {s.key: s for s in (*INPUT_SHEETS, ROOT_CAUSES)}

STEPS: dict[int, tuple[str, str, str, str]] = {
    # step: (zh name, en name, zh deliverable, en deliverable)
    1: ("问题与机会识别", "Problem and opportunity identification", "《业务运营问题识别清单》", "Problem register"),
    2: ("根因分析", "Root-cause analysis", "《根因分析报告》", "Root-cause analysis report"),
    3: ("改进方案设计", "Solution design", "《改进方案计划表》", "Improvement plan"),
    4: ("方案实施与跟踪", "Implementation and tracking", "《改进实施进度表》", "Implementation progress"),
    5: ("效果验证", "Effect verification", "《改进效果验证表》", "Effect verification"),
    6: ("标准化与推广", "Standardization and rollout", "《标准化固化记录》", "Standardization record"),
}

# Per-step workbooks (SPEC section 2): file stem -> the sheets it holds besides `info`.
STEP_WORKBOOKS: dict[str, tuple[str, ...]] = {
    "step1_problems": ("problems",),
    "step2_root_causes": ("why_chains", "fishbone", "verification"),
    "step3_solutions": ("solutions", "actions"),
    "step4_progress": ("progress",),
    "step5_results": ("results",),
    "step6_standards": ("standards",),
}
REGISTER = "ci_register"


def sheet_label(sheet: str, lang: Lang) -> str:
    return SHEETS[sheet].name(lang)


def column_label(sheet: str, key: str, lang: Lang) -> str:
    return SHEETS[sheet].column(key).header(lang)


def enum_label(sheet: str, key: str, value: str | None, lang: Lang) -> str:
    """The display label of a stored enum key (or the value itself when it is not a key)."""
    enum = SHEETS[sheet].column(key).enum
    if value is None or enum is None or value not in enum.by_key:
        return "" if value is None else str(value)
    return enum.label(value, lang)
