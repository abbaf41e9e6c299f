"""The monthly run end to end: the real CLI over real workbooks, three periods, a killed run."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation

from ci_excel.cli import main
from ci_excel.sessions import default_db_url
from ci_excel.store import Store
from ci_excel.text import phrase
from tests.pipeline_data import write_register

PERIODS = ("2026-09", "2026-10", "2026-11")


def _submit(folder: Path, period: str, departments: dict[str, int], *, problems: int = 3) -> Path:
    """One register per department; the value is how many problems are closed by then."""
    target = folder / period
    for name, done in departments.items():
        write_register(target / name / "ci_register.xlsx", name, period, problems=problems, done=done)
    return target


def _consolidate(submissions: Path, out: Path, period: str, *extra: str) -> str:
    result = CliRunner().invoke(
        main, ["consolidate", str(submissions), "--period", period, "--out", str(out), "--jobs", "1", *extra]
    )
    assert result.exit_code == consolidate_exit_code(result.output), result.output
    return result.output


def consolidate_exit_code(output: str) -> int:
    """What consolidate must exit with: 1 when it found errors in the data, else 0 (see the README)."""
    return 0 if " 0 errors" in output else 1


def test_three_periods_store_figures_and_trend(tmp_path: Path) -> None:
    out = tmp_path / "output"
    plan = {
        "2026-09": {"电商运营部": 0, "客户服务部": 0, "物流部": 0},
        "2026-10": {"电商运营部": 1, "客户服务部": 0, "物流部": 1},
        "2026-11": {"电商运营部": 2, "客户服务部": 1},
    }
    for period, departments in plan.items():
        text = _consolidate(_submit(tmp_path / "in", period, departments), out, period)
        assert f"Period {period}" in text
    store = Store(default_db_url(out))
    assert store.periods() == list(PERIODS)
    trend = {f.period: f for f in store.history()}
    assert [trend[p].departments for p in PERIODS] == [3, 3, 2]
    assert [trend[p].problems for p in PERIODS] == [9, 9, 6]
    assert [trend[p].closed for p in PERIODS] == [0, 2, 3]
    assert trend["2026-09"].new == 9 and trend["2026-10"].new == 0
    november = store.load_period("2026-11")
    assert november.missing == ["物流部"]
    assert [f.period for f in november.trend] == list(PERIODS)
    history = CliRunner().invoke(main, ["history", "--out", str(out)])
    assert history.exit_code == 0 and "2026-10" in history.output and "物流部" in history.output


def test_outputs_manifest_and_feedback(tmp_path: Path) -> None:
    folder = _submit(tmp_path / "in", "2026-11", {"电商运营部": 1, "客户服务部": 0})
    bad = folder / "客户服务部" / "ci_register.xlsx"
    write_register(bad, "客户服务部", "2026-11")
    _break_cell(bad)
    (folder / "notes.xlsx").write_bytes(b"this is not a workbook")
    out = tmp_path / "output"
    _consolidate(folder, out, "2026-11")
    target = out / "2026-11"
    assert (target / "reports" / "电商运营部.docx").is_file()
    assert (target / "reports" / "portfolio.docx").is_file()
    assert (target / "portfolio_summary.xlsx").is_file() and (target / "distribution.xlsx").is_file()
    assert (target / "feedback" / "客户服务部" / "ci_register.xlsx").is_file()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    outcomes = {i["file"]: i["outcome"] for i in manifest["inputs"]}
    assert outcomes["notes.xlsx"] == "unreadable"
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert {
        "reports/电商运营部.docx",
        "reports/portfolio.docx",
        "portfolio_summary.xlsx",
        "distribution.xlsx",
        "validation.json",
        "manifest.json",
        "feedback/客户服务部/ci_register.xlsx",
    } <= set(manifest["outputs"])
    rows = manifest["rows"]["电商运营部"]["problems"]
    assert rows["read"] == rows["used"] + rows["rejected"] + rows["ignored"] == 3
    validation = json.loads((target / "validation.json").read_text(encoding="utf-8"))
    assert {i["file"] for i in validation["issues"]} >= {"notes.xlsx", "客户服务部/ci_register.xlsx"}


def _break_cell(path: Path) -> None:
    """Type a bad impact level into the first data row, the way a department would."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["1-问题识别"]
    column = next(c.column for c in sheet[1] if str(c.value).startswith("影响程度") and "量化" not in str(c.value))
    sheet.cell(row=2, column=column, value="很高")
    book.save(path)


