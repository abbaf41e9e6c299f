"""The demo: realistic submissions for every month and department, exactly the planted mistakes,
and `ci-excel demo` consolidating three months into reports with a real trend."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from ci_excel.cli import main
from ci_excel.demo import DEPARTMENTS, MISTAKES, OUTPUT, PERIODS, SUBMISSIONS, snapshot, write_demo_submissions
from ci_excel.schema import INFO, PROGRESS, STEP_WORKBOOKS
from ci_excel.validation import ValidationRun, validate_paths

# What each planted mistake must produce (validation codes), and the errors it drags along.
EXPECTED_CODE = {
    "enum_typo": "enum-invalid",
    "missing_required": "required",
    "bad_date": "not-date",
    "done_without_date": "finish-date-required",
    "unknown_ref": "ref-missing",
    "example_left": "example-row",
    "total_mismatch": "total-mismatch",
}
KNOCK_ON = {"ref-rejected"}  # rows that depend on the row the missing owner rejects
GAIN_NOT_HELD = ("2026-11", "物流部", "P-002")  # closed in October, its KPI slipped back in November


def test_the_demo_has_a_gain_not_held(runs: dict[str, ValidationRun]) -> None:
    """The slipped KPI is a business signal, not a planted mistake: validation warns the closed problem
    misses its KPI; compute flags its gain as not held (tests/test_gain_not_held.py)."""
    period, department, problem = GAIN_NOT_HELD
    hits = [i for i in runs[period].issues if i.code == "closed-kpi-missed"]
    assert [(i.department, i.params["problem"]) for i in hits] == [(department, problem)]


@pytest.fixture(scope="module")
def submissions(demo_run: tuple[Path, str]) -> dict[str, Path]:
    """What `ci-excel demo` wrote for the departments (write_demo_submissions; the run only reads it)."""
    return {period: demo_run[0] / SUBMISSIONS / period for period in PERIODS}


@pytest.fixture(scope="module")
def runs(submissions: dict[str, Path]) -> dict[str, ValidationRun]:
    return {period: validate_paths([folder]) for period, folder in submissions.items()}


def test_every_month_has_a_folder_per_submitting_department(submissions: dict[str, Path]) -> None:
    assert list(submissions) == list(PERIODS) == ["2026-09", "2026-10", "2026-11"]
    for month, (_period, folder) in enumerate(submissions.items()):
        expected = {d.name for d in DEPARTMENTS if d.submitted_on[month] is not None}
        assert {p.name for p in folder.iterdir()} == expected
    assert len(DEPARTMENTS) >= 5
    assert "项目管理部" in {p.name for p in submissions["2026-10"].iterdir()}
    assert "项目管理部" not in {p.name for p in submissions["2026-11"].iterdir()}


def test_one_department_sends_the_six_step_workbooks(submissions: dict[str, Path]) -> None:
    for folder in submissions.values():
        names = sorted(p.name for p in (folder / "物流部").iterdir())
        assert len(names) == len(STEP_WORKBOOKS) == 6
        assert all(any(stem in name for name in names) for stem in STEP_WORKBOOKS)
        assert all(len(list((folder / d).iterdir())) == 1 for d in ("电商运营部", "客户服务部", "财务部"))


def test_info_sheet_names_department_period_and_submission_date(submissions: dict[str, Path]) -> None:
    path = next((submissions["2026-10"] / "财务部").glob("*.xlsx"))
    sheet = openpyxl.load_workbook(path, read_only=True)[INFO.zh]
    form = {str(r[0]).rstrip("*"): r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert form["部门"] == "财务部" and form["填报期间"] == "2026-10"
    assert form["提交日期"].date() == date(2026, 11, 9)  # after the 5th: late


def test_validation_finds_exactly_the_planted_mistakes(runs: dict[str, ValidationRun]) -> None:
    found = Counter(i.code for run in runs.values() for i in run.issues)
    planted = {EXPECTED_CODE[m.kind] for m in MISTAKES if m.kind in EXPECTED_CODE}
    assert set(found) == planted | KNOCK_ON | {"closed-kpi-missed"}
    for mistake in MISTAKES:
        if mistake.kind not in EXPECTED_CODE:
            continue
        issues = runs[PERIODS[mistake.month]].issues
        hits = [i for i in issues if i.code == EXPECTED_CODE[mistake.kind] and mistake.department in i.file]
        assert hits, mistake


def test_clean_files_have_no_issue(runs: dict[str, ValidationRun]) -> None:
    planted = {(m.department, PERIODS[m.month]) for m in MISTAKES if m.kind in EXPECTED_CODE}
    for period, run in runs.items():
        with_issues = {(d.name, period) for d in DEPARTMENTS for i in run.issues if d.name in i.file}
        assert with_issues <= planted | {(GAIN_NOT_HELD[1], GAIN_NOT_HELD[0])}


def test_percent_typed_as_points_is_understood(runs: dict[str, ValidationRun]) -> None:
    """物流部 typed 60 instead of 60% in September: it is read as 60 %."""
    submission = next(s for s in runs["2026-09"].submissions if s.department == "物流部")
    progress = {r["action_id"]: r for r in submission.rows(PROGRESS.key)}
    assert progress["A-001"]["percent_done"] == pytest.approx(0.6)


def test_problems_move_forward_month_by_month() -> None:
    ecommerce = next(d for d in DEPARTMENTS if d.name == "电商运营部")
    counts = [len(snapshot(ecommerce, m)["problems"]) for m in range(len(PERIODS))]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    standards = [snapshot(ecommerce, m)["standards"] for m in range(len(PERIODS))]
    assert standards[0] == [] and any(s["closed"] for s in standards[-1])
    scores = {r["solution_id"]: r["total"] for r in snapshot(ecommerce, 0)["solutions"]}
    assert scores["S-001"] == 14 and min(scores.values()) < 12  # the manual's 5/4/3/2, and one below the bar


def test_english_demo_keeps_department_text(tmp_path: Path) -> None:
    folders = write_demo_submissions(tmp_path, lang="en")
    path = next((folders["2026-09"] / "电商运营部").glob("*.xlsx"))
    book = openpyxl.load_workbook(path, read_only=True)
    assert "1-Problems" in book.sheetnames and INFO.en in book.sheetnames
    codes = {i.code for i in validate_paths([folders["2026-09"]]).issues}
    assert "enum-invalid" in codes and "required" in codes


# --- the whole demo through the CLI (demo_run: tests/conftest.py, one run per session) ------------


def test_demo_command_writes_reports_for_every_month(demo_run: tuple[Path, str]) -> None:
    out, output = demo_run
    for period in PERIODS:
        folder = out / OUTPUT / period
        assert (folder / "reports" / "portfolio.docx").is_file()
        assert (folder / "portfolio_summary.xlsx").is_file()
        assert (folder / "validation.json").is_file()
    assert (out / SUBMISSIONS / "2026-09").is_dir()
    assert {p.stem for p in (out / OUTPUT / "2026-11" / "reports").glob("*.docx")} >= {
        "portfolio",
        "电商运营部",
        "客户服务部",
        "物流部",
        "财务部",
    }
    assert "Where to look" in output and "portfolio.docx" in output


def test_demo_feedback_workbooks_for_the_months_with_mistakes(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    for month, _period in enumerate(PERIODS):
        feedback = out / OUTPUT / PERIODS[month] / "feedback"
        assert feedback.is_dir() and any(feedback.rglob("*.xlsx"))


def test_demo_trend_missing_and_late(demo_run: tuple[Path, str]) -> None:
    out, output = demo_run
    assert "Did not submit: 项目管理部" in output
    assert "Submitted late: 财务部" in output
    history = CliRunner().invoke(main, ["history", "--out", str(out / OUTPUT)])
    assert history.exit_code == 0 and all(p in history.output for p in PERIODS)
    text = "\n".join(p.text for p in Document(str(out / OUTPUT / "2026-11" / "reports" / "portfolio.docx")).paragraphs)
    tables = Document(str(out / OUTPUT / "2026-11" / "reports" / "portfolio.docx")).tables
    cells = {c.text for t in tables for r in t.rows for c in r.cells}
    assert all(p in text or p in cells for p in PERIODS)  # the month-over-month trend spans three periods


# --- the benchmark corpus (benchmarks/corpus.py) stays valid apart from its sprinkled mistakes ------


def test_benchmark_corpus_is_valid_but_for_planted_mistakes(tmp_path: Path) -> None:
    from benchmarks.bench_end_to_end import run_calamine, run_raw
    from benchmarks.corpus import generate_corpus

    paths = generate_corpus(tmp_path, 12, rows_per_sheet=6, jobs=1)
    assert len(paths) == len({p.name for p in paths}) == 12
    run = validate_paths([tmp_path])
    assert len(run.submissions) == 12 and all(len(s.rows("problems")) == 6 for s in run.submissions)
    planted = {"enum-invalid", "not-date", "total-mismatch", "ref-missing", "ref-rejected"}
    assert {i.code for i in run.issues} <= planted
    assert run_raw(paths, tmp_path, tmp_path, None)["elements"] > 0
    assert run_calamine(paths, tmp_path, tmp_path, None)["cells"] > 0
