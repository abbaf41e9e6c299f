"""The PMO's monthly run: discover -> read and validate in parallel -> one department at a time:
merge, compute, store, report -> portfolio outputs -> swap into place.

Reading spills each checked workbook's rows to disk; then every department is merged, computed
and reported in a worker process and handed back to this process, which writes it to the period
being stored and folds it into the portfolio outputs before dropping it. So memory holds a few
departments and a few figures per department, whatever their number.

Outputs are built in a staging folder and swapped into `output/<period>` only when complete, so a
failed or killed run leaves the previous outputs in place; the store takes the period in one
short transaction after every output is written and before the swap.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ci_excel import __version__, fileio
from ci_excel.config import Config, load_config
from ci_excel.departments import DepartmentDone, DepartmentJob, run_jobs
from ci_excel.errors import UsageError
from ci_excel.feedback_run import FeedbackWriter, names_for, plan
from ci_excel.intake import Progress, read_checks, spill_path
from ci_excel.issues import Issue
from ci_excel.model import PeriodOutline, SheetStats, SourceFile
from ci_excel.render.charts import prune_cache
from ci_excel.render.docx import RenderSettings, report_paths, use_settings
from ci_excel.render.period import PeriodOutputs
from ci_excel.schema import Lang
from ci_excel.store import DEFAULT_PATH, PeriodWriter, Store, sqlite_url
from ci_excel.validation import FileCheck, group_checks

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SPILL, _FEEDBACK = ".spill", "feedback"


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
    store = open_store(db_url or config.db_url, out)
    run = _Run(period, out / period, lang, config, pdf, jobs or os.cpu_count() or 1, progress or _no_progress)
    earlier = [f for f in store.history() if f.period < period]
    expected = config.roster_names() or store.departments_seen(before=period)
    with staging_dir(run.target) as staging:
        with _timed(run.timings, "read_validate"):
            reading = read_submissions(submissions_dir, period, run, spill_dir=staging / _SPILL)
        record = reading.record
        names = names_for(staging / _FEEDBACK, record.sources)
        with store.period_writer(period, generated_on=run.today, workdir=staging) as writer, \
                FeedbackWriter(max(1, run.workers // 2)) as feedback:
            def keep(done: DepartmentDone) -> None:
                writer.add(done.result)
                record.took(done)
                for task in plan(done.result.files, done.result.issues, names, root=submissions_dir, lang=lang):
                    feedback.add(task)

            reports = report_paths(reading.departments, staging)
            outputs = _fold_departments(run, staging, reading.jobs(writer, reports), len(reports), on_done=keep)
            for task in plan(record.sources, reading.general, names, root=submissions_dir, lang=lang):
                feedback.add(task)
            with _timed(run.timings, "feedback"):
                record.feedback, failed = feedback.close()
            shutil.rmtree(staging / _SPILL, ignore_errors=True)
            present = {d.department for d in outputs.departments}
            general = [*reading.general, *failed]
            _close_outputs(run, outputs, PeriodOutline(
                period, [*earlier, outputs.figures], sorted(set(expected) - present), general, run.today))
            _write_run_files(staging, record, outputs, lang, run.timings)
            writer.finish(outputs.figures, missing=outputs.outline.missing, issues=general)
        listing = _listing(staging)
        swap_into(staging, run.target)
    prune_cache(run.chart_cache)
    return summarize(outputs, run.target, record, [run.target / p for p in listing], run.timings)


def render_from_store(
    *, period: str, out: Path = Path("output"), db_url: str | None = None, lang: Lang = "zh",
    config: Config | None = None, pdf: bool = False, jobs: int | None = None,
) -> list[Path]:
    """Re-render a stored period's reports and summary without re-reading any workbook (departments are
    loaded from the store one at a time, as consolidate handles them)."""
    check_period(period)
    config = config or load_config()
    store = open_store(db_url or config.db_url, out)
    if period not in store.periods():
        raise UsageError(f"period {period} is not in the history store; stored: {', '.join(store.periods()) or 'none'}")
    outline = store.load_outline(period)
    run = _Run(period, out / period, lang, config, pdf, jobs or os.cpu_count() or 1, _no_progress,
               today=outline.generated_on or date.today())
    with staging_dir(run.target) as staging:
        if run.target.exists():
            shutil.copytree(run.target, staging, dirs_exist_ok=True, symlinks=False)
        reports = report_paths(store.department_names(period), staging)
        jobs_ = (DepartmentJob(d.department, period, reports[d.department], stored=d)
                 for d in store.iter_departments(period))
        outputs = _fold_departments(run, staging, jobs_, len(reports), on_done=lambda _done: None)
        _close_outputs(run, outputs, outline)
        listing = _listing(staging)
        swap_into(staging, run.target)
    return [run.target / p for p in listing]


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


# --- running ---------------------------------------------------------------------------------


@dataclass
class _Run:
    """One period's run: where it writes, how, and what it measured."""

    period: str
    target: Path  # output/<period>
    lang: Lang
    config: Config
    pdf: bool
    workers: int
    progress: Progress
    today: date = field(default_factory=date.today)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def chart_cache(self) -> Path:
        """Figures are cached beside the period folders: a re-run re-draws only those whose data changed."""
        return self.target.parent / ".cache" / "charts"

    def settings(self) -> RenderSettings:
        return RenderSettings.of(lang=self.lang, template=self.config.report_template_path(),
                                 cache_dir=self.chart_cache, config=self.config, generated_on=self.today)


