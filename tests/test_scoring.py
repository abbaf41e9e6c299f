"""The manual's rules, checked against its own examples and every case of the SPEC tables."""

from __future__ import annotations

from datetime import date

import pytest

from ci_excel import scoring
from ci_excel.config import Config, Weights
from ci_excel.examples import example_row

CONFIG = Config()
NOV_END = date(2026, 11, 30)


def _solution(sid: str, e: int, f: int, c: int, r: int, *, problem: str = "P-001") -> dict[str, object]:
    return {"solution_id": sid, "problem_id": problem, "effectiveness": e, "feasibility": f, "cost": c, "risk": r}


# -- step 1 -------------------------------------------------------------------------------------


def test_problem_statement_follows_the_manual_formula() -> None:
    row = example_row("problems")
    assert scoring.problem_statement(row, "zh", CONFIG) == (
        "在电商大促,订单审核存在人工重复录入信息,导致订单处理时效延长2小时,影响程度为大促期间客户投诉量上升30%"
    )
    assert scoring.problem_statement(example_row("problems", "en"), "en", CONFIG) == (
        "In Peak-sale e-commerce, order review has manual re-entry of order data, causing order handling takes "
        "2 hours longer; magnitude: complaints up 30% during the sale"
    )


def test_problem_statement_blank_fields_and_custom_template() -> None:
    config = Config(statements={"zh": "{issue}@{scenario}", "en": "{issue}"})
    assert scoring.problem_statement({"issue": "慢", "scenario": None}, "zh", config) == "慢@"


@pytest.mark.parametrize(
    ("impact", "difficulty", "expected"),
    [
        ("high", "low", "P1"),
        ("high", "medium", "P1"),
        ("high", "high", "P2"),
        ("medium", "low", "P2"),
        ("medium", "medium", "P2"),
        ("medium", "high", "P3"),
        ("low", "low", "P3"),
        ("low", "medium", "P3"),
        ("low", "high", "P4"),
    ],
)
def test_every_cell_of_the_priority_matrix(impact: str, difficulty: str, expected: str) -> None:
    assert scoring.priority(impact, difficulty, CONFIG) == expected


def test_manual_priority_examples() -> None:
    assert scoring.priority("high", "medium", CONFIG) == "P1"  # 高影响-中低难度: 优先解决
    assert scoring.priority("low", "high", CONFIG) == "P4"  # 低影响-高难度: 暂缓
    assert scoring.priority(None, "high", CONFIG) is None


def test_priority_matrix_is_configurable() -> None:
    config = Config(matrix={**CONFIG.matrix, "low": {"low": "P4", "medium": "P4", "high": "P4"}})
    assert scoring.priority("low", "low", config) == "P4"


def test_priority_order_class_impact_difficulty_date_id() -> None:
    rows = [
        {"problem_id": "P-9", "priority": "P2", "impact": "high", "difficulty": "high"},
        {"problem_id": "P-8", "priority": "P1", "impact": "high", "difficulty": "medium"},
        {
            "problem_id": "P-7",
            "priority": "P1",
            "impact": "high",
            "difficulty": "low",
            "identified_on": date(2026, 11, 5),
        },
        {
            "problem_id": "P-6",
            "priority": "P1",
            "impact": "high",
            "difficulty": "low",
            "identified_on": date(2026, 11, 1),
        },
        {"problem_id": "P-5", "priority": "P2", "impact": "medium", "difficulty": "low"},
        {"problem_id": "P-4", "priority": "P1", "impact": "high", "difficulty": "low"},
        {"problem_id": "P-3", "priority": "P1", "impact": "high", "difficulty": "low"},
    ]
    ordered = [r["problem_id"] for r in sorted(rows, key=scoring.priority_key)]
    assert ordered == ["P-6", "P-7", "P-3", "P-4", "P-8", "P-9", "P-5"]


# -- step 3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "total", "passing"),
    [
        ((5, 4, 3, 2), 14, True),  # the manual's 开发自动抓取接口 example
        ((3, 3, 3, 3), 12, True),  # exactly the threshold
        ((3, 3, 3, 2), 11, False),
        ((1, 1, 1, 1), 4, False),
        ((5, 5, 5, 5), 20, True),
    ],
)
def test_solution_score_and_threshold(scores: tuple[int, int, int, int], total: int, passing: bool) -> None:
    score = scoring.solution_score(_solution("S", *scores), CONFIG)
    assert score == total
    assert scoring.passes(score, CONFIG) is passing


