"""The demo's business content: five departments' registers over three months (2026-09 .. 2026-11).

Each row is an `Entry` that appears in a given month and changes in later months, so a month's
workbook is a snapshot of one evolving register: problems move through the six steps, actions
finish (some late, some overdue), KPIs get measured and problems close with standards. The
scenarios are the manual's: e-commerce peak-sale order review, customer-service complaints,
logistics timeliness, fulfilment cost anomalies and cross-department approvals.

Each department's register is in its own module (`ecommerce`, `service`, `logistics`, `finance`,
`pmo`). The planted mistakes live in `MISTAKES`, apart from the clean content, so tests know them exactly.
Values are typed as the template writer takes them: enum keys, bools, dates, percents as fractions.
"""

from __future__ import annotations

from ci_excel.demo.ecommerce import ECOMMERCE
from ci_excel.demo.finance import FINANCE
from ci_excel.demo.logistics import LOGISTICS
from ci_excel.demo.pmo import PMO
from ci_excel.demo.rows import Department, Mistake
from ci_excel.demo.service import SERVICE

DEPARTMENTS: tuple[Department, ...] = (ECOMMERCE, SERVICE, LOGISTICS, FINANCE, PMO)

# --- the typical mistakes, each in one month's workbook of one department ---------------------------

MISTAKES: tuple[Mistake, ...] = (
    Mistake("客户服务部", 0, "problems", {"problem_id": "P-004"}, {"impact": "高高"}, "enum_typo", "impact"),
    Mistake("财务部", 0, "problems", {"problem_id": "P-002"}, {"owner": None}, "missing_required", "owner"),
    Mistake("物流部", 0, "progress", {"action_id": "A-001"}, {"percent_done": 60}, "percent_as_number", "percent_done"),
    Mistake(
        "电商运营部", 1, "progress", {"action_id": "A-001"}, {"finished_on": None}, "done_without_date", "finished_on"
    ),
    Mistake("物流部", 1, "progress", {"action_id": "A-003"}, {"updated_on": "2026/13/45"}, "bad_date", "updated_on"),
    Mistake(
        "项目管理部",
        1,
        "results",
        None,
        {
            "problem_id": "P-009",
            "kpi": "跨部门会议时长",
            "unit": "小时/周",
            "direction": "lower",
            "baseline": 6,
            "target": 3,
            "actual": None,
            "measured_on": None,
            "annual_benefit": None,
        },
        "unknown_ref",
        "problem_id",
    ),
    Mistake("客户服务部", 1, "", None, {}, "example_left"),
    Mistake("财务部", 2, "solutions", {"solution_id": "S-004"}, {"total": 15}, "total_mismatch", "total"),
)
