"""The manual's computations as pure functions (SPEC section 4): no I/O, no state.

Rows are dicts keyed by schema column keys holding typed values (enum keys such as "high",
"done"; dates; percents as fractions). Every rule takes its settings from a Config.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from ci_excel.config import Config
from ci_excel.model import KpiPoint
from ci_excel.schema import Lang
from ci_excel.text import pick

Row = Mapping[str, Any]
_R = TypeVar("_R", bound=Row)

CLOSED = "6"  # the stage of a standardized, closed problem
DONE = "done"
CANCELLED = "cancelled"
CLOSED_STATUSES = (DONE, CANCELLED)
LEVEL_ORDER = {"high": 0, "medium": 1, "low": 2}  # impact: high first
EASE_ORDER = {"low": 0, "medium": 1, "high": 2}  # difficulty: low first
CONCLUSION_ORDER = {"confirmed": 0, "partial": 1, "rejected": 2}
SUPPORTED = ("confirmed", "partial")  # a verification that backs the root cause
DIMENSIONS = ("effectiveness", "feasibility", "cost", "risk")
_EPS = 1e-9

# Health flags of a problem: stable key -> (zh, en) label. Problems carry a list of these keys.
FLAGS: dict[str, tuple[str, str]] = {
    "overdue": ("行动逾期", "Overdue actions"),
    "unverified_root_cause": ("根因未验证", "Unverified root cause"),
    "no_passing_solution": ("无达标方案", "No passing solution"),
    "kpi_missed": ("指标未达标", "KPI missed"),
    "stalled": ("进展停滞", "Stalled"),
    "gain_not_held": ("成果未保持", "Gain not held"),
}


def flag_label(key: str, lang: Lang = "zh") -> str:
    zh, en = FLAGS[key]
    return pick(lang, zh, en)


# -- step 1: statement and priority -------------------------------------------------------------


def problem_statement(row: Row, lang: Lang, config: Config) -> str:
    """The 问题描述公式 filled from the row; blank fields become empty text."""
    values = {k: "" if v is None else str(v) for k, v in row.items()}
    return config.statements[lang].format_map(defaultdict(str, values))


def priority(impact: str | None, difficulty: str | None, config: Config) -> str | None:
    """The priority class P1..P4 from the impact x difficulty matrix (None when either is blank or unknown)."""
    return config.matrix.get(impact or "", {}).get(difficulty or "")


def priority_key(row: Row) -> tuple[Any, ...]:
    """Sort key: class, impact (high first), difficulty (low first), identified_on, problem_id."""
    return (
        row.get("priority") or "P9",
        LEVEL_ORDER.get(row.get("impact") or "", 9),
        EASE_ORDER.get(row.get("difficulty") or "", 9),
        row.get("identified_on") or date.max,
        str(row.get("problem_id") or ""),
    )


# -- step 3: solution scores --------------------------------------------------------------------


def solution_score(row: Row, config: Config) -> float | None:
    """Weighted sum of the four 1-5 scores (None when one is blank)."""
    weights = config.weights.as_dict()
    if any(row.get(d) is None for d in DIMENSIONS):
        return None
    return round(sum(weights[d] * float(row[d]) for d in DIMENSIONS), 6)


def passes(score: float | None, config: Config) -> bool:
    """The manual's gate: total ≥ threshold (12) goes to the next round."""
    return score is not None and score >= config.threshold - _EPS


def _rank_key(row: Row, config: Config) -> tuple[float, float, float]:
    score = solution_score(row, config)
    return (
        -(score if score is not None else -1e9),
        -float(row.get("effectiveness") or 0),
        -float(row.get("feasibility") or 0),
    )


def rank_solutions(rows: Sequence[Row], config: Config) -> dict[str, int]:
    """solution_id -> rank among its problem's candidates (total, effectiveness, feasibility).

    Exact ties share a rank (1, 1, 3).
    """
    ranks: dict[str, int] = {}
    for group in group_by(rows, "problem_id").values():
        ordered = sorted(group, key=lambda r: (_rank_key(r, config), str(r["solution_id"])))
        for i, row in enumerate(ordered):
            tied = i > 0 and _rank_key(row, config) == _rank_key(ordered[i - 1], config)
            ranks[row["solution_id"]] = ranks[ordered[i - 1]["solution_id"]] if tied else i + 1
    return ranks


def recommended(rows: Sequence[Row], config: Config) -> set[str]:
    """The best passing candidate of each problem, by rank (ties: lowest solution_id).

    The team's own `selected` choice does not sway it: the recommendation is the method's
    answer, so a report can show where the team chose differently.
    """
    best: set[str] = set()
    for group in group_by(rows, "problem_id").values():
        passing = [r for r in group if passes(solution_score(r, config), config)]
        if passing:
            best.add(min(passing, key=lambda r: (_rank_key(r, config), str(r["solution_id"])))["solution_id"])
    return best


def group_by(rows: Iterable[_R], key: str) -> dict[Any, list[_R]]:
    """Rows by their value of `key`, in row order (a defaultdict: an absent value reads as [])."""
    groups: dict[Any, list[_R]] = defaultdict(list)
    for row in rows:
        groups[row.get(key)].append(row)
    return groups


# -- step 4: actions and progress ---------------------------------------------------------------


