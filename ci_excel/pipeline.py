"""The PMO's monthly run: discover -> read and validate in parallel -> merge -> compute -> render -> store.

Outputs are built in a staging folder and swapped into `output/<period>` only when complete, so a
failed or killed run leaves the previous outputs in place. The history store saves the period in
one transaction, after everything rendered and before the swap.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ci_excel import __version__, fileio
from ci_excel.compute import compute_department, period_figures
from ci_excel.config import Config, load_config
from ci_excel.errors import UsageError
from ci_excel.issues import Issue
from ci_excel.model import DepartmentResult, PeriodResult, SheetStats, SourceFile, Submission
from ci_excel.render.distribution import write_distribution
from ci_excel.render.docx import render_reports
from ci_excel.render.pdf import convert_to_pdf
from ci_excel.render.summary_xlsx import write_summary
from ci_excel.schema import Lang
from ci_excel.store import DEFAULT_PATH, Store, sqlite_url
from ci_excel.validation import FileCheck, check_file, discover, merge, no_gc_passes

Progress = Callable[[int, int], None]
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ConsolidationSummary:
    """What a run did, for the CLI to print and the demo to chain."""

    period: str
    out_dir: Path
    departments: list[str]
    files: int
    errors: int
    warnings: int
    missing: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    other_period: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def check_period(period: str) -> str:
    if not _PERIOD.match(period):
        raise UsageError(f"--period must be YYYY-MM, e.g. 2026-11 (got {period!r})")
    return period


def default_db_url(out: Path) -> str:
    return sqlite_url((out / DEFAULT_PATH.name).resolve())


def open_store(db_url: str | None, out: Path) -> Store:
    out.mkdir(parents=True, exist_ok=True)
    return Store(db_url or default_db_url(out))


def consolidate(
    submissions_dir: Path,
    *,
    period: str,
    out: Path = Path("output"),
    db_url: str | None = None,
    jobs: int | None = None,
    lang: Lang = "zh",
    config: Config | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
) -> ConsolidationSummary:
    """Validate every workbook under `submissions_dir` for `period`, store it and write all outputs."""
    check_period(period)
    config = config or load_config()
    timings: dict[str, float] = {}
    with _timed(timings, "read_validate"):
        files = discover([submissions_dir])
        checks = read_all(files, root=submissions_dir, jobs=jobs, progress=progress)
    current, other = split_by_period(checks, period)
    record = RunRecord([c.source for c in checks], {i.file for i in other})
    del checks  # from here on only the merged rows are kept: memory is the period's data, once
    store = open_store(db_url or config.db_url, out)
    with _timed(timings, "compute"):
        merged = merge(current, canonical_department=config.canonical_department, threshold=config.threshold)
        del current
        record.rows = {s.department: _stats_table(s.stats) for s in merged.submissions}
        result = build_period_result(period, merged.submissions, [*merged.issues, *other], store, config, lang)
        del merged
    with _timed(timings, "render"):
        outputs = publish(result, out / period, store=store, lang=lang, config=config, pdf=pdf, jobs=jobs,
                          extras=lambda staging: _write_run_files(staging, record, result, lang, timings,
                                                                  submissions_dir))
    return summarize(result, out / period, record, outputs, timings)


def render_from_store(
    *, period: str, out: Path = Path("output"), db_url: str | None = None, lang: Lang = "zh",
    config: Config | None = None, pdf: bool = False, jobs: int | None = None,
) -> list[Path]:
    """Re-render a stored period's reports and summary without re-reading any workbook."""
    check_period(period)
    config = config or load_config()
    store = open_store(db_url or config.db_url, out)
    if period not in store.periods():
        raise UsageError(f"period {period} is not in the history store; stored: {', '.join(store.periods()) or 'none'}")
    result = store.load_period(period)
    return publish(result, out / period, store=None, lang=lang, config=config, pdf=pdf, jobs=jobs,
                   extras=None, keep_existing=True)


