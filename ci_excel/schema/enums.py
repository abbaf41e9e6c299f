"""Every enum a department chooses from, with its zh/en labels and the other spellings people type."""

from __future__ import annotations

from ci_excel.schema.types import Choice, EnumSpec


def _enum(key: str, *choices: tuple[str, str, str] | tuple[str, str, str, tuple[str, ...]]) -> EnumSpec:
    return EnumSpec(key, tuple(Choice(*c) for c in choices))


LEVEL = _enum(
    "level",
    ("high", "高", "High", ("H", "3", "高影响", "高难度")),
    ("medium", "中", "Medium", ("M", "Med", "2", "中等", "中影响", "中难度")),
    ("low", "低", "Low", ("L", "1", "低影响", "低难度")),
)
YES_NO = _enum(
    "yes_no",
    ("yes", "是", "Yes", ("Y", "True", "1", "√", "✓", "对")),
    ("no", "否", "No", ("N", "False", "0", "×", "不是")),
)
TRIGGER = _enum(
    "trigger",
    ("efficiency", "效率瓶颈", "Efficiency bottleneck", ("效率",)),
    ("quality", "质量问题", "Quality issue", ("质量",)),
    ("feedback", "客户反馈集中", "Concentrated customer feedback", ("客户反馈", "Customer feedback")),
    ("cost", "成本异常", "Cost anomaly", ("成本",)),
    ("process", "流程卡点", "Process blockage", ("流程",)),
)
CHANNEL = _enum(
    "channel",
    ("monitoring", "数据监控", "Data monitoring", ("监控", "Monitoring")),
    ("user_feedback", "用户反馈", "User feedback", ("反馈",)),
    ("interview", "一线访谈", "Frontline interview", ("访谈", "Interview")),
    ("benchmark", "对标分析", "Benchmarking", ("对标", "Benchmark")),
)
FISHBONE = _enum(
    "fishbone",
    ("man", "人", "Man", ("人员", "People", "Manpower")),
    ("machine", "机", "Machine", ("机器", "设备", "系统", "Equipment")),
    ("material", "料", "Material", ("物料", "材料", "Materials")),
    ("method", "法", "Method", ("方法", "流程", "Methods")),
    ("environment", "环", "Environment", ("环境",)),
    ("measurement", "测", "Measurement", ("测量", "Measure")),
)
VERIFY_METHOD = _enum(
    "verify_method",
    ("data", "数据验证", "Data check", ("数据", "Data")),
    ("trial", "小范围试验", "Small-scale trial", ("试验", "Trial", "Pilot")),
)
CONCLUSION = _enum(
    "conclusion",
    ("confirmed", "已证实", "Confirmed", ("证实", "Yes")),
    ("partial", "部分证实", "Partly confirmed", ("部分", "Partial")),
    ("rejected", "未证实", "Not confirmed", ("否", "No", "Rejected")),
)
SOLUTION_CATEGORY = _enum(
    "solution_category",
    ("process", "流程优化类", "Process optimisation", ("流程优化", "Process")),
    ("tool", "工具升级类", "Tool upgrade", ("工具升级", "Tool")),
    ("people", "人员能力类", "People capability", ("人员能力", "Training", "People")),
    ("policy", "制度规范类", "Policy and rules", ("制度规范", "Policy")),
)
STATUS = _enum(
    "status",
    ("not_started", "未开始", "Not started", ("Todo", "To do")),
    ("in_progress", "进行中", "In progress", ("Doing", "Ongoing", "WIP")),
    ("done", "已完成", "Done", ("完成", "Completed", "Finished")),
    ("delayed", "延期", "Delayed", ("已延期", "Late")),
    ("cancelled", "已取消", "Cancelled", ("取消", "Canceled")),
)
DIRECTION = _enum(
    "direction",
    ("lower", "越低越好", "Lower is better", ("降低", "Lower", "Down", "↓")),
    ("higher", "越高越好", "Higher is better", ("提高", "Higher", "Up", "↑")),
)
STANDARD_KIND = _enum(
    "standard_kind",
    ("sop", "SOP更新", "SOP update", ("SOP",)),
    ("policy", "制度发布", "Policy issued", ("制度", "Policy")),
    ("training", "培训", "Training", ()),
    ("system", "系统固化", "Built into system", ("系统", "System")),
    ("checklist", "检查表", "Checklist", ()),
    ("other", "其他", "Other", ()),
)
PRIORITY = _enum(
    "priority",
    ("P1", "P1 优先解决", "P1 Solve first"),
    ("P2", "P2 计划解决", "P2 Plan to solve"),
    ("P3", "P3 择机解决", "P3 Solve when possible"),
    ("P4", "P4 暂缓", "P4 Defer"),
)
STAGE = _enum(
    "stage",
    ("1", "1 已识别", "1 Identified"),
    ("2", "2 根因已明", "2 Root cause found"),
    ("3", "3 方案已定", "3 Solution planned"),
    ("4", "4 已实施", "4 Implemented"),
    ("5", "5 已验证", "5 Verified"),
    ("6", "6 已固化关闭", "6 Standardized and closed"),
)
