"""The worked example row of every sheet, taken from the manual (电商大促 order review).

Templates write it under the header; validation recognises it when a department leaves it in
place and ignores it with a warning. Values are typed as the validator returns them (enum keys,
dates, fractions for percents).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ci_excel.schema import LANGS, Lang

_ZH: dict[str, dict[str, Any]] = {
    "info": {"department": "示例:电商运营部", "period": "2026-11", "contact": "张三",
             "contact_info": "zhangsan@example.com", "submitted_on": date(2026, 11, 28)},
    "problems": {
        "problem_id": "P-001", "trigger": "efficiency", "channel": "monitoring", "scenario": "电商大促",
        "process_step": "订单审核", "issue": "人工重复录入信息", "effect": "订单处理时效延长2小时",
        "quantification": "大促期间客户投诉量上升30%", "scope": "大促期间全部订单", "impact": "high",
        "difficulty": "medium", "owner": "张三", "identified_on": date(2026, 11, 3),
        "metric": "订单处理时效(小时)", "current_value": 4, "benchmark_value": 2,
    },
    "why_chains": {
        "problem_id": "P-001", "root_cause_id": "P-001-R1", "why_1": "因为人工重复录入信息",
        "why_2": "因为系统无法自动抓取用户地址", "why_3": "因为旧系统接口未对接新CRM",
        "why_4": "因为去年系统升级时遗漏了该接口需求", "why_5": None,
        "root_cause": "需求调研阶段未覆盖一线操作场景",
    },
    "fishbone": {"problem_id": "P-001", "category": "machine", "cause": "旧系统接口未对接新CRM",
                 "sub_cause": "地址无法自动抓取", "frequency": 42, "is_root": True, "root_cause_id": "P-001-R1"},
    "verification": {"root_cause_id": "P-001-R1", "method": "trial",
                     "evidence": "随机抽取10个工单,接口对接后不再重复录入", "sample_size": 10,
                     "support_share": 0.8, "conclusion": "confirmed", "verified_on": date(2026, 11, 10)},
    "solutions": {"solution_id": "S-001", "problem_id": "P-001", "root_cause_id": "P-001-R1",
                  "description": "开发自动抓取接口", "category": "tool", "effectiveness": 5, "feasibility": 4,
                  "cost": 3, "risk": 2, "total": 14, "selected": True},
    "actions": {"action_id": "A-001", "solution_id": "S-001", "what": "开发订单地址自动抓取接口",
                "who": "李四", "how": "对接新CRM地址接口,上线前小范围试运行", "start_on": date(2026, 11, 12),
                "due_on": date(2026, 12, 15), "resources": "开发2人", "deliverable": "接口上线"},
    "progress": {"action_id": "A-001", "status": "in_progress", "percent_done": 0.6, "finished_on": None,
                 "blockers": "CRM测试环境排期紧张", "updated_on": date(2026, 11, 28)},
    "results": {"problem_id": "P-001", "kpi": "订单处理时效", "unit": "小时", "direction": "lower",
                "baseline": 4, "target": 2, "actual": 2.5, "measured_on": date(2026, 12, 20),
                "annual_benefit": 120000},
    "standards": {"problem_id": "P-001", "kind": "sop", "document": "订单审核SOP V2.0",
                  "effective_on": date(2027, 1, 1), "rollout_scope": "全部电商渠道",
                  "lessons": "需求调研必须覆盖一线操作场景", "closed": False},
}

_EN_TEXT: dict[str, dict[str, str]] = {
    "info": {"department": "Example: E-commerce Ops", "contact": "Zhang San"},
    "problems": {"scenario": "Peak-sale e-commerce", "process_step": "order review",
                 "issue": "manual re-entry of order data", "effect": "order handling takes 2 hours longer",
                 "quantification": "complaints up 30% during the sale", "scope": "All peak-sale orders",
                 "owner": "Zhang San", "metric": "Order handling time (h)"},
    "why_chains": {"why_1": "Order data is re-entered by hand", "why_2": "The system cannot fetch addresses",
                   "why_3": "The old system is not connected to the new CRM",
                   "why_4": "The interface was missed in last year's upgrade",
                   "root_cause": "Requirements did not cover frontline work"},
    "fishbone": {"cause": "Old system not connected to the new CRM", "sub_cause": "Addresses not fetched"},
    "verification": {"evidence": "10 random tickets: no re-entry once connected"},
    "solutions": {"description": "Build an automatic fetch interface"},
    "actions": {"what": "Build the address fetch interface", "who": "Li Si",
                "how": "Connect to the CRM address API, pilot before launch", "resources": "2 developers",
                "deliverable": "Interface live"},
    "progress": {"blockers": "CRM test environment is busy"},
    "results": {"kpi": "Order handling time", "unit": "hours"},
    "standards": {"document": "Order review SOP v2.0", "rollout_scope": "All e-commerce channels",
                  "lessons": "Requirements must cover frontline work"},
}


def example_row(sheet: str, lang: Lang = "zh") -> dict[str, Any]:
    """The worked example of a sheet, in the template's language."""
    row = dict(_ZH[sheet])
    if lang == "en":
        row.update(_EN_TEXT.get(sheet, {}))
    return row


def is_example(sheet: str, values: dict[str, Any]) -> bool:
    """True when a row still holds the worked example of either language, value for value."""
    for lang in LANGS:
        example = example_row(sheet, lang)
        if all(values.get(k) == v for k, v in example.items() if v is not None):
            return True
    return False
