"""The period's headline figures for the trend, from its departments' digests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ci_excel.compute.digest import department_digest, period_digest
from ci_excel.model import DepartmentResult, PeriodFigures
from ci_excel.schema import PRIORITY, STAGE


def period_figures(
    period: str, departments: Sequence[DepartmentResult], *, previous_problem_ids: set[tuple[str, str]] | None
) -> PeriodFigures:
    """Headline figures of a period, from its departments' digests; `new` counts problems absent from
    the previous period's ids (every problem is new when there is no previous period)."""
    total = period_digest([department_digest(d) for d in departments])
    previous = previous_problem_ids or set()
    return PeriodFigures(
        period=period,
        departments=len(total.departments),
        problems=total.problems,
        new=sum(1 for d in departments for p in d.rows("problems") if (d.department, p["problem_id"]) not in previous),
        closed=total.closed,
        open=total.open,
        overdue_actions=total.overdue_actions,
        kpis=total.kpis,
        kpis_met=total.kpis_met,
        benefit=float(total.benefit or 0),
        by_stage={int(c.key): n for c, n in zip(STAGE.choices, total.stages, strict=True)},
        by_priority=dict(zip(PRIORITY.by_key, total.priorities, strict=True)),
    )


def combine_figures(a: PeriodFigures, b: PeriodFigures) -> PeriodFigures:
    """The figures of two disjoint sets of departments of one period, added up."""

    def added(x: dict[Any, int], y: dict[Any, int]) -> dict[Any, int]:
        return {k: x.get(k, 0) + y.get(k, 0) for k in dict.fromkeys([*x, *y])}

    return PeriodFigures(
        period=a.period,
        departments=a.departments + b.departments,
        problems=a.problems + b.problems,
        new=a.new + b.new,
        closed=a.closed + b.closed,
        open=a.open + b.open,
        overdue_actions=a.overdue_actions + b.overdue_actions,
        kpis=a.kpis + b.kpis,
        kpis_met=a.kpis_met + b.kpis_met,
        benefit=a.benefit + b.benefit,
        by_stage=added(a.by_stage, b.by_stage),
        by_priority=added(a.by_priority, b.by_priority),
    )
