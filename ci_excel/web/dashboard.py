"""The portfolio dashboard's content, read from the history store: figures from the digest.

Headline figures and the stage x department table come from `compute.period_digest` over the
stored departments' `department_digest` (counted there once, as for every other output); the
trend from the stored periods' figures; the P1 problems and overdue actions are the stored rows
the computed columns mark. Nothing here counts what the digest already counts. The charts are
drawn by the page itself (inline SVG, no script), from the bars made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ci_excel.compute import CLOSED_STAGE, department_digest, period_digest, stage_key
from ci_excel.model import PeriodDigest, PeriodFigures
from ci_excel.schema import PRIORITY, STAGE, Lang
from ci_excel.store import Store


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    share: float  # of the largest bar, 0..1
    second: float = 0.0  # a second value drawn inside the bar (closed of problems), as a share


@dataclass(frozen=True)
class Dashboard:
    period: str
    digest: PeriodDigest
    stage_labels: list[str]
    stage_rows: list[tuple[str, tuple[int, ...], int]]  # department, problems per stage, total
    trend: list[Bar]
    priorities: list[Bar]
    p1: list[dict[str, Any]]
    overdue: list[dict[str, Any]]


def dashboard(store: Store, period: str, lang: Lang) -> Dashboard | None:
    """The period's dashboard, or None when the period is not stored yet."""
    if period not in store.periods():
        return None
    departments = list(store.iter_departments(period))
    outline = store.load_outline(period)
    digest = period_digest([department_digest(d) for d in departments], general=outline.issues)
    p1 = [
        {"department": d.department, **p}
        for d in departments
        for p in d.rows("problems")
        if p.get("priority") == "P1" and stage_key(p.get("stage")) != CLOSED_STAGE
    ]
    overdue = [{"department": d.department, **a} for d in departments for a in d.rows("actions") if a.get("overdue")]
    return Dashboard(
        period,
        digest,
        [c.label(lang) for c in STAGE.choices],
        [(d.department, d.stages, d.problems) for d in digest.departments],
        _trend(outline.trend),
        _bars([(c.label(lang), n) for c, n in zip(PRIORITY.choices, digest.priorities, strict=True)]),
        sorted(p1, key=lambda p: (p["department"], p["problem_id"])),
        sorted(overdue, key=lambda a: -(a.get("days_overdue") or 0)),
    )


def _trend(figures: list[PeriodFigures]) -> list[Bar]:
    top = max((f.problems for f in figures), default=0) or 1
    return [Bar(f.period, f.problems, f.problems / top, f.closed / top) for f in figures[-12:]]


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((n for _, n in pairs), default=0) or 1
    return [Bar(label, n, n / top) for label, n in pairs]
