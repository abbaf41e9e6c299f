"""Validation judges scores, the threshold and KPIs by `scoring` with the configured rules.

Registers are real workbooks (tests/pipeline_data.py, the template writer); settings are a real
ci_excel.toml, read by load_config or by `ci-excel validate --config`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ci_excel import scoring
from ci_excel.cli import main
from ci_excel.config import Config, load_config
from ci_excel.validation import validate_paths
from tests.pipeline_data import ALL_SHEETS, register_rows
from tests.workbooks import cached_workbook as write_workbook

S, STD = "3-方案评估", "6-标准化"
DEPARTMENT, PERIOD = "电商运营部", "2026-11"
WEAK = {"effectiveness": 3, "feasibility": 3, "cost": 2, "risk": 2}  # plain sum 10; effectiveness x 2: 13


def workbook(folder: Path, *, solution: dict[str, Any] | None = None, result: dict[str, Any] | None = None) -> Path:
    """One problem, its selected solution S-001 in row 2; closed with one KPI row when `result` is given."""
    info, rows = register_rows(DEPARTMENT, PERIOD, problems=1, done=1 if result is not None else 0)
    rows["solutions"][0].update({"total": None, **(solution or {})})
    if result is not None:
        rows["results"][0].update(result)
    folder.mkdir(parents=True, exist_ok=True)
    return write_workbook(folder / "register.xlsx", ALL_SHEETS, info=info, rows=rows, with_example=False)


def settings(folder: Path, toml: str) -> Config:
    path = folder / "ci_excel.toml"
    path.write_text(toml, encoding="utf-8")
    return load_config(path)


def found(path: Path, config: Config | None = None) -> list[list[Any]]:
    run = validate_paths([path], root=path.parent, config=config, jobs=1)
    return [[i.sheet, i.cell, i.code, i.params.get("total", i.params.get("computed"))] for i in run.issues]


WEIGHTED = "[scoring.weights]\neffectiveness = 2\n"


def test_weighted_passing_solution_is_not_below_threshold(tmp_path: Path) -> None:
    path = workbook(tmp_path / "in", solution=WEAK)  # the total is the template's formula (10)
    assert found(path) == [[S, "K2", "below-threshold", "10"]]
    assert found(path, settings(tmp_path, WEIGHTED)) == []


def test_typed_total_is_checked_against_the_weighted_total(tmp_path: Path) -> None:
    weighted = settings(tmp_path, WEIGHTED)
    typed_weighted = workbook(tmp_path / "a", solution={**WEAK, "total": 13})
    assert found(typed_weighted, weighted) == []
    assert found(typed_weighted) == [[S, "J2", "total-mismatch", "10"], [S, "K2", "below-threshold", "10"]]
    wrong = workbook(tmp_path / "b", solution={**WEAK, "total": 15})
    assert found(wrong, weighted) == [[S, "J2", "total-mismatch", "13"]]


def test_validate_command_reads_the_weights(tmp_path: Path) -> None:
    path = workbook(tmp_path / "in", solution={**WEAK, "total": 15})
    toml = tmp_path / "ci_excel.toml"
    toml.write_text(WEIGHTED, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "--config", str(toml)])
    assert result.exit_code == 0, result.output
    issues = json.loads(result.output)["issues"]
    assert [(i["cell"], i["code"]) for i in issues] == [("J2", "total-mismatch")]
    assert "13" in issues[0]["message"]


def test_custom_threshold_makes_a_14_point_solution_warn(tmp_path: Path) -> None:
    path = workbook(tmp_path / "in")  # S-001: 5 + 4 + 3 + 2 = 14
    assert found(path) == []
    [issue] = validate_paths(
        [path], root=path.parent, config=settings(tmp_path, "[scoring]\nthreshold = 15\n"), jobs=1
    ).issues
    assert (issue.sheet, issue.cell, issue.code) == (S, "K2", "below-threshold")
    assert (issue.params["total"], issue.params["threshold"]) == ("14", "15")


# (direction, baseline, target, actual, met as the manual defines it)
KPIS = [
    ("lower", 4, 2, 1.8, True),
    ("lower", 4, 2, 2, True),
    ("lower", 4, 2, 2.5, False),
    ("lower", 0.8, 0.95, 0.9, False),  # a target above the baseline: 0.9 is "lower" yet short of the change
    ("higher", 0.8, 0.95, 0.96, True),
    ("higher", 0.8, 0.95, 0.95, True),
    ("higher", 0.8, 0.95, 0.9, False),
    ("higher", 10, 5, 4, True),  # a target below the baseline: falling to 4 is more than the planned change
    ("higher", 0.8, 0.95, None, None),
    ("lower", 4, 2, None, None),  # not measured yet
]


@pytest.mark.parametrize(("direction", "baseline", "target", "actual", "expected"), KPIS)
def test_closed_kpi_check_agrees_with_scoring_met(
    tmp_path: Path, direction: str, baseline: float, target: float, actual: float | None, expected: bool | None
) -> None:
    kpi = {"direction": direction, "baseline": baseline, "target": target, "actual": actual}
    assert scoring.kpi_met(kpi) is expected
    assert scoring.met(scoring.achievement(direction, baseline, target, actual)) is expected
    warned = [i[:3] for i in found(workbook(tmp_path, result=kpi))]
    assert warned == ([] if expected else [[STD, "G2", "closed-kpi-missed"]])
