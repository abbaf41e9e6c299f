"""Small, valid department registers for pipeline tests, built with the real template writer."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.workbooks import cached_workbook as write_workbook

ALL_SHEETS = (
    "info",
    "problems",
    "why_chains",
    "fishbone",
    "verification",
    "solutions",
    "actions",
    "progress",
    "results",
    "standards",
)


def register_rows(
    department: str, period: str, *, problems: int = 3, done: int = 0, submitted_on: date | None = None
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Info and rows for `problems` problems; the first `done` of them fully implemented and closed."""
    year, month = map(int, period.split("-"))
    info = {
        "department": department,
        "period": period,
        "contact": "王五",
        "contact_info": "wangwu@example.com",
        "submitted_on": submitted_on or date(year, month, 28),
    }
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in ALL_SHEETS[1:]}
    for n in range(1, problems + 1):
        _add_problem(rows, n, closed=n <= done, start=date(year, month, 1))
    return info, rows


def _add_problem(rows: dict[str, list[dict[str, Any]]], n: int, *, closed: bool, start: date) -> None:
    pid, rid, sid, aid = f"P-{n:03}", f"P-{n:03}-R1", f"S-{n:03}", f"A-{n:03}"
    rows["problems"].append(
        {
            "problem_id": pid,
            "trigger": "efficiency",
            "channel": "monitoring",
            "scenario": "电商大促",
            "process_step": f"订单审核{n}",
            "issue": "人工重复录入信息",
            "effect": "订单处理时效延长",
            "quantification": "2小时",
            "scope": "全部订单",
            "impact": ("high", "medium", "low")[n % 3],
            "difficulty": "medium",
            "owner": "张三",
            "identified_on": start,
        }
    )
    rows["why_chains"].append(
        {
            "problem_id": pid,
            "root_cause_id": rid,
            "why_1": "人工录入",
            "why_2": "系统未对接",
            "why_3": "接口需求遗漏",
            "root_cause": "需求未覆盖一线场景",
        }
    )
    rows["fishbone"].append(
        {
            "problem_id": pid,
            "category": "machine",
            "cause": "接口缺失",
            "frequency": 5 + n,
            "is_root": True,
            "root_cause_id": rid,
        }
    )
    rows["verification"].append(
        {
            "root_cause_id": rid,
            "method": "data",
            "evidence": "80%工单受影响",
            "sample_size": 50,
            "support_share": 0.8,
            "conclusion": "confirmed",
        }
    )
    rows["solutions"].append(
        {
            "solution_id": sid,
            "problem_id": pid,
            "root_cause_id": rid,
            "description": f"开发自动抓取接口{n}",
            "category": "tool",
            "effectiveness": 5,
            "feasibility": 4,
            "cost": 3,
            "risk": 2,
            "total": 14,
            "selected": True,
        }
    )
    rows["actions"].append(
        {
            "action_id": aid,
            "solution_id": sid,
            "what": "开发接口",
            "who": "李四",
            "how": "对接CRM",
            "start_on": start,
            "due_on": date(start.year, start.month, 20),
        }
    )
    rows["progress"].append(
        {
            "action_id": aid,
            "status": "done" if closed else "in_progress",
            "percent_done": 1.0 if closed else 0.5,
            "finished_on": date(start.year, start.month, 18) if closed else None,
        }
    )
    if closed:
        rows["results"].append(
            {
                "problem_id": pid,
                "kpi": "订单处理时效",
                "unit": "小时",
                "direction": "lower",
                "baseline": 4,
                "target": 2,
                "actual": 1.8,
                "annual_benefit": 10000,
            }
        )
        rows["standards"].append({"problem_id": pid, "kind": "sop", "document": f"SOP-{n}", "closed": True})


def write_register(path: Path, department: str, period: str, **kw: Any) -> Path:
    info, rows = register_rows(department, period, **kw)
    return write_workbook(path, ALL_SHEETS, info=info, rows=rows, with_example=False)
