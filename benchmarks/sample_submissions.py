"""Hand-built validated submissions for the compute and store tests and bench_store (no workbooks involved)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ci_excel.examples import example_row
from ci_excel.issues import Issue
from ci_excel.model import Record, SheetStats, SourceFile, Submission
from ci_excel.schema import TABLE_SHEETS


def record(sheet: str, row: int = 2, **values: Any) -> Record:
    """A validated row of `sheet`: the worked example with `values` laid over it."""
    return Record(values=example_row(sheet) | values, file="ci_register.xlsx", sheet_name=sheet, row=row)


def submission(
    department: str = "电商运营部",
    period: str = "2026-11",
    *,
    tables: dict[str, list[Record]] | None = None,
    submitted_on: date | None = date(2026, 12, 2),
    issues: list[Issue] | None = None,
) -> Submission:
    info = {
        "department": department,
        "period": period,
        "contact": "张三",
        "contact_info": "z@example.com",
        "submitted_on": submitted_on,
    }
    files = [
        SourceFile(
            path=f"{department}/ci_register.xlsx",
            sha256="ab" * 32,
            size=12345,
            department=department,
            period=period,
            template_version="1.0",
            sheets=("info", "problems"),
            outcome="warnings",
        )
    ]
    tables = tables or {}
    return Submission(
        department=department,
        period=period,
        info=info,
        files=files,
        tables={s.key: tables.get(s.key, []) for s in TABLE_SHEETS},
        issues=issues or [],
        stats={s.key: SheetStats() for s in TABLE_SHEETS},
    )


def problem_tables(n: int = 2, *, done: int = 0) -> dict[str, list[Record]]:
    """`n` problems, each with a root cause, two candidate solutions, two actions and a KPI;
    the first `done` problems are finished, verified and closed (stage 6), the others in progress."""
    tables: dict[str, list[Record]] = {s.key: [] for s in TABLE_SHEETS}
    for i in range(1, n + 1):
        for sheet, rows in _problem(i, finished=i <= done).items():
            tables[sheet].extend(record(sheet, row=len(tables[sheet]) + 2, **r) for r in rows)
    return tables


def _problem(i: int, *, finished: bool) -> dict[str, list[dict[str, Any]]]:
    pid, rid, sid = f"P-{i:03}", f"P-{i:03}-R1", f"S-{i:03}"
    status = {"status": "done", "percent_done": 1.0, "finished_on": date(2026, 11, 20)} if finished else {}
    return {
        "problems": [
            {
                "problem_id": pid,
                "impact": ("high", "medium", "low")[i % 3],
                "difficulty": ("low", "medium", "high")[i % 3],
                "identified_on": date(2026, 9, i % 28 + 1),
            }
        ],
        "why_chains": [{"problem_id": pid, "root_cause_id": rid}],
        "fishbone": [
            {"problem_id": pid, "root_cause_id": rid},
            {"problem_id": pid, "is_root": False, "root_cause_id": None, "cause": f"次要原因{i}"},
        ],
        "verification": [{"root_cause_id": rid}],
        "solutions": [
            {"solution_id": sid, "problem_id": pid, "root_cause_id": rid},
            {
                "solution_id": f"{sid}b",
                "problem_id": pid,
                "root_cause_id": rid,
                "effectiveness": 2,
                "feasibility": 3,
                "cost": 3,
                "risk": 3,
                "total": 11,
                "selected": False,
            },
        ],
        "actions": [
            {"action_id": f"A-{i:03}", "solution_id": sid},
            {"action_id": f"A-{i:03}b", "solution_id": sid, "due_on": date(2026, 11, 10)},
        ],
        "progress": [{"action_id": f"A-{i:03}", **status}, {"action_id": f"A-{i:03}b", **status}],
        "results": [{"problem_id": pid, **({"actual": 1.8} if finished else {})}],
        "standards": [{"problem_id": pid, "closed": finished}],
    }
