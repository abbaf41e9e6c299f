"""The shared test data factory: shaped like the model, consistent, and covering the edge cases."""

from __future__ import annotations

from benchmarks.sample_data import INJECTED, MISSING, UNSAFE_DEPARTMENT, sample_period
from ci_excel import schema
from ci_excel.issues import CODES


def test_rows_hold_every_schema_column() -> None:
    for d in sample_period().departments:
        for sheet, rows in d.tables.items():
            for row in rows:
                assert set(row) == set(schema.SHEETS[sheet].by_key), sheet


def test_every_stage_and_priority_occurs() -> None:
    problems = [p for d in sample_period().departments for p in d.rows("problems")]
    assert {p["stage"] for p in problems} == {str(s) for s in range(1, 7)}  # compute writes stages as "1".."6"
    assert {p["priority"] for p in problems} == {"P1", "P2", "P3", "P4"}


def test_computed_columns_agree_with_inputs() -> None:
    for d in sample_period(6, 5).departments:
        for s in d.rows("solutions"):
            assert s["score"] == s["effectiveness"] + s["feasibility"] + s["cost"] + s["risk"]
            assert s["passes"] == (s["score"] >= 12)
        for a in d.rows("actions"):
            assert a["overdue"] == (a["days_overdue"] > 0)
        for r in d.rows("results"):
            assert r["met"] == (r["achievement"] >= 1)
        stages = {p["problem_id"]: p["stage"] for p in d.rows("problems")}
        assert all(int(stages[s["problem_id"]]) >= 5 for s in d.rows("standards"))


def test_edge_cases_present() -> None:
    period = sample_period()
    names = [d.department for d in period.departments]
    assert UNSAFE_DEPARTMENT in names and period.missing == MISSING and len(period.late) == 1
    first = period.departments[0]
    for sheet, column, value in INJECTED:
        assert any(r[column] == value for r in first.rows(sheet))
    assert all(i.code in CODES for i in period.all_issues)
    assert any(a["overdue"] for d in period.departments for a in d.rows("actions"))
    assert any(not r["met"] for d in period.departments for r in d.rows("results"))


def test_trend_ends_with_the_period_and_is_deterministic() -> None:
    period = sample_period(seed=4)
    assert [f.period for f in period.trend] == ["2026-09", "2026-10", "2026-11"]
    last = period.trend[-1]
    assert last.problems == sum(len(d.rows("problems")) for d in period.departments)
    assert sum(last.by_stage.values()) == last.problems
    assert sample_period(seed=4) == period


def test_scales_to_a_large_portfolio() -> None:
    period = sample_period(300, 4)
    assert len({d.department for d in period.departments}) == 300
    assert sum(len(rows) for d in period.departments for rows in d.tables.values()) > 12_000
