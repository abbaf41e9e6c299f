"""Submission -> DepartmentResult: every table, every computed column, and the period figures."""

from __future__ import annotations

from datetime import date

import pytest

from benchmarks.sample_submissions import problem_tables, record, submission
from ci_excel.compute import combine_figures, compute_department, deadline, period_end, period_figures, sheet_columns
from ci_excel.config import Config, Department
from ci_excel.schema import TABLE_SHEETS

CONFIG = Config()


def _by(rows: list[dict[str, object]], key: str) -> dict[object, dict[str, object]]:
    return {r[key]: r for r in rows}


def test_every_table_has_the_schema_columns_in_order() -> None:
    result = compute_department(submission(tables=problem_tables(2)), config=CONFIG)
    assert list(result.tables) == [*(s.key for s in TABLE_SHEETS), "root_causes"]
    for sheet, rows in result.tables.items():
        assert rows and all(list(row) == sheet_columns(sheet) for row in rows), sheet


def test_problems_statement_priority_stage_progress_flags() -> None:
    result = compute_department(submission(tables=problem_tables(3, done=1)), config=CONFIG)
    problems = _by(result.rows("problems"), "problem_id")
    done, open_ = problems["P-001"], problems["P-002"]
    assert done["statement"] == (
        "在电商大促,订单审核存在人工重复录入信息,导致订单处理时效延长2小时,影响程度为大促期间客户投诉量上升30%"
    )
    assert (done["impact"], done["difficulty"], done["priority"]) == ("medium", "medium", "P2")
    assert (open_["priority"], problems["P-003"]["priority"]) == ("P4", "P1")
    assert (done["stage"], done["progress"], done["flags"]) == ("6", 1.0, [])
    # two actions of the selected solution: 60 % and 60 % done, one overdue; the KPI is at 75 %
    assert (open_["stage"], open_["progress"]) == ("3", pytest.approx(0.6))
    assert open_["flags"] == ["overdue", "kpi_missed"]


def test_statements_in_english() -> None:
    tables = {
        "problems": [
            record(
                "problems",
                scenario="peak sales",
                process_step="review",
                issue="re-entry",
                effect="delay",
                quantification="+2 h",
            )
        ]
    }
    result = compute_department(submission(tables=tables), config=CONFIG, lang="en")
    statement = result.rows("problems")[0]["statement"]
    assert statement == "In peak sales, review has re-entry, causing delay; magnitude: +2 h"


def test_stage_and_flags_grow_with_the_steps() -> None:
    tables = {"problems": [record("problems")]}
    assert _problem(tables) == ("1", [])
    tables["why_chains"] = [record("why_chains")]
    assert _problem(tables) == ("2", ["unverified_root_cause", "no_passing_solution"])
    tables["verification"] = [
        record("verification", conclusion="rejected"),
        record("verification", conclusion="partial"),
    ]
    assert _problem(tables) == ("2", ["no_passing_solution"])
    tables["solutions"] = [record("solutions", selected=False)]  # passes, but not chosen
    tables["actions"] = [record("actions", due_on=date(2026, 12, 20))]
    assert _problem(tables) == ("2", [])
    tables["solutions"] = [record("solutions")]
    assert _problem(tables) == ("3", [])
    tables["progress"] = [record("progress", status="done", finished_on=date(2026, 11, 20))]
    assert _problem(tables) == ("4", [])
    tables["results"] = [record("results", actual=2)]
    assert _problem(tables) == ("5", [])
    tables["standards"] = [record("standards", closed=True)]
    assert _problem(tables) == ("6", [])


def _problem(tables: dict[str, list[object]]) -> tuple[object, object]:
    row = compute_department(submission(tables=tables), config=CONFIG).rows("problems")[0]  # type: ignore[arg-type]
    return row["stage"], row["flags"]


def test_stalled_from_the_stage_history() -> None:
    sub = submission(tables=problem_tables(2))
    rows = compute_department(sub, config=CONFIG, stage_history={"P-001": [2, 3, 3], "P-002": [3]}).rows("problems")
    assert "stalled" in rows[0]["flags"] and "stalled" not in rows[1]["flags"]
    rows = compute_department(sub, config=Config(stalled_periods=3), stage_history={"P-001": [2, 3, 3]})
    assert "stalled" not in rows.rows("problems")[0]["flags"]


def test_root_causes_from_why_chains_and_fishbone() -> None:
    tables = problem_tables(1)
    tables["fishbone"].append(record("fishbone", cause="高峰期人力不足", is_root=True, root_cause_id=None))
    tables["fishbone"].append(record("fishbone", cause="培训不足", is_root=True, root_cause_id="P-001-R9"))
    tables["verification"].append(record("verification", root_cause_id="P-001-R9", conclusion="rejected"))
    roots = compute_department(submission(tables=tables), config=CONFIG).rows("root_causes")
    assert [(r["root_cause_id"], r["source"], r["verified"]) for r in roots] == [
        ("P-001-R1", "why_chains+fishbone", "confirmed"),
        ("P-001-F1", "fishbone", None),
        ("P-001-R9", "fishbone", "rejected"),
    ]
    assert roots[0]["root_cause"] == "需求调研阶段未覆盖一线操作场景" and roots[1]["root_cause"] == "高峰期人力不足"
    problem = compute_department(submission(tables=tables), config=CONFIG).rows("problems")[0]
    assert "unverified_root_cause" in problem["flags"]


