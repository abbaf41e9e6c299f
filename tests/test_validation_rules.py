"""Cross-sheet rules reuse `scoring` with the configured rules: weights, threshold and KPI achievement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ci_excel import scoring
from ci_excel.config import Config, Weights
from ci_excel.issues import flatten
from ci_excel.validation import check_file, merge, merge_group
from tests.builders import register, tables_with

S, STD = "3-方案评估", "6-标准化"
WEAK = {("solutions", 1, "effectiveness"): 4, ("solutions", 1, "feasibility"): 2}  # 4 + 2 + 3 + 3 = 12


def issues(tmp_path: Path, changes: dict[tuple[str, int, str], Any], **merge_kw: Any) -> list[list[Any]]:
    check = check_file(register(tmp_path, tables=tables_with(changes)), root=tmp_path)
    [submission] = merge([check], **merge_kw).submissions
    return flatten(submission.issues, ["sheet", "cell", "code"])


def test_a_solution_passing_by_its_weighted_score_is_not_warned(tmp_path: Path) -> None:
    changes = {**WEAK, ("solutions", 1, "effectiveness"): 2}  # plain sum 10; effectiveness x 2: 12
    assert issues(tmp_path, changes) == [[S, "K3", "below-threshold"]]
    weighted = Config(weights=Weights(effectiveness=2))
    assert issues(tmp_path, changes, config=weighted) == []


def test_weights_can_also_fail_a_selected_solution(tmp_path: Path) -> None:
    check = check_file(register(tmp_path, tables=tables_with(WEAK)), root=tmp_path)
    assert merge_group("电商运营部", "2026-11", [check]).issues == []  # 12 passes by default
    submission = merge_group("电商运营部", "2026-11", [check], config=Config(weights=Weights(feasibility=0.5)))
    [issue] = submission.issues
    assert (issue.sheet, issue.cell, issue.code) == (S, "K3", "below-threshold")
    assert issue.params["total"] == "11" and issue.params["threshold"] == "12"


def test_threshold_from_the_config_or_the_older_argument(tmp_path: Path) -> None:
    check = check_file(register(tmp_path), root=tmp_path)  # S-001 and S-002 both score 14
    for submission in (
        merge_group("d", "2026-11", [check], 15),
        merge_group("d", "2026-11", [check], config=Config(threshold=15)),
    ):
        assert [(i.cell, i.code, i.params["total"]) for i in submission.issues] == [
            ("K2", "below-threshold", "14"),
            ("K3", "below-threshold", "14"),
        ]


def test_a_typed_total_is_checked_against_the_weighted_score_or_the_template_formula(tmp_path: Path) -> None:
    weighted = Config(weights=Weights(effectiveness=2))  # S-002: plain sum 14 (the formula), weighted 18
    assert issues(tmp_path, {("solutions", 1, "total"): 14}, config=weighted) == []
    assert issues(tmp_path, {("solutions", 1, "total"): 18}, config=weighted) == []
    assert issues(tmp_path, {("solutions", 1, "total"): 16}, config=weighted) == [[S, "J3", "total-mismatch"]]


def test_closed_problem_kpi_met_as_scoring_computes_it(tmp_path: Path) -> None:
    """P-002 is closed; its KPI is 'lower is better' with the target above the baseline: 0.9 is below
    the target but achieves only (0.8 - 0.9) / (0.8 - 0.95) of the planned change."""
    changes = {("results", 1, "direction"): "lower", ("results", 1, "actual"): 0.9}
    assert scoring.met(scoring.achievement("lower", 0.8, 0.95, 0.9)) is False
    assert issues(tmp_path, changes) == [[STD, "G2", "closed-kpi-missed"]]
    reached = {("results", 1, "direction"): "lower", ("results", 1, "actual"): 0.96}
    assert scoring.met(scoring.achievement("lower", 0.8, 0.95, 0.96)) is True
    assert issues(tmp_path, reached) == []


def test_validate_command_uses_the_configured_threshold(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ci_excel.cli import main

    path = register(tmp_path / "in")
    settings = tmp_path / "ci_excel.toml"
    settings.write_text("[scoring]\nthreshold = 15\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "--config", str(settings)])
    assert result.exit_code == 0, result.output
    assert result.output.count('"code": "below-threshold"') == 2
