"""Digests: a department's figures counted once (`department_digest`), folded once into the period
(`period_digest`), with the one ranking rule, the one mean and the one stage type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ci_excel import scoring
from ci_excel.issues import CODES, Issue
from ci_excel.model import DepartmentDigest, DepartmentResult, PeriodDigest, Row
from ci_excel.schema import PRIORITY, STAGE

CLOSED_STAGE = STAGE.choices[-1].key  # "6": standardized and closed


def department_digest(dept: DepartmentResult) -> DepartmentDigest:
    """What every output shows of a department: counted here once, from its computed rows and issues."""
    problems, results, solutions = dept.rows("problems"), dept.rows("results"), dept.rows("solutions")
    stages = [stage_key(p.get("stage")) for p in problems]
    severities = Counter(issue_severity(i) for i in dept.issues)
    return DepartmentDigest(
        department=dept.department,
        late=dept.late,
        submitted_on=dept.info.get("submitted_on"),
        contact=dept.info.get("contact"),
        contact_info=dept.info.get("contact_info"),
        files=len(dept.files),
        problems=len(problems),
        stages=_counts(stages, STAGE.by_key),
        priorities=_counts((p.get("priority") for p in problems), PRIORITY.by_key),
        closed=stages.count(CLOSED_STAGE),
        p1_open=_open_p1(problems, stages),
        avg_stage=mean(int(s) for s in stages if s),
        progress=mean(p.get("progress") for p in problems),
        actions=len(dept.rows("actions")),
        overdue_actions=_count(dept.rows("actions"), "overdue"),
        kpis=len(results),
        kpis_met=_count(results, "met"),
        achievement=mean(r.get("achievement") for r in results),
        benefit=_total(r.get("annual_benefit") for r in results),
        solutions=len(solutions),
        passing=_count(solutions, "passes"),
        errors=severities["error"],
        warnings=severities["warning"],
        stage_priority=_tally((s, str(p.get("priority"))) for p, s in zip(problems, stages, strict=True)),
        matrix=_tally(
            (str(p.get("priority")), str(p.get("impact") or ""), str(p.get("difficulty") or "")) for p in problems
        ),
        categories=_categories(solutions),
        p1_off_track=sum(1 for p in problems if p.get("priority") == "P1" and scoring.off_track(p)),
        kpis_missed=sum(1 for r in results if r.get("met") is False),
        gains_not_held=sum(1 for p in problems if "gain_not_held" in (p.get("flags") or ())),
    )


def _count(rows: Iterable[Row], key: str) -> int:
    """Rows whose yes/no `key` is yes."""
    return sum(1 for r in rows if r.get(key) is True)


def _open_p1(problems: Sequence[Row], stages: Sequence[str]) -> int:
    return sum(1 for p, s in zip(problems, stages, strict=True) if p.get("priority") == "P1" and s != CLOSED_STAGE)


def stage_key(value: Any) -> str:
    """The one stage type: a problem's stage as its STAGE key ("1".."6"), "" when blank or unknown."""
    key = "" if value is None else str(value)
    return key if key in STAGE.by_key else ""


def issue_severity(issue: Issue) -> str:
    """An issue's severity; a code outside the table (from a newer or older run) counts as a warning."""
    return CODES[issue.code].severity if issue.code in CODES else "warning"


def mean(values: Iterable[Any]) -> float | None:
    """The one mean: of the values that are numbers (not booleans); None when there are none."""
    numbers = [v for v in values if _is_number(v)]
    return sum(numbers) / len(numbers) if numbers else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value  # NaN is blank


def _total(values: Iterable[Any]) -> float | None:
    numbers = [float(v) for v in values if _is_number(v)]
    return sum(numbers) if numbers else None


def _counts(values: Iterable[Any], keys: Iterable[str]) -> tuple[int, ...]:
    seen = Counter(values)
    return tuple(seen.get(k, 0) for k in keys)