def history_table(store: Store, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The stored periods as a table of headline figures, for `ci-excel history`."""
    from ci_excel.render.phrases import phrase

    keys = ("period_col", "departments", "problems_n", "new", "closed", "open", "overdue", "kpis_met_of",
            "stages", "missing", "late")
    rows = [[row["period"], str(row["departments"]), str(row["problems"]), str(row["new"]), str(row["closed"]),
             str(row["open"]), str(row["overdue_actions"]), f"{row['kpis_met']}/{row['kpis']}",
             " ".join(str(row["by_stage"].get(s, 0)) for s in range(1, 7)),
             ", ".join(row["missing"]), ", ".join(row["late"])]
            for row in store.history_rows()]
    return [phrase(k, lang) for k in keys], rows


# --- reading ---------------------------------------------------------------------------------


def read_all(files: Sequence[Path], *, root: Path, jobs: int | None, progress: Progress | None) -> list[FileCheck]:
    """check_file over every file, in worker processes when there is more than one core to use."""
    workers = min(jobs or os.cpu_count() or 1, max(len(files), 1))
    report = progress or (lambda done, total: None)
    report(0, len(files))
    with no_gc_passes():  # the results are many small, acyclic objects: collections only cost time
        if workers == 1:
            return [_tick(check_file(f, root=root), i, len(files), report) for i, f in enumerate(files, 1)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, min(16, len(files) // (workers * 8)))
            results = pool.map(_check_in_worker, files, [root] * len(files), chunksize=chunk)
            return [_tick(c, i, len(files), report) for i, c in enumerate(results, 1)]


def _check_in_worker(path: Path, root: Path) -> FileCheck:
    return check_file(path, root=root)


def _tick(check: FileCheck, done: int, total: int, report: Progress) -> FileCheck:
    report(done, total)
    return check


def split_by_period(checks: Sequence[FileCheck], period: str) -> tuple[list[FileCheck], list[Issue]]:
    """Checks for this period (or with no readable period, which validation reports) and notes on the rest."""
    current, other = [], []
    for check in checks:
        found = check.source.period
        if found and found != period:
            other.append(Issue("other-period", file=check.source.path, value=found,
                               params={"period": period}, department=check.source.department or ""))
        else:
            current.append(check)
    return current, other


# --- computing -------------------------------------------------------------------------------


def build_period_result(period: str, submissions: list[Submission], issues: list[Issue], store: Store,
                        config: Config, lang: Lang) -> PeriodResult:
    departments = []
    while submissions:  # computed results replace the validated rows one department at a time
        departments.append(_compute(submissions.pop(0), store, config, lang))
    previous = [p for p in store.periods() if p < period]
    previous_ids = store.problem_ids(previous[-1]) if previous else None
    figures = period_figures(period, departments, previous_problem_ids=previous_ids)
    trend = [f for f in store.history() if f.period < period] + [figures]
    return PeriodResult(period=period, departments=sorted(departments, key=lambda d: d.department),
                        trend=trend, missing=expected_missing(departments, store, period, config),
                        issues=issues, generated_on=date.today())


def _compute(sub: Submission, store: Store, config: Config, lang: Lang) -> DepartmentResult:
    history = store.stage_history(config.canonical_department(sub.department), before=sub.period)
    return compute_department(sub, config=config, stage_history=history, lang=lang)


def expected_missing(departments: Sequence[DepartmentResult], store: Store, period: str, config: Config) -> list[str]:
    """Roster departments (or, without a roster, departments seen before) that did not submit."""
    expected = config.roster_names() or store.departments_seen(before=period)
    present = {d.department for d in departments}
    return sorted(set(expected) - present)


# --- writing ---------------------------------------------------------------------------------


def publish(result: PeriodResult, target: Path, *, store: Store | None, lang: Lang, config: Config, pdf: bool,
            jobs: int | None, extras: Callable[[Path], None] | None, keep_existing: bool = False) -> list[Path]:
    """Render into a staging folder, save the period in the store, then swap the folder into place."""
    with staging_dir(target) as staging:
        if keep_existing and target.exists():
            shutil.copytree(target, staging, dirs_exist_ok=True, symlinks=False)
        render_outputs(result, staging, target, lang=lang, config=config, pdf=pdf, jobs=jobs or os.cpu_count() or 1)
        if extras:
            extras(staging)
        if store is not None:
            store.save_period(result)
        outputs = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        swap_into(staging, target)
    return [target / p for p in outputs]


def render_outputs(result: PeriodResult, folder: Path, target: Path, *, lang: Lang, config: Config, pdf: bool,
                   jobs: int) -> None:
    """Word reports, the summary workbook, PDFs and the distribution list.

    Charts are cached beside the period folders, so a re-run re-renders only figures whose data changed.
    """
    reports = render_reports(result, folder, lang=lang, template=config.report_template_path(), jobs=jobs,
                             config=config, cache_dir=target.parent / ".cache" / "charts")
    write_summary(result, folder / "portfolio_summary.xlsx", lang=lang)
    pdfs = convert_to_pdf(reports, jobs=jobs) if pdf else {}
    by_department = {d.department: p for d, p in zip(result.departments, reports, strict=False)}
    write_distribution(result.departments, by_department, {k: pdfs[v] for k, v in by_department.items() if v in pdfs},
                       folder / "distribution.xlsx", lang=lang, final_dir=target)


@dataclass
class RunRecord:
    """What the manifest keeps of the reading, once the rows themselves have moved on."""

    sources: list[SourceFile]
    other_period: set[str]
    rows: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # department -> sheet -> counts


def _write_run_files(folder: Path, record: RunRecord, result: PeriodResult, lang: Lang, timings: dict[str, float],
                     root: Path) -> None:
    """validation.json, feedback workbooks and manifest.json: the record of what was read."""
    from ci_excel.render.feedback_xlsx import write_feedback

    by_file: dict[str, list[Issue]] = {}
    for issue in result.all_issues:
        by_file.setdefault(issue.file, []).append(issue)
    feedback = []
    for source in record.sources:
        found, path = by_file.get(source.path), root / source.path
        if found and path.is_file() and source.outcome != "unreadable":
            name = source.path.replace("\\", "/")  # write_feedback makes .xls/.ods names .xlsx
            feedback.append(write_feedback(path, found, folder / "feedback" / name, lang=lang))
    _write_json(folder / "validation.json", validation_json(result, lang))
    _write_json(folder / "manifest.json", manifest(result, record, feedback, folder, timings))


def validation_json(result: PeriodResult, lang: Lang) -> dict[str, Any]:
    issues = [i.as_dict(lang) for i in result.all_issues]
    return {
        "period": result.period,
        "valid": not any(i["severity"] == "error" for i in issues),
        "stats": {"errors": sum(i["severity"] == "error" for i in issues),
                  "warnings": sum(i["severity"] == "warning" for i in issues)},
        "issues": issues,
    }


def manifest(result: PeriodResult, record: RunRecord, feedback: Sequence[Path], folder: Path,
             timings: dict[str, float]) -> dict[str, Any]:
    return {
        "period": result.period,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "versions": _versions(),
        "inputs": [_input_entry(s, s.path in record.other_period) for s in record.sources],
        "rows": record.rows,
        "departments": [d.department for d in result.departments],
        "missing": result.missing,
        "late": result.late,
        "feedback": [str(p.relative_to(folder)) for p in feedback],
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def _input_entry(source: SourceFile, other_period: bool) -> dict[str, Any]:
    return {"file": source.path, "sha256": source.sha256, "size": source.size, "department": source.department,
            "period": source.period, "template_version": source.template_version,
            "outcome": "other_period" if other_period else source.outcome}


def _stats_table(stats: dict[str, SheetStats]) -> dict[str, dict[str, int]]:
    return {sheet: {"read": s.read, "used": s.used, "rejected": s.rejected, "ignored": s.ignored}
            for sheet, s in stats.items()}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"ci-excel": __version__, "python": platform.python_version()}
    for package in ("openpyxl", "xlsxwriter", "python-docx", "python-calamine", "sqlalchemy", "matplotlib"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def summarize(result: PeriodResult, out_dir: Path, record: RunRecord, outputs: list[Path],
              timings: dict[str, float]) -> ConsolidationSummary:
    issues = result.all_issues
    return ConsolidationSummary(
        period=result.period, out_dir=out_dir, departments=[d.department for d in result.departments],
        files=len(record.sources), errors=sum(i.is_error for i in issues),
        warnings=sum(not i.is_error for i in issues), missing=result.missing, late=result.late,
        other_period=sorted(record.other_period), outputs=outputs, timings=timings,
    )


# --- atomic folder swap ----------------------------------------------------------------------


@contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A fresh folder beside `target`'s runs; removed unless swap_into moved it into place."""
    runs = target.parent / ".runs"
    runs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=runs))
    staging.chmod(0o777 & ~fileio.umask())  # mkdtemp makes it private; outputs are for the whole PMO
    try:
        yield staging
    finally:
        if staging.exists() and not _points_to(target, staging):
            shutil.rmtree(staging, ignore_errors=True)


def swap_into(staging: Path, target: Path) -> None:
    """Make `target` show `staging` in one atomic step.

    On POSIX `target` is a symbolic link to a run folder under `.runs/`, replaced with one rename:
    at every instant it shows either the old run or the new one. Elsewhere (no symlinks for normal
    users on Windows) the old folder is moved aside and the new one renamed in.
    """
    previous = target.resolve() if target.is_symlink() else None
    if os.name == "posix" and (previous is not None or not target.exists()):
        link = target.parent / f".{target.name}.link"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(".runs") / staging.name)
        os.replace(link, target)
        if previous is not None and previous != staging.resolve():
            shutil.rmtree(previous, ignore_errors=True)
        return
    aside = target.parent / ".runs" / f"{target.name}.old"
    shutil.rmtree(aside, ignore_errors=True)
    if target.exists():
        os.replace(target, aside)
    os.replace(staging, target)
    shutil.rmtree(aside, ignore_errors=True)


def _points_to(target: Path, staging: Path) -> bool:
    return target.is_symlink() and target.resolve() == staging.resolve()


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