def test_rerun_replaces_period_and_leaves_others(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _consolidate(_submit(tmp_path / "a", "2026-10", {"物流部": 0}), out, "2026-10")
    _consolidate(_submit(tmp_path / "b", "2026-11", {"物流部": 0}), out, "2026-11")
    _consolidate(_submit(tmp_path / "c", "2026-11", {"物流部": 1, "财务部": 0}, problems=2), out, "2026-11")
    trend = {f.period: f for f in Store(default_db_url(out)).history()}
    assert (trend["2026-10"].problems, trend["2026-11"].problems) == (3, 4)


def test_other_period_files_are_reported_not_mixed(tmp_path: Path) -> None:
    folder = _submit(tmp_path / "in", "2026-11", {"物流部": 0})
    write_register(folder / "old" / "ci_register.xlsx", "财务部", "2026-10")
    out = tmp_path / "output"
    text = _consolidate(folder, out, "2026-11")
    assert "another period: 1" in text
    manifest = json.loads((out / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"]: i["outcome"] for i in manifest["inputs"]}["old/ci_register.xlsx"] == "other_period"
    stored = Store(default_db_url(out)).load_period("2026-11")
    assert [d.department for d in stored.departments] == ["物流部"]


def test_a_period_nobody_submitted_for_still_gets_its_reports_and_deck(tmp_path: Path) -> None:
    """Every file is of another period: the portfolio outputs say there is no data, nothing fails."""
    folder = _submit(tmp_path / "in", "2026-10", {"物流部": 0, "财务部": 1})
    out = tmp_path / "output"
    text = _consolidate(folder, out, "2026-11")
    assert "another period: 2" in text
    reports = out / "2026-11" / "reports"
    deck = Presentation(str(next(reports.glob("*.pptx"))))
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert all(len(plot.categories) for chart in charts for plot in chart.plots)  # the trend: this period's zeros
    shown = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert phrase("no_data", "zh") in shown
    assert [p.name for p in reports.glob("*.docx")], "no portfolio report"


def test_roster_aliases_and_late_submissions(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_register(folder / "a.xlsx", "客服部", "2026-11")
    write_register(folder / "b.xlsx", "物流部", "2026-11", submitted_on=date(2026, 12, 9))
    config = tmp_path / "ci_excel.toml"
    config.write_text(
        'deadline_day = 5\n[[roster]]\nname = "客户服务部"\naliases = ["客服部"]\n'
        '[[roster]]\nname = "物流部"\n[[roster]]\nname = "财务部"\n',
        encoding="utf-8",
    )
    out = tmp_path / "output"
    text = _consolidate(folder, out, "2026-11", "--config", str(config))
    assert "Did not submit: 财务部" in text and "Submitted late: 物流部" in text
    stored = Store(default_db_url(out)).load_period("2026-11")
    assert [d.department for d in stored.departments] == ["客户服务部", "物流部"]


def test_report_rerenders_from_store(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _consolidate(_submit(tmp_path / "in", "2026-11", {"物流部": 1}), out, "2026-11")
    report = out / "2026-11" / "reports" / "物流部.docx"
    report.unlink()
    result = CliRunner().invoke(main, ["report", "--period", "2026-11", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert report.is_file() and (out / "2026-11" / "manifest.json").is_file()


def test_bad_period_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["consolidate", str(tmp_path), "--period", "2026-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


@pytest.mark.skipif(os.name != "posix", reason="sends SIGKILL")
def test_killed_run_leaves_previous_outputs_and_store(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _consolidate(_submit(tmp_path / "first", "2026-11", {"物流部": 0}), out, "2026-11")
    before = (out / "2026-11" / "manifest.json").read_text(encoding="utf-8")
    second = _submit(tmp_path / "second", "2026-11", {f"部门{i}": 1 for i in range(6)})
    command = [
        sys.executable,
        "-m",
        "ci_excel.cli",
        "consolidate",
        str(second),
        "--period",
        "2026-11",
        "--jobs",
        "1",
        "--out",
        str(out),
    ]
    # Killed, with every worker it started, while it waits at a fault checkpoint (ci_excel.faults):
    # every file read and spilled, the first department reported, every department reported.
    for point, staged, count in (
        ("read", ".work/spill/*", 1),
        ("department", "reports/*.docx", 1),
        ("feedback", "reports/*.docx", 6),
    ):
        earlier = set((out / ".runs").iterdir())
        flag = tmp_path / f"paused-{point}"
        env = os.environ | {"CI_EXCEL_FAULT": f"{point}:pause", "CI_EXCEL_FAULT_FILE": str(flag)}
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
        )
        try:
            _wait_until_paused(flag, process)
            run = [d for d in (out / ".runs").iterdir() if d not in earlier]
            assert sum(1 for d in run for _ in d.glob(staged)) >= count, point  # where the run stands
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the run and any worker it started
            process.wait()
        stored = [d.department for d in Store(default_db_url(out)).load_period("2026-11").departments]
        assert (out / "2026-11" / "manifest.json").read_text(encoding="utf-8") == before, point
        assert stored == ["物流部"], point
    _consolidate(second, out, "2026-11")  # what the killed runs left behind does not get in the way
    shown = json.loads((out / "2026-11" / "manifest.json").read_text(encoding="utf-8"))["departments"]
    assert len(shown) == 6
    assert sorted(d.department for d in Store(default_db_url(out)).load_period("2026-11").departments) == sorted(shown)


def _wait_until_paused(flag: Path, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    """Wait until the run has written its pid to `flag`: it is waiting at its checkpoint."""
    deadline = time.monotonic() + timeout
    while not flag.exists():
        assert process.poll() is None, f"the run ended (exit {process.returncode}) before its checkpoint"
        if time.monotonic() > deadline:
            pytest.fail(f"the run did not reach its checkpoint within {timeout:g} s")
        time.sleep(0.02)


def test_a_file_that_breaks_the_reader_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ci_excel import worker_server
    from ci_excel.validation import files as validation  # check_file looks _check_book up there

    folder = _submit(tmp_path / "in", "2026-11", {"物流部": 0, "财务部": 0})
    original = validation._check_book

    def fragile(book, source, ctx):  # type: ignore[no-untyped-def]
        if "财务部" in source.path:
            raise RuntimeError("unexpected layout")
        return original(book, source, ctx)

    monkeypatch.setattr(validation, "_check_book", fragile)
    # the readers fork from this process, so they run the patched check (a run's fork from the server)
    monkeypatch.setattr(worker_server, "clean_context", lambda *preload: multiprocessing.get_context("fork"))
    out = tmp_path / "output"
    _consolidate(folder, out, "2026-11")
    manifest = json.loads((out / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"]: i["outcome"] for i in manifest["inputs"]}["财务部/ci_register.xlsx"] == "unreadable"
    assert manifest["departments"] == ["物流部"]
    issues = json.loads((out / "2026-11" / "validation.json").read_text(encoding="utf-8"))["issues"]
    assert any(i["code"] == "file-unreadable" and "unexpected layout" in i["message"] for i in issues)


def test_parallel_run_matches_serial_run(tmp_path: Path) -> None:
    folder = _submit(tmp_path / "in", "2026-11", {"电商运营部": 1, "客户服务部": 0, "物流部": 2})
    _break_cell(folder / "客户服务部" / "ci_register.xlsx")
    runs = {jobs: tmp_path / f"jobs{jobs}" for jobs in ("1", "2")}
    for jobs, out in runs.items():
        result = CliRunner().invoke(
            main, ["consolidate", str(folder), "--period", "2026-11", "--out", str(out), "--jobs", jobs]
        )
        assert result.exit_code == consolidate_exit_code(result.output) == 1, result.output
    serial, parallel = (_outcome(out) for out in runs.values())
    assert serial == parallel
    assert "feedback/客户服务部/ci_register.xlsx" in serial["files"]
    assert not any(".spill" in f for f in serial["files"])  # the reading's spilled rows are not published


def _outcome(out: Path) -> dict[str, object]:
    """What a run stored and wrote, without times and absolute paths."""
    target = out / "2026-11"
    stored = Store(default_db_url(out)).load_period("2026-11")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    validation = json.loads((target / "validation.json").read_text(encoding="utf-8"))
    return {
        "figures": stored.figures,
        "tables": {d.department: d.tables for d in stored.departments},
        "rows": manifest["rows"],
        "feedback": manifest["feedback"],
        "issues": validation["issues"],
        "files": sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()),
    }


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symlinked_submission_gets_feedback_and_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    original = folder / "shared" / "ci_register.xlsx"
    write_register(original, "客户服务部", "2026-11")
    _break_cell(original)
    before = original.read_bytes()
    (folder / "客户服务部.xlsx").symlink_to(original)  # a link within the folder is read (twice here: a duplicate)
    _consolidate(folder, tmp_path / "output", "2026-11")
    assert (folder / "客户服务部.xlsx").is_symlink() and original.read_bytes() == before
    assert (tmp_path / "output" / "2026-11" / "feedback" / "客户服务部.xlsx").is_file()


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_leading_outside_the_folder_is_named_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "ci_register.xlsx"
    write_register(outside, "客户服务部", "2026-11")
    folder = _submit(tmp_path / "in", "2026-11", {"物流部": 1})
    (folder / "客户服务部.xlsx").symlink_to(outside)
    _consolidate(folder, tmp_path / "output", "2026-11")
    target = tmp_path / "output" / "2026-11"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"]: i["outcome"] for i in manifest["inputs"]}["客户服务部.xlsx"] == "skipped"
    assert manifest["departments"] == ["物流部"]
    issues = json.loads((target / "validation.json").read_text(encoding="utf-8"))["issues"]
    assert [i["code"] for i in issues if i["file"] == "客户服务部.xlsx"] == ["file-skipped"]


def test_a_report_that_fails_to_render_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ci_excel.render import docx_department

    original = docx_department.build_department

    def fragile(doc, dept, **options):  # type: ignore[no-untyped-def]
        if dept.department == "财务部":
            raise ValueError("renderer bug")
        return original(doc, dept, **options)

    monkeypatch.setattr(docx_department, "build_department", fragile)
    out = tmp_path / "output"
    _consolidate(_submit(tmp_path / "in", "2026-11", {"物流部": 0, "财务部": 0}), out, "2026-11")
    target = out / "2026-11"
    assert (target / "reports" / "物流部.docx").is_file() and not (target / "reports" / "财务部.docx").exists()
    issues = json.loads((target / "validation.json").read_text(encoding="utf-8"))["issues"]
    assert [i["file"] for i in issues if i["code"] == "output-failed" and "renderer bug" in i["message"]] == [
        "财务部.docx"
    ]
    stored = Store(default_db_url(out)).load_period("2026-11")
    assert [d.department for d in stored.departments] == ["物流部", "财务部"]  # the data is kept
    from openpyxl import load_workbook

    sheet = load_workbook(target / "distribution.xlsx").active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["物流部", "财务部"]
    assert sheet.cell(3, 4).value is None  # no report to send


def test_the_worker_server_preloads_the_modules_the_workers_run() -> None:
    """The CLI names the workers' modules before importing them: the names must stay the real ones."""
    from ci_excel import departments, intake, worker_server
    from ci_excel.render import drawers, feedback_xlsx

    assert (departments.__name__, intake.__name__, feedback_xlsx.__name__) == worker_server.WORKER_MODULES
    assert worker_server.preload_for("png") == (*worker_server.WORKER_MODULES, drawers.__name__)


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig is not installed (matplotlib finds the fonts)")
def test_the_main_process_of_a_native_run_never_imports_matplotlib(tmp_path: Path) -> None:
    """Its import is about 1.5 s of a small run: the deck measures its text with fontconfig's faces."""
    folder = _submit(tmp_path / "in", "2026-11", {"物流部": 0, "财务部": 1})
    script = (
        "import sys\nfrom pathlib import Path\nfrom ci_excel.pipeline import consolidate\n"
        f"consolidate(Path({str(folder)!r}), period='2026-11', out=Path({str(tmp_path / 'out')!r}), jobs=2)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert next((tmp_path / "out" / "2026-11" / "reports").glob("*.pptx"))


def test_a_script_without_a_main_guard_is_told_why_instead_of_waiting_for_ever(tmp_path: Path) -> None:
    """Each worker imports the calling script; the run it would start again there is refused."""
    folder = _submit(tmp_path / "in", "2026-11", {"物流部": 0})
    call = f"consolidate(Path({str(folder)!r}), period='2026-11', out=Path({str(tmp_path / 'out')!r}), jobs=2)"
    assert 'under `if __name__ == "__main__":`' in _unguarded(tmp_path / "unguarded.py", "consolidate", call)


def test_a_report_script_without_a_main_guard_is_told_why_too(tmp_path: Path) -> None:
    """The refusal sits where the period's locks are taken, so a re-render is covered as well."""
    out = tmp_path / "out"
    _consolidate(_submit(tmp_path / "in", "2026-11", {"物流部": 0, "财务部": 1}), out, "2026-11")
    call = f"render_from_store(period='2026-11', out=Path({str(out)!r}), jobs=2)"
    stderr = _unguarded(tmp_path / "unguarded_report.py", "render_from_store", call)
    assert 'under `if __name__ == "__main__":`' in stderr


def _unguarded(script: Path, name: str, call: str) -> str:
    """Run a script calling `ci_excel.pipeline.<name>` at module level (no main guard); its stderr."""
    script.write_text(f"from pathlib import Path\nfrom ci_excel.pipeline import {name}\n{call}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    return done.stderr