def _tally(keys: Iterable[tuple[str, ...]]) -> tuple[Any, ...]:
    return tuple((*k, n) for k, n in sorted(Counter(keys).items()))


def _categories(solutions: Sequence[Row]) -> tuple[tuple[str, int, int], ...]:
    every = Counter(str(s.get("category")) for s in solutions)
    chosen = Counter(str(s.get("category")) for s in solutions if s.get("selected") is True)
    return tuple((c, n, chosen.get(c, 0)) for c, n in sorted(every.items()))


def rank_departments(digests: Iterable[DepartmentDigest]) -> list[DepartmentDigest]:
    """The one ranking rule, the one the Word portfolio documents ("by closure rate, KPI hit rate, then
    overdue actions"): closure rate and KPI hit rate high first (no KPIs counts as 0%), overdue actions
    few first, then mean progress high first, then the department's name."""
    return sorted(
        digests,
        key=lambda d: (-d.closure_rate, -(d.kpi_rate or 0.0), d.overdue_actions, -(d.progress or 0.0), d.department),
    )


def most_problems(digests: Iterable[DepartmentDigest], n: int) -> list[DepartmentDigest]:
    """The `n` departments with the most problems, ties by name (the summary's stage chart)."""
    return sorted(digests, key=lambda d: (-d.problems, d.department))[:n]


def most_errors(digests: Iterable[DepartmentDigest]) -> list[DepartmentDigest]:
    """Departments with the most data errors first, ties by name (the data-quality tables)."""
    return sorted(digests, key=lambda d: (-d.errors, d.department))


def period_digest(digests: Sequence[DepartmentDigest], *, general: Iterable[Issue] = ()) -> PeriodDigest:
    """The departments folded into the period, once: totals added in the order given, departments
    ranked; `general` issues (not tied to a department) count in the errors and warnings."""

    def total(name: str) -> int:
        return sum(getattr(d, name) for d in digests)

    severities = Counter(issue_severity(i) for i in general)
    amounts = [d.benefit for d in digests if d.benefit is not None]
    return PeriodDigest(
        departments=tuple(rank_departments(digests)),
        problems=total("problems"),
        closed=total("closed"),
        p1_open=total("p1_open"),
        actions=total("actions"),
        overdue_actions=total("overdue_actions"),
        kpis=total("kpis"),
        kpis_met=total("kpis_met"),
        benefit=sum(amounts) if amounts else None,
        solutions=total("solutions"),
        passing=total("passing"),
        errors=total("errors") + severities["error"],
        warnings=total("warnings") + severities["warning"],
        stages=_added([d.stages for d in digests], len(STAGE.choices)),
        priorities=_added([d.priorities for d in digests], len(PRIORITY.choices)),
        stage_priority=_summed(row for d in digests for row in d.stage_priority),
        matrix=_summed(row for d in digests for row in d.matrix),
        cells=_summed((i, d, n) for digest in digests for _, i, d, n in digest.matrix),
        categories={c: (n, chosen) for c, n, chosen in _category_totals(digests)},
        p1_off_track=total("p1_off_track"),
        kpis_missed=total("kpis_missed"),
        gains_not_held=total("gains_not_held"),
    )


def _added(counts: Sequence[tuple[int, ...]], size: int) -> tuple[int, ...]:
    return tuple(sum(c[i] for c in counts) for i in range(size))


def _summed(rows: Iterable[tuple[Any, ...]]) -> dict[Any, int]:
    """Rows of (*key, n) added up by key."""
    out: Counter[tuple[Any, ...]] = Counter()
    for *key, n in rows:
        out[tuple(key)] += n
    return dict(out)


def _category_totals(digests: Sequence[DepartmentDigest]) -> list[tuple[str, int, int]]:
    every = _summed((c, n) for d in digests for c, n, _ in d.categories)
    chosen = _summed((c, n) for d in digests for c, _, n in d.categories)
    return [(c, n, chosen.get((c,), 0)) for (c,), n in sorted(every.items())]