def _fold_departments(run: _Run, staging: Path, jobs: Iterable[DepartmentJob], count: int, *,
                      on_done: Callable[[DepartmentDone], None]) -> PeriodOutputs:
    """Every department's report written by a worker, its result folded into the portfolio outputs."""
    outputs = PeriodOutputs(staging, run.period, lang=run.lang)
    try:
        with _timed(run.timings, "departments"):
            for n, done in enumerate(run_jobs(jobs, settings=run.settings(), workers=run.workers), 1):
                on_done(done)
                outputs.add(done.result, done.figures, done.report)
                run.progress("departments", n, count)
    except BaseException:
        outputs.discard()  # closes the summary workbook's scratch files before the staging folder goes
        raise
    return outputs


def _close_outputs(run: _Run, outputs: PeriodOutputs, outline: PeriodOutline) -> None:
    with _timed(run.timings, "portfolio"):
        use_settings(run.settings())  # the portfolio report is drawn here
        outputs.close(outline, pdf=run.pdf, jobs=run.workers, final_dir=run.target)


def _listing(staging: Path) -> list[Path]:
    return sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


# --- reading ---------------------------------------------------------------------------------


@dataclass
class RunRecord:
    """What the manifest keeps of the reading, once the rows themselves have moved on."""

    sources: list[SourceFile]
    other_period: set[str]
    rows: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # department -> sheet -> counts
    feedback: list[Path] = field(default_factory=list)

    def took(self, done: DepartmentDone) -> None:
        self.rows[done.result.department] = _stats_table(done.stats)


@dataclass
class Reading:
    """The reading phase's outcome: the record, each department's spilled files, the loose issues."""

    record: RunRecord
    spills: dict[str, list[Path]]  # department -> its checked files on disk
    general: list[Issue]  # tied to no department of the period: other periods, no department named

    @property
    def departments(self) -> list[str]:
        return sorted(self.spills)

    def jobs(self, writer: PeriodWriter, reports: dict[str, Path]) -> Iterator[DepartmentJob]:
        """One job per department, with its history read from the store as the job is handed out."""
        previous = writer.previous_period()
        for department in self.departments:
            yield DepartmentJob(
                department, writer.period, reports[department], spills=tuple(self.spills[department]),
                stage_history=writer.stage_history(department),
                previous_ids=frozenset(writer.problem_ids(previous, department)) if previous else frozenset())


def read_submissions(root: Path, period: str, run: _Run, *, spill_dir: Path) -> Reading:
    """Check every file under `root` (each in a bounded worker), keeping their rows and the copies read
    on disk, grouped by department."""
    checks = read_checks([root], root=root, workers=run.workers, work_dir=spill_dir, spill=True,
                         progress=run.progress)
    spilled = {c.source.path: spill_path(spill_dir, n) for n, c in enumerate(checks)}
    current, other = split_by_period(checks, period)
    groups, loose = group_checks(current, canonical_department=run.config.canonical_department)
    return Reading(RunRecord([c.source for c in checks], {i.file for i in other}),
                   {dep: [spilled[current[n].source.path] for n in found] for (dep, _), found in groups.items()},
                   [*(i for n in loose for i in current[n].issues), *other])


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


# --- the run's own files ---------------------------------------------------------------------


def _write_run_files(folder: Path, record: RunRecord, outputs: PeriodOutputs, lang: Lang,
                     timings: dict[str, float]) -> None:
    """validation.json and manifest.json: the record of what was read."""
    issues = [*outputs.outline.issues, *outputs.issues]
    _write_json(folder / "validation.json", validation_json(outputs.outline.period, issues, lang))
    _write_json(folder / "manifest.json", manifest(outputs, record, folder, timings))


def validation_json(period: str, issues: Sequence[Issue], lang: Lang) -> dict[str, Any]:
    found = [i.as_dict(lang) for i in issues]
    return {
        "period": period,
        "valid": not any(i["severity"] == "error" for i in found),
        "stats": {"errors": sum(i["severity"] == "error" for i in found),
                  "warnings": sum(i["severity"] == "warning" for i in found)},
        "issues": found,
    }


def manifest(outputs: PeriodOutputs, record: RunRecord, folder: Path, timings: dict[str, float]) -> dict[str, Any]:
    return {
        "period": outputs.outline.period,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "versions": _versions(),
        "inputs": [_input_entry(s, s.path in record.other_period) for s in record.sources],
        "rows": record.rows,
        "departments": [d.department for d in outputs.departments],
        "missing": outputs.outline.missing,
        "late": outputs.late,
        "feedback": sorted(str(p.relative_to(folder)) for p in record.feedback),
        "outputs": sorted({*(p.as_posix() for p in _listing(folder)), "manifest.json"}),
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


def summarize(outputs: PeriodOutputs, out_dir: Path, record: RunRecord, written: list[Path],
              timings: dict[str, float]) -> ConsolidationSummary:
    issues = [*outputs.outline.issues, *outputs.issues]
    return ConsolidationSummary(
        period=outputs.outline.period, out_dir=out_dir, departments=[d.department for d in outputs.departments],
        files=len(record.sources), errors=sum(i.is_error for i in issues),
        warnings=sum(not i.is_error for i in issues), missing=outputs.outline.missing, late=outputs.late,
        other_period=sorted(record.other_period), outputs=written, timings=timings,
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
