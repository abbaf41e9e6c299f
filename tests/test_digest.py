"""One digest per department, one ranking: the Word portfolio and the summary workbook of one real
consolidation rank the departments alike and show the same headline figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from ci_excel import schema
from ci_excel.cli import main
from ci_excel.compute import department_digest, period_digest, rank_departments
from ci_excel.model import DepartmentDigest, DepartmentResult
from ci_excel.text import phrase
from tests.pipeline_data import write_register

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # data-bar x14 extras

PERIOD = "2026-11"
# department -> (problems, closed). 物流部 and 客户服务部 tie on closure and KPI rates; 物流部 has
# fewer overdue actions, while the old scoreboard rule (average stage, progress, name) put 客户服务部
# first. 电商运营部 ties 物流部 on everything: the name decides.
PLAN = {"物流部": (3, 1), "客户服务部": (6, 2), "电商运营部": (3, 1), "财务部": (1, 1), "采购部": (2, 0)}
RANKED = ["财务部", "物流部", "电商运营部", "客户服务部", "采购部"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("digest")
    for name, (problems, closed) in PLAN.items():
        write_register(root / "in" / name / "ci_register.xlsx", name, PERIOD, problems=problems, done=closed)
    result = CliRunner().invoke(
        main, ["consolidate", str(root / "in"), "--period", PERIOD, "--out", str(root / "out"), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    return root / "out" / PERIOD


def _table(path: Path, first_header: str) -> list[list[str]]:
    for table in Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


def _records(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def _word_ranking(outputs: Path) -> list[dict[str, str]]:
    rows = _table(outputs / "reports" / "portfolio.docx", phrase("rank", "zh"))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_word_portfolio_and_summary_workbook_rank_alike(outputs: Path) -> None:
    word = _word_ranking(outputs)
    board = _records(outputs / "portfolio_summary.xlsx", phrase("scoreboard", "zh"))
    department = schema.column_label("info", "department", "zh")
    assert [r[department] for r in word] == [r[department] for r in board] == RANKED
    assert (
        [r[phrase("rank", "zh")] for r in word]
        == [str(r[phrase("rank", "zh")]) for r in board]
        == ["1", "2", "3", "4", "5"]
    )
    old = sorted(board, key=lambda r: (-r[phrase("avg_stage", "zh")], -r[phrase("avg_progress", "zh")], r[department]))
    assert [r[department] for r in old] != RANKED  # the scoreboard's old rule ranked them otherwise


def test_the_same_figures_per_department(outputs: Path) -> None:
    word = _word_ranking(outputs)
    board = _records(outputs / "portfolio_summary.xlsx", phrase("scoreboard", "zh"))
    for w, b in zip(word, board, strict=True):
        name = b[schema.column_label("info", "department", "zh")]
        problems, closed = PLAN[name]
        assert w[phrase("problems_count", "zh")] == str(b[phrase("problems", "zh")]) == str(problems)
        assert w[phrase("overdue", "zh")] == str(b[phrase("overdue_actions", "zh")]) == str(problems - closed)
        assert w[phrase("kpi_rate", "zh")] == f"{b[phrase('kpi_rate', 'zh')] or 0:.0%}"
        assert w[phrase("avg_progress", "zh")] == f"{b[phrase('avg_progress', 'zh')]:.0%}"
        assert w[phrase("closure_rate", "zh")] == f"{closed / problems:.0%}"
        assert b[schema.STAGE.label("6", "zh")] == closed


def test_the_same_headline_figures(outputs: Path) -> None:
    rows = _table(outputs / "reports" / "portfolio.docx", phrase("headline", "zh"))
    word = {r[0]: r[1] for r in rows[1:]}
    sheet = openpyxl.load_workbook(outputs / "portfolio_summary.xlsx")[phrase("dashboard", "zh")]
    dash = {r[c]: r[c + 1] for r in sheet.iter_rows(max_col=12, values_only=True) for c in (0, 3, 6, 9) if r[c]}
    problems = sum(n for n, _ in PLAN.values())
    closed = sum(c for _, c in PLAN.values())
    same = (
        ("departments", "departments_submitted", len(PLAN)),
        ("problems_count", "problems", problems),
        ("closed", "closed", closed),
        ("open", "open", problems - closed),
        ("overdue", "overdue_actions", problems - closed),
        ("kpi_total", "kpis", closed),
        ("kpis_met", "kpis_met", closed),
        ("benefit", "benefit", closed * 10000),
    )
    for word_key, dash_key, want in same:
        assert word[phrase(word_key, "zh")] == f"{dash[phrase(dash_key, 'zh')]:,.0f}" == f"{want:,.0f}", word_key


# -- the rule itself ------------------------------------------------------------------------------


def _digest(name: str, **figures: Any) -> DepartmentDigest:
    empty = department_digest(DepartmentResult(department=name, period=PERIOD, info={}, tables={}, issues=[]))
    return replace(empty, **figures)


def test_rank_departments_by_closure_kpi_rate_overdue_progress_then_name() -> None:
    digests = [
        _digest("甲", problems=4, closed=1, kpis=2, kpis_met=2, overdue_actions=0),
        _digest("乙", problems=2, closed=1, kpis=2, kpis_met=1, overdue_actions=0),
        _digest("丙", problems=2, closed=1, kpis=2, kpis_met=2, overdue_actions=3, progress=0.9),
        _digest("丁", problems=2, closed=1, kpis=2, kpis_met=2, overdue_actions=1, progress=0.2),
        _digest("戊", problems=2, closed=1, kpis=2, kpis_met=2, overdue_actions=1, progress=0.8),
        _digest("己", problems=2, closed=1, kpis=0, kpis_met=0, overdue_actions=0),  # no KPIs: 0%
        _digest("庚", problems=0),
        _digest("丁二", problems=2, closed=1, kpis=2, kpis_met=2, overdue_actions=1, progress=0.2),
    ]
    assert [d.department for d in rank_departments(digests)] == ["戊", "丁", "丁二", "丙", "乙", "己", "甲", "庚"]
    assert [d.department for d in rank_departments(reversed(digests))] == [
        d.department for d in rank_departments(digests)
    ]


def test_period_digest_adds_the_departments_up() -> None:
    a = _digest(
        "甲",
        problems=3,
        closed=1,
        stages=(1, 0, 1, 0, 0, 1),
        benefit=None,
        errors=1,
        matrix=(("P1", "high", "low", 2), ("P2", "low", "low", 1)),
        categories=(("tool", 2, 1),),
    )
    b = _digest(
        "乙",
        problems=1,
        closed=1,
        stages=(0, 0, 0, 0, 0, 1),
        benefit=500.0,
        warnings=2,
        matrix=(("P1", "high", "low", 1),),
        categories=(("tool", 1, 1), ("training", 1, 0)),
    )
    period = period_digest([a, b])
    assert (period.problems, period.closed, period.open, period.benefit) == (4, 2, 2, 500.0)
    assert period.stages == (1, 0, 1, 0, 0, 2)
    assert (period.errors, period.warnings) == (1, 2)
    assert period.matrix == {("P1", "high", "low"): 3, ("P2", "low", "low"): 1}
    assert period.cells == {("high", "low"): 3, ("low", "low"): 1}
    assert period.categories == {"tool": (3, 2), "training": (1, 0)}
    assert [d.department for d in period.departments] == ["乙", "甲"]
    assert period_digest([]).benefit is None and period_digest([]).stages == (0,) * 6