def test_weights_and_threshold_are_configurable() -> None:
    config = Config(weights=Weights(effectiveness=2), threshold=16)
    assert scoring.solution_score(_solution("S", 5, 4, 3, 2), config) == 19
    assert scoring.passes(15, config) is False and scoring.passes(16, config) is True


def test_missing_score_does_not_pass() -> None:
    row = _solution("S", 5, 4, 3, 2) | {"risk": None}
    assert scoring.solution_score(row, CONFIG) is None and scoring.passes(None, CONFIG) is False


def test_rank_by_total_then_effectiveness_then_feasibility_per_problem() -> None:
    rows = [
        _solution("S-1", 3, 5, 3, 3),  # 14, eff 3
        _solution("S-2", 5, 3, 3, 3),  # 14, eff 5, feas 3
        _solution("S-3", 5, 4, 2, 3),  # 14, eff 5, feas 4
        _solution("S-4", 5, 5, 5, 5),  # 20
        _solution("S-5", 3, 5, 3, 3),  # tie with S-1
        _solution("S-6", 1, 1, 1, 1, problem="P-002"),
    ]
    assert scoring.rank_solutions(rows, CONFIG) == {"S-4": 1, "S-3": 2, "S-2": 3, "S-1": 4, "S-5": 4, "S-6": 1}


def test_recommended_is_the_best_passing_candidate_of_each_problem() -> None:
    rows = [
        _solution("S-1", 4, 4, 3, 3) | {"selected": True},  # 14
        _solution("S-2", 5, 4, 3, 3),  # 15: best, even though S-1 was selected
        _solution("S-3", 2, 2, 2, 2, problem="P-002"),  # nothing passes for P-002
        _solution("S-4", 3, 3, 3, 3, problem="P-003"),
        _solution("S-5", 3, 3, 3, 3, problem="P-003"),  # exact tie: lowest id wins
    ]
    assert scoring.recommended(rows, CONFIG) == {"S-2", "S-4"}


# -- step 4 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "status", "is_overdue", "days"),
    [
        (date(2026, 11, 20), "in_progress", True, 10),
        (date(2026, 11, 20), None, True, 10),  # no progress row: not done
        (date(2026, 11, 20), "delayed", True, 10),
        (date(2026, 11, 20), "not_started", True, 10),
        (date(2026, 11, 20), "done", False, 0),
        (date(2026, 11, 20), "cancelled", False, 0),
        (date(2026, 11, 30), "in_progress", False, 0),  # due on the last day: not yet overdue
        (date(2026, 11, 29), "in_progress", True, 1),
        (date(2026, 12, 15), "in_progress", False, 0),
        (None, "in_progress", False, None),
    ],
)
def test_overdue(due: date | None, status: str | None, is_overdue: bool, days: int | None) -> None:
    action = {"action_id": "A-1", "due_on": due}
    progress = None if status is None else {"action_id": "A-1", "status": status}
    assert scoring.overdue(action, progress, NOV_END) is is_overdue
    assert scoring.days_overdue(action, progress, NOV_END) == days


@pytest.mark.parametrize(
    ("due", "finished", "is_late", "days"),
    [
        (date(2026, 11, 10), date(2026, 11, 20), True, 10),
        (date(2026, 11, 10), date(2026, 11, 10), False, 0),
        (date(2026, 11, 10), date(2026, 11, 1), False, 0),
        (date(2026, 11, 10), None, False, None),
        (None, date(2026, 11, 1), False, None),
    ],
)
def test_late(due: date | None, finished: date | None, is_late: bool, days: int | None) -> None:
    action = {"due_on": due}
    progress = {"status": "done", "finished_on": finished}
    assert scoring.late(action, progress) is is_late
    assert scoring.days_late(action, progress) == days


def test_progress_rollup_done_counts_full_and_cancelled_is_left_out() -> None:
    percents = [
        scoring.action_percent(p)
        for p in (
            {"status": "done", "percent_done": 0.5},  # done counts 100 %
            {"status": "in_progress", "percent_done": 0.5},
            {"status": "not_started", "percent_done": None},
            {"status": "cancelled", "percent_done": 0.2},
            None,  # no progress reported yet
        )
    ]
    assert percents == [1.0, 0.5, 0.0, None, 0.0]
    assert scoring.rollup(percents) == pytest.approx(0.375)
    assert scoring.rollup([None]) is None and scoring.rollup([]) is None