def test_solutions_score_pass_rank_recommend() -> None:
    solutions = _by(
        compute_department(submission(tables=problem_tables(1)), config=CONFIG).rows("solutions"), "solution_id"
    )
    assert {k: (s["score"], s["passes"], s["rank"], s["recommended"]) for k, s in solutions.items()} == {
        "S-001": (14, True, 1, True),
        "S-001b": (11, False, 2, False),
    }


def test_actions_join_progress_and_flag_overdue_and_late() -> None:
    tables = problem_tables(1)
    tables["progress"][1] = record(
        "progress", action_id="A-001b", status="done", percent_done=None, finished_on=date(2026, 11, 13)
    )
    actions = _by(compute_department(submission(tables=tables), config=CONFIG).rows("actions"), "action_id")
    assert {
        k: (a["status"], a["percent_done"], a["overdue"], a["days_overdue"], a["late"], a["days_late"])
        for k, a in actions.items()
    } == {"A-001": ("in_progress", 0.6, False, 0, False, None), "A-001b": ("done", 1.0, False, 0, True, 3)}
    tables["progress"] = []
    action = _by(compute_department(submission(tables=tables), config=CONFIG).rows("actions"), "action_id")["A-001b"]
    assert (action["status"], action["percent_done"], action["overdue"]) == (None, None, True)
    assert action["days_overdue"] == 20


def test_results_achievement_improvement_met() -> None:
    tables = {
        "problems": [record("problems")],
        "results": [
            record("results"),
            record("results", kpi="满意度", direction="higher", baseline=80, target=90, actual=92),
            record("results", actual=None),
        ],
    }
    rows = compute_department(submission(tables=tables), config=CONFIG).rows("results")
    assert [(r["achievement"], r["improvement"], r["met"]) for r in rows] == [
        (0.75, 0.375, False),
        (pytest.approx(1.2), pytest.approx(0.15), True),
        (None, None, None),
    ]


@pytest.mark.parametrize(
    ("submitted", "day", "late"),
    [
        (date(2026, 12, 5), 5, False),
        (date(2026, 12, 6), 5, True),
        (date(2026, 11, 28), 5, False),
        (None, 5, False),
        (date(2026, 12, 9), 10, False),
    ],
)
def test_late_submissions_after_the_deadline_day(submitted: date | None, day: int, late: bool) -> None:
    result = compute_department(submission(submitted_on=submitted), config=Config(deadline_day=day))
    assert result.late is late


def test_deadline_and_period_end() -> None:
    assert period_end("2026-11") == date(2026, 11, 30)
    assert period_end("2028-02") == date(2028, 2, 29) and period_end("2026-12") == date(2026, 12, 31)
    assert deadline("2026-11", CONFIG) == date(2026, 12, 5)
    assert deadline("2026-12", CONFIG) == date(2027, 1, 5)
    assert deadline("2027-01", Config(deadline_day=31)) == date(2027, 2, 28)  # clamped to the month


def test_department_name_goes_through_the_roster() -> None:
    config = Config(roster=(Department("客户服务部", ("客服部",)),))
    result = compute_department(submission("客服部"), config=config)
    assert result.department == "客户服务部" and result.info["department"] == "客服部"


def test_period_figures() -> None:
    first = compute_department(submission("电商运营部", tables=problem_tables(3, done=1)), config=CONFIG)
    second = compute_department(submission("物流部", tables=problem_tables(2, done=2)), config=CONFIG)
    figures = period_figures(
        "2026-11", [first, second], previous_problem_ids={("电商运营部", "P-001"), ("物流部", "P-009")}
    )
    assert (figures.departments, figures.problems, figures.new, figures.closed, figures.open) == (2, 5, 4, 3, 2)
    assert (figures.overdue_actions, figures.kpis, figures.kpis_met, figures.benefit) == (2, 5, 3, 600000.0)
    assert figures.by_stage == {1: 0, 2: 0, 3: 2, 4: 0, 5: 0, 6: 3}
    assert figures.by_priority == {"P1": 1, "P2": 2, "P3": 0, "P4": 2}
    assert period_figures("2026-11", [first], previous_problem_ids=None).new == 3
    empty = period_figures("2026-11", [], previous_problem_ids=None)
    assert (empty.problems, empty.benefit, empty.by_stage[1]) == (0, 0.0, 0)


def test_figures_of_departments_add_up_to_the_period_figures() -> None:
    first = compute_department(submission("电商运营部", tables=problem_tables(3, done=1)), config=CONFIG)
    second = compute_department(submission("物流部", tables=problem_tables(2, done=2)), config=CONFIG)
    previous = {("电商运营部", "P-001"), ("物流部", "P-009")}
    parts = [period_figures("2026-11", [d], previous_problem_ids=previous) for d in (first, second)]
    total = combine_figures(period_figures("2026-11", [], previous_problem_ids=None), parts[0])
    assert combine_figures(total, parts[1]) == period_figures("2026-11", [first, second], previous_problem_ids=previous)
