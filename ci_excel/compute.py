"""Validated submissions -> tables with every computed column (SPEC section 4).

`compute_department` turns one model.Submission into a model.DepartmentResult: each input sheet's
rows with the schema's input columns (in schema order, None when blank) plus the sheet's
`computed` columns, and a derived "root_causes" table. `department_digest` counts what every output
shows of a department, once; `period_digest` folds the digests into the period (one ranking rule,
`rank_departments`; one mean; one stage type) and `period_figures` gives the trend's headline
figures from them. The rules themselves live in scoring.py.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ci_excel import scoring
from ci_excel.config import Config
from ci_excel.issues import CODES, Issue
from ci_excel.model import (
    DepartmentDigest,
    DepartmentResult,
    KpiHistory,
    PeriodDigest,
    PeriodFigures,
    Row,
    Submission,
)
from ci_excel.schema import PRIORITY, ROOT_CAUSES, SHEETS, STAGE, TABLE_SHEETS, Lang, SheetSpec


def period_end(period: str) -> date:
    """The last day of a YYYY-MM period."""
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def deadline(period: str, config: Config) -> date:
    """Submissions are due by `deadline_day` of the month after the period (clamped to its end)."""
    first_next = period_end(period) + timedelta(days=1)
    last_day = calendar.monthrange(first_next.year, first_next.month)[1]
    return first_next.replace(day=min(config.deadline_day, last_day))


def is_late(info: Row, period: str, config: Config) -> bool:
    """Submitted (info submitted_on) after the deadline; unknown dates are not late."""
    submitted = info.get("submitted_on")
    return isinstance(submitted, date) and submitted > deadline(period, config)


def compute_department(
    sub: Submission,
    *,
    config: Config,
    stage_history: Mapping[str, Sequence[int]] | None = None,
    kpi_history: KpiHistory | None = None,
    lang: Lang | None = None,
) -> DepartmentResult:
    """Every table of one department's period with its computed columns filled in.

    stage_history: problem_id -> its stages in earlier periods, oldest first (for `stalled`);
    kpi_history: its KPIs in earlier periods (for `gain_not_held` and the KPI run charts);
    lang: language of the problem statements (default: the config's).
    """
    kpi_history = kpi_history or {}
    tables = {spec.key: [_input_row(spec, values) for values in sub.rows(spec.key)] for spec in TABLE_SHEETS}
    end = period_end(sub.period)
    tables["root_causes"] = _root_causes(tables)
    _solutions(tables["solutions"], config)
    _actions(tables["actions"], tables["progress"], end)
    _results(tables["results"])
    _problems(tables, config, stage_history or {}, kpi_history, lang or config.lang)
    return DepartmentResult(
        department=config.canonical_department(sub.department),
        period=sub.period,
        info=dict(sub.info),
        tables=tables,
        issues=list(sub.issues),
        files=list(sub.files),
        late=is_late(sub.info, sub.period, config),
        kpi_history=dict(kpi_history),
    )


def _input_row(spec: SheetSpec, values: Row) -> Row:
    row: Row = {c.key: values.get(c.key) for c in spec.columns}
    row.update({c.key: None for c in spec.computed})
    return row


# -- per sheet ----------------------------------------------------------------------------------


def _root_causes(tables: Mapping[str, list[Row]]) -> list[Row]:
    """Root causes from 5-Why chains and fishbone roots; a shared id is one root cause."""
    found: dict[str, Row] = {}
    for row in tables["why_chains"]:
        _add_root(found, row["root_cause_id"], row["problem_id"], row["root_cause"], "why_chains")
    unnamed: dict[Any, int] = defaultdict(int)
    for row in tables["fishbone"]:
        if not row.get("is_root"):
            continue
        root_id = row.get("root_cause_id")
        if not root_id:  # a fishbone root without an id still counts, under a made-up id
            unnamed[row["problem_id"]] += 1
            root_id = f"{row['problem_id']}-F{unnamed[row['problem_id']]}"
        _add_root(found, root_id, row["problem_id"], row["cause"], "fishbone")
    verifications = scoring.group_by(tables["verification"], "root_cause_id")
    for root_id, root in found.items():
        root["verified"] = scoring.best_conclusion(v.get("conclusion") for v in verifications.get(root_id, []))
    return list(found.values())


def _add_root(found: dict[str, Row], root_id: str, problem_id: Any, text: Any, source: str) -> None:
    if root_id in found:
        root = found[root_id]
        if source not in root["source"].split("+"):
            root["source"] += f"+{source}"
        root["root_cause"] = root["root_cause"] or text
        return
    found[root_id] = _input_row(
        ROOT_CAUSES, {"root_cause_id": root_id, "problem_id": problem_id, "root_cause": text, "source": source}
    )


def _solutions(rows: list[Row], config: Config) -> None:
    ranks = scoring.rank_solutions(rows, config)
    best = scoring.recommended(rows, config)
    for row in rows:
        row["score"] = scoring.solution_score(row, config)
        row["passes"] = scoring.passes(row["score"], config)
        row["rank"] = ranks.get(row["solution_id"])
        row["recommended"] = row["solution_id"] in best


def _actions(actions: list[Row], progress_rows: list[Row], end: date) -> None:
    progress = {p["action_id"]: p for p in progress_rows}  # one row per action (validated unique)
    for row in actions:
        state = progress.get(row["action_id"])
        row["status"] = state.get("status") if state else None
        percent = state.get("percent_done") if state else None
        row["percent_done"] = 1.0 if percent is None and row["status"] == scoring.DONE else percent
        row["overdue"] = scoring.overdue(row, state, end)
        row["days_overdue"] = scoring.days_overdue(row, state, end)
        row["late"] = scoring.late(row, state)
        row["days_late"] = scoring.days_late(row, state)


def _results(rows: list[Row]) -> None:
    for row in rows:
        row["achievement"] = scoring.achievement(row["direction"], row["baseline"], row["target"], row["actual"])
        row["improvement"] = scoring.improvement(row["direction"], row["baseline"], row["actual"])
        row["met"] = scoring.met(row["achievement"])


def _problems(
    tables: Mapping[str, list[Row]],
    config: Config,
    history: Mapping[str, Sequence[int]],
    kpi_history: KpiHistory,
    lang: Lang,
) -> None:
    by = _ProblemIndex(tables)
    for row in tables["problems"]:
        pid = row["problem_id"]
        row["statement"] = scoring.problem_statement(row, lang, config)
        row["priority"] = scoring.priority(row["impact"], row["difficulty"], config)
        plan = by.plan_actions(pid)
        stage = scoring.stage(
            has_root_cause=bool(by.roots[pid]),
            plan_statuses=[a["status"] for a in plan],
            kpis_met=[r["met"] for r in by.results[pid]],
            closed=any(s.get("closed") is True for s in by.standards[pid]),
        )
        row["stage"] = str(stage)
        row["progress"] = scoring.rollup(by.action_percents(pid))
        row["flags"] = _flags(by, pid, stage, history.get(pid, ()), config, kpi_history)


def _flags(
    by: _ProblemIndex, pid: Any, stage: int, history: Sequence[int], config: Config, kpi_history: KpiHistory
) -> list[str]:
    roots = by.roots[pid]
    solutions = by.solutions[pid]
    return scoring.health_flags(
        gain_lost=any(scoring.gain_not_held(r["met"], kpi_history.get((pid, r["kpi"]), ())) for r in by.results[pid]),
        overdue_actions=any(a["overdue"] for a in by.actions(pid)),
        unverified_root_cause=any(r["verified"] not in scoring.SUPPORTED for r in roots),
        no_passing_solution=bool(roots or solutions) and not any(s["passes"] for s in solutions),
        kpi_missed=any(r["met"] is False for r in by.results[pid]),
        is_stalled=scoring.stalled(stage, history, config),
    )


class _ProblemIndex:
    """The rows of each sheet grouped by the problem they belong to."""

    def __init__(self, tables: Mapping[str, list[Row]]) -> None:
        self.roots = scoring.group_by(tables["root_causes"], "problem_id")
        self.solutions = scoring.group_by(tables["solutions"], "problem_id")
        self.results = scoring.group_by(tables["results"], "problem_id")
        self.standards = scoring.group_by(tables["standards"], "problem_id")
        self._actions = scoring.group_by(tables["actions"], "solution_id")
        self._progress = {p["action_id"]: p for p in tables["progress"]}

    def actions(self, pid: Any) -> list[Row]:
        return [a for s in self.solutions[pid] for a in self._actions.get(s["solution_id"], [])]

    def plan_actions(self, pid: Any) -> list[Row]:
        """Actions of the problem's passing, selected solutions: the plan that drives stages 3-4."""
        chosen = [s for s in self.solutions[pid] if s["passes"] and s.get("selected") is True]
        return [a for s in chosen for a in self._actions.get(s["solution_id"], [])]

    def action_percents(self, pid: Any) -> list[float | None]:
        return [scoring.action_percent(self._progress.get(a["action_id"])) for a in self.actions(pid)]


# -- the period ---------------------------------------------------------------------------------


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


def sheet_columns(sheet: str) -> list[str]:
    """Column keys of a result table, input columns then computed ones."""
    spec = SHEETS[sheet]
    return [c.key for c in (*spec.columns, *spec.computed)]


# -- digests: a department's figures counted once, folded once into the period --------------------

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