# -- step 5 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "actual", "achieved", "improved", "is_met"),
    [
        ("lower", 4, 2, 2.5, 0.75, 0.375, False),  # order handling time 4 h -> target 2 h, now 2.5 h
        ("lower", 4, 2, 2, 1.0, 0.5, True),
        ("lower", 4, 2, 1, 1.5, 0.75, True),
        ("lower", 4, 2, 5, -0.5, -0.25, False),  # got worse
        ("higher", 80, 90, 85, 0.5, 0.0625, False),  # satisfaction 80 % -> 90 %
        ("higher", 80, 90, 90, 1.0, 0.125, True),
        ("higher", 80, 90, 95, 1.5, 0.1875, True),
        ("higher", 0, 10, 10, 1.0, None, True),  # no improvement % against a zero baseline
    ],
)
def test_kpi_achievement_both_directions(
    direction: str, baseline: float, target: float, actual: float, achieved: float, improved: float | None, is_met: bool
) -> None:
    result = scoring.achievement(direction, baseline, target, actual)
    assert result == pytest.approx(achieved)
    improvement = scoring.improvement(direction, baseline, actual)
    assert improvement == (None if improved is None else pytest.approx(improved))
    assert scoring.met(result) is is_met


def test_kpi_not_measurable() -> None:
    assert scoring.achievement("lower", 4, 2, None) is None
    assert scoring.achievement("lower", 4, 4, 3) is None  # baseline = target
    assert scoring.met(None) is None
    assert scoring.met(scoring.achievement("higher", 0.1, 0.3, 0.3)) is True  # float noise still meets


# -- stage and health ---------------------------------------------------------------------------


def _stage(**kw: object) -> int:
    facts: dict[str, object] = {"has_root_cause": True, "plan_statuses": ["done"], "kpis_met": [True], "closed": True}
    return scoring.stage(**(facts | kw))  # type: ignore[arg-type]


def test_every_stage_transition() -> None:
    assert _stage(has_root_cause=False, plan_statuses=[], kpis_met=[], closed=False) == 1
    assert _stage(plan_statuses=[], kpis_met=[], closed=False) == 2
    assert _stage(plan_statuses=["in_progress", "done"], kpis_met=[], closed=False) == 3
    assert _stage(plan_statuses=["done", "cancelled"], kpis_met=[False], closed=False) == 4
    assert _stage(kpis_met=[True, True], closed=False) == 5
    assert _stage() == 6


def test_stage_needs_every_step_before_it() -> None:
    assert _stage(has_root_cause=False) == 1  # closed, but no root cause
    assert _stage(plan_statuses=[]) == 2  # KPIs met, but no plan
    assert _stage(plan_statuses=["cancelled"]) == 3  # everything cancelled is not implemented
    assert _stage(plan_statuses=["done", "delayed"]) == 3
    assert _stage(kpis_met=[]) == 4  # nothing measured is not verified
    assert _stage(kpis_met=[True, None]) == 4  # one KPI not measured yet
    assert _stage(kpis_met=[True, False]) == 4


@pytest.mark.parametrize(
    ("current", "history", "periods", "is_stalled"),
    [
        (3, [3, 3], 2, True),
        (3, [2, 3, 3], 2, True),
        (3, [3, 2, 3], 2, False),
        (3, [3], 2, False),
        (3, [], 2, False),
        (3, [3, 3], 3, False),
        (3, [3, 3, 3], 3, True),
        (6, [6, 6], 2, False),  # a closed problem is done, not stalled
        (2, [3, 3], 2, False),
    ],
)
def test_stalled(current: int, history: list[int], periods: int, is_stalled: bool) -> None:
    assert scoring.stalled(current, history, Config(stalled_periods=periods)) is is_stalled


def test_health_flags_keep_the_documented_order() -> None:
    flags = scoring.health_flags(
        overdue_actions=True, unverified_root_cause=False, no_passing_solution=True, kpi_missed=True, is_stalled=True
    )
    assert flags == ["overdue", "no_passing_solution", "kpi_missed", "stalled"]
    assert scoring.flag_label("stalled", "zh") == "进展停滞" and scoring.flag_label("stalled", "en") == "Stalled"


def test_best_conclusion() -> None:
    assert scoring.best_conclusion(["rejected", "partial"]) == "partial"
    assert scoring.best_conclusion(["partial", "confirmed", None]) == "confirmed"
    assert scoring.best_conclusion([]) is None
