"""What the deck shows of one department beyond its digest: an A3 page per P1 problem and its most
overdue actions, made from its computed rows in the department's worker (`departments.run_job`), as
small picklable values of formatted text, so the deck never needs the rows (memory stays flat).

The A3 follows the classic layout: background (the problem statement), current condition and target
(the KPIs), root-cause analysis (the 5-Why chains and the fishbone causes), countermeasures (the
selected solutions with their scores), plan (actions, owners, dates, status), follow-up (KPI
achievement, standards). The Word report's A3 page (render/docx_a3.py) shows the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ci_excel.compute import stage_key
from ci_excel.model import DepartmentResult, Row
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import sanitize
from ci_excel.schema import Lang, enum_label
from ci_excel.scoring import flag_label, group_by, off_track, priority_key

OVERDUE_KEPT = 6  # a department's most overdue actions on its appendix slide


@dataclass(frozen=True)
class A3Page:
    """One P1 problem's A3, as text."""

    department: str
    problem_id: str
    statement: str
    owner: str
    stage: str
    progress: str
    flags: tuple[str, ...]
    off_track: bool
    metric: str  # the problem's own measure: metric current -> benchmark
    # (kpi (unit), baseline, target, actual, achievement, measured on, met)
    kpis: tuple[tuple[str, str, str, str, str, str, bool | None], ...]
    whys: tuple[tuple[str, ...], ...]  # each chain: why 1 .. why n, then the root cause
    causes: tuple[tuple[str, str, bool], ...]  # (fishbone category, cause / sub-cause, is root)
    solutions: tuple[tuple[str, str, str, bool], ...]  # (id, description, score, selected)
    actions: tuple[tuple[str, str, str, str, str, bool], ...]  # (what, who, due, status, done %, overdue)
    standards: tuple[tuple[str, str, str], ...]  # (kind, document, effective on)
    lessons: str


@dataclass(frozen=True)
class DeckPart:
    """A department's share of the deck: its A3 pages (P1 problems in priority order) and its most
    overdue actions (what, who, due, days overdue), most overdue first."""

    department: str
    a3: tuple[A3Page, ...]
    overdue: tuple[tuple[str, str, str, str], ...]
    appendix: bytes = b""  # its appendix slide's XML (deck/appendix.py), when its worker made it


def deck_part(dept: DepartmentResult, lang: Lang) -> DeckPart:
    """The A3 pages of the department's P1 problems and its most overdue actions."""
    index = _Index(dept)
    problems = sorted((p for p in dept.rows("problems") if p.get("priority") == "P1"), key=priority_key)
    late = sorted(
        (a for a in dept.rows("actions") if a.get("overdue")),
        key=lambda a: (-(a.get("days_overdue") or 0), str(a.get("action_id"))),
    )
    overdue = tuple(
        (
            fmt("actions", "what", a.get("what"), lang),
            fmt("actions", "who", a.get("who"), lang),
            fmt("actions", "due_on", a.get("due_on"), lang),
            str(a.get("days_overdue") or ""),
        )
        for a in late[:OVERDUE_KEPT]
    )
    return DeckPart(dept.department, tuple(a3_page(dept.department, p, index, lang) for p in problems), overdue)


class _Index:
    def __init__(self, dept: DepartmentResult) -> None:
        self.by = {
            sheet: group_by(dept.rows(sheet), "problem_id")
            for sheet in ("why_chains", "fishbone", "solutions", "results", "standards")
        }
        self.actions = group_by(dept.rows("actions"), "solution_id")

    def rows(self, sheet: str, pid: Any) -> list[Row]:
        return self.by[sheet].get(pid, [])


def a3_page(department: str, problem: Row, index: _Index, lang: Lang) -> A3Page:
    pid = problem.get("problem_id")
    solutions = index.rows("solutions", pid)
    chosen = [s for s in solutions if s.get("selected") is True] or [s for s in solutions if s.get("recommended")]
    actions = [a for s in chosen for a in index.actions.get(s.get("solution_id"), [])]
    standards = index.rows("standards", pid)
    stage = stage_key(problem.get("stage"))
    return A3Page(
        department=department,
        problem_id=sanitize(pid),
        statement=_fmt("problems", problem, "statement", lang),
        owner=_fmt("problems", problem, "owner", lang),
        stage=enum_label("problems", "stage", stage, lang) if stage else "",
        progress=_fmt("problems", problem, "progress", lang),
        flags=tuple(_flag(f, lang) for f in problem.get("flags") or ()),
        off_track=off_track(problem),
        metric=_metric(problem, lang),
        kpis=tuple(_kpi(r, lang) for r in index.rows("results", pid)),
        whys=tuple(_why(c) for c in index.rows("why_chains", pid)),
        causes=tuple(_cause(c, lang) for c in index.rows("fishbone", pid)),
        solutions=tuple(
            (
                sanitize(s.get("solution_id")),
                _fmt("solutions", s, "description", lang),
                _fmt("solutions", s, "score", lang),
                s.get("selected") is True,
            )
            for s in chosen
        ),
        actions=tuple(_action_row(a, lang) for a in actions),
        standards=tuple(
            (
                _fmt("standards", s, "kind", lang),
                _fmt("standards", s, "document", lang),
                _fmt("standards", s, "effective_on", lang),
            )
            for s in standards
        ),
        lessons=" ".join(_fmt("standards", s, "lessons", lang) for s in standards if s.get("lessons")),
    )


def _fmt(sheet: str, row: Row, key: str, lang: Lang) -> str:
    return fmt(sheet, key, row.get(key), lang)


def _flag(key: str, lang: Lang) -> str:
    try:
        return flag_label(key, lang)
    except KeyError:
        return sanitize(key)


def _metric(problem: Row, lang: Lang) -> str:
    if not problem.get("metric"):
        return ""
    current = fmt("problems", "current_value", problem.get("current_value"), lang)
    benchmark = fmt("problems", "benchmark_value", problem.get("benchmark_value"), lang)
    return f"{sanitize(problem['metric'])}: {current} → {benchmark}"


def _kpi(row: Row, lang: Lang) -> tuple[str, str, str, str, str, str, bool | None]:
    unit = row.get("unit")
    name = fmt("results", "kpi", row.get("kpi"), lang) + (f" ({sanitize(unit)})" if unit else "")
    met = row.get("met")
    return (
        name,
        *(fmt("results", k, row.get(k), lang) for k in ("baseline", "target", "actual", "achievement", "measured_on")),
        met if isinstance(met, bool) else None,
    )  # type: ignore[return-value]


def _why(chain: Row) -> tuple[str, ...]:
    steps: Sequence[Any] = [chain.get(f"why_{i}") for i in range(1, 6)]
    return (*(sanitize(s) for s in steps if s), sanitize(chain.get("root_cause")))


def _cause(row: Row, lang: Lang) -> tuple[str, str, bool]:
    category = row.get("category")
    label = fmt("fishbone", "category", category, lang) if category else ""
    text = " / ".join(sanitize(row.get(k)) for k in ("cause", "sub_cause") if row.get(k))
    return label, text, row.get("is_root") is True


def _action_row(action: Row, lang: Lang) -> tuple[str, str, str, str, str, bool]:
    """What, who, due, status, progress, and whether it is overdue."""
    what, who, due, status, done = (
        _fmt("actions", action, k, lang) for k in ("what", "who", "due_on", "status", "percent_done")
    )
    return what, who, due, status, done, action.get("overdue") is True
