"""One department's validated submission -> its tables with every computed column (SPEC section 4).

Each input sheet's rows keep the schema's input columns (in schema order, None when blank) and gain
the sheet's `computed` columns; "root_causes" is derived from 5-Why chains and fishbone roots. The
rules themselves live in scoring.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ci_excel import scoring
from ci_excel.compute.periods import is_late, period_end
from ci_excel.config import Config
from ci_excel.model import DepartmentResult, KpiHistory, Row, Submission
from ci_excel.schema import ROOT_CAUSES, SHEETS, TABLE_SHEETS, Lang, SheetSpec


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


def sheet_columns(sheet: str) -> list[str]:
    """Column keys of a result table, input columns then computed ones."""
    spec = SHEETS[sheet]
    return [c.key for c in (*spec.columns, *spec.computed)]