def overdue(action: Row, progress: Row | None, period_end: date) -> bool:
    """Not done or cancelled, and due before the period's last day."""
    due = action.get("due_on")
    status = progress.get("status") if progress else None
    return due is not None and status not in CLOSED_STATUSES and due < period_end


def days_overdue(action: Row, progress: Row | None, period_end: date) -> int | None:
    """Days from due to the period's last day when overdue; 0 when not; None without a due date."""
    due = action.get("due_on")
    if due is None:
        return None
    return (period_end - due).days if overdue(action, progress, period_end) else 0


def late(action: Row, progress: Row | None) -> bool:
    """Finished after its due date."""
    return (days_late(action, progress) or 0) > 0


def days_late(action: Row, progress: Row | None) -> int | None:
    """Days finished after due (0 when on time); None until both dates are known."""
    due = action.get("due_on")
    finished = progress.get("finished_on") if progress else None
    if due is None or finished is None:
        return None
    days: int = (finished - due).days
    return max(days, 0)


def action_percent(progress: Row | None) -> float | None:
    """An action's share done: 已完成 counts 100 %; nothing reported counts 0; cancelled is None."""
    if progress is None:
        return 0.0
    status = progress.get("status")
    if status == CANCELLED:
        return None
    if status == DONE:
        return 1.0
    return float(progress.get("percent_done") or 0.0)


def rollup(percents: Iterable[float | None]) -> float | None:
    """Mean of the actions' shares done, cancelled actions left out (None when nothing counts)."""
    values = [p for p in percents if p is not None]
    return sum(values) / len(values) if values else None


# -- step 5: KPI --------------------------------------------------------------------------------


def achievement(
    direction: str | None, baseline: float | None, target: float | None, actual: float | None
) -> float | None:
    """Share of the planned change achieved: 1.0 = target reached (None when not measurable)."""
    if direction is None or baseline is None or target is None or actual is None or baseline == target:
        return None
    if direction == "lower":
        return (baseline - actual) / (baseline - target)
    return (actual - baseline) / (target - baseline)


def improvement(direction: str | None, baseline: float | None, actual: float | None) -> float | None:
    """Change against the baseline, positive when better (None when baseline is 0 or unknown)."""
    if direction is None or baseline is None or actual is None or baseline == 0:
        return None
    change = (baseline - actual) if direction == "lower" else (actual - baseline)
    return change / abs(baseline)


def met(achieved: float | None) -> bool | None:
    """Target met when achievement ≥ 100 % (None until measured)."""
    return None if achieved is None else achieved >= 1 - _EPS


def kpi_met(row: Row) -> bool | None:
    """`met` of a results row, from its direction, baseline, target and actual (None until measurable)."""
    return met(achievement(row.get("direction"), row.get("baseline"), row.get("target"), row.get("actual")))


# -- stage and health ---------------------------------------------------------------------------


def stage(
    *, has_root_cause: bool, plan_statuses: Sequence[str | None], kpis_met: Sequence[bool | None], closed: bool
) -> int:
    """The furthest step 1..6 whose condition holds together with every step before it.

    plan_statuses: statuses of the actions of the problem's passing, selected solutions;
    kpis_met: `met` of each of its KPIs; closed: a standards row with closed = 是.
    """
    conditions = (
        has_root_cause,  # 2 root cause found
        bool(plan_statuses),  # 3 solution planned
        all(s in CLOSED_STATUSES for s in plan_statuses) and DONE in plan_statuses,  # 4 implemented
        bool(kpis_met) and all(m is True for m in kpis_met),  # 5 verified
        closed,  # 6 standardized and closed
    )
    reached = 1
    for holds in conditions:
        if not holds:
            break
        reached += 1
    return reached


def stalled(current: int, history: Sequence[int], config: Config) -> bool:
    """Stage unchanged for N periods: the last N earlier stages equal this one (closed never stalls)."""
    n = config.stalled_periods
    return current < 6 and len(history) >= n and all(h == current for h in history[-n:])


def gain_not_held(met_now: bool | None, history: Sequence[KpiPoint]) -> bool:
    """A KPI slipped back: it met its target in an earlier period in which its problem was closed
    (stage 6), and this period it is measured below target."""
    return met_now is False and any(p.met is True and p.stage == CLOSED for p in history)


def off_track(problem: Row) -> bool:
    """A problem not on track: not closed, with a health flag (overdue, stalled, KPI missed …)."""
    return str(problem.get("stage")) != CLOSED and bool(problem.get("flags"))


def health_flags(
    *,
    overdue_actions: bool,
    unverified_root_cause: bool,
    no_passing_solution: bool,
    kpi_missed: bool,
    is_stalled: bool,
    gain_lost: bool = False,
) -> list[str]:
    """The flag keys that hold, in FLAGS order."""
    holds = (overdue_actions, unverified_root_cause, no_passing_solution, kpi_missed, is_stalled, gain_lost)
    return [key for key, on in zip(FLAGS, holds, strict=True) if on]


def best_conclusion(conclusions: Iterable[str | None]) -> str | None:
    """The strongest verification conclusion (已证实 > 部分证实 > 未证实), None when unchecked."""
    found = [c for c in conclusions if c in CONCLUSION_ORDER]
    return min(found, key=CONCLUSION_ORDER.__getitem__) if found else None
