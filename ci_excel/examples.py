"""The worked example row of every sheet, taken from the manual (电商大促 order review).

Templates write it in row 2; validation ignores it, with a warning, when a department leaves it
in place. Values are typed as the validator returns them (enum keys, dates, fractions for percents).

The example is recognised by a marker, never by its values, so a real row that happens to hold
the manual's figures is data: every id cell of the template's example row starts with `示例-`
(English templates: `EXAMPLE-`), e.g. `示例-P-001`, `示例-P-001-R1`, `示例-S-001`. The marker is on
every sheet's example, so the example rows still reference each other, and it travels with the
row (sorting, copying). A department that types its own data over row 2 replaces the ids, and
the row is read as data; a row whose every id still carries a marker (of either language) is the
example, whatever its other cells (or its total formula, calculated or not) hold.

Templates before version 1.1 wrote the example without a marker: in a workbook of such a version,
row 2 equal to that example, value for value (formula cells aside), is still taken for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ci_excel.schema import LANGS, TABLE_SHEETS, Lang, fold

MARKS: dict[Lang, str] = {"zh": "示例-", "en": "EXAMPLE-"}
UNMARKED_VERSIONS = frozenset({"1.0"})  # template versions whose example row carries no marker
FORMULA_COLUMNS: dict[str, tuple[str, ...]] = {"solutions": ("total",)}  # what the template computes
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    s.key: tuple(c.key for c in s.columns if c.defines or c.ref) for s in TABLE_SHEETS
}
_FOLDED_MARKS = tuple(fold(m).lower() for m in MARKS.values())

_ZH: dict[str, dict[str, Any]] = {
    "info": {
        "department": "示例:电商运营部",
        "period": "2026-11",
        "contact": "张三",
        "contact_info": "zhangsan@example.com",
        "submitted_on": date(2026, 11, 28),
    },
    "problems": {
        "problem_id": "P-001",
        "trigger": "efficiency",
        "channel": "monitoring",
        "scenario": "电商大促",
        "process_step": "订单审核",
        "issue": "人工重复录入信息",
        "effect": "订单处理时效延长2小时",
        "quantification": "大促期间客户投诉量上升30%",
        "scope": "大促期间全部订单",
        "impact": "high",
        "difficulty": "medium",
        "owner": "张三",
        "identified_on": date(2026, 11, 3),
        "metric": "订单处理时效(小时)",
        "current_value": 4,
        "benchmark_value": 2,
    },
    "why_chains": {
        "problem_id": "P-001",
        "root_cause_id": "P-001-R1",
        "why_1": "因为人工重复录入信息",
        "why_2": "因为系统无法自动抓取用户地址",
        "why_3": "因为旧系统接口未对接新CRM",
        "why_4": "因为去年系统升级时遗漏了该接口需求",
        "why_5": None,
        "root_cause": "需求调研阶段未覆盖一线操作场景",
    },
    "fishbone": {
        "problem_id": "P-001",
        "category": "machine",
        "cause": "旧系统接口未对接新CRM",
        "sub_cause": "地址无法自动抓取",
        "frequency": 42,
        "is_root": True,
        "root_cause_id": "P-001-R1",
    },
    "verification": {
        "root_cause_id": "P-001-R1",
        "method": "trial",
        "evidence": "随机抽取10个工单,接口对接后不再重复录入",
        "sample_size": 10,
        "support_share": 0.8,
        "conclusion": "confirmed",
        "verified_on": date(2026, 11, 10),
    },
    "solutions": {
        "solution_id": "S-001",
        "problem_id": "P-001",
        "root_cause_id": "P-001-R1",
        "description": "开发自动抓取接口",
        "category": "tool",
        "effectiveness": 5,
        "feasibility": 4,
        "cost": 3,
        "risk": 2,
        "total": 14,
        "selected": True,
    },
    "actions": {
        "action_id": "A-001",
        "solution_id": "S-001",
        "what": "开发订单地址自动抓取接口",
        "who": "李四",
        "how": "对接新CRM地址接口,上线前小范围试运行",
        "start_on": date(2026, 11, 12),
        "due_on": date(2026, 12, 15),
        "resources": "开发2人",
        "deliverable": "接口上线",
    },
    "progress": {
        "action_id": "A-001",
        "status": "in_progress",
        "percent_done": 0.6,
        "finished_on": None,
        "blockers": "CRM测试环境排期紧张",
        "updated_on": date(2026, 11, 28),
    },
    "results": {
        "problem_id": "P-001",
        "kpi": "订单处理时效",
        "unit": "小时",
        "direction": "lower",
        "baseline": 4,
        "target": 2,
        "actual": 2.5,
        "measured_on": date(2026, 12, 20),
        "annual_benefit": 120000,
    },
    "standards": {
        "problem_id": "P-001",
        "kind": "sop",
        "document": "订单审核SOP V2.0",
        "effective_on": date(2027, 1, 1),
        "rollout_scope": "全部电商渠道",
        "lessons": "需求调研必须覆盖一线操作场景",
        "closed": False,
    },
}

_EN_TEXT: dict[str, dict[str, str]] = {
    "info": {"department": "Example: E-commerce Ops", "contact": "Zhang San"},
    "problems": {
        "scenario": "Peak-sale e-commerce",
        "process_step": "order review",
        "issue": "manual re-entry of order data",
        "effect": "order handling takes 2 hours longer",
        "quantification": "complaints up 30% during the sale",
        "scope": "All peak-sale orders",
        "owner": "Zhang San",
        "metric": "Order handling time (h)",
    },
    "why_chains": {
        "why_1": "Order data is re-entered by hand",
        "why_2": "The system cannot fetch addresses",
        "why_3": "The old system is not connected to the new CRM",
        "why_4": "The interface was missed in last year's upgrade",
        "root_cause": "Requirements did not cover frontline work",
    },
    "fishbone": {"cause": "Old system not connected to the new CRM", "sub_cause": "Addresses not fetched"},
    "verification": {"evidence": "10 random tickets: no re-entry once connected"},
    "solutions": {"description": "Build an automatic fetch interface"},
    "actions": {
        "what": "Build the address fetch interface",
        "who": "Li Si",
        "how": "Connect to the CRM address API, pilot before launch",
        "resources": "2 developers",
        "deliverable": "Interface live",
    },
    "progress": {"blockers": "CRM test environment is busy"},
    "results": {"kpi": "Order handling time", "unit": "hours"},
    "standards": {
        "document": "Order review SOP v2.0",
        "rollout_scope": "All e-commerce channels",
        "lessons": "Requirements must cover frontline work",
    },
}


def example_row(sheet: str, lang: Lang = "zh") -> dict[str, Any]:
    """The manual's worked example of a sheet, in the template's language (ids without a marker)."""
    row = dict(_ZH[sheet])
    if lang == "en":
        row.update(_EN_TEXT.get(sheet, {}))
    return row


def template_example(sheet: str, lang: Lang = "zh") -> dict[str, Any]:
    """The example as the template writes it in row 2: every id cell carries the marker."""
    row = example_row(sheet, lang)
    for key in ID_COLUMNS.get(sheet, ()):
        if row.get(key) is not None:
            row[key] = MARKS[lang] + row[key]
    return row


def is_marked(value: Any) -> bool:
    """An id that starts with the example marker of either language (folded, any case)."""
    return isinstance(value, str) and fold(value).lower().startswith(_FOLDED_MARKS)


def is_example(sheet: str, values: dict[str, Any], *, legacy: bool = False) -> bool:
    """True when a row is the template's example: every id typed carries the marker (at least one).

    With `legacy` (row 2 of a workbook from an UNMARKED_VERSIONS template), a row still holding
    the unmarked example of either language value for value, formula columns aside, is one too.
    """
    ids = [values.get(k) for k in ID_COLUMNS.get(sheet, ())]
    typed = [v for v in ids if v is not None and v != ""]
    if typed and all(is_marked(v) for v in typed):
        return True
    return legacy and _equals_example(sheet, values)


def _equals_example(sheet: str, values: dict[str, Any]) -> bool:
    formulas = FORMULA_COLUMNS.get(sheet, ())
    for lang in LANGS:
        example = example_row(sheet, lang)
        if all(values.get(k) == v for k, v in example.items() if v is not None and k not in formulas):
            return True
    return False
